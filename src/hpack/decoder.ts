/**
 * The HPACK decoder: header blocks → header lists, bounded against HPACK bombs.
 * Sans-I/O hpack layer. Port of hpack/hpack.py Decoder.
 */
import { byteStringToBytes, latin1FromBytes } from './byte-string.ts';
import { checkTableSize, DEFAULT_TABLE_SIZE, DynamicTable, ENTRY_OVERHEAD } from './dynamic-table.ts';
import { HPACKDecodingError, InvalidTableIndexError, InvalidTableSizeError, OversizedHeaderListError } from './errors.ts';
import { NeverIndexedHeaderTuple } from './header-tuple.ts';
import { huffmanDecodedLength, huffmanDecodeInto } from './huffman.ts';
import { decodeInteger, type Cursor } from './integer.ts';
import { STATIC_TABLE, STATIC_TABLE_LENGTH } from './static-table.ts';

/** Default `maxHeaderListSize`: 64 KiB, as hpack. */
export const DEFAULT_MAX_HEADER_LIST_SIZE = 65536;

/** A decoded `[name, value]` field: ByteStrings, or octets with `raw`. Never-indexed fields are `NeverIndexedHeaderTuple`s. */
export type HeaderField<T extends string | Uint8Array = string> = [T, T];

/** Options of `Decoder.decode`. */
export interface DecodeOptions {
  /** Return names and values as fresh `Uint8Array`s instead of ByteStrings (default false). */
  raw?: boolean;
  /**
   * What a header list past `maxHeaderListSize` does: `'throw'` (default, hpack's behaviour) throws
   * OversizedHeaderListError and leaves the decoder unusable; `'truncate'` (beyond hpack) decodes the
   * whole block, keeping the dynamic table in sync, but keeps no field past the limit: the fields
   * returned are those within it, and {@link Decoder.lastBlockOversized} is true. Memory stays bounded
   * by the limit (a string past it is never built, unless it enters the table). RFC 9113 §10.5.1: the
   * block must be decoded anyway, and the stream can then be refused without touching the connection.
   */
  oversized?: 'throw' | 'truncate';
  /**
   * Fields sent as an index into the static table (`:method GET`, `:scheme https`, `:path /`, …) come as
   * one shared frozen pair each instead of a new array per field, and so do fields sent as an index
   * into the dynamic table (one frozen pair per entry, shared by every list referring to it while it
   * stays in the table) (beyond hpack; ignored with `raw`): for a caller that never mutates the list
   * (the protocol core, whose header lists are read-only).
   */
  sharedStatic?: boolean;
}

/** The static table's entries as frozen pairs, handed out by `sharedStatic` decoding. */
const STATIC_PAIRS: readonly HeaderField[] = STATIC_TABLE.map(([name, value]) => Object.freeze([name, value]) as HeaderField);

/**
 * Huffman output of the string being decoded, shared by all decoders (decoding is synchronous). A plain
 * array: strings build from it about twice as fast as from a Uint8Array. Emptied after a long string.
 */
const scratch: number[] = [];

/** The read position of the block being decoded: shared, like {@link fieldScratch} (decoding is synchronous). */
const cursorScratch: Cursor = { pos: 0 };

/**
 * The fields of the block being decoded, shared by all decoders (decoding is synchronous): {@link
 * takeFields} copies them out and clears the slots, so it holds nothing between blocks.
 */
const fieldScratch: HeaderField<string | Uint8Array>[] = [];

/** The first `count` scratch fields as a list of their own; the scratch keeps its room (up to a point). */
function takeFields(count: number): HeaderField<string | Uint8Array>[] {
  const fields = fieldScratch.slice(0, count);
  if (fieldScratch.length > KEEP_SCRATCH_FIELDS) fieldScratch.length = 0;
  else fieldScratch.fill(EMPTY_FIELD, 0, count);
  return fields;
}

/**
 * Up to this many octets a string literal is built by {@link shortString}: most header names and values
 * are this short, and a view or copy of the octets made per string was garbage on every request (a
 * typed-array view ~100 B for a raw literal, an array for a Huffman-coded one).
 */
const SHORT_STRING = 64;
/** `exact[n]`: an array of exactly n octets, reused for every string of that length. */
const exact: number[][] = [];

/** The ByteString of `n` octets of `source` from `start`, through the reused array of that length. */
function shortString(source: ArrayLike<number>, start: number, n: number): string {
  let octets = exact[n];
  if (octets === undefined) octets = exact[n] = Array.from({ length: n }, () => 0);
  for (let i = 0; i < n; i++) octets[i] = source[start + i]!;
  return String.fromCharCode.apply(null, octets);
}

/** What a cleared scratch slot holds (no field stays reachable from the scratch). */
const EMPTY_FIELD: HeaderField = ['', ''];
const KEEP_SCRATCH_FIELDS = 1024;
const KEEP_SCRATCH_OCTETS = 16 * 1024;

/** `size` if it is a non-negative safe integer, else a RangeError (API misuse: `NaN` would disable the limit). */
function checkListSize(size: number): number {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`maxHeaderListSize must be a non-negative integer, got ${String(size)}`);
  return size;
}

/**
 * The table of every decoder whose peer has not indexed a field or resized the table yet: empty, at the
 * default size, and never written (only read: its length and size).
 */
const NO_TABLE = new DynamicTable();

/** Decodes header blocks of one compression context (one connection direction). */
export class Decoder {
  #maxHeaderListSize: number;
  #maxAllowedTableSize = DEFAULT_TABLE_SIZE;
  /** The shared empty {@link NO_TABLE} until the peer first indexes a field or resizes the table. */
  #table = NO_TABLE;
  /** Decoded length of the last string #readString read (also when it was not built). */
  #lastLength = 0;
  #lastOversized = false;

  /**
   * Creates a decoder with an empty dynamic table of the default 4,096 octets. `maxHeaderListSize`
   * (default 65,536) bounds each decoded header list; see {@link Decoder.maxHeaderListSize}.
   */
  constructor(maxHeaderListSize = DEFAULT_MAX_HEADER_LIST_SIZE) {
    this.#maxHeaderListSize = checkListSize(maxHeaderListSize);
  }

  /**
   * Most octets a decoded header list may hold, counted as name + value + 32 per field (RFC 9113
   * §6.5.2's measure) while decoding. Stops "HPACK bomb" attacks (CVE-2016-6581): a small block that
   * references large table entries many times; decoding stops with OversizedHeaderListError as soon as
   * the limit is passed, before the offending field is built. A non-negative safe integer, else RangeError.
   */
  get maxHeaderListSize(): number {
    return this.#maxHeaderListSize;
  }

  set maxHeaderListSize(size: number) {
    this.#maxHeaderListSize = checkListSize(size);
  }

  /**
   * Largest table size the peer's encoder may pick: the SETTINGS_HEADER_TABLE_SIZE we sent and that was
   * acknowledged (RFC 7541 §4.2: a size update above it "MUST be treated as a decoding error"). Stops a
   * peer from making us hold an unbounded table. An integer in 0..2^32-1, else RangeError.
   */
  get maxAllowedTableSize(): number {
    return this.#maxAllowedTableSize;
  }

  set maxAllowedTableSize(size: number) {
    this.#maxAllowedTableSize = checkTableSize(size, 'maxAllowedTableSize');
  }

  /**
   * Whether the last block decoded with `oversized: 'truncate'` went past `maxHeaderListSize` (its
   * fields past the limit were decoded but dropped).
   */
  get lastBlockOversized(): boolean {
    return this.#lastOversized;
  }

  /** The dynamic table (read-only use: inspection and tests). */
  get headerTable(): DynamicTable {
    return this.#ownTable();
  }

  /** The table, made this decoder's own if it is the shared empty one. */
  #ownTable(): DynamicTable {
    if (this.#table === NO_TABLE) this.#table = new DynamicTable();
    return this.#table;
  }

  /**
   * Current maximum size of the dynamic table (changed by the peer's size updates). Setting it evicts
   * at once; anything but an integer in 0..2^32-1 throws a RangeError.
   */
  get headerTableSize(): number {
    return this.#table.maxSize;
  }

  set headerTableSize(size: number) {
    this.#ownTable().maxSize = size;
  }

  /**
   * Decodes one complete header block. Throws an HPACKDecodingError subclass on any malformed input;
   * after OversizedHeaderListError the decoder's state is unusable (close the connection).
   */
  decode(block: Uint8Array, options?: DecodeOptions & { raw?: false }): HeaderField<string>[];
  decode(block: Uint8Array, options: DecodeOptions & { raw: true }): HeaderField<Uint8Array>[];
  decode(block: Uint8Array, options?: DecodeOptions): HeaderField<string>[] | HeaderField<Uint8Array>[];
  decode(block: Uint8Array, options?: DecodeOptions): HeaderField<string>[] | HeaderField<Uint8Array>[] {
    const raw = options?.raw === true;
    const truncate = options?.oversized === 'truncate';
    const sharedStatic = !raw && options?.sharedStatic === true;
    let table = this.#table;
    const cursor = cursorScratch;
    const end = block.length;
    const max = this.#maxHeaderListSize;
    // Fields go into the shared scratch list; the list returned is an exact-size copy (a list grown by
    // push keeps room for 17 fields or more: most of it unused for as long as the request is held).
    const headers = fieldScratch;
    let count = 0;
    let listSize = 0;
    // Past the limit (truncate mode): fields are decoded and dropped; only strings that enter the
    // dynamic table are still built, and those are bounded by the table size.
    let over = false;
    let fields = 0;
    this.#lastOversized = false;
    cursor.pos = 0;
    try {
      while (cursor.pos < end) {
        const first = block[cursor.pos]!;
        let name: string | null;
        let value: string | null;
        let neverIndexed = false;
        /** The static entry this field is, whole (an indexed field), or 0. */
        let staticIndex = 0;
        /** The dynamic entry this field is, whole (an indexed field), or -1. */
        let dynamicIndex = -1;
        if (first & 0x80) {
          // Indexed Header Field Representation (RFC 7541 §6.1).
          const index = decodeInteger(block, cursor, 7);
          // RFC 7541 §6.1: "The index value of 0 is not used. It MUST be treated as a decoding error".
          if (index === 0) throw new InvalidTableIndexError('Invalid table index 0');
          if (index <= STATIC_TABLE_LENGTH) {
            const entry = STATIC_TABLE[index - 1]!;
            name = entry[0];
            value = entry[1];
            staticIndex = index;
          } else {
            const i = (dynamicIndex = this.#dynamicIndex(index));
            name = table.name(i);
            value = table.value(i);
          }
        } else if (first & 0x40) {
          // Literal Header Field with Incremental Indexing (RFC 7541 §6.2.1). Truncating, a string that
          // fits in the dynamic table is built even past the list limit: the table needs it.
          const tableBudget = table.maxSize - ENTRY_OVERHEAD;
          const listBudget = over ? -1 : max - listSize - ENTRY_OVERHEAD;
          name = this.#readName(block, 6, truncate ? Math.max(listBudget, tableBudget) : listBudget, truncate);
          const nameLength = this.#lastLength;
          value = this.#readString(block, truncate ? Math.max(listBudget, tableBudget) - nameLength : listBudget - nameLength, truncate);
          if (table === NO_TABLE) table = this.#ownTable();
          if (name === null || value === null) {
            // Not built: larger than the table, which it empties (RFC 7541 §4.4), and past the list limit.
            table.clear();
            over = true;
          } else table.add(name, value);
        } else if (first & 0x20) {
          // RFC 7541 §4.2: a size update "MUST occur at the beginning of the first header block following
          // the change"; one after a header field is a decoding error.
          if (fields > 0) throw new HPACKDecodingError('Table size update not at the start of the block');
          const size = decodeInteger(block, cursor, 5);
          // RFC 7541 §6.3: "The new maximum size MUST be lower than or equal to the limit determined by the protocol".
          if (size > this.#maxAllowedTableSize) {
            throw new InvalidTableSizeError(`Encoder exceeded max allowable table size (${size} > ${this.#maxAllowedTableSize})`);
          }
          if (table === NO_TABLE) table = this.#ownTable();
          table.maxSize = size;
          continue;
        } else {
          // Literal without indexing (§6.2.2, 0000xxxx) or never indexed (§6.2.3, 0001xxxx).
          neverIndexed = (first & 0x10) !== 0;
          name = this.#readName(block, 4, over ? -1 : max - listSize - ENTRY_OVERHEAD, truncate);
          const nameLength = this.#lastLength;
          value = this.#readString(block, over ? -1 : max - listSize - ENTRY_OVERHEAD - nameLength, truncate);
          if (name === null || value === null) over = true;
        }
        fields++;
        if (over || name === null || value === null) continue;
        listSize += name.length + value.length + ENTRY_OVERHEAD;
        if (listSize > max) {
          if (!truncate) throw this.#oversized();
          over = true;
          continue;
        }
        if (raw) {
          const n = byteStringToBytes(name, 'name');
          const v = byteStringToBytes(value, 'value');
          headers[count++] = neverIndexed ? new NeverIndexedHeaderTuple(n, v) : [n, v];
        } else if (sharedStatic && staticIndex > 0) {
          headers[count++] = STATIC_PAIRS[staticIndex - 1]!;
        } else if (sharedStatic && dynamicIndex >= 0) {
          headers[count++] = table.pair(dynamicIndex);
        } else {
          headers[count++] = neverIndexed ? new NeverIndexedHeaderTuple(name, value) : [name, value];
        }
      }
    } catch (e) {
      // No field of a failed block stays reachable from the scratch.
      fieldScratch.fill(EMPTY_FIELD, 0, count);
      throw e;
    }
    this.#lastOversized = over;
    const list = takeFields(count);
    // The peer must have shrunk its table when our allowed maximum went down.
    if (table.maxSize > this.#maxAllowedTableSize) {
      throw new InvalidTableSizeError('Encoder did not shrink table size to within the max');
    }
    return list as HeaderField<string>[] | HeaderField<Uint8Array>[];
  }

  /** Maps a dynamic wire index (> 61) to a table position; past the table is InvalidTableIndexError. */
  #dynamicIndex(index: number): number {
    const i = index - STATIC_TABLE_LENGTH - 1;
    if (i >= this.#table.length) throw new InvalidTableIndexError(`Invalid table index ${index}`);
    return i;
  }

  /** Reads a literal's name: an index in the low `prefixBits` bits, or a string literal after them when 0. */
  #readName(block: Uint8Array, prefixBits: number, budget: number, truncate: boolean): string | null {
    const cursor = cursorScratch;
    const index = decodeInteger(block, cursor, prefixBits);
    if (index === 0) return this.#readString(block, budget, truncate);
    const name = index <= STATIC_TABLE_LENGTH ? STATIC_TABLE[index - 1]![0] : this.#table.name(this.#dynamicIndex(index));
    this.#lastLength = name.length;
    return name;
  }

  /**
   * Reads a string literal (RFC 7541 §5.2) as a ByteString; its decoded length is left in #lastLength.
   * When it would decode to more than `budget` octets the header list is too large: throws before
   * building it, or (truncate) returns null without building it.
   */
  #readString(block: Uint8Array, budget: number, truncate: boolean): string | null {
    const cursor = cursorScratch;
    if (cursor.pos >= block.length) throw new HPACKDecodingError('Truncated header block: missing string literal');
    const huffman = (block[cursor.pos]! & 0x80) !== 0;
    const length = decodeInteger(block, cursor, 7);
    const start = cursor.pos;
    if (length > block.length - start) throw new HPACKDecodingError('Truncated header block: string literal runs past the end');
    cursor.pos = start + length;
    if (!huffman) {
      this.#lastLength = length;
      if (length <= budget) return length <= SHORT_STRING ? shortString(block, start, length) : latin1FromBytes(block, start, start + length);
      if (truncate) return null;
      throw this.#oversized();
    }
    // A string that may decode past the budget (at most 8/5 octets per octet) is measured first, and
    // never materialised when it is past it; still validated: a malformed one is a decoding error.
    if (length * 1.6 > budget) {
      const decoded = huffmanDecodedLength(block, start, start + length);
      if (decoded > budget) {
        this.#lastLength = decoded;
        if (truncate) return null;
        throw this.#oversized();
      }
    }
    const n = huffmanDecodeInto(block, start, start + length, scratch);
    this.#lastLength = n;
    let s: string | null = null;
    if (n <= budget) {
      s = n <= SHORT_STRING
        ? shortString(scratch, 0, n)
        : n > KEEP_SCRATCH_OCTETS
          ? latin1FromBytes(Uint8Array.from(scratch.slice(0, n)))
          : String.fromCharCode.apply(null, n === scratch.length ? scratch : scratch.slice(0, n));
    }
    if (scratch.length > KEEP_SCRATCH_OCTETS) scratch.length = 0;
    if (s === null && !truncate) throw this.#oversized();
    return s;
  }

  /** The error for a header list past `maxHeaderListSize`. */
  #oversized(): OversizedHeaderListError {
    return new OversizedHeaderListError(`A header list larger than ${this.#maxHeaderListSize} has been received`);
  }
}
