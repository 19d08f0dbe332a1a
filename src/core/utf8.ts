/**
 * Tiny UTF-8 codec for ByteStrings (one char per octet), since the core has no TextEncoder/TextDecoder
 * (not in ES2022). Sans-I/O core. Used for `headerEncoding: 'utf-8'` (both ways) and debug output.
 */

import { latin1FromBytes } from '../hpack/byte-string.ts';

/** Longest slice passed to `String.fromCharCode.apply` at once. */
const CHUNK = 4096;

/**
 * Decodes the UTF-8 octets held in `input` (a ByteString, or raw octets). Returns `null` on an invalid
 * sequence (overlong forms, surrogates, code points past U+10FFFF, truncation) when `fatal`; otherwise
 * drops invalid octets, as Python's `decode('utf-8', 'ignore')` does.
 */
export function utf8Decode(input: string | Uint8Array, fatal: false): string;
export function utf8Decode(input: string | Uint8Array, fatal: boolean): string | null;
export function utf8Decode(input: string | Uint8Array, fatal: boolean): string | null {
  const n = input.length;
  const at = typeof input === 'string' ? (i: number) => input.charCodeAt(i) : (i: number) => input[i] as number;
  // Pure-ASCII fast path: a ByteString is its own decoding.
  let i = 0;
  if (typeof input === 'string') {
    while (i < n && input.charCodeAt(i) < 0x80) i++;
    if (i === n) return input;
  }
  const units: number[] = [];
  let out = '';
  for (let j = 0; j < i; j++) units.push(at(j));
  while (i < n) {
    const b = at(i);
    let cp = -1;
    let len = 1;
    if (b < 0x80) {
      cp = b;
    } else if (b >= 0xc2 && b <= 0xdf) {
      len = 2;
      const c1 = i + 1 < n ? at(i + 1) : 0;
      if ((c1 & 0xc0) === 0x80) cp = ((b & 0x1f) << 6) | (c1 & 0x3f);
    } else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      const c1 = i + 1 < n ? at(i + 1) : 0;
      const c2 = i + 2 < n ? at(i + 2) : 0;
      const lo = b === 0xe0 ? 0xa0 : 0x80;
      const hi = b === 0xed ? 0x9f : 0xbf;
      if (c1 >= lo && c1 <= hi && (c2 & 0xc0) === 0x80) cp = ((b & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f);
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      const c1 = i + 1 < n ? at(i + 1) : 0;
      const c2 = i + 2 < n ? at(i + 2) : 0;
      const c3 = i + 3 < n ? at(i + 3) : 0;
      const lo = b === 0xf0 ? 0x90 : 0x80;
      const hi = b === 0xf4 ? 0x8f : 0xbf;
      if (c1 >= lo && c1 <= hi && (c2 & 0xc0) === 0x80 && (c3 & 0xc0) === 0x80) {
        cp = ((b & 0x07) << 18) | ((c1 & 0x3f) << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f);
      }
    }
    if (cp < 0) {
      if (fatal) return null;
      i++;
      continue;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else {
      units.push(cp);
    }
    i += len;
    if (units.length >= CHUNK) {
      out += String.fromCharCode.apply(null, units);
      units.length = 0;
    }
  }
  return out + String.fromCharCode.apply(null, units);
}

/**
 * The UTF-8 octets of `s` as a ByteString (lone surrogates become U+FFFD, as TextEncoder does). An
 * ASCII string is returned as it is, without allocating: header encoding runs on every request.
 */
export function utf8ByteString(s: string): string {
  const n = s.length;
  let i = 0;
  while (i < n && s.charCodeAt(i) < 0x80) i++;
  if (i === n) return s;
  const out = new Uint8Array(i + (n - i) * 3);
  for (let j = 0; j < i; j++) out[j] = s.charCodeAt(j);
  let p = i;
  for (; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[p++] = c;
    } else if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
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
  return latin1FromBytes(out, 0, p);
}
