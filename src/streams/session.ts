/**
 * H2Session: an HTTP/2 connection over any `{ readable, writable }` byte transport, as Web Streams.
 * Server sessions yield requests (`for await (const stream of session)`, or `incoming`); client sessions
 * open them with `request()`.
 * Layer: streams (runtime-neutral: Web Streams and the protocol core only).
 */
import { checkOptions, type H2ConfigurationOptions, type H2Connection, type H2Event } from '../core/index.ts';
import type { H2Clock } from './deadline.ts';
import type { CloseOptions } from './close-lifecycle.ts';
import { SessionPump, type RequestOptions } from './session-pump.ts';
import type { H2Timeouts } from './session-timers.ts';
import type { H2Settings } from './settings.ts';
import type { H2Stream } from './stream.ts';
import type { QueueConsumer } from './pull-queue.ts';
import { globalStreams, type H2HeaderList, type H2HeadersInit, type H2Transport, type StreamConstructors } from './types.ts';

/** The session's engine, for `acceptIncoming` (the class's static block sets it). */
let pumpOf: (session: H2Session) => SessionPump;

/** Options of {@link H2Session}. */
export interface H2SessionOptions {
  /** Which end of the connection this is. */
  readonly role: 'server' | 'client';
  /**
   * Options for the core's `H2Configuration` (limits, header handling); `clientSide` follows `role`.
   * Sessions given the same object share one configuration while the object keeps its values.
   */
  readonly config?: Omit<H2ConfigurationOptions, 'clientSide'>;
  /**
   * The Web Streams implementation for every stream the session creates (bodies, `incoming`, `events`).
   * Default: the runtime's own classes, on every runtime. Measured on Node 20 (bench/streams.bench.mjs,
   * bench/server.bench.mjs, same-run ratios): web-streams-polyfill 4.3 creates a stream ~3× faster and
   * serves small requests 1.4–2× faster (session API under h2load); bulk throughput is a wash (0.9–1.4×,
   * within run-to-run noise). The default stays native even so: h2flow has no runtime dependency, and
   * native streams work with the runtime's `pipeTo`, `pipeThrough` and `Response` as they are (a polyfill
   * stream meeting a native one in `pipeTo` throws a TypeError either way). Servers bound by request rate
   * on Node can inject the polyfill's `{ ReadableStream, WritableStream }`; streams handed across need
   * `toNative()` / `fromNative()`.
   */
  readonly streams?: { readonly ReadableStream: unknown; readonly WritableStream: unknown };
  /** SETTINGS to advertise in the initial SETTINGS frame (with the core's defaults); they apply once acknowledged. */
  readonly settings?: H2Settings;
  /**
   * The connection-level receive window in bytes (RFC 9113 §6.9), default 1 MiB (never below the RFC's
   * initial 65 535: a connection window cannot shrink). It bounds the DATA all
   * streams together hold unread (bodies that ended too, until read or cancelled), so it is the session's
   * inbound memory bound against a peer that sends faster than the application reads; each stream is
   * also bounded by SETTINGS_INITIAL_WINDOW_SIZE. The trade-off: unread bodies keep their share, so an
   * application that waits on one body while `connectionWindowSize / initialWindowSize` others sit unread
   * (16 by default) stalls the connection. Read bodies as they come, or cancel the ones not wanted; a
   * server's request body still unread when its response is complete stops counting (it stays readable).
   */
  readonly connectionWindowSize?: number;
  /**
   * How many events `session.events` keeps for a reader that falls behind. Beyond it one is dropped per
   * new event (counted in `droppedEvents`): the oldest DATA, WINDOW_UPDATE or PING event if any, else the
   * oldest. Default 128. A DATA event holds its payload, so this also bounds that memory.
   */
  readonly eventBufferSize?: number;
  /**
   * DATA bytes written to the transport and not yet accepted by it before bodies wait; it also caps what
   * one turn batches into a single transport write. Default 256 KiB (bulk transfers over Node sockets
   * spent ~40% more CPU per byte at 64 KiB, one flush per four frames), 1 MiB over a vectored transport
   * (`H2Transport.vectored`, e.g. Node sockets), where those bytes are the bodies' own chunks.
   */
  readonly outboundHighWaterMark?: number;
  /** Timed policies (SETTINGS acknowledgement, idle, write stall, keepalive, close phases, stream stall); see {@link H2Timeouts}. */
  readonly timeouts?: H2Timeouts;
  /** The clock those policies run on; default the runtime's `setTimeout` (unref'd where possible). */
  readonly clock?: H2Clock;
  /**
   * The connection began as HTTP/1.1 and was upgraded (`Upgrade: h2c`, RFC 7540 §3.2): the core starts
   * with `initiateUpgradeConnection`. Server: `settingsHeader` is the request's HTTP2-Settings and
   * `headers` the upgrading request, which `incoming` yields as stream 1 (its body, if any, was HTTP/1.1).
   * Client: stream 1 is the request already sent; `upgradeStream` receives its response.
   */
  readonly upgrade?: { readonly settingsHeader?: string; readonly headers: H2HeaderList };
}

/**
 * One HTTP/2 connection as Web Streams. It owns the protocol core (`connection`) and is the only thing
 * that calls it: received bytes become stream events, stream bodies become DATA frames as the peer's
 * flow-control windows allow, and a stopped reader stops the peer at the stream's window.
 *
 * `events` is every core event in order, recorded from its first access on (nothing is kept before, so an
 * unused `events` costs nothing). A reader that falls behind loses events beyond `eventBufferSize`, the
 * high-volume ones (DATA, WINDOW_UPDATE, PING) first, counted in `droppedEvents`: it never grows without bound.
 *
 * Timed policies run on `clock`: SETTINGS must be acknowledged within 10 s, a server closes a connection
 * idle for 180 s, a transport that accepts nothing for 30 s fails the session, a stream whose DATA the
 * peer's window keeps out for 60 s is reset with CANCEL, and every phase of a close has a deadline (see
 * `timeouts`).
 *
 * A server session is async-iterable: `for await (const stream of session)` yields each request (a
 * client session, each pushed stream) and ends when the session closes. Prefer it to iterating
 * `incoming`, the same streams as a ReadableStream: the loop over the session makes no ReadableStream
 * and no reader, ~2.3 KiB less heap per connection on Node 20, which a server holding many idle
 * connections feels.
 *
 * @example
 * ```ts
 * const server = new H2Session(transport, { role: 'server' });
 * for await (const stream of server) {
 *   stream.respond({ ':status': '200' }, { body: 'hello' });
 * }
 *
 * const client = new H2Session(transport, { role: 'client' });
 * const stream = await client.request({ ':method': 'GET', ':path': '/', ':scheme': 'https', ':authority': 'example.com' }, { endStream: true });
 * const response = await stream.response;
 * const body = await new Response(stream.readable).text();
 * ```
 */
export class H2Session {
  readonly #pump: SessionPump;

  static {
    pumpOf = (session) => session.#pump;
  }

  constructor(transport: H2Transport, options: H2SessionOptions) {
    checkSessionOptions(options);
    const streams = (options.streams ?? globalStreams()) as StreamConstructors;
    this.#pump = new SessionPump(transport, { ...options, streams });
  }

  /**
   * The protocol core. Read its state freely; calling its methods directly bypasses the session. Its
   * `config` is shared by the sessions made from the same `config` option (one per listener, say) and
   * role: read it, do not change it (a change would reach them all); pass options through `config`.
   */
  get connection(): H2Connection {
    return this.#pump.conn;
  }

  /** Client of an upgraded connection (`upgrade` option): stream 1, the request sent over HTTP/1.1. */
  get upgradeStream(): H2Stream | null {
    return this.#pump.upgradeStream;
  }

  /** Every core event, in order, from the first access of this property on (bounded; see the class doc). */
  get events(): ReadableStream<H2Event> {
    return this.#pump.events;
  }

  /** Events `events` dropped because its reader fell behind. */
  get droppedEvents(): number {
    return this.#pump.droppedEvents;
  }

  /**
   * Server: each request as an `H2Stream`; client: each pushed stream: what iterating the session
   * yields, as a ReadableStream (made on first access) for Web Streams code (`pipeTo`, a reader, a
   * `TransformStream`). A plain loop should iterate the session instead, which makes no stream.
   * Cancelling it (e.g. `break` in `for await`) refuses streams not yet taken and every later one
   * (pushes are reset with CANCEL). While the session is iterated it is locked (one reader at a time);
   * after a `break` out of that loop it is cancelled and its reads end.
   *
   * Client sessions accept push unless `settings.enablePush` is false, and a pushed body is acknowledged
   * only as it is read like any other: pushed streams left unread in `incoming` (or whose `readable` is
   * never read) hold their DATA against the connection's receive window, and enough of them stall every
   * other response. A client that does not want pushes should advertise `enablePush: false` or cancel
   * `incoming`.
   */
  get incoming(): ReadableStream<H2Stream> {
    return this.#pump.incoming;
  }

  /**
   * `for await (const stream of session)`: server, each request; client, each pushed stream (the
   * streams `incoming` yields, taken from the same queue with no ReadableStream and no reader made).
   * The loop ends when the session closes, also when it fails (as `incoming`'s reads end: the failure
   * is `closed`'s). A `break` (the iterator's `return()`) cancels it as `incoming.cancel()` does: the
   * streams not taken, and every later one, are refused (REFUSED_STREAM; pushes are reset with CANCEL).
   * A stream the peer reset before it was taken is never yielded. One reader at a time: a TypeError if
   * `incoming` is locked or another iterator over the session has not ended; `incoming` touched during
   * the loop comes locked by it.
   *
   * @example
   * ```ts
   * for await (const stream of session) {
   *   stream.respond({ ':status': '200' }, { body: 'hello' });
   * }
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<H2Stream> {
    return this.#pump.iterateIncoming();
  }

  /**
   * Settles when the transport is done: fulfilled after a clean close (also when the peer hangs up with
   * no stream open), rejected with the failure otherwise (an `H2SessionError`; streams cut short by the
   * transport ending count as a failure, and so does a transport write that fails, even the close's last
   * one: INTERNAL_ERROR, with the transport's error as its `cause`; not once the peer had hung up with no
   * stream open, when the write that failed only raced its reset).
   */
  get closed(): Promise<void> {
    return this.#pump.closed;
  }

  /**
   * Client: sends a request header block and returns its stream, waiting first if the peer's
   * MAX_CONCURRENT_STREAMS is reached (rejects with an `H2SessionError` if the session closes or fails
   * meanwhile). Send a body through `stream.writable` or `stream.end(body)`.
   */
  request(headers: H2HeadersInit, options?: RequestOptions): Promise<H2Stream> {
    // A bad options object rejects the promise, like every other failure of the call.
    let checked: RequestOptions;
    try {
      checked = checkOptions('H2Session.request', options, REQUEST_OPTIONS);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#pump.request(headers, checked);
  }

  /**
   * Sends a PING; resolves when the peer acknowledges it, rejects with an `H2SessionError` if the session
   * ends first or the ACK takes longer than `timeouts.pingTimeout` (15 s; the session lives on).
   */
  ping(): Promise<void> {
    return this.#pump.ping();
  }

  /**
   * Sends new SETTINGS; resolves when the peer acknowledges them (they apply from then on), rejects with an
   * `H2SessionError` if the session ends first.
   */
  updateSettings(settings: H2Settings): Promise<void> {
    // Unknown names (h2's snake_case, say) would otherwise be dropped and an empty SETTINGS sent.
    try {
      checkOptions('H2Session.updateSettings', settings ?? null, SETTINGS_KEYS);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#pump.updateSettings(settings);
  }

  /**
   * Closes the connection. Graceful (default): GOAWAY NO_ERROR, streams in flight finish, new ones are
   * refused, then the transport closes. `{ graceful: false }` (also during a graceful close): GOAWAY with
   * `errorCode`, every open stream fails now. Resolves when the transport is closed, and never rejects:
   * also when the peer hangs up before the graceful close's GOAWAY/PING round trip completes (the
   * connection is closed either way; `closed` tells whether streams were cut short).
   *
   * Every phase has a deadline (`timeouts`): the GOAWAY/PING round trip (`shutdown`, 5 s), the streams in
   * flight (`drain`, 30 s; then they are reset with CANCEL), and the transport's last flush (`write`).
   */
  close(options?: CloseOptions): Promise<void> {
    let checked: CloseOptions;
    try {
      checked = checkOptions('H2Session.close', options, CLOSE_OPTIONS);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#pump.close(checked);
  }
}

/**
 * Takes a server session's requests (a client's pushed streams) by callback instead of through
 * `incoming`, which is then never made: each stream is handed to `consumer.take` a microtask after it
 * arrives (a stream reset meanwhile is dropped, as from `incoming`), and `consumer.end` is called once
 * no more will come. Call it once, instead of reading `incoming`. Used by the fetch server: a
 * ReadableStream, its reader and a pending read cost ~3 KiB per connection on Node 20; a consumer
 * object, not two closures, as it is kept for the connection's life. Not part of the public API.
 */
export function acceptIncoming(session: H2Session, consumer: QueueConsumer<H2Stream>): void {
  pumpOf(session).consumeIncoming(consumer);
}

/**
 * What `session.incoming.cancel()` does (the streams queued are refused, and every later one), without
 * making `incoming` if it was not made yet: a ReadableStream kept for the session's life only to say "no"
 * (a client that takes no pushes, a server session nobody took). Not part of the public API.
 */
export function refuseIncoming(session: H2Session): void {
  let iterator: AsyncIterator<H2Stream>;
  try {
    iterator = session[Symbol.asyncIterator]();
  } catch {
    return; // `incoming` is being read: its reader decides, as `incoming.cancel()` would reject
  }
  void (iterator.return as () => Promise<unknown>)().catch(() => undefined);
}

/**
 * Calls `onClosed(null, session)` once the session is closed and `closed` fulfils, `onClosed(failure,
 * session)` where it rejects: what `session.closed.then(…, …)` does, without its promise, reaction and
 * two callbacks for the life of every connection (the listener's bookkeeping). The session is passed
 * back so that one function serves every session (no closure per connection). One observer per
 * session; not part of the public API.
 */
export function whenClosed(session: H2Session, onClosed: (failure: unknown, session: H2Session) => void): void {
  pumpOf(session).lifecycle.observeClose(onClosed as (failure: unknown, subject: unknown) => void, session);
}

// The keys each options object may carry (checkOptions refuses others, suggesting the camelCase name).
// Records, so that an option added to an interface and not here fails to compile.
const SESSION_OPTIONS: Record<keyof H2SessionOptions, true> = {
  role: true,
  config: true,
  streams: true,
  settings: true,
  connectionWindowSize: true,
  eventBufferSize: true,
  outboundHighWaterMark: true,
  timeouts: true,
  clock: true,
  upgrade: true,
};
const TIMEOUT_OPTIONS: Record<keyof H2Timeouts, true> = { settingsAck: true, idle: true, write: true, keepAlive: true, pingTimeout: true, shutdown: true, drain: true, streamStall: true };
const SETTINGS_OPTIONS: Record<keyof H2Settings, true> = {
  headerTableSize: true,
  enablePush: true,
  maxConcurrentStreams: true,
  initialWindowSize: true,
  maxFrameSize: true,
  maxHeaderListSize: true,
  enableConnectProtocol: true,
};
const SESSION_KEYS = Object.keys(SESSION_OPTIONS);
const TIMEOUT_KEYS = Object.keys(TIMEOUT_OPTIONS);
const SETTINGS_KEYS = Object.keys(SETTINGS_OPTIONS);
const REQUEST_OPTIONS: readonly (keyof RequestOptions)[] = ['endStream', 'signal'];
const CLOSE_OPTIONS: readonly (keyof CloseOptions)[] = ['graceful', 'errorCode'];

/** Plain-JS callers: the options object, its nested ones, and `role` (a typo would make a server). */
function checkSessionOptions(options: H2SessionOptions): void {
  if (options === undefined) throw new TypeError("H2Session: options with a role ('server' or 'client') are required");
  checkOptions('H2Session', options, SESSION_KEYS);
  if (options.role !== 'server' && options.role !== 'client') {
    throw new TypeError(`H2Session: role must be 'server' or 'client', not ${JSON.stringify(options.role) ?? String(options.role)}`);
  }
  checkOptions('H2Session timeouts', options.timeouts, TIMEOUT_KEYS);
  checkOptions('H2Session settings', options.settings, SETTINGS_KEYS);
}
