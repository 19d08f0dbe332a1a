/**
 * Fetch-style HTTP/2 server over an `H2Session`: each request stream becomes a global `Request`, the
 * handler's `Response` goes back as HEADERS/DATA/trailers. Runtime-neutral (the runtime's global Request,
 * Response, Headers and AbortController; bodies are bridged across Web Streams implementations).
 * Layer: fetch.
 */
import { ErrorCodes } from '../core';
import { appendHeaderFields, headerPairs, headersFromList, isNullBodyStatus, trailerFields, type TrailersInit } from './fetch-headers';
import { fetchMethod } from './fetch-method';
import { MalformedRequestError, readRequestTarget, type RequestTarget } from './request-target';
import { Outcome } from '../streams/outcome';
import type { H2Session } from '../streams/session';
import type { H2Stream } from '../streams/stream';
import type { H2HeaderList } from '../streams/types';

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
  /**
   * Resolves when the response has been completely handed to the connection; rejects with the stream's
   * error (e.g. an `H2StreamError` CANCEL: the client reset it) if the stream failed before that.
   */
  readonly completed: Promise<void>;
  /**
   * The underlying HTTP/2 stream (e.g. for `push()`), and its session; absent when the request came
   * over HTTP/1.1 (a server answering both on one port).
   */
  readonly stream?: H2Stream;
  readonly session?: H2Session;
}

/** A `Deno.serve`-style handler: a Request in, a Response (or a promise of one) out. */
export type FetchHandler = (request: Request, info: FetchHandlerInfo) => Response | Promise<Response>;

/**
 * h2flow's request trailers: every request a fetch server hands its handler carries `trailers`, a promise
 * of the trailer block the client sent after the body (null if none), settled once the body has been read.
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

/**
 * The core options a fetch server's sessions take (a transport's `serve()` merges them under the user's):
 * a request refused for its header block gets 431 Request Header Fields Too Large (RFC 6585 §5), as
 * RFC 9113 §10.5.1 suggests, instead of a bare RST_STREAM; its handler never runs.
 */
export const FETCH_SERVER_CONFIG = { oversizedRequestStatus: 431 } as const;

const NO_BODY_METHODS = new Set(['GET', 'HEAD']);
/**
 * Whether a `Request` would carry `method` as sent: not a method fetch refuses, and not a lowercase
 * spelling of one it uppercases (RFC 9110 §9.1: methods are case-sensitive, `get` is not `GET`, and a
 * handler shown `GET` for it would answer another request than the one sent).
 */
function isRepresentableMethod(method: string): boolean {
  return fetchMethod(method) === method;
}

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

/**
 * One request being answered: the handler's `info` (its `completed` promise is made only when read) and
 * the state behind the Request's `signal` and `trailers`, also made only when read. One object per
 * request instead of a closure per hook.
 */
class Exchange implements FetchHandlerInfo {
  readonly stream: H2Stream;
  readonly session: H2Session;
  readonly remoteAddr: NetAddr | undefined;
  readonly #completed = new Outcome<void>();
  #completedRead = false;
  #controller: AbortController | null = null;
  #trailers: Promise<Headers | null> | null = null;
  #refused = false;

  constructor(stream: H2Stream, session: H2Session, remoteAddr: NetAddr | undefined) {
    this.stream = stream;
    this.session = session;
    this.remoteAddr = remoteAddr;
  }

  get completed(): Promise<void> {
    const promise = this.#completed.promise;
    if (!this.#completedRead) {
      this.#completedRead = true;
      promise.catch(ignore);
    }
    return promise;
  }

  /**
   * The request's AbortSignal: aborted when the stream fails (reset by the client, or the session ends),
   * but not by this side refusing a body nobody took after a complete response: the exchange succeeded.
   */
  get signal(): AbortSignal {
    if (this.#controller === null) {
      const controller = new AbortController();
      this.#controller = controller;
      this.stream.closed.then(undefined, (reason: unknown) => {
        if (!this.#refused) controller.abort(reason);
      });
    }
    return this.#controller.signal;
  }

  /** The request's trailers (see {@link RequestTrailers}). */
  get trailers(): Promise<Headers | null> {
    return (this.#trailers ??= this.stream.trailers.then(trailerHeaders));
  }

  complete(): void {
    this.#completed.resolve();
  }

  /**
   * After a complete response: if the client has not ended its side and nobody took the request body,
   * that body would hold the stream's and the connection's windows for good. RFC 9113 §8.1: a server "MAY
   * request that the client abort transmission of a request without error by sending a RST_STREAM with an
   * error code of NO_ERROR". A body the handler took (a reader, `text()`, `for await`, piping it into the
   * response) is left to it: it may still be reading after answering (a 202 that keeps ingesting).
   */
  refuseUntakenBody(request: Request | null): void {
    if (this.stream.remoteEnded || request?.body?.locked === true) return;
    this.#refused = true;
    this.stream.reset(ErrorCodes.NO_ERROR);
  }

  fail(error: unknown): void {
    this.#completed.reject(error);
  }
}

function ignore(): void {}

function trailerHeaders(list: H2HeaderList | null): Headers | null {
  return list === null ? null : headersFromList(list);
}

type ServerRequestClass = new (url: string, init: RequestInit, exchange: Exchange) => Request & RequestTrailers;
let serverRequest: ServerRequestClass | null = null;

/**
 * The Request handlers receive: the runtime's Request with `signal` and `trailers` served by the exchange
 * from the prototype (no per-request property definitions or closures). A Request given a signal in its
 * init builds a second AbortSignal and a listener per request; this one makes its signal only when read.
 * Defined on first use, so importing h2flow needs no global Request.
 */
function serverRequestClass(): ServerRequestClass {
  return (serverRequest ??= class ServerRequest extends Request {
    readonly #exchange: Exchange;

    constructor(url: string, init: RequestInit, exchange: Exchange) {
      super(url, init);
      this.#exchange = exchange;
    }

    get trailers(): Promise<Headers | null> {
      return this.#exchange.trailers;
    }

    static {
      // An accessor over Request's own `signal` (TypeScript types it as a plain property, hence no `get` above).
      Object.defineProperty(this.prototype, 'signal', {
        get(this: ServerRequest): AbortSignal {
          return this.#exchange.signal;
        },
        configurable: true,
      });
    }
  });
}

/**
 * Builds the Request of a server stream from its validated target (see request-target.ts); throws
 * TypeError for a request the fetch API cannot represent (a field `Headers` refuses).
 */
function toRequest(headerList: H2HeaderList, target: RequestTarget, url: string, exchange: Exchange, body: H2Stream | null): Request {
  const { pairs, host } = headerPairs(headerList);
  // RFC 9113 §8.3.1: ":authority ... Clients that generate HTTP/2 requests directly MUST use the :authority
  // pseudo-header field to convey authority information" — fetch code reads it as `host`.
  if (host === null) pairs.push(['host', target.authority]);
  const init: RequestInit & { duplex?: 'half' } = { method: target.method, headers: pairs };
  if (body !== null) {
    init.body = new ReadableStream<Uint8Array>(new RequestBodySource(body), PULL_ONE);
    init.duplex = 'half';
  }
  return new (serverRequestClass())(url, init, exchange);
}

/**
 * The HTTP/2 response header block of `response`. Throws for a status no HTTP/2 response can carry: a
 * `Response.error()` (status 0: a network error, which the caller turns into a stream reset) or a
 * subclass reporting anything but 200–599 (RFC 9110 §15: "a three-digit integer code"; 1xx are interim).
 */
function responseHeaderList(response: Response): Array<readonly [string, string]> {
  const status = response.status;
  if (!Number.isInteger(status) || status < 200 || status > 599) throw new TypeError(`h2flow: a response with status ${status} cannot be sent`);
  const list: Array<readonly [string, string]> = [[':status', String(status)]];
  appendHeaderFields(response.headers, list);
  return list;
}

const PENDING = Symbol('pending');
/** Microtask turns an in-memory body takes to yield a chunk or its end (2 for undici's). */
const SETTLE_TURNS = 4;
const RESOLVED = Promise.resolve();

function microtaskTurns(): Promise<typeof PENDING> {
  let p = RESOLVED;
  for (let i = 1; i < SETTLE_TURNS; i++) p = p.then();
  return p.then(pendingMark);
}

function pendingMark(): typeof PENDING {
  return PENDING;
}

/** `read`'s result if it settles within a few microtask turns, else PENDING (the read goes on). */
function soon<T>(read: Promise<T>): Promise<T | typeof PENDING> {
  return Promise.race([read, microtaskTurns()]);
}

/** Streams `response` onto `stream`; resolves when END_STREAM (or the trailers) reached the connection. */
async function sendResponse(stream: H2Stream, response: Response, isHead: boolean): Promise<void> {
  const headers = responseHeaderList(response);
  const trailers = (response as TrailersExtension).trailers;
  const body = response.body;
  if (body === null || isHead || isNullBodyStatus(response.status)) {
    if (body !== null) void body.cancel().catch(ignore);
    if (trailers === undefined || isHead) {
      stream.respond(headers, { endStream: true });
      return;
    }
    stream.respond(headers);
    stream.sendTrailers(trailerFields(await trailers));
    await stream.end();
    return;
  }
  const reader = body.getReader();
  try {
    // An in-memory body (a string, bytes, JSON) yields its one chunk and its end within a few microtasks:
    // then headers, chunk and END_STREAM go to the session at once, through respond()'s fast path (no
    // WritableStream). A body that is slower gets its headers right away: an event stream must not hold
    // them until its first event, nor a full-duplex echo its first chunk until its second.
    let read = reader.read();
    let next = await soon(read);
    let responded = false;
    if (next === PENDING) {
      stream.respond(headers);
      responded = true;
      next = await read;
    }
    if (next.done) {
      if (trailers === undefined && !responded) {
        stream.respond(headers, { endStream: true });
        return;
      }
      if (!responded) stream.respond(headers);
      if (trailers !== undefined) stream.sendTrailers(trailerFields(await trailers));
      await stream.end();
      return;
    }
    const first = next.value;
    read = reader.read();
    if (!responded) {
      const second = await soon(read);
      if (second !== PENDING && second.done && trailers === undefined) {
        stream.respond(headers, { body: first });
        await stream.end();
        return;
      }
      stream.respond(headers);
    }
    const writer = stream.writable.getWriter();
    void writer.write(first).catch(ignore);
    next = await read;
    while (!next.done) {
      await writer.ready;
      void writer.write(next.value).catch(ignore);
      next = await reader.read();
    }
    if (trailers !== undefined) stream.sendTrailers(trailerFields(await trailers));
    await writer.close();
  } catch (error) {
    void reader.cancel(error).catch(ignore);
    throw error;
  }
}

/**
 * The response to a well-formed request the fetch API cannot represent: 501 (RFC 9110 §15.6.2) for a
 * method or form it has no `Request` for (CONNECT, TRACE, `get`, `OPTIONS *`), 400 otherwise (a scheme
 * other than http(s), a field `Headers` refuses).
 */
function unrepresentable(target: RequestTarget): Response {
  const notImplemented = target.path === null || target.path === '*' || target.protocol !== null || !isRepresentableMethod(target.method);
  return new Response(null, { status: notImplemented ? 501 : 400 });
}

/** The handler's response, or onError's (the default's: 500) if it fails or returns something else. */
async function handle(handler: FetchHandler, request: Request, exchange: Exchange, onError: FetchServerOptions['onError']): Promise<Response> {
  try {
    const response = await handler(request, exchange);
    if (!(response instanceof Response)) throw new TypeError('h2flow: the handler must return a Response');
    return response;
  } catch (error) {
    try {
      return await (onError ?? defaultOnError)(error);
    } catch (inner) {
      return defaultOnError(inner);
    }
  }
}

/**
 * Answers one request stream with `handler`. Never rejects: handler failures become `onError`'s
 * response (500 by default) and body failures reset only this stream, so the session lives on.
 */
export async function respondToStream(stream: H2Stream, session: H2Session, handler: FetchHandler, options: FetchServerOptions = {}): Promise<void> {
  const headerList = stream.headers;
  let target: RequestTarget;
  try {
    target = readRequestTarget(headerList);
  } catch (error) {
    // RFC 9113 §8.1.1: a malformed request is a stream error of type PROTOCOL_ERROR; no handler sees it.
    stream.reset(error instanceof MalformedRequestError ? error.errorCode : ErrorCodes.INTERNAL_ERROR);
    return;
  }
  const method = target.method;
  const exchange = new Exchange(stream, session, options.remoteAddr);
  // GET and HEAD requests have no body in the fetch API, nor does one whose HEADERS carried END_STREAM.
  const body = NO_BODY_METHODS.has(method) || stream.bodyEmpty ? null : stream;
  let request: Request | null = null;
  if (target.url !== null && isRepresentableMethod(method)) {
    try {
      request = toRequest(headerList, target, target.url, exchange, body);
    } catch {
      // The fetch API cannot represent it: no handler can answer it.
    }
  }
  const response = request === null ? unrepresentable(target) : await handle(handler, request, exchange, options.onError);
  try {
    await sendResponse(stream, response, method === 'HEAD');
    exchange.complete();
  } catch (error) {
    // A failure anywhere in the response (body, trailers) ends this stream only; no-op if already ended.
    stream.reset(ErrorCodes.INTERNAL_ERROR);
    exchange.fail(error);
    return;
  }
  exchange.refuseUntakenBody(request);
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
