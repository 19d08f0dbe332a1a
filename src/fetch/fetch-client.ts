/**
 * Fetch-style HTTP/2 client over a client `H2Session`: `client.fetch(input, init)` → a global `Response`
 * with a streaming body, request bodies streamed full duplex, trailers through an extension. Runtime-
 * neutral (the runtime's global Request, Response and Headers). Layer: fetch.
 */
import { ErrorCodes } from '../core/errors.ts';
import { trailerFieldsOrNone } from './fetch-headers.ts';
import { checkBaseUrl, redirectHead, requestHead, type H2RequestInit, type RequestHead } from './client-request.ts';
import { buildResponse, type ResponseTrailers } from './client-response.ts';
import type { CloseOptions } from '../streams/close-lifecycle.ts';
import { refuseIncoming, type H2Session } from '../streams/session.ts';
import type { H2Stream } from '../streams/stream.ts';
import type { H2HeaderList } from '../streams/types.ts';
import type { TrailersInit } from './fetch-headers.ts';
import { readRequestTarget } from './request-target.ts';

export type { H2RequestInit } from './client-request.ts';

/** The statuses fetch follows (Fetch's "redirect status", RFC 9110 §15.4). */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Fetch §4.4: a 21st redirect is a network error. */
const MAX_REDIRECTS = 20;
export type { ResponseTrailers } from './client-response.ts';

type TrailersInput = TrailersInit | null | Promise<TrailersInit | null>;

/** Options of {@link H2Client}. */
export interface H2ClientOptions {
  /** The origin relative URLs resolve against, and the default `:scheme` / `:authority`. */
  readonly baseUrl: string | URL;
  /**
   * Receives each stream the server pushes (if the session enabled push). Without it the client cancels
   * every pushed stream (RST_STREAM CANCEL) as it arrives: a pushed body nobody reads would hold the
   * connection's receive window, and with enough of them every later response would stall. Only pushes
   * of a well-formed GET or HEAD for this client's origin arrive; others are reset with PROTOCOL_ERROR
   * (RFC 9113 §8.4), so a server cannot plant responses for another origin. A push `onPush` throws on
   * is cancelled, and later pushes still arrive.
   */
  readonly onPush?: (stream: H2Stream) => void;
}

/**
 * Sends a request body (bytes or a stream of any Web Streams implementation) and ends the stream (with
 * `trailers`, if given). A failure resets the stream (CANCEL) and cancels the source with the abort
 * signal's reason when the fetch was aborted, else with the failure.
 */
async function sendBody(body: Uint8Array | ReadableStream<Uint8Array> | null, stream: H2Stream, trailers: TrailersInput | undefined, signal: AbortSignal | null): Promise<void> {
  if (body instanceof Uint8Array && trailers === undefined) {
    // The whole body at once, without a WritableStream.
    return stream.end(body).catch(ignore);
  }
  const reader = body === null || body instanceof Uint8Array ? null : body.getReader();
  // The server reset the stream (or refused the rest of the body after its response, RFC 9113 §8.1), the
  // fetch was aborted, or the session ended: cancel the source at once, not at its next chunk — a read
  // it does not answer (a duplex body fed by the user) would hold the source and this loop for good.
  if (reader !== null) stream.closed.then(undefined, (error: unknown) => void reader.cancel(signal?.aborted === true ? signal.reason : error).catch(ignore));
  try {
    if (body === null) {
      const fields = trailerFieldsOrNone(await trailers!);
      if (fields !== null) stream.sendTrailers(fields);
      else await stream.end();
      return;
    }
    const writer = stream.writable.getWriter();
    if (reader === null) {
      void writer.write(body as Uint8Array).catch(ignore);
    } else {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        await writer.ready;
        void writer.write(value).catch(ignore);
      }
    }
    const fields = trailers === undefined ? null : trailerFieldsOrNone(await trailers);
    if (fields !== null) stream.sendTrailers(fields);
    await writer.close();
  } catch (error) {
    if (reader !== null) void reader.cancel(signal?.aborted === true ? signal.reason : error).catch(ignore);
    stream.reset();
  }
}

function ignore(): void {}

/** `promise`, or a rejection with `signal.reason` if the signal aborts first. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Whether a promised request is one the client may accept. RFC 9113 §8.4: "A client MUST treat a
 * PUSH_PROMISE for which the server is not authoritative as a stream error ... of type PROTOCOL_ERROR",
 * and likewise one whose request "is not cacheable, is not known to be safe": a well-formed (see
 * request-target.ts) GET or HEAD of the client's own origin — the one server it knows it is talking to.
 */
function isAcceptablePush(headers: H2HeaderList, base: URL): boolean {
  let url: URL;
  try {
    const target = readRequestTarget(headers);
    if ((target.method !== 'GET' && target.method !== 'HEAD') || target.url === null) return false;
    url = new URL(target.url);
  } catch {
    return false;
  }
  return url.protocol === base.protocol && url.host === base.host;
}

/** Hands every acceptable pushed stream to `onPush` until the session ends; resets the others. */
async function takePushes(session: H2Session, onPush: (stream: H2Stream) => void, base: URL): Promise<void> {
  try {
    // Over the session, not `incoming`: no ReadableStream and reader kept per connection.
    for await (const stream of session) {
      if (!isAcceptablePush(stream.headers, base)) {
        stream.reset(ErrorCodes.PROTOCOL_ERROR);
        continue;
      }
      try {
        onPush(stream);
      } catch {
        // Nobody holds this one: its unread body would hold the connection window.
        stream.reset(ErrorCodes.CANCEL);
      }
    }
  } catch {
    return;
  }
}

/**
 * A fetch API over one HTTP/2 connection. Requests run concurrently as streams of the session (waiting
 * for a slot when the server's MAX_CONCURRENT_STREAMS is reached).
 *
 * @example
 * ```ts
 * const client = new H2Client(session, { baseUrl: 'https://example.com' });
 * const res = await client.fetch('/upload', { method: 'POST', body: stream, duplex: 'half' });
 * console.log(res.status, await res.text(), await res.trailers);
 * await client.close();
 * ```
 */
export class H2Client {
  readonly #session: Promise<H2Session>;
  readonly #base: URL;

  /** Wraps a client session (or a promise of one, e.g. while connecting). */
  constructor(session: H2Session | Promise<H2Session>, options: H2ClientOptions) {
    this.#session = Promise.resolve(session);
    this.#base = checkBaseUrl(new URL(options.baseUrl));
    // Registered before any fetch() can await the session, so no push is accepted before this runs.
    const onPush = options.onPush;
    const base = this.#base;
    // No onPush: every pushed stream, queued or later, is reset with CANCEL.
    this.#session.then((s) => (onPush === undefined ? refuseIncoming(s) : takePushes(s, onPush, base)), () => undefined);
  }

  /** The session (a promise: it may still be connecting). */
  get session(): Promise<H2Session> {
    return this.#session;
  }

  /** Settles when the connection is done (see `H2Session.closed`). */
  get closed(): Promise<void> {
    return this.#session.then((s) => s.closed);
  }

  /**
   * Sends a request and resolves with the response once its header block arrives; the body streams.
   * Like `fetch`: relative URLs resolve against `baseUrl` (and a URL of another origin is refused: this
   * connection serves one); a `ReadableStream` body is sent while the response may already be arriving;
   * `init.trailers` are sent after the body. Every header given is sent (a `host` becomes `:authority`)
   * and every response field is in `response.headers`, on every runtime: nothing goes through the
   * runtime's `Request`, which in a browser drops `cookie`, `user-agent` and `host` (a `Request` given as
   * `input` carries only what its runtime let it keep: give those in `init.headers`). Aborting
   * `init.signal` resets the stream with CANCEL and rejects the fetch — or errors the body being read —
   * with the signal's reason. A response the fetch API cannot represent (e.g. `:status` 999) resets the
   * stream with CANCEL and rejects with a TypeError whose `cause` says why. The response carries
   * `trailers` (see {@link ResponseTrailers}). Redirects (301, 302, 303, 307, 308 with a Location) are
   * followed as fetch follows them (`redirect`: 'follow' by default, at most 20; 'manual' returns the
   * redirect itself, 'error' rejects), within this connection's origin only: a redirect to another
   * origin, or one that would resend a streamed body, rejects with a TypeError.
   */
  async fetch(input: string | URL | Request, init?: H2RequestInit): Promise<Response & ResponseTrailers> {
    let head = requestHead(input, init, this.#base);
    const mode = init?.redirect ?? (typeof input === 'object' && !(input instanceof URL) ? input.redirect : undefined) ?? 'follow';
    for (let redirects = 0; ; redirects++) {
      const response = await this.#exchange(head, redirects > 0);
      if (mode === 'manual' || !REDIRECT_STATUSES.has(response.status)) return response;
      const location = response.headers.get('location');
      if (location === null) return response;
      // Not read: its stream is reset (CANCEL), giving back its slot and windows.
      void response.body?.cancel().catch(ignore);
      if (mode === 'error') throw new TypeError(`h2flow: ${head.method} ${head.url} was redirected (${response.status}) and redirect is 'error'`);
      if (redirects === MAX_REDIRECTS) throw new TypeError(`h2flow: more than ${MAX_REDIRECTS} redirects from ${head.url}`);
      head = redirectHead(head, response.status, location, this.#base);
    }
  }

  /** One request and its response (the fetch's own, or one a redirect made). */
  async #exchange(head: RequestHead, redirected: boolean): Promise<Response & ResponseTrailers> {
    const signal = head.signal;
    signal?.throwIfAborted();
    const session = await (signal === null ? this.#session : abortable(this.#session, signal));
    // An empty body ends the stream with its HEADERS, as no body does.
    const hasBody = (head.body !== null && !(head.body instanceof Uint8Array && head.body.byteLength === 0)) || head.trailers !== undefined;
    const stream = await session.request(head.fields, signal === null ? { endStream: !hasBody } : { endStream: !hasBody, signal });
    if (hasBody) void sendBody(head.body, stream, head.trailers, signal);
    let fields;
    try {
      fields = await stream.response;
    } catch (error) {
      throw signal?.aborted === true ? signal.reason : error;
    }
    try {
      return buildResponse(stream, fields, head.method, head.url, signal, redirected);
    } catch (cause) {
      // Nobody will read this stream: give back its slot and windows (RFC 9113 §8.7 CANCEL).
      stream.reset(ErrorCodes.CANCEL);
      throw new TypeError(`h2flow: the response to ${head.method} ${head.url} cannot be represented: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    }
  }

  /** Closes the connection (graceful by default: requests in flight finish). */
  async close(options?: CloseOptions): Promise<void> {
    const session = await this.#session;
    await session.close(options);
  }
}
