/**
 * HTTP/1.1 next to HTTP/2 on one port: the sniffer, Node's HTTP/1.1 server fed the same fetch handler,
 * ALPN h2/http/1.1, `Upgrade: h2c` both ways, and what `http1: false` refuses. Peers: curl (all three
 * modes), nghttp -u, node:http, Node's fetch (undici, HTTP/1.1), raw sockets.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { once } from 'node:events';
import { connect, listen, serve, withTrailers, type FetchHandler, type HttpServer, type RequestTrailers } from '../../src/transport/node';
import { classify } from '../../src/transport/sniff';
import { patternBytes, run, selfSignedCert, sha256, tempDir, type TestCert } from '../support/peers';
import { rawSocket } from '../support/raw-socket';

const H1 = suite('HTTP/1.1 on the HTTP/2 port');

let cert: TestCert;
const dir = tempDir('h2flow-http1-');
H1.before(() => {
  cert = selfSignedCert(dir.path);
});
H1.after(() => dir.cleanup());

/** Every request the handler saw: method, path, protocol. */
const seen: string[] = [];

const handler: FetchHandler = async (request, info) => {
  const url = new URL(request.url);
  const protocol = info.stream === undefined ? 'h1' : 'h2';
  seen.push(`${request.method} ${url.pathname} ${protocol}`);
  switch (url.pathname) {
    case '/proto':
      return new Response(`${protocol} ${request.method} ${request.headers.get('host')} ${url.search}`);
    case '/echo':
      return new Response(request.body, { headers: { 'content-type': 'application/octet-stream' } });
    case '/sum': {
      const bytes = new Uint8Array(await request.arrayBuffer());
      const trailers = await (request as Request & RequestTrailers).trailers;
      return withTrailers(new Response(`${bytes.length} ${trailers?.get('x-digest') ?? 'none'}`), { 'x-sum': sha256(bytes) });
    }
    case '/big':
      return new Response(patternBytes(Number(url.searchParams.get('n'))));
    case '/slow': {
      let n = 0;
      return new Response(
        new ReadableStream({
          async pull(c) {
            await new Promise((r) => setTimeout(r, 20));
            c.enqueue(new TextEncoder().encode(`chunk${n}\n`));
            if (++n === 5) c.close();
          },
        }),
      );
    }
    case '/no-trailers':
      // As a proxied h2flow client response says when its origin sent none.
      return withTrailers(new Response('no trailers'), Promise.resolve(null));
    case '/failed-trailers':
      return withTrailers(new Response('failed trailers'), Promise.reject(new Error('no trailers to send')));
    case '/throw':
      throw new Error('boom');
    default:
      return new Response('not found', { status: 404 });
  }
};

async function withServer(options: { tls?: boolean; http1?: boolean }, body: (origin: string, server: HttpServer) => Promise<void>): Promise<void> {
  const server = serve(handler, {
    port: 0,
    hostname: '127.0.0.1',
    onListen: () => undefined,
    onError: () => new Response('custom 500', { status: 500 }),
    ...(options.tls === true ? { tls: { cert: cert.cert, key: cert.key } } : {}),
    ...(options.http1 !== undefined ? { http1: options.http1 } : {}),
  });
  const addr = await server.listening;
  try {
    await body(`${options.tls === true ? 'https' : 'http'}://127.0.0.1:${addr.port}`, server);
  } finally {
    await server.shutdown();
  }
}

const curl = (args: string[]): Promise<{ code: number | null; out: string; err: string }> =>
  run('curl', ['-sS', ...args]).then((r) => ({ code: r.code, out: r.stdout.toString(), err: r.stderr }));

H1('the first bytes decide: the HTTP/2 preface (however split) is h2, anything else HTTP/1.1', () => {
  const preface = new TextEncoder().encode('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  for (let n = 0; n < preface.length; n++) assert.is(classify(preface.subarray(0, n)), undefined, `prefix ${n}`);
  assert.is(classify(preface), 'h2');
  assert.is(classify(new TextEncoder().encode('GET / HTTP/1.1\r\n')), 'http1');
  assert.is(classify(new TextEncoder().encode('PUT')), 'http1');
  assert.is(classify(new TextEncoder().encode('PRI * HTTP/1.1\r\n')), 'http1');
});

H1('curl reaches one cleartext port over HTTP/1.1, the h2c upgrade and prior knowledge, with the same handler', async () => {
  await withServer({}, async (origin) => {
    const modes: [string, string][] = [
      ['--http1.1', '1.1 200 h1 GET'],
      ['--http2', '2 200 h2 GET'],
      ['--http2-prior-knowledge', '2 200 h2 GET'],
    ];
    for (const [mode, expected] of modes) {
      const r = await curl([mode, '-w', ' %{http_version} %{http_code}', `${origin}/proto?x=1`]);
      assert.is(r.code, 0, r.err);
      const [proto, method, host, search, version, status] = r.out.split(' ');
      assert.is(`${version} ${status} ${proto} ${method}`, expected, mode);
      assert.is(host, origin.slice('http://'.length));
      assert.is(search, '?x=1');
    }
  });
});

H1('an h2c upgrade answers the upgrading request as stream 1 and later requests on the same connection', async () => {
  await withServer({}, async (origin) => {
    const r = await run('nghttp', ['-u', '-v', `${origin}/proto`, `${origin}/proto?second`]);
    const text = r.stdout.toString();
    assert.is(r.code, 0, text + r.stderr);
    assert.match(text, 'HTTP Upgrade response');
    assert.match(text, 'HTTP/1.1 101 Switching Protocols');
    assert.match(text, /recv HEADERS frame <length=\d+, flags=0x04, stream_id=1>/);
    // The second request opens a stream of its own (nghttp skips ids it uses for its priority tree).
    assert.match(text, /recv DATA frame <length=\d+, flags=0x01, stream_id=(?!1>)\d+>/);
    assert.match(text, 'h2 GET');
  });
});

H1('an upgrade request with a body, or for another protocol, is answered over HTTP/1.1 instead', async () => {
  await withServer({}, async (origin) => {
    const post = await curl(['--http2', '--data-binary', 'body before the switch', '-w', ' %{http_version}', `${origin}/echo`]);
    assert.is(post.out, 'body before the switch 1.1');
    const ws = await curl(['--http1.1', '-H', 'connection: Upgrade', '-H', 'upgrade: websocket', '-w', ' %{http_version} %{http_code}', `${origin}/proto`]);
    assert.is(ws.out.split(' ').slice(0, 2).join(' '), 'h1 GET');
    assert.match(ws.out, / 1\.1 200$/);
  });
});

H1('an h2c upgrade whose HTTP2-Settings the core refuses (or that is not base64url) stays HTTP/1.1, and the server lives on', async () => {
  await withServer({}, async (origin) => {
    // ENABLE_PUSH = 2 (RFC 9113 §6.5.2: only 0 or 1), INITIAL_WINDOW_SIZE = 2^31, a partial setting, not base64url.
    for (const settings of ['AAIAAAAC', 'AASAAAAA', 'AAIAAA', 'not base64!']) {
      const r = await curl(['--http1.1', '-H', 'connection: Upgrade, HTTP2-Settings', '-H', 'upgrade: h2c', '-H', `http2-settings: ${settings}`, '-w', ' %{http_version} %{http_code}', `${origin}/proto`]);
      assert.is(r.out.split(' ')[0], 'h1', settings);
      assert.match(r.out, / 1\.1 200$/, settings);
    }
    const ok = await curl(['--http2', '-w', ' %{http_version}', `${origin}/proto`]);
    assert.match(ok.out, / 2$/);
  });
});

H1('HTTP/1.1 bodies stream both ways and trailers cross in both directions (chunked)', async () => {
  await withServer({}, async (origin) => {
    const data = patternBytes(3 * 1024 * 1024 + 5);
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest(`${origin}/sum`, { method: 'POST', headers: { te: 'trailers', trailer: 'x-digest' } }, resolve);
      req.on('error', reject);
      for (let i = 0; i < data.length; i += 65536) req.write(data.subarray(i, i + 65536));
      req.addTrailers({ 'x-digest': 'abc123' });
      req.end();
    });
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    assert.is(res.statusCode, 200);
    assert.is(res.headers['transfer-encoding'], 'chunked');
    assert.is(Buffer.concat(chunks).toString(), `${data.length} abc123`);
    assert.is(res.trailers['x-sum'], sha256(data));
    // A 16 MiB download over HTTP/1.1 with Node's fetch (undici).
    const big = await fetch(`${origin}/big?n=${16 * 1024 * 1024}`);
    assert.is(sha256(new Uint8Array(await big.arrayBuffer())), sha256(patternBytes(16 * 1024 * 1024)));
  });
});

H1('over HTTP/1.1, trailers resolving null send none, and the rejected trailers of a HEAD response are not left unhandled', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    await withServer({}, async (origin) => {
      const get = (path: string, method = 'GET'): Promise<{ res: IncomingMessage; text: string }> =>
        new Promise((resolve, reject) => {
          const req = httpRequest(`${origin}${path}`, { method }, async (res) => {
            let text = '';
            for await (const c of res) text += (c as Buffer).toString();
            resolve({ res, text });
          });
          req.on('error', reject);
          req.end();
        });
      const none = await get('/no-trailers');
      assert.is(none.res.statusCode, 200);
      assert.is(none.text, 'no trailers');
      assert.equal(none.res.trailers, {});
      const head = await get('/failed-trailers', 'HEAD');
      assert.is(head.res.statusCode, 200);
      await new Promise((resolve) => setImmediate(resolve));
    });
    assert.equal(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

H1('keep-alive and pipelined HTTP/1.1 requests are answered in order on one connection', async () => {
  await withServer({}, async (origin) => {
    const socket = netConnect({ port: Number(new URL(origin).port), host: '127.0.0.1' });
    await once(socket, 'connect');
    socket.write('GET /proto?a HTTP/1.1\r\nhost: x\r\n\r\nGET /slow HTTP/1.1\r\nhost: x\r\n\r\nGET /proto?c HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    await once(socket, 'close');
    const a = text.indexOf('h1 GET x ?a');
    const slow = text.indexOf('chunk4');
    const c = text.indexOf('h1 GET x ?c');
    assert.ok(a > 0 && slow > a && c > slow, text);
    assert.is(text.match(/HTTP\/1\.1 200 OK/g)?.length, 3);
  });
});

H1('a request body the handler never reads is discarded and the connection carries the next request', async () => {
  await withServer({}, async (origin) => {
    const { socket, closed, received } = await rawSocket(Number(new URL(origin).port));
    const body = Buffer.alloc(4 * 1024 * 1024, 0x61);
    socket.write(`POST /proto HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\n\r\n`);
    socket.write(body);
    socket.write('GET /proto?next HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    await closed;
    const text = received().toString('latin1');
    assert.match(text, 'h1 POST x');
    assert.match(text, 'h1 GET x ?next');
  });
});

H1('an h2c upgrade pipelined behind a response in flight waits for it: the 101 follows the whole HTTP/1.1 response', async () => {
  await withServer({}, async (origin) => {
    const { socket, received } = await rawSocket(Number(new URL(origin).port));
    socket.write(
      'GET /slow HTTP/1.1\r\nhost: x\r\n\r\n' +
        'GET /proto HTTP/1.1\r\nhost: x\r\nconnection: Upgrade, HTTP2-Settings\r\nupgrade: h2c\r\nhttp2-settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n',
    );
    while (!received().includes('101 Switching Protocols')) await new Promise((r) => setTimeout(r, 10));
    const text = received().toString('latin1');
    const end = text.indexOf('chunk4\n\r\n0\r\n\r\n');
    assert.ok(end > 0 && text.indexOf('HTTP/1.1 101 Switching Protocols') > end, text);
    socket.destroy();
  });
});

H1('over HTTP/1.1 a throwing handler gets onError, HEAD gets headers only, and a request without Host is refused', async () => {
  await withServer({}, async (origin) => {
    const r = await curl(['--http1.1', '-w', ' %{http_code}', `${origin}/throw`]);
    assert.is(r.out, 'custom 500 500');
    const head = await curl(['--http1.1', '-I', `${origin}/proto`]);
    assert.match(head.out, /^HTTP\/1\.1 200 OK/);
    assert.not.match(head.out, 'h1 HEAD');
    const socket = netConnect({ port: Number(new URL(origin).port), host: '127.0.0.1' });
    await once(socket, 'connect');
    socket.end('GET / HTTP/1.1\r\n\r\n');
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    await once(socket, 'close');
    assert.match(text, /^HTTP\/1\.1 400 /);
    // OPTIONS * (RFC 9112 §3.2.4) is well-formed but no fetch Request can carry it: 501, as over HTTP/2.
    const star = await curl(['--http1.1', '-X', 'OPTIONS', '--request-target', '*', '-o', '/dev/null', '-w', '%{http_code}', `${origin}/`]);
    assert.is(star.out, '501');
  });
});

H1('over TLS, ALPN offers h2 and http/1.1 on one port', async () => {
  await withServer({ tls: true }, async (origin) => {
    const h2 = await curl(['-k', '--http2', '-w', ' %{http_version}', `${origin}/proto`]);
    assert.is(h2.out.split(' ')[0] + h2.out.slice(h2.out.lastIndexOf(' ')), 'h2 2', h2.err);
    const h1 = await curl(['-k', '--http1.1', '-w', ' %{http_version}', `${origin}/proto`]);
    assert.is(h1.out.split(' ')[0] + h1.out.slice(h1.out.lastIndexOf(' ')), 'h1 1.1', h1.err);
    // A TLS client that offers no ALPN at all speaks HTTP/1.1 (RFC 7301 §3.2: the server carries on without it).
    const none = await curl(['-k', '--no-alpn', '--http1.1', '-w', ' %{http_version}', `${origin}/proto`]);
    assert.is(none.out.split(' ')[0] + none.out.slice(none.out.lastIndexOf(' ')), 'h1 1.1', none.err);
  });
});

H1('with http1: false (and listen() by default) a connection that is not HTTP/2 is closed, over TLS too', async () => {
  await withServer({ http1: false }, async (origin) => {
    const r = await curl(['--http1.1', `${origin}/proto`]);
    assert.is.not(r.code, 0);
    const ok = await curl(['--http2-prior-knowledge', `${origin}/proto`]);
    assert.match(ok.out, 'h2 GET');
  });
  await withServer({ http1: false, tls: true }, async (origin) => {
    const r = await curl(['-k', '--http1.1', `${origin}/proto`]);
    assert.is.not(r.code, 0);
  });
  const server = await listen({ port: 0 });
  try {
    const r = await curl(['--http1.1', `http://127.0.0.1:${server.address.port}/`]);
    assert.is.not(r.code, 0);
  } finally {
    await server.close();
  }
});

H1('a preface sent one byte at a time is HTTP/2; a connection that says nothing is closed after sniffTimeout', async () => {
  const server = await listen({ port: 0, http1: { handler }, sniffTimeout: 300 });
  try {
    const { socket, received } = await rawSocket(server.address.port);
    const bytes = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);
    for (const b of bytes) {
      socket.write(Buffer.from([b]));
      await new Promise((r) => setImmediate(r));
    }
    const session = await new Promise((resolve) => {
      const reader = server.accepted.getReader();
      void reader.read().then((r) => {
        reader.releaseLock();
        resolve(r.value);
      });
    });
    assert.ok(session !== undefined);
    // The server's SETTINGS frame (type 4) comes back: it saw the preface.
    while (received().length < 9) await new Promise((r) => setTimeout(r, 10));
    assert.is(received()[3], 4);
    socket.destroy();
    const idle = await rawSocket(server.address.port);
    await idle.closed;
    assert.is(idle.received().length, 0);
  } finally {
    await server.close({ graceful: false });
  }
});

H1('connect(url, { upgrade: true }) switches with a HEAD over HTTP/1.1, then fetches over HTTP/2', async () => {
  await withServer({}, async (origin) => {
    seen.length = 0;
    const client = connect(`${origin}/proto`, { upgrade: true });
    try {
      const res = await client.fetch('/proto?after');
      assert.is((await res.text()).split(' ')[0], 'h2');
      assert.equal(seen, ['HEAD /proto h2', 'GET /proto h2']);
    } finally {
      await client.close();
    }
  });
  // A server that refuses the upgrade (HTTP/2 only: the socket is closed) fails the client's fetch.
  await withServer({ http1: false }, async (origin) => {
    const client = connect(origin, { upgrade: true });
    try {
      await client.fetch('/proto').then(
        () => assert.unreachable('fetch should fail'),
        (error: Error) => assert.instance(error, Error),
      );
    } finally {
      await client.close().catch(() => undefined);
    }
  });
});

H1('shutdown closes idle HTTP/1.1 connections at once and lets a busy one finish its response', async () => {
  const server = serve(handler, { port: 0, hostname: '127.0.0.1', onListen: () => undefined });
  const { port } = await server.listening;
  const idle = await rawSocket(port);
  idle.socket.write('GET /proto HTTP/1.1\r\nhost: x\r\n\r\n');
  while (!idle.received().toString().includes('h1 GET')) await new Promise((r) => setTimeout(r, 10));
  const busy = await rawSocket(port);
  busy.socket.write('GET /slow HTTP/1.1\r\nhost: x\r\n\r\n');
  while (!busy.received().toString().includes('chunk0')) await new Promise((r) => setTimeout(r, 10));
  const done = server.shutdown();
  await idle.closed;
  await busy.closed;
  await done;
  assert.match(busy.received().toString(), 'chunk4');
  assert.match(busy.received().toString(), /0\r\n\r\n$/);
});

H1.run();
