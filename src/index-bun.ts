/**
 * h2flow on Bun (the `bun` export condition of `h2flow`): everything index.ts exports, plus `serve()`,
 * `connect(url).fetch()`, `connectSession()` and `listen()` over Bun's own sockets (see transport/bun.ts),
 * and the WebSocket tunnel transports. The rest of the Bun transport is in `h2flow/bun`.
 */
export * from './index.ts';
export { AbuseGuard, bunWebSocket, connect, connectSession, listen, serve, SocketClosedError } from './transport/bun.ts';
export type {
  AbuseGuardOptions,
  AcceptedSession,
  BunServerWebSocket,
  BunWebSocketHandlers,
  ClientConnectOptions,
  ConnectOptions,
  H2Server,
  HttpServer,
  ListenOptions,
  ServeArgs,
  ServeInit,
  ServeOptions,
  SessionOptions,
  TapObserver,
  TlsCertKey,
} from './transport/bun.ts';
export { serveTransport, serveWebSocket, webSocketStreamTransport, webSocketTransport, WebSocketClosedError } from './transport/websocket.ts';
export type { ServeTransportOptions, ServeWebSocketOptions, WebSocketEventLike, WebSocketLike, WebSocketStreamLike, WebSocketTransportOptions } from './transport/websocket.ts';
