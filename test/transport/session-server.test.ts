/**
 * The server `Deno.listen`, `Bun.listen` and the WebTransport listener share (session-server.ts), driven
 * over in-memory pairs: what its `close()` does to the sessions it accepted, and `for await` over it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes } from '../../src/core';
import { H2StreamError } from '../../src/streams';
import { H2Session } from '../../src/streams/session';
import { sessionServer } from '../../src/transport/session-server';
import { duplexPair, settle } from '../support/duplex-pair';

const Close = suite('sessionServer close');

const GET: [string, string][] = [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'example.com']];

Close('a forced close during a graceful one closes the sessions now (stop(true) after shutdown())', async () => {
  const { server, accept } = sessionServer(
    { address: { transport: 'tcp', hostname: '127.0.0.1', port: 0 }, stop: () => undefined, ref: () => undefined, unref: () => undefined },
    undefined,
  );
  const [serverEnd, clientEnd] = duplexPair();
  accept(serverEnd, { transport: 'tcp', hostname: '127.0.0.1', port: 1 });
  const client = new H2Session(clientEnd, { role: 'client' });
  client.closed.catch(() => undefined);
  const reader = server.accepted.getReader();
  const { value } = await reader.read();
  const session = value!.session;
  // A request left open: the graceful close waits for it (its own deadline is far off).
  await client.request(GET, { endStream: false });
  let serverClosed = false;
  session.closed.then(
    () => (serverClosed = true),
    () => (serverClosed = true),
  );
  let gracefulDone = false;
  const graceful = server.close().then(() => (gracefulDone = true));
  await settle(10);
  assert.is(gracefulDone, false, 'the graceful close waits for the open request');
  const forced = server.close({ graceful: false });
  for (let i = 0; i < 20 && !serverClosed; i++) await settle();
  assert.ok(serverClosed, 'the forced close closed the session at once');
  await forced;
  await graceful;
  await client.close({ graceful: false }).catch(() => undefined);
});

Close.run();

const Iterate = suite('sessionServer iteration');

const ADDRESS = { transport: 'tcp', hostname: '127.0.0.1', port: 0 } as const;
const PEER = { transport: 'tcp', hostname: '127.0.0.1', port: 1 } as const;

function testServer() {
  const s = sessionServer({ address: ADDRESS, stop: () => undefined, ref: () => undefined, unref: () => undefined }, undefined);
  const clients: H2Session[] = [];
  const connect = (): H2Session => {
    const [serverEnd, clientEnd] = duplexPair();
    s.accept(serverEnd, PEER);
    const client = new H2Session(clientEnd, { role: 'client' });
    client.closed.catch(() => undefined);
    clients.push(client);
    return client;
  };
  const closeClients = () => Promise.all(clients.map((c) => c.close({ graceful: false }).catch(() => undefined)));
  return { ...s, connect, closeClients };
}

Iterate('for await yields each accepted session in order, with accepted locked meanwhile and released at the end', async () => {
  const { server, connect, closeClients } = testServer();
  connect();
  connect();
  const seen: H2Session[] = [];
  const done = (async () => {
    for await (const session of server) seen.push(session);
  })();
  await settle();
  assert.is(seen.length, 2);
  assert.ok(seen.every((s) => s instanceof H2Session));
  assert.is(new Set(seen).size, 2);
  assert.is(server.accepted.locked, true, 'iterating locks accepted');
  assert.throws(() => server.accepted.getReader(), TypeError);
  connect();
  await settle();
  assert.is(seen.length, 3, 'a session accepted while the loop waits reaches it');
  await server.close({ graceful: false });
  await done;
  assert.is(server.accepted.locked, false, 'released when accepted ends');
  await closeClients();
});

Iterate('a second iteration while one runs throws a TypeError, as the standard iterator of a locked stream does', async () => {
  const { server } = testServer();
  const first = server[Symbol.asyncIterator]();
  assert.throws(() => server[Symbol.asyncIterator](), TypeError);
  await first.return!();
  // Released by return(): a new iteration may start (accepted is cancelled, so it ends at once).
  const second = server[Symbol.asyncIterator]();
  assert.equal(await second.next(), { value: undefined, done: true });
  await server.close();
});

Iterate('after a break a new connection is refused (its transport aborted) and close() still resolves', async () => {
  const { server, accept, closeClients } = testServer();
  // What a `break` does: return() on the loop's iterator.
  await server[Symbol.asyncIterator]().return!();
  const [serverEnd, clientEnd] = duplexPair();
  accept(serverEnd, PEER);
  // The server end was aborted: the client's reads end in an error, no session was made.
  const read = await clientEnd.readable.getReader().read().then(
    (r) => (r.done ? 'ended' : 'data'),
    () => 'failed',
  );
  assert.ok(read === 'ended' || read === 'failed', `the refused transport closed (${read})`);
  await server.close();
  await closeClients();
});

Iterate('break cancels accepted and releases it; next() afterwards is done', async () => {
  const { server, connect, closeClients } = testServer();
  connect();
  const iterator = server[Symbol.asyncIterator]();
  for await (const session of { [Symbol.asyncIterator]: () => iterator }) {
    assert.instance(session, H2Session);
    break;
  }
  assert.is(server.accepted.locked, false);
  assert.equal(await iterator.next(), { value: undefined, done: true });
  // Cancelled: a reader of accepted now finds it ended.
  assert.equal(await server.accepted.getReader().read(), { value: undefined, done: true });
  await closeClients();
});

Iterate('sessions accepted but never taken when the loop breaks are closed gracefully (GOAWAY), not left hanging', async () => {
  const { server, connect, closeClients } = testServer();
  connect();
  const untaken = connect();
  let goaway = false;
  void untaken.closed.then(() => (goaway = true), () => (goaway = true));
  for await (const session of server) {
    assert.instance(session, H2Session);
    break;
  }
  for (let i = 0; i < 50 && !goaway; i++) await settle();
  assert.ok(goaway, 'the client of the untaken session saw its connection close');
  await closeClients();
});

Iterate('a session accepted after a read of accepted was given up (its reader released) is closed when accepted is cancelled, not left open', async () => {
  const { server, connect, closeClients } = testServer();
  const reader = server.accepted.getReader();
  const read = reader.read();
  await settle();
  reader.releaseLock();
  await read.catch(() => undefined);
  const untaken = connect();
  let closed = false;
  void untaken.closed.then(() => (closed = true), () => (closed = true));
  await settle();
  await server.accepted.cancel();
  for (let i = 0; i < 50 && !closed; i++) await settle();
  assert.ok(closed, 'the client of the session nobody took saw its connection close');
  await closeClients();
});

Iterate('a request a never-taken session received is refused (REFUSED_STREAM: its client may retry it at once), and the session closes without waiting for the drain deadline', async () => {
  const { server, connect, closeClients } = testServer();
  connect();
  const untaken = connect();
  const stream = await untaken.request(GET, { endStream: true });
  let refused: unknown = null;
  void stream.response.then(() => (refused = 'answered'), (err: unknown) => (refused = err));
  let closed = false;
  void untaken.closed.then(() => (closed = true), () => (closed = true));
  await settle();
  for await (const session of server) {
    assert.instance(session, H2Session);
    break;
  }
  for (let i = 0; i < 50 && (refused === null || !closed); i++) await settle();
  assert.instance(refused, H2StreamError, "the untaken session's request was reset");
  assert.is((refused as H2StreamError).code, ErrorCodes.REFUSED_STREAM);
  assert.ok(closed, 'the client saw its connection close (no 30 s drain)');
  await closeClients();
});

Iterate('for await over accepted itself yields { session, remoteAddr } (the queue-backed stream serve() reads)', async () => {
  const { server, connect, closeClients } = testServer();
  connect();
  assert.instance(server.accepted, ReadableStream);
  for await (const accepted of server.accepted) {
    assert.instance(accepted.session, H2Session);
    assert.equal(accepted.remoteAddr, PEER);
    assert.is(server.accepted.locked, true);
    break;
  }
  assert.is(server.accepted.locked, false);
  await closeClients();
});

Iterate('return(value) answers { value, done: true } and cancels accepted with that reason', async () => {
  let reason: unknown = null;
  const accepted = new ReadableStream({ cancel: (r: unknown) => void (reason = r) });
  const { acceptedSessions } = await import('../../src/transport/accepted-sessions');
  const iterator = acceptedSessions(accepted);
  assert.equal(await iterator.return!('why'), { value: 'why', done: true });
  assert.is(reason, 'why');
  assert.is(accepted.locked, false);
  assert.equal(await iterator.return!('again'), { value: 'again', done: true });
});

Iterate('an error of accepted rejects next() and releases it', async () => {
  let fail!: (e: unknown) => void;
  const accepted = new ReadableStream({ start: (c) => void (fail = (e) => c.error(e)) });
  const { acceptedSessions } = await import('../../src/transport/accepted-sessions');
  const iterator = acceptedSessions(accepted);
  const pending = iterator.next();
  const boom = new Error('boom');
  fail(boom);
  await pending.then(
    () => assert.unreachable('next() must reject'),
    (e: unknown) => assert.is(e, boom),
  );
  assert.is(accepted.locked, false);
  assert.equal(await iterator.next(), { value: undefined, done: true });
});

Iterate.run();
