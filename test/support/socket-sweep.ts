/**
 * The socket write-failure sweep, shared by the Node sockets (test/transport/socket-write-failure.test.ts)
 * and Deno's and Bun's (test/runtimes/write-failure-sweep.ts, run in the runtimes by
 * test/transport/runtime-write-failure.test.ts): the points of a server session's life at which a
 * `node:net` client resets the connection (RST: `resetAndDestroy`, SO_LINGER 0), and one case's driver.
 * A case waits for `closed` (no timer: the session runs on a TestClock that never advances) and then
 * finds every other promise settled, every rejection a typed H2SessionError/H2StreamError, `closed`
 * rejected once with INTERNAL_ERROR and the socket's own error as its cause, no timer left, and the
 * connection released. Only the server end differs between sockets (a {@link SweepEnd}).
 */
import * as assert from 'uvu/assert';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { once } from 'node:events';
import { ErrorCodes } from '../../src/core';
import { H2Session, type H2Stream, type H2Transport } from '../../src/streams';
import { socketToPair } from '../../src/transport/socket-pair';
import { settle } from './duplex-pair';
import { S, TestPeer } from './peer';
import { assertTransportFailure, OK, POST, track, type Tracked } from './session-fixtures';
import { TestClock } from './test-clock';

type Promises = Record<string, Promise<unknown>>;

/** The server's end of one connection, as a socket kind exposes it. */
export interface SweepEnd {
  /** What the session runs over (made when the connection is accepted, before any reset). */
  readonly transport: H2Transport;
  /** True once the server's side holds bytes the kernel does not take (the client stopped reading). */
  backedUp(): boolean;
  /** Resolves once the server's side has seen the connection fail (used when the reset comes first). */
  failed(): Promise<void>;
  /** Whether the connection's descriptor is released (destroyed, closed). */
  released(): boolean;
  /** Whether `cause` is the socket's own report of the reset (ECONNRESET, EPIPE, or the runtime's names). */
  isSocketError(cause: unknown): boolean;
}

/** One accepted connection: the resetting client and the server's end; `dispose` closes what is left. */
export interface SweepConnection {
  readonly client: Socket;
  readonly end: SweepEnd;
  dispose(): void;
}

/** A kind of socket, and how a session drives it. */
export interface SweepDrive {
  readonly name: string;
  /** A listener of this kind, a `node:net` client connected to it, and the accepted connection. */
  open(): Promise<SweepConnection>;
}

interface Fixture {
  readonly session: H2Session;
  readonly client: Socket;
  readonly peer: TestPeer;
  readonly end: SweepEnd;
  keep(promises: Promises): void;
}

export interface SweepPoint {
  readonly name: string;
  /** The client resets the connection before the session starts (its SETTINGS are its first write). */
  readonly beforeStart?: boolean;
  /** Brings the session to the point, keeping the promises it hands out; the client then resets. */
  setup(f: Fixture): Promise<void>;
  /** Runs right after the client's reset, before the server saw it (e.g. the call whose write fails). */
  after?(f: Fixture): void;
}

const MAX_WINDOW = 2 ** 31 - 1;
/** A body much larger than the socket buffers of a client that does not read. */
const BIG = 8 * 1024 * 1024;

/** The client's preface, SETTINGS with every window opened, and requests 1, 3, … up to `streams`. */
function hello(peer: TestPeer, streams: number): Uint8Array {
  const requests = Array.from({ length: streams }, (_, i) => peer.headers(2 * i + 1, POST));
  return peer.concat(peer.greeting({ [S.INITIAL_WINDOW_SIZE]: MAX_WINDOW }), peer.windowUpdate(0, MAX_WINDOW - 65535), peer.settingsAck(), ...requests);
}

/** `n` requests taken from `incoming`, each answered with headers and a body being written. */
async function answer(f: Fixture, n: number): Promise<H2Stream[]> {
  const reader = f.session.incoming.getReader();
  const streams: H2Stream[] = [];
  for (let i = 0; i < n; i++) {
    const { value } = await reader.read();
    const stream = value as H2Stream;
    stream.respond(OK);
    const writer = stream.writable.getWriter();
    f.keep({
      [`stream ${stream.id} writer.write`]: writer.write(new Uint8Array(BIG / n)),
      [`stream ${stream.id} writer.close`]: writer.close(),
      [`stream ${stream.id} closed`]: stream.closed,
      [`stream ${stream.id} readable read`]: stream.readable.getReader().read(),
    });
    streams.push(stream);
  }
  reader.releaseLock();
  return streams;
}

/** Until the server's side holds bytes it cannot send (the client stopped reading). */
async function backedUp(f: Fixture): Promise<void> {
  while (!f.end.backedUp()) await settle(1);
}

/** The client stopped reading, its request answered: the response's body waits for the socket. */
async function bodyBackedUp(f: Fixture): Promise<void> {
  f.client.pause();
  f.client.write(hello(f.peer, 1));
  await answer(f, 1);
  await backedUp(f);
}

export const SWEEP_POINTS: readonly SweepPoint[] = [
  {
    name: 'the client resets before the session wrote its SETTINGS',
    beforeStart: true,
    async setup(f) {
      f.keep({ 'ping()': f.session.ping(), 'updateSettings()': f.session.updateSettings({ maxConcurrentStreams: 10 }) });
    },
  },
  {
    name: 'a body is mid-transfer',
    async setup(f) {
      f.client.write(hello(f.peer, 1));
      await answer(f, 1);
      await settle();
    },
  },
  {
    name: 'several bodies are mid-transfer',
    async setup(f) {
      f.client.write(hello(f.peer, 3));
      await answer(f, 3);
      await settle();
    },
  },
  {
    name: 'writes wait for the socket (the client stopped reading)',
    setup: bodyBackedUp,
  },
  {
    name: 'a graceful close waits for a body to finish',
    async setup(f) {
      await bodyBackedUp(f);
      f.keep({ 'close()': f.session.close() });
      await settle();
    },
  },
  {
    name: "the client's GOAWAY arrived while a body is mid-transfer",
    async setup(f) {
      f.client.pause();
      f.client.write(hello(f.peer, 1));
      await answer(f, 1);
      f.client.write(f.peer.goAway(1, ErrorCodes.NO_ERROR));
      await backedUp(f);
    },
  },
  {
    name: 'an abortive close writes its GOAWAY as the reset arrives (a body write still in flight)',
    setup: bodyBackedUp,
    after: (f) => f.keep({ 'close({ graceful: false })': f.session.close({ graceful: false, errorCode: ErrorCodes.CANCEL }) }),
  },
];

/** How `socketToPair` can be driven by a session: `direct` (vectored or not), or its Web Streams views. */
export const SOCKET_PAIR_VIEWS: readonly { readonly name: string; transport(socket: Socket): H2Transport }[] = [
  { name: 'direct, vectored', transport: (socket) => socketToPair(socket) },
  {
    name: 'direct, not vectored',
    transport: (socket) => {
      const pair = socketToPair(socket);
      return { readable: null as never, writable: null as never, direct: pair.direct };
    },
  },
  {
    name: 'its Web Streams views',
    transport: (socket) => {
      const pair = socketToPair(socket);
      return { readable: pair.readable, writable: pair.writable, vectored: true, ...(pair.makeView === undefined ? {} : { makeView: pair.makeView }) };
    },
  },
];

/** The server end of a `node:net` socket (Node's, or a runtime's `node:net`) wrapped by `transport`. */
export function netSocketEnd(socket: Socket, transport: (socket: Socket) => H2Transport): SweepEnd {
  const failed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    transport: transport(socket),
    backedUp: () => socket.writableLength > 0,
    failed: () => failed,
    released: () => socket.destroyed,
    isSocketError: (cause) => {
      const code = (cause as { code?: unknown } | undefined)?.code;
      return code === 'ECONNRESET' || code === 'EPIPE';
    },
  };
}

/** A `node:net` client connected to `port` (its errors are the point: they are not reported). */
export async function resettingClient(port: number): Promise<Socket> {
  const client = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  client.on('error', () => undefined);
  await once(client, 'connect');
  return client;
}

/** `node:net` sockets (Node's, or the runtime's `node:net`) driven through `socketToPair` as `view` says. */
export function netDrive(view: (typeof SOCKET_PAIR_VIEWS)[number], name = view.name): SweepDrive {
  return {
    name,
    async open() {
      const server = createServer({ allowHalfOpen: true });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const connection = once(server, 'connection');
      const client = await resettingClient((server.address() as AddressInfo).port);
      const [socket] = (await connection) as [Socket];
      return {
        client,
        end: netSocketEnd(socket, view.transport),
        dispose: () => {
          socket.destroy();
          server.close();
        },
      };
    },
  };
}

/** The drives the sweep runs in each runtime: its own listener's socket, then its `node:net` through each view. */
export const RUNTIME_SWEEP_DRIVES = {
  deno: ['Deno.listen (denoConnToPair)', ...SOCKET_PAIR_VIEWS.map((v) => `node:net (${v.name})`)],
  bun: ['Bun.listen (BunSocketPair)', ...SOCKET_PAIR_VIEWS.map((v) => `node:net (${v.name})`)],
} as const;

/**
 * Runs `point` over a connection of `drive`: the client resets there, and everything the session handed
 * out must have settled once `closed` did. Throws (an uvu assertion) on the first thing that did not.
 */
export async function sweepCase(drive: SweepDrive, point: SweepPoint): Promise<void> {
  const { client, end, dispose } = await drive.open();
  try {
    if (point.beforeStart === true) {
      client.resetAndDestroy();
      await end.failed();
    }
    const clock = new TestClock();
    const session = new H2Session(end.transport, { role: 'server', clock });
    const tracked: Record<string, Tracked> = {};
    const keep = (promises: Promises): void => {
      for (const [name, p] of Object.entries(promises)) tracked[name] = track(p);
    };
    const f: Fixture = { session, client, peer: new TestPeer('client'), end, keep };
    keep({ 'session.closed': session.closed });
    await point.setup(f);
    keep({ 'incoming read': session.incoming.getReader().read(), 'events read': session.events.getReader().read() });
    if (point.beforeStart !== true) client.resetAndDestroy();
    point.after?.(f);
    // No timer: the session's clock never advances, so `closed` settles on the reset alone.
    await session.closed.catch(() => undefined);
    await settle();
    const failure = assertTransportFailure(tracked);
    assert.ok(end.isSocketError(failure.cause), `the cause is the socket's error (${String(failure.cause)})`);
    assert.is(clock.pending, 0, 'no timer outlives the session');
    assert.ok(end.released(), 'the connection is released');
  } finally {
    client.destroy();
    dispose();
  }
}
