/** SendScheduler: round-robin ready queue and window-blocked parking, tracked by each sender's `queued` flag. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SendScheduler, type Sendable } from '../../src/streams/scheduler';

const Scheduler = suite('send scheduler');

const sender = (streamId: number): Sendable => ({ streamId, queued: false });

Scheduler('a sender is queued once however often it is enqueued, and again after it was taken', () => {
  const s = new SendScheduler<Sendable>();
  const a = sender(1);
  const b = sender(3);
  s.enqueue(a);
  s.enqueue(b);
  s.enqueue(a);
  assert.ok(a.queued);
  assert.is(s.next(), a);
  assert.not.ok(a.queued);
  s.enqueue(a);
  assert.is(s.next(), b);
  assert.is(s.next(), a);
  assert.is(s.next(), undefined);
  assert.not.ok(s.hasReady);
});

Scheduler('a blocked sender is not queued until unblocked; a removed one is forgotten in either place', () => {
  const s = new SendScheduler<Sendable>();
  const a = sender(1);
  const b = sender(3);
  const c = sender(5);
  s.block(a);
  s.enqueue(a);
  assert.not.ok(a.queued, 'blocked: not queued');
  assert.ok(s.isBlocked(a));
  s.enqueue(b);
  s.enqueue(c);
  s.remove(b);
  assert.not.ok(b.queued);
  s.unblock(1);
  assert.not.ok(s.isBlocked(a));
  assert.is(s.next(), c);
  assert.is(s.next(), a);
  s.enqueue(b);
  s.block(c);
  s.remove(c);
  assert.is(s.blockedCount, 0);
  assert.is(s.next(), b);
  assert.is(s.next(), undefined);
});

Scheduler.run();
