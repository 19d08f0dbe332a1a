/**
 * Header fields that carry whether they may enter a compression context.
 * Sans-I/O hpack layer. Port of hpack/struct.py HeaderTuple and NeverIndexedHeaderTuple.
 */

/** A header name or value: a ByteString (one char per octet) or raw octets. */
export type HeaderString = string | Uint8Array;

/**
 * A `[name, value]` header field (an Array of length 2) that may be added to the HPACK dynamic table.
 * Compares element-wise like a plain pair.
 */
export class HeaderTuple<T extends HeaderString = HeaderString> extends Array<T> {
  declare 0: T;
  declare 1: T;
  declare length: 2;

  /** Array methods (map, filter, ...) build plain arrays, never tuples of the wrong length. */
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  /** Creates the field `[name, value]` (length 2). */
  constructor(name: T, value: T) {
    super(2);
    this[0] = name;
    this[1] = value;
  }

  /** Whether an encoder may add this field to its dynamic table. */
  get indexable(): boolean {
    return true;
  }
}

/**
 * A header field that must never be indexed (RFC 7541 §6.2.3), e.g. a secret that must not be
 * exposed to compression-based attacks. Encoders emit it as a never-indexed literal; intermediaries
 * must keep that representation.
 */
export class NeverIndexedHeaderTuple<T extends HeaderString = HeaderString> extends HeaderTuple<T> {
  override get indexable(): boolean {
    return false;
  }
}
