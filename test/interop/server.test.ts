/**
 * Real HTTP/2 clients against h2flow's `serve()`: curl (h2c prior knowledge and TLS), nghttp -v, h2load,
 * node:http2's client and undici (h2c and TLS), including 64 MiB up and down with sha256 checks.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect as http2Connect, constants } from 'node:http2';
import { writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { Agent, H2CClient, request as undiciRequest } from 'undici';
import { serve, withTrailers, type HttpServer, type RequestTrailers } from '../../src/transport/node';
import { patternBytes, run, selfSignedCert, sha256, tempDir, type TestCert } from '../support/peers';

const Server = suite('real clients against h2flow serve()');

const MiB = 1024 * 1024;
const BIG = 64 * MiB;
const dir = tempDir('h2flow-interop-');
let cert: TestCert;
let bigFile = '';
let bigSum = '';
let h2c: HttpServer;
let tls: HttpServer;
let h2cOrigin = '';
let tlsOrigin = '';

async function handler(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === '/echo') return new Response(request.body, { headers: { 'content-type': 'application/octet-stream' } });
  if (url.pathname === '/big') return new Response(patternBytes(Number(url.searchParams.get('n') ?? BIG)));
  if (url.pathname === '/trailers') {
    const text = await request.text();
    const sent = await (request as Request & RequestTrailers).trailers;
    return withTrailers(new Response(`${text}|${sent?.get('x-request-digest')}`), { 'x-response-digest': 'r-456' });
  }
  if (url.pathname === '/') return new Response(`hello ${request.method} ${request.headers.get('host')}\n`, { headers: { 'x-served-by': 'h2flow' } });
  return new Response('not found\n', { status: 404 });
}

Server.before(async () => {
  cert = selfSignedCert(dir.path);
  const big = patternBytes(BIG);
  bigFile = join(dir.path, 'big.bin');
  writeFileSync(bigFile, big);
  bigSum = sha256(big);
  h2c = serve(handler, { port: 0, hostname: '127.0.0.1', onListen: () => undefined });
  tls = serve(handler, { port: 0, hostname: '127.0.0.1', tls: { cert: cert.cert, key: cert.key }, onListen: () => undefined });
  h2cOrigin = `http://127.0.0.1:${(await h2c.listening).port}`;
  tlsOrigin = `https://127.0.0.1:${(await tls.listening).port}`;
});

Server.after(async () => {
  await Promise.all([h2c.shutdown(), tls.shutdown()]);
  dir.cleanup();
});

Server('curl --http2-prior-knowledge gets a response over h2c', async () => {
  const r = await run('curl', ['-sS', '--http2-prior-knowledge', '-D', '-', '-w', '%{http_version}', `${h2cOrigin}/`]);
  const out = r.stdout.toString();
  assert.is(r.code, 0, r.stderr);
  assert.match(out, /^HTTP\/2 200/);
  assert.match(out, 'x-served-by: h2flow');
  assert.match(out, `hello GET 127.0.0.1:${new URL(h2cOrigin).port}\n2`);
});

Server('curl over TLS negotiates h2 with ALPN', async () => {
  const r = await run('curl', ['-sS', '-k', '--http2', '-o', '/dev/null', '-w', '%{http_version} %{response_code}', `${tlsOrigin}/`]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.toString(), '2 200');
});

Server('curl uploads 64 MiB to /echo over h2c and gets the same sha256 back', async () => {
  const out = join(dir.path, 'curl-echo.bin');
  const r = await run('curl', ['-sS', '--http2-prior-knowledge', '--data-binary', `@${bigFile}`, '-o', out, `${h2cOrigin}/echo`], { timeoutMs: 30_000 });
  assert.is(r.code, 0, r.stderr);
  const sum = await run('sha256sum', [out]);
  assert.is(sum.stdout.toString().split(' ')[0], bigSum);
});

Server('curl downloads 64 MiB over TLS intact', async () => {
  const r = await run('sh', ['-c', `curl -sS -k --http2 '${tlsOrigin}/big' | sha256sum`], { timeoutMs: 30_000 });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.toString().split(' ')[0], bigSum);
});

Server('a GET carrying a 64 MiB body gets its response, then RST_STREAM NO_ERROR instead of a stalled upload', async () => {
  // The handler never reads a GET body: serve() answers, then refuses the rest (RFC 9113 §8.1).
  const r = await run('nghttp', ['-v', '-d', bigFile, '-H', ':method: GET', `${h2cOrigin}/`], { timeoutMs: 15_000 });
  const out = r.stdout.toString();
  assert.is(r.code, 0, out + r.stderr);
  assert.match(out, /recv \(stream_id=13\) :status: 200/);
  assert.match(out, /recv RST_STREAM frame <length=4, flags=0x00, stream_id=13>\s+\(error_code=NO_ERROR\(0x00\)\)/);
  // curl 7.88 reports that reset as error 92; what matters here is that it ends instead of timing out (28).
  const curl = await run('curl', ['-sS', '--http2-prior-knowledge', '-X', 'GET', '--data-binary', `@${bigFile}`, '-m', '8', '-o', '/dev/null', `${h2cOrigin}/`], { timeoutMs: 15_000 });
  assert.is.not(curl.code, 28, 'curl timed out: the upload stalled');
});

Server('nghttp -v sees SETTINGS, HEADERS with :status 200 and DATA with END_STREAM', async () => {
  const r = await run('nghttp', ['-v', '-d', '-', `${h2cOrigin}/echo`], { input: 'ping-pong' });
  const out = r.stdout.toString();
  assert.is(r.code, 0, out + r.stderr);
  assert.match(out, /recv SETTINGS frame <length=\d+, flags=0x00, stream_id=0>/);
  assert.match(out, /recv \(stream_id=13\) :status: 200/);
  assert.match(out, /recv DATA frame <length=9, flags=0x0[01], stream_id=13>/);
  assert.match(out, 'ping-pong');
  assert.match(out, 'send GOAWAY frame');
});

Server('h2load completes 2000 requests over 4 connections with 16 streams each, all 2xx', async () => {
  const r = await run('h2load', ['-n', '2000', '-c', '4', '-m', '16', `${h2cOrigin}/`], { timeoutMs: 30_000 });
  const out = r.stdout.toString();
  assert.is(r.code, 0, out + r.stderr);
  assert.match(out, 'requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored, 0 timeout');
  assert.match(out, 'status codes: 2000 2xx');
});

Server('h2load over TLS with ALPN completes every request', async () => {
  const r = await run('h2load', ['-n', '400', '-c', '2', '-m', '8', `${tlsOrigin}/`], { timeoutMs: 30_000 });
  const out = r.stdout.toString();
  assert.is(r.code, 0, out + r.stderr);
  assert.match(out, 'Application protocol: h2');
  assert.match(out, 'requests: 400 total, 400 started, 400 done, 400 succeeded');
});

function nodeRequest(origin: string, path: string, body: Uint8Array | null): Promise<{ status: number; data: Buffer }> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(origin, { rejectUnauthorized: false });
    session.on('error', reject);
    const req = session.request({ [constants.HTTP2_HEADER_METHOD]: body === null ? 'GET' : 'POST', [constants.HTTP2_HEADER_PATH]: path });
    const chunks: Buffer[] = [];
    let status = 0;
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      session.close();
      resolve({ status, data: Buffer.concat(chunks) });
    });
    req.on('error', reject);
    if (body === null) req.end();
    // Piped in 1 MiB chunks: one 64 MiB write would exceed node:http2's own maxSessionMemory (10 MB).
    else Readable.from((function* () { for (let o = 0; o < body.length; o += MiB) yield body.subarray(o, o + MiB); })()).pipe(req);
  });
}

Server('node:http2 client round-trips 64 MiB through /echo over h2c', async () => {
  const data = patternBytes(BIG);
  const res = await nodeRequest(h2cOrigin, '/echo', data);
  assert.is(res.status, 200);
  assert.is(res.data.length, BIG);
  assert.is(sha256(res.data), bigSum);
});

Server('node:http2 client gets 200 over TLS', async () => {
  const res = await nodeRequest(tlsOrigin, '/', null);
  assert.is(res.status, 200);
  assert.match(res.data.toString(), 'hello GET');
});

Server('node:http2 client trailers reach the handler and the response trailers reach the client', async () => {
  const session = http2Connect(h2cOrigin);
  try {
    const req = session.request({ ':method': 'POST', ':path': '/trailers' }, { waitForTrailers: true });
    req.on('wantTrailers', () => req.sendTrailers({ 'x-request-digest': 'q-123' }));
    const trailers = new Promise<Record<string, unknown>>((resolve) => req.once('trailers', (t) => resolve(t)));
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    const ended = new Promise((resolve) => req.once('end', resolve));
    req.end('hello');
    await ended;
    assert.is(body, 'hello|q-123');
    assert.is((await trailers)['x-response-digest'], 'r-456');
  } finally {
    session.close();
  }
});

Server("undici's H2CClient speaks h2c with prior knowledge to serve()", async () => {
  const client = new H2CClient(h2cOrigin);
  try {
    const res = await client.request({ path: '/echo', method: 'POST', body: 'from undici' });
    assert.is(res.statusCode, 200);
    assert.is(await res.body.text(), 'from undici');
  } finally {
    await client.close();
  }
});

Server("undici's Agent with allowH2 speaks h2 over TLS to serve()", async () => {
  const agent = new Agent({ allowH2: true, connect: { rejectUnauthorized: false } });
  try {
    const res = await undiciRequest(`${tlsOrigin}/`, { dispatcher: agent });
    assert.is(res.statusCode, 200);
    assert.is(res.headers['x-served-by'], 'h2flow');
    assert.match(await res.body.text(), 'hello GET');
  } finally {
    await agent.close();
  }
});

Server.run();
