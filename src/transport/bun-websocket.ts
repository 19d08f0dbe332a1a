/**
 * HTTP/2 tunnelled over the WebSockets `Bun.serve` accepts (`server.upgrade(req)`): Bun hands a server
 * socket's events to one handler object rather than to listeners on the socket, so `bunWebSocket(handler)`
 * builds that object, with a WHATWG-shaped view of each socket that `webSocketTransport` runs over.
 * Layer: transport (Bun; no Bun API is called here, only the sockets Bun passes in).
 */
import type { FetchHandler } from '../fetch/fetch-server.ts';
import { serveWebSocket, type ServeWebSocketOptions, type WebSocketLike } from './websocket.ts';

/** What h2flow uses of Bun's `ServerWebSocket`. */
export interface BunServerWebSocket {
  readonly readyState: number;
  binaryType?: string;
  /** Bun: bytes sent, -1 when queued under backpressure, 0 when dropped. */
  send(data: Uint8Array): number;
  close(code?: number, reason?: string): void;
  getBufferedAmount(): number;
}

/** The `websocket` handlers of `Bun.serve` that {@link bunWebSocket} returns. */
export interface BunWebSocketHandlers {
  open(ws: BunServerWebSocket): void;
  message(ws: BunServerWebSocket, message: string | ArrayBuffer | ArrayBufferView): void;
  close(ws: BunServerWebSocket, code: number, reason: string): void;
}

/** A Bun server socket seen as a WHATWG WebSocket: events dispatched from Bun's handler calls. */
class BunSocketView extends EventTarget implements WebSocketLike {
  readonly #ws: BunServerWebSocket;
  binaryType = 'arraybuffer';
  constructor(ws: BunServerWebSocket) {
    super();
    this.#ws = ws;
    ws.binaryType = 'arraybuffer';
  }
  get readyState(): number {
    return this.#ws.readyState;
  }
  get bufferedAmount(): number {
    return this.#ws.getBufferedAmount();
  }
  send(data: Uint8Array<ArrayBuffer>): void {
    // A dropped message would lose HTTP/2 bytes mid-stream: the tunnel cannot go on without them.
    if (this.#ws.send(data) === 0) this.#ws.close(1011, 'h2flow: a message was dropped');
  }
  close(code?: number, reason?: string): void {
    this.#ws.close(code, reason);
  }
  receive(message: string | ArrayBuffer | ArrayBufferView): void {
    const data = typeof message === 'string' || message instanceof ArrayBuffer ? message : copyToArrayBuffer(message);
    this.dispatchEvent(Object.assign(new Event('message'), { data }));
  }
  closed(code: number, reason: string): void {
    // 1006: the connection dropped without a close frame.
    this.dispatchEvent(Object.assign(new Event('close'), { code, reason, wasClean: code !== 1006 }));
  }
}

function copyToArrayBuffer(view: ArrayBufferView): ArrayBuffer {
  const copy = new Uint8Array(view.byteLength);
  copy.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  return copy.buffer;
}

/**
 * `Bun.serve`'s `websocket` handlers serving HTTP/2 over every socket the server upgrades, with `handler`
 * (the same fetch handler `serve()` takes). Each tunnel's session reaches `options.onSession`.
 *
 * @example
 * ```ts
 * Bun.serve({
 *   fetch: (req, server) => (server.upgrade(req) ? undefined : new Response('not a tunnel', { status: 400 })),
 *   websocket: bunWebSocket((req) => new Response(`hi ${new URL(req.url).pathname}`)),
 * });
 * ```
 */
export function bunWebSocket(handler: FetchHandler, options: ServeWebSocketOptions = {}): BunWebSocketHandlers {
  const views = new WeakMap<BunServerWebSocket, BunSocketView>();
  return {
    open(ws) {
      const view = new BunSocketView(ws);
      views.set(ws, view);
      // Settled here: the outcome reaches the application through onSession's `closed`.
      serveWebSocket(view, handler, options).catch(() => undefined);
    },
    message(ws, message) {
      views.get(ws)?.receive(message);
    },
    close(ws, code, reason) {
      views.get(ws)?.closed(code, reason);
      views.delete(ws);
    },
  };
}
