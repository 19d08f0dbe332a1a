/**
 * A ping() waits for its ACK no longer than `timeouts.pingTimeout`: a peer that stays connected but never
 * answers cannot leave it pending for the life of the session. Driven by the TestClock.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { H2SessionError } from '../../src/streams';
import { settle } from '../support/duplex-pair';
import { facingPeer, track } from '../support/session-fixtures';
import { TestClock } from '../support/test-clock';

test('a ping() the peer never acknowledges rejects at the PING timeout, and the session lives on', async () => {
  const clock = new TestClock();
  const { session, wire, peer } = await facingPeer('client', { clock, timeouts: { pingTimeout: 2000 } });
  const ping = track(session.ping());
  await settle();
  peer.expectPing({ ack: false });
  clock.advance(1999);
  await settle();
  assert.is(ping.done, false);
  clock.advance(1);
  await settle();
  assert.instance(ping.failed, H2SessionError);
  const closed = track(session.closed);
  const next = track(session.ping());
  await settle();
  const frame = peer.expectFrame('PING');
  await wire.send(peer.ping(frame.opaqueData!, { ack: true }));
  await settle();
  assert.is(next.done, true, 'a later ping() still works');
  assert.is(next.failed, undefined);
  assert.is(closed.done, false, 'the session is still open');
  clock.advance(100_000);
  await settle();
  assert.is(closed.done, false);
  assert.is(clock.pending, 0, 'an answered ping() leaves no timer');
});

test('the PING timeout of ping() is 15 s by default', async () => {
  const clock = new TestClock();
  const { session } = await facingPeer('server', { clock, timeouts: { idle: 0 } });
  const ping = track(session.ping());
  clock.advance(14_999);
  await settle();
  assert.is(ping.done, false);
  clock.advance(1);
  await settle();
  assert.instance(ping.failed, H2SessionError);
});

test.run();
