/** HeadQueue: the FIFO under the send scheduler and the pull queues, reused across emptyings. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HeadQueue } from '../../src/streams/head-queue';

const Queue = suite('head queue');

function drain<T>(q: HeadQueue<T>): T[] {
  const out: T[] = [];
  for (let item = q.shift(); item !== undefined; item = q.shift()) out.push(item);
  return out;
}

Queue('a queue emptied and filled again keeps FIFO order and its size', () => {
  const q = new HeadQueue<number>();
  for (let round = 0; round < 4; round++) {
    assert.is(q.size, 0);
    assert.is(q.shift(), undefined);
    for (let i = 0; i <= round; i++) q.push(round * 10 + i);
    assert.is(q.size, round + 1);
    assert.is(q.shift(), round * 10);
    q.push(99);
    assert.equal(drain(q), [...Array.from({ length: round }, (_, i) => round * 10 + i + 1), 99]);
  }
});

Queue('remove and removeFirst take an item from the head, the middle or the tail, and nothing past the tail', () => {
  const q = new HeadQueue<string>();
  for (const s of ['a', 'b', 'c', 'd', 'e']) q.push(s);
  assert.ok(q.remove('c'));
  assert.ok(q.remove('a'));
  assert.ok(q.remove('e'));
  assert.not.ok(q.remove('a'), 'already removed');
  assert.is(q.size, 2);
  q.push('f');
  assert.ok(q.removeFirst((s) => s > 'b'));
  assert.not.ok(q.removeFirst((s) => s === 'x'));
  assert.equal(drain(q), ['b', 'f']);
  // The emptied queue's array still has slots: removing looks only at live items.
  assert.not.ok(q.remove('b'));
  q.push('g');
  assert.equal(q.takeAll(), ['g']);
  assert.is(q.size, 0);
  q.push('h');
  assert.equal(drain(q), ['h']);
});

Queue('a long queue read from its head compacts and stays in order', () => {
  const q = new HeadQueue<number>();
  const n = 5000;
  for (let i = 0; i < n; i++) q.push(i);
  const out: number[] = [];
  for (let i = 0; i < 3000; i++) {
    out.push(q.shift()!);
    if (i % 3 === 0) q.push(n + i);
  }
  out.push(...drain(q));
  const expected = [...Array.from({ length: n }, (_, i) => i), ...Array.from({ length: 1000 }, (_, k) => n + 3 * k)];
  assert.equal(out, expected);
});

Queue.run();
