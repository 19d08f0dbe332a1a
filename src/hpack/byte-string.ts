/**
 * ByteStrings: text holding one char per octet (latin-1), the form header names and values take in
 * h2flow wherever h2 has `bytes`. The ONE place strings and octets convert (the core uses it too).
 * Sans-I/O hpack layer; no TextEncoder/TextDecoder (not in ES2022), so the conversions are written here.
 *
 * The rule everywhere: a string given where octets are meant is a ByteString, and a char above U+00FF
 * is a TypeError; it is never silently re-encoded (as UTF-8) or truncated (to its low 8 bits). Text in
 * another encoding is the caller's to encode (the core does so for `headerEncoding`).
 */

/** Longest slice passed to `String.fromCharCode.apply` at once (keeps the argument list small). */
const CHUNK = 4096;

/** Builds the ByteString of `bytes[start..end)`, chunk by chunk (no per-octet concatenation). */
export function latin1FromBytes(bytes: Uint8Array, start = 0, end = bytes.length): string {
  if (end - start <= CHUNK) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  let s = '';
  for (let i = start; i < end; i += CHUNK) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + CHUNK)) as unknown as number[]);
  }
  return s;
}

/** Whether every char of `s` fits in one octet, so `s` is a ByteString. */
export function isByteString(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

/** The TypeError for a string that is not a ByteString, naming what it was given as. */
export function notByteStringError(what: string): TypeError {
  return new TypeError(`${what} must be a ByteString (every char at most U+00FF, one per octet) or a Uint8Array`);
}

/**
 * Fresh octets of a ByteString.
 * @param what Names the argument in the TypeError.
 * @throws TypeError for a char above U+00FF.
 */
export function byteStringToBytes(s: string, what: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw notByteStringError(what);
    out[i] = c;
  }
  return out;
}

/**
 * The octets of an argument given as octets or as a ByteString (a Uint8Array as it is).
 * @param what Names the argument in the TypeError.
 * @throws TypeError for anything else, or a string with a char above U+00FF.
 */
export function toBytes(value: unknown, what: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return byteStringToBytes(value, what);
  throw new TypeError(`${what} must be a Uint8Array or a ByteString, not ${describe(value)}`);
}

/**
 * The ByteString of an argument given as octets or as a ByteString (a string as it is).
 * @param what Names the argument in the TypeError.
 * @throws TypeError for anything else, or a string with a char above U+00FF.
 */
export function toByteString(value: unknown, what: string): string {
  if (typeof value === 'string') {
    if (!isByteString(value)) throw notByteStringError(what);
    return value;
  }
  if (value instanceof Uint8Array) return latin1FromBytes(value);
  throw new TypeError(`${what} must be a string or a Uint8Array, not ${describe(value)}`);
}

/** A short description of a value's type for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
