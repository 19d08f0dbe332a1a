/**
 * The counters behind the connection's resource limits (the options live in config.ts): count-based
 * abuse budgets, the queued-control-frame tracker, and the bounded closed-stream memory.
 * Sans-I/O core: no clock, so every policy counts frames and streams instead of time.
 */

/**
 * A token bucket refilled by useful work instead of time: it starts full with `capacity` tokens,
 * each abusive event spends one, each stream that ends normally returns one (never above
 * `capacity`). A legitimate peer that finishes its streams never runs dry; a peer that only
 * provokes work without completing anything does, after `capacity` events. Used for Rapid Reset /
 * MadeYouReset (CVE-2023-44487 / CVE-2025-8671), empty frames (CVE-2019-9518) and priority churn
 * (CVE-2019-9513), in place of nghttp2's time-based `nghttp2_ratelim`.
 */
export class AbuseBudget {
  /** The bucket size (the limit from the configuration). */
  readonly capacity: number;
  #tokens: number;

  /** @param capacity How many events may happen with no completed stream in between. */
  constructor(capacity: number) {
    this.capacity = capacity;
    this.#tokens = capacity;
  }

  /** Tokens left. */
  get remaining(): number {
    return this.#tokens;
  }

  /** Spends one token; returns `false` once the budget is exhausted (the caller ends the connection). */
  spend(): boolean {
    if (this.#tokens <= 0) return false;
    this.#tokens--;
    return true;
  }

  /** Returns one token (a stream ended normally). */
  refund(): void {
    if (this.#tokens < this.capacity) this.#tokens++;
  }
}

/**
 * Counts the automatic control frames (PING ACK, SETTINGS ACK, RST_STREAM) that sit in the outbound
 * buffer, i.e. that `dataToSend()` has not handed out yet. Positions are absolute byte offsets in
 * the outbound stream (bytes ever queued), so partial reads release exactly the frames they took.
 * Stops Ping/Settings/Reset floods against a peer that never reads (CVE-2019-9512/9515/9514).
 */
export class QueuedControlFrames {
  /** End offsets of queued control frames, oldest first, from `#head` on. */
  #ends: number[] = [];
  #head = 0;

  /** How many control frames are still queued. */
  get count(): number {
    return this.#ends.length - this.#head;
  }

  /** Records a control frame whose last byte ends at absolute offset `end`. */
  add(end: number): void {
    this.#ends.push(end);
  }

  /** Releases every control frame that ends at or before absolute offset `taken`. */
  release(taken: number): void {
    const ends = this.#ends;
    let head = this.#head;
    while (head < ends.length && (ends[head] as number) <= taken) head++;
    if (head === ends.length) {
      ends.length = 0;
      head = 0;
    } else if (head > 1024 && head * 2 > ends.length) {
      ends.splice(0, head);
      head = 0;
    }
    this.#head = head;
  }

  /** Forgets every queued frame (the outbound buffer was cleared). */
  clear(): void {
    this.#ends.length = 0;
    this.#head = 0;
  }
}

/**
 * A map that forgets its oldest entries beyond `limit` (insertion order; re-setting a key keeps its
 * place). Bounds the memory of "how was this stream closed" against stream-ID walking.
 * Port of h2.utilities.SizeLimitDict. Eviction pops a queue of keys instead of iterating the Map,
 * whose iterator would step over every deleted slot each time.
 */
export class SizeLimitMap<K, V> {
  /** The most entries kept. */
  readonly limit: number;
  readonly #map = new Map<K, V>();
  /** Keys in insertion order, oldest at `#head`. */
  #order: K[] = [];
  #head = 0;

  /** @param limit The most entries kept; older ones are dropped first. */
  constructor(limit: number) {
    this.limit = limit;
  }

  /** The number of entries. */
  get size(): number {
    return this.#map.size;
  }

  /** The value of `key`, if remembered. */
  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  /** Whether `key` is remembered. */
  has(key: K): boolean {
    return this.#map.has(key);
  }

  /** Sets `key` (an existing key keeps its position), then drops the oldest entries beyond the limit. */
  set(key: K, value: V): this {
    const map = this.#map;
    const before = map.size;
    map.set(key, value);
    const order = this.#order;
    if (map.size !== before) order.push(key);
    while (map.size > this.limit && this.#head < order.length) {
      map.delete(order[this.#head] as K);
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > order.length) {
      order.splice(0, this.#head);
      this.#head = 0;
    }
    return this;
  }
}
