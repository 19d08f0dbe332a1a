/**
 * The counters behind the resource limits: the closed-stream memory (h2's SizeLimitDict as
 * `_closed_streams` uses it), checked against a plain Map model under seeded random workloads.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ClosedStreamMemory, QueuedControlFrames } from '../../src/core/limits';
import type { ClosedHow } from '../../src/core/limits';
import { mulberry32 } from '../support/prng';

const Limits = suite('limits');

/** The reference: a Map that drops its oldest keys beyond `limit` (re-setting keeps the place). */
function modelSet(model: Map<number, ClosedHow>, limit: number, key: number, value: ClosedHow): void {
  model.set(key, value);
  while (model.size > limit) model.delete(model.keys().next().value as number);
}

Limits('the closed-stream memory behaves as a size-limited insertion-ordered map', () => {
  const rand = mulberry32(4242);
  const values: ClosedHow[] = [0, 1, 2, 3, null];
  for (const limit of [0, 1, 2, 7, 100, 1000]) {
    const memory = new ClosedStreamMemory(limit);
    const model = new Map<number, ClosedHow>();
    // A narrow key range makes re-sets and hash collisions frequent; a wide one spreads keys out.
    const range = rand.int(2) === 0 ? 3 * limit + 5 : 2 ** 31 - 1;
    for (let i = 0; i < 20_000; i++) {
      const key = 1 + rand.int(range);
      if (rand.int(3) === 0) {
        assert.is(memory.get(key), model.get(key));
        assert.is(memory.has(key), model.has(key));
      } else {
        const value = rand.pick(values);
        memory.set(key, value);
        modelSet(model, limit, key, value);
        assert.is(memory.size, model.size);
      }
    }
    for (const [key, value] of model) assert.is(memory.get(key), value);
  }
});

Limits('the closed-stream memory matches the model when IDs mostly grow and lookups are rare (entries pending in the ring)', () => {
  const rand = mulberry32(31337);
  for (const limit of [1, 3, 50, 700]) {
    const memory = new ClosedStreamMemory(limit);
    const model = new Map<number, ClosedHow>();
    let next = 1;
    for (let i = 0; i < 30_000; i++) {
      // Mostly the next ID, sometimes one a little back (out of order), rarely a lookup.
      const back = rand.int(10) === 0 ? 2 * rand.int(40) : 0;
      const key = Math.max(1, next - back);
      if (back === 0) next += 2;
      if (rand.int(200) === 0) {
        const probe = 1 + rand.int(next + 10);
        assert.is(memory.get(probe), model.get(probe));
      } else {
        const value = rand.pick<ClosedHow>([0, 1, 2, 3, null]);
        memory.set(key, value);
        modelSet(model, limit, key, value);
        assert.is(memory.size, model.size);
      }
    }
    for (let key = 1; key < next + 10; key++) assert.is(memory.get(key), model.get(key), `key ${key}`);
  }
});

Limits('the closed-stream memory forgets the oldest entry first and keeps a re-set entry in place', () => {
  const memory = new ClosedStreamMemory(2);
  memory.set(1, 0);
  memory.set(3, 2);
  memory.set(1, 3);
  memory.set(5, null);
  assert.is(memory.get(1), undefined);
  assert.is(memory.get(3), 2);
  assert.is(memory.get(5), null);
  assert.is(memory.size, 2);
});

Limits('sequential stream IDs far past the limit keep the memory at the limit', () => {
  const memory = new ClosedStreamMemory(1000);
  for (let id = 1; id < 400_000; id += 2) memory.set(id, 1);
  assert.is(memory.size, 1000);
  assert.is(memory.get(399_999), 1);
  assert.is(memory.get(399_999 - 2000), undefined);
});

Limits('the queued control frames count again from zero after every queued frame was released', () => {
  const queue = new QueuedControlFrames();
  assert.is(queue.count, 0);
  queue.release(100);
  for (let round = 0; round < 3; round++) {
    const base = round * 1000;
    queue.add(base + 17);
    queue.add(base + 34);
    assert.is(queue.count, 2);
    queue.release(base + 20);
    assert.is(queue.count, 1);
    queue.release(base + 34);
    assert.is(queue.count, 0);
  }
  queue.add(5000);
  queue.clear();
  assert.is(queue.count, 0);
  queue.add(6000);
  assert.is(queue.count, 1);
});

Limits.run();
