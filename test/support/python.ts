/** Runs Debian's system python3 (which owns python3-h2/hpack/hyperframe) as a differential oracle. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The system interpreter: Debian's python packages belong to it, not to a python3 earlier on PATH. */
export const SYSTEM_PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/**
 * Runs `script` under the system python3 with `input` as JSON on stdin and returns its stdout parsed
 * as JSON. Throws with python's stderr when the script fails, so a missing package fails the test.
 */
export function runPython<T = unknown>(script: string, input: unknown, timeoutMs = 120_000): T {
  const r = spawnSync(SYSTEM_PYTHON, ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    timeout: timeoutMs,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`python3 exited with ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
