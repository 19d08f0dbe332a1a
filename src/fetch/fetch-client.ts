/**
 * Fetch-style HTTP/2 client over a client `H2Session`: `client.fetch(input, init)` → a global `Response`
 * with a streaming body, request bodies streamed full duplex, trailers through an extension. Runtime-
 * neutral (the runtime's global Request, Response and Headers). Layer: fetch.
 */
import { appendHeaderFields, fieldValue, headersFromList, isNullBodyStatus, trailerFields, type TrailersInit } from './fetch-headers';
import { iterate, toNative } from '../streams/interop';
import type { CloseOptions } from '../streams/session-pump';
import type { H2Session } from '../streams/session';
import type { H2Stream } from '../streams/stream';

/** h2flow's response extension: the trailer block the server sent after the body, or null if none. */
export interface ResponseTrailers {
  readonly trailers: Promise<Headers | null>;
}

type TrailersInput = TrailersInit | Promise<TrailersInit>;

/**
 * `RequestInit` plus h2flow's extensions: `duplex` (added when missing for stream bodies) and `trailers`,
 * a trailer block (or a promise of one) sent after the body.
 */
export type H2RequestInit = RequestInit & { duplex?: 'half'; trailers?: TrailersInput };

/** Options of {@link H2Client}. */
export interface H2ClientOptions {
  /** The origin relative URLs resolve against, and the default `:scheme` / `:authority`. */
  readonly baseUrl: string | URL;
  /**
   * Receives each stream the server pushes (if the session enabled push). Without it the client cancels
   * every pushed stream (RST_STREAM CANCEL) as it arrives: a pushed body nobody reads would hold the
   * connection's receive window, and with enough of them every later response would stall.
   */
  readonly onPush?: (stream: H2Stream) => void;
}

/** Copies a request body into the stream's writable, then ends it (with `trailers`, if given). */
async function pumpBody(body: ReadableStream<Uint8Array> | null, stream: H2Stream, trailers: TrailersInput | undefined): Promise<void> {
  const reader = body?.getReader() ?? null;
  try {
    if (reader === null) {
      if (trailers !== undefined) stream.sendTrailers(trailerFields(await trailers));
      return;
    }
    const writer = stream.writable.getWriter();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await writer.ready;
      void writer.write(value).catch(() => undefined);
    }
    if (trailers !== undefined) stream.sendTrailers(trailerFields(await trailers));
    await writer.close();
  } catch (error) {
    if (reader !== null) void reader.cancel(error).catch(() => undefined);
    stream.reset();
  }
}

/** Cancels the session's `incoming`: every pushed stream, queued or later, is reset with CANCEL. */
function refusePushes(session: H2Session): void {
  void session.incoming.cancel().catch(() => undefined);
}

/** Hands every pushed stream to `onPush` until the session ends. */
async function takePushes(session: H2Session, onPush: (stream: H2Stream) => void): Promise<void> {
  try {
    for await (const stream of iterate(session.incoming)) onPush(stream);
  } catch {
    return;
  }
}

function isReadableStreamLike(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as ReadableStream).getReader === 'function';
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
    this.#base = new URL(options.baseUrl);
    // Registered before any fetch() can await the session, so no push is accepted before this runs.
    const onPush = options.onPush;
    this.#session.then((s) => (onPush === undefined ? refusePushes(s) : takePushes(s, onPush)), () => undefined);
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
   * Like `fetch`: relative URLs resolve against `baseUrl`; a `ReadableStream` body needs `duplex: 'half'`
   * (added when missing) and is sent while the response may already be arriving; `init.signal` resets the
   * stream with CANCEL; `init.trailers` are sent after the body. The response carries `trailers` (see
   * {@link ResponseTrailers}).
   */
  async fetch(input: string | URL | Request, init?: H2RequestInit): Promise<Response & ResponseTrailers> {
    let requestInit = init;
    if (init !== undefined && isReadableStreamLike(init.body)) {
      requestInit = { ...init, body: toNative(init.body), duplex: init.duplex ?? 'half' };
    }
    const request = input instanceof Request ? new Request(input, requestInit) : new Request(new URL(input, this.#base), requestInit);
    const url = new URL(request.url);
    const authority = request.headers.get('host') ?? url.host;
    const headers: Array<readonly [string, string]> = [
      [':method', request.method],
      [':scheme', url.protocol.slice(0, -1)],
      [':authority', authority],
      [':path', url.pathname + url.search],
    ];
    appendHeaderFields(request.headers, headers);
    const body = request.body;
    const requestTrailers = init?.trailers;
    const session = await this.#session;
    const stream = await session.request(headers, { endStream: body === null && requestTrailers === undefined, signal: request.signal });
    if (body !== null || requestTrailers !== undefined) void pumpBody(body, stream, requestTrailers);
    const head = await stream.response;
    const status = Number(fieldValue(head, ':status'));
    const responseHeaders = headersFromList(head);
    const noBody = request.method === 'HEAD' || isNullBodyStatus(status);
    const responseBody = noBody ? null : toNative(stream.readable);
    const response = new Response(responseBody, { status, headers: responseHeaders });
    const trailers = stream.trailers.then((list) => (list === null ? null : headersFromList(list)));
    trailers.catch(() => undefined);
    Object.defineProperty(response, 'url', { value: request.url });
    Object.defineProperty(response, 'trailers', { value: trailers });
    return response as Response & ResponseTrailers;
  }

  /** Closes the connection (graceful by default: requests in flight finish). */
  async close(options?: CloseOptions): Promise<void> {
    const session = await this.#session;
    await session.close(options);
  }
}
