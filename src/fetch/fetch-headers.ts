/**
 * Header conversions between HTTP/2 header lists (`[name, value]` ByteString pairs) and the fetch API's
 * `Headers`, shared by the fetch-style server and client. Layer: fetch (runtime-neutral: uses the
 * runtime's global `Headers`).
 */
import { isHostName, isToken } from './request-target.ts';
import type { H2HeaderList } from '../streams/types.ts';

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
  // The iterator's pairs are fresh arrays: appended as they are, not copied.
  for (const field of headers) appendField(field as [string, string], out);
}

/**
 * Appends one field (a lowercase name, a valid value) as {@link appendHeaderFields} does: the `field`
 * itself unless it changes (header lists are only read downstream, so it may be shared).
 */
export function appendField(field: readonly [string, string], out: Array<readonly [string, string]>): void {
  const name = field[0];
  if (CONNECTION_SPECIFIC.has(name)) return;
  if (name === 'te') {
    if (field[1].toLowerCase() === 'trailers') out.push(TE_TRAILERS);
    return;
  }
  out.push(field);
}

const TE_TRAILERS = Object.freeze(['te', 'trailers'] as const);

/**
 * The regular fields of an HTTP/2 header list as `[name, value]` pairs for a `Headers` init (one
 * validation pass, in the `Headers` constructor), with split `cookie` fields joined as
 * RFC 9113 §8.2.3 asks (see {@link headersFromList}), and the value of `host` (null if absent).
 */
export function headerPairs(list: H2HeaderList): { pairs: Array<[string, string]>; host: string | null } {
  const pairs: Array<[string, string]> = [];
  let cookie: [string, string] | null = null;
  let host: string | null = null;
  // By index, not destructured (see server-request's checkFields: frozen pairs defeat the optimization).
  for (let i = 0; i < list.length; i++) {
    const name = list[i]![0];
    const value = list[i]![1];
    if (name.charCodeAt(0) === 0x3a) continue;
    if (name === 'cookie') {
      if (cookie === null) pairs.push((cookie = [name, value]));
      else cookie[1] = `${cookie[1]}; ${value}`;
      continue;
    }
    if (isHostName(name)) host = value;
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

/** A received trailer block as fetch `Headers` (null: the peer sent none). */
export function trailerHeaders(list: H2HeaderList | null): Headers | null {
  return list === null ? null : headersFromList(list);
}

/** Accepted trailer inputs: a `Headers`, a record or `[name, value]` pairs. */
export type TrailersInit = Headers | Iterable<readonly [string, string]> | Readonly<Record<string, string>>;

/**
 * A trailers input as an HTTP/2 field list, or null for null: none. h2flow's own trailers promises (a
 * server request's, a client response's) resolve null when the peer sent none, so a proxy handing them
 * on sends no trailers instead of failing.
 */
export function trailerFieldsOrNone(init: TrailersInit | null): Array<readonly [string, string]> | null {
  return init === null ? null : trailerFields(init);
}

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

/** Throws TypeError, as `new Headers()` would, unless `name` is a token (RFC 9110 §5.6.2). */
export function checkFieldName(name: string): void {
  if (name.length === 0) throw new TypeError('h2flow: empty header name');
  if (!isToken(name)) throw new TypeError(`h2flow: invalid header name ${JSON.stringify(name)}`);
}

/** Throws TypeError, as `new Headers()` would, if `value` has NUL, LF or CR (Fetch: a valid header value). */
export function checkFieldValue(name: string, value: string): void {
  for (let j = 0; j < value.length; j++) {
    const c = value.charCodeAt(j);
    if (c === 0 || c === 0x0a || c === 0x0d || c > 0xff) throw new TypeError(`h2flow: invalid value for header ${name}`);
  }
}

function isHttpWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** `value` without leading and trailing HTTP whitespace (Fetch: "normalize" a header value), then checked. */
export function normalizeFieldValue(name: string, value: string): string {
  let from = 0;
  let to = value.length;
  while (from < to && isHttpWhitespace(value.charCodeAt(from))) from++;
  while (to > from && isHttpWhitespace(value.charCodeAt(to - 1))) to--;
  const out = from === 0 && to === value.length ? value : value.slice(from, to);
  checkFieldValue(name, out);
  return out;
}
