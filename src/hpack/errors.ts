/**
 * HPACK error classes: every malformed header block ends in one of these.
 * Sans-I/O hpack layer. Port of hpack/exceptions.py.
 */

/** HTTP/2 COMPRESSION_ERROR (RFC 9113 §7): the code a connection uses to answer an HPACK failure. */
export const COMPRESSION_ERROR = 0x9;

/** Base class of every hpack error. `errorCode` is the HTTP/2 error code the connection should send. */
export class HPACKError extends Error {
  /** HTTP/2 error code for a GOAWAY caused by this error (COMPRESSION_ERROR). */
  readonly errorCode: number = COMPRESSION_ERROR;
  override get name(): string {
    return this.constructor.name;
  }
}

/** A header block could not be decoded (truncated, bad Huffman, misplaced size update, ...). */
export class HPACKDecodingError extends HPACKError {}

/** A header block referenced index 0 or an index past the end of the static + dynamic table. */
export class InvalidTableIndexError extends HPACKDecodingError {}

/**
 * A decoded header list grew past `maxHeaderListSize` (name + value + 32 per field): an "HPACK bomb".
 * The decoder's state is unusable afterwards; the connection should be closed.
 */
export class OversizedHeaderListError extends HPACKDecodingError {}

/** A dynamic table size update exceeded the allowed maximum, or the peer failed to shrink its table. */
export class InvalidTableSizeError extends HPACKDecodingError {}
