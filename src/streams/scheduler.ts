/**
 * Fair sharing of the connection's send window: a round-robin queue of streams that have DATA to send
 * and a FIFO of streams waiting for a window (Go's writesched_roundrobin, hyperium's Prioritize).
 * The session sends one frame for the stream at the head, then moves it to the back, so no stream can
 * take the whole connection window in microtask order. Layer: streams (runtime-neutral).
 */

import { HeadQueue } from './head-queue.ts';

/** Something with DATA to send on one stream. */
export interface Sendable {
  readonly streamId: number;
  /**
   * True while in a scheduler's ready queue: set and cleared by the scheduler only (a flag on the
   * sender instead of a Set of them: a Set's add and delete per response grew and rehashed its table).
   */
  queued: boolean;
}

/** Round-robin ready queue plus a FIFO of window-blocked senders. */
export class SendScheduler<T extends Sendable> {
  /** Made when a sender is first ready (an idle connection never has one). */
  #ready: HeadQueue<T> | null = null;
  /** Made when a sender first waits for a window (most connections never do). */
  #blocked: Map<number, T> | null = null;

  /** True if some sender may be able to send now. */
  get hasReady(): boolean {
    return this.#ready !== null && this.#ready.size > 0;
  }

  /** Number of senders waiting for a window update. */
  get blockedCount(): number {
    return this.#blocked === null ? 0 : this.#blocked.size;
  }

  /** True while `item` waits for a window update. */
  isBlocked(item: T): boolean {
    return this.#blocked !== null && this.#blocked.get(item.streamId) === item;
  }

  /** Puts a sender at the back of the ready queue (no-op if it is already queued or blocked). */
  enqueue(item: T): void {
    if (item.queued || (this.#blocked !== null && this.#blocked.get(item.streamId) === item)) return;
    item.queued = true;
    (this.#ready ??= new HeadQueue<T>()).push(item);
  }

  /** Takes the sender at the head of the ready queue. */
  next(): T | undefined {
    const item = this.#ready?.shift();
    if (item !== undefined) item.queued = false;
    return item;
  }

  /** Parks a sender whose window is empty until `unblock(streamId)` or `unblockAll()`. */
  block(item: T): void {
    (this.#blocked ??= new Map()).set(item.streamId, item);
  }

  /** A WINDOW_UPDATE for one stream: its sender (if parked) goes back to the ready queue. */
  unblock(streamId: number): void {
    const blocked = this.#blocked;
    const item = blocked?.get(streamId);
    if (item === undefined) return;
    (blocked as Map<number, T>).delete(streamId);
    this.enqueue(item);
  }

  /** The connection window (or SETTINGS) changed: every parked sender, oldest first, becomes ready. */
  unblockAll(): void {
    const blocked = this.#blocked;
    if (blocked === null || blocked.size === 0) return;
    const parked = [...blocked.values()];
    blocked.clear();
    for (const item of parked) this.enqueue(item);
  }

  /** Forgets a sender (its stream closed or was reset). */
  remove(item: T): void {
    if (this.#blocked !== null && this.#blocked.get(item.streamId) === item) this.#blocked.delete(item.streamId);
    if (item.queued) {
      item.queued = false;
      this.#ready?.remove(item);
    }
  }
}
