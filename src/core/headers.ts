/**
 * Header-list utilities and the normalisation pipelines for outbound and inbound header blocks
 * (RFC 9113 §8.2, §8.2.3). Sans-I/O core. Port of h2/utilities.py (all but the validators, which are
 * in ./header-validation, and SizeLimitDict).
 */

// Each pipeline is one pass over the list and allocates only for fields it changes.
// Differences from h2:
// - Outbound names and values may be strings or Uint8Array. A string whose chars all fit in one
//   octet is taken as a ByteString (so headers from events can be sent back unchanged); any other
//   string is UTF-8 encoded, as h2 encodes every `str`.
// - `headerEncoding` supports 'utf-8' (and aliases), 'latin-1'/'iso-8859-1' and 'ascii'; invalid
//   input is a `ProtocolError` (h2 lets a `UnicodeDecodeError` escape).
// Difference from h2 4.1 (Debian's oracle), following 4.4.1: outbound cookies can be split
// (`splitOutboundCookies`, absent from 4.1).

import { toByteString } from '../hpack/byte-string';
import { HeaderTuple, type HeadersInput, NeverIndexedHeaderTuple } from '../hpack/index';
import { CheckedStrings } from './checked-strings';
import type { Header } from './events';
import { FlowControlError, ProtocolError } from './exceptions';
import { isByteString, utf8Decode } from './utf8';
import { LARGEST_FLOW_CONTROL_WINDOW } from './windows';

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

function toByteStringChecked(v: unknown): string {
  if (typeof v === 'string' || v instanceof Uint8Array) return toByteString(v);
  throw new TypeError(`header names and values must be strings or Uint8Array, not ${typeof v}`);
}

/**
 * Turns outbound headers into ByteString pairs (see the file header for the string rule), keeping
 * `HeaderTuple`/`NeverIndexedHeaderTuple` classes. Port of h2.utilities.utf8_encode_headers.
 * @throws TypeError for a field that is not a 2-element pair of strings/Uint8Array.
 */
export function utf8EncodeHeaders(headers: OutboundHeaders): Header[] {
  const out: Header[] = [];
  if (isRecord(headers)) {
    for (const name of Object.keys(headers)) out.push([toByteStringChecked(name), toByteStringChecked(headers[name])]);
    return out;
  }
  for (const h of headers) {
    if (!Array.isArray(h)) throw new TypeError('each header must be a [name, value] pair');
    const n: unknown = h[0];
    const v: unknown = h[1];
    if (typeof n === 'string' && typeof v === 'string' && isByteString(n) && isByteString(v)) {
      out.push(h.length === 2 ? (h as unknown as Header) : [n, v]);
    } else {
      out.push(rebuild(h as unknown as Header, toByteStringChecked(n), toByteStringChecked(v)));
    }
  }
  return out;
}

/**
 * Whether a field name needs no outbound work: a ByteString with no uppercase letter, no surrounding
 * whitespace, and not a field the normaliser drops or re-flags (connection-specific, secret, cookie).
 */
function isNormalName(name: string): boolean {
  if (NORMAL_NAMES.has(name)) return true;
  const n = name.length;
  if (n === 0 || isAsciiSpace(name.charCodeAt(0)) || isAsciiSpace(name.charCodeAt(n - 1))) return false;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || c > 0xff) return false;
  }
  if (isConnectionHeader(name) || isSecureHeader(name) || name === 'cookie') return false;
  NORMAL_NAMES.add(name);
  return true;
}

/** Whether a field value needs no outbound work: a ByteString with no surrounding whitespace. */
function isNormalValue(value: string): boolean {
  if (NORMAL_VALUES.has(value)) return true;
  const n = value.length;
  if (n > 0 && (isAsciiSpace(value.charCodeAt(0)) || isAsciiSpace(value.charCodeAt(n - 1)))) return false;
  for (let i = 0; i < n; i++) if (value.charCodeAt(i) > 0xff) return false;
  NORMAL_VALUES.add(value);
  return true;
}

/** Outbound names and values found normal (the checks depend on the string only). */
const NORMAL_NAMES = new CheckedStrings(512, 128);
const NORMAL_VALUES = new CheckedStrings(512, 256);

/**
 * Whether an outbound header list is already in the form both {@link utf8EncodeHeaders} and
 * {@link normalizeOutboundHeaders} would give: an array of `[name, value]` string pairs whose every
 * field passes through both unchanged (the same field objects, in the same order). The usual case
 * (lowercase names, ByteString values) then skips both passes and their allocations; the caller may
 * use the list as it is, reading it only during the call.
 */
export function isNormalizedOutboundHeaderList(headers: OutboundHeaders): headers is readonly Header[] {
  if (!Array.isArray(headers)) return false;
  for (let i = 0; i < headers.length; i++) {
    const h: unknown = headers[i];
    if (!Array.isArray(h) || h.length !== 2) return false;
    const name: unknown = h[0];
    const value: unknown = h[1];
    if (typeof name !== 'string' || typeof value !== 'string' || !isNormalName(name) || !isNormalValue(value)) return false;
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

const decodeUtf8 = (s: string): string | null => utf8Decode(s, true);
const decodeLatin1 = (s: string): string => s;
function decodeAscii(s: string): string | null {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return null;
  return s;
}

/** The encodings `headerEncoding` may name (Python codec names and their common aliases). */
const DECODERS: ReadonlyMap<string, (s: string) => string | null> = new Map([
  ['utf-8', decodeUtf8],
  ['utf8', decodeUtf8],
  ['utf_8', decodeUtf8],
  ['latin-1', decodeLatin1],
  ['latin1', decodeLatin1],
  ['latin_1', decodeLatin1],
  ['iso-8859-1', decodeLatin1],
  ['iso8859-1', decodeLatin1],
  ['iso_8859_1', decodeLatin1],
  ['ascii', decodeAscii],
  ['us-ascii', decodeAscii],
]);

/**
 * Decodes received ByteString headers with `encoding`, keeping HeaderTuple classes. Port of
 * h2.stream._decode_headers.
 * @throws ProtocolError if a name or value is not valid in that encoding.
 * @throws RangeError for an encoding the core does not implement.
 */
export function decodeHeaders(headers: readonly Header[], encoding: string): Header[] {
  const decode = DECODERS.get(encoding.toLowerCase());
  if (decode === undefined) throw new RangeError(`unsupported header encoding ${JSON.stringify(encoding)}`);
  const out: Header[] = [];
  for (const h of headers) {
    const n = decode(h[0]);
    const v = decode(h[1]);
    if (n === null || v === null) throw new ProtocolError(`Received header that is not valid ${encoding}`);
    out.push(n === h[0] && v === h[1] ? h : rebuild(h, n, v));
  }
  return out;
}
