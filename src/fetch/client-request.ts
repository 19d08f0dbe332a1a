/**
 * What `H2Client.fetch(input, init)` sends: the HTTP/2 request header block and body, read from the
 * caller's arguments directly — never through the runtime's `Request`, which in a browser silently drops
 * the headers it forbids (`cookie`, `user-agent`, `host`...). The pseudo-header fields come from a WHATWG
 * URL of the client's own origin, so `:authority` and `:path` are exactly what the caller asked for.
 * Layer: fetch (runtime-neutral).
 */
import { fetchMethod } from './fetch-method.ts';
import { isAuthority, isToken } from './request-target.ts';
import { appendHeaderFields, type TrailersInit } from './fetch-headers.ts';

/** Trailers to send: null (none) too, as a server request's `trailers` resolves when its client sent none (a proxy). */
type TrailersInput = TrailersInit | null | Promise<TrailersInit | null>;

/**
 * `RequestInit` plus h2flow's extensions: `duplex` (accepted, as fetch requires it for stream bodies)
 * and `trailers`, a trailer block (or a promise of one) sent after the body.
 */
export type H2RequestInit = RequestInit & { duplex?: 'half'; trailers?: TrailersInput };

/** A request as it goes on the wire. */
export interface RequestHead {
  /** `:method`, normalized as fetch normalizes it. */
  readonly method: string;
  /** The URL asked for, without its fragment (what `response.url` reports). */
  readonly url: string;
  /** The header block: the four pseudo-header fields, then the regular fields. */
  readonly fields: Array<readonly [string, string]>;
  /** The body: bytes, a stream (of any Web Streams implementation), or none. */
  readonly body: Uint8Array | ReadableStream<Uint8Array> | null;
  /** Trailers to send after the body. */
  readonly trailers: TrailersInput | undefined;
  /** The caller's abort signal, if any. */
  readonly signal: AbortSignal | null;
}

/** The method fetch would send for `value`, or a TypeError where fetch throws one. */
function method(value: string): string {
  // RFC 9110 §9.1: a method is a token.
  if (!isToken(value)) throw new TypeError(`h2flow: invalid method ${JSON.stringify(value)}`);
  const normalized = fetchMethod(value);
  if (normalized === null) throw new TypeError(`h2flow: fetch does not send ${value} requests`);
  return normalized;
}

function isReadableStreamLike(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as ReadableStream).getReader === 'function';
}

/**
 * The URL `input` names, checked: http(s) only, no credentials (fetch refuses them too, and they would
 * otherwise be silently dropped), and the client's own origin — one connection serves one origin, and a
 * request for another would carry its headers (cookies, authorization) to a server it does not name.
 */
function targetUrl(input: string | URL | Request, base: URL): URL {
  const url = typeof input === 'string' || input instanceof URL ? new URL(input, base) : new URL(input.url);
  if (url.username !== '' || url.password !== '') throw new TypeError(`h2flow: a URL with credentials cannot be fetched: ${url.origin}`);
  if (url.protocol !== base.protocol || url.host !== base.host) {
    throw new TypeError(`h2flow: ${url.origin} is not the origin of this connection (${base.origin})`);
  }
  return url;
}

/** Checks a client's base URL: an http(s) origin without credentials. */
export function checkBaseUrl(base: URL): URL {
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError(`h2flow: unsupported URL scheme ${base.protocol}`);
  if (base.username !== '' || base.password !== '') throw new TypeError('h2flow: a base URL with credentials is not supported');
  return base;
}

/** A copy of a BufferSource's bytes (fetch copies a body at the call: the caller may reuse its buffer). */
function copyBytes(source: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (source instanceof ArrayBuffer) return new Uint8Array(source.slice(0));
  return new Uint8Array(source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength));
}

const encoder = new TextEncoder();

/**
 * The body of `init.body` and the `content-type` fetch gives it when the caller set none (the Fetch
 * standard's "extract a body"). Strings, bytes and streams are taken as they are; the other body types
 * (Blob, FormData, URLSearchParams) through a `Response`, whose headers may carry `content-type`.
 */
function extractBody(body: NonNullable<RequestInit['body']>): { bytes: Uint8Array | ReadableStream<Uint8Array>; type: string | null } {
  if (typeof body === 'string') return { bytes: encoder.encode(body), type: 'text/plain;charset=UTF-8' };
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return { bytes: copyBytes(body), type: null };
  if (isReadableStreamLike(body)) {
    if (body.locked) throw new TypeError('h2flow: the request body stream is locked');
    return { bytes: body, type: null };
  }
  const response = new Response(body);
  return { bytes: response.body!, type: response.headers.get('content-type') };
}

/**
 * The request `fetch(input, init)` asks for, as HTTP/2 fields and a body, or a TypeError where fetch
 * would throw one (an invalid method or header, a body with GET/HEAD, a used body) or where it would go
 * to another origin than `base`'s. `init`'s members replace `input`'s when `input` is a Request.
 */
export function requestHead(input: string | URL | Request, init: H2RequestInit | undefined, base: URL): RequestHead {
  const request = typeof input === 'string' || input instanceof URL ? null : input;
  const url = targetUrl(input, base);
  const m = method(init?.method ?? request?.method ?? 'GET');
  // Headers without a guard: a bare Headers forbids no name, in browsers too (only a Request's does).
  const headers = init?.headers !== undefined ? new Headers(init.headers) : request?.headers ?? null;
  let body: Uint8Array | ReadableStream<Uint8Array> | null = null;
  let contentType: string | null = null;
  const bodyInit = init?.body !== undefined ? init.body : request?.body;
  if (bodyInit !== null && bodyInit !== undefined) {
    if (m === 'GET' || m === 'HEAD') throw new TypeError(`h2flow: a ${m} request cannot have a body`);
    if (request !== null && bodyInit === request.body && request.bodyUsed) throw new TypeError('h2flow: the request body was already used');
    const extracted = extractBody(bodyInit);
    body = extracted.bytes;
    contentType = extracted.type;
  }
  const fields: Array<readonly [string, string]> = [
    [':method', m],
    [':scheme', url.protocol === 'https:' ? 'https' : 'http'],
    [':authority', url.host],
    // A WHATWG URL's path and query: origin-form, percent-encoded; the fragment is never sent.
    [':path', url.pathname + url.search],
  ];
  if (headers !== null) {
    appendHeaderFields(headers, fields);
    const host = headers.get('host');
    if (host !== null) {
      // A host given by the caller travels as :authority (RFC 9113 §8.3.1), checked as one.
      if (!isAuthority(host)) throw new TypeError(`h2flow: invalid host ${JSON.stringify(host)}`);
      fields[2] = [':authority', host];
    }
    if (contentType !== null && headers.has('content-type')) contentType = null;
  }
  if (contentType !== null) fields.push(['content-type', contentType]);
  const signal = init?.signal !== undefined ? init.signal : request?.signal ?? null;
  const href = url.href;
  const hash = href.indexOf('#');
  return { method: m, url: hash < 0 ? href : href.slice(0, hash), fields, body, trailers: init?.trailers ?? undefined, signal };
}

/** The fields that describe a request's body (Fetch's "request-body-header name"), dropped with it. */
const REQUEST_BODY_FIELDS = new Set(['content-encoding', 'content-language', 'content-location', 'content-type', 'content-length']);

/**
 * The request a redirect to `location` makes of `head` (Fetch §4.4 "HTTP-redirect fetch"), or a TypeError
 * where fetch fails: a Location that is no http(s) URL, or has credentials; another origin than `base`'s
 * (one connection serves one origin: h2flow does not open another); a body that was a stream (its bytes
 * are gone) unless the redirect drops the body. 301/302 after POST and 303 after anything but GET/HEAD
 * become a GET without body, trailers or body fields; 307/308 repeat the method and the bytes.
 */
export function redirectHead(head: RequestHead, status: number, location: string, base: URL): RequestHead {
  let url: URL;
  try {
    url = new URL(location, head.url);
  } catch {
    throw new TypeError(`h2flow: the redirect of ${head.method} ${head.url} names no URL: ${JSON.stringify(location)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`h2flow: a redirect to ${url.protocol} cannot be followed`);
  if (url.username !== '' || url.password !== '') throw new TypeError('h2flow: a redirect to a URL with credentials cannot be followed');
  if (url.protocol !== base.protocol || url.host !== base.host) {
    throw new TypeError(`h2flow: a redirect to ${url.origin} cannot be followed on this connection (${base.origin}); with redirect: 'manual' the response is returned as it is`);
  }
  const dropBody = ((status === 301 || status === 302) && head.method === 'POST') || (status === 303 && head.method !== 'GET' && head.method !== 'HEAD');
  if (!dropBody && head.body !== null && !(head.body instanceof Uint8Array)) {
    throw new TypeError(`h2flow: the redirect of ${head.method} ${head.url} cannot be followed: its body was a stream, already sent`);
  }
  const method = dropBody ? 'GET' : head.method;
  const path = url.pathname + url.search;
  const fields: Array<readonly [string, string]> = [];
  for (const field of head.fields) {
    const name = field[0];
    if (name === ':method') fields.push([':method', method]);
    else if (name === ':path') fields.push([':path', path]);
    else if (!(dropBody && REQUEST_BODY_FIELDS.has(name))) fields.push(field);
  }
  const href = url.href;
  const hash = href.indexOf('#');
  return {
    method,
    url: hash < 0 ? href : href.slice(0, hash),
    fields,
    body: dropBody ? null : head.body,
    trailers: dropBody ? undefined : head.trailers,
    signal: head.signal,
  };
}
