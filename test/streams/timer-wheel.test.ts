/**
 * The timer wheel every session on the default clock shares: one underlying timer for any number of
 * deadlines, each firing no earlier than asked and at most one tick late; a session that ends leaves
 * nothing on it. Driven by the TestClock underneath a wheel; no test sleeps.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes } from '../../src/core';
import { H2Session, H2SessionError } from '../../src/streams';
import { Deadline, defaultClock } from '../../src/streams/deadline';
import { TimerWheel } from '../../src/streams/timer-wheel';
import { duplexPair, settle } from '../support/duplex-pair';
import { facingPeer, sessionPair, track } from '../support/session-fixtures';
import { TestClock } from '../support/test-clock';

function wheelOn(granularity: number): { clock: TestClock; wheel: TimerWheel } {
  const clock = new TestClock();
  return { clock, wheel: new TimerWheel(clock, () => clock.now, granularity) };
}

test('a thousand deadlines on a wheel run on one underlying timer, and none once they are all off', () => {
  const { clock, wheel } = wheelOn(100);
  const deadlines = Array.from({ length: 1000 }, (_, i) => new Deadline(wheel, 1000 + 7 * i, { onDeadline: () => false }));
  for (const d of deadlines) d.arm();
  assert.is(wheel.size, 1000);
  assert.is(clock.pending, 1, 'one timer of the underlying clock');
  for (const d of deadlines) d.disarm();
  assert.is(wheel.size, 0);
  assert.is(clock.pending, 0, 'the underlying timer stops with the last deadline');
  assert.is(wheel.timerArmed, false);
});

test('every deadline on a wheel fires no earlier than asked and less than one tick after', () => {
  const G = 100;
  const { clock, wheel } = wheelOn(G);
  const late: string[] = [];
  const fired = new Set<number>();
  let n = 0;
  // Armed at every offset within a tick, for periods shorter than, equal to and longer than a tick.
  for (const start of [0, 1, 37, 99, 100, 101, 250]) {
    for (const ms of [1, 50, 99, 100, 101, 1000, 1001, 12_345]) {
      const id = n++;
      const due = start + ms;
      clock.setTimeout(() => {
        const d = new Deadline(wheel, ms, {
          onDeadline: () => {
            fired.add(id);
            if (clock.now < due || clock.now >= due + G) late.push(`armed at ${start} for ${ms} ms fired at ${clock.now}`);
            return false;
          },
        });
        d.arm();
      }, start);
    }
  }
  clock.advance(20_000);
  assert.equal(late, []);
  assert.is(fired.size, n, 'every deadline fired');
  assert.is(wheel.size, 0);
  assert.is(clock.pending, 0);
});

test('a deadline that re-arms from its callback runs again a period later, on the same one timer', () => {
  const { clock, wheel } = wheelOn(100);
  const times: number[] = [];
  const d = new Deadline(wheel, 1000, { onDeadline: () => (times.push(clock.now), times.length < 3) });
  d.arm();
  clock.advance(10_000);
  assert.equal(times, [1000, 2000, 3000]);
  assert.is(d.armed, false);
  assert.is(clock.pending, 0);
});

test('a deadline disarmed by another one firing in the same tick does not fire', () => {
  const { clock, wheel } = wheelOn(100);
  const fired: string[] = [];
  const second = new Deadline(wheel, 1010, { onDeadline: () => (fired.push('second'), false) });
  const first = new Deadline(wheel, 1000, { onDeadline: () => (fired.push('first'), second.disarm(), false) });
  first.arm();
  second.arm();
  clock.advance(1100);
  assert.equal(fired, ['first']);
  assert.is(wheel.size, 0);
  assert.is(clock.pending, 0);
});

test('an earlier deadline added later moves the one underlying timer earlier', () => {
  const { clock, wheel } = wheelOn(100);
  const fired: number[] = [];
  new Deadline(wheel, 180_000, { onDeadline: () => (fired.push(clock.now), false) }).arm();
  new Deadline(wheel, 10_000, { onDeadline: () => (fired.push(clock.now), false) }).arm();
  assert.is(clock.pending, 1);
  clock.advance(10_000);
  assert.equal(fired, [10_000]);
  assert.is(clock.pending, 1, 'still one timer, now for the later deadline');
  clock.advance(170_000);
  assert.equal(fired, [10_000, 180_000]);
});

test('the wheel is a clock of its own: setTimeout and clearTimeout go through it', () => {
  const { clock, wheel } = wheelOn(100);
  let calls = 0;
  wheel.setTimeout(() => calls++, 500);
  const cleared = wheel.setTimeout(() => (calls += 10), 500);
  wheel.clearTimeout(cleared);
  wheel.clearTimeout(undefined); // no timer: nothing happens
  assert.is(wheel.size, 1);
  clock.advance(599);
  assert.is(calls, 1);
  assert.is(wheel.size, 0);
});

test('sessions on a wheel keep their deadlines: the SETTINGS acknowledgement timeout fires within one tick of its time', async () => {
  const { clock, wheel } = wheelOn(100);
  const [a] = duplexPair();
  const session = new H2Session(a, { role: 'server', clock: wheel, timeouts: { settingsAck: 1000 } });
  const closed = track(session.closed);
  clock.advance(999);
  await settle();
  assert.is(closed.done, false, 'not before its time');
  clock.advance(100);
  await settle();
  assert.instance(closed.failed, H2SessionError);
  assert.is((closed.failed as H2SessionError).code, ErrorCodes.SETTINGS_TIMEOUT);
  assert.is(wheel.size, 0, 'the ended session left nothing on the wheel');
  assert.is(clock.pending, 0);
});

test('sessions on a wheel keep their deadlines: the idle timeout, then the shutdown deadline, each within one tick', async () => {
  const { clock, wheel } = wheelOn(100);
  const { session, wire, peer } = await facingPeer('server', { clock: wheel, timeouts: { idle: 5000, shutdown: 1000 } });
  const closed = track(session.closed);
  clock.advance(4999);
  await settle();
  peer.expectNone();
  clock.advance(100);
  await settle();
  peer.expectGoAway(2 ** 31 - 1, ErrorCodes.NO_ERROR).expectPing({ ack: false }).expectPing({ ack: false });
  clock.advance(1100);
  await settle();
  assert.is(closed.done, true, 'closed at the shutdown deadline');
  assert.ok(wire.eof);
  assert.is(wheel.size, 0);
  assert.is(clock.pending, 0);
});

test('a ping() on a wheel rejects at its timeout, and an answered one leaves nothing on the wheel', async () => {
  const { clock, wheel } = wheelOn(100);
  const { session, wire, peer } = await facingPeer('client', { clock: wheel, timeouts: { pingTimeout: 2000 } });
  const ping = track(session.ping());
  await settle();
  peer.expectPing({ ack: false });
  clock.advance(1999);
  await settle();
  assert.is(ping.done, false);
  clock.advance(100);
  await settle();
  assert.instance(ping.failed, H2SessionError);
  const next = track(session.ping());
  await settle();
  await wire.send(peer.ping(peer.expectFrame('PING').opaqueData!, { ack: true }));
  await settle();
  assert.is(next.failed, undefined);
  assert.is(next.done, true);
  clock.advance(100_000);
  await settle();
  assert.is(wheel.size, 0, 'nothing left once the pings settled and the writes were checked');
  assert.is(clock.pending, 0);
  await session.close();
});

test('closed sessions drop out of the wheel: many sessions, one timer, none left after they close', async () => {
  const { clock, wheel } = wheelOn(100);
  const pairs = Array.from({ length: 20 }, () => sessionPair({ server: { clock: wheel }, client: { clock: wheel } }));
  await settle();
  assert.ok(wheel.size >= 20, 'every server runs its idle timeout');
  assert.is(clock.pending, 1, 'on one underlying timer');
  for (const { client, server } of pairs) {
    await client.close();
    await server.closed;
  }
  assert.is(wheel.size, 0);
  assert.is(clock.pending, 0);
});

test('sessions on the default clock share its wheel and leave it when they close', async () => {
  const wheel = defaultClock();
  assert.instance(wheel, TimerWheel);
  const before = (wheel as TimerWheel).size;
  const pairs = Array.from({ length: 10 }, () => sessionPair());
  await settle();
  assert.ok((wheel as TimerWheel).size >= before + 10, 'their deadlines are on the shared wheel');
  assert.ok((wheel as TimerWheel).timerArmed);
  for (const { client, server } of pairs) {
    await client.close();
    await server.closed;
  }
  assert.is((wheel as TimerWheel).size, before);
});

test.run();
