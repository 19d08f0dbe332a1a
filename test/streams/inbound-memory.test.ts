/**
 * The inbound memory bound: `connectionWindowSize` bounds the DATA all streams together hold unread,
 * also once their bodies ended, and every unread byte's window comes back when it is read, when the body
 * is cancelled, when the stream is reset, or (server) when the response is complete.
 * Two H2Sessions over an in-memory pair; the client's bytes written are what the server had to take.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes } from '../../src/core';
import { H2Session, H2StreamError, type H2SessionOptions, type H2Stream } from '../../src/streams';
import { concat } from '../support/bytes';
import { duplexPair, rejection, settle, type DuplexEnd } from '../support/duplex-pair';

const Memory = suite('inbound memory bound');

const MiB = 1 << 20;
const POST: [string, string][] = [[':method', 'POST'], [':scheme', 'http'], [':path', '/upload'], [':authority', 'example.com']];

function bodyOf(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + seed) & 0xff;
  return out;
}

async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const reader = readable.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return concat(...parts);
    parts.push(value);
  }
}

/** Lets both sessions run until the client stops writing (nothing sleeps: macrotask turns only). */
async function quiesce(end: DuplexEnd): Promise<void> {
  let last = -1;
  for (let i = 0; i < 200 && end.bytesWritten !== last; i++) {
    last = end.bytesWritten;
    await settle(5);
  }
}

/** A server with the given windows, a client, and the server's incoming streams as they arrive. */
function pair(connectionWindowSize: number, initialWindowSize: number) {
  const [a, b] = duplexPair();
  const serverOptions: H2SessionOptions = { role: 'server', connectionWindowSize, settings: { initialWindowSize } };
  const server = new H2Session(a, serverOptions);
  const client = new H2Session(b, { role: 'client', connectionWindowSize: 16 * MiB, settings: { enablePush: false } });
  const arrived: H2Stream[] = [];
  void (async () => {
    for await (const stream of server.incoming) arrived.push(stream);
  })();
  return { server, client, clientEnd: b, arrived };
}

/** Opens a POST and sends `body` with END_STREAM; resolves once the body is handed to the session. */
async function upload(client: H2Session, body: Uint8Array): Promise<H2Stream> {
  const stream = await client.request(POST);
  void stream.end(body).catch(() => undefined);
  return stream;
}

Memory('20 request bodies that ended unread never hold more than connectionWindowSize, and all arrive when read', async () => {
  // Four unread streams can fill the connection window; uploads arrive one after another.
  const { server, client, clientEnd, arrived } = pair(MiB, 256 * 1024);
  const size = 255 * 1024;
  const bodies = Array.from({ length: 20 }, (_, i) => bodyOf(size, i));
  const sent: H2Stream[] = [];
  for (const body of bodies) {
    sent.push(await upload(client, body));
    await quiesce(clientEnd);
  }
  // Headers and frame overhead aside, the server took at most one connection window of DATA: four
  // bodies ended and wait unread, the others wait for the window.
  assert.ok(clientEnd.bytesWritten <= MiB + 64 * 1024, `the server took ${clientEnd.bytesWritten} bytes with a 1 MiB window`);
  assert.is(arrived.filter((s) => s.remoteEnded).length, 4);
  // A server that reads its bodies gives every window back: each completes, no byte is lost.
  const reads: Promise<void>[] = [];
  for (let i = 0; i < bodies.length; i++) {
    while (arrived.length <= i) await settle();
    const stream = arrived[i]!;
    reads.push(
      readAll(stream.readable).then((got) => {
        assert.equal(got, bodies[sent.findIndex((s) => s.id === stream.id)]!, `body of stream ${stream.id}`);
        stream.respond([[':status', '204']], { endStream: true });
      }),
    );
  }
  await Promise.all(reads);
  await Promise.all(sent.map((s) => s.closed));
  await client.close();
  await server.close();
});

// Each way a body's unread bytes must come back: the second upload may only arrive once they do.
const RELEASES: [string, (stream: H2Stream, sent: H2Stream) => unknown][] = [
  ['the body is cancelled', (stream) => stream.readable.cancel()],
  ['the client resets the stream', (_stream, sent) => sent.reset()],
  ['the server resets the stream', (stream) => stream.reset()],
  ['the server completes its response without reading the body', (stream) => stream.respond([[':status', '200']], { endStream: true })],
];

for (const [how, release] of RELEASES) {
  Memory(`an ended body left unread holds the window until ${how}, then the connection moves on`, async () => {
    const window = 256 * 1024;
    const { server, client, clientEnd, arrived } = pair(window, window);
    const first = await upload(client, bodyOf(window - 1024, 1));
    await quiesce(clientEnd);
    while (arrived.length < 1) await settle();
    const hog = arrived[0]!;
    assert.ok(hog.remoteEnded);
    const second = bodyOf(window - 1024, 2);
    const next = await upload(client, second);
    await quiesce(clientEnd);
    assert.ok(clientEnd.bytesWritten < window + 16 * 1024, 'the second body waits for the window');
    const outcome = Promise.resolve(release(hog, first)).then(() => undefined);
    await outcome.catch(() => undefined);
    while (arrived.length < 2) await settle();
    assert.equal(await readAll(arrived[1]!.readable), second);
    arrived[1]!.respond([[':status', '204']], { endStream: true });
    await next.closed;
    await client.close({ graceful: false });
    await server.close({ graceful: false });
  });
}

Memory('a server that answers uploads it never reads stops each with RST_STREAM NO_ERROR, so none holds the window', async () => {
  // RFC 9113 §8.1. Without the reset each client waits at its stream window for a reader that never
  // comes, and 16 such uploads (64 KiB windows, 1 MiB connection window) stall the connection for good.
  const { server, client, clientEnd, arrived } = pair(MiB, 64 * 1024);
  const uploads: H2Stream[] = [];
  for (let i = 0; i < 20; i++) {
    const stream = await upload(client, bodyOf(200 * 1024, i));
    uploads.push(stream);
    while (arrived.length <= i) await settle();
    arrived[i]!.respond([[':status', '413']], { endStream: true });
    assert.equal(await stream.response, [[':status', '413']]);
    const err = (await rejection(stream.closed)) as { code?: number };
    assert.is(err.code, 0, 'the client is asked to stop without error');
    await arrived[i]!.closed;
  }
  assert.ok(clientEnd.bytesWritten < 20 * 200 * 1024);
  // The connection window is intact: an upload the server reads goes through whole.
  const last = bodyOf(512 * 1024, 99);
  const sent = await upload(client, last);
  while (arrived.length <= 20) await settle();
  assert.equal(await readAll(arrived[20]!.readable), last);
  arrived[20]!.respond([[':status', '204']], { endStream: true });
  await sent.closed;
  await client.close();
  await server.close();
});

Memory('a request body asked for after the response abandoned it fails with H2StreamError NO_ERROR, not with data', async () => {
  const { server, client, arrived } = pair(MiB, 64 * 1024);
  const sent = await upload(client, bodyOf(100 * 1024, 3));
  while (arrived.length < 1) await settle();
  const stream = arrived[0]!;
  stream.respond([[':status', '413']], { endStream: true });
  await stream.closed;
  const err = (await rejection(stream.readable.getReader().read())) as H2StreamError;
  assert.instance(err, H2StreamError);
  assert.is(err.code, ErrorCodes.NO_ERROR);
  assert.is(err.remote, false);
  assert.match(err.message, /discarded/);
  await rejection(sent.closed);
  await client.close();
  await server.close();
});

Memory('a server that answers early but reads the upload keeps receiving it', async () => {
  const { server, client, arrived } = pair(MiB, 64 * 1024);
  const body = bodyOf(300 * 1024, 5);
  const sent = await upload(client, body);
  while (arrived.length < 1) await settle();
  const stream = arrived[0]!;
  const reading = readAll(stream.readable);
  stream.respond([[':status', '202']], { endStream: true });
  assert.equal(await reading, body);
  await sent.closed;
  await stream.closed;
  await client.close();
  await server.close();
});

Memory('a client keeps a complete response readable after RST_STREAM NO_ERROR, and reading it gives the window back', async () => {
  const window = 128 * 1024;
  const [a, b] = duplexPair();
  const server = new H2Session(a, { role: 'server' });
  const client = new H2Session(b, { role: 'client', connectionWindowSize: window, settings: { enablePush: false, initialWindowSize: window } });
  const body = bodyOf(window - 1024, 3);
  void (async () => {
    for await (const stream of server.incoming) {
      if (stream.headers.some(([n, v]) => n === ':path' && v === '/big')) {
        stream.respond([[':status', '200']], { body });
        await settle();
        // RFC 9113 §8.1: a complete response, then "stop sending the request" without error.
        stream.reset(0);
      } else {
        stream.respond([[':status', '200']], { body: 'small' });
      }
    }
  })();
  const big = await client.request([[':method', 'POST'], [':scheme', 'http'], [':path', '/big'], [':authority', 'example.com']]);
  await big.response;
  await settle(10);
  assert.equal(await readAll(big.readable), body);
  const small = await client.request([[':method', 'GET'], [':scheme', 'http'], [':path', '/small'], [':authority', 'example.com']], { endStream: true });
  assert.is(new TextDecoder().decode(await readAll(small.readable)), 'small');
  assert.ok(await rejection(big.closed));
  await client.close({ graceful: false });
  await server.close({ graceful: false });
});

Memory.run();
