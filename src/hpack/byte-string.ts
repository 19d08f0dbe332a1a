/**
 * ByteStrings: header names and values as JS strings holding one char per octet (latin-1).
 * Sans-I/O hpack layer; no TextEncoder/TextDecoder (not in ES2022), so the conversions are written here.
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

/** Returns fresh octets for a ByteString (each char's low 8 bits). */
export function bytesFromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** UTF-8 octets of `s` (lone surrogates become U+FFFD, as TextEncoder does). */
export function utf8Encode(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 3);
  let p = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[p++] = c;
    } else if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          out[p++] = 0xf0 | (c >> 18);
          out[p++] = 0x80 | ((c >> 12) & 0x3f);
          out[p++] = 0x80 | ((c >> 6) & 0x3f);
          out[p++] = 0x80 | (c & 0x3f);
          continue;
        }
        c = 0xfffd;
      }
      out[p++] = 0xe0 | (c >> 12);
      out[p++] = 0x80 | ((c >> 6) & 0x3f);
      out[p++] = 0x80 | (c & 0x3f);
    }
  }
  return out.subarray(0, p);
}

/** Whether every char of `s` fits in one octet, so `s` already is a ByteString. */
export function isLatin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

/**
 * Normalises a header name or value to a ByteString: octets map one to one; a string that is already a
 * ByteString is returned as is; a string with chars above U+00FF cannot be one, so it is UTF-8 encoded
 * (as Python's hpack encodes every str).
 */
export function toByteString(v: string | Uint8Array): string {
  if (typeof v === 'string') return isLatin1(v) ? v : latin1FromBytes(utf8Encode(v));
  return latin1FromBytes(v);
}
