/**
 * Validation of inbound and outbound header blocks (RFC 9113 §8.2, §8.3; RFC 8441 §4): field
 * characters, connection-specific fields, `te`, pseudo-header rules, Host/:authority, empty :path.
 * Sans-I/O core. Port of h2/utilities.py validate_headers and validate_outbound_headers.
 */

// One pass per block, no regular expressions, no allocation per field. A failure is a
// `ProtocolError`, raised in the order h2's generator chain raises it.
// Differences from h2 4.1 (Debian's oracle), following 4.4.1:
// - RFC 9113 §8.2.1 characters are checked inbound: NUL/CR/LF anywhere in a value, name octets
//   outside 0x21–0x7e, `:` inside a name are rejected (4.1 only rejected uppercase names and names or
//   values starting/ending with any ASCII whitespace; 4.4 allows a value starting with VT or FF);
// - an ordinary CONNECT must not carry `:scheme`/`:path` (4.1 required them on every request); an
//   extended CONNECT (`:protocol`) must carry them;
// - a second `host` field in a request is rejected.
// Difference from h2 4.4.1: an empty header name sent with validation on is a `ProtocolError`
// (h2 crashes with IndexError).

import type { Header } from './events.ts';
import { CheckedStrings } from './checked-strings.ts';
import { ProtocolError } from './exceptions.ts';
import { type HeaderValidationFlags, isConnectionHeader } from './headers.ts';

// Bits for the six allowed pseudo-header fields.
const METHOD = 1;
const SCHEME = 2;
const AUTHORITY = 4;
const PATH = 8;
const STATUS = 16;
const PROTOCOL = 32;

const PSEUDO_BITS: ReadonlyMap<string, number> = new Map([
  [':method', METHOD],
  [':scheme', SCHEME],
  [':authority', AUTHORITY],
  [':path', PATH],
  [':status', STATUS],
  [':protocol', PROTOCOL],
]);

/** The bit of an allowed pseudo-header name, or 0 (a switch: cheaper than hashing a fresh string). */
function pseudoBit(name: string): number {
  switch (name) {
    case ':method':
      return METHOD;
    case ':scheme':
      return SCHEME;
    case ':authority':
      return AUTHORITY;
    case ':path':
      return PATH;
    case ':status':
      return STATUS;
    case ':protocol':
      return PROTOCOL;
    default:
      return 0;
  }
}

const REQUEST_ONLY = SCHEME | PATH | AUTHORITY | METHOD | PROTOCOL;

/** Python's `repr(bytes)` of a ByteString, for messages that match h2's. */
function bytesRepr(s: string): string {
  let out = "b'";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x27 || c === 0x5c) out += '\\' + s[i];
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c < 0x20 || c >= 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += s[i];
  }
  return out + "'";
}

function pseudoNames(bits: number): string {
  const names: string[] = [];
  for (const [name, bit] of PSEUDO_BITS) if (bits & bit) names.push(bytesRepr(name));
  return `{${names.join(', ')}}`;
}

/** Received names and values that passed the character rules (their checks depend on nothing else). */
const VALID_NAMES = new CheckedStrings(512, 128);
const VALID_VALUES = new CheckedStrings(512, 256);

/**
 * RFC 9113 §8.2.1 character rules (inbound only).
 * > A field name MUST NOT contain characters in the ranges 0x00-0x20, 0x41-0x5a, or 0x7f-0xff (all
 * > ranges inclusive). [...] With the exception of pseudo-header fields [...] field names MUST NOT
 * > include a colon (ASCII COLON, 0x3a).
 * > A field value MUST NOT contain the zero value (ASCII NUL, 0x00), line feed (ASCII LF, 0x0a), or
 * > carriage return (ASCII CR, 0x0d) at any position.
 * > A field value MUST NOT start or end with an ASCII whitespace character (ASCII SP or HTAB, 0x20 or
 * > 0x09).
 */
function rejectIllegalCharacters(name: string, value: string): void {
  if (!VALID_NAMES.has(name)) {
    rejectIllegalNameCharacters(name);
    VALID_NAMES.add(name);
  }
  if (!VALID_VALUES.has(value)) {
    rejectIllegalValueCharacters(value);
    VALID_VALUES.add(value);
  }
}

function rejectIllegalNameCharacters(name: string): void {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) throw new ProtocolError(`Received uppercase header name ${bytesRepr(name)}.`);
    if (c <= 0x20 || c >= 0x7f) {
      throw new ProtocolError(`Illegal character '${String.fromCharCode(c)}' in header name: ${bytesRepr(name)}`);
    }
  }
  if (name.indexOf(':', 1) !== -1) throw new ProtocolError(`Illegal character ':' in header name: ${bytesRepr(name)}`);
}

function rejectIllegalValueCharacters(value: string): void {
  const n = value.length;
  if (n === 0) return;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c === 0 || c === 0x0a || c === 0x0d) {
      throw new ProtocolError(`Illegal character '${String.fromCharCode(c)}' in header value: ${bytesRepr(value)}`);
    }
  }
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(n - 1);
  if (first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09) {
    throw new ProtocolError(`Received header value surrounded by whitespace ${bytesRepr(value)}`);
  }
}

/** Whether `value` equals "trailers" ignoring ASCII case (Python's `value.lower() == b"trailers"`). */
function isTrailers(value: string): boolean {
  if (value.length !== 8) return false;
  const t = 'trailers';
  for (let i = 0; i < 8; i++) if ((value.charCodeAt(i) | 0x20) !== t.charCodeAt(i)) return false;
  return true;
}

/**
 * The checks shared by both directions, in one pass. `inbound` adds the character and empty-name
 * rules that h2 applies to received blocks only.
 */
function validate(headers: readonly Header[], flags: HeaderValidationFlags, inbound: boolean): void {
  const isRequest = !flags.isResponseHeader && !flags.isTrailer;
  let seen = 0;
  let seenRegular = false;
  let method: string | null = null;
  let authority: string | null = null;
  let host: string | null = null;

  for (let i = 0; i < headers.length; i++) {
    const header = headers[i] as Header;
    const name = header[0];
    const value = header[1];
    if (inbound) rejectIllegalCharacters(name, value);
    // RFC 9110 §5.1: a field name is a token, at least one character long.
    if (name.length === 0) throw new ProtocolError('Received header name with zero length.');
    // RFC 9113 §8.2.2
    // > The only exception to this is the TE header field, which MAY be present in an HTTP/2 request;
    // > when it is, it MUST NOT contain any value other than "trailers".
    if (name === 'te' && !isTrailers(value)) throw new ProtocolError(`Invalid value for TE header: ${bytesRepr(value)}`);
    // RFC 9113 §8.2.2
    // > Any message containing connection-specific header fields MUST be treated as malformed.
    if (isConnectionHeader(name)) throw new ProtocolError(`Connection-specific header field present: ${bytesRepr(name)}.`);

    if (name.charCodeAt(0) === 0x3a) {
      const bit = pseudoBit(name);
      // RFC 9113 §8.3
      // > The same pseudo-header field name MUST NOT appear more than once in a field block.
      if (bit !== 0 && seen & bit) throw new ProtocolError(`Received duplicate pseudo-header field ${bytesRepr(name)}`);
      // RFC 9113 §8.3
      // > All pseudo-header fields MUST appear in a field block before all regular field lines.
      if (seenRegular) throw new ProtocolError(`Received pseudo-header field out of sequence: ${bytesRepr(name)}`);
      // RFC 9113 §8.3
      // > Endpoints MUST NOT generate pseudo-header fields other than those defined in this document
      if (bit === 0) throw new ProtocolError(`Received custom pseudo-header field ${bytesRepr(name)}`);
      seen |= bit;
      if (bit === METHOD) method = value;
    } else {
      seenRegular = true;
    }

    if (isRequest) {
      if (name === ':authority') {
        authority = value;
      } else if (name === 'host') {
        if (host !== null) throw new ProtocolError('Request header block has multiple Host headers.');
        host = value;
      }
      // RFC 9113 §8.3.1
      // > This pseudo-header field MUST NOT be empty for "http" or "https" URIs
      if (name === ':path' && value.length === 0) throw new ProtocolError('An empty :path header is forbidden');
    }
  }

  checkPseudoHeaderFieldAcceptability(seen, method, flags);

  if (isRequest) {
    // RFC 9113 §8.3.1
    // > Clients that generate HTTP/2 requests directly MUST use the :authority pseudo-header field
    // > [...] An intermediary that forwards a request over HTTP/2 MAY construct an :authority
    // > pseudo-header field using the authority information from the control data of the original
    // > request [...] from the Host header field.
    if (authority === null && host === null) {
      throw new ProtocolError('Request header block does not have an :authority or Host header.');
    }
    // RFC 9113 §8.3.1
    // > A server SHOULD treat a request as malformed if it contains a Host header field that
    // > identifies an entity that differs from the entity in the :authority pseudo-header field.
    if (authority !== null && host !== null && authority !== host) {
      throw new ProtocolError(
        `Request header block has mismatched :authority and Host headers: ${bytesRepr(authority)} / ${bytesRepr(host)}`,
      );
    }
  }
}

function assertPresent(seen: number, bit: number, name: string): void {
  if (!(seen & bit)) throw new ProtocolError(`Header block missing mandatory ${bytesRepr(name)} header`);
}

/**
 * Whether the set of pseudo-header fields suits the kind of block. Port of
 * h2.utilities._check_pseudo_header_field_acceptability.
 */
function checkPseudoHeaderFieldAcceptability(seen: number, method: string | null, flags: HeaderValidationFlags): void {
  // RFC 9113 §8.1
  // > Trailers MUST NOT include pseudo-header fields.
  if (flags.isTrailer && seen !== 0) throw new ProtocolError(`Received pseudo-header in trailer ${pseudoNames(seen)}`);

  if (flags.isResponseHeader) {
    // RFC 9113 §8.3.2
    // > For HTTP/2 responses, a single ":status" pseudo-header field is defined [...] This
    // > pseudo-header field MUST be included in all responses
    assertPresent(seen, STATUS, ':status');
    // RFC 9113 §8.3
    // > Pseudo-header fields defined for requests MUST NOT appear in responses
    if (seen & REQUEST_ONLY) throw new ProtocolError(`Encountered request-only headers ${pseudoNames(seen & REQUEST_ONLY)}`);
  } else if (!flags.isTrailer) {
    // RFC 9113 §8.3.1
    // > All HTTP/2 requests MUST include exactly one valid value for the ":method", ":scheme", and
    // > ":path" pseudo-header fields, unless they are CONNECT requests
    assertPresent(seen, METHOD, ':method');
    const isConnect = method === 'CONNECT';
    const isExtendedConnect = isConnect && (seen & PROTOCOL) !== 0;
    if (isConnect && !isExtendedConnect) {
      // RFC 9113 §8.5
      // > The ":scheme" and ":path" pseudo-header fields MUST be omitted.
      if (seen & (SCHEME | PATH)) throw new ProtocolError('Ordinary CONNECT MUST NOT include :scheme or :path');
    } else {
      // RFC 8441 §4
      // > On requests bearing the :protocol pseudo-header field, the :scheme and :path
      // > pseudo-header fields of the target URI MUST also be included.
      assertPresent(seen, SCHEME, ':scheme');
      assertPresent(seen, PATH, ':path');
    }
    // RFC 9113 §8.3
    // > pseudo-header fields defined for responses MUST NOT appear in requests.
    if (seen & STATUS) throw new ProtocolError(`Encountered response-only headers ${pseudoNames(STATUS)}`);
    // RFC 8441 §4
    // > A new pseudo-header field :protocol MAY be included on request HEADERS indicating the
    // > desired protocol to be spoken on the tunnel [...] only with a method of CONNECT
    if (!isConnect && seen & PROTOCOL) {
      throw new ProtocolError(`Encountered connect-request-only headers ${pseudoNames(PROTOCOL)}`);
    }
  }
}

/**
 * Validates a received header block (after inbound normalisation). Port of
 * h2.utilities.validate_headers: characters, empty names, `te`, connection-specific fields,
 * pseudo-header rules, Host/:authority (requests), empty `:path` (requests).
 * @throws ProtocolError on the first violation.
 */
export function validateHeaders(headers: readonly Header[], flags: HeaderValidationFlags): readonly Header[] {
  validate(headers, flags, true);
  return headers;
}

/**
 * Validates a header block we are about to send (after outbound normalisation). Port of
 * h2.utilities.validate_outbound_headers: `te`, connection-specific fields, pseudo-header rules,
 * Host/:authority (requests), empty `:path` (requests).
 * @throws ProtocolError on the first violation.
 */
export function validateOutboundHeaders(headers: readonly Header[], flags: HeaderValidationFlags): readonly Header[] {
  validate(headers, flags, false);
  return headers;
}
