/**
 * A transport write that fails settles everything, at once: a sweep over the points of a session's life
 * (the preface and SETTINGS, a response or request body mid-transfer, several bodies mid-transfer, a
 * write waiting for room under the outbound high-water mark, a graceful close under way, the peer's
 * GOAWAY received, an abortive close, the last flush of a graceful close) × the ways a write fails (the
 * write in flight rejects; the oldest write in flight rejects and the later ones never settle; the next
 * write rejects; the next write throws) × the transports (direct or Web Streams, vectored or not). In
 * every case every promise the API returned settles without any timer firing (the TestClock never
 * advances), a rejection is a typed H2SessionError/H2StreamError, `closed` reports the transport
 * failure once (INTERNAL_ERROR, the transport's error as its cause, the same error the streams carry),
 * nothing is thrown back into the transport or left uncaught, no timer is left, and the writer's
 * in-flight count is given back. The Node socket's own failures (the peer resetting the connection) are
 * swept in test/transport/socket-write-failure.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes, SettingCodes } from '../../src/core';
import { globalStreams, H2SessionError, H2StreamError, type H2Stream } from '../../src/streams';
import { SessionPump } from '../../src/streams/session-pump';
import { settle } from '../support/duplex-pair';
import { ScriptedWire, type WireFlavor } from '../support/scripted-wire';
import { GET, OK, assertTransportFailure, pendingNames, POST, track, untyped, type Tracked } from '../support/session-fixtures';
import { TestClock } from '../support/test-clock';

type Promises = Record<string, Promise<unknown>>;

interface Fixture {
  readonly pump: SessionPump;
  readonly wire: ScriptedWire;
  readonly clock: TestClock;
  /** Watches `promises` from now on (a rejection is never left unhandled, and must settle by the end). */
  keep(promises: Promises): void;
}

interface Point {
  readonly name: string;
  /** The session's role (default: server, answering the peer's requests). */
  readonly role?: 'client';
  /** The session ends with an error of its own first (an abortive close's): its streams carry that one. */
  readonly ownError?: boolean;
  /** The failure of the next write is armed before the session starts (its first write is the one). */
  readonly atStart?: boolean;
  /** Brings the session to the point, keeping the promises the API hands out on the way. */
  setup(f: Fixture): Promise<void>;
  /**
   * The call that makes the session write at this point: before a failure of the write in flight, after
   * arming a failure of the next write. Without it the peer sends a PING (its ACK is the next write).
   */
  act?(f: Fixture): void;
}

interface Failure {
  readonly name: string;
  /** Arms the failure before the session starts (points `atStart`), if it can be. */
  early?(wire: ScriptedWire, error: Error): void;
  /** Makes a write fail with `error`, given the point's own `act`. */
  run(f: Fixture, point: Point, error: Error): Promise<void>;
}

interface Transport {
  readonly name: string;
  readonly flavor: WireFlavor;
  readonly vectored: boolean;
}

/** The outbound high-water mark of every session here: a 200 KiB body cannot be in flight at once. */
const HIGH_WATER_MARK = 64 * 1024;
const MAX_WINDOW = 2 ** 31 - 1;

function pattern(n: number, seed = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed) & 0xff;
  return b;
}

/** The SETTINGS exchange, every window opened wide. */
async function greet(f: Fixture): Promise<void> {
  const { wire } = f;
  wire.send(wire.peer.greeting({ [SettingCodes.INITIAL_WINDOW_SIZE]: MAX_WINDOW }), wire.peer.windowUpdate(0, MAX_WINDOW - 65535));
  await settle();
  wire.send(wire.peer.settingsAck());
  await settle();
}

/** Request `id` (a POST with its body open, or a GET) taken from `incoming` and answered with headers. */
async function open(f: Fixture, id: number, method = POST): Promise<H2Stream> {
  f.wire.send(f.wire.peer.headers(id, method, { endStream: method === GET }));
  const reader = f.pump.incoming.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  const stream = value as H2Stream;
  stream.respond(OK);
  return stream;
}

/** A body of `n` bytes written and closed through the stream's writable: its promises. */
function writeBody(stream: H2Stream, n: number, name = `stream ${stream.id}`): Promises {
  const writer = stream.writable.getWriter();
  return {
    [`${name} writer.write`]: writer.write(pattern(n, stream.id)),
    [`${name} writer.close`]: writer.close(),
    [`${name} writer.closed`]: writer.closed,
    [`${name} closed`]: stream.closed,
    [`${name} readable read`]: stream.readable.getReader().read(),
  };
}

/** A stream mid-body: 200 KiB written, the high-water mark's worth in flight, the rest waiting. */
async function midBody(f: Fixture): Promise<void> {
  await greet(f);
  const stream = await open(f, 1);
  f.keep(writeBody(stream, 200 * 1024));
  await settle();
  assert.ok(f.wire.pendingWrites > 0, 'a write is in flight');
}


const POINTS: Point[] = [
  {
    name: 'the preface and SETTINGS are being written (a ping() and an updateSettings() with them)',
    atStart: true,
    async setup(f) {
      f.keep({ 'ping()': f.pump.ping(), 'updateSettings()': f.pump.updateSettings({ maxConcurrentStreams: 10 }) });
    },
    // The first flush is the preface's own write: nothing more to provoke (the peer has not spoken yet).
    act: () => undefined,
  },
  {
    name: 'a body is mid-transfer',
    setup: midBody,
  },
  {
    name: 'a request body is mid-transfer (client)',
    role: 'client',
    async setup(f) {
      await greet(f);
      const stream = await f.pump.request(POST);
      f.keep({ 'stream 1 response': stream.response, ...writeBody(stream, 200 * 1024) });
      await settle();
      assert.ok(f.wire.pendingWrites > 0, 'a write is in flight');
    },
  },
  {
    name: 'several bodies are mid-transfer',
    async setup(f) {
      await greet(f);
      const streams = [await open(f, 1), await open(f, 3), await open(f, 5)];
      for (const stream of streams) f.keep(writeBody(stream, 100 * 1024));
      await settle();
    },
  },
  {
    name: 'a body write waits for room under the outbound high-water mark',
    async setup(f) {
      await midBody(f);
      const waiting = await open(f, 3);
      const writer = waiting.writable.getWriter();
      f.keep({ 'waiting writer.write': writer.write(pattern(1000)), 'waiting writer.closed': writer.closed, 'waiting closed': waiting.closed });
      await settle();
      assert.not.ok(f.pump.output.hasRoom, 'the output is at its high-water mark');
    },
  },
  {
    name: 'a graceful close waits for a body to finish',
    setup: midBody,
    act: (f) => f.keep({ 'close()': f.pump.close() }),
  },
  {
    name: "the peer's GOAWAY arrived while a body is mid-transfer",
    async setup(f) {
      await midBody(f);
      f.wire.send(f.wire.peer.goAway(1, ErrorCodes.NO_ERROR));
      await settle();
    },
  },
  {
    name: 'an abortive close writes its GOAWAY while a body is mid-transfer',
    ownError: true,
    setup: midBody,
    act: (f) => f.keep({ 'close({ graceful: false })': f.pump.close({ graceful: false, errorCode: ErrorCodes.CANCEL }) }),
  },
  {
    name: "a graceful close's last flush (the streams are done, a body's last bytes still held)",
    // A client's graceful close writes its GOAWAY in the last flush itself (a server's ends with a PING round trip).
    role: 'client',
    async setup(f) {
      await greet(f);
      const stream = await f.pump.request(POST);
      f.keep({ 'end()': stream.end(pattern(10 * 1024)), 'stream 1 response': stream.response, 'stream 1 closed': stream.closed });
      f.wire.send(f.wire.peer.headers(1, OK, { endStream: true }));
      await settle();
      assert.is(f.pump.records.size, 0, 'the stream is done');
    },
    act: (f) => f.keep({ 'close()': f.pump.close() }),
  },
];

const FAILURES: Failure[] = [
  {
    name: 'the write in flight rejects',
    async run(f, point, error) {
      point.act?.(f);
      await settle();
      f.wire.failPending(error);
    },
  },
  {
    name: 'the oldest write in flight rejects and the later ones never settle',
    async run(f, point, error) {
      point.act?.(f);
      await settle();
      f.wire.failOldest(error);
    },
  },
  ...(['reject', 'throw'] as const).map(
    (how): Failure => ({
      name: how === 'reject' ? 'the next write rejects' : 'the next write throws',
      early: (wire, error) => wire.failNext(error, how),
      async run(f, point, error) {
        if (point.atStart !== true) f.wire.failNext(error, how);
        f.wire.hold = false;
        f.wire.complete();
        if (point.act !== undefined) point.act(f);
        else f.wire.send(f.wire.peer.ping());
      },
    }),
  ),
];

const TRANSPORTS: Transport[] = [
  { name: 'a vectored direct transport', flavor: 'direct', vectored: true },
  { name: 'a direct transport', flavor: 'direct', vectored: false },
  { name: 'a Web Streams transport', flavor: 'streams', vectored: false },
  { name: 'a vectored Web Streams transport', flavor: 'streams', vectored: true },
];

/** Exceptions nobody caught while `run` ran (a microtask or callback throwing), and rejections nobody handled. */
async function uncaught(run: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const onError = (err: unknown): void => void seen.push(err);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  try {
    await run();
    await settle();
  } finally {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  }
  return seen;
}

for (const transport of TRANSPORTS) {
  for (const point of POINTS) {
    for (const failure of FAILURES) {
      test(`over ${transport.name}, when ${point.name} and ${failure.name}: every promise settles at once, typed, and the session fails once`, async () => {
        const role = point.role ?? 'server';
        const wire = new ScriptedWire(role === 'server' ? 'client' : 'server');
        // Writes stay pending until the failure (or, for a failure of the next write, until it is armed).
        wire.hold = true;
        const clock = new TestClock();
        const error = new Error('EPIPE: the transport broke');
        const tracked: Record<string, Tracked> = {};
        const keep = (promises: Promises): void => {
          for (const [name, p] of Object.entries(promises)) tracked[name] = track(p);
        };
        let f!: Fixture;
        const thrown = await uncaught(async () => {
          if (point.atStart === true) failure.early?.(wire, error);
          const pump = new SessionPump(wire.transport(transport.flavor, transport.vectored), {
            role,
            streams: globalStreams(),
            clock,
            outboundHighWaterMark: HIGH_WATER_MARK,
          });
          f = { pump, wire, clock, keep };
          keep({ 'session.closed': pump.closed });
          await point.setup(f);
          keep({ 'incoming read': pump.incoming.getReader().read(), 'events read': pump.events.getReader().read() });
          await failure.run(f, point, error);
          await settle();
        });
        assert.equal(thrown, [], 'nothing thrown uncaught or rejected unhandled');
        assert.equal(wire.sinkThrew, [], "nothing thrown back into the transport's data callback");
        const failed = assertTransportFailure(tracked);
        assert.ok(failed.remote, 'a transport failure counts as remote');
        assert.is(failed.cause, error, "the failure's cause is the transport's error");
        if (point.ownError !== true) {
          const others = Object.entries(tracked).filter(([, t]) => t.failed instanceof H2SessionError && t.failed !== failed);
          assert.equal(others.map(([name]) => name), [], 'promises rejected with another session error than `closed`');
        }
        assert.is(clock.pending, 0, 'no timer outlives the session');
        assert.is(f.pump.output.inFlight, 0, 'the bytes in flight are given back');
      });
    }
  }
}

/**
 * The case a previous review suspected: over a vectored transport, during a graceful close, a write fails
 * while later writes are in flight holding bodies' bytes; bodies held by an EMPTY flush (attached to the
 * last write in flight) were thought to wait for the drain deadline. They cannot: a body is held only
 * after its DATA went to the core, and the flush that takes those bytes takes the hold with them, so an
 * empty flush never holds a body; and the failure fails every write's bodies and stops the writer. Every
 * promise settles with the clock never advanced.
 */
test('over a vectored transport, a write failing during a graceful close fails the bodies held by every write in flight at once (no drain deadline)', async () => {
  const wire = new ScriptedWire('client');
  wire.hold = true;
  const clock = new TestClock();
  const pump = new SessionPump(wire.transport('direct', true), { role: 'server', streams: globalStreams(), clock, outboundHighWaterMark: HIGH_WATER_MARK });
  const tracked: Record<string, Tracked> = {};
  const keep = (promises: Promises): void => {
    for (const [name, p] of Object.entries(promises)) tracked[name] = track(p);
  };
  const f: Fixture = { pump, wire, clock, keep };
  keep({ 'session.closed': pump.closed });
  await greet(f);
  keep(writeBody(await open(f, 1), 200 * 1024));
  await settle();
  const ending = await open(f, 3, GET);
  keep({ 'stream 3 end()': ending.end(pattern(10 * 1024)), 'stream 3 closed': ending.closed });
  await settle();
  keep({ 'close()': pump.close() });
  await settle();
  assert.ok(wire.pendingWrites >= 3, 'several writes in flight, holding both bodies');
  wire.failOldest(new Error('ECONNRESET'));
  await settle();
  assert.equal(pendingNames(tracked), [], 'promises still pending');
  assert.equal(untyped(tracked), [], 'rejections that are not typed H2 errors');
  assert.is(clock.pending, 0, 'no timer left, none fired');
  assert.is(pump.output.inFlight, 0, 'the bytes in flight are given back');
});

/**
 * A peer that hangs up with no stream open is a clean end (`closed` documents it), also when its reset
 * races the session's last frames (its GOAWAY, a SETTINGS ACK): the write that fails lost nothing the
 * peer waited for, so `closed` fulfils. Over real sockets: curl closing after its last response.
 */
for (const transport of TRANSPORTS) {
  for (const when of ['before', 'after'] as const) {
    test(`over ${transport.name}, a peer that hangs up with no stream open ${when} the session's last write fails leaves closed fulfilled`, async () => {
      const wire = new ScriptedWire('client');
      const clock = new TestClock();
      const pump = new SessionPump(wire.transport(transport.flavor, transport.vectored), { role: 'server', streams: globalStreams(), clock });
      const closed = track(pump.closed);
      const f: Fixture = { pump, wire, clock, keep: () => undefined };
      await greet(f);
      const stream = await open(f, 1, GET);
      await stream.end(pattern(100));
      await settle();
      assert.is(pump.records.size, 0, 'the stream is done');
      if (when === 'before') {
        // Its PING's ACK is the session's last write, made as the session finishes on the hang-up.
        wire.failNext(new Error('EPIPE'), 'reject');
        const writes = wire.writes;
        wire.send(wire.peer.ping());
        wire.endInput();
        await settle();
        assert.is(wire.writes, writes + 1, 'the last write was made (and failed)');
      } else {
        // The session finished first (its graceful close), then the peer's end and the reset arrive.
        wire.hold = true;
        const closing = pump.close();
        // The peer's own GOAWAY ends the close's round trip: the session finishes, its last writes pending.
        wire.send(wire.peer.goAway(1, ErrorCodes.NO_ERROR));
        await settle();
        wire.endInput();
        wire.failPending(new Error('ECONNRESET'));
        await closing;
      }
      await settle();
      assert.ok(closed.settled, '`closed` settled');
      assert.is(closed.failed, undefined, '`closed` fulfils');
      assert.is(clock.pending, 0, 'no timer left, none fired');
      assert.is(pump.output.inFlight, 0, 'the bytes in flight are given back');
    });
  }
}

/**
 * The forgiveness above is for a hang-up with no stream open only: a write that fails with a stream open
 * cut that stream short, and the peer's end of its side arriving afterwards (read while the session was
 * already closing) does not make that a clean end.
 */
for (const transport of TRANSPORTS) {
  test(`over ${transport.name}, a write failing with a stream open rejects closed even when the peer's end arrives after it`, async () => {
    const wire = new ScriptedWire('client');
    wire.hold = true;
    const clock = new TestClock();
    const pump = new SessionPump(wire.transport(transport.flavor, transport.vectored), { role: 'server', streams: globalStreams(), clock, outboundHighWaterMark: HIGH_WATER_MARK });
    const closed = track(pump.closed);
    const f: Fixture = { pump, wire, clock, keep: (promises) => Object.values(promises).forEach((p) => void p.catch(() => undefined)) };
    await midBody(f);
    const streamClosed = track([...pump.records.values()][0]!.facade.closed);
    wire.failPending(new Error('EPIPE'));
    // The failure is handled a microtask later; the peer's end is read just after that, as the session closes.
    await Promise.resolve();
    await Promise.resolve();
    wire.endInput();
    await settle();
    assert.instance(streamClosed.failed, H2SessionError, 'the stream was cut short');
    assert.ok(closed.settled, '`closed` settled');
    assert.instance(closed.failed, H2SessionError, '`closed` reports the failure that cut the stream');
    assert.is((closed.failed as H2SessionError).code, ErrorCodes.INTERNAL_ERROR);
  });
}

/** The same failure with the peer still there (it did not end its side) is the transport failing. */
test("a session's last write failing while the peer has not hung up rejects closed with the transport failure", async () => {
  const wire = new ScriptedWire('client');
  const clock = new TestClock();
  const pump = new SessionPump(wire.transport('direct', true), { role: 'server', streams: globalStreams(), clock });
  const closed = track(pump.closed);
  await greet({ pump, wire, clock, keep: () => undefined });
  wire.failNext(new Error('EPIPE'), 'reject');
  void pump.close({ graceful: false }).catch(() => undefined);
  await settle();
  assert.instance(closed.failed, H2SessionError);
  assert.is((closed.failed as H2SessionError).code, ErrorCodes.INTERNAL_ERROR);
});

test.run();
