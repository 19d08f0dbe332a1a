/**
 * h2flow/websocket: HTTP/2 tunnelled over a WebSocket (browsers, Deno, Bun, Node ≥ 22), each binary message
 * a run of HTTP/2 bytes. `webSocketTransport(ws)` wraps a `WebSocket`; `webSocketStreamTransport(wss)` a
 * `WebSocketStream` (Chromium), whose streams have real backpressure. `serveWebSocket(ws, handler)` is the
 * server end: a WebSocket a server accepted (Deno's `upgradeWebSocket`, the `ws` package on Node, Bun's
 * through `bunWebSocket` in h2flow/bun) served by a fetch handler. Layer: transport (Web APIs only: no
 * `node:` import, so it is part of the browser build).
 */
import { globalStreams, type H2Transport, type StreamConstructors } from '../streams/types.ts';
import type { FetchHandler } from '../fetch/fetch-server.ts';
import { serveTransport, type ServeTransportOptions } from './tunnel-server.ts';

export { serveTransport } from './tunnel-server.ts';
export type { ServeTransportOptions } from './tunnel-server.ts';

/** What h2flow uses of a `WebSocket` (the WHATWG interface; Deno's and Bun's server sockets have it too). */
export interface WebSocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  binaryType: string;
  /** DOM's `WebSocket.send` takes no view of a SharedArrayBuffer, hence `Uint8Array<ArrayBuffer>`. */
  send(data: Uint8Array<ArrayBuffer>): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: WebSocketEventLike) => void, options?: { once?: boolean }): void;
}

/** What h2flow reads of a WebSocket's events (DOM's, Deno's, Bun's and the `ws` package's all have it). */
export interface WebSocketEventLike {
  readonly type: string;
  /** A `message` event's payload. */
  readonly data?: unknown;
  /** A `close` event's code, reason and whether the closing handshake completed. */
  readonly code?: number;
  readonly reason?: string;
  readonly wasClean?: boolean;
}

/** Options of {@link webSocketTransport}. */
export interface WebSocketTransportOptions {
  /**
   * Bytes received and not yet read by the session before the socket is closed (default 4 MiB). A
   * WebSocket cannot pause its reads, so this bounds the memory a peer can make us hold (RFC 9113 §10.5):
   * past it the tunnel is closed (code 4009) and the readable errors with a {@link WebSocketClosedError}.
   * A peer within HTTP/2 flow control never sends more than the receive windows allow.
   */
  readonly maxQueuedBytes?: number;
  /**
   * `bufferedAmount` above which writes wait (default 1 MiB): bounds our outbound memory against a peer
   * that does not read (CVE-2019-9517 "Internal Data Buffering"). WebSocket has no event for a falling
   * `bufferedAmount`, so a waiting write polls it.
   */
  readonly writableHighWaterMark?: number;
  /** Web Streams implementation to build the pair with (default: the runtime's globals). */
  readonly streams?: StreamConstructors;
}

/** The error a tunnel's streams carry when its WebSocket closes uncleanly, overflows or fails. */
export class WebSocketClosedError extends Error {
  /** The WebSocket close code (1006 when the connection dropped without a close frame). */
  readonly code: number;
  constructor(message: string, code: number) {
    super(message);
    this.name = 'WebSocketClosedError';
    this.code = code;
  }
}

const CONNECTING = 0;
const OPEN = 1;
const DEFAULT_MAX_QUEUED = 4 * 1024 * 1024;
const DEFAULT_WRITABLE_HWM = 1024 * 1024;
/** Close codes a script may send (WHATWG: 1000 or 3000–4999). */
const CLOSE_NORMAL = 1000;
const CLOSE_ABORTED = 4000;
const CLOSE_OVERFLOW = 4009;
const CLOSE_BAD_MESSAGE = 4003;

/**
 * Wraps a WebSocket (open or still connecting) as the `{ readable, writable }` pair an `H2Session` runs over.
 * Writes wait for the socket to open and, past `writableHighWaterMark`, for `bufferedAmount` to fall.
 * A WebSocket has no half-close: closing the writable closes the socket (code 1000; the session closes its
 * writable only once it has nothing more to send or read that matters), and a clean close from the peer
 * ends the readable. A text message is not HTTP/2: the tunnel is closed (4003).
 *
 * @example
 * ```ts
 * const session = new H2Session(webSocketTransport(new WebSocket('wss://example.com/h2')), { role: 'client' });
 * const client = new H2Client(Promise.resolve(session), { baseUrl: 'https://example.com' });
 * ```
 */
export function webSocketTransport(ws: WebSocketLike, options: WebSocketTransportOptions = {}): H2Transport {
  const { ReadableStream: RS, WritableStream: WS } = options.streams ?? globalStreams();
  const maxQueued = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED;
  const writeMark = options.writableHighWaterMark ?? DEFAULT_WRITABLE_HWM;
  ws.binaryType = 'arraybuffer';
  let readDone = false;
  let failure: WebSocketClosedError | null = null;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  // Writes made before the socket opened wait for it (or for its failure).
  let opened: Promise<void> | null = null;
  let settleOpen: () => void = () => undefined;
  const fail = (error: WebSocketClosedError, code: number): void => {
    failure ??= error;
    if (!readDone) {
      readDone = true;
      controller.error(error);
    }
    ws.close(code, error.message.slice(0, 100));
  };
  const readable = new RS<Uint8Array>(
    {
      start: (c) => void (controller = c),
      cancel: () => {
        readDone = true;
        ws.close(CLOSE_NORMAL);
      },
    },
    // The queue is counted in bytes and allowed to reach maxQueued; the messages keep coming regardless.
    { highWaterMark: maxQueued, size: (chunk: Uint8Array) => chunk.byteLength },
  );
  ws.addEventListener('message', (event) => {
    if (readDone) return;
    const data = event.data;
    if (!(data instanceof ArrayBuffer)) {
      fail(new WebSocketClosedError('h2flow: a text message arrived on an HTTP/2 tunnel', CLOSE_BAD_MESSAGE), CLOSE_BAD_MESSAGE);
      return;
    }
    controller.enqueue(new Uint8Array(data));
    if ((controller.desiredSize ?? 0) < 0) {
      fail(new WebSocketClosedError(`h2flow: more than ${maxQueued} bytes arrived unread on the WebSocket tunnel`, CLOSE_OVERFLOW), CLOSE_OVERFLOW);
    }
  });
  ws.addEventListener('close', (event) => {
    const code = event.code ?? 1006;
    const clean = event.wasClean === true && code === CLOSE_NORMAL;
    failure ??= clean ? null : new WebSocketClosedError(`h2flow: WebSocket closed (${code}${event.reason ? ` ${event.reason}` : ''})`, code);
    settleOpen();
    if (readDone) return;
    readDone = true;
    if (failure === null) controller.close();
    else controller.error(failure);
  });
  ws.addEventListener('error', () => {
    failure ??= new WebSocketClosedError('h2flow: WebSocket failed', 1006);
  });

  const whenOpen = (): Promise<void> => {
    if (ws.readyState !== CONNECTING) return Promise.resolve();
    opened ??= new Promise<void>((resolve) => {
      settleOpen = resolve;
      ws.addEventListener('open', () => resolve(), { once: true });
    });
    return opened;
  };
  const closedError = (): WebSocketClosedError => failure ?? new WebSocketClosedError('h2flow: WebSocket is closed', 1006);
  const abort = (): void => {
    readDone = true;
    ws.close(CLOSE_ABORTED, 'h2flow: aborted');
  };
  const writable = new WS<Uint8Array>({
    start(controller) {
      // Web Streams call abort() only once the write in flight settles, and a write held by a peer that
      // stopped reading polls for as long as the socket is open: the signal fires at once, and closing
      // the socket then ends that write (CVE-2019-9517 "Internal Data Buffering").
      (controller as WritableStreamDefaultController & { readonly signal?: AbortSignal }).signal?.addEventListener('abort', abort, { once: true });
    },
    async write(chunk) {
      await whenOpen();
      if (ws.readyState !== OPEN) throw closedError();
      // The session's chunks are views of ordinary ArrayBuffers; send() copies them.
      ws.send(chunk as Uint8Array<ArrayBuffer>);
      // No event tells when bufferedAmount falls: poll, backing off to 50 ms; the socket closing ends it.
      for (let delay = 1; ws.bufferedAmount > writeMark; delay = Math.min(delay * 2, 50)) {
        if (ws.readyState !== OPEN) throw closedError();
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    },
    close() {
      ws.close(CLOSE_NORMAL);
    },
    abort,
  });
  return { readable, writable };
}

/** What h2flow uses of a `WebSocketStream` (Chromium): its `opened` streams. */
export interface WebSocketStreamLike {
  readonly opened: Promise<{ readonly readable: ReadableStream<ArrayBuffer | string>; readonly writable: WritableStream<Uint8Array> }>;
}

/**
 * Wraps a `WebSocketStream` once opened. Its readable pauses reads when the session does not read and its
 * writable resolves as the socket takes data, so no queue bound of our own is needed; a text message
 * errors the readable.
 */
export async function webSocketStreamTransport(wss: WebSocketStreamLike, options: { readonly streams?: StreamConstructors } = {}): Promise<H2Transport> {
  const { readable, writable } = await wss.opened;
  const { ReadableStream: RS } = options.streams ?? globalStreams();
  const reader = readable.getReader();
  const bytes = new RS<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else if (typeof value === 'string') controller.error(new WebSocketClosedError('h2flow: a text message arrived on an HTTP/2 tunnel', CLOSE_BAD_MESSAGE));
      else controller.enqueue(new Uint8Array(value));
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { readable: bytes, writable };
}

/** Options of {@link serveWebSocket}. */
export interface ServeWebSocketOptions extends ServeTransportOptions {
  /** Options of the tunnel's transport (its bounds on unread and unsent bytes). */
  readonly transport?: WebSocketTransportOptions;
}

/**
 * Serves HTTP/2 spoken over a WebSocket a server accepted with a fetch handler, as `serve()` would serve a
 * TCP connection. Resolves when the tunnel's session closed cleanly, rejects with the reason it failed.
 *
 * @example
 * ```ts
 * // Node, with the `ws` package:
 * new WebSocketServer({ server }).on('connection', (ws) => void serveWebSocket(ws, handler).catch(() => {}));
 * // Deno:
 * Deno.serve((req) => {
 *   const { socket, response } = Deno.upgradeWebSocket(req);
 *   void serveWebSocket(socket, handler).catch(() => {});
 *   return response;
 * });
 * ```
 */
export function serveWebSocket(ws: WebSocketLike, handler: FetchHandler, options: ServeWebSocketOptions = {}): Promise<void> {
  const { transport, ...serveOptions } = options;
  return serveTransport(webSocketTransport(ws, transport), handler, serveOptions);
}
