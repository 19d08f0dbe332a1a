/**
 * Every phase of a session's close has a deadline: the graceful close's GOAWAY/PING round trip
 * (`timeouts.shutdown`), the drain of streams in flight (`timeouts.drain`), and the final flush of the
 * transport (`timeouts.write`). Driven by the TestClock; no test sleeps.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes } from '../../src/core';
import { H2Session, H2SessionError, H2StreamError } from '../../src/streams';
import { duplexPair, rejection, settle } from '../support/duplex-pair';
import { facingPeer, GET, OK, track } from '../support/session-fixtures';
import { TestClock } from '../support/test-clock';
import { WirePeer } from '../support/wire-peer';

test('a graceful server close whose PING is never acknowledged sends the final GOAWAY and closes at the shutdown deadline', async () => {
  const clock = new TestClock();
  const { session, wire, peer } = await facingPeer('server', { clock, timeouts: { shutdown: 1000 } });
  const closing = track(session.close());
  const closed = track(session.closed);
  await settle();
  // The core's shutdown PING, then the session's own.
  peer.expectGoAway(2 ** 31 - 1, ErrorCodes.NO_ERROR).expectPing({ ack: false }).expectPing({ ack: false }).expectNone();
  clock.advance(999);
  await settle();
  assert.is(closing.done, false, 'the peer still has time to acknowledge');
  clock.advance(1);
  await settle();
  peer.expectGoAway(0, ErrorCodes.NO_ERROR);
  assert.is(closing.done, true, 'close() settled at the deadline');
  assert.is(closed.done, true);
  assert.is(closed.failed, undefined, 'no stream was cut short');
  assert.ok(wire.eof, 'the transport was closed');
  assert.is(clock.pending, 0, 'no timer outlives the session');
});

test('a graceful client close with nothing in flight waits for no answer from the peer', async () => {
  const clock = new TestClock();
  const { session, wire, peer } = await facingPeer('client', { clock, timeouts: { shutdown: 1000 } });
  const closing = track(session.close());
  await settle();
  peer.expectGoAway(0, ErrorCodes.NO_ERROR).expectNone();
  assert.is(closing.done, true);
  assert.ok(wire.eof);
  assert.is(clock.pending, 0);
});

test('a silent peer closed by the idle timeout is disconnected at the shutdown deadline, not kept forever (slow-loris)', async () => {
  const clock = new TestClock();
  const { session, wire, peer } = await facingPeer('server', { clock, timeouts: { idle: 180_000, shutdown: 5000 } });
  const closed = track(session.closed);
  clock.advance(180_000);
  await settle();
  peer.expectGoAway(2 ** 31 - 1, ErrorCodes.NO_ERROR).expectPing({ ack: false }).expectPing({ ack: false });
  assert.is(closed.done, false);
  clock.advance(5000);
  await settle();
  assert.is(closed.done, true, 'closed 5 s after the idle GOAWAY');
  assert.ok(wire.eof);
  assert.is(clock.pending, 0);
});

test('the shutdown deadline is the default 5 s when not configured', async () => {
  const clock = new TestClock();
  const { session, wire } = await facingPeer('server', { clock });
  const closing = track(session.close());
  clock.advance(4999);
  await settle();
  assert.is(closing.done, false);
  clock.advance(1);
  await settle();
  assert.is(closing.done, true);
  assert.ok(wire.eof);
});

test('a stream still open at the drain deadline is reset with CANCEL, the transport closes, and closed rejects', async () => {
  const clock = new TestClock();
  const { session, wire, peer } = await facingPeer('server', { clock, timeouts: { shutdown: 1000, drain: 10_000 } });
  const incoming = session.incoming.getReader();
  await wire.send(peer.headers(1, GET, { endStream: true }));
  const { value: stream } = await incoming.read();
  stream!.respond(OK);
  const streamClosed = track(stream!.closed);
  const closing = track(session.close());
  const closed = track(session.closed);
  await settle();
  const pings = peer.drain().filter((f) => f.typeName === 'PING');
  await wire.send(...pings.map((f) => peer.ping(f.opaqueData!, { ack: true })));
  await settle();
  clock.advance(9999);
  await settle();
  assert.is(closing.done, false, 'the stream may still finish');
  clock.advance(1);
  await settle();
  const frames = peer.drain();
  const reset = frames.find((f) => f.typeName === 'RST_STREAM');
  assert.is(reset?.streamId, 1);
  assert.is(reset?.errorCode, ErrorCodes.CANCEL);
  assert.instance(streamClosed.failed, H2StreamError);
  assert.is((streamClosed.failed as H2StreamError).code, ErrorCodes.CANCEL);
  assert.is(closing.done, true, 'close() resolves');
  assert.is(closing.failed, undefined);
  assert.instance(closed.failed, H2SessionError, 'closed tells that a stream was cut short');
  assert.ok(wire.eof);
  assert.is(clock.pending, 0);
});

test('close() during a drain the peer started (its graceful GOAWAY) is bounded by the drain deadline', async () => {
  const clock = new TestClock();
  const { session, wire, peer } = await facingPeer('client', { clock, timeouts: { drain: 10_000 } });
  const stream = await session.request(GET, { endStream: true });
  await wire.send(peer.goAway(stream.id, ErrorCodes.NO_ERROR));
  await settle();
  clock.advance(20_000);
  await settle();
  assert.is(wire.eof, false, 'streams in flight after the peer\'s GOAWAY have no deadline of ours until we close');
  const closing = track(session.close());
  const closed = track(session.closed);
  const response = track(stream.response);
  clock.advance(10_000);
  await settle();
  assert.is(closing.done, true);
  assert.instance(response.failed, H2StreamError);
  assert.instance(closed.failed, H2SessionError);
  assert.ok(wire.eof);
  assert.is(clock.pending, 0);
});

test('an abortive close during a graceful drain fails the streams in flight at once', async () => {
  const clock = new TestClock();
  const { session, wire, peer } = await facingPeer('client', { clock });
  const stream = await session.request(GET, { endStream: true });
  const response = track(stream.response);
  const draining = track(session.close());
  await settle();
  assert.is(draining.done, false);
  const aborting = track(session.close({ graceful: false, errorCode: ErrorCodes.CANCEL }));
  await settle();
  assert.is(aborting.done, true);
  assert.is(draining.done, true);
  assert.instance(response.failed, H2SessionError);
  const goaways = peer.drain().filter((f) => f.typeName === 'GOAWAY');
  assert.is(goaways.at(-1)?.errorCode, ErrorCodes.CANCEL);
  assert.ok(wire.eof);
  assert.is(clock.pending, 0);
});

test('a transport whose close never completes is abandoned at the write deadline', async () => {
  const clock = new TestClock();
  const [a, b] = duplexPair();
  let aborted = false;
  // A sink whose close never resolves: a socket whose peer never reads what is still buffered. A sink
  // close in progress is not interrupted by abort(); the controller's signal is (as socket-pair uses it).
  const writer = a.writable.getWriter();
  const stuck = new WritableStream<Uint8Array>({
    start: (controller) => {
      // Node 20 has the controller's signal; @types/node 20 does not declare it.
      (controller as WritableStreamDefaultController & { readonly signal: AbortSignal }).signal.addEventListener('abort', () => (aborted = true), { once: true });
    },
    write: (chunk) => writer.write(chunk),
    close: () => new Promise<void>(() => undefined),
  });
  const session = new H2Session({ readable: a.readable, writable: stuck }, { role: 'server', clock, timeouts: { write: 2000 } });
  const wire = new WirePeer(b, 'client');
  await wire.send(wire.peer.greeting(), wire.peer.settingsAck());
  await settle();
  const closing = track(session.close({ graceful: false }));
  await settle();
  assert.is(closing.done, false, 'the close waits for the transport');
  clock.advance(2000);
  await settle();
  assert.is(closing.done, true);
  assert.ok(aborted, 'the transport was aborted');
  assert.instance(await rejection(session.closed), H2SessionError);
  assert.is(clock.pending, 0);
});

test.run();
