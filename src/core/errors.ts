/**
 * The HTTP/2 error code registry (RFC 9113 §7). Sans-I/O core.
 * Port of h2/errors.py ErrorCodes.
 */

/**
 * Every error code registered by RFC 9113 §7, in RFC spelling. Unknown codes received from a peer
 * (RFC 9113 §7: "Unknown or unsupported error codes MUST NOT trigger any special behavior") are kept
 * as plain numbers, which is what h2's `_error_code_from_int` does.
 */
export const ErrorCodes = {
  /** Graceful shutdown. */
  NO_ERROR: 0x0,
  /** Protocol error detected. */
  PROTOCOL_ERROR: 0x1,
  /** Implementation fault. */
  INTERNAL_ERROR: 0x2,
  /** Flow-control limits exceeded. */
  FLOW_CONTROL_ERROR: 0x3,
  /** Settings not acknowledged. */
  SETTINGS_TIMEOUT: 0x4,
  /** Frame received for closed stream. */
  STREAM_CLOSED: 0x5,
  /** Frame size incorrect. */
  FRAME_SIZE_ERROR: 0x6,
  /** Stream not processed. */
  REFUSED_STREAM: 0x7,
  /** Stream cancelled. */
  CANCEL: 0x8,
  /** Compression state not updated. */
  COMPRESSION_ERROR: 0x9,
  /** TCP connection error for CONNECT method. */
  CONNECT_ERROR: 0xa,
  /** Processing capacity exceeded. */
  ENHANCE_YOUR_CALM: 0xb,
  /** Negotiated TLS parameters not acceptable. */
  INADEQUATE_SECURITY: 0xc,
  /** Use HTTP/1.1 for the request. */
  HTTP_1_1_REQUIRED: 0xd,
} as const;

/** One of the registered error code values (a peer may still send any 32-bit number). */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

const NAMES: readonly string[] = Object.keys(ErrorCodes);

/**
 * The registry name of `code` (`'PROTOCOL_ERROR'`), or `undefined` for an unregistered code.
 * Counterpart of h2's `_error_code_from_int`, which maps known codes to the enum member.
 */
export function errorCodeName(code: number): string | undefined {
  return Number.isInteger(code) && code >= 0 && code < NAMES.length ? NAMES[code] : undefined;
}
