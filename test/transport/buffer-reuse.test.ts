/**
 * A producer may reuse its buffer as soon as `writer.write(buf)` resolved: over a vectored transport the
 * session sends the producer's own chunks uncopied, so a write must not resolve before the transport is
 * done with them. Checked over loopback TCP, over a test pipe and over a vectored pipe that keeps the arrays.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { once } from 'node:events';
import * as polyfill from 'web-streams-polyfill';
import { H2Session, type H2Stream, type H2Transport, type StreamConstructors } from '../../src/streams';
import { socketToPair } from '../../src/transport/socket-pair';
import { duplexPair, type DuplexEnd } from '../support/duplex-pair';

const BufferReuse = suite('a body buffer reused after its write resolved');

const CHUNK = 64 * 1024;
const WRITES = 48;
/** Write `i`'s size: large chunks (sent by reference) alternate with small ones (copied into the batch). */
const SIZES = Array.from({ length: WRITES }, (_, i) => (i % 3 === 2 ? 100 : CHUNK));
const TOTAL = SIZES.reduce((a, b) => a + b, 0);
const GET: [string, string][] = [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'example.com']];

const IMPLEMENTATIONS: [string, StreamConstructors | undefined][] = [
  ['native', undefined],
  ['web-streams-polyfill', polyfill as unknown as StreamConstructors],
];

/** Two connected loopback sockets. */
async function tcpPair(): Promise<{ a: Socket; b: Socket; close(): void }> {
  const listener = createServer({ allowHalfOpen: true });
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const accepted = once(listener, 'connection');
  const a = connect({ port: (listener.address() as AddressInfo).port, host: '127.0.0.1', allowHalfOpen: true });
  await once(a, 'connect');
  const [b] = (await accepted) as [Socket];
  return {
    a,
    b,
    close() {
      a.destroy();
      b.destroy();
      listener.close();
    },
  };
}

/**
 * A vectored transport over a test pipe end that keeps each `Uint8Array[]` write's arrays for a
 * macrotask before copying them out, as a socket with full kernel buffers would.
 */
function lazyVectored(end: DuplexEnd, ctors: StreamConstructors): H2Transport {
  const inner = end.writable.getWriter();
  const writable = new ctors.WritableStream<Uint8Array | Uint8Array[]>({
    async write(chunk) {
      if (!Array.isArray(chunk)) return inner.write(chunk);
      await new Promise((resolve) => setTimeout(resolve, 1));
      const size = chunk.reduce((n, piece) => n + piece.byteLength, 0);
      const joined = new Uint8Array(size);
      let at = 0;
      for (const piece of chunk) {
        joined.set(piece, at);
        at += piece.byteLength;
      }
      return inner.write(joined);
    },
    close() {
      return inner.close();
    },
    abort(reason) {
      return inner.abort(reason);
    },
  });
  return { readable: end.readable, writable: writable as WritableStream<Uint8Array>, vectored: true };
}

/**
 * The server answers with WRITES writes of ONE buffer (SIZES of it), refilled with the write's index
 * each time the previous write resolved; returns what the client received.
 */
async function reuseOneBuffer(serverSide: H2Transport, clientSide: H2Transport, streams: StreamConstructors | undefined): Promise<Uint8Array> {
  const opts = streams === undefined ? {} : { streams };
  const server = new H2Session(serverSide, { role: 'server', ...opts });
  const client = new H2Session(clientSide, { role: 'client', ...opts });
  void (async () => {
    const { value } = await server.incoming.getReader().read();
    const stream = value as H2Stream;
    stream.respond([[':status', '200']]);
    const writer = stream.writable.getWriter();
    const buf = new Uint8Array(CHUNK);
    for (let i = 0; i < WRITES; i++) {
      buf.fill(i);
      await writer.write(buf.subarray(0, SIZES[i]));
    }
    buf.fill(0xff);
    await writer.close();
  })();
  const stream = await client.request(GET, { endStream: true });
  await stream.response;
  const received = new Uint8Array(TOTAL);
  let at = 0;
  const reader = stream.readable.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received.set(value, at);
    at += value.byteLength;
  }
  assert.is(at, TOTAL, 'every byte arrived');
  await Promise.all([client.close(), server.close()]);
  return received;
}

/** Asserts write `i`'s bytes in `received` are all the byte `i`. */
function assertSequence(received: Uint8Array): void {
  let at = 0;
  for (let i = 0; i < WRITES; i++) {
    const size = SIZES[i] as number;
    const wrong = received.subarray(at, at + size).findIndex((b) => b !== i);
    assert.is(wrong, -1, `write ${i} arrived as written (first wrong byte at ${wrong})`);
    at += size;
  }
}

for (const [name, streams] of IMPLEMENTATIONS) {
  const ctors = streams ?? (globalThis as unknown as StreamConstructors);

  BufferReuse(`the receiver sees exactly what was written over loopback TCP (${name})`, async () => {
    const tcp = await tcpPair();
    const opts = streams === undefined ? {} : { streams };
    try {
      assertSequence(await reuseOneBuffer(socketToPair(tcp.b, opts), socketToPair(tcp.a, opts), streams));
    } finally {
      tcp.close();
    }
  });

  BufferReuse(`the receiver sees exactly what was written over a test pipe (${name})`, async () => {
    const [a, b] = duplexPair(streams === undefined ? {} : { streams });
    assertSequence(await reuseOneBuffer(b, a, streams));
  });

  BufferReuse(`writes resolve only once a vectored transport is done with the chunks it references (${name})`, async () => {
    const [a, b] = duplexPair(streams === undefined ? {} : { streams });
    assertSequence(await reuseOneBuffer(lazyVectored(b, ctors), a, streams));
  });
}

BufferReuse.run();
