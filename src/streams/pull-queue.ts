/**
 * A pull-driven queue behind a ReadableStream (highWaterMark 0): items wait in a plain array until a
 * reader asks, so the stream's own queue never grows, and an optional capacity drops items beyond it:
 * the oldest "low-value" one if the owner marks some so, else the oldest.
 * Used for `session.incoming` and `session.events`. Layer: streams (runtime-neutral).
 */
import { HeadQueue } from './head-queue.ts';
import type { StreamConstructors } from './types.ts';

/** A FIFO that feeds a lazily created ReadableStream on demand. */
/** Told when the reader cancels a queue (an object rather than a callback: no closure per queue). */
export interface PullQueueOwner<T> {
  /** The reader cancelled: `unclaimed` are the items it never took. */
  queueCancelled(unclaimed: readonly T[]): void;
}

export class PullQueue<T> {
  readonly #items = new HeadQueue<T>();
  #capacity: number;
  #dropped = 0;
  #controller: ReadableStreamDefaultController<T> | null = null;
  #wanted = false;
  #closed = false;
  #cancelled = false;
  #readable: ReadableStream<T> | null = null;
  #onCancel: PullQueueOwner<T> | null;
  readonly #lowValue: ((item: T) => boolean) | null;
  /** A consumer taking items by callback instead of through the readable (see `consume`). */
  #consumer: ((item: T) => void) | null = null;
  #onEnd: (() => void) | null = null;
  #deliveryScheduled = false;
  #deliverTask: (() => void) | null = null;

  /**
   * @param capacity items kept while nobody reads; beyond it the oldest item is dropped and counted.
   * @param onCancel told once if the consumer cancels the readable, with the items it never took.
   * @param lowValue items to drop first when at capacity (oldest first); others go only if none is.
   */
  constructor(capacity = Infinity, onCancel: PullQueueOwner<T> | null = null, lowValue: ((item: T) => boolean) | null = null) {
    this.#capacity = capacity;
    this.#onCancel = onCancel;
    this.#lowValue = lowValue;
  }

  /** Items dropped because the queue was at capacity. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Items waiting for a reader. */
  get size(): number {
    return this.#items.size;
  }

  /** True once the consumer cancelled the readable. */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** The ReadableStream view, created on first use with the given constructors. */
  readable(ctors: StreamConstructors): ReadableStream<T> {
    if (this.#readable === null) this.#readable = new ctors.ReadableStream<T>(this, { highWaterMark: 0 });
    return this.#readable;
  }

  /**
   * Hands every item to `onItem` instead of a readable (no ReadableStream is made), then calls `onEnd`
   * once the queue is closed. Items are delivered a microtask after they arrive, so one removed
   * meanwhile (`delete`) never reaches the consumer. Called once, instead of reading `readable`.
   */
  consume(onItem: (item: T) => void, onEnd: () => void): void {
    this.#consumer = onItem;
    this.#onEnd = onEnd;
    this.#scheduleDelivery();
  }

  #scheduleDelivery(): void {
    if (this.#deliveryScheduled) return;
    this.#deliveryScheduled = true;
    queueMicrotask((this.#deliverTask ??= () => this.#deliver()));
  }

  #deliver(): void {
    this.#deliveryScheduled = false;
    const consumer = this.#consumer as (item: T) => void;
    while (this.size > 0) consumer(this.#items.shift() as T);
    if (this.#closed && this.#onEnd !== null) {
      const onEnd = this.#onEnd;
      this.#onEnd = null;
      onEnd();
    }
  }

  /** Appends an item (handed straight to a waiting reader if there is one). */
  push(item: T): void {
    if (this.#closed || this.#cancelled) return;
    if (this.#consumer !== null) {
      this.#items.push(item);
      this.#scheduleDelivery();
      return;
    }
    if (this.#wanted && this.#controller !== null) {
      this.#wanted = false;
      this.#controller.enqueue(item);
      return;
    }
    if (this.size >= this.#capacity) this.#dropOne();
    this.#items.push(item);
  }

  /** Removes a waiting item (no-op if it was already taken or is not queued). */
  delete(item: T): void {
    if (!this.#items.remove(item)) return;
    if (this.#closed && this.size === 0 && this.#controller !== null && !this.#cancelled) this.#controller.close();
  }

  /** Ends the queue: readers get the remaining items, then the end. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#consumer !== null) this.#scheduleDelivery();
    if (this.size === 0 && this.#controller !== null && !this.#cancelled) this.#controller.close();
  }

  /** Underlying-source start: keeps the controller. */
  start(controller: ReadableStreamDefaultController<T>): void {
    this.#controller = controller;
  }

  /** Underlying-source pull: a reader wants one item. */
  pull(controller: ReadableStreamDefaultController<T>): void {
    if (this.size > 0) {
      controller.enqueue(this.#items.shift() as T);
      if (this.#closed && this.size === 0) controller.close();
    } else if (this.#closed) {
      controller.close();
    } else {
      this.#wanted = true;
    }
  }

  /** Underlying-source cancel: drops everything and tells the owner once. */
  cancel(): void {
    this.#cancelled = true;
    const unclaimed = this.#items.takeAll();
    const onCancel = this.#onCancel;
    this.#onCancel = null;
    if (onCancel !== null) onCancel.queueCancelled(unclaimed);
  }

  #dropOne(): void {
    this.#dropped++;
    const lowValue = this.#lowValue;
    if (lowValue === null || !this.#items.removeFirst(lowValue)) this.#items.shift();
  }
}
