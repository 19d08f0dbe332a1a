/**
 * Helpers for tests against real peers (curl, nghttp, nghttpd, h2load, node:http2, the built CLI):
 * a throwaway self-signed certificate, free loopback ports, child processes with timeouts that are
 * always killed, and sha256 digests.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory removed by `cleanup()`. */
export interface TempDir {
  readonly path: string;
  cleanup(): void;
}

/** Creates a temporary directory. */
export function tempDir(prefix = 'h2flow-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** A self-signed certificate for `localhost` / `127.0.0.1`, as PEM text and as files. */
export interface TestCert {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** Generates a P-256 self-signed certificate with `openssl req -x509` into `dir`. */
export function selfSignedCert(dir: string): TestCert {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyFile, '-out', certFile],
    { stdio: 'ignore', timeout: 10_000 },
  );
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}

/** A port that was free a moment ago on 127.0.0.1 (for peers that cannot listen on port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something accepts TCP connections on `port` (polling), or rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ port, host: '127.0.0.1' });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What a finished child process produced. */
export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Options of {@link run}. */
export interface RunOptions {
  /** Killed (SIGKILL) after this many milliseconds. Default 20 s. */
  readonly timeoutMs?: number;
  /** Written to stdin, which is then closed. */
  readonly input?: string | Uint8Array;
  readonly cwd?: string;
}

/** Runs a command to completion, capturing stdout (bytes) and stderr (text); never outlives `timeoutMs`. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: options.cwd });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: err });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** A long-running child (a server): its output so far, and `stop()` that kills it and waits. */
export interface Daemon {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the output once `pattern` appears in it (rejects if the child exits first or after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

/** Starts a long-running command; always `stop()` it in `finally`. Killed anyway after `lifetimeMs` (default 60 s). */
export function daemon(command: string, args: readonly string[], lifetimeMs = 60_000): Daemon {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer): void => {
    text += d.toString();
    for (const l of listeners) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.once('close', () => {
    for (const l of listeners) l();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), lifetimeMs);
  killer.unref();
  return {
    child,
    output: () => text,
    waitFor(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = pattern.exec(text);
          if (m !== null) done(() => resolve(m));
          else if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`exited before ${pattern}: ${text}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${pattern}: ${text}`))), timeoutMs);
        const done = (f: () => void): void => {
          clearTimeout(timer);
          listeners.delete(check);
          f();
        };
        listeners.add(check);
        check();
      });
    },
    async stop() {
      clearTimeout(killer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Lowercase hex sha256 of some bytes. */
export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export { patternBytes } from './pattern-bytes';

/**
 * Bundles the `h2flow` CLI (src/cli/main.ts) into `dir` with esbuild and returns the file to run with
 * `node`: the tests exercise the binary as shipped without depending on the state of dist/.
 */
export async function buildCli(dir: string): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(dir, 'cli.mjs');
  await build({ entryPoints: ['src/cli/main.ts'], outfile, bundle: true, format: 'esm', platform: 'node', target: 'es2022', logLevel: 'warning', packages: 'external' });
  return outfile;
}
