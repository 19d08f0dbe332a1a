// Runs every built uvu test file (build/test/**/*.test.mjs) in its own process, two at a time,
// and ends with the plain line `N passed, N failed`. A file that crashes, hangs past its time
// limit, or exits without uvu's summary counts as one failure, so "ran no test" cannot pass.
// Usage: node test/run.mjs [substring ...]   (only files whose path contains one of them)
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';

const FILE_TIMEOUT_MS = Number(process.env.H2FLOW_TEST_TIMEOUT_MS ?? 300_000);
const filters = process.argv.slice(2);

function walk(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.test.mjs')) out.push(p);
  }
  return out;
}

const files = walk('build/test').filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--enable-source-maps', file], {
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { child.kill('SIGKILL'); }
    }, FILE_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const text = stripAnsi(out);
      const total = Number(/Total:\s+(\d+)/.exec(text)?.[1] ?? NaN);
      const passed = Number(/Passed:\s+(\d+)/.exec(text)?.[1] ?? NaN);
      const skipped = Number(/Skipped:\s+(\d+)/.exec(text)?.[1] ?? 0);
      let p = 0, f = 0, note = '';
      if (timedOut) { f = 1; note = `timed out after ${FILE_TIMEOUT_MS} ms`; p = Number.isNaN(passed) ? 0 : passed; }
      else if (Number.isNaN(total) || Number.isNaN(passed)) { f = 1; note = `exited (code ${code}) without a uvu summary`; }
      else { p = passed; f = total - passed - skipped; if (code !== 0 && f === 0) { f = 1; note = `exit code ${code}`; } }
      resolve({ file, p, f, note, text, ms: Date.now() - started });
    });
  });
}

const results = [];
let next = 0;
const workers = Array.from({ length: Math.max(1, Math.min(2, cpus().length)) }, async () => {
  while (next < files.length) {
    const r = await runFile(files[next++]);
    results.push(r);
    process.stdout.write(`\n── ${r.file} (${r.ms} ms): ${r.p} passed, ${r.f} failed${r.note ? ` — ${r.note}` : ''}\n`);
    if (r.f > 0 || process.env.H2FLOW_TEST_VERBOSE) process.stdout.write(r.text.trimEnd().split('\n').map((l) => '   ' + l).join('\n') + '\n');
  }
});
await Promise.all(workers);

const passed = results.reduce((a, r) => a + r.p, 0);
const failed = results.reduce((a, r) => a + r.f, 0) + (files.length === 0 ? 1 : 0);
if (files.length === 0) console.log('\nno test files found under build/test');
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
