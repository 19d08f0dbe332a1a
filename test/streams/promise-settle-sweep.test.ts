/**
 * Every promise the streams API returns settles when its stream or session ends, whatever the order of
 * events: a sweep over the points of a request's life (waiting for a slot, HEADERS sent, response
 * received, mid-body, writes waiting on the window, a PING or SETTINGS in flight, a graceful close
 * under way) × the ways it can end (local reset or abort, peer RST_STREAM, local graceful or abortive
 * close, peer GOAWAY, transport error, transport EOF), on both sides. Stream-level endings must settle
 * the stream's promises; session-level ones every promise, `closed` included, with no timer left.
 * The TestClock drives the graceful close's deadlines; no test sleeps.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes, SettingCodes } from '../../src/core';
import type { H2Session, H2Stream } from '../../src/streams';
import { settle, type DuplexEnd } from '../support/duplex-pair';
import type { TestPeer } from '../support/peer';
import { facingPeer, GET, OK, POST, track, type Tracked } from '../support/session-fixtures';
import { TestClock } from '../support/test-clock';
import type { WirePeer } from '../support/wire-peer';

type Role = 'client' | 'server';
type Promises = Record<string, Promise<unknown>>;

interface Fixture {
  readonly session: H2Session;
  readonly wire: WirePeer;
  readonly peer: TestPeer;
  readonly end: DuplexEnd;
  readonly clock: TestClock;
  /** The signal client requests are made with. */
  readonly controller: AbortController;
}

interface Point {
  readonly stream: H2Stream;
  /** Promises that must settle when the stream ends. */
  readonly ofStream: Promises;
  /** Promises that must settle when the session ends (the stream's too). */
  readonly ofSession: Promises;
}

interface Phase {
  readonly name: string;
  readonly role: Role;
  readonly peerSettings?: Record<number, number>;
  setup(f: Fixture): Promise<Point>;
}

interface Means {
  readonly name: string;
  readonly scope: 'stream' | 'session';
  readonly roles: readonly Role[];
  /** Ends the stream or session; returns the promises that call itself made (e.g. `close()`), never awaited. */
  run(f: Fixture, stream: H2Stream): Promise<Promises>;
}

const bytes = (n: number): Uint8Array => new Uint8Array(n).fill(0x62);

/** A client request with an open body, its response body being read. */
async function openRequest(f: Fixture): Promise<{ stream: H2Stream; ofStream: Promises }> {
  const stream = await f.session.request(POST, { signal: f.controller.signal });
  const read = stream.readable.getReader().read();
  return { stream, ofStream: { response: stream.response, trailers: stream.trailers, closed: stream.closed, 'readable read': read } };
}

/** The next request from `incoming` (its lock released: the sweep reads `incoming` again). */
async function takeRequest(f: Fixture): Promise<H2Stream> {
  const reader = f.session.incoming.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  return value as H2Stream;
}

/** A server stream for a request whose body is still open, that body being read. */
async function openServerStream(f: Fixture): Promise<{ stream: H2Stream; ofStream: Promises }> {
  await f.wire.send(f.peer.headers(1, POST));
  const stream = await takeRequest(f);
  const read = stream.readable.getReader().read();
  return { stream, ofStream: { trailers: stream.trailers, closed: stream.closed, 'readable read': read } };
}

const PHASES: Phase[] = [
  {
    name: 'a request waits for a stream slot (before its HEADERS)',
    role: 'client',
    peerSettings: { [SettingCodes.MAX_CONCURRENT_STREAMS]: 1 },
    async setup(f) {
      const first = await f.session.request(GET, { endStream: true, signal: f.controller.signal });
      const waiting = f.session.request(GET, { endStream: true, signal: f.controller.signal });
      return { stream: first, ofStream: { response: first.response, closed: first.closed, 'request() waiting for a slot': waiting }, ofSession: {} };
    },
  },
  {
    name: 'HEADERS sent, no response yet',
    role: 'client',
    async setup(f) {
      return { ...(await openRequest(f)), ofSession: {} };
    },
  },
  {
    name: 'response headers received',
    role: 'client',
    async setup(f) {
      const open = await openRequest(f);
      await f.wire.send(f.peer.headers(open.stream.id, OK));
      await settle();
      return { ...open, ofSession: {} };
    },
  },
  {
    name: 'mid-body in both directions',
    role: 'client',
    async setup(f) {
      const stream = await f.session.request(POST, { signal: f.controller.signal });
      const writer = stream.writable.getWriter();
      await writer.write(bytes(10));
      await f.wire.send(f.peer.headers(stream.id, OK), f.peer.data(stream.id, 'abc'));
      const reader = stream.readable.getReader();
      await reader.read();
      return { stream, ofStream: { trailers: stream.trailers, closed: stream.closed, 'readable read': reader.read(), 'writer.closed': writer.closed }, ofSession: {} };
    },
  },
  {
    name: 'request body writes wait on the window',
    role: 'client',
    peerSettings: { [SettingCodes.INITIAL_WINDOW_SIZE]: 4 },
    async setup(f) {
      const stream = await f.session.request(POST, { signal: f.controller.signal });
      const writer = stream.writable.getWriter();
      const write = writer.write(bytes(8));
      await settle();
      return { stream, ofStream: { response: stream.response, closed: stream.closed, 'writer.write': write, 'writer.ready': writer.ready }, ofSession: {} };
    },
  },
  {
    name: 'a ping() is in flight',
    role: 'client',
    async setup(f) {
      return { ...(await openRequest(f)), ofSession: { 'ping()': f.session.ping() } };
    },
  },
  {
    name: 'an updateSettings() waits for its ACK',
    role: 'client',
    async setup(f) {
      return { ...(await openRequest(f)), ofSession: { 'updateSettings()': f.session.updateSettings({ maxConcurrentStreams: 5 }) } };
    },
  },
  {
    name: 'a graceful close is under way',
    role: 'client',
    async setup(f) {
      const open = await openRequest(f);
      const closing = f.session.close();
      await settle();
      return { ...open, ofSession: { 'close()': closing } };
    },
  },
  {
    name: 'request received, no response yet',
    role: 'server',
    async setup(f) {
      return { ...(await openServerStream(f)), ofSession: {} };
    },
  },
  {
    name: 'response headers sent',
    role: 'server',
    async setup(f) {
      const open = await openServerStream(f);
      open.stream.respond(OK);
      return { ...open, ofStream: { ...open.ofStream, 'writer.closed': open.stream.writable.getWriter().closed }, ofSession: {} };
    },
  },
  {
    name: 'mid-body in both directions (server)',
    role: 'server',
    async setup(f) {
      await f.wire.send(f.peer.headers(1, POST), f.peer.data(1, 'abc'));
      const stream = await takeRequest(f);
      stream.respond(OK);
      const writer = stream.writable.getWriter();
      await writer.write(bytes(10));
      const reader = stream.readable.getReader();
      await reader.read();
      return { stream, ofStream: { trailers: stream.trailers, closed: stream.closed, 'readable read': reader.read(), 'writer.closed': writer.closed }, ofSession: {} };
    },
  },
  {
    name: 'response body writes wait on the window',
    role: 'server',
    peerSettings: { [SettingCodes.INITIAL_WINDOW_SIZE]: 4 },
    async setup(f) {
      const open = await openServerStream(f);
      open.stream.respond(OK);
      const writer = open.stream.writable.getWriter();
      const write = writer.write(bytes(8));
      await settle();
      return { ...open, ofStream: { ...open.ofStream, 'writer.write': write, 'writer.ready': writer.ready }, ofSession: {} };
    },
  },
  {
    name: 'end() waits on the window',
    role: 'server',
    peerSettings: { [SettingCodes.INITIAL_WINDOW_SIZE]: 4 },
    async setup(f) {
      const open = await openServerStream(f);
      open.stream.respond(OK);
      return { ...open, ofStream: { ...open.ofStream, 'end()': open.stream.end(bytes(8)) }, ofSession: {} };
    },
  },
  {
    name: 'a ping() is in flight (server)',
    role: 'server',
    async setup(f) {
      return { ...(await openServerStream(f)), ofSession: { 'ping()': f.session.ping() } };
    },
  },
  {
    name: 'an updateSettings() waits for its ACK (server)',
    role: 'server',
    async setup(f) {
      return { ...(await openServerStream(f)), ofSession: { 'updateSettings()': f.session.updateSettings({ initialWindowSize: 1000 }) } };
    },
  },
  {
    name: 'a graceful close is under way (server)',
    role: 'server',
    async setup(f) {
      const open = await openServerStream(f);
      const closing = f.session.close();
      await settle();
      return { ...open, ofSession: { 'close()': closing } };
    },
  },
];

const NONE: Promises = {};

const MEANS: Means[] = [
  {
    name: 'a local reset',
    scope: 'stream',
    roles: ['client', 'server'],
    run: async (_f, stream) => {
      stream.reset();
      return NONE;
    },
  },
  {
    name: "the request's signal aborted",
    scope: 'stream',
    roles: ['client'],
    run: async (f) => {
      f.controller.abort(new Error('gave up'));
      return NONE;
    },
  },
  {
    name: 'the peer resetting the stream',
    scope: 'stream',
    roles: ['client', 'server'],
    run: async (f, stream) => {
      await f.wire.send(f.peer.rstStream(stream.id, ErrorCodes.CANCEL));
      return NONE;
    },
  },
  {
    name: 'a local graceful close that runs into its deadlines',
    scope: 'session',
    roles: ['client', 'server'],
    async run(f) {
      const closing = f.session.close();
      for (let i = 0; i < 10; i++) {
        await settle();
        f.clock.advance(10_000);
      }
      return { 'close()': closing };
    },
  },
  {
    name: 'a local abortive close',
    scope: 'session',
    roles: ['client', 'server'],
    run: async (f) => ({ 'close({ graceful: false })': f.session.close({ graceful: false, errorCode: ErrorCodes.CANCEL }) }),
  },
  {
    name: 'the peer GOAWAY refusing the stream',
    scope: 'session',
    roles: ['client'],
    run: async (f) => {
      await f.wire.send(f.peer.goAway(0, ErrorCodes.NO_ERROR));
      return NONE;
    },
  },
  {
    name: 'the peer GOAWAY with an error',
    scope: 'session',
    roles: ['client', 'server'],
    run: async (f) => {
      await f.wire.send(f.peer.goAway(1, ErrorCodes.PROTOCOL_ERROR));
      return NONE;
    },
  },
  {
    name: 'a transport error',
    scope: 'session',
    roles: ['client', 'server'],
    run: async (f) => {
      f.end.destroy(new Error('ECONNRESET'));
      return NONE;
    },
  },
  {
    name: 'the transport EOF',
    scope: 'session',
    roles: ['client', 'server'],
    run: async (f) => {
      await f.wire.close();
      return NONE;
    },
  },
];

function pendingNames(tracked: Record<string, Tracked>): string[] {
  return Object.entries(tracked)
    .filter(([, t]) => !t.settled)
    .map(([name]) => name);
}

function trackAll(promises: Promises): Record<string, Tracked> {
  return Object.fromEntries(Object.entries(promises).map(([name, p]) => [name, track(p)]));
}

for (const phase of PHASES) {
  for (const means of MEANS) {
    if (!means.roles.includes(phase.role)) continue;
    test(`${phase.role}: when ${phase.name}, ${means.name} settles every ${means.scope} promise`, async () => {
      const clock = new TestClock();
      const controller = new AbortController();
      const fixture = await facingPeer(phase.role, { clock }, phase.peerSettings ?? {});
      const f: Fixture = { ...fixture, clock, controller };
      const point = await phase.setup(f);
      const ofStream = trackAll(point.ofStream);
      const ofSession = trackAll({
        ...point.ofSession,
        'session.closed': f.session.closed,
        'incoming read': f.session.incoming.getReader().read(),
        'events read': f.session.events.getReader().read(),
      });
      const made = trackAll(await means.run(f, point.stream));
      await settle();
      assert.equal(pendingNames(ofStream), [], 'stream promises still pending');
      assert.equal(pendingNames(made), [], 'the ending call itself is still pending');
      if (means.scope === 'session') {
        assert.equal(pendingNames(ofSession), [], 'session promises still pending');
        assert.is(clock.pending, 0, 'no timer outlives the session');
      }
    });
  }
}

test.run();
