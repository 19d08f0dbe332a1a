/**
 * The frame flag bits the connection tests and sets on every request, as numbers: reading
 * `frame.flags.bits` costs nothing, while `flags.has(name)` looks the name up. Sans-I/O core.
 * Values from RFC 9113 §6.1, §6.2.
 */

/** END_STREAM (0x01) on DATA and HEADERS (RFC 9113 §6.1, §6.2). */
export const END_STREAM_BIT = 0x01;
/** END_HEADERS (0x04) on HEADERS, PUSH_PROMISE and CONTINUATION (RFC 9113 §6.2). */
export const END_HEADERS_BIT = 0x04;
/** PRIORITY (0x20) on HEADERS (RFC 9113 §6.2). */
export const PRIORITY_BIT = 0x20;
