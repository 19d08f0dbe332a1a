/**
 * h2flow behind a real reverse proxy: HAProxy (master-worker mode, on free loopback ports, a temporary
 * configuration) forwards to `serve()` as an HTTP/2 cleartext backend (`proto h2`). curl (HTTP/1.1 and
 * h2) and h2load go through it, 64 MiB cross both ways with sha256, trailers cross end to end, and a
 * reload (SIGUSR2) during load fails no request. With `send-proxy-v2` on the server line and
 * `proxyProtocol: true`, the handler sees each client's own address (curl bound to 127.0.0.2 / 127.0.0.3),
 * also while both clients' requests share HAProxy's backend connections concurrently.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { connect as http2Connect } from 'node:http2';
import { once } from 'node:events';
import { join } from 'node:path';
import { serve, withTrailers, type HttpServer, type RequestTrailers } from '../../src/transport/node';
import { patternBytes, run, sha256, tempDir, type Daemon } from '../support/peers';
import { startHaproxy, stopHaproxy } from '../support/haproxy';

const Proxy = suite('behind HAProxy');

const dir = tempDir('h2flow-haproxy-');
const SIZE = 64 * 1024 * 1024;
const SLOW_CHUNKS = 16;
let server: HttpServer;
let haproxy: Daemon;
let origin = '';

Proxy.before(async () => {
  server = serve(
    async (request, info) => {
      const url = new URL(request.url);
      const protocol = info.stream === undefined ? 'HTTP/1.1' : 'HTTP/2';
      if (url.pathname === '/slow') {
        const all = patternBytes(SLOW_CHUNKS * 65536, 3);
        let i = 0;
        return new Response(
          new ReadableStream<Uint8Array>({
            async pull(c) {
              await new Promise((r) => setTimeout(r, 60));
              c.enqueue(all.subarray(i * 65536, ++i * 65536));
              if (i === SLOW_CHUNKS) c.close();
            },
          }),
        );
      }
      if (url.pathname === '/big') return new Response(patternBytes(Number(url.searchParams.get('n'))), { headers: { 'content-type': 'application/octet-stream' } });
      if (url.pathname === '/sum') {
        const hash = createHash('sha256');
        let bytes = 0;
        for await (const chunk of request.body ?? new ReadableStream<Uint8Array>()) {
          hash.update(chunk);
          bytes += chunk.byteLength;
        }
        const trailers = await (request as Request & RequestTrailers).trailers;
        const digest = hash.digest('hex');
        return withTrailers(new Response(`${bytes} ${digest}`), { 'x-sum': digest, 'x-saw': trailers?.get('x-client') ?? 'none' });
      }
      return new Response(`backend saw ${protocol}\n`, { headers: { 'content-type': 'text/plain' } });
    },
    { port: 0, hostname: '127.0.0.1', onListen: () => undefined },
  );
  const backPort = (await server.listening).port;
  ({ haproxy, origin } = await startHaproxy(dir.path, 'haproxy.cfg', backPort));
});

Proxy.after(async () => {
  await stopHaproxy(haproxy);
  await server.shutdown();
});

const curl = (args: string[], timeoutMs?: number): Promise<{ code: number | null; out: Buffer; err: string }> =>
  run('curl', ['-sS', ...args], timeoutMs !== undefined ? { timeoutMs } : {}).then((r) => ({ code: r.code, out: r.stdout, err: r.stderr }));

Proxy('curl reaches h2flow through HAProxy over HTTP/1.1 and h2, and HAProxy speaks HTTP/2 to h2flow', async () => {
  const h1 = await curl(['--http1.1', '-w', '%{http_version}', `${origin}/`]);
  assert.is(h1.out.toString(), 'backend saw HTTP/2\n1.1', h1.err);
  const h2 = await curl(['--http2-prior-knowledge', '-w', '%{http_version}', `${origin}/`]);
  assert.is(h2.out.toString(), 'backend saw HTTP/2\n2', h2.err);
});

Proxy('h2load through HAProxy: every request succeeds', async () => {
  const r = await run('h2load', ['-n', '2000', '-c', '4', '-m', '16', `${origin}/`], { timeoutMs: 60_000 });
  const text = r.stdout.toString();
  const m = /requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded/.exec(text);
  assert.ok(m !== null, text + r.stderr);
  assert.is(m![3], '2000', text);
});

Proxy('64 MiB up and down through HAProxy keep their sha256', async () => {
  const data = patternBytes(SIZE, 7);
  const file = join(dir.path, 'upload.bin');
  writeFileSync(file, data);
  const want = sha256(data);
  const up = await curl(['--http2-prior-knowledge', '--data-binary', `@${file}`, `${origin}/sum`], 60_000);
  assert.is(up.out.toString(), `${SIZE} ${want}`, up.err);
  const down = await curl(['--http2-prior-knowledge', `${origin}/big?n=${SIZE}`], 60_000);
  assert.is(down.out.length, SIZE, down.err);
  assert.is(sha256(down.out), sha256(patternBytes(SIZE)));
});

Proxy('trailers cross HAProxy end to end, both ways', async () => {
  const session = http2Connect(origin);
  try {
    const req = session.request({ ':method': 'POST', ':path': '/sum', te: 'trailers' }, { waitForTrailers: true });
    req.on('wantTrailers', () => req.sendTrailers({ 'x-client': 'from-the-client' }));
    req.end('trailer test body');
    const trailers = new Promise<Record<string, unknown>>((resolve) => req.once('trailers', (t) => resolve(t)));
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    await once(req, 'end');
    const t = await trailers;
    const digest = sha256(new TextEncoder().encode('trailer test body'));
    assert.is(body, `17 ${digest}`);
    assert.is(t['x-sum'], digest);
    assert.is(t['x-saw'], 'from-the-client');
  } finally {
    session.close();
  }
});

Proxy('an HAProxy reload (SIGUSR2) during load fails no request', async () => {
  let done = false;
  const codes: string[] = [];
  const loops = Array.from({ length: 3 }, async (_, i) => {
    for (let n = 0; !done; n++) {
      const mode = (n + i) % 2 === 0 ? '--http2-prior-knowledge' : '--http1.1';
      const r = await curl([mode, '-o', '/dev/null', '-w', '%{http_code}', `${origin}/`]);
      codes.push(r.out.toString() || `000 ${r.err}`);
    }
  });
  // And a slow download in flight across the reload: the old HAProxy worker finishes it.
  const slow = curl(['--http2-prior-knowledge', `${origin}/slow`], 30_000);
  await new Promise((r) => setTimeout(r, 200));
  const before = haproxy.output().match(/Loading success/g)?.length ?? 0;
  haproxy.child.kill('SIGUSR2');
  await haproxy.waitFor(new RegExp(`(?:Loading success[\\s\\S]*){${before + 1}}`), 15_000);
  await new Promise((r) => setTimeout(r, 300));
  done = true;
  await Promise.all(loops);
  const slowBody = await slow;
  assert.ok(codes.length > 5, `only ${codes.length} requests`);
  assert.equal(codes.filter((c) => c !== '200'), []);
  assert.is(sha256(slowBody.out), sha256(patternBytes(SLOW_CHUNKS * 65536, 3)), slowBody.err);
});

Proxy.run();

const Pp = suite('behind HAProxy with the PROXY protocol (send-proxy-v2)');
let ppServer: HttpServer;
let ppHaproxy: Daemon;
let ppOrigin = '';

Pp.before(async () => {
  ppServer = serve(
    async (request, info) => {
      const wait = Number(new URL(request.url).searchParams.get('wait') ?? '0');
      // Holds the response so requests from both clients are in flight at once.
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      return new Response(`${info.remoteAddr?.hostname}\n`, { headers: { 'content-type': 'text/plain' } });
    },
    { port: 0, hostname: '127.0.0.1', proxyProtocol: true, onListen: () => undefined },
  );
  const backPort = (await ppServer.listening).port;
  ({ haproxy: ppHaproxy, origin: ppOrigin } = await startHaproxy(dir.path, 'haproxy-pp.cfg', backPort, true));
});

Pp.after(async () => {
  await stopHaproxy(ppHaproxy);
  await ppServer.shutdown();
  dir.cleanup();
});

Pp('curl from 127.0.0.2 through HAProxy: the handler sees 127.0.0.2, over HTTP/1.1 and h2', async () => {
  for (const mode of ['--http1.1', '--http2-prior-knowledge']) {
    const r = await curl([mode, '--interface', '127.0.0.2', `${ppOrigin}/`]);
    assert.is(r.out.toString(), '127.0.0.2\n', r.err);
  }
});

Pp('two clients at once through HAProxy each see their own address, never the other\u2019s or the proxy\u2019s', async () => {
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, i) => {
      const from = i % 2 === 0 ? '127.0.0.2' : '127.0.0.3';
      const mode = i % 4 < 2 ? '--http2-prior-knowledge' : '--http1.1';
      return curl([mode, '--interface', from, `${ppOrigin}/?wait=200`]).then((r) => ({ from, saw: r.out.toString().trim(), err: r.err }));
    }),
  );
  for (const { from, saw, err } of results) assert.is(saw, from, err);
});

Pp.run();
