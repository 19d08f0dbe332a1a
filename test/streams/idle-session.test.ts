/**
 * An idle session holds little: its stream table, dispatch queue, SETTINGS waiters, `closed` outcome
 * and most timers are made on first use. These tests drive each of those first uses after a session sat
 * idle, and the shared state that replaced per-session copies (the core configuration, the microtask
 * dispatcher). Driven by the scripted peer and the TestClock; no test sleeps.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes } from '../../src/core';
import { H2Session, whenClosed } from '../../src/streams/session';
import { H2SessionError } from '../../src/streams';
import { queueTask } from '../../src/streams/microtask';
import { duplexPair, settle } from '../support/duplex-pair';
import { WirePeer } from '../support/wire-peer';
import { facingPeer, GET, OK, track } from '../support/session-fixtures';
import { TestClock } from '../support/test-clock';

test('an idle server session answers its first ping, its first request and a SETTINGS update', async () => {
  const clock = new TestClock();
  const { session, wire, peer } = await facingPeer('server', { clock });
  clock.advance(60_000);
  await settle();
  const ping = track(session.ping());
  await settle();
  const frame = peer.expectFrame('PING');
  await wire.send(peer.ping(frame.opaqueData!, { ack: true }));
  await settle();
  assert.is(ping.done, true);
  assert.is(ping.failed, undefined);

  const reader = session.incoming.getReader();
  await wire.send(peer.headers(1, GET, { endStream: true }));
  const { value: stream } = await reader.read();
  assert.is(stream!.id, 1);
  stream!.respond(OK, { body: 'hi' });
  await settle();
  peer.expectHeaders({ streamId: 1 }).expectData(1, 'hi', { endStream: true });

  const updated = track(session.updateSettings({ maxConcurrentStreams: 7 }));
  await settle();
  peer.expectSettings({ 3: 7 });
  assert.is(updated.done, false, 'waits for its ACK');
  await wire.send(peer.settingsAck());
  await settle();
  assert.is(updated.done, true);
  assert.is(updated.failed, undefined);
  reader.releaseLock();
});

test('updateSettings before the initial SETTINGS is acknowledged waits for its own ACK, in order', async () => {
  const [a, b] = duplexPair();
  const session = new H2Session(a, { role: 'server', timeouts: { idle: 0 } });
  const wire = new WirePeer(b, 'client');
  await wire.send(wire.peer.greeting());
  await settle();
  wire.peer.drain();
  const first = track(session.updateSettings({ maxConcurrentStreams: 5 }));
  const second = track(session.updateSettings({ maxConcurrentStreams: 6 }));
  await settle();
  await wire.send(wire.peer.settingsAck());
  await settle();
  assert.is(first.done, false, 'that ACK was the initial SETTINGS’');
  await wire.send(wire.peer.settingsAck());
  await settle();
  assert.is(first.done, true);
  assert.is(second.done, false);
  await wire.send(wire.peer.settingsAck());
  await settle();
  assert.is(second.done, true);
  assert.is(second.failed, undefined);
  await session.close({ graceful: false });
});

test('SETTINGS waiting for their ACK are rejected when the session closes', async () => {
  const { session } = await facingPeer('server', { timeouts: { idle: 0 } });
  const update = track(session.updateSettings({ maxConcurrentStreams: 9 }));
  await session.close({ graceful: false });
  await settle();
  assert.instance(update.failed, H2SessionError);
});

test('the SETTINGS acknowledgement timer, let go after the first ACK, is armed again and fires', async () => {
  const clock = new TestClock();
  const { session, peer } = await facingPeer('server', { clock, timeouts: { settingsAck: 1000, idle: 0 } });
  clock.advance(5000);
  await settle();
  const closed = track(session.closed);
  assert.is(closed.done, false, 'the initial SETTINGS were acknowledged');
  const update = track(session.updateSettings({ maxConcurrentStreams: 3 }));
  await settle();
  peer.drain();
  clock.advance(1000);
  await settle();
  assert.instance(update.failed, H2SessionError);
  peer.expectGoAway(undefined, ErrorCodes.SETTINGS_TIMEOUT);
  assert.instance(closed.failed, H2SessionError);
});

test('the idle timeout closes a session that never had a stream', async () => {
  const clock = new TestClock();
  const { peer } = await facingPeer('server', { clock, timeouts: { idle: 3000 } });
  clock.advance(2999);
  await settle();
  peer.expectNone();
  clock.advance(1);
  await settle();
  // The graceful close's first GOAWAY (RFC 9113 §6.8), then its PING.
  peer.expectGoAway(2 ** 31 - 1, ErrorCodes.NO_ERROR);
  peer.expectFrame('PING');
});

test('close() of an idle session settles closed, and whenClosed hands back the session', async () => {
  const { session } = await facingPeer('server', { timeouts: { idle: 0 } });
  const seen: unknown[] = [];
  whenClosed(session, (failure, which) => seen.push(failure, which));
  await session.close({ graceful: false });
  await settle();
  assert.equal(seen, [null, session]);
  await session.closed;
  const late: unknown[] = [];
  whenClosed(session, (failure, which) => late.push(failure, which));
  assert.equal(late, [], 'told a microtask later');
  await settle(1);
  assert.equal(late, [null, session]);
});

test('closed read only after a failure rejects with it; read never, nothing is unhandled', async () => {
  const { session, wire, peer } = await facingPeer('server', { timeouts: { idle: 0 } });
  const seen: unknown[] = [];
  whenClosed(session, (failure) => seen.push(failure));
  // A frame on stream 0 that must not be there: a connection error.
  await wire.send(peer.data(0, 'x'));
  await settle();
  assert.instance(seen[0], H2SessionError);
  await session.closed.then(
    () => assert.unreachable('closed must reject'),
    (error: unknown) => assert.is(error, seen[0]),
  );
});

test('sessions made from one config object follow changes made to it between them', () => {
  const config: { maxHeaderListSize: number } = { maxHeaderListSize: 1000 };
  const [a] = duplexPair();
  const [b] = duplexPair();
  const [c] = duplexPair();
  const first = new H2Session(a, { role: 'server', config, timeouts: { idle: 0, settingsAck: 0 } });
  const client = new H2Session(c, { role: 'client', config, timeouts: { settingsAck: 0 } });
  config.maxHeaderListSize = 2000;
  const second = new H2Session(b, { role: 'server', config, timeouts: { idle: 0, settingsAck: 0 } });
  assert.is(first.connection.config.maxHeaderListSize, 1000);
  assert.is(second.connection.config.maxHeaderListSize, 2000);
  assert.is(first.connection.config.clientSide, false);
  assert.is(client.connection.config.clientSide, true);
  assert.is(client.connection.config.maxHeaderListSize, 1000);
  for (const s of [first, second, client]) void s.close({ graceful: false });
});

test('config: null (a plain JavaScript caller) is the default configuration, as it always was', () => {
  const [a] = duplexPair();
  const session = new H2Session(a, { role: 'server', config: null as unknown as object, timeouts: { idle: 0, settingsAck: 0 } });
  assert.is(session.connection.config.clientSide, false);
  const plain = new H2Session(duplexPair()[0], { role: 'server', timeouts: { idle: 0, settingsAck: 0 } });
  assert.is(session.connection.config.maxHeaderListSize, plain.connection.config.maxHeaderListSize);
  for (const s of [session, plain]) void s.close({ graceful: false });
});

test('queueTask runs its tasks in queueMicrotask order, also after one throws', async () => {
  const order: string[] = [];
  const target = {
    runMicrotask(kind: number): void {
      order.push(`task ${kind}`);
      if (kind === 2) throw new Error('boom');
    },
  };
  const errors: unknown[] = [];
  const onError = (error: unknown): void => void errors.push(error);
  process.on('uncaughtException', onError);
  try {
    queueTask(target, 1);
    queueMicrotask(() => order.push('plain a'));
    queueTask(target, 2);
    queueTask(target, 3);
    queueMicrotask(() => order.push('plain b'));
    queueTask(target, 4);
    await new Promise((resolve) => setTimeout(resolve, 0));
  } finally {
    process.off('uncaughtException', onError);
  }
  assert.equal(order, ['task 1', 'plain a', 'task 2', 'task 3', 'plain b', 'task 4']);
  assert.is(errors.length, 1);
});

test.run();
