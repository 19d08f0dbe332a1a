/**
 * The ReadableStream a `PullQueue` is read through (`session.incoming`, `session.events`), with an async
 * iterator of its own: `for await` takes items straight from the queue (the stream still locked by a
 * reader meanwhile) instead of through the runtime's iterator, whose pending read kept ~1.2 KiB per idle
 * session on Node 20 (a read request, its deferred promise and their closures). It behaves as the
 * standard one does (ReadableStream §4.2.5): the stream is locked while iterating, released at the end,
 * and `return()` (a `break`) cancels it unless `preventCancel` was asked for.
 * Layer: streams (runtime-neutral).
 */
import type { StreamConstructors } from './types.ts';

/** What the iterator takes items from (the queue behind the stream). */
export interface IteratedQueue<T> {
  /** Takes the oldest item, or returns NO_ITEM. */
  takeItem(): T | typeof NO_ITEM;
  /** True once no item will come any more (closed or cancelled, and empty). */
  readonly ended: boolean;
  /**
   * True while the stream's own queue holds an item: one handed to a read that was given up (a reader
   * released, a pipe aborted) before it arrived. Only the reader can take it.
   */
  readonly buffered: boolean;
  /** `waiter` is told of the next item or of the end (null: nobody waits any more). */
  wait(waiter: QueueWaiter<T> | null): void;
}

/** Waits for a queue's next item. */
export interface QueueWaiter<T> {
  deliver(item: T): void;
  finish(): void;
}

/** The queue as the stream's underlying source too (start, pull, cancel). */
export type QueueSource<T> = IteratedQueue<T> & {
  start(controller: ReadableStreamDefaultController<T>): void;
  pull(controller: ReadableStreamDefaultController<T>): void;
  cancel(): void;
};

/** `takeItem`'s answer when the queue is empty. */
export const NO_ITEM: unique symbol = Symbol('no item');

/** Where the stream keeps its queue (a symbol: no name a user could meet). */
const QUEUE: unique symbol = Symbol('h2flow.queue');

type QueueStream<T> = ReadableStream<T> & { [QUEUE]: IteratedQueue<T> };

/** One prototype per Web Streams implementation (a session may be given another's). */
const prototypes = new WeakMap<object, object>();

/**
 * A ReadableStream (highWaterMark 0) over `queue`, made by `ctors`, whose prototype adds the queue's
 * own `values()` / `[Symbol.asyncIterator]()` over the implementation's. Not a subclass: on Node 20 a
 * subclass instance of the native ReadableStream costs ~550 B more; the prototype of an instance set
 * afterwards costs nothing (and it stays `instanceof` the implementation's class, every method its own).
 */
export function queueReadable<T>(ctors: StreamConstructors, queue: QueueSource<T>): ReadableStream<T> {
  const Base = ctors.ReadableStream as unknown as typeof ReadableStream;
  const stream = new Base<T>(queue, PULL_ONE) as QueueStream<T>;
  stream[QUEUE] = queue;
  let proto = prototypes.get(Base);
  if (proto === undefined) {
    proto = Object.create(Base.prototype, {
      values: { value: values, writable: true, configurable: true },
      [Symbol.asyncIterator]: { value: values, writable: true, configurable: true },
    }) as object;
    prototypes.set(Base, proto);
  }
  Object.setPrototypeOf(stream, proto);
  return stream;
}

const PULL_ONE = { highWaterMark: 0 } as const;

/** The stream's async iterator (ReadableStream §4.2.5's `values`), over its queue. */
function values<T>(this: QueueStream<T>, options?: { preventCancel?: boolean }): AsyncIterableIterator<T> {
  // Locks the stream (a TypeError if it is locked already, as the standard iterator throws).
  const reader = this.getReader();
  return new QueueIterator(this[QUEUE], reader, options?.preventCancel === true);
}

/** `for await` over a queue's stream: items straight from the queue, the stream locked meanwhile. */
class QueueIterator<T> implements AsyncIterableIterator<T>, QueueWaiter<T> {
  readonly #queue: IteratedQueue<T>;
  readonly #reader: ReadableStreamDefaultReader<T>;
  readonly #preventCancel: boolean;
  /** The pending `next()`'s promise and its resolve function, while one waits for an item. */
  #waiting: Promise<IteratorResult<T>> | null = null;
  #resolve: ((result: IteratorResult<T>) => void) | null = null;
  #done = false;

  constructor(queue: IteratedQueue<T>, reader: ReadableStreamDefaultReader<T>, preventCancel: boolean) {
    this.#queue = queue;
    this.#reader = reader;
    this.#preventCancel = preventCancel;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    // A next() while another waits follows it, as the standard iterator's calls do (for await never does this).
    const waiting = this.#waiting;
    if (waiting !== null) return waiting.then(() => this.next());
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    // An item in the stream's own queue is older than any in ours: read it as the standard iterator would.
    if (this.#queue.buffered) return this.#reader.read() as Promise<IteratorResult<T>>;
    const item = this.#queue.takeItem();
    if (item !== NO_ITEM) return Promise.resolve({ value: item, done: false });
    if (this.#queue.ended) {
      this.#end();
      return Promise.resolve({ value: undefined, done: true });
    }
    const promise = new Promise<IteratorResult<T>>((resolve) => (this.#resolve = resolve));
    this.#waiting = promise;
    this.#queue.wait(this);
    return promise;
  }

  /** The item a waiting `next()` gets. */
  deliver(item: T): void {
    this.#settle({ value: item, done: false });
  }

  /** The queue ended while a `next()` waited. */
  finish(): void {
    this.#end();
    this.#settle({ value: undefined, done: true });
  }

  return(value?: unknown): Promise<IteratorResult<T>> {
    const result: IteratorResult<T> = { value: value as T, done: true };
    if (this.#done) return Promise.resolve(result);
    // A next() still waiting ends too (never left pending).
    this.#settle({ value: undefined, done: true });
    this.#done = true;
    this.#queue.wait(null);
    const reader = this.#reader;
    if (this.#preventCancel) {
      reader.releaseLock();
      return Promise.resolve(result);
    }
    const cancelled = reader.cancel(value);
    reader.releaseLock();
    return cancelled.then(() => result);
  }

  #settle(result: IteratorResult<T>): void {
    const resolve = this.#resolve;
    if (resolve === null) return;
    this.#resolve = null;
    this.#waiting = null;
    this.#queue.wait(null);
    resolve(result);
  }

  /** No more items: the stream is released (ReadableStreamDefaultReaderRelease, as at the standard iterator's end). */
  #end(): void {
    if (this.#done) return;
    this.#done = true;
    this.#queue.wait(null);
    this.#reader.releaseLock();
  }
}
