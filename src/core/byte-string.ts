/**
 * ByteString ↔ octets for API arguments given as text (one char per octet, as h2's `bytes`).
 * Sans-I/O core (no TextEncoder/TextDecoder in ES2022).
 */

/** Longest slice passed to `String.fromCharCode.apply` at once. */
const CHUNK = 4096;

/**
 * The octets of `value`: a Uint8Array as is, or a ByteString converted (a char above U+00FF is a
 * TypeError naming the argument `name`).
 */
export function byteStringToBytes(name: string, value: Uint8Array | string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value !== 'string') throw new TypeError(`${name} must be a Uint8Array or a ByteString`);
  const out = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0xff) throw new TypeError(`${name} must be a ByteString (one char per octet)`);
    out[i] = c;
  }
  return out;
}

/** The ByteString of `bytes` (one char per octet), built in chunks. */
export function latin1FromBytes(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return out;
}
