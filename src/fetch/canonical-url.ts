/**
 * A conservative test for URLs the WHATWG URL parser would return unchanged, so a fetch server can skip
 * the parse for the usual request (`https://example.com/path?query`). Anything it is unsure of (IPv6 or
 * non-dotted-decimal IPv4, uppercase, percent-encoded or IDNA hosts, dot segments, characters the parser
 * escapes, default ports) takes the parse. Layer: fetch (runtime-neutral).
 */
import { isIPv4 } from './request-target.ts';

// Path and query characters the URL parser keeps as they are for http(s): unreserved, sub-delims
// except `'` (escaped in a special URL's query), `:`, `@`, `/`, `?` and `%` (which it never validates).
const KEEP = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&()*+,;=:@/?%') KEEP[c.charCodeAt(0)] = 1;

function isLower(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * True when `host` (a validated authority's host) is a plain lowercase DNS name the parser keeps as is:
 * labels of [a-z0-9-], no empty label, no IDNA (`xn--`) label, and a last label starting with a letter
 * (WHATWG URL "ends in a number": `127.1` or `0x7f.1` would be rewritten as IPv4).
 */
function isPlainHost(url: string, from: number, to: number): boolean {
  if (from === to) return false;
  let labelStart = from;
  for (let i = from; i < to; i++) {
    const c = url.charCodeAt(i);
    if (c === 0x2e) {
      if (i === labelStart) return false;
      labelStart = i + 1;
      continue;
    }
    if (!isLower(c) && !isDigit(c) && c !== 0x2d) return false;
    // An IDNA label gets validated (and may be refused) by the parser.
    if (i === labelStart && c === 0x78 && url.startsWith('xn--', i)) return false;
  }
  return labelStart < to && isLower(url.charCodeAt(labelStart));
}

/** True when `url[from, to)` is a port the parser keeps: digits, no leading zero, ≤ 65535, not the scheme's default. */
function isKeptPort(url: string, from: number, to: number, https: boolean): boolean {
  if (from === to || to - from > 5 || url.charCodeAt(from) === 0x30) return false;
  let port = 0;
  for (let i = from; i < to; i++) {
    const c = url.charCodeAt(i);
    if (!isDigit(c)) return false;
    port = port * 10 + (c - 0x30);
  }
  return port <= 65535 && port !== (https ? 443 : 80);
}

/**
 * True when `new URL(url).href === url` is certain without parsing. `url` is `http://` or `https://`,
 * then an authority without userinfo, then an origin-form path (as request-target.ts builds it).
 */
export function isCanonicalUrl(url: string): boolean {
  const https = url.charCodeAt(4) === 0x73;
  const hostStart = https ? 8 : 7;
  const pathStart = url.indexOf('/', hostStart);
  if (pathStart < 0) return false;
  const colon = url.indexOf(':', hostStart);
  const hostEnd = colon >= 0 && colon < pathStart ? colon : pathStart;
  if (!isPlainHost(url, hostStart, hostEnd) && !isIPv4(url, hostStart, hostEnd)) return false;
  if (hostEnd !== pathStart && !isKeptPort(url, hostEnd + 1, pathStart, https)) return false;
  let inQuery = false;
  for (let i = pathStart; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c >= 0x80 || KEEP[c] === 0) return false;
    if (inQuery) continue;
    if (c === 0x3f) inQuery = true;
    // A segment starting with `.` or `%` may be a dot segment (`.`, `..`, `%2e`, `.%2E`...), which the parser removes.
    else if (c === 0x2f && i + 1 < url.length) {
      const n = url.charCodeAt(i + 1);
      if (n === 0x2e || n === 0x25) return false;
    }
  }
  return true;
}
