/**
 * H2Session against node:http2 (nghttp2, an independent implementation) over an in-memory pair bridged
 * with Duplex.fromWeb: both directions, bodies, trailers, push, resets and flow-control backpressure.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, constants, createServer, type ClientHttp2Session, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import { Duplex } from 'node:stream';
import { ErrorCodes } from '../../src/core';
import { H2Session, H2StreamError, type H2Stream } from '../../src/streams';
import { duplexPair, settle } from '../support/duplex-pair';

const Node = suite('H2Session against node:http2');

const GET: [string, string][] = [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'example.com']];

function pattern(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + 3) & 0xff;
  return out;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);
}

async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(readable).arrayBuffer());
}

/** node:http2 client ↔ H2Session server. */
function nodeClient(): { session: H2Session; client: ClientHttp2Session } {
  const [a, b] = duplexPair();
  const session = new H2Session(a, { role: 'server' });
  const client = connect('http://example.com', { createConnection: () => Duplex.fromWeb(b) });
  return { session, client };
}

/** H2Session client ↔ node:http2 server. */
function nodeServer(): { session: H2Session; server: Http2Server } {
  const [a, b] = duplexPair();
  const server = createServer();
  server.emit('connection', Duplex.fromWeb(b));
  const session = new H2Session(a, { role: 'client' });
  return { session, server };
}

function collect(req: NodeJS.ReadableStream): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(parts))));
    req.on('error', reject);
  });
}

function serveWith(session: H2Session, handler: (stream: H2Stream) => unknown): void {
  void (async () => {
    for await (const stream of session.incoming) void (async () => handler(stream))().catch(() => undefined);
  })();
}

Node('a node:http2 client downloads a 1 MiB body and gets its trailers', async () => {
  const { session, client } = nodeClient();
  const body = pattern(1 << 20);
  serveWith(session, (stream) => stream.respond({ ':status': '200' }, { body, trailers: { 'x-sum': 'ok' } }));
  const req = client.request({ ':path': '/' });
  req.end();
  const trailers = new Promise<Record<string, unknown>>((resolve) => req.on('trailers', resolve));
  const got = await collect(req);
  assert.ok(same(got, body));
  assert.is((await trailers)['x-sum'], 'ok');
  client.close();
  await session.closed;
});

Node('a node:http2 client uploads 1 MiB that the session echoes through readable → writable', async () => {
  const { session, client } = nodeClient();
  serveWith(session, async (stream) => {
    stream.respond({ ':status': '200' });
    await stream.readable.pipeTo(stream.writable);
  });
  const body = pattern(1 << 20);
  const req = client.request({ ':method': 'POST', ':path': '/echo' });
  req.end(Buffer.from(body));
  assert.ok(same(await collect(req), body));
  client.close();
  await session.closed;
});

Node('a node:http2 client that stops reading holds the session writer at the window until it reads', async () => {
  const { session, client } = nodeClient();
  let written = false;
  serveWith(session, async (stream) => {
    stream.respond({ ':status': '200' });
    await stream.end(pattern(1 << 20));
    written = true;
  });
  const req = client.request({ ':path': '/' });
  req.end();
  req.pause();
  await settle(20);
  assert.is(written, false, 'nghttp2 stopped the body at its window');
  const got = await collect(req.resume());
  assert.is(got.byteLength, 1 << 20);
  await settle();
  assert.is(written, true);
  client.close();
});

Node('a request to a node:http2 server gets its response, body and trailers', async () => {
  const { session, server } = nodeServer();
  server.on('stream', (stream: ServerHttp2Stream) => {
    stream.respond({ ':status': '200', 'content-type': 'text/plain' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'x-trailer': 'yes' }));
    stream.end('from nghttp2');
  });
  const stream = await session.request(GET, { endStream: true });
  const response = await stream.response;
  assert.equal(response.find(([n]) => n === ':status'), [':status', '200']);
  assert.is(new TextDecoder().decode(await readAll(stream.readable)), 'from nghttp2');
  assert.equal(await stream.trailers, [['x-trailer', 'yes']]);
  await session.close();
  server.close();
});

Node('a node:http2 server push arrives on the session as an incoming stream', async () => {
  const { session, server } = nodeServer();
  server.on('stream', (stream: ServerHttp2Stream) => {
    stream.pushStream({ ':path': '/pushed.css' }, (err, pushed) => {
      if (err) throw err;
      pushed.respond({ ':status': '200' });
      pushed.end('p{}');
    });
    stream.respond({ ':status': '200' });
    stream.end('page');
  });
  const pushes = session.incoming.getReader();
  const stream = await session.request(GET, { endStream: true });
  const { value: pushed } = await pushes.read();
  assert.equal(pushed?.headers.find(([n]) => n === ':path'), [':path', '/pushed.css']);
  assert.is(new TextDecoder().decode(await readAll(pushed!.readable)), 'p{}');
  assert.is(new TextDecoder().decode(await readAll(stream.readable)), 'page');
  await session.close();
  server.close();
});

Node('a node:http2 server that resets a stream fails it with the code it sent', async () => {
  const { session, server } = nodeServer();
  server.on('stream', (stream: ServerHttp2Stream) => {
    stream.on('error', () => undefined);
    stream.close(constants.NGHTTP2_REFUSED_STREAM);
  });
  const stream = await session.request(GET, { endStream: true });
  let error: unknown;
  try {
    await stream.response;
  } catch (err) {
    error = err;
  }
  assert.instance(error, H2StreamError, String(error));
  assert.is((error as H2StreamError).code, ErrorCodes.REFUSED_STREAM);
  assert.is((error as H2StreamError).remote, true);
  await session.close();
  server.close();
});

Node.run();
