/**
 * `for await` straight from a `PullQueue`: over its ReadableStream (`session.incoming`, `session.events`,
 * a server's `accepted`), the stream locked by a reader meanwhile, or over the session itself with no
 * ReadableStream at all (`for await (const stream of session)`). It behaves as the standard iterator does
 * (ReadableStream §4.2.5): one reader at a time, released at the end, and `return()` (a `break`) cancels
 * the queue unless `preventCancel` was asked for. The runtime's own iterator kept ~1.2 KiB per idle
 * session on Node 20 (a read request, its deferred promise and their closures); a ReadableStream and its
 * reader, ~2.3 KiB more (bench/heap-breakdown.mjs session vs session-incoming), which iterating the
 * session does without.
 * Layer: streams (runtime-neutral).
 */

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
  /** `holder` reads the queue from now on (null: it stopped); see {@link QueueHolder}. */
  hold(holder: QueueHolder<T> | null): void;
  /** Cancels the queue: the items not taken go back to its owner (the stream's underlying-source cancel). */
  cancel(): void;
}

/** The iterator reading a queue, from its creation to its end. */
export interface QueueHolder<T> {
  /** An item arrived: true if a waiting `next()` took it (false: nobody waits, the queue keeps it). */
  deliver(item: T): boolean;
  /** The queue closed: a `next()` waiting (for an item no longer to come) ends. */
  finish(): void;
  /** The queue's stream was made while the iterator reads the queue without one: it holds it locked with `reader`. */
  adopt(reader: ReadableStreamDefaultReader<T>): void;
}

/** `takeItem`'s answer when the queue is empty. */
export const NO_ITEM: unique symbol = Symbol('no item');

/** `for await` over a queue: items straight from it, its stream (if it has one) locked meanwhile. */
export class QueueIterator<T> implements AsyncIterableIterator<T>, QueueHolder<T> {
  readonly #queue: IteratedQueue<T>;
  /** The reader locking the queue's stream (null while the queue has none: nothing to lock). */
  #reader: ReadableStreamDefaultReader<T> | null;
  readonly #preventCancel: boolean;
  /** The pending `next()`'s promise and its resolve function, while one waits for an item. */
  #waiting: Promise<IteratorResult<T>> | null = null;
  #resolve: ((result: IteratorResult<T>) => void) | null = null;
  #done = false;

  /** `reader` locks the queue's stream (taken by the caller: a TypeError there if it was locked already). */
  constructor(queue: IteratedQueue<T>, reader: ReadableStreamDefaultReader<T> | null, preventCancel: boolean) {
    this.#queue = queue;
    this.#reader = reader;
    this.#preventCancel = preventCancel;
    queue.hold(this);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    // A next() while another waits follows it, as the standard iterator's calls do (for await never does this).
    const waiting = this.#waiting;
    if (waiting !== null) return waiting.then(() => this.next());
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    // An item in the stream's own queue is older than any in ours: read it as the standard iterator would
    // (there is a stream then, and our reader locks it).
    if (this.#queue.buffered) return (this.#reader as ReadableStreamDefaultReader<T>).read() as Promise<IteratorResult<T>>;
    const item = this.#queue.takeItem();
    if (item !== NO_ITEM) return Promise.resolve({ value: item, done: false });
    if (this.#queue.ended) {
      this.#end();
      return Promise.resolve({ value: undefined, done: true });
    }
    const promise = new Promise<IteratorResult<T>>((resolve) => (this.#resolve = resolve));
    this.#waiting = promise;
    return promise;
  }

  deliver(item: T): boolean {
    if (this.#resolve === null) return false;
    this.#settle({ value: item, done: false });
    return true;
  }

  finish(): void {
    // Nobody waits: the next next() finds the queue ended (after the items it still holds).
    if (this.#resolve === null) return;
    this.#end();
    this.#settle({ value: undefined, done: true });
  }

  adopt(reader: ReadableStreamDefaultReader<T>): void {
    this.#reader = reader;
  }

  return(value?: unknown): Promise<IteratorResult<T>> {
    const result: IteratorResult<T> = { value: value as T, done: true };
    if (this.#done) return Promise.resolve(result);
    // A next() still waiting ends too (never left pending).
    this.#settle({ value: undefined, done: true });
    this.#done = true;
    this.#queue.hold(null);
    const reader = this.#reader;
    if (reader === null) {
      // No stream to cancel: the queue itself is, as the stream's cancel would.
      if (!this.#preventCancel) this.#queue.cancel();
      return Promise.resolve(result);
    }
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
    resolve(result);
  }

  /** No more items: the queue (and its stream) is released (ReadableStreamDefaultReaderRelease, as at the standard iterator's end). */
  #end(): void {
    if (this.#done) return;
    this.#done = true;
    this.#queue.hold(null);
    this.#reader?.releaseLock();
  }
}
