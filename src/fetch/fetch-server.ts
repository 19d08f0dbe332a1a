/**
 * Fetch-style HTTP/2 server over an `H2Session`: each request stream becomes a global `Request`, the
 * handler's `Response` goes back as HEADERS/DATA/trailers. Runtime-neutral (the runtime's global Request,
 * Response, Headers and AbortController; bodies are bridged across Web Streams implementations).
 * Layer: fetch.
 */
import { ErrorCodes } from '../core/index.ts';
import { isCanonicalUrl } from './canonical-url.ts';
import { trailerHeaders, type TrailersInit } from './fetch-headers.ts';
import { fetchMethod } from './fetch-method.ts';
import { isHostName, MalformedRequestError, readRequestTarget, type RequestTarget } from './request-target.ts';
import { ENDED, sendResponse, type TrailersExtension } from './send-response.ts';
import { bodyTaken, serverRequest, type RequestExchange, type ServerRequestParts } from './server-request.ts';
import { Outcome } from '../streams/outcome.ts';
import { acceptIncoming, type H2Session } from '../streams/session.ts';
import type { QueueConsumer } from '../streams/pull-queue.ts';
import type { H2Stream } from '../streams/stream.ts';
import type { H2HeaderList } from '../streams/types.ts';

/** A network address, as Deno's `Deno.NetAddr`. */
export interface NetAddr {
  /** `udp` for a client over QUIC (a WebTransport tunnel). */
  readonly transport: 'tcp' | 'udp';
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

export type { RequestTrailers } from './server-request.ts';
export type { TrailersExtension } from './send-response.ts';

/** Returns `response` with trailers attached (see {@link TrailersExtension}). */
export function withTrailers(response: Response, trailers: TrailersInit | null | Promise<TrailersInit | null>): Response & TrailersExtension {
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
 * One request being answered: the handler's `info` (its `completed` promise is made only when read), the
 * validated parts its Request is made from, and the state behind the Request's `signal` and `trailers`,
 * also made only when read. One object per request instead of a closure per hook.
 */
// Exchange's yes/no state, as bits of one field.
/** The request has a body (not GET/HEAD, and its HEADERS did not end the stream). */
const HAS_BODY = 1;
/** This side refused a body nobody took after a complete response (see refuseUntakenBody). */
const REFUSED = 2;

class Exchange implements FetchHandlerInfo, RequestExchange, ServerRequestParts {
  readonly stream: H2Stream;
  readonly session: H2Session;
  readonly remoteAddr: NetAddr | undefined;
  readonly method: string;
  readonly url: string;
  /**
   * `completed`'s outcome once first read; until then how the response ended so far: null (running),
   * 'sent', a failure, or 'ending' (the whole response was handed to the stream, whose `end()` tells
   * when it reached the connection). One field for both (8 B per request held).
   */
  #completion: Outcome<void> | { readonly error: unknown } | 'sent' | 'ending' | null = null;
  #controller: AbortController | null = null;
  #trailers: Promise<Headers | null> | null = null;
  /**
   * HAS_BODY, REFUSED: one field, not two (the request's header list is the stream's own, not kept here).
   * No #methods: a class with one puts a brand in every instance (8 B per request held).
   */
  #flags: number;

  constructor(stream: H2Stream, session: H2Session, remoteAddr: NetAddr | undefined, method: string, url: string, hasBody: boolean) {
    this.stream = stream;
    this.session = session;
    this.remoteAddr = remoteAddr;
    this.method = method;
    this.url = url;
    this.#flags = hasBody ? HAS_BODY : 0;
  }

  /**
   * The target's authority (`:authority`, else `host`: see readRequestTarget), found again in the header
   * list when asked (only a request without `host` needs it): not a field per request held.
   */
  get authority(): string {
    return targetAuthority(this.stream.headers);
  }

  /** The request's header block, as received. */
  get headerList(): H2HeaderList {
    return this.stream.headers;
  }

  /** The stream the request body is read from, or null for a request without one. */
  get body(): H2Stream | null {
    return (this.#flags & HAS_BODY) !== 0 ? this.stream : null;
  }

  /** The exchange behind the request's `signal` and `trailers` (ServerRequestParts): this one. */
  get exchange(): RequestExchange {
    return this;
  }

  get completed(): Promise<void> {
    const current = this.#completion;
    if (current instanceof Outcome) return current.promise;
    const completed = completionOf(current === 'ending' ? null : current);
    this.#completion = completed;
    if (current === 'ending') followEnd(this.stream, completed);
    return completed.promise;
  }

  /**
   * The request's AbortSignal: aborted when the stream fails (reset by the client, or the session ends),
   * but not by this side refusing a body nobody took after a complete response: the exchange succeeded.
   */
  get signal(): AbortSignal {
    if (this.#controller === null) {
      const controller = new AbortController();
      this.#controller = controller;
      // Made after the stream failed (a handler looking once its body read failed): aborted already.
      const error = this.stream.error;
      if (error !== null) {
        if ((this.#flags & REFUSED) === 0) controller.abort(error);
      } else {
        this.stream.closed.then(undefined, (reason: unknown) => {
          if ((this.#flags & REFUSED) === 0) controller.abort(reason);
        });
      }
    }
    return this.#controller.signal;
  }

  /**
   * The request's trailers (see {@link RequestTrailers}). Its rejection is marked handled: a handler that
   * took it before awaiting the body (the usual order) and failed when the client reset the stream would
   * otherwise leave it unhandled, which crashes a Node process by default — a client's reset away.
   */
  get trailers(): Promise<Headers | null> {
    if (this.#trailers === null) {
      this.#trailers = this.stream.trailers.then(trailerHeaders);
      this.#trailers.catch(ignore);
    }
    return this.#trailers;
  }

  complete(): void {
    const current = this.#completion;
    if (current instanceof Outcome) current.resolve();
    else this.#completion = 'sent';
  }

  /**
   * The whole response was handed to the stream: `completed` follows `stream.end()`, asked for only if
   * someone reads `completed` (no promise per request otherwise).
   */
  ending(): void {
    const current = this.#completion;
    if (current instanceof Outcome) followEnd(this.stream, current);
    else this.#completion = 'ending';
  }

  /**
   * After a complete response: if the client has not ended its side and nobody took the request body,
   * that body would hold the stream's and the connection's windows for good. RFC 9113 §8.1: a server "MAY
   * request that the client abort transmission of a request without error by sending a RST_STREAM with an
   * error code of NO_ERROR". A body the handler took (a reader, `text()`, `for await`, piping it into the
   * response) is left to it: it may still be reading after answering (a 202 that keeps ingesting).
   */
  refuseUntakenBody(request: Request | null): void {
    if (this.stream.remoteEnded || (request !== null && bodyTaken(request))) return;
    this.#flags |= REFUSED;
    this.stream.reset(ErrorCodes.NO_ERROR);
  }

  fail(error: unknown): void {
    const current = this.#completion;
    if (current instanceof Outcome) current.reject(error);
    else if (current === null) this.#completion = { error };
  }
}

/** `completed` follows `stream.end()`: it settles once the response's end reached the connection. */
function followEnd(stream: H2Stream, completed: Outcome<void>): void {
  stream.end().then(
    () => completed.resolve(),
    (error: unknown) => completed.reject(error),
  );
}

/** A valid request's authority as readRequestTarget took it: `:authority`, else `host` ('' with neither). */
function targetAuthority(list: H2HeaderList): string {
  let host = '';
  for (let i = 0; i < list.length; i++) {
    const name = list[i]![0];
    if (name === ':authority') return list[i]![1];
    if (isHostName(name)) host = list[i]![1];
  }
  return host;
}

function ignore(): void {}

/** The last URL {@link requestUrl} was given, and its answer (a target's URL repeats: see targetUrl). */
let lastUrl = '';
let lastHref = '';

/** `url` as the runtime's `Request.url` serializes it; throws TypeError for a URL it refuses. */
function requestUrl(url: string): string {
  if (url === lastUrl && url !== '') return lastHref;
  const href = isCanonicalUrl(url) ? url : new URL(url).href;
  lastUrl = url;
  lastHref = href;
  return href;
}

/**
 * A handler's `info.completed`, made when first read: settled as the response ended so far ('sent', a
 * failure, or null: still running, settled later by the caller), its rejection never left unhandled.
 * The HTTP/1.1 side makes its own with it too.
 */
export function completionOf(result: 'sent' | { readonly error: unknown } | null): Outcome<void> {
  const completed = new Outcome<void>();
  if (result === 'sent') completed.resolve();
  else if (result !== null) completed.reject(result.error);
  completed.promise.catch(ignore);
  return completed;
}

/**
 * The `Request.url` a handler sees for a validated request target, or null when the fetch API cannot
 * represent the request (a method it refuses or would change, a URL it refuses). HTTP/1.1 shares it.
 */
export function fetchRequestUrl(target: RequestTarget): string | null {
  if (target.url === null || !isRepresentableMethod(target.method)) return null;
  try {
    return requestUrl(target.url);
  } catch {
    return null;
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

/** onError's response (the default's: 500) to a handler's failure, then sent: never rejects. */
function sendRecovered(exchange: Exchange, request: Request | null, error: unknown, onError: FetchServerOptions['onError']): Promise<void> {
  return recover(error, onError).then((response) => send(exchange, request, response));
}

/**
 * The handler's answer for `exchange`, sent: at once for a Response returned synchronously (no promise,
 * no microtask turn before it is sent), else once its promise settles (onError's response if it fails or
 * gives something else). One `then` with two closures over one context, not an async function awaiting
 * it and a `then` after that: a handler that holds its request keeps this alive, and the async frame,
 * its promises and a second closure were ~400 B per request held.
 */
function handle(handler: FetchHandler, request: Request, exchange: Exchange, onError: FetchServerOptions['onError']): Promise<void> | undefined {
  let result: Response | Promise<Response>;
  try {
    result = handler(request, exchange);
  } catch (error) {
    return sendRecovered(exchange, request, error, onError);
  }
  if (result instanceof Response) return send(exchange, request, result);
  return Promise.resolve(result).then(
    (response: unknown) =>
      response instanceof Response
        ? send(exchange, request, response)
        : sendRecovered(exchange, request, new TypeError('h2flow: the handler must return a Response'), onError),
    (error: unknown) => sendRecovered(exchange, request, error, onError),
  );
}

async function recover(error: unknown, onError: FetchServerOptions['onError']): Promise<Response> {
  try {
    const response = await (onError ?? defaultOnError)(error);
    if (!(response instanceof Response)) throw new TypeError('h2flow: onError must return a Response');
    return response;
  } catch (inner) {
    return defaultOnError(inner);
  }
}

/**
 * Answers one request stream with `handler`. Never rejects: handler failures become `onError`'s
 * response (500 by default) and body failures reset only this stream, so the session lives on.
 */
export function respondToStream(stream: H2Stream, session: H2Session, handler: FetchHandler, options: FetchServerOptions = {}): Promise<void> {
  return answer(stream, session, handler, options.remoteAddr, options.onError) ?? RESOLVED;
}

const RESOLVED = Promise.resolve();

/**
 * {@link respondToStream}, without a promise when the whole exchange ran synchronously (a handler that
 * returned a Response whose body was in memory, a malformed request): undefined then, else a promise that
 * never rejects. No async function per request: its promise and suspended frame were garbage for every
 * request answered at once.
 */
function answer(
  stream: H2Stream,
  session: H2Session,
  handler: FetchHandler,
  remoteAddr: NetAddr | undefined,
  onError: FetchServerOptions['onError'],
): Promise<void> | undefined {
  // Failed before its handler ran (its session failed in the read that brought it, while it waited to be
  // delivered): no answer can reach the client, and a peer must not make a broken connection run a
  // batch of handlers for nothing (the session keeps such streams queued, failed, for `incoming` readers).
  if (stream.error !== null) return undefined;
  const headerList = stream.headers;
  let target: RequestTarget;
  try {
    target = readRequestTarget(headerList);
  } catch (error) {
    // RFC 9113 §8.1.1: a malformed request is a stream error of type PROTOCOL_ERROR; no handler sees it.
    stream.reset(error instanceof MalformedRequestError ? error.errorCode : ErrorCodes.INTERNAL_ERROR);
    return undefined;
  }
  const method = target.method;
  // null: the fetch API cannot represent it, no handler can answer it.
  const url = fetchRequestUrl(target);
  // GET and HEAD requests have no body in the fetch API, nor does one whose HEADERS carried END_STREAM.
  const hasBody = !(method === 'GET' || method === 'HEAD' || stream.bodyEmpty);
  const exchange = new Exchange(stream, session, remoteAddr, method, url ?? '', hasBody);
  let request: Request | null = null;
  if (url !== null) {
    try {
      request = serverRequest(exchange);
    } catch {
      // The fetch API cannot represent it (a field `Headers` refuses): no handler can answer it.
    }
  }
  return request === null ? send(exchange, null, unrepresentable(target)) : handle(handler, request, exchange, onError);
}

/**
 * Sends the handler's `response` for `exchange`: undefined when that ended synchronously, else a
 * promise (never rejecting) that settles once the response reached the connection.
 */
function send(exchange: Exchange, request: Request | null, response: Response): Promise<void> | undefined {
  const stream = exchange.stream;
  // A body the handler took is read through `stream.readable`, which the Request's body source opens only
  // on its first pull (after the ReadableStream's start, a microtask later): open it before the response
  // can end, or the streams layer would take the body for unwanted and refuse the rest of it.
  if (exchange.body !== null && request !== null && bodyTaken(request)) void stream.readable;
  let sent: ReturnType<typeof sendResponse>;
  try {
    sent = sendResponse(stream, response, exchange.method === 'HEAD');
  } catch (error) {
    failed(exchange, error);
    return undefined;
  }
  if (sent === ENDED) {
    // Nothing is left to do once the end reaches the connection unless a request body may still come
    // (refuseUntakenBody): then wait for it as for any response.
    if (stream.remoteEnded) {
      exchange.ending();
      return undefined;
    }
    return completeAfter(exchange, request, stream.end());
  }
  if (sent !== undefined) return completeAfter(exchange, request, sent);
  exchange.complete();
  exchange.refuseUntakenBody(request);
  return undefined;
}

/** The response is complete once `sent` resolves; a failure ends this stream only. */
async function completeAfter(exchange: Exchange, request: Request | null, sent: Promise<void>): Promise<void> {
  try {
    await sent;
    exchange.complete();
  } catch (error) {
    failed(exchange, error);
    return;
  }
  exchange.refuseUntakenBody(request);
}

/** A failure anywhere in the response (body, trailers) ends this stream only; no-op if already ended. */
function failed(exchange: Exchange, error: unknown): void {
  exchange.stream.reset(ErrorCodes.INTERNAL_ERROR);
  exchange.fail(error);
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
export function serveSession(session: H2Session, handler: FetchHandler, options: FetchServerOptions = {}): Promise<void> {
  return new Promise<void>((resolve) => serveRequests(session, handler, options, resolve));
}

/**
 * {@link serveSession} without its promise (`onEnd` is called when it would resolve): for a caller that
 * does not wait for the session, such as `serve()`, whose connections would otherwise each hold a
 * promise and its resolving functions for their whole life. Not part of the public API.
 */
export function serveRequests(session: H2Session, handler: FetchHandler, options: FetchServerOptions, onEnd: () => void = ignore): void {
  acceptIncoming(session, new SessionResponder(session, handler, options.remoteAddr, options.onError, onEnd));
}

/**
 * What answers one session's requests: one object for the connection's life, instead of a closure, its
 * context and the options object it kept (~200 B per idle connection).
 */
class SessionResponder implements QueueConsumer<H2Stream> {
  readonly #session: H2Session;
  readonly #handler: FetchHandler;
  readonly #remoteAddr: NetAddr | undefined;
  readonly #onError: FetchServerOptions['onError'];
  readonly #onEnd: () => void;

  constructor(session: H2Session, handler: FetchHandler, remoteAddr: NetAddr | undefined, onError: FetchServerOptions['onError'], onEnd: () => void) {
    this.#session = session;
    this.#handler = handler;
    this.#remoteAddr = remoteAddr;
    this.#onError = onError;
    this.#onEnd = onEnd;
  }

  take(stream: H2Stream): void {
    void answer(stream, this.#session, this.#handler, this.#remoteAddr, this.#onError);
  }

  end(): void {
    this.#onEnd();
  }
}
