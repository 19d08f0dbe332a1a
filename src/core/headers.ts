/**
 * Header-list utilities and the normalisation pipelines for outbound and inbound header blocks
 * (RFC 9113 §8.2, §8.2.3). Sans-I/O core. Port of h2/utilities.py (all but the validators, which are
 * in ./header-validation, and SizeLimitDict).
 */

// Each pipeline is one pass over the list and allocates only for fields it changes.
// Differences from h2:
// - Outbound names and values may be strings or Uint8Array. Strings are encoded with
//   `headerEncoding`, and are ByteStrings without one (./header-encoding), where h2 encodes every
//   `str` as UTF-8.
// - `headerEncoding` supports 'utf-8' (and aliases), 'latin-1'/'iso-8859-1' and 'ascii'; invalid
//   input is a `ProtocolError` (h2 lets a `UnicodeDecodeError` escape).
// Difference from h2 4.1 (Debian's oracle), following 4.4.1: outbound cookies can be split
// (`splitOutboundCookies`, absent from 4.1).

import { describe, latin1FromBytes } from '../hpack/byte-string.ts';
import { HeaderTuple, type HeadersInput, NeverIndexedHeaderTuple } from '../hpack/index.ts';
import { CheckedStrings } from './checked-strings.ts';
import type { Header } from './events.ts';
import { FlowControlError, ProtocolError } from './exceptions.ts';
import { BYTE_STRINGS, type HeaderCodec, headerCodec, sendsUnchanged } from './header-encoding.ts';
import { LARGEST_FLOW_CONTROL_WINDOW } from './windows.ts';

/** Headers as the API accepts them outbound: `[name, value]` pairs (strings or octets) or a record. */
export type OutboundHeaders = HeadersInput;

/**
 * Which checks apply to a header block. Port of h2.utilities.HeaderValidationFlags (`isClient` and
 * `isPushPromise` are carried for parity; no rule reads them, as in h2).
 */
export interface HeaderValidationFlags {
  /** Whether we are the client side of the stream. */
  readonly isClient: boolean;
  /** Whether the block is trailers. */
  readonly isTrailer: boolean;
  /** Whether the block is response headers (final or informational). */
  readonly isResponseHeader: boolean;
  /** Whether the block is the request of a PUSH_PROMISE. */
  readonly isPushPromise: boolean;
}

/**
 * Hop-by-hop fields forbidden in HTTP/2.
 * RFC 9113 §8.2.2
 * > An endpoint MUST NOT generate an HTTP/2 message containing connection-specific header fields.
 */
export const CONNECTION_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
]);

/** Whether `name` is one of {@link CONNECTION_HEADERS} (a length switch: no hashing in the hot path). */
export function isConnectionHeader(name: string): boolean {
  switch (name.length) {
    case 7:
      return name === 'upgrade';
    case 10:
      return name === 'connection' || name === 'keep-alive';
    case 16:
      return name === 'proxy-connection';
    case 17:
      return name === 'transfer-encoding';
    default:
      return false;
  }
}

/** Fields that may carry credentials open to dictionary attacks on the compression context. */
function isSecureHeader(name: string): boolean {
  return name === 'authorization' || name === 'proxy-authorization';
}

/** Outbound cookies shorter than this are never indexed (the Firefox / nghttp2 heuristic, as h2). */
const SHORT_COOKIE = 20;

/**
 * The request method (`:method` value) of a header list, or `null`.
 * Port of h2.utilities.extract_method_header.
 */
export function extractMethodHeader(headers: Iterable<Header>): string | null {
  for (const h of headers) if (h[0] === ':method') return h[1];
  return null;
}

/**
 * Whether a (well-formed, pseudo-headers first) header list is an informational 1xx response: scans
 * the leading pseudo-headers for `:status` and checks its first digit.
 * Port of h2.utilities.is_informational_response.
 */
export function isInformationalResponse(headers: Iterable<Header>): boolean {
  for (const h of headers) {
    const name = h[0];
    if (name.charCodeAt(0) !== 0x3a) return false;
    if (name !== ':status') continue;
    return h[1].charCodeAt(0) === 0x31;
  }
  return false;
}

/**
 * `current + increment`, guarding the 2^31-1 ceiling. Port of h2.utilities.guard_increment_window.
 * RFC 9113 §6.9.1
 * > A sender MUST NOT allow a flow-control window to exceed 2^31-1 octets.
 * @throws FlowControlError if the window would exceed it.
 */
export function guardIncrementWindow(current: number, increment: number): number {
  const newSize = current + increment;
  if (newSize > LARGEST_FLOW_CONTROL_WINDOW) {
    throw new FlowControlError(`May not increment flow control window past ${LARGEST_FLOW_CONTROL_WINDOW}`);
  }
  return newSize;
}

/**
 * The `:authority` value of a request header list, or `null`.
 * Port of h2.utilities.authority_from_headers.
 */
export function authorityFromHeaders(headers: Iterable<Header>): string | null {
  for (const h of headers) if (h[0] === ':authority') return h[1];
  return null;
}

/** Rebuilds `header` with a new name and value, keeping its HeaderTuple class (plain pairs stay plain). */
function rebuild(header: Header, name: string, value: string): Header {
  if (header instanceof NeverIndexedHeaderTuple) return new NeverIndexedHeaderTuple(name, value) as Header;
  if (header instanceof HeaderTuple) return new HeaderTuple(name, value) as Header;
  return [name, value];
}

/** A name or value to send as its ByteString: octets as they are, a string encoded with `codec`. */
function encodeField(v: unknown, codec: HeaderCodec): string {
  if (typeof v === 'string') return sendsUnchanged(v, codec) ? v : codec.encode(v);
  if (v instanceof Uint8Array) return latin1FromBytes(v);
  throw new TypeError(`Header names and values must be strings or Uint8Array, not ${describe(v)}`);
}

/**
 * Turns outbound headers into ByteString pairs, encoding strings with `codec` (see
 * ./header-encoding), keeping `HeaderTuple`/`NeverIndexedHeaderTuple` classes. A field needing no
 * change is kept as the same object. Port of h2.utilities.utf8_encode_headers.
 * @throws TypeError for a field that is not a 2-element pair of strings/Uint8Array, or a string the
 *   encoding cannot send.
 */
export function encodeOutboundHeaders(headers: OutboundHeaders, codec: HeaderCodec = BYTE_STRINGS): Header[] {
  const out: Header[] = [];
  if (isRecord(headers)) {
    for (const name of Object.keys(headers)) out.push([encodeField(name, codec), encodeField(headers[name], codec)]);
    return out;
  }
  for (const h of headers) {
    if (!Array.isArray(h)) throw new TypeError('Each header must be a [name, value] pair');
    const n: unknown = h[0];
    const v: unknown = h[1];
    if (typeof n === 'string' && typeof v === 'string' && sendsUnchanged(n, codec) && sendsUnchanged(v, codec)) {
      out.push(h.length === 2 ? (h as unknown as Header) : [n, v]);
    } else {
      out.push(rebuild(h as unknown as Header, encodeField(n, codec), encodeField(v, codec)));
    }
  }
  return out;
}

/**
 * Whether a field name needs no outbound work: no uppercase letter, no surrounding whitespace, every
 * char at most `limit` (sent as it is), and not a field the normaliser drops or re-flags
 * (connection-specific, secret, cookie).
 */
function isNormalName(name: string, limit: number, seen: CheckedStrings): boolean {
  if (seen.has(name)) return true;
  const n = name.length;
  if (n === 0 || isAsciiSpace(name.charCodeAt(0)) || isAsciiSpace(name.charCodeAt(n - 1))) return false;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || c > limit) return false;
  }
  if (isConnectionHeader(name) || isSecureHeader(name) || name === 'cookie') return false;
  seen.add(name);
  return true;
}

/** Whether a field value needs no outbound work: no surrounding whitespace, every char at most `limit`. */
function isNormalValue(value: string, limit: number, seen: CheckedStrings): boolean {
  if (seen.has(value)) return true;
  const n = value.length;
  if (n > 0 && (isAsciiSpace(value.charCodeAt(0)) || isAsciiSpace(value.charCodeAt(n - 1)))) return false;
  for (let i = 0; i < n; i++) if (value.charCodeAt(i) > limit) return false;
  seen.add(value);
  return true;
}

/** Outbound names and values found normal (the checks depend on the string and the limit only). */
const NORMAL_NAMES = new CheckedStrings(512, 128);
const NORMAL_VALUES = new CheckedStrings(512, 256);
/** The same for encodings that send only ASCII unchanged (utf-8, ascii). */
const NORMAL_ASCII_NAMES = new CheckedStrings(512, 128);
const NORMAL_ASCII_VALUES = new CheckedStrings(512, 256);

/**
 * Whether an outbound header list is already in the form both {@link encodeOutboundHeaders} and
 * {@link normalizeOutboundHeaders} would give under `codec`: an array of `[name, value]` string pairs
 * whose every field passes through both unchanged (the same field objects, in the same order). The
 * usual case (lowercase names, ASCII values) then skips both passes and their allocations; the caller
 * may use the list as it is, reading it only during the call.
 */
export function isNormalizedOutboundHeaderList(headers: OutboundHeaders, codec: HeaderCodec = BYTE_STRINGS): headers is readonly Header[] {
  if (!Array.isArray(headers)) return false;
  const limit = codec.sameBelow;
  const names = limit === 0xff ? NORMAL_NAMES : NORMAL_ASCII_NAMES;
  const values = limit === 0xff ? NORMAL_VALUES : NORMAL_ASCII_VALUES;
  for (let i = 0; i < headers.length; i++) {
    const h: unknown = headers[i];
    if (!Array.isArray(h) || h.length !== 2) return false;
    const name: unknown = h[0];
    const value: unknown = h[1];
    if (typeof name !== 'string' || typeof value !== 'string' || !isNormalName(name, limit, names) || !isNormalValue(value, limit, values)) return false;
  }
  return true;
}

function isRecord(h: OutboundHeaders): h is Record<string, string> {
  return typeof (h as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function';
}

/** ASCII-lowercases a ByteString (Python's `bytes.lower()`: only A–Z change). */
function asciiLower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) {
      let out = s.slice(0, i);
      for (let j = i; j < s.length; j++) {
        const d = s.charCodeAt(j);
        out += d >= 0x41 && d <= 0x5a ? String.fromCharCode(d + 0x20) : s[j];
      }
      return out;
    }
  }
  return s;
}

/** Python's `bytes.isspace()` set: SP, HT, LF, VT, FF, CR. */
function isAsciiSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** Python's `bytes.strip()`: removes ASCII whitespace at both ends. */
function asciiStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isAsciiSpace(s.charCodeAt(a))) a++;
  while (b > a && isAsciiSpace(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/**
 * Normalises a header list we are about to send, in h2's order per field: lowercase the name, split
 * `cookie` values on `"; "` (only when `shouldSplitOutboundCookies`), strip surrounding whitespace from
 * name and value, drop connection-specific fields, and make secrets never-indexed (`authorization`,
 * `proxy-authorization`, and cookies shorter than 20 bytes). Port of
 * h2.utilities.normalize_outbound_headers.
 */
export function normalizeOutboundHeaders(
  headers: readonly Header[],
  _flags: HeaderValidationFlags | null,
  shouldSplitOutboundCookies = false,
): Header[] {
  const out: Header[] = [];
  for (const header of headers) {
    const name = asciiLower(header[0]);
    // RFC 9113 §8.2.3: the Cookie header field MAY be split into separate fields.
    if (shouldSplitOutboundCookies && name === 'cookie') {
      for (const crumb of header[1].split('; ')) pushNormalized(out, header, name, crumb);
    } else {
      pushNormalized(out, header, name, header[1]);
    }
  }
  return out;
}

function pushNormalized(out: Header[], header: Header, lowered: string, value: string): void {
  const name = asciiStrip(lowered);
  const v = asciiStrip(value);
  // RFC 9113 §8.2.2 (see CONNECTION_HEADERS): dropped silently, as h2 does.
  if (isConnectionHeader(name)) return;
  // RFC 7541 §7.1.3
  // > An encoder might also choose not to index values for header fields that are considered to be
  // > highly valuable or sensitive to recovery, such as the Cookie or Authorization header fields.
  if (isSecureHeader(name) || (name === 'cookie' && v.length < SHORT_COOKIE)) {
    out.push(new NeverIndexedHeaderTuple(name, v) as Header);
  } else if (name === header[0] && v === header[1]) {
    out.push(header);
  } else {
    out.push(rebuild(header, name, v));
  }
}

/**
 * Normalises a received header list: joins every `cookie` field with `"; "` into one never-indexed
 * field placed at the end of the list (even a single cookie moves there). Returns the input itself
 * when it has no cookie. Port of h2.utilities.normalize_inbound_headers.
 * RFC 9113 §8.2.3
 * > If there are multiple Cookie header fields after decompression, these MUST be concatenated into
 * > a single octet string using the two-octet delimiter of 0x3b, 0x20 (the ASCII string "; ").
 */
export function normalizeInboundHeaders(headers: Header[], _flags: HeaderValidationFlags | null): Header[] {
  let first = -1;
  for (let i = 0; i < headers.length; i++) {
    if ((headers[i] as Header)[0] === 'cookie') {
      first = i;
      break;
    }
  }
  if (first < 0) return headers;
  const out = headers.slice(0, first);
  const cookies: string[] = [];
  for (let i = first; i < headers.length; i++) {
    const h = headers[i] as Header;
    if (h[0] === 'cookie') cookies.push(h[1]);
    else out.push(h);
  }
  out.push(new NeverIndexedHeaderTuple('cookie', cookies.join('; ')) as Header);
  return out;
}

/**
 * Decodes received ByteString headers with `encoding`, keeping HeaderTuple classes. Port of
 * h2.stream._decode_headers.
 * @throws ProtocolError if a name or value is not valid in that encoding.
 * @throws RangeError for an encoding the core does not implement.
 */
export function decodeHeaders(headers: readonly Header[], encoding: string): Header[] {
  const decode = headerCodec(encoding).decode;
  const out: Header[] = [];
  for (const h of headers) {
    const n = decode(h[0]);
    const v = decode(h[1]);
    if (n === null || v === null) throw new ProtocolError(`Received header that is not valid ${encoding}`);
    out.push(n === h[0] && v === h[1] ? h : rebuild(h, n, v));
  }
  return out;
}
