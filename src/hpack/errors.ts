/**
 * HPACK error classes: every malformed header block ends in one of these.
 * Sans-I/O hpack layer. Port of hpack/exceptions.py.
 */

/** HTTP/2 COMPRESSION_ERROR (RFC 9113 §7): the code a connection uses to answer an HPACK failure. */
export const COMPRESSION_ERROR = 0x9;

/**
 * Base class of every hpack error. `errorCode` is the HTTP/2 error code the connection should send.
 * Each class names itself with a string literal, which survives minification (`constructor.name` does not).
 */
export class HPACKError extends Error {
  override name = 'HPACKError';
  /** HTTP/2 error code for a GOAWAY caused by this error (COMPRESSION_ERROR). */
  readonly errorCode: number = COMPRESSION_ERROR;
}

/** A header block could not be decoded (truncated, bad Huffman, misplaced size update, ...). */
export class HPACKDecodingError extends HPACKError {
  override name = 'HPACKDecodingError';
}

/** A header block referenced index 0 or an index past the end of the static + dynamic table. */
export class InvalidTableIndexError extends HPACKDecodingError {
  override name = 'InvalidTableIndexError';
}

/**
 * A decoded header list grew past `maxHeaderListSize` (name + value + 32 per field): an "HPACK bomb".
 * The decoder's state is unusable afterwards; the connection should be closed.
 */
export class OversizedHeaderListError extends HPACKDecodingError {
  override name = 'OversizedHeaderListError';
}

/** A dynamic table size update exceeded the allowed maximum, or the peer failed to shrink its table. */
export class InvalidTableSizeError extends HPACKDecodingError {
  override name = 'InvalidTableSizeError';
}
