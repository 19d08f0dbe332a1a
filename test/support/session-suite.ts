/**
 * The streams-layer behaviour suite, defined once and run per Web Streams implementation (native and
 * web-streams-polyfill): two H2Sessions over a duplexPair, or one session against the scripted TestPeer
 * for frame-level checks. No test sleeps: `settle()` lets microtasks and promise chains run.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes, SettingCodes } from '../../src/core';
import type { H2Event } from '../../src/core';
import { fromNative, H2Session, H2SessionError, H2StreamError, iterate, toNative, type H2SessionOptions, type H2Stream, type StreamConstructors } from '../../src/streams';
import { concat } from './bytes';
import { mulberry32 } from './prng';
import { countingStreams, duplexPair, rejection, settle, type DuplexEnd } from './duplex-pair';
import type { PeerFrame } from './peer';
import { TestClock } from './test-clock';
import { WirePeer } from './wire-peer';

const GET: [string, string][] = [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'example.com']];
const POST: [string, string][] = [[':method', 'POST'], [':scheme', 'http'], [':path', '/upload'], [':authority', 'example.com']];
const OK: [string, string][] = [[':status', '200']];

type SessionOptions = Omit<H2SessionOptions, 'role' | 'streams'>;

function bytesOf(n: number, seed = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = readable.getReader();
  const parts: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return concat(...parts);
    parts.push(value);
  }
}

/** Tracks whether a promise settled, without awaiting it. */
function track(promise: Promise<unknown>): { done: boolean; failed: unknown } {
  const state = { done: false, failed: undefined as unknown };
  promise.then(
    () => (state.done = true),
    (err) => {
      state.done = true;
      state.failed = err ?? new Error('rejected');
    },
  );
  return state;
}

function dataFrames(frames: readonly PeerFrame[], streamId?: number): PeerFrame[] {
  return frames.filter((f) => f.typeName === 'DATA' && (streamId === undefined || f.streamId === streamId));
}

function dataBytes(frames: readonly PeerFrame[], streamId?: number): number {
  return dataFrames(frames, streamId).reduce((n, f) => n + (f.data?.byteLength ?? 0), 0);
}

/** Defines the whole suite for one Web Streams implementation. */
export function defineSessionSuite(name: string, streams: StreamConstructors): { run(): void } {
  const Session = suite(`H2Session over ${name} Web Streams`);

  const newSession = (end: DuplexEnd, role: 'client' | 'server', options: SessionOptions = {}): H2Session =>
    new H2Session(end, { role, streams, ...options });

  /** A client and a server session talking over one in-memory pair. */
  function sessions(options: { server?: SessionOptions; client?: SessionOptions; capacity?: number } = {}) {
    const [a, b] = duplexPair({ streams, ...(options.capacity !== undefined ? { capacity: options.capacity } : {}) });
    return { server: newSession(a, 'server', options.server), client: newSession(b, 'client', options.client), serverEnd: a, clientEnd: b };
  }

  /** A session facing the scripted TestPeer (playing the other role), past the SETTINGS exchange. */
  async function facingPeer(role: 'client' | 'server', peerSettings: Record<number, number>, options: SessionOptions) {
    const [a, b] = duplexPair({ streams });
    const session = newSession(a, role, options);
    const wire = new WirePeer(b, role === 'server' ? 'client' : 'server');
    await wire.send(wire.peer.greeting(peerSettings));
    await settle();
    wire.peer.drain();
    await wire.send(wire.peer.settingsAck());
    await settle();
    return { session, wire, peer: wire.peer, end: a };
  }

  /** A server session facing the scripted TestPeer as its client. */
  async function serverFacingPeer(peerSettings: Record<number, number> = {}, options: SessionOptions = {}) {
    const { session, ...rest } = await facingPeer('server', peerSettings, options);
    return { server: session, ...rest };
  }

  /** A client session facing the scripted TestPeer as its server. */
  async function clientFacingPeer(peerSettings: Record<number, number> = {}, options: SessionOptions = {}) {
    const { session, ...rest } = await facingPeer('client', peerSettings, options);
    return { client: session, ...rest };
  }

  /** Serves every request with `handler` until the session ends. */
  function serve(server: H2Session, handler: (stream: H2Stream) => unknown): void {
    void (async () => {
      for await (const stream of server.incoming) void (async () => handler(stream))().catch(() => undefined);
    })();
  }

  // --- requests, responses, bodies ---

  Session('a request gets the response headers, body and trailers the server sent', async () => {
    const { server, client } = sessions();
    serve(server, (stream) => {
      assert.equal(stream.headers.find(([n]) => n === ':path'), [':path', '/']);
      stream.respond([[':status', '200'], ['content-type', 'text/plain']], { body: 'hello', trailers: [['x-checksum', 'abc']] });
    });
    const stream = await client.request(GET, { endStream: true });
    const response = await stream.response;
    assert.equal(response, [[':status', '200'], ['content-type', 'text/plain']]);
    assert.is(text(await readAll(stream.readable)), 'hello');
    assert.equal(await stream.trailers, [['x-checksum', 'abc']]);
    await stream.closed;
  });

  Session('request and response bodies stream through writable and readable in both directions', async () => {
    const { server, client } = sessions();
    serve(server, async (stream) => {
      stream.respond(OK);
      await stream.readable.pipeTo(stream.writable);
    });
    const stream = await client.request(POST);
    const writer = stream.writable.getWriter();
    const received = readAll(stream.readable);
    await writer.write(bytesOf(100_000, 1));
    await writer.write(new TextEncoder().encode('tail'));
    await writer.close();
    const echoed = await received;
    assert.is(echoed.byteLength, 100_004);
    assert.equal(echoed.subarray(0, 100_000), bytesOf(100_000, 1));
    assert.is(text(echoed.subarray(100_000)), 'tail');
    assert.is(await stream.trailers, null);
  });

  Session('a request whose HEADERS carry END_STREAM has an already-ended body', async () => {
    const { server, client } = sessions();
    const seen: Promise<number>[] = [];
    serve(server, (stream) => {
      seen.push(readAll(stream.readable).then((b) => b.byteLength));
      stream.respond(OK, { endStream: true });
    });
    const stream = await client.request(GET, { endStream: true });
    await stream.closed;
    assert.is(seen.length, 1);
    assert.is(await seen[0], 0);
  });

  Session('a bodiless GET answered with respond(headers, { body }) creates no body stream on either side', async () => {
    const [a, b] = duplexPair({ streams });
    const serverStreams = countingStreams(streams);
    const clientStreams = countingStreams(streams);
    const server = new H2Session(a, { role: 'server', streams: serverStreams });
    const client = new H2Session(b, { role: 'client', streams: clientStreams });
    serve(server, (stream) => stream.respond(OK, { body: 'hello' }));
    const stream = await client.request(GET, { endStream: true });
    assert.equal(await stream.response, OK);
    assert.is(await stream.trailers, null);
    await stream.closed;
    // The server's one ReadableStream is `incoming`; no request body, no response writable, and the
    // client made none for its bodiless request.
    assert.equal([serverStreams.readables, serverStreams.writables], [1, 0]);
    assert.equal([clientStreams.readables, clientStreams.writables], [0, 0]);
    assert.is(text(await readAll(stream.readable)), 'hello', 'the body was buffered and is readable on demand');
    await client.close();
  });

  Session('text bodies given to respond() and end() are sent as UTF-8, short or long, ASCII or not', async () => {
    const { server, client } = sessions();
    const long = 'ü'.repeat(300) + 'a'.repeat(300);
    const bodies = ['hello', 'héllo €', 'a'.repeat(300), long];
    serve(server, (stream) => stream.respond(OK, { body: bodies[(stream.id - 1) / 2] as string }));
    for (const body of bodies) {
      const stream = await client.request(GET, { endStream: true });
      assert.is(text(await readAll(stream.readable)), body);
    }
  });

  Session('trailers travel both ways after streamed bodies', async () => {
    const { server, client } = sessions();
    serve(server, async (stream) => {
      const body = await readAll(stream.readable);
      const trailers = await stream.trailers;
      stream.respond(OK);
      const writer = stream.writable.getWriter();
      stream.sendTrailers([['x-request-trailer', trailers?.[0]?.[1] ?? 'none'], ['x-length', String(body.byteLength)]]);
      await writer.write(new TextEncoder().encode('ok'));
      await writer.close();
    });
    const stream = await client.request(POST);
    const writer = stream.writable.getWriter();
    stream.sendTrailers([['x-sig', 'v1']]);
    await writer.write(bytesOf(3000));
    await writer.close();
    assert.is(text(await readAll(stream.readable)), 'ok');
    assert.equal(await stream.trailers, [['x-request-trailer', 'v1'], ['x-length', '3000']]);
  });

  Session('sendTrailers() after respond() ends a body-less response, and a following end() just waits for it', async () => {
    const { server, client } = sessions();
    const ended: Promise<void>[] = [];
    serve(server, (stream) => {
      stream.respond(OK);
      stream.sendTrailers([['grpc-status', '0']]);
      ended.push(stream.end(), stream.end());
    });
    const stream = await client.request(GET, { endStream: true });
    assert.is((await readAll(stream.readable)).byteLength, 0);
    assert.equal(await stream.trailers, [['grpc-status', '0']]);
    await Promise.all(ended);
  });

  Session('every end() and close() waiting for a blocked body resolves once the end goes out', async () => {
    const { server, wire, peer } = await serverFacingPeer({ [SettingCodes.INITIAL_WINDOW_SIZE]: 0 });
    await wire.send(peer.headers(1, GET, { endStream: true }));
    const { value: stream } = await server.incoming.getReader().read();
    stream!.respond(OK);
    const first = track(stream!.end('x'));
    const second = track(stream!.end());
    await settle();
    assert.is(first.done || second.done, false, 'the body waits for the window');
    await wire.send(peer.windowUpdate(1, 10));
    await settle();
    assert.is(first.done && second.done, true);
    peer.expectHeaders({ streamId: 1 }).expectData(1, 'x', { endStream: true }).expectNone();
  });

  Session('informational responses reach the client before the final response, in order; a stream without any lists none', async () => {
    const { server, client } = sessions();
    serve(server, (stream) => {
      if (stream.headers.find(([n]) => n === ':path')?.[1] === '/none') {
        stream.respond(OK, { endStream: true });
        return;
      }
      stream.informational([[':status', '103'], ['link', '</style.css>; rel=preload']]);
      stream.informational([[':status', '103'], ['link', '</app.js>; rel=preload']]);
      stream.respond(OK, { endStream: true });
    });
    const plain = await client.request([[':method', 'GET'], [':scheme', 'http'], [':path', '/none'], [':authority', 'example.com']], { endStream: true });
    assert.equal(plain.informationalResponses, [], 'none before the response');
    assert.equal(await plain.response, OK);
    assert.equal(plain.informationalResponses, [], 'none after it');
    assert.is(plain.parentId, null, 'a stream that was not pushed has no parent');
    const stream = await client.request(GET, { endStream: true });
    assert.equal(await stream.response, OK);
    assert.equal(stream.informationalResponses, [
      [[':status', '103'], ['link', '</style.css>; rel=preload']],
      [[':status', '103'], ['link', '</app.js>; rel=preload']],
    ]);
  });

  Session('a server push arrives on the client as an incoming stream with its promised request', async () => {
    const { server, client } = sessions();
    serve(server, (stream) => {
      const pushed = stream.push([[':method', 'GET'], [':scheme', 'http'], [':path', '/style.css'], [':authority', 'example.com']]);
      pushed.respond([[':status', '200'], ['content-type', 'text/css']], { body: 'p{}' });
      stream.respond(OK, { body: 'page' });
    });
    const pushes = client.incoming.getReader();
    const stream = await client.request(GET, { endStream: true });
    const { value: pushed } = await pushes.read();
    assert.ok(pushed);
    assert.is(pushed.parentId, stream.id);
    assert.is(pushed.id % 2, 0);
    assert.equal(pushed.headers.find(([n]) => n === ':path'), [':path', '/style.css']);
    assert.equal(await pushed.response, [[':status', '200'], ['content-type', 'text/css']]);
    assert.is(text(await readAll(pushed.readable)), 'p{}');
    assert.is(text(await readAll(stream.readable)), 'page');
  });

  Session('200 streams in flight at once each get their own body back', async () => {
    const { server, client } = sessions({ server: { config: { maxConcurrentStreams: 250 } } });
    let active = 0;
    let peak = 0;
    const release = new Promise<void>((resolve) => {
      serve(server, async (stream) => {
        peak = Math.max(peak, ++active);
        if (peak === 200) resolve();
        const body = await readAll(stream.readable);
        await release;
        stream.respond(OK, { body });
        await stream.closed;
        active--;
      });
    });
    await client.ping();
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const stream = await client.request(POST);
        await stream.end(bytesOf(1000 + i, i));
        const echoed = await readAll(stream.readable);
        return echoed.byteLength === 1000 + i && echoed[5] === bytesOf(1000 + i, i)[5];
      }),
    );
    assert.is(peak, 200);
    assert.ok(results.every(Boolean));
  });

  Session('200 concurrent requests all complete while the client respects MAX_CONCURRENT_STREAMS', async () => {
    const { server, client } = sessions({ server: { settings: { maxConcurrentStreams: 50 } } });
    let active = 0;
    let peak = 0;
    serve(server, async (stream) => {
      active++;
      peak = Math.max(peak, active);
      const body = await readAll(stream.readable);
      await settle(1);
      stream.respond(OK, { body: `${stream.id}:${body.byteLength}` });
      await stream.closed;
      active--;
    });
    await client.ping();
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const stream = await client.request(POST);
        await stream.end(bytesOf(i * 10));
        return text(await readAll(stream.readable)) === `${stream.id}:${i * 10}`;
      }),
    );
    assert.ok(results.every(Boolean));
    assert.ok(peak <= 50, `peak ${peak} streams open`);
    assert.ok(peak > 1, 'streams ran concurrently');
  });

  Session('a client opens at most 100 streams before the peer\'s SETTINGS, then waits for slots in order', async () => {
    const [a, b] = duplexPair({ streams });
    const client = newSession(a, 'client');
    const wire = new WirePeer(b, 'server');
    const peer = wire.peer;
    const opened: number[] = [];
    const requests = Array.from({ length: 120 }, () => client.request(GET, { endStream: true }).then((stream) => opened.push(stream.id)));
    await settle();
    const headerIds = (): number[] => peer.drain().filter((f) => f.typeName === 'HEADERS').map((f) => f.streamId);
    assert.is(headerIds().length, 100, 'no more than 100 streams before the SETTINGS');
    await wire.send(peer.greeting({ [SettingCodes.MAX_CONCURRENT_STREAMS]: 110 }));
    await settle();
    const next = headerIds();
    assert.equal(next, Array.from({ length: 10 }, (_, i) => 201 + 2 * i), 'the next 10, oldest first');
    await wire.send(peer.headers(1, OK, { endStream: true }), peer.headers(3, OK, { endStream: true }));
    await settle();
    assert.equal(headerIds(), [221, 223], 'each finished stream frees one slot');
    assert.equal(opened, [...opened].sort((x, y) => x - y));
    assert.is(requests.length, 120);
  });

  Session('seeded random workload: small windows, random chunking and pauses, some resets; every other body arrives intact', async () => {
    for (const seed of [1, 2, 3]) {
      const rng = mulberry32(seed);
      const { server, client } = sessions({ server: { settings: { initialWindowSize: 1000 } }, client: { settings: { initialWindowSize: 1500 } } });
      serve(server, async (stream) => {
        stream.respond(OK);
        const reader = stream.readable.getReader();
        const writer = stream.writable.getWriter();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            if (rng.int(4) === 0) await settle(1);
            await writer.write(value);
          }
          await writer.close();
        } catch {
          // The client reset this stream.
        }
      });
      await client.ping();
      const outcomes = await Promise.all(
        Array.from({ length: 30 }, async (_, i) => {
          const size = rng.int(20_000);
          const body = bytesOf(size, seed * 100 + i);
          const doomed = rng.int(8) === 0;
          const stream = await client.request(POST);
          const echoed = readAll(stream.readable);
          const writer = stream.writable.getWriter();
          for (let at = 0; at < size; ) {
            const n = 1 + rng.int(4000);
            await writer.write(body.subarray(at, at + n));
            at += n;
            if (doomed && at > size / 2) {
              stream.reset();
              return (await rejection(echoed)) instanceof H2StreamError;
            }
          }
          await writer.close();
          const got = await echoed;
          return got.byteLength === size && got.every((v, k) => v === body[k]);
        }),
      );
      assert.ok(outcomes.every(Boolean), `seed ${seed}: ${outcomes.map((o) => (o ? '.' : 'x')).join('')}`);
      await client.close();
      await server.closed;
      assert.is(server.connection.openInboundStreams, 0);
    }
  });

  // --- backpressure is flow control ---

  Session('a paused reader holds the peer at exactly the stream window, with no WINDOW_UPDATE until it reads', async () => {
    const { server, wire, peer } = await serverFacingPeer();
    const incoming = server.incoming.getReader();
    const window = 65535;
    await wire.send(peer.headers(1, POST), peer.data(1, bytesOf(16384)), peer.data(1, bytesOf(16384)), peer.data(1, bytesOf(16384)), peer.data(1, bytesOf(window - 3 * 16384)));
    await settle();
    const { value: stream } = await incoming.read();
    assert.ok(stream);
    assert.is(server.connection.remoteFlowControlWindow(1), 0, 'the peer may send nothing more');
    assert.equal(peer.drain().filter((f) => f.typeName === 'WINDOW_UPDATE'), []);
    const reader = stream.readable.getReader();
    let read = 0;
    while (read < window) read += ((await reader.read()).value as Uint8Array).byteLength;
    await settle();
    const updates = peer.drain().filter((f) => f.typeName === 'WINDOW_UPDATE' && f.streamId === 1);
    assert.ok(updates.length > 0, 'reading reopened the window');
    const reopened = updates.reduce((n, f) => n + (f.windowIncrement ?? 0), 0);
    // The core's WindowManager (h2's heuristic) gives the window back in large steps, at least half of it.
    assert.ok(reopened >= window / 2, `reopened ${reopened}`);
    assert.is(server.connection.remoteFlowControlWindow(1), reopened);
  });

  Session('tiny DATA payloads are copied off the read buffer; large ones stay zero-copy views', async () => {
    const { server, wire, peer } = await serverFacingPeer();
    const incoming = server.incoming.getReader();
    await wire.send(peer.headers(1, POST), ...Array.from({ length: 50 }, () => peer.data(1, 'ab')), peer.data(1, '', { endStream: true }));
    await wire.send(peer.headers(3, POST), peer.data(3, bytesOf(16_000), { endStream: true }));
    const chunksOf = async (stream: H2Stream): Promise<Uint8Array[]> => {
      const out: Uint8Array[] = [];
      for await (const chunk of stream.readable as unknown as AsyncIterable<Uint8Array>) out.push(chunk);
      return out;
    };
    const small = await chunksOf((await incoming.read()).value!);
    assert.is(small.length, 50);
    assert.ok(small.every((c) => c.buffer.byteLength <= 16 * c.byteLength), 'no 2-byte chunk pins the whole read');
    const [large] = await chunksOf((await incoming.read()).value!);
    assert.is(large?.byteLength, 16_000);
    assert.ok(large!.buffer.byteLength > large!.byteLength, 'a large payload is a view of the read buffer');
  });

  Session('a client that does not read stops the server at the stream window', async () => {
    const { server, client } = sessions();
    const written: { done: boolean; failed: unknown }[] = [];
    serve(server, (stream) => {
      stream.respond(OK);
      written.push(track(stream.end(bytesOf(300_000))));
    });
    const stream = await client.request(GET, { endStream: true });
    await stream.response;
    await settle(5);
    assert.is(client.connection.remoteFlowControlWindow(stream.id), 0);
    assert.is(written[0]?.done, false, 'the sender waits for the window');
    const body = await readAll(stream.readable);
    assert.is(body.byteLength, 300_000);
    await settle();
    assert.is(written[0]?.done, true);
  });

  Session('write() of 8 bytes on a 4-byte window sends 4, waits for WINDOW_UPDATE, then sends 4 more', async () => {
    const { server, wire, peer } = await serverFacingPeer({ [SettingCodes.INITIAL_WINDOW_SIZE]: 4 });
    const incoming = server.incoming.getReader();
    await wire.send(peer.headers(1, GET, { endStream: true }));
    await settle();
    const { value: stream } = await incoming.read();
    assert.ok(stream);
    stream.respond(OK);
    const writer = stream.writable.getWriter();
    const write = track(writer.write(new TextEncoder().encode('abcdefgh')));
    await settle();
    peer.expectHeaders({ streamId: 1, endStream: false }).expectData(1, 'abcd', { endStream: false }).expectNone();
    assert.is(write.done, false, 'write() waits for the window');
    await wire.send(peer.windowUpdate(1, 4));
    await settle();
    peer.expectData(1, 'efgh', { endStream: false }).expectNone();
    assert.is(write.done, true);
    assert.is(write.failed, undefined);
    const closing = track(writer.close());
    await settle();
    peer.expectData(1, '', { endStream: true }).expectNone();
    assert.is(closing.done, true);
  });

  Session('a whole body given to respond() is sent in window-sized frames as the windows open', async () => {
    const { server, wire, peer } = await serverFacingPeer({ [SettingCodes.INITIAL_WINDOW_SIZE]: 10 });
    const incoming = server.incoming.getReader();
    await wire.send(peer.headers(1, GET, { endStream: true }));
    await settle();
    const { value: stream } = await incoming.read();
    stream?.respond(OK, { body: 'abcdefghijklmnopqrstuvwxyz' });
    await settle();
    peer.expectHeaders({ streamId: 1 }).expectData(1, 'abcdefghij', { endStream: false }).expectNone();
    await wire.send(peer.windowUpdate(1, 10));
    await settle();
    peer.expectData(1, 'klmnopqrst', { endStream: false }).expectNone();
    await wire.send(peer.windowUpdate(1, 100));
    await settle();
    peer.expectData(1, 'uvwxyz', { endStream: true }).expectNone();
  });

  Session('two writers waiting for the window share it fairly, frame by frame', async () => {
    const { server, wire, peer } = await serverFacingPeer({ [SettingCodes.INITIAL_WINDOW_SIZE]: 0 });
    const incoming = server.incoming.getReader();
    await wire.send(peer.headers(1, GET, { endStream: true }), peer.headers(3, GET, { endStream: true }));
    await settle();
    for (let i = 0; i < 2; i++) {
      const { value: stream } = await incoming.read();
      stream?.respond(OK);
      void stream?.writable.getWriter().write(bytesOf(500_000, i)).catch(() => undefined);
    }
    await settle();
    assert.is(dataBytes(peer.drain()), 0, 'both writers wait for a window');
    await wire.send(peer.settings({ [SettingCodes.INITIAL_WINDOW_SIZE]: 1 << 20 }));
    await settle();
    let frames = peer.drain();
    const first = [dataBytes(frames, 1), dataBytes(frames, 3)];
    assert.is(first[0]! + first[1]!, 65535, 'the connection window is used up exactly');
    assert.ok(Math.abs(first[0]! - first[1]!) <= 16384, `shares ${first.join(' / ')}`);
    const order = dataFrames(frames).map((f) => f.streamId);
    assert.equal(order.slice(0, 4), [1, 3, 1, 3], 'frames alternate between the streams');
    await wire.send(peer.windowUpdate(0, 200_000));
    await settle();
    frames = peer.drain();
    const second = [dataBytes(frames, 1), dataBytes(frames, 3)];
    assert.is(second[0]! + second[1]!, 200_000);
    assert.ok(Math.abs(second[0]! - second[1]!) <= 16384, `shares ${second.join(' / ')}`);
  });

  Session('memory stays bounded by the window while 64 MiB pass through a slow reader', async () => {
    const { server, client } = sessions();
    const total = 64 * 1024 * 1024;
    const chunk = bytesOf(64 * 1024);
    let sent = 0;
    let received = 0;
    let maxHeld = 0;
    const done = new Promise<number>((resolve, reject) => {
      serve(server, async (stream) => {
        const reader = stream.readable.getReader();
        let turns = 0;
        for (;;) {
          const { done: end, value } = await reader.read();
          if (end) break;
          received += value.byteLength;
          if (++turns % 16 === 0) await settle(1);
        }
        stream.respond(OK, { endStream: true });
        resolve(received);
      });
      client.closed.catch(reject);
    });
    const stream = await client.request(POST);
    const writer = stream.writable.getWriter();
    while (sent < total) {
      await writer.write(chunk);
      sent += chunk.byteLength;
      maxHeld = Math.max(maxHeld, sent - received);
    }
    await writer.close();
    assert.is(await done, total);
    // write() resolves once bytes fit the window, so what is written and unread never exceeds the
    // stream window (65535) plus the chunk just accepted.
    assert.ok(maxHeld <= 65535 + chunk.byteLength, `held ${maxHeld} bytes`);
  });

  Session('socket backpressure: a transport that stops accepting stops the bodies at the high-water mark', async () => {
    const [a, b] = duplexPair({ streams, capacity: 4096 });
    const server = newSession(a, 'server', { outboundHighWaterMark: 32 * 1024 });
    const wire = new WirePeer(b, 'client');
    const peer = wire.peer;
    await wire.send(peer.greeting({ [SettingCodes.INITIAL_WINDOW_SIZE]: 1 << 24 }), peer.windowUpdate(0, 1 << 24));
    await settle();
    const incoming = server.incoming.getReader();
    await wire.send(peer.headers(1, GET, { endStream: true }));
    await settle();
    const { value: stream } = await incoming.read();
    wire.pause();
    await settle();
    stream?.respond(OK);
    const sending = track(stream!.end(bytesOf(1 << 20)));
    await settle(5);
    assert.is(sending.done, false, 'the body waits for the transport');
    assert.ok(a.buffered <= 32 * 1024 + 4096 + 1024, `${a.buffered} bytes queued in the transport`);
    wire.resume();
    await settle(20);
    for (let i = 0; i < 50 && !sending.done; i++) await settle();
    assert.is(sending.done, true);
    assert.is(dataBytes(peer.drain(), 1), 1 << 20);
  });

  Session('every frame one turn produces goes out in one transport write', async () => {
    const [a, b] = duplexPair({ streams });
    const server = newSession(a, 'server');
    const wire = new WirePeer(b, 'client');
    const peer = wire.peer;
    await wire.send(peer.greeting());
    await settle();
    peer.drain();
    const before = a.writes;
    await wire.send(...Array.from({ length: 10 }, () => peer.ping()), peer.settings({ [SettingCodes.MAX_FRAME_SIZE]: 20000 }));
    await settle();
    assert.is(a.writes - before, 1);
    assert.is(peer.drain().length, 11, '10 PING ACKs and a SETTINGS ACK');
    const incoming = server.incoming.getReader();
    await wire.send(peer.headers(1, GET, { endStream: true }));
    const { value: stream } = await incoming.read();
    const writes = a.writes;
    stream!.respond(OK, { body: bytesOf(30_000), trailers: [['x-done', '1']] });
    await settle();
    assert.is(a.writes - writes, 1, 'headers, DATA and trailers of a synchronous respond() share one write');
    peer.expectHeaders({ streamId: 1 }).expectData(1, bytesOf(20_000)).expectData(1, bytesOf(30_000).subarray(20_000)).expectHeaders({ streamId: 1, endStream: true });
  });

  Session('a peer that floods PINGs and never reads is not read from once the replies back up', async () => {
    const [a, b] = duplexPair({ streams, capacity: 1024 });
    newSession(a, 'server', { config: { outboundBufferSize: 4096 } });
    const wire = new WirePeer(b, 'client');
    const peer = wire.peer;
    await wire.send(peer.greeting());
    await settle();
    wire.pause();
    const pings = 2000;
    const batch = Array.from({ length: 100 }, () => peer.ping());
    const sends = Array.from({ length: pings / 100 }, () => track(wire.send(...batch)));
    await settle(10);
    const replies = 17 * pings;
    assert.ok(a.bytesWritten < 4096 + 1024 + 2 * 17 * 100 + 200, `session wrote ${a.bytesWritten} of ${replies} bytes of replies`);
    assert.ok(sends.some((s) => !s.done), 'the flooder is held back too');
    wire.resume();
    for (let i = 0; i < 100 && wire.received < replies; i++) await settle();
    const acks = peer.drain().filter((f) => f.typeName === 'PING' && f.flags & 1);
    assert.is(acks.length, pings, 'every PING was answered once the peer read again');
  });

  // --- cancellation and resets ---

  Session('cancelling a request body the peer is still sending resets the stream with CANCEL', async () => {
    const { server, wire, peer } = await serverFacingPeer();
    const incoming = server.incoming.getReader();
    await wire.send(peer.headers(1, POST), peer.data(1, 'partial'));
    await settle();
    const { value: stream } = await incoming.read();
    await stream?.readable.cancel('not interested');
    await settle();
    peer.expectRstStream(1, ErrorCodes.CANCEL).expectNone();
    const err = await rejection(stream!.closed);
    assert.instance(err, H2StreamError);
    assert.is((err as H2StreamError).code, ErrorCodes.CANCEL);
    assert.is((err as H2StreamError).remote, false);
  });

  Session('aborting a response writable resets the stream with CANCEL', async () => {
    const { server, wire, peer } = await serverFacingPeer();
    const incoming = server.incoming.getReader();
    await wire.send(peer.headers(1, GET, { endStream: true }));
    await settle();
    const { value: stream } = await incoming.read();
    stream?.respond(OK);
    await stream?.writable.abort(new Error('gave up'));
    await settle();
    peer.expectHeaders({ streamId: 1 }).expectRstStream(1, ErrorCodes.CANCEL).expectNone();
  });

  Session("a peer's RST_STREAM errors both the readable and the writable with its code", async () => {
    const { server, wire, peer } = await serverFacingPeer({ [SettingCodes.INITIAL_WINDOW_SIZE]: 0 });
    const incoming = server.incoming.getReader();
    await wire.send(peer.headers(1, POST));
    await settle();
    const { value: stream } = await incoming.read();
    stream!.respond(OK);
    const failures = [stream!.readable.getReader().read(), stream!.writable.getWriter().write(bytesOf(10)), stream!.closed, stream!.trailers].map(rejection);
    await wire.send(peer.rstStream(1, ErrorCodes.INTERNAL_ERROR));
    for (const failed of failures) {
      const err = await failed;
      assert.instance(err, H2StreamError);
      assert.is((err as H2StreamError).code, ErrorCodes.INTERNAL_ERROR);
      assert.is((err as H2StreamError).remote, true);
      assert.is((err as H2StreamError).streamId, 1);
    }
  });

  Session('answering a stream the peer already reset throws its error and sends nothing', async () => {
    const { server, wire, peer } = await serverFacingPeer();
    const incoming = server.incoming.getReader();
    await wire.send(peer.headers(1, GET, { endStream: true }));
    const { value: stream } = await incoming.read();
    await wire.send(peer.rstStream(1, ErrorCodes.CANCEL));
    await settle();
    assert.throws(() => stream?.respond(OK, { body: 'too late' }), (err: unknown) => err instanceof H2StreamError);
    assert.throws(() => stream?.sendTrailers([['x', 'y']]), (err: unknown) => err instanceof H2StreamError);
    await settle();
    peer.expectNone();
    assert.instance(await rejection(stream!.closed), H2StreamError);
  });

  Session("aborting a request's signal resets it, and the server's side fails with the peer's CANCEL", async () => {
    const { server, client } = sessions();
    const serverSide = new Promise<H2Stream>((resolve) => serve(server, resolve));
    const controller = new AbortController();
    const stream = await client.request(POST, { signal: controller.signal });
    const theirs = await serverSide;
    controller.abort(new Error('user navigated away'));
    const mine = await rejection(stream.closed);
    assert.instance(mine, H2StreamError);
    assert.is((mine as H2StreamError).code, ErrorCodes.CANCEL);
    const err = await rejection(readAll(theirs.readable));
    assert.instance(err, H2StreamError);
    assert.is((err as H2StreamError).code, ErrorCodes.CANCEL);
    assert.is((err as H2StreamError).remote, true);
  });

  Session('breaking out of incoming refuses requests that arrive afterwards', async () => {
    const { server, wire, peer } = await serverFacingPeer();
    await wire.send(peer.headers(1, GET, { endStream: true }));
    for await (const stream of server.incoming) {
      stream.respond(OK, { endStream: true });
      break;
    }
    await wire.send(peer.headers(3, GET, { endStream: true }));
    await settle();
    peer.expectHeaders({ streamId: 1, endStream: true }).expectRstStream(3, ErrorCodes.REFUSED_STREAM).expectNone();
  });

  // --- closing and failures ---

  Session('a graceful close lets streams in flight finish and refuses new ones', async () => {
    const { server, client } = sessions();
    const pending: H2Stream[] = [];
    serve(server, (stream) => {
      pending.push(stream);
    });
    const inFlight = await client.request(GET, { endStream: true });
    await settle();
    assert.is(pending.length, 1);
    const closing = server.close({ graceful: true });
    await settle();
    const refused = await rejection(client.request(GET, { endStream: true }));
    assert.instance(refused, H2SessionError);
    pending[0]!.respond(OK, { body: 'finished' });
    assert.is(text(await readAll(inFlight.readable)), 'finished');
    await closing;
    await server.closed;
    await client.closed;
  });

  Session('a graceful shutdown serves streams opened before the peer saw GOAWAY and refuses later ones', async () => {
    const { server, wire, peer } = await serverFacingPeer();
    const incoming = server.incoming.getReader();
    await wire.send(peer.headers(1, GET, { endStream: true }));
    await settle();
    const closing = track(server.close());
    await settle();
    const frames = peer.drain();
    const goaway = frames.find((f) => f.typeName === 'GOAWAY');
    assert.is(goaway?.lastStreamId, 2 ** 31 - 1, 'the first GOAWAY announces the shutdown');
    // Stream 3 crosses the GOAWAY in flight: it arrives before the PING's ACK, so it is served.
    await wire.send(peer.headers(3, GET, { endStream: true }));
    const pings = frames.filter((f) => f.typeName === 'PING');
    await wire.send(...pings.map((f) => peer.ping(f.opaqueData!, { ack: true })));
    await settle();
    peer.expectGoAway(3, ErrorCodes.NO_ERROR);
    await wire.send(peer.headers(5, GET, { endStream: true }));
    await settle();
    peer.expectRstStream(5, ErrorCodes.REFUSED_STREAM);
    for (const id of [1, 3]) {
      const { value: stream } = await incoming.read();
      assert.is(stream?.id, id);
      assert.is(closing.done, false, `stream ${id} is still in flight`);
      stream?.respond(OK, { endStream: true });
    }
    await settle();
    assert.is(closing.done, true);
    assert.is((await incoming.read()).done, true, 'incoming ends with the session');
    assert.ok(wire.eof, 'the transport was closed');
  });

  Session('a request the peer resets before the server takes it is never delivered', async () => {
    const { server, wire, peer } = await serverFacingPeer();
    await wire.send(peer.headers(1, POST), peer.rstStream(1, ErrorCodes.CANCEL), peer.headers(3, GET, { endStream: true }));
    await settle();
    const { value: stream } = await server.incoming.getReader().read();
    assert.is(stream?.id, 3);
  });

  Session('a protocol error delivers the events decoded before it, then fails streams and closed', async () => {
    const { server, wire, peer } = await serverFacingPeer();
    const events = server.events.getReader();
    await wire.send(peer.headers(1, GET, { endStream: true }), peer.raw(0x0, 0, 0, 'x'));
    await settle();
    const { value: stream } = await server.incoming.getReader().read();
    assert.ok(stream, 'the request that completed first was delivered');
    const err = await rejection(server.closed);
    assert.instance(err, H2SessionError);
    assert.is((err as H2SessionError).code, ErrorCodes.PROTOCOL_ERROR);
    assert.is(await rejection(stream.closed), err);
    peer.expectGoAway(1, ErrorCodes.PROTOCOL_ERROR);
    const seen: string[] = [];
    for (;;) {
      const { done, value } = await events.read();
      if (done) break;
      seen.push(value.type);
    }
    assert.ok(seen.includes('RequestReceived'));
  });

  Session('a GOAWAY with an error code fails every open stream with that code', async () => {
    const { client, wire, peer } = await clientFacingPeer();
    const stream = await client.request(GET, { endStream: true });
    await wire.send(peer.goAway(1, ErrorCodes.ENHANCE_YOUR_CALM));
    const err = await rejection(stream.response);
    assert.instance(err, H2SessionError);
    assert.is((err as H2SessionError).code, ErrorCodes.ENHANCE_YOUR_CALM);
    assert.is((err as H2SessionError).remote, true);
    assert.is(await rejection(client.closed), err);
  });

  Session('a graceful GOAWAY refuses the streams the peer never processed and lets the others finish', async () => {
    const { client, wire, peer } = await clientFacingPeer();
    const first = await client.request(GET, { endStream: true });
    const second = await client.request(GET, { endStream: true });
    await wire.send(peer.goAway(first.id, ErrorCodes.NO_ERROR));
    const err = await rejection(second.response);
    assert.instance(err, H2StreamError);
    assert.is((err as H2StreamError).code, ErrorCodes.REFUSED_STREAM);
    await wire.send(peer.headers(first.id, OK), peer.data(first.id, 'done', { endStream: true }));
    assert.is(text(await readAll(first.readable)), 'done');
    await client.closed;
  });

  Session('a transport failure fails open streams and rejects closed with the cause', async () => {
    const { client, end } = await clientFacingPeer();
    const stream = await client.request(POST);
    const cause = new Error('ECONNRESET');
    end.destroy(cause);
    const err = await rejection(client.closed);
    assert.instance(err, H2SessionError);
    assert.is((err as H2SessionError).cause, cause);
    assert.is(await rejection(stream.closed), err);
    assert.is(await rejection(stream.writable.getWriter().write(bytesOf(1))), err);
  });

  Session('the peer ending the transport with streams open fails them', async () => {
    const { client, wire } = await clientFacingPeer();
    const stream = await client.request(GET, { endStream: true });
    await wire.close();
    const err = await rejection(stream.response);
    assert.instance(err, H2SessionError);
    assert.instance(await rejection(client.closed), H2SessionError);
  });

  Session('a graceful server close resolves, and closed too, when the peer hangs up before acknowledging its PING', async () => {
    const { server, wire, peer } = await serverFacingPeer();
    const closing = track(server.close());
    await settle();
    peer.expectGoAway(2 ** 31 - 1, ErrorCodes.NO_ERROR).expectPing({ ack: false });
    await wire.close();
    await settle();
    assert.is(closing.done, true, 'close() settled');
    assert.is(closing.failed, undefined, 'close() resolves: the connection is closed');
    await server.closed;
  });

  Session('a graceful client close with a stream in flight resolves when the peer hangs up, and closed rejects', async () => {
    const { client, wire } = await clientFacingPeer();
    const stream = await client.request(GET, { endStream: true });
    const closing = track(client.close());
    await settle();
    await wire.close();
    await settle();
    assert.is(closing.done, true, 'close() settled');
    assert.is(closing.failed, undefined);
    const err = await rejection(client.closed);
    assert.instance(err, H2SessionError);
    assert.is(await rejection(stream.response), err);
  });

  Session('a pending ping() and updateSettings() reject with H2SessionError when the transport ends', async () => {
    const { client, wire } = await clientFacingPeer();
    const ping = track(client.ping());
    const settings = track(client.updateSettings({ maxConcurrentStreams: 5 }));
    await settle();
    await wire.close();
    await settle();
    assert.instance(ping.failed, H2SessionError);
    assert.instance(settings.failed, H2SessionError);
    await client.closed;
    assert.instance(await rejection(client.ping()), H2SessionError, 'a later ping() rejects too');
  });

  Session('a body write waiting for the peer\'s window rejects when the transport ends', async () => {
    const { client, wire, peer } = await clientFacingPeer({ [SettingCodes.INITIAL_WINDOW_SIZE]: 4 });
    const stream = await client.request(POST);
    const write = track(stream.writable.getWriter().write(bytesOf(8)));
    await settle();
    peer.expectHeaders({ streamId: stream.id }).expectData(stream.id, bytesOf(4));
    assert.is(write.done, false, 'half the bytes wait for a WINDOW_UPDATE');
    await wire.close();
    await settle();
    assert.instance(write.failed, H2SessionError);
    assert.instance(await rejection(client.closed), H2SessionError);
  });

  Session('a ping() still unanswered when a graceful close completes rejects instead of hanging', async () => {
    const { server, wire, peer } = await serverFacingPeer();
    const closing = server.close();
    await settle();
    const drainPings = peer.drain().filter((f) => f.typeName === 'PING');
    const late = track(server.ping());
    await wire.send(...drainPings.map((f) => peer.ping(f.opaqueData!, { ack: true })));
    await closing;
    await settle();
    assert.instance(late.failed, H2SessionError);
    await server.closed;
  });

  Session('a request waiting for a stream slot rejects when the transport ends, even with no stream open', async () => {
    const { client, wire } = await clientFacingPeer({ [SettingCodes.MAX_CONCURRENT_STREAMS]: 0 });
    const waiting = track(client.request(GET, { endStream: true }));
    await settle();
    assert.is(waiting.done, false, 'no slot: the request waits');
    await wire.close();
    await settle();
    assert.instance(waiting.failed, H2SessionError);
  });

  Session('a request waiting for a stream slot rejects with the failure when the session fails', async () => {
    const { client, end } = await clientFacingPeer({ [SettingCodes.MAX_CONCURRENT_STREAMS]: 1 });
    const first = await client.request(GET, { endStream: true });
    const waiting = track(client.request(GET, { endStream: true }));
    const ping = track(client.ping());
    await settle();
    assert.is(waiting.done, false, 'the only slot is taken: the request waits');
    end.destroy(new Error('ECONNRESET'));
    const err = await rejection(client.closed);
    await settle();
    assert.is(waiting.failed, err);
    assert.is(ping.failed, err);
    assert.is(await rejection(first.response), err);
  });

  Session('an abortive close sends GOAWAY with its code and fails open streams', async () => {
    const { client, wire, peer } = await clientFacingPeer();
    const stream = await client.request(GET, { endStream: true });
    await client.close({ graceful: false, errorCode: ErrorCodes.CANCEL });
    await settle();
    peer.expectHeaders({ streamId: stream.id }).expectGoAway(undefined, ErrorCodes.CANCEL);
    assert.instance(await rejection(stream.response), H2SessionError);
    await client.closed;
    assert.ok(wire.eof);
  });

  // --- ping, settings, events ---

  Session('ping() and updateSettings() resolve when the peer acknowledges them', async () => {
    const { server, client } = sessions();
    await client.ping();
    await server.ping();
    await client.updateSettings({ initialWindowSize: 100_000, maxConcurrentStreams: 7 });
    assert.is(client.connection.localSettings.initialWindowSize, 100_000);
    assert.is(server.connection.remoteSettings.maxConcurrentStreams, 7);
  });

  Session('events carries every core event in order from its first access', async () => {
    const { server, client } = sessions();
    const events = client.events.getReader();
    serve(server, (stream) => stream.respond(OK, { body: 'x' }));
    const stream = await client.request(GET, { endStream: true });
    await readAll(stream.readable);
    await client.close();
    const seen: string[] = [];
    for (;;) {
      const { done, value } = await events.read();
      if (done) break;
      seen.push(value.type);
    }
    const order = ['RemoteSettingsChanged', 'ResponseReceived', 'DataReceived', 'StreamEnded'];
    assert.equal(seen.filter((t) => order.includes(t)), order);
    assert.is(client.droppedEvents, 0);
  });

  Session('events keeps only eventBufferSize unread events, dropping the high-volume ones first and counting drops', async () => {
    const { server, client } = sessions({ client: { eventBufferSize: 4 } });
    const events = client.events;
    serve(server, (stream) => stream.respond(OK, { body: bytesOf(200_000) }));
    const stream = await client.request(GET, { endStream: true });
    assert.is((await readAll(stream.readable)).byteLength, 200_000);
    for (let i = 0; i < 3; i++) await client.ping();
    const reader = events.getReader();
    const kept: string[] = [];
    for (let i = 0; i < 4; i++) kept.push(((await reader.read()).value as H2Event).type);
    assert.ok(client.droppedEvents > 13, `dropped ${client.droppedEvents}`);
    // Every new event gets in; room is made by dropping the oldest high-volume event while there is one.
    assert.equal(kept.slice(0, 3).filter((t) => ['DataReceived', 'WindowUpdated', 'PingReceived', 'PingAckReceived'].includes(t)), []);
    assert.is(kept[3], 'PingAckReceived', 'the newest event is kept');
    assert.equal(kept.filter((t) => t === 'ResponseReceived' || t === 'StreamEnded'), ['ResponseReceived', 'StreamEnded']);
    const later = reader.read();
    await client.ping();
    assert.is(((await later).value as H2Event).type, 'PingAckReceived', 'a waiting reader gets new events at once');
    await server.ping();
  });

  // --- timed policies, on a TestClock ---

  Session('a peer that never acknowledges our SETTINGS gets GOAWAY SETTINGS_TIMEOUT at the deadline', async () => {
    const clock = new TestClock();
    const [a, b] = duplexPair({ streams });
    const server = newSession(a, 'server', { clock, timeouts: { settingsAck: 5000 } });
    const wire = new WirePeer(b, 'client');
    await wire.send(wire.peer.greeting());
    await settle();
    wire.peer.drain();
    const closed = track(server.closed);
    clock.advance(4999);
    await settle();
    assert.is(closed.done, false);
    clock.advance(1);
    await settle();
    wire.peer.expectGoAway(undefined, ErrorCodes.SETTINGS_TIMEOUT);
    assert.instance(closed.failed, H2SessionError);
    assert.is((closed.failed as H2SessionError).code, ErrorCodes.SETTINGS_TIMEOUT);
    assert.is(clock.pending, 0, 'no timer outlives the session');
  });

  Session('an idle server connection closes gracefully after the idle timeout, later than any stream', async () => {
    const clock = new TestClock();
    const { server, wire, peer } = await serverFacingPeer({}, { clock, timeouts: { idle: 1000 } });
    serve(server, (stream) => stream.respond(OK, { endStream: true }));
    clock.advance(600);
    await wire.send(peer.headers(1, GET, { endStream: true }));
    await settle();
    peer.expectHeaders({ streamId: 1, endStream: true });
    clock.advance(400);
    await settle();
    assert.equal(peer.drain().filter((f) => f.typeName === 'GOAWAY'), [], 'a stream ran during the period');
    clock.advance(1000);
    await settle();
    const frames = peer.drain();
    assert.is(frames.find((f) => f.typeName === 'GOAWAY')?.errorCode, ErrorCodes.NO_ERROR);
    await wire.send(...frames.filter((f) => f.typeName === 'PING').map((f) => peer.ping(f.opaqueData!, { ack: true })));
    await server.closed;
  });

  /** A server sending a large response to a peer that stopped reading, with a 3 s write timeout. */
  async function responseToDeafPeer() {
    const clock = new TestClock();
    const [a, b] = duplexPair({ streams, capacity: 1024 });
    const server = newSession(a, 'server', { clock, timeouts: { write: 3000 } });
    const wire = new WirePeer(b, 'client');
    const peer = wire.peer;
    await wire.send(peer.greeting({ [SettingCodes.INITIAL_WINDOW_SIZE]: 1 << 20 }), peer.windowUpdate(0, 1 << 20), peer.settingsAck());
    await wire.send(peer.headers(1, GET, { endStream: true }));
    const { value: stream } = await server.incoming.getReader().read();
    wire.pause();
    // More than the 1 MiB stream window: part of the body is still queued when the session gives up.
    stream!.respond(OK, { body: bytesOf(1_500_000) });
    await settle();
    return { clock, server, stream: stream! };
  }

  Session('a peer that stops reading fails the session after the write timeout instead of holding it forever', async () => {
    const { clock, server, stream } = await responseToDeafPeer();
    const closed = track(server.closed);
    clock.advance(2999);
    await settle();
    assert.is(closed.done, false, 'bytes were moving until the peer stopped reading');
    // Checked every half period: the stall is caught within 1.5× the timeout, not up to 2×.
    clock.advance(1501);
    await settle();
    assert.instance(closed.failed, H2SessionError);
    assert.instance(await rejection(stream.closed), H2SessionError);
  });

  Session('a peer that does not read cannot hold an abortive close forever: the write timeout ends it', async () => {
    const { clock, server } = await responseToDeafPeer();
    const closing = track(server.close({ graceful: false }));
    await settle();
    assert.is(closing.done, false, 'the final flush waits for the peer');
    clock.advance(6000);
    await settle();
    assert.is(closing.done, true);
    assert.is(clock.pending, 0);
  });

  Session('keepalive PINGs a silent peer and fails the session if the ACK does not come back in time', async () => {
    const clock = new TestClock();
    const { client, wire, peer } = await clientFacingPeer({}, { clock, timeouts: { keepAlive: 1000, pingTimeout: 500 } });
    clock.advance(1000);
    await settle();
    assert.equal(peer.drain().filter((f) => f.typeName === 'PING').length, 0, 'the peer spoke during the first period');
    clock.advance(1000);
    await settle();
    const ping = peer.expectFrame('PING');
    await wire.send(peer.ping(ping.opaqueData!, { ack: true }));
    await settle();
    clock.advance(1000);
    clock.advance(1000);
    await settle();
    peer.expectFrame('PING');
    const closed = track(client.closed);
    clock.advance(499);
    await settle();
    assert.is(closed.done, false);
    clock.advance(1);
    await settle();
    assert.instance(closed.failed, H2SessionError);
  });

  // --- interop with the runtime ---

  Session('bodies work with new Response(), for await, and the runtime pipeTo/pipeThrough via toNative/fromNative', async () => {
    const { server, client } = sessions();
    serve(server, async (stream) => {
      if (stream.headers.some(([n, v]) => n === ':method' && v === 'POST')) {
        assert.is(text(await readAll(stream.readable)), 'from a native stream');
        stream.respond(OK, { endStream: true });
        return;
      }
      stream.respond(OK);
      const source = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new TextEncoder().encode('native '));
          c.enqueue(new TextEncoder().encode('source'));
          c.close();
        },
      });
      await source.pipeTo(toNative(stream.writable));
    });
    const a = await client.request(GET, { endStream: true });
    assert.is(await new Response(a.readable).text(), 'native source');
    const b = await client.request(GET, { endStream: true });
    const parts: string[] = [];
    for await (const chunk of toNative(b.readable).pipeThrough(new TextDecoderStream())) parts.push(chunk);
    assert.is(parts.join(''), 'native source');
    const c = await client.request(GET, { endStream: true });
    let collected = '';
    await toNative(c.readable).pipeTo(new WritableStream({ write: (chunk) => void (collected += text(chunk)) }));
    assert.is(collected, 'native source');
    const e = await client.request(POST);
    const native = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('from a native stream'));
        controller.close();
      },
    });
    await fromNative(native, streams).pipeTo(e.writable);
    await e.closed;
    const d = await client.request(GET, { endStream: true });
    let iterated = 0;
    for await (const chunk of d.readable as unknown as AsyncIterable<Uint8Array>) iterated += chunk.byteLength;
    assert.is(iterated, 'native source'.length);
    const f = await client.request(GET, { endStream: true });
    let helped = '';
    for await (const chunk of iterate(f.readable)) helped += text(chunk);
    assert.is(helped, 'native source');
  });

  return Session;
}
