/**
 * h2flow on Node (the `node` export condition of `h2flow`): everything index.ts exports, plus
 * `serve(handler)` (the `Deno.serve` shape), `connect(url).fetch()`, `connectSession()` and `listen()`
 * over node:net/tls. The rest of the Node transport (`socketToPair`, `tapTransport`) is in `h2flow/node`.
 */
export * from './index.ts';
export { AbuseGuard, connect, connectSession, listen, serve, SocketClosedError } from './transport/node.ts';
export type {
  AbuseGuardOptions,
  AcceptedSession,
  ClientConnectOptions,
  ConnectOptions,
  H2Server,
  Http1Limits,
  HttpServer,
  ListenHttp1Options,
  ListenOptions,
  ServeOptions,
  ServeWorkers,
  SessionOptions,
  TapObserver,
  TlsServerOptions,
} from './transport/node.ts';
export { serveTransport, serveWebSocket, webSocketStreamTransport, webSocketTransport, WebSocketClosedError } from './transport/websocket.ts';
export type { ServeTransportOptions, ServeWebSocketOptions, WebSocketEventLike, WebSocketLike, WebSocketStreamLike, WebSocketTransportOptions } from './transport/websocket.ts';
