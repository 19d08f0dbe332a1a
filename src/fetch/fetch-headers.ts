/**
 * Header conversions between HTTP/2 header lists (`[name, value]` ByteString pairs) and the fetch API's
 * `Headers`, shared by the fetch-style server and client. Layer: fetch (runtime-neutral: uses the
 * runtime's global `Headers`).
 */
import type { H2HeaderList } from '../streams/types';

/**
 * RFC 9113 §8.2.2: "An endpoint MUST NOT generate an HTTP/2 message containing connection-specific
 * header fields" — these are dropped when a fetch `Headers` becomes an HTTP/2 header list.
 */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

/**
 * Appends `headers` to `out` as HTTP/2 fields: lowercase names (Headers already lowercases), connection-
 * specific fields and `host` dropped (RFC 9113 §8.3.1: `:authority` carries it), and `te` kept only as
 * `trailers` (RFC 9113 §8.2.2: "the TE header field ... MUST NOT contain any value other than 'trailers'").
 */
export function appendHeaderFields(headers: Headers, out: Array<readonly [string, string]>): void {
  for (const [name, value] of headers) {
    if (CONNECTION_SPECIFIC.has(name)) continue;
    if (name === 'te') {
      if (value.toLowerCase() === 'trailers') out.push([name, 'trailers']);
      continue;
    }
    out.push([name, value]);
  }
}

/**
 * The regular fields of an HTTP/2 header list as `[name, value]` pairs for a `Headers` init (one
 * validation pass, in the `Headers` constructor), with split `cookie` fields joined as
 * RFC 9113 §8.2.3 asks (see {@link headersFromList}), and the value of `host` (null if absent).
 */
export function headerPairs(list: H2HeaderList): { pairs: Array<[string, string]>; host: string | null } {
  const pairs: Array<[string, string]> = [];
  let cookie: [string, string] | null = null;
  let host: string | null = null;
  for (const [name, value] of list) {
    if (name.charCodeAt(0) === 0x3a) continue;
    if (name === 'cookie') {
      if (cookie === null) pairs.push((cookie = [name, value]));
      else cookie[1] = `${cookie[1]}; ${value}`;
      continue;
    }
    if (name === 'host') host = value;
    pairs.push([name, value]);
  }
  return { pairs, host };
}

/**
 * Builds fetch `Headers` from an HTTP/2 header list, skipping pseudo-header fields. Split `cookie`
 * fields are joined with `; ` (RFC 9113 §8.2.3: "these MUST be concatenated into a single octet string
 * using the two-octet delimiter of 0x3b, 0x20 (the ASCII string '; ')"). Throws TypeError on a field
 * `Headers` refuses.
 */
export function headersFromList(list: H2HeaderList): Headers {
  return new Headers(headerPairs(list).pairs);
}

/** The value of the first field named `name` in `list`, or null. */
export function fieldValue(list: H2HeaderList, name: string): string | null {
  for (const [n, v] of list) if (n === name) return v;
  return null;
}

/** Accepted trailer inputs: a `Headers`, a record or `[name, value]` pairs. */
export type TrailersInit = Headers | Iterable<readonly [string, string]> | Readonly<Record<string, string>>;

/** A trailers input as an HTTP/2 field list (through `Headers`, so names are validated and lowercased). */
export function trailerFields(init: TrailersInit): Array<readonly [string, string]> {
  const headers = init instanceof Headers ? init : new Headers(init as ConstructorParameters<typeof Headers>[0]);
  const out: Array<readonly [string, string]> = [];
  appendHeaderFields(headers, out);
  return out;
}

/** Statuses whose responses have no content (RFC 9110 §6.4.1: 1xx, 204, 205 and 304). */
export function isNullBodyStatus(status: number): boolean {
  return status === 204 || status === 205 || status === 304 || (status >= 100 && status < 200);
}
