/**
 * A pull-driven queue behind a ReadableStream (highWaterMark 0): items wait in a plain array until a
 * reader asks, so the stream's own queue never grows, and an optional capacity drops items beyond it:
 * the oldest "low-value" one if the owner marks some so, else the oldest.
 * Used for `session.incoming` and `session.events`; `iterate()` and `consume()` read it with no
 * ReadableStream at all. Layer: streams (runtime-neutral).
 */
import { HeadQueue } from './head-queue.ts';
import { queueTask, type MicrotaskTarget } from './microtask.ts';
import { NO_ITEM, QueueIterator, type IteratedQueue, type QueueHolder } from './queue-iterator.ts';
import { queueReadable } from './queue-readable.ts';
import type { StreamConstructors } from './types.ts';

/** A FIFO that feeds a lazily created ReadableStream on demand. */
/** Told when the reader cancels a queue (an object rather than a callback: no closure per queue). */
export interface PullQueueOwner<T> {
  /** The reader cancelled: `unclaimed` are the items it never took. */
  queueCancelled(unclaimed: readonly T[]): void;
}

/** Takes a queue's items by callback instead of through its readable (see `PullQueue.consume`). */
export interface QueueConsumer<T> {
  /** An item, a microtask after it arrived. */
  take(item: T): void;
  /** The queue closed: no more items will come (called once). */
  end(): void;
}

/** A bounded queue's bookkeeping (see the constructor). */
interface QueueLimit<T> {
  readonly capacity: number;
  dropped: number;
  readonly lowValue: ((item: T) => boolean) | null;
}

// PullQueue's yes/no state, as bits of one field.
const WANTED = 1;
const CLOSED = 2;
const CANCELLED = 4;
const DELIVERY_SCHEDULED = 8;
const ENDED = 16;

export class PullQueue<T> implements MicrotaskTarget, IteratedQueue<T> {
  /** Made with the first item kept (an idle session's `incoming` never has one). */
  #items: HeadQueue<T> | null = null;
  /** A bounded queue's capacity, drop count and low-value test (null: unbounded, as `incoming` is). */
  readonly #limit: QueueLimit<T> | null;
  #controller: ReadableStreamDefaultController<T> | null = null;
  /** WANTED (a reader waits), CLOSED, CANCELLED, DELIVERY_SCHEDULED, ENDED (the consumer was told). */
  #flags = 0;
  #readable: ReadableStream<T> | null = null;
  #onCancel: PullQueueOwner<T> | null;
  /** A consumer taking items by callback instead of through the readable (see `consume`). */
  #consumer: QueueConsumer<T> | null = null;
  /** The async iterator reading the queue (through the readable's reader, or with no readable), till its end. */
  #holder: QueueHolder<T> | null = null;

  /**
   * @param capacity items kept while nobody reads; beyond it the oldest item is dropped and counted.
   * @param onCancel told once if the consumer cancels the readable, with the items it never took.
   * @param lowValue items to drop first when at capacity (oldest first); others go only if none is.
   */
  constructor(capacity = Infinity, onCancel: PullQueueOwner<T> | null = null, lowValue: ((item: T) => boolean) | null = null) {
    this.#limit = capacity === Infinity ? null : { capacity, dropped: 0, lowValue };
    this.#onCancel = onCancel;
  }

  /** Items dropped because the queue was at capacity. */
  get dropped(): number {
    return this.#limit === null ? 0 : this.#limit.dropped;
  }

  /** Items waiting for a reader. */
  get size(): number {
    return this.#items === null ? 0 : this.#items.size;
  }

  /** True once the consumer cancelled the readable. */
  get cancelled(): boolean {
    return (this.#flags & CANCELLED) !== 0;
  }

  /**
   * The ReadableStream view, created on first use with the given constructors. Made while `iterate()`'s
   * iterator reads the queue, it comes locked by that iterator (released at its end): nothing reads the
   * queue twice. Made once the queue was cancelled or closed and emptied, it is closed from the start.
   */
  readable(ctors: StreamConstructors): ReadableStream<T> {
    if (this.#readable === null) {
      const readable = queueReadable(ctors, this);
      this.#readable = readable;
      this.#holder?.adopt(readable.getReader());
    }
    return this.#readable;
  }

  /**
   * An async iterator over the items (`for await (const stream of session)`), made with no ReadableStream:
   * only if the readable exists already does it go through it (locking it: a TypeError if it is locked).
   * Its `return()` (a `break`) cancels the queue. Throws a TypeError with the message `busy` while
   * another iterator or a consumer (`consume`) reads the queue.
   */
  iterate(busy: string): AsyncIterableIterator<T> {
    if (this.#readable !== null) return new QueueIterator(this, this.#readable.getReader(), false);
    if (this.#holder !== null || this.#consumer !== null) throw new TypeError(busy);
    return new QueueIterator(this, null, false);
  }

  /** For the readable's iterator: the oldest item (the readable closes with the last one once closed). */
  takeItem(): T | typeof NO_ITEM {
    if (this.size === 0) return NO_ITEM;
    const item = (this.#items as HeadQueue<T>).shift() as T;
    if ((this.#flags & (CLOSED | CANCELLED)) === CLOSED && this.size === 0) this.#controller?.close();
    return item;
  }

  /** True once no item will come any more. */
  get ended(): boolean {
    return (this.#flags & (CLOSED | CANCELLED)) !== 0 && this.size === 0;
  }

  /**
   * Whether the readable's own queue holds an item (highWaterMark 0: a negative desired size). Only after
   * a read that was given up while it waited (its reader released) and a pipe took the lock (with no
   * `getReader()`, so no `readerTaken`) before the next item came, and no read of its own: `pull` marked the
   * queue WANTED and that item went to the readable with no read to take it (with the stream unlocked,
   * `push` keeps it here).
   */
  get buffered(): boolean {
    const controller = this.#controller;
    return controller !== null && (controller.desiredSize ?? 0) < 0;
  }

  /**
   * For the readable: a reader took it (its `getReader()`, also under the iterators). A WANTED left by a
   * read given up (its reader released while it waited) is stale now: an item enqueued for it would sit
   * in the stream's own queue ahead of older items here, and a cancel would discard it unseen by
   * queueCancelled. Items stay here until this reader reads (its read's `pull` takes them).
   */
  readerTaken(): void {
    this.#flags &= ~WANTED;
  }

  /** An iterator reads the queue from now on (null: no longer). */
  hold(holder: QueueHolder<T> | null): void {
    this.#holder = holder;
  }

  /**
   * Hands every item to `consumer.take` instead of a readable (no ReadableStream is made), then calls
   * `consumer.end` once the queue is closed. Items are delivered a microtask after they arrive, so one
   * removed meanwhile (`delete`) never reaches the consumer. Called once, instead of reading `readable`.
   */
  consume(consumer: QueueConsumer<T>): void {
    this.#consumer = consumer;
    this.#scheduleDelivery();
  }

  #scheduleDelivery(): void {
    if ((this.#flags & DELIVERY_SCHEDULED) !== 0) return;
    this.#flags |= DELIVERY_SCHEDULED;
    queueTask(this, 0);
  }

  /** The scheduled delivery to the consumer. */
  runMicrotask(): void {
    this.#flags &= ~DELIVERY_SCHEDULED;
    const consumer = this.#consumer as QueueConsumer<T>;
    while (this.size > 0) consumer.take((this.#items as HeadQueue<T>).shift() as T);
    if ((this.#flags & (CLOSED | ENDED)) === CLOSED) {
      this.#flags |= ENDED;
      consumer.end();
    }
  }

  /** Appends an item (handed straight to a waiting reader if there is one). */
  push(item: T): void {
    const flags = this.#flags;
    if ((flags & (CLOSED | CANCELLED)) !== 0) return;
    if (this.#consumer !== null) {
      (this.#items ??= new HeadQueue<T>()).push(item);
      this.#scheduleDelivery();
      return;
    }
    if (this.#holder !== null && this.#holder.deliver(item)) return;
    // A read waits only while the stream is locked: once its reader was released (the read given up), an
    // item enqueued would sit in the stream's own queue, where a cancel would discard it unseen by
    // queueCancelled (a request neither served nor refused). It stays here; the next read pulls it.
    if ((flags & WANTED) !== 0 && this.#controller !== null && (this.#readable as ReadableStream<T>).locked) {
      this.#flags = flags & ~WANTED;
      this.#controller.enqueue(item);
      return;
    }
    const limit = this.#limit;
    if (limit !== null && this.size >= limit.capacity) this.#dropOne(limit);
    (this.#items ??= new HeadQueue<T>()).push(item);
  }

  /** Removes a waiting item (no-op if it was already taken or is not queued). */
  delete(item: T): void {
    if (this.#items === null || !this.#items.remove(item)) return;
    if ((this.#flags & (CLOSED | CANCELLED)) === CLOSED && this.size === 0 && this.#controller !== null) this.#controller.close();
  }

  /** Ends the queue: readers get the remaining items, then the end. */
  close(): void {
    if ((this.#flags & CLOSED) !== 0) return;
    this.#flags |= CLOSED;
    if (this.#consumer !== null) this.#scheduleDelivery();
    if (this.size === 0 && this.#controller !== null && (this.#flags & CANCELLED) === 0) this.#controller.close();
    this.#holder?.finish();
  }

  /** Underlying-source start: keeps the controller (a readable made after the queue ended starts closed). */
  start(controller: ReadableStreamDefaultController<T>): void {
    this.#controller = controller;
    if (this.ended) controller.close();
  }

  /** Underlying-source pull: a reader wants one item. */
  pull(controller: ReadableStreamDefaultController<T>): void {
    if (this.size > 0) {
      this.#flags &= ~WANTED; // this read is answered (WANTED may be left from a read given up)
      controller.enqueue((this.#items as HeadQueue<T>).shift() as T);
      if ((this.#flags & CLOSED) !== 0 && this.size === 0) controller.close();
    } else if ((this.#flags & (CLOSED | CANCELLED)) !== 0) {
      // Cancelled with no stream to cancel (an iterator's break): no item will come, the read ends.
      controller.close();
    } else {
      this.#flags |= WANTED;
    }
  }

  /** Underlying-source cancel: drops everything and tells the owner once. */
  cancel(): void {
    this.#flags |= CANCELLED;
    const unclaimed = this.#items === null ? [] : this.#items.takeAll();
    const onCancel = this.#onCancel;
    this.#onCancel = null;
    if (onCancel !== null) onCancel.queueCancelled(unclaimed);
  }

  #dropOne(limit: QueueLimit<T>): void {
    limit.dropped++;
    const lowValue = limit.lowValue;
    const items = this.#items as HeadQueue<T>;
    if (lowValue === null || !items.removeFirst(lowValue)) items.shift();
  }
}
