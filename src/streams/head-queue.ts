/**
 * A FIFO array with a moving head: `shift()` is O(1) (no array shift), and the dead prefix is dropped
 * once it is both large and most of the array. Shared by the send scheduler and the pull queues.
 * Layer: streams (runtime-neutral).
 */

/** Dead slots allowed before compaction is considered. */
const COMPACT_MIN = 1024;

/** A FIFO queue over one array and a head index. */
export class HeadQueue<T> {
  #items: Array<T | undefined> = [];
  #head = 0;

  /** Items queued. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Appends an item. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** Takes the oldest item (undefined if empty). */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    } else if (this.#head > COMPACT_MIN && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Removes `item` if queued; returns whether it was. */
  remove(item: T): boolean {
    const i = this.#items.indexOf(item, this.#head);
    if (i < 0) return false;
    if (i === this.#head) this.shift();
    else this.#items.splice(i, 1);
    return true;
  }

  /** Removes the oldest item matching `predicate`; returns whether one did. */
  removeFirst(predicate: (item: T) => boolean): boolean {
    for (let i = this.#head; i < this.#items.length; i++) {
      if (predicate(this.#items[i] as T)) {
        if (i === this.#head) this.shift();
        else this.#items.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  /** Empties the queue and returns what it held, oldest first. */
  takeAll(): T[] {
    const rest = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return rest;
  }
}
