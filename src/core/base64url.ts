/**
 * A tiny base64url codec (RFC 4648 §5) for the h2c `HTTP2-Settings` header (RFC 7540 §3.2.1).
 * Sans-I/O core: no runtime base64 API. Replaces h2's use of `base64.urlsafe_b64encode/decode`.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/**
 * Encodes `bytes` as base64url without padding.
 * RFC 7540 §3.2.1: "The content of the HTTP2-Settings header field is the payload of a SETTINGS
 * frame, encoded as a base64url string ... with any trailing '=' characters omitted."
 */
export function base64urlEncode(bytes: Uint8Array): string {
  let out = '';
  const n = bytes.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += ALPHABET[v >>> 18]! + ALPHABET[(v >>> 12) & 63]! + ALPHABET[(v >>> 6) & 63]! + ALPHABET[v & 63]!;
  }
  if (n - i === 1) {
    const v = (bytes[i] as number) << 16;
    out += ALPHABET[v >>> 18]! + ALPHABET[(v >>> 12) & 63]!;
  } else if (n - i === 2) {
    const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += ALPHABET[v >>> 18]! + ALPHABET[(v >>> 12) & 63]! + ALPHABET[(v >>> 6) & 63]!;
  }
  return out;
}

/**
 * Decodes a base64url string; trailing `=` padding is accepted but not required. Returns `null` for
 * anything that is not base64url (a bad character, a lone trailing character, or misplaced padding).
 */
export function base64urlDecode(text: string): Uint8Array | null {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x3d) end--;
  if (text.length - end > 2 || end % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? (DECODE[c] as number) : -1;
    if (v < 0) return null;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}
