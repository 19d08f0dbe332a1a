/**
 * HTTP/1.1 and the abuse guard (http1.ts's `onPeerError`, listen.ts): a connection whose peer broke
 * HTTP/1.1 (a request Node's parser refuses, request smuggling, a bad Host) counts as an
 * HTTP/2 connection ended in a connection error, against the same budget and address (the PROXY header's
 * behind a proxy); timeouts, hang-ups and well-formed requests never count. Peers: raw sockets (the bytes
 * a hostile client controls), curl (an honest client), TLS with ALPN http/1.1; and the same in real Deno
 * and Bun, whose node:http reports parser errors its own way.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { AbuseGuard, serve, type HttpServer, type ServeOptions } from '../../src/transport/node';
import { run, selfSignedCert, tempDir } from '../support/peers';
import { bundleFor, runArgs, runtimeBinary } from '../support/runtimes';

const Guard = suite('abuse guard over HTTP/1.1');

/**
 * Connects from `localAddress`, writes `bytes` (then half-closes if `end`), and resolves with what came
 * back once the connection closed.
 */
function send(port: number, bytes: string, localAddress = '127.0.0.1', end = false): Promise<string> {
  return new Promise((resolve) => {
    const socket = netConnect({ port, host: '127.0.0.1', localAddress });
    const got: Buffer[] = [];
    socket.on('data', (d: Buffer) => got.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(got).toString('latin1')));
    socket.on('connect', () => (end ? socket.end(bytes) : socket.write(bytes)));
  });
}

/** Resolves once `condition()` holds (a connection's end is noted when the server sees it close). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(condition(), 'condition never held');
}

/** Lets the server see every connection closed so far close too (its 'close' comes in a later turn). */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

async function served(options: ServeOptions = {}): Promise<{ server: HttpServer; port: number }> {
  const server = serve(() => new Response('ok'), { port: 0, hostname: '127.0.0.1', onListen: () => undefined, ...options });
  return { server, port: (await server.listening).port };
}

/** Requests no conforming client sends, each with what the server answers before it closes the connection. */
const MALFORMED: ReadonlyArray<readonly [string, string, RegExp]> = [
  ['not HTTP at all', 'HELLO WORLD\r\n\r\n', /^HTTP\/1\.1 400 /],
  ['Content-Length next to Transfer-Encoding (request smuggling)', 'POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n', /^HTTP\/1\.1 400 /],
  ['two different Content-Lengths (request smuggling)', 'POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello', /^HTTP\/1\.1 400 /],
  ['a Transfer-Encoding that does not end in chunked', 'POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked, identity\r\n\r\n', /^HTTP\/1\.1 400 /],
  ['a space before a field name\'s colon', 'GET / HTTP/1.1\r\nhost : a\r\n\r\n', /^HTTP\/1\.1 400 /],
  ['a bad chunk size', 'POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n\r\n', /HTTP\/1\.1 /],
  ['an HTTP/1.1 request without Host', 'GET / HTTP/1.1\r\nx: y\r\n\r\n', /^HTTP\/1\.1 400 /],
  ['an absolute-form HTTP/1.1 request without Host', 'GET http://a.example/ HTTP/1.1\r\n\r\n', /^HTTP\/1\.1 400 /],
  ['two Host lines', 'GET / HTTP/1.1\r\nhost: a.example\r\nhost: b.example\r\n\r\n', /^HTTP\/1\.1 400 /],
  ['a Host that would make the URL name another resource', 'GET /public HTTP/1.1\r\nhost: example.com/admin?\r\n\r\n', /^HTTP\/1\.1 400 /],
];

Guard('every kind of malformed HTTP/1.1 request counts against its address, and the server closes the connection after answering it', async () => {
  const guard = new AbuseGuard({ maxAbusiveConnections: 1, coolDownMs: 600_000, holdRefusedMs: 0 });
  const { server, port } = await served({ abuse: guard });
  try {
    let n = 10;
    for (const [name, bytes, answer] of MALFORMED) {
      const address = `127.0.0.${n++}`;
      // No connection: close and no half-close: the server ends the connection itself.
      assert.match(await send(port, bytes, address), answer, name);
      await until(() => guard.isRefusing(address));
      assert.is(await send(port, 'GET / HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n', address), '', `${name}: refused afterwards`);
    }
    assert.not.ok(guard.isRefusing('127.0.0.1'));
  } finally {
    await server.shutdown();
  }
});

Guard('well-formed requests, refusals of well-formed ones, timeouts and hang-ups never count', async () => {
  const guard = new AbuseGuard({ maxAbusiveConnections: 1, coolDownMs: 600_000, holdRefusedMs: 0 });
  const server = serve(
    (request) => {
      const path = new URL(request.url).pathname;
      if (path === '/throw') throw new Error('handler failure (expected by the test)');
      return new Response(path === '/missing' ? 'no' : 'ok', { status: path === '/missing' ? 404 : 200 });
    },
    { port: 0, hostname: '127.0.0.1', onListen: () => undefined, onError: () => new Response('failed', { status: 500 }), abuse: guard, http1: { headersTimeout: 200, requestTimeout: 400 } },
  );
  const port = (await server.listening).port;
  const address = '127.0.0.2';
  try {
    const honest: ReadonlyArray<readonly [string, string, RegExp | null, boolean?]> = [
      ['a GET', 'GET / HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n', /^HTTP\/1\.1 200 /],
      ['a 404', 'GET /missing HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n', /^HTTP\/1\.1 404 /],
      ['a handler that throws', 'GET /throw HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n', /^HTTP\/1\.1 500 /],
      ['an HTTP/1.0 request without Host', 'GET / HTTP/1.0\r\n\r\n', /^HTTP\/1\.1 200 /],
      ['absolute-form with Host', 'GET http://a.example/ HTTP/1.1\r\nhost: a.example\r\nconnection: close\r\n\r\n', /^HTTP\/1\.1 200 /],
      ['TRACE (501: no Request carries it)', 'TRACE / HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n', /^HTTP\/1\.1 501 /],
      ['OPTIONS * (501)', 'OPTIONS * HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n', /^HTTP\/1\.1 501 /],
      ['CONNECT (501)', 'CONNECT a.example:443 HTTP/1.1\r\nhost: a.example:443\r\n\r\n', /^HTTP\/1\.1 501 /],
      ['a websocket upgrade we do not take', 'GET / HTTP/1.1\r\nhost: a\r\nconnection: upgrade, close\r\nupgrade: websocket\r\n\r\n', /^HTTP\/1\.1 200 /],
      ['an h2c upgrade with a bad HTTP2-Settings (answered over HTTP/1.1)', 'GET / HTTP/1.1\r\nhost: a\r\nconnection: Upgrade, HTTP2-Settings, close\r\nupgrade: h2c\r\nhttp2-settings: !!\r\n\r\n', /^HTTP\/1\.1 200 /],
      // A browser whose cookies grew past the limit sends it on every request (over HTTP/2: its stream refused).
      ['a header block past maxHeaderSize (431)', `GET / HTTP/1.1\r\nhost: a\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`, /^HTTP\/1\.1 431 /],
      // Node's parser stops at them (HPE_CLOSED_CONNECTION), before the handler answered: 400, not counted.
      ['bytes after connection: close', 'GET / HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\nGARBAGE\r\n\r\n', /^HTTP\/1\.1 /],
      ['a header block that stalls (408 at headersTimeout)', 'GET / HTTP/1.1\r\nhost: a\r\nx-slow: ', /^HTTP\/1\.1 408 /],
      ['a body that stalls (cut off at requestTimeout)', 'POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 100\r\n\r\npart', null],
      ['a hang-up mid header block', 'GET / HTTP/1.1\r\nhost: a\r\n', null, true],
      ['a hang-up mid body (an aborted upload)', 'POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 100\r\n\r\npart', null, true],
      ['a hang-up before anything', '', null, true],
      // https:// typed for an http:// server, a health check set up for TLS: a conforming TLS client on the
      // wrong port, which cannot read the 400 it gets; over HTTP/2 no such connection counts either.
      ['a TLS ClientHello on the cleartext port', '\x16\x03\x01\x00\x2f\x01\x00\x00\x2b\x03\x03', /^HTTP\/1\.1 400 /],
    ];
    for (const [name, bytes, answer, end] of honest) {
      const reply = await send(port, bytes, address, end === true);
      if (answer !== null) assert.match(reply, answer, `${name}: ${JSON.stringify(reply)}`);
      await settle();
      assert.not.ok(guard.isRefusing(address), `${name} counted`);
    }
    // curl, an honest client: one connection at a time, and several requests kept alive on one.
    for (let i = 0; i < 5; i++) {
      const r = await run('curl', ['-sS', '--http1.1', '--interface', address, '-o', '/dev/null', '-w', '%{http_code}', `http://127.0.0.1:${port}/${i}`]);
      assert.is(r.stdout.toString(), '200', r.stderr);
    }
    const urls = Array.from({ length: 5 }, (_, i) => `http://127.0.0.1:${port}/k${i}`);
    const kept = await run('curl', ['-sS', '--http1.1', '--interface', address, '-d', 'a body', '-w', '%{http_code} ', ...urls]);
    assert.is(kept.stdout.toString(), 'ok200 '.repeat(5), kept.stderr);
    await settle();
    assert.not.ok(guard.isRefusing(address), 'curl counted');
    assert.is(guard.trackedAddresses, 0, 'nothing was ever counted');
  } finally {
    await server.shutdown();
  }
});

Guard('serve() refuses a client flooding malformed HTTP/1.1 requests past the default budget, and serves curl from another address', async () => {
  // The default guard (10 connections a minute), refused connections closed at once rather than held.
  const { server, port } = await served({ abuse: { holdRefusedMs: 0 } });
  try {
    let answered = 0;
    for (let i = 0; i < 100; i++) {
      if ((await send(port, 'GET / HTTP/1.1\r\nhost: a\r\ncontent-length: 1\r\ntransfer-encoding: chunked\r\n\r\n', '127.0.0.3')) === '') break;
      answered++;
    }
    // Each connection's end is noted when the server sees it close, so one more may get through.
    assert.ok(answered >= 10 && answered <= 12, `serve() answered ${answered} malformed connections before refusing`);
    const r = await run('curl', ['-sS', '--http1.1', '--interface', '127.0.0.4', `http://127.0.0.1:${port}/`]);
    assert.is(r.stdout.toString(), 'ok', r.stderr);
    // HTTP/2 and HTTP/1.1 share the budget: the refused address is refused over HTTP/2 too.
    const h2 = await run('curl', ['-sS', '--http2-prior-knowledge', '--interface', '127.0.0.3', `http://127.0.0.1:${port}/`]);
    assert.is.not(h2.code, 0, 'a refused address is refused over HTTP/2 too');
  } finally {
    await server.shutdown();
  }
});

Guard('abuse: false turns the guard off: malformed HTTP/1.1 requests are answered however many come', async () => {
  const { server, port } = await served({ abuse: false });
  try {
    for (let i = 0; i < 30; i++) assert.match(await send(port, 'HELLO WORLD\r\n\r\n', '127.0.0.5'), /^HTTP\/1\.1 400 /, `connection ${i}`);
    const r = await run('curl', ['-sS', '--http1.1', '--interface', '127.0.0.5', `http://127.0.0.1:${port}/`]);
    assert.is(r.stdout.toString(), 'ok', r.stderr);
  } finally {
    await server.shutdown();
  }
});

Guard('behind a PROXY-protocol proxy, malformed HTTP/1.1 requests count against the client address the header gives', async () => {
  const guard = new AbuseGuard({ maxAbusiveConnections: 2, coolDownMs: 600_000, holdRefusedMs: 0 });
  const { server, port } = await served({ abuse: guard, proxyProtocol: true });
  const bad = 'PROXY TCP4 198.51.100.66 127.0.0.1 1000 443\r\n';
  const good = 'PROXY TCP4 198.51.100.77 127.0.0.1 1001 443\r\n';
  try {
    for (let i = 0; i < 2; i++) assert.match(await send(port, `${bad}GET / HTTP/1.1\r\nhost: a\r\nhost: b\r\n\r\n`), /^HTTP\/1\.1 400 /);
    await until(() => guard.isRefusing('198.51.100.66'));
    assert.not.ok(guard.isRefusing('127.0.0.1'), 'the proxy itself is never counted');
    assert.is(await send(port, `${bad}GET / HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n`), '');
    assert.match(await send(port, `${good}GET / HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n`), /^HTTP\/1\.1 200 /);
  } finally {
    await server.shutdown();
  }
});

Guard('over TLS (ALPN http/1.1) a malformed request counts as over cleartext', async () => {
  const dir = tempDir('h2flow-h1guard-');
  const cert = selfSignedCert(dir.path);
  const guard = new AbuseGuard({ maxAbusiveConnections: 1, coolDownMs: 600_000, holdRefusedMs: 0 });
  const { server, port } = await served({ abuse: guard, tls: { cert: cert.cert, key: cert.key } });
  const tlsSend = (bytes: string): Promise<string> =>
    new Promise((resolve) => {
      const options = { port, host: '127.0.0.1', localAddress: '127.0.0.6', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] };
      const socket = tlsConnect(options as ConnectionOptions & { localAddress: string });
      const got: Buffer[] = [];
      socket.on('data', (d: Buffer) => got.push(d));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(Buffer.concat(got).toString('latin1')));
      socket.on('secureConnect', () => socket.write(bytes));
    });
  try {
    assert.match(await tlsSend('GET / HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n'), /^HTTP\/1\.1 200 /);
    await settle();
    assert.not.ok(guard.isRefusing('127.0.0.6'));
    assert.match(await tlsSend('POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello'), /^HTTP\/1\.1 400 /);
    await until(() => guard.isRefusing('127.0.0.6'));
  } finally {
    await server.shutdown();
    dir.cleanup();
  }
});

for (const [runtime, listener] of [['deno', "h2flow/deno's serve() (node:net, its default)"], ['bun', "h2flow/node's serve() in Bun"]] as const) {
  Guard(`${listener}: malformed HTTP/1.1 requests count, a well-formed one does not`, async () => {
    const dir = tempDir(`h2flow-h1guard-${runtime}-`);
    try {
      const script = await bundleFor(runtime, 'test/runtimes/http1-abuse.ts', dir.path);
      const r = await run(runtimeBinary(runtime), [...runArgs(runtime, script), runtime], { timeoutMs: 60_000 });
      const out = r.stdout.toString();
      assert.is(r.code, 0, out + r.stderr);
      for (const name of ['garbage', 'smuggling', 'two-hosts', 'no-host']) assert.match(out, new RegExp(`^${name} HTTP/1\\.1_400_\\S* true$`, 'm'), out);
      assert.match(out, /^oversized HTTP\/1\.1_431_\S* false$/m, out);
      assert.match(out, /^honest HTTP\/1\.1_200_OK false$/m, out);
    } finally {
      dir.cleanup();
    }
  });
}

Guard.run();
