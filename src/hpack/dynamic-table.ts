/**
 * The HPACK dynamic table (RFC 7541 §2.3.2, §4): a FIFO of ByteString entries in a ring buffer, so
 * insertion and eviction are O(1); an encoder's table also indexes its entries by name and value, so
 * lookups are O(1) too. Sans-I/O hpack layer. Port of hpack/table.py HeaderTable (dynamic part).
 */
import { MAX_INTEGER } from './integer.ts';

/** RFC 7541 §4.1: "The size of an entry is the sum of its name's length in octets, its value's length in octets, and 32." */
export const ENTRY_OVERHEAD = 32;

/** An entry handed out whole: the decoder's `HeaderField` (a `[name, value]` pair, frozen). */
type EntryPair = [string, string];

/** Default SETTINGS_HEADER_TABLE_SIZE (RFC 9113 §6.5.2): 4,096 octets. */
export const DEFAULT_TABLE_SIZE = 4096;

/**
 * Returns `size` if it is an integer in 0..2^32-1; else throws a RangeError (API misuse: `NaN` would
 * disable eviction and let the table grow without bound).
 */
export function checkTableSize(size: number, what = 'header table size'): number {
  if (!Number.isInteger(size) || size < 0 || size > MAX_INTEGER) {
    throw new RangeError(`${what} must be an integer in 0..2^32-1, got ${String(size)}`);
  }
  return size;
}

/** Size of an entry per RFC 7541 §4.1 (ByteStrings: one char per octet). */
export function entrySize(name: string, value: string): number {
  return name.length + value.length + ENTRY_OVERHEAD;
}

/** Up to this many entries a lookup scans the table; past it an indexed table builds its index. */
const SCAN_LIMIT = 32;

/**
 * The lookup index of one name: the insertion number of the newest entry with that name, and of the
 * newest entry with each value under it.
 */
interface NameIndex {
  newest: number;
  readonly values: Map<string, number>;
}

/** The ring's first capacity, made with the first entry. */
const MIN_RING = 16;
const NO_ENTRIES: string[] = [];

/**
 * The dynamic table. Index 0 is the newest entry (wire index 62 with the static table before it).
 *
 * With `indexed` (the encoder's table), once the table holds more than {@link SCAN_LIMIT} entries
 * every entry is also indexed by name and by name + value, pointing at its insertion number (entry
 * `i` has number `inserted - 1 - i`), and evictions remove the entries they drop from the index:
 * {@link find} is then two Map lookups instead of a scan of the whole table, whose size the peer
 * chooses (SETTINGS_HEADER_TABLE_SIZE, up to 2^32-1). A small table is scanned: that is faster than
 * building and maintaining the Maps, e.g. for a fresh table per connection.
 */
export class DynamicTable {
  // No ring until the first entry: a connection whose peer never indexes a field (or that never sends
  // one) keeps none. NO_ENTRIES is shared and never written (no slot is used while the count is 0).
  #names: string[] = NO_ENTRIES;
  #values: string[] = NO_ENTRIES;
  #mask = -1;
  #head = 0;
  #count = 0;
  #size = 0;
  #maxSize: number;
  /** Whether lookups may use an index (the encoder's table). */
  readonly #indexed: boolean;
  /** name → its newest insertion numbers; `null` until an indexed table outgrows {@link SCAN_LIMIT}. */
  #index: Map<string, NameIndex> | null = null;
  /** Entries ever added: the insertion number of the next one. */
  #inserted = 0;
  /**
   * Entries handed out whole as frozen pairs ({@link pair}: a decoder's indexed fields), by slot; no
   * array until the first. A slot's pair goes when its entry is evicted or replaced.
   */
  #pairs: (EntryPair | undefined)[] | null = null;

  /**
   * Creates an empty table of at most `maxSize` octets (an integer in 0..2^32-1, else RangeError).
   * `indexed` makes {@link find} O(1) at the cost of maintaining the index on every add and eviction.
   */
  constructor(maxSize = DEFAULT_TABLE_SIZE, indexed = false) {
    this.#maxSize = checkTableSize(maxSize);
    this.#indexed = indexed;
  }

  /** Number of entries. */
  get length(): number {
    return this.#count;
  }

  /** Current size in octets (RFC 7541 §4.1). */
  get size(): number {
    return this.#size;
  }

  /**
   * Maximum size in octets. Lowering it evicts the oldest entries until the table fits (RFC 7541 §4.3).
   * Setting anything but an integer in 0..2^32-1 throws a RangeError.
   */
  get maxSize(): number {
    return this.#maxSize;
  }

  set maxSize(value: number) {
    this.#maxSize = checkTableSize(value);
    this.#evictTo(value);
  }

  /** Name of entry `i` (0 = newest); the caller checks `i < length`. */
  name(i: number): string {
    return this.#names[(this.#head + i) & this.#mask]!;
  }

  /** Value of entry `i` (0 = newest); the caller checks `i < length`. */
  value(i: number): string {
    return this.#values[(this.#head + i) & this.#mask]!;
  }

  /**
   * Entry `i` (0 = newest; the caller checks `i < length`) as one frozen `[name, value]` pair, made on its
   * first request and the same object for as long as the entry stays: every header list that refers to
   * the entry shares it (a browser's requests repeat a dozen indexed fields each).
   */
  pair(i: number): EntryPair {
    const slot = (this.#head + i) & this.#mask;
    const pairs = (this.#pairs ??= new Array<EntryPair | undefined>(this.#mask + 1).fill(undefined));
    return (pairs[slot] ??= Object.freeze([this.#names[slot]!, this.#values[slot]!]) as EntryPair);
  }

  /**
   * Adds an entry at the front, evicting from the end until it fits (RFC 7541 §4.4). "an attempt to add
   * an entry larger than the maximum size causes the table to be emptied of all existing entries".
   */
  add(name: string, value: string): void {
    const size = entrySize(name, value);
    if (size > this.#maxSize) {
      this.clear();
      return;
    }
    this.#evictTo(this.#maxSize - size);
    if (this.#count === this.#mask + 1) this.#grow();
    const slot = (this.#head = (this.#head - 1) & this.#mask);
    this.#names[slot] = name;
    this.#values[slot] = value;
    if (this.#pairs !== null) this.#pairs[slot] = undefined;
    this.#count++;
    this.#size += size;
    if (this.#index !== null) this.#indexEntry(this.#index, name, value, this.#inserted);
    this.#inserted++;
  }

  /**
   * Searches newest first: returns `i + 1` for an exact match at entry `i`, `-(i + 1)` for the newest
   * entry with only the name matching, or 0.
   */
  find(name: string, value: string): number {
    if (this.#index === null && this.#indexed && this.#count > SCAN_LIMIT) this.#index = this.#buildIndex();
    if (this.#index !== null) {
      const entry = this.#index.get(name);
      if (entry === undefined) return 0;
      const exact = entry.values.get(value);
      return exact !== undefined ? this.#inserted - exact : -(this.#inserted - entry.newest);
    }
    const names = this.#names;
    const values = this.#values;
    const mask = this.#mask;
    let partial = 0;
    for (let i = 0, slot = this.#head; i < this.#count; i++, slot = (slot + 1) & mask) {
      if (names[slot] === name) {
        if (values[slot] === value) return i + 1;
        if (partial === 0) partial = -(i + 1);
      }
    }
    return partial;
  }

  /** Removes every entry. */
  clear(): void {
    this.#index?.clear();
    for (let i = 0; i < this.#count; i++) {
      const slot = (this.#head + i) & this.#mask;
      this.#names[slot] = '';
      this.#values[slot] = '';
    }
    this.#pairs = null;
    this.#count = 0;
    this.#size = 0;
  }

  /** Evicts the oldest entries until the size is at most `limit`. */
  #evictTo(limit: number): void {
    while (this.#size > limit && this.#count > 0) {
      const slot = (this.#head + --this.#count) & this.#mask;
      const name = this.#names[slot]!;
      const value = this.#values[slot]!;
      this.#size -= entrySize(name, value);
      if (this.#index !== null) this.#unindex(name, value, this.#inserted - 1 - this.#count);
      this.#names[slot] = '';
      this.#values[slot] = '';
      if (this.#pairs !== null) this.#pairs[slot] = undefined;
    }
    if (this.#count === 0) this.#size = 0;
  }

  /** Indexes every current entry, oldest first (so each key ends up with its newest number). */
  #buildIndex(): Map<string, NameIndex> {
    const index = new Map<string, NameIndex>();
    for (let i = this.#count - 1; i >= 0; i--) this.#indexEntry(index, this.name(i), this.value(i), this.#inserted - 1 - i);
    return index;
  }

  /** Records entry number `seq` as the newest with its name and with its name + value. */
  #indexEntry(index: Map<string, NameIndex>, name: string, value: string, seq: number): void {
    const entry = index.get(name);
    if (entry === undefined) {
      index.set(name, { newest: seq, values: new Map([[value, seq]]) });
    } else {
      entry.newest = seq;
      entry.values.set(value, seq);
    }
  }

  /**
   * Drops the evicted entry `seq` (the oldest) from the index. Each index slot holds the newest
   * number of its key, so it names the evicted entry only when no newer entry shares the key; a name
   * whose newest entry is the oldest one in the table has no other entries, so it goes entirely.
   */
  #unindex(name: string, value: string, seq: number): void {
    const entry = this.#index!.get(name);
    if (entry === undefined) return;
    if (entry.values.get(value) === seq) entry.values.delete(value);
    if (entry.newest === seq) this.#index!.delete(name);
  }

  /** Makes the ring (16 slots) or doubles its capacity, moving the entries to slots 0..count-1 in order. */
  #grow(): void {
    const capacity = Math.max(MIN_RING, (this.#mask + 1) * 2);
    const names = new Array<string>(capacity).fill('');
    const values = new Array<string>(capacity).fill('');
    const pairs = this.#pairs === null ? null : new Array<EntryPair | undefined>(capacity).fill(undefined);
    for (let i = 0; i < this.#count; i++) {
      const slot = (this.#head + i) & this.#mask;
      names[i] = this.#names[slot]!;
      values[i] = this.#values[slot]!;
      if (pairs !== null) pairs[i] = this.#pairs![slot];
    }
    this.#pairs = pairs;
    this.#names = names;
    this.#values = values;
    this.#mask = capacity - 1;
    this.#head = 0;
  }
}
