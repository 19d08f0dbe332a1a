/**
 * HPACK prefixed integers (RFC 7541 §5.1), bounded so that a hostile varint cannot run away.
 * Sans-I/O hpack layer. Port of hpack/hpack.py encode_integer/decode_integer (4.2.0 length guard).
 */
import { HPACKDecodingError } from './errors.ts';

/** Largest integer accepted on the wire: 2^32-1 (indices, lengths and table sizes all fit). */
export const MAX_INTEGER = 0xffffffff;

/** Most continuation octets after the prefix octet (hpack 4.2.0's VARINT_MAX_LENGTH). */
export const MAX_CONTINUATION_OCTETS = 5;

/** A read position within a header block, advanced by the decoding functions. */
export interface Cursor {
  /** Offset of the next octet to read in the block. */
  pos: number;
}

/**
 * Decodes the integer whose prefix occupies the low `prefixBits` of `data[cursor.pos]` and advances
 * the cursor past it. Throws HPACKDecodingError when truncated, longer than 5 continuation octets, or
 * larger than 2^32-1 (an unbounded varint is a denial-of-service vector). RFC 7541 §5.1: "Integer
 * encodings that exceed implementation limits -- in value or octet length -- MUST be treated as
 * decoding errors."
 */
export function decodeInteger(data: Uint8Array, cursor: Cursor, prefixBits: number): number {
  let pos = cursor.pos;
  const end = data.length;
  if (pos >= end) throw new HPACKDecodingError('Unable to decode HPACK integer: no octets left');
  const max = (1 << prefixBits) - 1;
  let value = data[pos++]! & max;
  if (value < max) {
    cursor.pos = pos;
    return value;
  }
  let multiplier = 1;
  for (let n = 0; ; n++) {
    if (n === MAX_CONTINUATION_OCTETS) throw new HPACKDecodingError('Variable integer representation is too long');
    if (pos >= end) throw new HPACKDecodingError('Unable to decode HPACK integer: truncated');
    const b = data[pos++]!;
    value += (b & 0x7f) * multiplier;
    if (b < 0x80) break;
    multiplier *= 128;
  }
  if (value > MAX_INTEGER) throw new HPACKDecodingError(`HPACK integer ${value} exceeds 2^32-1`);
  cursor.pos = pos;
  return value;
}

/**
 * Writes `value` with a `prefixBits` prefix at `out[offset]`, OR-ing `flags` into the first octet, and
 * returns the offset after it. The caller guarantees room for 6 octets.
 */
export function encodeInteger(out: Uint8Array, offset: number, value: number, prefixBits: number, flags: number): number {
  const max = (1 << prefixBits) - 1;
  if (value < max) {
    out[offset++] = flags | value;
    return offset;
  }
  out[offset++] = flags | max;
  value -= max;
  while (value >= 128) {
    out[offset++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  out[offset++] = value;
  return offset;
}
