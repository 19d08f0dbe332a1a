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

const GivenUp = suite('pull queue after a read given up');

/** A queue's readable with a read that was given up: the read's reader released while it waited. */
async function readGivenUp<T>(queue: PullQueue<T>): Promise<ReadableStream<T>> {
  const readable = queue.readable({ ReadableStream, WritableStream, TransformStream } as never);
  const reader = readable.getReader();
  const read = reader.read();
  await microtask();
  reader.releaseLock();
  await read.catch(() => undefined);
  return readable;
}

/** A queue whose owner records what a cancel hands back, and its readable with a read given up. */
async function givenUpWithOwner(): Promise<{ queue: PullQueue<number>; readable: ReadableStream<number>; unclaimed: number[][] }> {
  const unclaimed: number[][] = [];
  const queue = new PullQueue<number>(Infinity, { queueCancelled: (items) => unclaimed.push([...items]) });
  return { queue, readable: await readGivenUp(queue), unclaimed };
}

GivenUp('an item arriving after the read was given up is still the queue\'s: a cancel hands it back as unclaimed', async () => {
  const { queue, readable, unclaimed } = await givenUpWithOwner();
  queue.push(1);
  await readable.cancel();
  assert.equal(unclaimed, [[1]]);
});

GivenUp('an item arriving after the read was given up reaches the next reader, in order with later ones', async () => {
  const queue = new PullQueue<number>();
  const readable = await readGivenUp(queue);
  queue.push(1);
  queue.push(2);
  const reader = readable.getReader();
  assert.equal(await reader.read(), { value: 1, done: false });
  assert.equal(await reader.read(), { value: 2, done: false });
  queue.close();
  assert.equal(await reader.read(), { value: undefined, done: true });
});

GivenUp('an item arriving after the read was given up reaches a later for await, and a break then returns the rest', async () => {
  const { queue, readable, unclaimed } = await givenUpWithOwner();
  queue.push(1);
  queue.push(2);
  for await (const n of readable) {
    assert.is(n, 1);
    break;
  }
  assert.equal(unclaimed, [[2]]);
});

GivenUp('after a given-up read is answered, an item arriving while the new reader has no read pending stays the queue\'s', async () => {
  const { queue, readable, unclaimed } = await givenUpWithOwner();
  queue.push(1);
  const reader = readable.getReader();
  assert.equal(await reader.read(), { value: 1, done: false });
  queue.push(2);
  assert.is(queue.buffered, false);
  await reader.cancel();
  assert.equal(unclaimed, [[2]]);
});

GivenUp('a reader taken after a read was given up, an item arriving before its first read stays the queue\'s: a cancel hands it back', async () => {
  const { queue, readable, unclaimed } = await givenUpWithOwner();
  const reader = readable.getReader();
  queue.push(1);
  assert.is(queue.buffered, false, 'no read waits: the item is not handed to the stream');
  await reader.cancel();
  assert.equal(unclaimed, [[1]]);
});

GivenUp('a for await begun after a read was given up: an item arriving during its body is handed back by its break', async () => {
  const { queue, readable, unclaimed } = await givenUpWithOwner();
  queue.push(1);
  for await (const n of readable) {
    assert.is(n, 1);
    queue.push(2);
    break;
  }
  assert.equal(unclaimed, [[2]]);
});

GivenUp('a for await begun after a read was given up yields the items in the order they arrived', async () => {
  const queue = new PullQueue<number>();
  const readable = await readGivenUp(queue);
  queue.push(1);
  queue.push(2);
  const got: number[] = [];
  for await (const n of readable) {
    got.push(n);
    if (n === 1) queue.push(3);
    if (got.length === 3) break;
  }
  assert.equal(got, [1, 2, 3]);
});

GivenUp('a bounded queue with a read given up stays bounded, its drops counted, and its next reader gets the newest items in order', async () => {
  const queue = new PullQueue<number>(2);
  const readable = await readGivenUp(queue);
  for (let i = 1; i <= 5; i++) queue.push(i);
  assert.is(queue.size, 2);
  assert.is(queue.dropped, 3);
  const reader = readable.getReader();
  queue.push(6);
  assert.is(queue.dropped, 4, 'a reader with no read waiting takes nothing: the queue is still at capacity');
  assert.equal(await reader.read(), { value: 5, done: false });
  assert.equal(await reader.read(), { value: 6, done: false });
});

GivenUp('an item a pipe left in the stream (a read given up, then the pipe aborted before it read) reaches the next for await first', async () => {
  const queue = new PullQueue<number>();
  const readable = await readGivenUp(queue);
  // The pipe takes the lock with no getReader(), and reads nothing while its destination is full.
  const abort = new AbortController();
  const full = new WritableStream<number>({}, { highWaterMark: 0 });
  const piped = readable.pipeTo(full, { signal: abort.signal, preventCancel: true }).catch(() => undefined);
  for (let i = 0; i < 5; i++) await microtask();
  queue.push(1);
  assert.is(queue.buffered, true, 'the item went to the stream, for the read given up');
  abort.abort();
  await piped;
  queue.push(2);
  const got: number[] = [];
  for await (const n of readable) {
    got.push(n);
    if (got.length === 2) break;
  }
  assert.equal(got, [1, 2]);
});

GivenUp.run();
