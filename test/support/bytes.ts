/**
 * Byte helpers for tests: the `bytes()` DSL for golden frames, latin-1 conversion, concatenation, hex.
 * Test support only (may be used by every layer's tests).
 */

/** One part of a `bytes()` literal: an octet, a latin-1 string, or raw octets. */
export type BytePart = number | string | Uint8Array | readonly number[];

/**
 * Builds octets from parts: numbers are single octets (0–255), strings are latin-1 (one octet per
 * char), arrays/Uint8Arrays are copied. `bytes(0,0,5, 0x0, 0x1, 0,0,0,1, 'hello')` is a DATA frame.
 */
export function bytes(...parts: BytePart[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += typeof p === 'number' ? 1 : p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    if (typeof p === 'number') {
      if (!Number.isInteger(p) || p < 0 || p > 255) throw new RangeError(`not an octet: ${p}`);
      out[at++] = p;
    } else if (typeof p === 'string') {
      for (let i = 0; i < p.length; i++) out[at++] = p.charCodeAt(i) & 0xff;
    } else {
      out.set(p, at);
      at += p.length;
    }
  }
  return out;
}

/** Latin-1 (ByteString) → octets: one octet per char code (must be ≤ 0xff). */
export function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`char ${c} at ${i} is not latin-1`);
    out[i] = c;
  }
  return out;
}

/** Octets → latin-1 ByteString (one char per octet), built in chunks. */
export function fromLatin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode.apply(null, Array.from(b.subarray(i, i + 4096)));
  return s;
}

/** UTF-8 encoding without TextEncoder-free fallbacks: tests run on Node, which has it. */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Concatenates octet arrays into one fresh array. */
export function concat(...chunks: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const c of chunks) length += c.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Lower-case hex of octets. */
export function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return s;
}

/** Octets from hex (even length, no separators). */
export function unhex(h: string): Uint8Array {
  if (h.length % 2 !== 0 || /[^0-9a-f]/i.test(h)) throw new RangeError(`not hex: ${h.slice(0, 40)}`);
  const out = new Uint8Array(h.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
  return out;
}

/** Whether two octet arrays hold the same octets. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
