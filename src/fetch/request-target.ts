/**
 * The target of an HTTP/2 request: its `:method`, `:scheme`, `:authority` (or `host`) and `:path`,
 * validated as RFC 9113 §8.3.1 and RFC 3986 define them, so that the URL a fetch server builds from
 * them names exactly the resource the peer asked for. Every field the peer controls is checked by a
 * byte scan (no regular expression, no URL parse); a request that fails is malformed (RFC 9113 §8.1.1)
 * and never reaches a handler. The client side uses the same predicates for what callers give it.
 * Layer: fetch (runtime-neutral).
 */
import { ErrorCodes } from '../core/errors.ts';
import type { H2HeaderList } from '../streams/types.ts';

/**
 * A request whose pseudo-header fields or `host` are malformed (RFC 9113 §8.1.1: "Malformed requests
 * or responses that are detected MUST be treated as a stream error of type PROTOCOL_ERROR").
 */
export class MalformedRequestError extends Error {
  /** The RST_STREAM code to answer with (RFC 9113 §8.1.1). */
  readonly errorCode: number = ErrorCodes.PROTOCOL_ERROR;

  constructor(message: string) {
    super(message);
    this.name = 'MalformedRequestError';
  }
}

/** A request target whose every part was validated by {@link readRequestTarget}. */
export interface RequestTarget {
  /** `:method`: an RFC 9110 §9.1 token, as sent (methods are case-sensitive). */
  readonly method: string;
  /** `:scheme` in lowercase (RFC 3986 §3.1), or null for an ordinary CONNECT. */
  readonly scheme: string | null;
  /** `:authority`, or the `host` field when `:authority` is absent: `host[:port]`, no userinfo. */
  readonly authority: string;
  /** `:path` (origin-form, or `*` for OPTIONS), or null for an ordinary CONNECT. */
  readonly path: string | null;
  /** `:protocol` of an extended CONNECT (RFC 8441 §4), else null. */
  readonly protocol: string | null;
  /**
   * The URL a fetch `Request` gets, built from the validated parts only, or null when the fetch API
   * cannot represent the request: an ordinary or extended CONNECT, the asterisk-form `OPTIONS *`, or a
   * scheme other than http and https (a `Request` for them would not mean what the peer asked).
   */
  readonly url: string | null;
}

// Character classes of the ASCII range, one bit each, looked up by char code.
const TCHAR = 1; // RFC 9110 §5.6.2 tchar
const HOST = 2; // RFC 3986 §3.2.2 reg-name: unreserved / sub-delims (pct-encoded left out: see isAuthority)
const SCHEME = 4; // RFC 3986 §3.1: ALPHA / DIGIT / "+" / "-" / "."
const HEX = 8;
const DIGIT = 16;

const CLASSES = (() => {
  const table = new Uint8Array(128);
  const mark = (chars: string, bit: number): void => {
    for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)]! |= bit;
  };
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const digit = '0123456789';
  mark(alpha + digit, TCHAR | HOST | SCHEME);
  mark(digit, DIGIT | HEX);
  mark('ABCDEFabcdef', HEX);
  mark("!#$%&'*+-.^_`|~", TCHAR);
  mark("-._~!$&'()*+,;=", HOST);
  mark('+-.', SCHEME);
  return table;
})();

function is(c: number, bit: number): boolean {
  return c < 128 && (CLASSES[c]! & bit) !== 0;
}

/** RFC 9110 §5.6.2: `token = 1*tchar` (methods, RFC 9110 §9.1; upgrade tokens, RFC 8441 §4). */
export function isToken(value: string): boolean {
  const n = value.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) if (!is(value.charCodeAt(i), TCHAR)) return false;
  return true;
}

/** RFC 3986 §3.1: `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`. */
export function isScheme(value: string): boolean {
  const n = value.length;
  if (n === 0) return false;
  const first = value.charCodeAt(0) | 0x20;
  if (first < 0x61 || first > 0x7a) return false;
  for (let i = 1; i < n; i++) if (!is(value.charCodeAt(i), SCHEME)) return false;
  return true;
}

/**
 * RFC 3986 §3.2.2 `dec-octet "." dec-octet "." dec-octet "." dec-octet` over `s[start, end)`: four
 * decimal octets 0–255 without a leading zero, which is also how the WHATWG URL parser serializes IPv4.
 */
export function isIPv4(s: string, start: number, end: number): boolean {
  let parts = 0;
  let i = start;
  for (;;) {
    const from = i;
    let value = 0;
    while (i < end && is(s.charCodeAt(i), DIGIT) && i - from < 3) value = value * 10 + (s.charCodeAt(i++) - 0x30);
    const len = i - from;
    // dec-octet has no leading zero ("010" would be octal to a WHATWG URL parser).
    if (len === 0 || value > 255 || (len > 1 && s.charCodeAt(from) === 0x30)) return false;
    parts++;
    if (i === end) return parts === 4;
    if (s.charCodeAt(i) !== 0x2e || parts === 4) return false;
    i++;
  }
}

/** RFC 3986 §3.2.2 `IPv6address` over `s[start, end)` (between the brackets; no zone identifier). */
function isIPv6(s: string, start: number, end: number): boolean {
  let i = start;
  let groups = 0;
  let compressed = false;
  if (i < end && s.charCodeAt(i) === 0x3a) {
    if (s.charCodeAt(i + 1) !== 0x3a || i + 1 >= end) return false;
    compressed = true;
    i += 2;
    if (i === end) return true;
  }
  for (;;) {
    const from = i;
    while (i < end && is(s.charCodeAt(i), HEX) && i - from < 5) i++;
    if (i < end && s.charCodeAt(i) === 0x2e) {
      // The last 32 bits as an IPv4 address (ls32).
      if (!isIPv4(s, from, end)) return false;
      groups += 2;
      break;
    }
    const len = i - from;
    if (len === 0 || len > 4) return false;
    groups++;
    if (i === end) break;
    if (s.charCodeAt(i) !== 0x3a) return false;
    i++;
    if (i === end) return false;
    if (s.charCodeAt(i) === 0x3a) {
      if (compressed) return false;
      compressed = true;
      i++;
      if (i === end) break;
    }
  }
  return compressed ? groups <= 7 : groups === 8;
}

/**
 * Whether the host `s[0, end)` "ends in a number" as the WHATWG URL parser decides it (its last label,
 * ignoring one trailing dot, is all digits or `0x` hex): such a host is parsed as an IPv4 address, and
 * any spelling but dotted decimal (`0x7f.1`, `2130706433`, `127.1`) would reach the handler as another
 * host than the one the peer wrote.
 */
function endsInNumber(s: string, end: number): boolean {
  let last = end;
  if (last > 1 && s.charCodeAt(last - 1) === 0x2e) last--;
  let first = last;
  while (first > 0 && s.charCodeAt(first - 1) !== 0x2e) first--;
  if (first === last) return false;
  if (last - first >= 2 && s.charCodeAt(first) === 0x30 && (s.charCodeAt(first + 1) | 0x20) === 0x78) {
    for (let i = first + 2; i < last; i++) if (!is(s.charCodeAt(i), HEX)) return false;
    return true;
  }
  for (let i = first; i < last; i++) if (!is(s.charCodeAt(i), DIGIT)) return false;
  return true;
}

/**
 * RFC 3986 §3.2 `authority` without userinfo, as RFC 9113 §8.3.1 requires of `:authority` ("MUST NOT
 * include the deprecated userinfo subcomponent"): `host [ ":" port ]`, where host is an IP-literal
 * (IPv6), dotted-decimal IPv4 or a reg-name, and port at most 65535. Stricter than RFC 3986 in two ways,
 * each a way to make a URL parser see another host than the one sent: no percent-encoding in a reg-name
 * (`ex%61mple.com`, `a%2fb`), and a name ending in a number must be dotted-decimal IPv4. With
 * `requirePort`, the port must be present (RFC 9113 §8.5: CONNECT's "host and port to connect to").
 */
export function isAuthority(value: string, requirePort = false): boolean {
  // Most requests of a connection name the same authority (often the same string, from the HPACK table).
  if (value === lastAuthority && !requirePort) return true;
  if (!scanAuthority(value, requirePort)) return false;
  if (!requirePort) lastAuthority = value;
  return true;
}

/** The last authority {@link isAuthority} accepted without `requirePort`. */
let lastAuthority = '';

function scanAuthority(value: string, requirePort: boolean): boolean {
  const n = value.length;
  if (n === 0) return false;
  let i: number;
  if (value.charCodeAt(0) === 0x5b) {
    const close = value.indexOf(']');
    if (close < 0 || !isIPv6(value, 1, close)) return false;
    i = close + 1;
  } else {
    i = 0;
    while (i < n && is(value.charCodeAt(i), HOST)) i++;
    // RFC 9110 §4.2.1: an http(s) URI "with an empty host identifier" is invalid.
    if (i === 0) return false;
    if (endsInNumber(value, i) && !isIPv4(value, 0, i)) return false;
  }
  if (i === n) return !requirePort;
  if (value.charCodeAt(i) !== 0x3a) return false;
  const digits = n - i - 1;
  if (digits === 0) return !requirePort;
  if (digits > 5) return false;
  let port = 0;
  for (let j = i + 1; j < n; j++) {
    const c = value.charCodeAt(j);
    if (!is(c, DIGIT)) return false;
    port = port * 10 + (c - 0x30);
  }
  return port <= 65535;
}

const NOT_ENCODED = 0;
const NEEDS_ENCODING = 1;
const INVALID = 2;

/**
 * RFC 9113 §8.3.1 `:path`: "the absolute-path production and, optionally, a '?' character followed by
 * the query production" (RFC 3986 §3.3, §3.4), or `*` for OPTIONS. Rejected: anything not starting with
 * `/` (`.evil.test/x`, `http://evil.test/`), whitespace and control bytes (a URL parser strips or
 * re-splits on them), `#` (a fragment is never sent), `\` before the query (a URL parser reads it as
 * `/`), and characters above 0xff (not a ByteString). Octets 0x80–0xff are accepted and reported as
 * NEEDS_ENCODING: {@link targetUrl} percent-encodes them byte for byte. Other characters RFC 3986
 * leaves out (`|`, `^`, `{`, `"`...) pass: browsers send them unencoded and a URL parser keeps them or
 * percent-encodes them, meaning the same.
 */
function scanPath(path: string): number {
  const n = path.length;
  if (n === 0 || path.charCodeAt(0) !== 0x2f) return INVALID;
  let result = NOT_ENCODED;
  let inQuery = false;
  for (let i = 1; i < n; i++) {
    const c = path.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x23 || c > 0xff) return INVALID;
    if (c >= 0x80) result = NEEDS_ENCODING;
    else if (c === 0x3f) inQuery = true;
    else if (c === 0x5c && !inQuery) return INVALID;
  }
  return result;
}

/**
 * Whether a field name is `host` in any case. RFC 9113 §8.2.1 makes an uppercase name malformed, which
 * the core checks unless `validateInboundHeaders` is off; then a `Host` must still be checked against
 * `:authority` (a handler's `Headers` lowercases it, and would show it as the request's host).
 */
export function isHostName(name: string): boolean {
  return name.length === 4 && (name === 'host' || lowercaseToken(name) === 'host');
}

/** ASCII case-insensitive equality (hosts are case-insensitive, RFC 3986 §3.2.2). */
function sameAuthority(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y && ((x | 0x20) !== (y | 0x20) || (x | 0x20) < 0x61 || (x | 0x20) > 0x7a)) return false;
  }
  return true;
}

/**
 * An ASCII token (a scheme, a field name) in lowercase: the same string when it has no uppercase letter
 * (`toLowerCase` would copy it anyway).
 */
export function lowercaseToken(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return text.toLowerCase();
  }
  return text;
}

/** The parts and the URL last built by {@link targetUrl}. */
let urlScheme = '';
let urlAuthority = '';
let urlPath = '';
let urlBuilt = '';

/**
 * The URL of an http(s) target. The same parts as the last request's give the same string: no
 * concatenation (and no flattening of it when it is scanned) per request for a client asking one URL
 * again, the usual case (three short compares instead).
 */
function targetUrl(scheme: string, authority: string, path: string, encode: boolean): string {
  if (path === urlPath && authority === urlAuthority && scheme === urlScheme) return urlBuilt;
  const url = `${scheme}://${authority}${encode ? encodeHighOctets(path) : path}`;
  urlScheme = scheme;
  urlAuthority = authority;
  urlPath = path;
  urlBuilt = url;
  return url;
}

function malformed(message: string): never {
  throw new MalformedRequestError(message);
}

/**
 * Reads and validates the target of a received request header block in one pass (RFC 9113 §8.3.1,
 * §8.5; RFC 8441 §4). The protocol core validates much of this already when `validateInboundHeaders`
 * is on (its default); this does not depend on it.
 * @throws MalformedRequestError for a request that is malformed: a missing, duplicated, unknown or
 * misplaced pseudo-header field, an invalid method, scheme, authority or path, no authority at all, a
 * second `host`, or a `host` that names another authority than `:authority`.
 */
export function readRequestTarget(list: H2HeaderList): RequestTarget {
  let method: string | null = null;
  let scheme: string | null = null;
  let authority: string | null = null;
  let path: string | null = null;
  let protocol: string | null = null;
  let host: string | null = null;
  let regular = false;
  for (let i = 0; i < list.length; i++) {
    const field = list[i]!;
    const name = field[0];
    const value = field[1];
    if (name.charCodeAt(0) !== 0x3a) {
      regular = true;
      if (isHostName(name)) {
        if (host !== null) malformed('a second host field');
        host = value;
      }
      continue;
    }
    // RFC 9113 §8.3: "All pseudo-header fields MUST appear in a field block before all regular field lines."
    if (regular) malformed(`${name} after a regular field`);
    let seen: string | null;
    switch (name) {
      case ':method':
        seen = method;
        method = value;
        break;
      case ':scheme':
        seen = scheme;
        scheme = value;
        break;
      case ':authority':
        seen = authority;
        authority = value;
        break;
      case ':path':
        seen = path;
        path = value;
        break;
      case ':protocol':
        seen = protocol;
        protocol = value;
        break;
      default:
        // RFC 9113 §8.3: unknown pseudo-header fields, and :status in a request, are malformed.
        return malformed(`pseudo-header field ${name} in a request`);
    }
    // RFC 9113 §8.3.1: "exactly one valid value for the :method, :scheme, and :path".
    if (seen !== null) malformed(`a second ${name}`);
  }
  if (method === null || !isToken(method)) malformed('a missing or invalid :method');
  if (method === 'CONNECT' && protocol === null) {
    // RFC 9113 §8.5: "The :scheme and :path pseudo-header fields MUST be omitted"; ":authority contains
    // the host and port to connect to".
    if (scheme !== null || path !== null) malformed('CONNECT with :scheme or :path');
    if (authority === null || !isAuthority(authority, true)) malformed('CONNECT without a host:port :authority');
    if (host !== null && !sameAuthority(host, authority)) malformed('a host field that disagrees with :authority');
    return { method, scheme: null, authority, path: null, protocol: null, url: null };
  }
  // RFC 8441 §4: ":protocol ... only with a method of CONNECT", its value an upgrade token.
  if (protocol !== null && (method !== 'CONNECT' || !isToken(protocol))) malformed('an invalid :protocol');
  if (scheme === null || !isScheme(scheme)) malformed('a missing or invalid :scheme');
  const asterisk = path === '*';
  const pathScan = path === null ? INVALID : asterisk ? (method === 'OPTIONS' ? NOT_ENCODED : INVALID) : scanPath(path);
  if (path === null || pathScan === INVALID) malformed('a missing or invalid :path');
  if (authority !== null) {
    if (!isAuthority(authority)) malformed('an invalid :authority');
    // RFC 9113 §8.3.1: "A server SHOULD treat a request as malformed if it contains a Host header field
    // that identifies an entity that differs from the entity in the :authority pseudo-header field."
    if (host !== null && !sameAuthority(host, authority)) malformed('a host field that disagrees with :authority');
  } else {
    // RFC 9113 §8.3.1: without :authority the target's authority is in host; RFC 9110 §4.2.1: an http(s)
    // target without a host is invalid, and inventing one (`localhost`) would let the peer pick the handler's view.
    if (host === null || !isAuthority(host)) malformed('no valid :authority or host');
    authority = host;
  }
  const lower = lowercaseToken(scheme);
  let url: string | null = null;
  if (protocol === null && !asterisk && (lower === 'http' || lower === 'https')) {
    url = targetUrl(lower, authority, path, pathScan === NEEDS_ENCODING);
  }
  return { method, scheme: lower, authority, path, protocol, url };
}

const HEX_DIGITS = '0123456789ABCDEF';

/** `path` with every octet 0x80–0xff percent-encoded (RFC 3986 §2.1), as the peer's bytes. */
function encodeHighOctets(path: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c < 0x80) continue;
    out += path.slice(from, i) + '%' + HEX_DIGITS[c >> 4]! + HEX_DIGITS[c & 15]!;
    from = i + 1;
  }
  return out + path.slice(from);
}

