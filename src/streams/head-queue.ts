/**
 * A FIFO array with a moving head: `shift()` is O(1) (no array shift), and the dead prefix is dropped
 * once it is both large and most of the array. Shared by the send scheduler and the pull queues.
 * Layer: streams (runtime-neutral).
 */

/** Dead slots allowed before compaction is considered. */
const COMPACT_MIN = 1024;

/**
 * A FIFO queue over one array, a head and a tail index. The array keeps its length when the queue
 * empties (its slots cleared): emptied to length 0, V8 frees its store, and the next push allocates a
 * new one of 17 slots — once per request for a queue that empties after each.
 */
export class HeadQueue<T> {
  #items: Array<T | undefined> = [];
  #head = 0;
  #tail = 0;

  /** Items queued. */
  get size(): number {
    return this.#tail - this.#head;
  }

  /** Appends an item. */
  push(item: T): void {
    const items = this.#items;
    if (this.#tail < items.length) items[this.#tail] = item;
    else items.push(item);
    this.#tail++;
  }

  /** Takes the oldest item (undefined if empty). */
  shift(): T | undefined {
    if (this.#head >= this.#tail) return undefined;
    const items = this.#items;
    const item = items[this.#head];
    items[this.#head++] = undefined;
    if (this.#head === this.#tail) {
      this.#head = 0;
      this.#tail = 0;
      // A burst's large array is not kept for good.
      if (items.length > COMPACT_MIN) this.#items = [];
    } else if (this.#head > COMPACT_MIN && this.#head * 2 > this.#tail) {
      this.#items = items.slice(this.#head, this.#tail);
      this.#tail -= this.#head;
      this.#head = 0;
    }
    return item;
  }

  /** Removes `item` if queued; returns whether it was. */
  remove(item: T): boolean {
    const i = this.#items.indexOf(item, this.#head);
    if (i < 0 || i >= this.#tail) return false;
    this.#removeAt(i);
    return true;
  }

  /** Removes the oldest item matching `predicate`; returns whether one did. */
  removeFirst(predicate: (item: T) => boolean): boolean {
    for (let i = this.#head; i < this.#tail; i++) {
      if (predicate(this.#items[i] as T)) {
        this.#removeAt(i);
        return true;
      }
    }
    return false;
  }

  /** Empties the queue and returns what it held, oldest first. */
  takeAll(): T[] {
    const rest = this.#items.slice(this.#head, this.#tail) as T[];
    this.#items = [];
    this.#head = 0;
    this.#tail = 0;
    return rest;
  }

  #removeAt(i: number): void {
    if (i === this.#head) {
      this.shift();
      return;
    }
    this.#items.splice(i, 1);
    this.#tail--;
  }
}
