/**
 * `headerEncoding`: how header names and values given or delivered as text map to the octets on the
 * wire, both ways. Sans-I/O core.
 *
 * One rule: received octets are decoded with the encoding, and strings to send are encoded with it,
 * so a header the connection delivered can be sent back unchanged. Without an encoding (`null`/`false`,
 * the default) a string IS the octets, one char per octet (a ByteString); a char above U+00FF then
 * cannot be sent and is a TypeError. A Uint8Array is always sent as it is.
 * Differences from h2, which always encodes an outbound `str` as UTF-8 and only decodes with
 * `header_encoding`: without an encoding a string is a ByteString (h2 has `bytes` for that, and its
 * events deliver `bytes`); and the encoding must be one this module implements (h2 takes any Python
 * codec), checked when it is configured rather than when the first header block arrives.
 */
import { isByteString, notByteStringError } from '../hpack/byte-string.ts';
import type { HeaderEncoding } from './config.ts';
import { utf8ByteString, utf8Decode } from './utf8.ts';

/** One encoding, both ways. */
export interface HeaderCodec {
  /** Decodes a received ByteString, or `null` when it is not valid in this encoding. */
  readonly decode: (s: string) => string | null;
  /**
   * The highest char code a string may hold to be sent unchanged (its octets are its chars); the
   * outbound fast path checks only this.
   */
  readonly sameBelow: number;
  /**
   * Encodes a string to send into its ByteString; called only for strings with a char past
   * {@link sameBelow}.
   * @throws TypeError when the string cannot be sent in this encoding.
   */
  readonly encode: (s: string) => string;
}

/** No encoding: ByteStrings both ways. */
export const BYTE_STRINGS: HeaderCodec = Object.freeze({
  decode: (s: string): string => s,
  sameBelow: 0xff,
  encode: (): never => {
    throw notByteStringError("Header names and values (set headerEncoding: 'utf-8' to send text as UTF-8)");
  },
});

const UTF8: HeaderCodec = Object.freeze({
  decode: (s: string): string | null => utf8Decode(s, true),
  sameBelow: 0x7f,
  encode: utf8ByteString,
});

const LATIN1: HeaderCodec = Object.freeze({
  decode: (s: string): string => s,
  sameBelow: 0xff,
  encode: (): never => {
    throw new TypeError('Header names and values must be latin-1 text (every char at most U+00FF) with headerEncoding latin-1');
  },
});

const ASCII: HeaderCodec = Object.freeze({
  decode: (s: string): string | null => (isAscii(s) ? s : null),
  sameBelow: 0x7f,
  encode: (): never => {
    throw new TypeError('Header names and values must be ASCII with headerEncoding ascii');
  },
});

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** The encodings `headerEncoding` may name (Python codec names and their common aliases), lowercase. */
const CODECS: ReadonlyMap<string, HeaderCodec> = new Map([
  ['utf-8', UTF8],
  ['utf8', UTF8],
  ['utf_8', UTF8],
  ['latin-1', LATIN1],
  ['latin1', LATIN1],
  ['latin_1', LATIN1],
  ['iso-8859-1', LATIN1],
  ['iso8859-1', LATIN1],
  ['iso_8859_1', LATIN1],
  ['ascii', ASCII],
  ['us-ascii', ASCII],
]);

let lastName: string | null = null;
let lastCodec: HeaderCodec = BYTE_STRINGS;

/**
 * The codec of a `headerEncoding` value (names are case-insensitive).
 * @throws RangeError for a name this module does not implement.
 */
export function headerCodec(encoding: HeaderEncoding): HeaderCodec {
  // '' is falsy in h2 too (`if config.header_encoding:`): no encoding.
  if (encoding === null || encoding === false || encoding === '') return BYTE_STRINGS;
  if (encoding === lastName) return lastCodec;
  const codec = CODECS.get(encoding.toLowerCase());
  if (codec === undefined) {
    throw new RangeError(`Unsupported headerEncoding ${JSON.stringify(encoding)}: use one of utf-8, latin-1, ascii (or null for ByteStrings)`);
  }
  lastName = encoding;
  lastCodec = codec;
  return codec;
}

/** Whether `s` is sent unchanged under `codec` (every char at most `codec.sameBelow`). */
export function sendsUnchanged(s: string, codec: HeaderCodec): boolean {
  return codec.sameBelow === 0xff ? isByteString(s) : isAscii(s);
}
