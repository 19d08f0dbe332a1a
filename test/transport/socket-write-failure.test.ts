/**
 * A Node socket the peer resets (RST: ECONNRESET, EPIPE on our writes) settles everything the session
 * handed out: a sweep over the points of a server session's life (before its SETTINGS went out, a body
 * mid-transfer, several bodies mid-transfer, writes waiting for 'drain' from a client that stopped
 * reading, a graceful close under way, the client's GOAWAY received, an abortive close) × the ways the
 * session drives the socket (`direct`, vectored or not, or the pair's Web Streams views). Each case waits
 * for `closed` (no timer: the session runs on a TestClock that never advances) and then finds every
 * other promise settled, every rejection a typed H2SessionError/H2StreamError, `closed` rejected once
 * with INTERNAL_ERROR and the socket's own error as its cause, and no timer left. The scripted transport
 * failures (a write rejecting or throwing at a chosen moment) are swept in
 * test/streams/write-failure-sweep.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { ErrorCodes } from '../../src/core';
import { H2Session, type H2Stream, type H2Transport } from '../../src/streams';
import { socketToPair } from '../../src/transport/socket-pair';
import { settle } from '../support/duplex-pair';
import { S, TestPeer } from '../support/peer';
import { assertTransportFailure, OK, POST, track, type Tracked } from '../support/session-fixtures';
import { TestClock } from '../support/test-clock';

type Promises = Record<string, Promise<unknown>>;

interface Fixture {
  readonly session: H2Session;
  readonly client: Socket;
  readonly peer: TestPeer;
  keep(promises: Promises): void;
}

interface Point {
  readonly name: string;
  /** The client resets the connection before the session starts (its SETTINGS are its first write). */
  readonly beforeStart?: boolean;
  /** Brings the session to the point, keeping the promises it hands out; the client then resets. */
  setup(f: Fixture): Promise<void>;
  /** Runs right after the client's reset, before the server saw it (e.g. the call whose write fails). */
  after?(f: Fixture): void;
}

interface Drive {
  readonly name: string;
  transport(socket: Socket): H2Transport;
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

/** Until the server's socket holds bytes it cannot send (the client stopped reading). */
async function backedUp(f: Fixture, serverSocket: () => Socket): Promise<void> {
  while (serverSocket().writableLength === 0) await settle(1);
}

let accepted: Socket | null = null;

/** The client stopped reading, its request answered: the response's body waits for 'drain'. */
async function bodyBackedUp(f: Fixture): Promise<void> {
  f.client.pause();
  f.client.write(hello(f.peer, 1));
  await answer(f, 1);
  await backedUp(f, () => accepted as Socket);
}

const POINTS: Point[] = [
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
    name: "writes wait for 'drain' (the client stopped reading)",
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
      await backedUp(f, () => accepted as Socket);
    },
  },
  {
    name: 'an abortive close writes its GOAWAY as the reset arrives (a body write still in flight)',
    setup: bodyBackedUp,
    after: (f) => f.keep({ 'close({ graceful: false })': f.session.close({ graceful: false, errorCode: ErrorCodes.CANCEL }) }),
  },
];

const DRIVES: Drive[] = [
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

async function listen(): Promise<Server> {
  const server = createServer({ allowHalfOpen: true });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

for (const drive of DRIVES) {
  for (const point of POINTS) {
    test(`a Node socket (${drive.name}) reset by the peer when ${point.name}: every promise settles, typed, and closed reports the socket's error once`, async () => {
      const server = await listen();
      const connection = once(server, 'connection');
      const client = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', allowHalfOpen: true });
      client.on('error', () => undefined);
      await once(client, 'connect');
      const [socket] = (await connection) as [Socket];
      accepted = socket;
      try {
        const transport = drive.transport(socket);
        if (point.beforeStart === true) {
          client.resetAndDestroy();
          // Not once(): it rejects on the 'error' (ECONNRESET) that comes first.
          await new Promise((resolve) => socket.once('close', resolve));
        }
        const clock = new TestClock();
        const session = new H2Session(transport, { role: 'server', clock });
        const tracked: Record<string, Tracked> = {};
        const keep = (promises: Promises): void => {
          for (const [name, p] of Object.entries(promises)) tracked[name] = track(p);
        };
        const f: Fixture = { session, client, peer: new TestPeer('client'), keep };
        keep({ 'session.closed': session.closed });
        await point.setup(f);
        keep({ 'incoming read': session.incoming.getReader().read(), 'events read': session.events.getReader().read() });
        if (point.beforeStart !== true) client.resetAndDestroy();
        point.after?.(f);
        // No timer: the session's clock never advances, so `closed` settles on the reset alone.
        await session.closed.catch(() => undefined);
        await settle();
        const failure = assertTransportFailure(tracked);
        const code = (failure.cause as { code?: string } | undefined)?.code;
        assert.ok(code === 'ECONNRESET' || code === 'EPIPE', `the cause is the socket's error (${String(failure.cause)})`);
        assert.is(clock.pending, 0, 'no timer outlives the session');
        assert.ok(socket.destroyed, 'the socket is released');
      } finally {
        client.destroy();
        socket.destroy();
        server.close();
      }
    });
  }
}

test.run();
