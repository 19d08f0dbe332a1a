/**
 * Fetch-style HTTP/2 server over an `H2Session`: each request stream becomes a global `Request`, the
 * handler's `Response` goes back as HEADERS/DATA/trailers. Runtime-neutral (the runtime's global Request,
 * Response, Headers and AbortController; bodies are bridged across Web Streams implementations).
 * Layer: streams.
 */
import { ErrorCodes } from '../core';
import { appendHeaderFields, fieldValue, headerPairs, headersFromList, isNullBodyStatus, trailerFields, type TrailersInit } from './fetch-headers';
import type { H2Session } from './session';
import type { H2Stream } from './stream';
import type { H2HeaderList } from './types';

/** A network address, as Deno's `Deno.NetAddr`. */
export interface NetAddr {
  readonly transport: 'tcp';
  readonly hostname: string;
  readonly port: number;
}

/** The second argument of a {@link FetchHandler}. */
export interface FetchHandlerInfo {
  /** The peer's address when the transport knows it. */
  readonly remoteAddr: NetAddr | undefined;
  /** Settles when the response has been completely handed to the connection (rejects if the stream failed first). */
  readonly completed: Promise<void>;
  /** The underlying HTTP/2 stream (e.g. for `push()`), and its session. */
  readonly stream: H2Stream;
  readonly session: H2Session;
}

/** A `Deno.serve`-style handler: a Request in, a Response (or a promise of one) out. */
export type FetchHandler = (request: Request, info: FetchHandlerInfo) => Response | Promise<Response>;

/**
 * h2flow's request trailers: requests other than GET and HEAD carry `trailers`, a promise of the trailer block the
 * client sent after the body (null if none), settled once the body has been read.
 */
export interface RequestTrailers {
  readonly trailers: Promise<Headers | null>;
}

/**
 * h2flow's trailers extension: a `Response` may carry a `trailers` property (a value or a promise of one,
 * resolved after the body) whose fields are sent as an HTTP/2 trailer block — `Response.headers` cannot
 * carry trailers. Build one with {@link withTrailers}. On the client side, h2flow's `fetch` returns
 * responses whose `trailers` is a `Promise<Headers | null>`.
 */
export interface TrailersExtension {
  trailers?: TrailersInit | Promise<TrailersInit> | undefined;
}

/** Returns `response` with trailers attached (see {@link TrailersExtension}). */
export function withTrailers(response: Response, trailers: TrailersInit | Promise<TrailersInit>): Response & TrailersExtension {
  return Object.assign(response, { trailers });
}

/** Options of {@link serveSession} / {@link respondToStream}. */
export interface FetchServerOptions {
  /**
   * Turns a handler failure into a response (Deno's `onError`). Default: log with `console.error` and answer
   * 500. A failure after the response headers went out resets the stream with INTERNAL_ERROR instead.
   */
  readonly onError?: (error: unknown) => Response | Promise<Response>;
  /** The peer's address, passed to handlers as `info.remoteAddr`. */
  readonly remoteAddr?: NetAddr;
}

const NO_BODY_METHODS = new Set(['GET', 'HEAD']);

function defaultOnError(error: unknown): Response {
  console.error('h2flow: handler failed:', error);
  return new Response('Internal Server Error', { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/**
 * The underlying source of the runtime-native ReadableStream a Request gets as its body (the Request
 * constructor accepts no other implementation): it takes a reader on the stream's body only on the first
 * pull, so a handler that never reads the body costs no body stream at all.
 */
class RequestBodySource {
  readonly #stream: H2Stream;
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;

  constructor(stream: H2Stream) {
    this.#stream = stream;
  }

  async pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    const { done, value } = await (this.#reader ??= this.#stream.readable.getReader()).read();
    if (done) controller.close();
    else controller.enqueue(value);
  }

  cancel(reason: unknown): Promise<void> | undefined {
    if (this.#reader !== null) return this.#reader.cancel(reason);
    // Never read: cancelling the stream's body resets the stream if the peer is still sending.
    return this.#stream.readable.cancel(reason);
  }
}

const PULL_ONE: QueuingStrategy<Uint8Array> = { highWaterMark: 0 };

/** An AbortSignal made on first use, aborted (at once, if that comes later) when the stream fails. */
class LazySignal {
  #controller: AbortController | null = null;
  #aborted = false;
  #reason: unknown;

  get signal(): AbortSignal {
    if (this.#controller === null) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}

/** Builds the Request of a server stream; throws TypeError for a request the fetch API cannot represent. */
function toRequest(headerList: H2HeaderList, signal: LazySignal, body: H2Stream | null, trailers: (() => Promise<Headers | null>) | null): Request {
  const method = fieldValue(headerList, ':method') ?? 'GET';
  const scheme = fieldValue(headerList, ':scheme') ?? 'http';
  const path = fieldValue(headerList, ':path') ?? '/';
  const { pairs, host } = headerPairs(headerList);
  // RFC 9113 §8.3.1: ":authority ... Clients that generate HTTP/2 requests directly MUST use the :authority
  // pseudo-header field to convey authority information" — fetch code reads it as `host`.
  const authority = fieldValue(headerList, ':authority') ?? host ?? 'localhost';
  if (host === null) pairs.push(['host', authority]);
  const init: RequestInit & { duplex?: 'half' } = { method, headers: pairs };
  if (body !== null) {
    init.body = new ReadableStream<Uint8Array>(new RequestBodySource(body), PULL_ONE);
    init.duplex = 'half';
  }
  const request = new Request(`${scheme}://${authority}${path}`, init);
  // `request.signal` is our lazily made one: a Request given a signal builds a second AbortSignal and a
  // listener per request, the fetch layer's largest cost under load, for a signal few handlers read.
  Object.defineProperty(request, 'signal', { get: () => signal.signal, configurable: true });
  if (trailers !== null) Object.defineProperty(request, 'trailers', { get: trailers, configurable: true });
  return request;
}

/** The HTTP/2 response header block of `response`. */
function responseHeaderList(response: Response): Array<readonly [string, string]> {
  const list: Array<readonly [string, string]> = [[':status', String(response.status)]];
  appendHeaderFields(response.headers, list);
  return list;
}

const PENDING = Symbol('pending');
/** Microtask turns an in-memory body takes to report its end after its only chunk (2 for undici's). */
const SETTLE_TURNS = 4;

function microtaskTurns(n: number): Promise<typeof PENDING> {
  let p: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < n; i++) p = p.then();
  return p.then(() => PENDING);
}

/** Streams `response` onto `stream`; resolves when END_STREAM (or the trailers) reached the connection. */
async function sendResponse(stream: H2Stream, response: Response, isHead: boolean): Promise<void> {
  const headers = responseHeaderList(response);
  const trailers = (response as TrailersExtension).trailers;
  const body = response.body;
  if (body === null || isHead || isNullBodyStatus(response.status)) {
    if (body !== null) void body.cancel().catch(() => undefined);
    if (trailers === undefined || isHead) {
      stream.respond(headers, { endStream: true });
      return;
    }
    stream.respond(headers);
    stream.sendTrailers(trailerFields(await trailers));
    await stream.end();
    return;
  }
  stream.respond(headers);
  const reader = body.getReader();
  try {
    let next = await reader.read();
    if (next.done) {
      if (trailers !== undefined) stream.sendTrailers(trailerFields(await trailers));
      await stream.end();
      return;
    }
    const first = next.value;
    // A body already complete (a string, bytes, JSON) ends with its one DATA frame. Whether the next read
    // is immediately done is seen within a few microtasks; a streaming body must not hold `first` back
    // waiting for its second chunk (a full-duplex echo would deadlock).
    const second = reader.read();
    const settled = await Promise.race([second, microtaskTurns(SETTLE_TURNS)]);
    if (settled !== PENDING && settled.done && trailers === undefined) {
      await stream.end(first);
      return;
    }
    const writer = stream.writable.getWriter();
    void writer.write(first).catch(() => undefined);
    next = await second;
    while (!next.done) {
      await writer.ready;
      void writer.write(next.value).catch(() => undefined);
      next = await reader.read();
    }
    if (trailers !== undefined) stream.sendTrailers(trailerFields(await trailers));
    await writer.close();
  } catch (error) {
    void reader.cancel(error).catch(() => undefined);
    throw error;
  }
}

/**
 * Answers one request stream with `handler`. Never rejects: handler failures become `onError`'s
 * response (500 by default) and body failures reset only this stream, so the session lives on.
 */
export async function respondToStream(stream: H2Stream, session: H2Session, handler: FetchHandler, options: FetchServerOptions = {}): Promise<void> {
  const headerList = stream.headers;
  const method = fieldValue(headerList, ':method') ?? 'GET';
  const aborter = new LazySignal();
  stream.closed.catch((error: unknown) => aborter.abort(error));
  let completedResolve!: () => void;
  let completedReject!: (e: unknown) => void;
  const completed = new Promise<void>((resolve, reject) => {
    completedResolve = resolve;
    completedReject = reject;
  });
  completed.catch(() => undefined);
  // GET and HEAD requests have no body in the fetch API, nor does one whose HEADERS carried END_STREAM.
  const bodyMethod = !NO_BODY_METHODS.has(method);
  const body = bodyMethod && !stream.bodyEmpty ? stream : null;
  let response: Response;
  let request: Request;
  try {
    let requestTrailers: Promise<Headers | null> | null = null;
    const trailers = !bodyMethod ? null : () => (requestTrailers ??= stream.trailers.then((list) => (list === null ? null : headersFromList(list))));
    request = toRequest(headerList, aborter, body, trailers);
  } catch {
    // The fetch API cannot represent it (CONNECT, TRACE, a field Headers refuses): no handler can answer it.
    response = new Response(null, { status: method === 'CONNECT' || method === 'TRACE' || method === 'TRACK' ? 501 : 400 });
    await sendResponse(stream, response, false).then(completedResolve, completedReject);
    refuseUnreadBody(stream);
    return;
  }
  try {
    const info: FetchHandlerInfo = { remoteAddr: options.remoteAddr, completed, stream, session };
    response = await handler(request, info);
    if (!(response instanceof Response)) throw new TypeError('h2flow: the handler must return a Response');
  } catch (error) {
    try {
      response = await (options.onError ?? defaultOnError)(error);
    } catch (inner) {
      response = defaultOnError(inner);
    }
  }
  try {
    await sendResponse(stream, response, method === 'HEAD');
    completedResolve();
  } catch (error) {
    // A failure anywhere in the response (body, trailers) ends this stream only; no-op if already ended.
    stream.reset(ErrorCodes.INTERNAL_ERROR);
    completedReject(error);
    return;
  }
  refuseUnreadBody(stream);
}

/**
 * After a complete response, whatever the method: if the client has not ended its side, its unread
 * request body (a GET or HEAD may carry one too) would hold the stream's and the connection's windows for
 * good. RFC 9113 §8.1: a server "MAY request that the client abort transmission of a request without
 * error by sending a RST_STREAM with an error code of NO_ERROR". A no-op once both sides have ended.
 */
function refuseUnreadBody(stream: H2Stream): void {
  if (!stream.remoteEnded) stream.reset(ErrorCodes.NO_ERROR);
}

/**
 * Serves every request of a server `session` with `handler`, concurrently. Resolves when the session
 * stops yielding requests (it closed or failed).
 *
 * @example
 * ```ts
 * const session = new H2Session(transport, { role: 'server' });
 * await serveSession(session, (req) => new Response(`hello ${new URL(req.url).pathname}`));
 * ```
 */
export async function serveSession(session: H2Session, handler: FetchHandler, options: FetchServerOptions = {}): Promise<void> {
  const reader = session.incoming.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      void respondToStream(value, session, handler, options);
    }
  } catch {
    return;
  } finally {
    reader.releaseLock();
  }
}
