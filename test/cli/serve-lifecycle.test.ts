/**
 * `h2flow serve` as operators run it: SIGTERM drains requests in flight (HTTP/2 and HTTP/1.1) and exits 0,
 * a deadline bounds the drain, stdout on a full disk or a closed pipe costs log lines and nothing else,
 * and `--workers 2` serves from two processes, restarting them on SIGHUP without failing a request.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { openSync, closeSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect as http2Connect } from 'node:http2';
import { once } from 'node:events';
import { buildCli, daemon, freePort, patternBytes, run, tempDir, waitForPort } from '../support/peers';

const Life = suite('h2flow serve lifecycle');

const dir = tempDir('h2flow-cli-life-');
let cli = '';
Life.before(async () => {
  cli = await buildCli(dir.path);
});
Life.after(() => dir.cleanup());

const exitOf = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null ? Promise.resolve(child.exitCode) : once(child, 'exit').then(([code]) => code as number | null);

/** Starts `h2flow serve --port 0 ARGS` and resolves with it and its origin once it prints it. */
async function start(args: string[]): Promise<{ d: ReturnType<typeof daemon>; origin: string }> {
  const d = daemon(process.execPath, [cli, 'serve', '--port', '0', ...args]);
  const m = await d.waitFor(/on (https?:\/\/127\.0\.0\.1:\d+)\//);
  return { d, origin: m[1]! };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const CHUNKS = 40;
const chunk = (i: number): Uint8Array => patternBytes(16 * 1024, i + 1);

Life('SIGTERM sends GOAWAY, slow uploads echoed over HTTP/2 and HTTP/1.1 complete with their checksums, then exit 0', async () => {
  const { d, origin } = await start([]);
  try {
    const expected = createHash('sha256');
    for (let i = 0; i < CHUNKS; i++) expected.update(chunk(i));
    const want = expected.digest('hex');

    // HTTP/2 (node:http2): POST /echo, the body sent slowly; its echo streams back as it goes.
    const session = http2Connect(origin);
    let goaway = false;
    session.on('goaway', () => (goaway = true));
    const h2 = session.request({ ':method': 'POST', ':path': '/echo' });
    const h2Hash = createHash('sha256');
    let h2Got = 0;
    h2.on('data', (b: Buffer) => {
      h2Hash.update(b);
      h2Got += b.length;
    });
    const h2Done = once(h2, 'end');
    h2.write(chunk(0));

    // HTTP/1.1 (node:http, chunked): the same.
    const h1Hash = createHash('sha256');
    let h1Got = 0;
    const h1Req = httpRequest(`${origin}/echo`, { method: 'POST' });
    const h1Done = new Promise<void>((resolve, reject) => {
      h1Req.on('response', (res) => {
        res.on('data', (b: Buffer) => {
          h1Hash.update(b);
          h1Got += b.length;
        });
        res.on('end', resolve);
        res.on('error', reject);
      });
      h1Req.on('error', reject);
    });
    h1Req.write(chunk(0));
    while (h2Got === 0 || h1Got === 0) await sleep(10);

    d.child.kill('SIGTERM');
    await d.waitFor(/shutting down/);
    for (let i = 1; i < CHUNKS; i++) {
      h2.write(chunk(i));
      h1Req.write(chunk(i));
      await sleep(5);
    }
    h2.end();
    h1Req.end();
    await h2Done;
    await h1Done;
    assert.ok(goaway, 'the HTTP/2 client saw GOAWAY');
    assert.is(h2Hash.digest('hex'), want);
    assert.is(h1Hash.digest('hex'), want);
    session.close();
    assert.is(await exitOf(d.child), 0);
  } finally {
    await d.stop();
  }
});

Life('a request that never ends does not hold the process past --graceful-timeout, and it still exits 0', async () => {
  const { d, origin } = await start(['--graceful-timeout', '0.5']);
  try {
    const session = http2Connect(origin);
    session.on('error', () => undefined);
    const stuck = session.request({ ':method': 'POST', ':path': '/echo' });
    stuck.on('error', () => undefined);
    stuck.write('never finished');
    await once(stuck, 'data');
    d.child.kill('SIGTERM');
    assert.is(await exitOf(d.child), 0);
    session.destroy();
  } finally {
    await d.stop();
  }
});

/** Runs curl against `origin` `n` times; resolves with the status codes. */
async function statuses(origin: string, n: number, mode = '--http2-prior-knowledge'): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await run('curl', ['-sS', mode, '-o', '/dev/null', '-w', '%{http_code}', `${origin}/`])).stdout.toString());
  return out;
}

Life('with stdout on a full disk (/dev/full) it keeps serving, counts the dropped log lines, and exits 0', async () => {
  const port = await freePort();
  const full = openSync('/dev/full', 'w');
  const child = spawn(process.execPath, [cli, 'serve', '--port', String(port)], { stdio: ['ignore', full, 'pipe'] });
  closeSync(full);
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  try {
    await waitForPort(port);
    const origin = `http://127.0.0.1:${port}`;
    assert.equal(await statuses(origin, 3), ['200', '200', '200']);
    assert.equal(await statuses(origin, 2, '--http1.1'), ['200', '200']);
    child.kill('SIGTERM');
    assert.is(await exitOf(child), 0);
    assert.match(err, /h2flow serve: \d+ output writes dropped \(ENOSPC\)/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

Life('with stdout a pipe nobody reads, the access log never blocks serving (h2load: every request succeeds)', async () => {
  const port = await freePort();
  // stdout is a pipe this process never reads: it fills after ~64 KiB (~800 log lines).
  const child = spawn(process.execPath, [cli, 'serve', '--port', String(port)], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    await waitForPort(port);
    const r = await run('h2load', ['-n', '5000', '-c', '2', '-m', '16', `http://127.0.0.1:${port}/`], { timeoutMs: 60_000 });
    const text = r.stdout.toString();
    const m = /requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded/.exec(text);
    assert.ok(m !== null, text + r.stderr);
    assert.is(m![3], '5000', text);
    child.kill('SIGTERM');
    assert.is(await exitOf(child), 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

Life('with stdout a pipe whose reader went away it keeps serving (EPIPE dropped, not fatal)', async () => {
  const { d, origin } = await start([]);
  try {
    d.child.stdout!.destroy();
    assert.equal(await statuses(origin, 5), ['200', '200', '200', '200', '200']);
    assert.equal(await statuses(origin, 2, '--http1.1'), ['200', '200']);
    assert.is(d.child.exitCode, null);
    d.child.kill('SIGTERM');
    assert.is(await exitOf(d.child), 0);
  } finally {
    await d.stop();
  }
});

/**
 * Requests `origin` in `loops` parallel loops of curl (a new connection each, alternating HTTP/2 and
 * HTTP/1.1) until `until` settles; resolves with every status code seen (000 for a failed connection).
 */
async function loadUntil(origin: string, loops: number, until: Promise<unknown>): Promise<string[]> {
  let done = false;
  void until.finally(() => (done = true));
  const codes: string[] = [];
  await Promise.all(
    Array.from({ length: loops }, async (_, i) => {
      for (let n = 0; !done; n++) {
        const mode = (n + i) % 2 === 0 ? '--http2-prior-knowledge' : '--http1.1';
        const r = await run('curl', ['-sS', mode, '-o', '/dev/null', '-w', '%{http_code}', `${origin}/`]);
        codes.push(r.stdout.toString() || '000');
      }
    }),
  );
  return codes;
}

Life('--workers 2 serves from two processes; SIGHUP replaces them one by one without a failed connection', async () => {
  const { d, origin } = await start(['--workers', '2', '-q']);
  try {
    assert.match(d.output(), '2 workers');
    const restarted = (async () => {
      await sleep(200);
      d.child.kill('SIGHUP');
      await d.waitFor(/workers restarted/, 30_000);
      await sleep(200);
    })();
    const codes = await loadUntil(origin, 3, restarted);
    await restarted;
    assert.ok(codes.length > 10, `only ${codes.length} requests`);
    assert.equal(codes.filter((c) => c !== '200'), [], `${codes.length} requests`);
    d.child.kill('SIGTERM');
    assert.is(await exitOf(d.child), 0);
  } finally {
    await d.stop();
  }
});

Life('--workers 2 on a port already taken says so and exits 1 (no worker left behind)', async () => {
  const { d, origin } = await start(['-q']);
  try {
    const port = new URL(origin).port;
    const r = await run(process.execPath, [cli, 'serve', '--port', port, '--workers', '2'], { timeoutMs: 30_000 });
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, `cannot listen on 127.0.0.1:${port}`);
  } finally {
    await d.stop();
  }
});

Life.run();
