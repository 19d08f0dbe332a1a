/**
 * The HPACK encoder: header lists → header blocks, into one growing buffer.
 * Sans-I/O hpack layer. Port of hpack/hpack.py Encoder.
 * Difference from hpack: a string name or value is a ByteString (one char per octet); one with a char
 * above U+00FF is a TypeError, where hpack encodes every `str` as UTF-8 (a mixed rule would send 'é'
 * as one octet in 'héllo' and as two in '日本é'). Text is encoded by the caller (the core, for
 * `headerEncoding`).
 */
import { isByteString, latin1FromBytes, notByteStringError } from './byte-string.ts';
import { checkTableSize, DynamicTable } from './dynamic-table.ts';
import { HeaderTuple, type HeaderString } from './header-tuple.ts';
import { huffmanEncodeInto } from './huffman.ts';
import { encodeInteger } from './integer.ts';
import { STATIC_TABLE_LENGTH, STATIC_TABLE_MAP } from './static-table.ts';

/**
 * What `Encoder.encode` accepts: `[name, value]` pairs (ByteStrings or octets), `HeaderTuple`s
 * (`NeverIndexedHeaderTuple` for never-indexed fields), or a plain object (pseudo-headers first).
 */
export type HeadersInput = Iterable<readonly [HeaderString, HeaderString]> | Record<string, string>;

/** Options of `Encoder.encode`. */
export interface EncodeOptions {
  /** Huffman-code a literal unless that is longer than its raw octets (default true). */
  huffman?: boolean;
}

/** The shared scratch buffer is kept between blocks unless it grew past this. */
const KEEP_BUFFER_BYTES = 64 * 1024;
/** Nothing to write into: an encoder between blocks holds no buffer of its own. */
const NO_BUFFER: Uint8Array<ArrayBuffer> = new Uint8Array(0);
/**
 * The scratch buffer every encoder writes its block into (the block handed out is a copy), so an idle
 * connection holds none. Taken for the length of one `encode` (`null` meanwhile: an encode reached from
 * inside another, through a caller's header iterable, makes its own).
 */
let spareBuffer: Uint8Array<ArrayBuffer> | null = null;
/** Scratch for a Huffman string's multi-octet length prefix (filled and read within one call). */
const LENGTH_PREFIX = new Uint8Array(6);

/** Octets as a ByteString; anything else (a number from an untyped caller) as its string form, as hpack does. */
function asString(v: unknown): string {
  return v instanceof Uint8Array ? latin1FromBytes(v) : String(v);
}

// Set by Encoder's static block.
let encodeView: (encoder: Encoder, headers: HeadersInput) => Uint8Array;

/**
 * `encoder.encode(headers)` without the copy, for the core's HEADERS path (not exported by the hpack
 * index): the block is a view of the scratch buffer every encoder shares, valid only until the next
 * block any encoder encodes. The core copies it into its outbound buffer before that (one copy and one
 * ArrayBuffer less per header block sent).
 */
export function encodeBlockView(encoder: Encoder, headers: HeadersInput): Uint8Array {
  return encodeView(encoder, headers);
}

/**
 * The table of every encoder that has not added an entry or changed its size yet: empty, at the default
 * size, and never written (only read: found empty, its size read).
 */
const NO_TABLE = new DynamicTable(undefined, true);

/** Encodes header blocks for one compression context (one connection direction). */
export class Encoder {
  /**
   * Indexed: the encoder looks every field up, in a table whose size the peer may make huge. The shared
   * empty {@link NO_TABLE} until the first entry or size change (an idle connection has none of its own).
   */
  #table = NO_TABLE;
  /** Smallest size set since the last block, or -1 when no size update is pending. */
  #pendingMin = -1;
  /** The scratch buffer while a block is encoded (the shared one if free), else {@link NO_BUFFER}. */
  #buf = NO_BUFFER;
  #pos = 0;

  /** The dynamic table (read-only use: inspection and tests). */
  get headerTable(): DynamicTable {
    return this.#ownTable();
  }

  /** The table, made this encoder's own if it is the shared empty one. */
  #ownTable(): DynamicTable {
    if (this.#table === NO_TABLE) this.#table = new DynamicTable(undefined, true);
    return this.#table;
  }

  /**
   * Maximum size of the dynamic table. Setting it evicts at once and queues a Dynamic Table Size
   * Update for the start of the next block. RFC 7541 §4.2: when it shrank and grew again in between,
   * "the smallest maximum table size that occurs in that interval MUST be signaled" before the final one.
   */
  get headerTableSize(): number {
    return this.#table.maxSize;
  }

  set headerTableSize(size: number) {
    checkTableSize(size);
    if (size === this.#table.maxSize) return;
    this.#pendingMin = this.#pendingMin < 0 ? size : Math.min(this.#pendingMin, size);
    this.#ownTable().maxSize = size;
  }

  /** Encodes one header list into one header block. */
  encode(headers: HeadersInput, options?: EncodeOptions): Uint8Array {
    return this.#run(headers, options?.huffman ?? true, false);
  }

  /** Encodes into the scratch buffer: the block as a copy, or (`view`) as a view of the scratch. */
  #run(headers: HeadersInput, huffman: boolean, view: boolean): Uint8Array {
    this.#pos = 0;
    this.#buf = spareBuffer ?? new Uint8Array(512);
    spareBuffer = null;
    try {
      this.#encode(headers, huffman);
      return view ? this.#buf.subarray(0, this.#pos) : this.#buf.slice(0, this.#pos);
    } finally {
      if (this.#buf.length <= KEEP_BUFFER_BYTES) spareBuffer = this.#buf;
      this.#buf = NO_BUFFER;
    }
  }

  static {
    encodeView = (encoder, headers) => encoder.#run(headers, true, true);
  }

  #encode(headers: HeadersInput, huffman: boolean): void {
    if (this.#pendingMin >= 0) {
      this.#ensure(12);
      const final = this.#table.maxSize;
      if (this.#pendingMin < final) this.#pos = encodeInteger(this.#buf, this.#pos, this.#pendingMin, 5, 0x20);
      this.#pos = encodeInteger(this.#buf, this.#pos, final, 5, 0x20);
      this.#pendingMin = -1;
    }
    if (Symbol.iterator in headers) {
      for (const h of headers as Iterable<readonly [HeaderString, HeaderString]>) {
        this.#add(h[0], h[1], h instanceof HeaderTuple && !h.indexable, huffman);
      }
    } else {
      // hpack's dict handling: pseudo-headers first, each group in insertion order.
      const record = headers as Record<string, string>;
      const keys = Object.keys(record);
      for (const k of keys) if (k.charCodeAt(0) === 0x3a) this.#add(k, record[k]!, false, huffman);
      for (const k of keys) if (k.charCodeAt(0) !== 0x3a) this.#add(k, record[k]!, false, huffman);
    }
  }

  /** Encodes one field, choosing the representation as hpack does. */
  #add(rawName: HeaderString, rawValue: HeaderString, sensitive: boolean, huffman: boolean): void {
    const name = typeof rawName === 'string' ? rawName : asString(rawName);
    const value = typeof rawValue === 'string' ? rawValue : asString(rawValue);
    const index = this.#find(name, value);
    // An exact match is a ByteString already; anything else is checked once. Unlike hpack, which
    // encodes every str as UTF-8, a string is taken as octets (see ./byte-string).
    if (index <= 0 && !(isByteString(name) && isByteString(value))) throw notByteStringError('Header names and values');
    this.#ensure(18 + name.length + value.length);
    const buf = this.#buf;
    if (index > 0 && !sensitive) {
      // Exact match: Indexed Header Field (RFC 7541 §6.1).
      this.#pos = encodeInteger(buf, this.#pos, index, 7, 0x80);
      return;
    }
    if (sensitive && index !== 0) {
      // RFC 7541 §6.2.3: never indexed, with the matching entry's name. Unlike hpack, a sensitive field
      // stays a never-indexed literal even on an exact match, so intermediaries keep its protection.
      this.#pos = encodeInteger(buf, this.#pos, Math.abs(index), 4, 0x10);
    } else if (index < 0) {
      // Name match: Literal Header Field with Incremental Indexing, indexed name (RFC 7541 §6.2.1).
      this.#pos = encodeInteger(buf, this.#pos, -index, 6, 0x40);
    } else {
      buf[this.#pos++] = sensitive ? 0x10 : 0x40;
      this.#writeString(name, huffman);
    }
    this.#writeString(value, huffman);
    // RFC 7541 §7.1.3: a never-indexed field must not enter the dynamic table.
    if (!sensitive) this.#ownTable().add(name, value);
  }

  /** Wire index of an exact match (> 0), minus the wire index of a name match (< 0), or 0. */
  #find(name: string, value: string): number {
    const entry = STATIC_TABLE_MAP.get(name);
    if (entry !== undefined) {
      const exact = entry.values.get(value);
      if (exact !== undefined) return exact;
    }
    const dynamic = this.#table.find(name, value);
    if (dynamic > 0) return dynamic + STATIC_TABLE_LENGTH;
    if (entry !== undefined) return -entry.index;
    return dynamic < 0 ? dynamic - STATIC_TABLE_LENGTH : 0;
  }

  /**
   * Writes a string literal (RFC 7541 §5.2), Huffman-coded when allowed and not longer than the raw
   * octets (ties go to Huffman, as in RFC 7541 C.6.2's "307").
   */
  #writeString(s: string, huffman: boolean): void {
    const buf = this.#buf;
    const start = this.#pos;
    if (huffman) {
      // One pass: code after a 1-octet length prefix, giving up once longer than raw (the 6 octets
      // #ensure reserved per string for the prefix cover the overshoot); a length of 127 or more needs
      // a longer prefix, so the coded octets move up to make room.
      const end = huffmanEncodeInto(s, buf, start + 1, start + 1 + s.length);
      if (end >= 0) {
        const length = end - start - 1;
        if (length < 127) {
          buf[start] = 0x80 | length;
          this.#pos = end;
          return;
        }
        const prefix = encodeInteger(LENGTH_PREFIX, 0, length, 7, 0x80);
        buf.copyWithin(start + prefix, start + 1, end);
        buf.set(LENGTH_PREFIX.subarray(0, prefix), start);
        this.#pos = end + prefix - 1;
        return;
      }
    }
    let p = encodeInteger(buf, start, s.length, 7, 0);
    for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
    this.#pos = p;
  }

  /** Makes room for `n` more octets. */
  #ensure(n: number): void {
    const need = this.#pos + n;
    if (need <= this.#buf.length) return;
    const grown = new Uint8Array(Math.max(need, this.#buf.length * 2));
    grown.set(this.#buf.subarray(0, this.#pos));
    this.#buf = grown;
  }
}
