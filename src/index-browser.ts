/**
 * h2flow in browsers (the `browser` export condition of `h2flow`): everything runtime-neutral from
 * index.ts, plus the WebSocket tunnel transports. No `node:` import (test/package-runtimes.test.ts).
 */
export * from './index.ts';
export { serveTransport, serveWebSocket, webSocketStreamTransport, webSocketTransport, WebSocketClosedError } from './transport/websocket.ts';
export type { ServeTransportOptions, ServeWebSocketOptions, WebSocketEventLike, WebSocketLike, WebSocketStreamLike, WebSocketTransportOptions } from './transport/websocket.ts';
