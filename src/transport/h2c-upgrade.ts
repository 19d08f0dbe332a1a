/**
 * The HTTP/1.1 → HTTP/2 upgrade of RFC 7540 §3.2 (`Upgrade: h2c`), which RFC 9113 §3.1 deprecates but
 * curl (`--http2` on http: URLs) and some proxies still use: the pieces both sides share — checking the
 * `HTTP2-Settings` header and turning the upgrading HTTP/1.1 request into the HTTP/2 header list that
 * stream 1 answers. Layer: transport (Node).
 */

import { H2Configuration, H2Connection } from '../core/index.ts';

/** Fields that are about the HTTP/1.1 connection and never go into an HTTP/2 header list (RFC 9113 §8.2.2). */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'http2-settings', 'host']);

/**
 * True when `value` is a base64url SETTINGS payload (RFC 7540 §3.2.1: "a base64url string ... with any
 * trailing '=' characters omitted") whose settings the core accepts (RFC 9113 §6.5.2: e.g. ENABLE_PUSH 0
 * or 1, INITIAL_WINDOW_SIZE at most 2^31-1), checked by a throwaway server connection before any 101
 * goes out: a value the session would refuse must leave the request an HTTP/1.1 one.
 */
export function validSettingsHeader(value: string): boolean {
  if (value.length > 1400 || !/^[A-Za-z0-9_-]*={0,2}$/.test(value)) return false;
  try {
    new H2Connection(new H2Configuration({ clientSide: false })).initiateUpgradeConnection(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * The upgrading request as an HTTP/2 header list (pseudo-headers first, lowercase names, connection-specific
 * fields and those the `connection` field names dropped), or null for a target HTTP/2 cannot carry.
 */
export function upgradeRequestHeaders(method: string, target: string, rawHeaders: readonly string[]): Array<readonly [string, string]> | null {
  let authority: string | null = null;
  let path = target;
  if (!target.startsWith('/') && !(method === 'OPTIONS' && target === '*')) {
    // absolute-form (RFC 9112 §3.2.2)
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return null;
    }
    if (url.protocol !== 'http:') return null;
    authority = url.host;
    path = url.pathname + url.search;
  }
  const dropped = new Set(CONNECTION_SPECIFIC);
  const fields: Array<readonly [string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (name === 'connection') for (const t of rawHeaders[i + 1]!.split(',')) dropped.add(t.trim().toLowerCase());
  }
  let hosts = 0;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    if (name === 'host') {
      // RFC 9112 §3.2: more than one Host line is a 400, which the request gets over HTTP/1.1.
      if (++hosts > 1) return null;
      authority ??= value;
    }
    if (dropped.has(name)) continue;
    // RFC 9113 §8.2.2: TE may only carry "trailers" in HTTP/2.
    if (name === 'te') {
      if (value.trim().toLowerCase() === 'trailers') fields.push(['te', 'trailers']);
      continue;
    }
    fields.push([name, value]);
  }
  if (authority === null || authority === '') return null;
  return [[':method', method], [':scheme', 'http'], [':authority', authority], [':path', path], ...fields];
}
