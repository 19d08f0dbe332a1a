/**
 * Table-driven HPACK Huffman coding (RFC 7541 §5.2, Appendix B), both directions.
 * Sans-I/O hpack layer. Port of hpack/huffman.py and hpack/huffman_table.py: decoding is nghttp2's
 * finite state machine over 4-bit nibbles, its transition table generated here from the code table.
 */
import { HPACKDecodingError } from './errors.ts';
import { latin1FromBytes } from './byte-string.ts';
import { HUFFMAN_CODES, HUFFMAN_CODE_LENGTHS, HUFFMAN_EOS, HUFFMAN_SYMBOL_COUNT } from './huffman-table.ts';

/** Transition flag: the state after this nibble may end the string (padding so far is ≤ 7 one-bits). */
const ACCEPT = 0x100;
/** Transition flag: this nibble completed a symbol (in bits 16..23). */
const EMIT = 0x200;
/** Transition flag: this nibble completed EOS, which RFC 7541 §5.2 forbids inside a string. */
const FAIL = 0x400;

/**
 * Builds the decoding automaton: 256 states (the internal nodes of the code tree) × 16 nibbles.
 * Entry = nextState | flags | symbol << 16. A code's shortest length is 5 bits, so a nibble completes
 * at most one symbol.
 */
function buildDecodeTable(): Uint32Array {
  // Code tree: child[node * 2 + bit] = internal node number, or LEAF | symbol.
  const LEAF = 0x10000;
  const child = new Int32Array(512).fill(-1);
  let nodes = 1;
  for (let sym = 0; sym < HUFFMAN_SYMBOL_COUNT; sym++) {
    const code = HUFFMAN_CODES[sym]!;
    const len = HUFFMAN_CODE_LENGTHS[sym]!;
    let node = 0;
    for (let i = len - 1; i >= 0; i--) {
      const slot = node * 2 + ((code >>> i) & 1);
      if (i === 0) child[slot] = LEAF | sym;
      else {
        if (child[slot] === -1) child[slot] = nodes++;
        node = child[slot]!;
      }
    }
  }
  // RFC 7541 §5.2: padding is the most significant bits of EOS (all ones) and at most 7 bits, so the
  // accepting states are the root and the nodes reached from it by 1 to 7 one-bits.
  const accepting = new Uint8Array(nodes);
  accepting[0] = 1;
  for (let node = 0, depth = 1; depth <= 7; depth++) {
    node = child[node * 2 + 1]!;
    accepting[node] = 1;
  }
  const table = new Uint32Array(nodes * 16);
  for (let state = 0; state < nodes; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let entry = 0;
      for (let bit = 3; bit >= 0; bit--) {
        const next = child[node * 2 + ((nibble >>> bit) & 1)]!;
        if (next & LEAF) {
          const sym = next & 0xffff;
          if (sym === HUFFMAN_EOS) {
            entry = FAIL;
            break;
          }
          entry = EMIT | (sym << 16);
          node = 0;
        } else node = next;
      }
      if (!(entry & FAIL)) entry |= node | (accepting[node] ? ACCEPT : 0);
      table[state * 16 + nibble] = entry;
    }
  }
  return table;
}

const DECODE_TABLE = buildDecodeTable();

/**
 * Decodes the Huffman string `src[start..end)` into `out[0..]` and returns the decoded length. `out` is
 * a plain array (it grows as needed): `String.fromCharCode.apply` builds strings from one about twice
 * as fast as from a typed array. Throws HPACKDecodingError on EOS, or padding that is longer than 7
 * bits or not all ones (RFC 7541 §5.2: "MUST be treated as a decoding error").
 */
export function huffmanDecodeInto(src: Uint8Array, start: number, end: number, out: number[]): number {
  const table = DECODE_TABLE;
  let state = 0;
  let n = 0;
  let accept = ACCEPT;
  for (let i = start; i < end; i++) {
    const b = src[i]!;
    let e = table[(state << 4) | (b >>> 4)]!;
    if (e & EMIT) out[n++] = e >>> 16;
    else if (e & FAIL) throw new HPACKDecodingError('Invalid Huffman string: contains EOS');
    e = table[((e & 0xff) << 4) | (b & 0xf)]!;
    if (e & EMIT) out[n++] = e >>> 16;
    else if (e & FAIL) throw new HPACKDecodingError('Invalid Huffman string: contains EOS');
    state = e & 0xff;
    accept = e & ACCEPT;
  }
  if (!accept) throw new HPACKDecodingError('Incomplete Huffman string: padding is not a prefix of EOS of at most 7 bits');
  return n;
}

/**
 * The decoded length of the Huffman string `src[start..end)`, validating it as
 * {@link huffmanDecodeInto} does but keeping nothing: a string too long to keep costs no memory.
 */
export function huffmanDecodedLength(src: Uint8Array, start: number, end: number): number {
  const table = DECODE_TABLE;
  let state = 0;
  let n = 0;
  let accept = ACCEPT;
  for (let i = start; i < end; i++) {
    const b = src[i]!;
    let e = table[(state << 4) | (b >>> 4)]!;
    if (e & EMIT) n++;
    else if (e & FAIL) throw new HPACKDecodingError('Invalid Huffman string: contains EOS');
    e = table[((e & 0xff) << 4) | (b & 0xf)]!;
    if (e & EMIT) n++;
    else if (e & FAIL) throw new HPACKDecodingError('Invalid Huffman string: contains EOS');
    state = e & 0xff;
    accept = e & ACCEPT;
  }
  if (!accept) throw new HPACKDecodingError('Incomplete Huffman string: padding is not a prefix of EOS of at most 7 bits');
  return n;
}

/** Decodes a whole Huffman string into fresh octets. */
export function huffmanDecode(src: Uint8Array): Uint8Array {
  const out: number[] = [];
  huffmanDecodeInto(src, 0, src.length, out);
  return Uint8Array.from(out);
}

/** Length in octets of the Huffman coding of the ByteString `s` (padding included). */
export function huffmanEncodedLength(s: string): number {
  const lengths = HUFFMAN_CODE_LENGTHS;
  let bits = 0;
  for (let i = 0; i < s.length; i++) bits += lengths[s.charCodeAt(i) & 0xff]!;
  return (bits + 7) >>> 3;
}

/**
 * Writes the Huffman coding of the ByteString `s` at `out[offset]`, padded with the most significant
 * bits of EOS (ones), and returns the offset after it, or -1 as soon as the coding would end past
 * `limit` (the caller then sends the string raw). `out` must have room for `limit - offset + 4` octets.
 */
export function huffmanEncodeInto(s: string, out: Uint8Array, offset: number, limit: number): number {
  const codes = HUFFMAN_CODES;
  const lengths = HUFFMAN_CODE_LENGTHS;
  // `acc` holds `nbits` (< 8 between symbols) pending bits in its low end; higher garbage bits are
  // shifted out or dropped when an octet is stored, so the accumulator never needs masking.
  let acc = 0;
  let nbits = 0;
  let p = offset;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) & 0xff;
    let code = codes[c]!;
    let len = lengths[c]!;
    if (len > 24) {
      // Codes up to 30 bits: emit the top part first so the 32-bit accumulator cannot overflow.
      const high = len - 16;
      acc = (acc << high) | (code >>> 16);
      nbits += high;
      while (nbits >= 8) out[p++] = acc >>> (nbits -= 8);
      code &= 0xffff;
      len = 16;
    }
    acc = (acc << len) | code;
    nbits += len;
    while (nbits >= 8) out[p++] = acc >>> (nbits -= 8);
    if (p > limit) return -1;
  }
  if (nbits > 0) out[p++] = (acc << (8 - nbits)) | (0xff >>> nbits);
  return p > limit ? -1 : p;
}

/** Huffman-codes `bytes` into fresh octets. */
export function huffmanEncode(bytes: Uint8Array): Uint8Array {
  const s = latin1FromBytes(bytes);
  const out = new Uint8Array(huffmanEncodedLength(s) + 4);
  return out.slice(0, huffmanEncodeInto(s, out, 0, out.length));
}
