/**
 * The counters behind the connection's resource limits (the options live in config.ts): count-based
 * the queued-control-frame tracker and the bounded closed-stream memory (the abuse budgets are
 * counters in connection.ts).
 * Sans-I/O core: no clock, so every policy counts frames and streams instead of time.
 * The closed-stream memory seeds its hash with Math.random(): the core's one nondeterministic input,
 * there so a peer cannot choose stream IDs that collide (hash flooding). It decides probe order only,
 * so speed may vary with it but no result does (limits.test.ts checks against a seed-free model).
 */

import type { StreamClosedBy } from './stream-state.ts';

/** The list of every queue with nothing queued (never written: a queue takes its own on its first frame). */
const NO_ENDS: number[] = Object.freeze([]) as unknown as number[];

/**
 * Counts the automatic control frames (PING ACK, SETTINGS ACK, RST_STREAM) that sit in the outbound
 * buffer, i.e. that `dataToSend()` has not handed out yet. Positions are absolute byte offsets in
 * the outbound stream (bytes ever queued), so partial reads release exactly the frames they took.
 * Stops Ping/Settings/Reset floods against a peer that never reads (CVE-2019-9512/9515/9514).
 */
export class QueuedControlFrames {
  /** End offsets of queued control frames, oldest first, from `#head` on ({@link NO_ENDS} while none is). */
  #ends: number[] = NO_ENDS;
  #head = 0;

  /** How many control frames are still queued. */
  get count(): number {
    return this.#ends.length - this.#head;
  }

  /** Records a control frame whose last byte ends at absolute offset `end`. */
  add(end: number): void {
    if (this.#ends === NO_ENDS) this.#ends = [];
    this.#ends.push(end);
  }

  /** Releases every control frame that ends at or before absolute offset `taken`. */
  release(taken: number): void {
    const ends = this.#ends;
    let head = this.#head;
    while (head < ends.length && (ends[head] as number) <= taken) head++;
    if (head === ends.length) {
      this.#ends = NO_ENDS;
      head = 0;
    } else if (head > 1024 && head * 2 > ends.length) {
      ends.splice(0, head);
      head = 0;
    }
    this.#head = head;
  }

  /** Forgets every queued frame (the outbound buffer was cleared). */
  clear(): void {
    this.#ends = NO_ENDS;
    this.#head = 0;
  }
}

/** How a stream closed, as remembered: a {@link StreamClosedBy} value, or `null` (closed otherwise). */
export type ClosedHow = StreamClosedBy | null;

/** The octet that stands for `null` in the value table. */
const CLOSED_BY_NULL = 0xff;
const MIN_CAPACITY = 16;
/** The storage of an empty {@link ClosedStreamMemory}, shared (never written: the first entry allocates). */
const NO_KEYS = new Int32Array(0);
const NO_VALUES = new Uint8Array(0);

/**
 * How the most recently forgotten streams closed, keyed by stream ID, forgetting the oldest entries
 * beyond `limit` (insertion order; re-setting an ID keeps its place). Bounds the memory of closed
 * streams against stream-ID walking. Port of h2.utilities.SizeLimitDict as h2 uses it
 * (`_closed_streams`), specialised for its keys and values: a ring of IDs and values in insertion
 * order, plus an open-addressing hash index over typed arrays (stream IDs are 1 … 2^31-1, so 0
 * marks a free slot). It costs a few octets per entry and no allocation per stream.
 *
 * The index is built lazily: an ID above every ID set so far cannot be remembered already, so it
 * only goes into the ring, and the index takes in such pending entries when a lookup (or an
 * out-of-order set) needs it. Streams close roughly in ID order and lookups happen only for frames
 * on forgotten streams, so most entries leave the ring without ever being hashed; each entry is
 * hashed at most once, so a peer forcing lookups gains nothing.
 *
 * The hash mixes the ID with a random seed per instance: a peer choosing stream IDs cannot aim them
 * at one slot to make every lookup walk a long probe chain, and runs of consecutive IDs spread
 * evenly whatever the seed. Only speed depends on the seed, never a result.
 */
export class ClosedStreamMemory {
  /** The most entries kept. */
  readonly limit: number;
  /**
   * Indexed stream IDs by slot (0: free); the capacity is a power of two, at most half full. Empty (the
   * shared zero-length arrays) until the first entry: most connections close no stream for a while.
   */
  #keys = NO_KEYS;
  /** The value of each slot: a StreamClosedBy, or CLOSED_BY_NULL. */
  #values = NO_VALUES;
  /** `32 - log2(capacity)`: the hash keeps the top bits. */
  #shift = 32 - Math.log2(MIN_CAPACITY);
  readonly #seed = Math.floor(Math.random() * 0x100000000) | 0;
  /** Entries in the index. */
  #indexed = 0;
  /** Stream IDs in insertion order, oldest at `#head` (a ring of `#size` entries). */
  #order = NO_KEYS;
  /** The value of each ring entry (read only for entries not indexed yet). */
  #orderValues = NO_VALUES;
  #head = 0;
  #size = 0;
  /** How many entries at the end of the ring are not in the index yet. */
  #pending = 0;
  /** The largest stream ID ever set. */
  #maxId = 0;

  /** @param limit The most entries kept; older ones are dropped first. */
  constructor(limit: number) {
    this.limit = limit;
  }

  /** The number of entries. */
  get size(): number {
    return this.#size;
  }

  /** How stream `streamId` closed, or `undefined` if it is not remembered. */
  get(streamId: number): ClosedHow | undefined {
    this.#indexPending();
    const slot = this.#slotOf(streamId);
    if (slot < 0) return undefined;
    const v = this.#values[slot] as number;
    return v === CLOSED_BY_NULL ? null : (v as StreamClosedBy);
  }

  /** Whether `streamId` is remembered. */
  has(streamId: number): boolean {
    this.#indexPending();
    return this.#slotOf(streamId) >= 0;
  }

  /** Remembers how `streamId` (1 … 2^31-1) closed, then drops the oldest entries beyond the limit. */
  set(streamId: number, closedBy: ClosedHow): void {
    if (!(streamId > 0)) throw new RangeError(`Invalid stream ID ${streamId}`);
    const value = closedBy === null ? CLOSED_BY_NULL : closedBy;
    if (this.limit === 0) return;
    if (streamId > this.#maxId) {
      // New for certain: into the ring only.
      this.#maxId = streamId;
      this.#append(streamId, value);
      this.#pending++;
    } else {
      this.#indexPending();
      const existing = this.#slotOf(streamId);
      if (existing >= 0) {
        this.#values[existing] = value;
        return;
      }
      this.#insert(streamId, value);
      this.#append(streamId, value);
    }
    while (this.#size > this.limit) this.#dropOldest();
  }

  #append(streamId: number, value: number): void {
    if (this.#size === this.#order.length) this.#growOrder();
    const at = (this.#head + this.#size) & (this.#order.length - 1);
    this.#order[at] = streamId;
    this.#orderValues[at] = value;
    this.#size++;
  }

  /** Forgets the oldest entry: from the index, unless it was still pending there. */
  #dropOldest(): void {
    const oldest = this.#order[this.#head] as number;
    if (this.#size > this.#pending) this.#remove(oldest);
    else this.#pending--;
    this.#head = (this.#head + 1) & (this.#order.length - 1);
    this.#size--;
  }

  /** Puts the pending ring entries (all distinct, all new) into the index. */
  #indexPending(): void {
    const mask = this.#order.length - 1;
    for (let i = this.#size - this.#pending; i < this.#size; i++) {
      const at = (this.#head + i) & mask;
      this.#insert(this.#order[at] as number, this.#orderValues[at] as number);
    }
    this.#pending = 0;
  }

  /** The first slot to probe: the top bits of a 32-bit mix (murmur3's finaliser) of the seeded ID. */
  #home(streamId: number): number {
    let h = streamId ^ this.#seed;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> this.#shift;
  }

  #slotOf(streamId: number): number {
    if (this.#indexed === 0) return -1;
    const keys = this.#keys;
    const mask = keys.length - 1;
    for (let i = this.#home(streamId); ; i = (i + 1) & mask) {
      const k = keys[i] as number;
      if (k === 0) return -1;
      if (k === streamId) return i;
    }
  }

  /** Adds a key that is not in the index, growing it to stay at most half full. */
  #insert(streamId: number, value: number): void {
    if (2 * (this.#indexed + 1) > this.#keys.length) this.#resize(Math.max(MIN_CAPACITY, 2 * this.#keys.length));
    this.#place(streamId, value);
    this.#indexed++;
  }

  /** Puts a new key in its first free slot (the table has room). */
  #place(streamId: number, value: number): void {
    const keys = this.#keys;
    const mask = keys.length - 1;
    let i = this.#home(streamId);
    while (keys[i] !== 0) i = (i + 1) & mask;
    keys[i] = streamId;
    this.#values[i] = value;
  }

  /** Deletes a key by shifting back the entries after it that probed past its slot (no tombstones). */
  #remove(streamId: number): void {
    let hole = this.#slotOf(streamId);
    if (hole < 0) return;
    this.#indexed--;
    const keys = this.#keys;
    const values = this.#values;
    const mask = keys.length - 1;
    for (let j = (hole + 1) & mask; keys[j] !== 0; j = (j + 1) & mask) {
      const k = keys[j] as number;
      const home = this.#home(k);
      // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      keys[hole] = k;
      values[hole] = values[j] as number;
      hole = j;
    }
    keys[hole] = 0;
  }

  #resize(capacity: number): void {
    const oldKeys = this.#keys;
    const oldValues = this.#values;
    this.#keys = new Int32Array(capacity);
    this.#values = new Uint8Array(capacity);
    this.#shift = 32 - Math.log2(capacity);
    for (let i = 0; i < oldKeys.length; i++) {
      const k = oldKeys[i] as number;
      if (k !== 0) this.#place(k, oldValues[i] as number);
    }
  }

  #growOrder(): void {
    const old = this.#order;
    const oldValues = this.#orderValues;
    const mask = old.length - 1;
    const capacity = Math.max(MIN_CAPACITY, 2 * old.length);
    const next = new Int32Array(capacity);
    const nextValues = new Uint8Array(capacity);
    for (let i = 0; i < this.#size; i++) {
      next[i] = old[(this.#head + i) & mask] as number;
      nextValues[i] = oldValues[(this.#head + i) & mask] as number;
    }
    this.#order = next;
    this.#orderValues = nextValues;
    this.#head = 0;
  }
}
