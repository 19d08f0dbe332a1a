/** PullQueue's callback consumer (what the fetch server takes requests with, instead of a ReadableStream). */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PullQueue } from '../../src/streams/pull-queue';

const Queue = suite('pull queue consumer');

const microtask = (): Promise<void> => new Promise((resolve) => queueMicrotask(resolve));

Queue('consume hands over queued and later items in order, a microtask after they arrive, then ends once', async () => {
  const queue = new PullQueue<number>();
  queue.push(1);
  const got: number[] = [];
  let ended = 0;
  queue.consume({ take: (n) => got.push(n), end: () => ended++ });
  assert.equal(got, []);
  await microtask();
  assert.equal(got, [1]);
  queue.push(2);
  queue.push(3);
  assert.equal(got, [1]);
  await microtask();
  assert.equal(got, [1, 2, 3]);
  queue.close();
  queue.push(4);
  await microtask();
  assert.equal(got, [1, 2, 3]);
  assert.is(ended, 1);
  queue.close();
  await microtask();
  assert.is(ended, 1);
});

Queue('an item deleted before its delivery never reaches the consumer (a stream reset before it was taken)', async () => {
  const queue = new PullQueue<string>();
  const got: string[] = [];
  queue.consume({ take: (s) => got.push(s), end: () => undefined });
  queue.push('reset');
  queue.push('kept');
  queue.delete('reset');
  await microtask();
  assert.equal(got, ['kept']);
});

Queue('a queue closed before anyone consumes still ends the consumer, after its items', async () => {
  const queue = new PullQueue<number>();
  queue.push(1);
  queue.close();
  const events: string[] = [];
  queue.consume({ take: (n) => events.push(`item ${n}`), end: () => events.push('end') });
  await microtask();
  assert.equal(events, ['item 1', 'end']);
});

Queue.run();
