/**
 * h2flow on Deno (the `deno` export condition of `h2flow`): everything index.ts exports, plus `serve()`,
 * `connect(url).fetch()`, `connectSession()` and `listen()` over Deno's `node:net`/`node:tls` or its own sockets (see transport/deno.ts),
 * and the WebSocket tunnel transports. The rest of the Deno transport is in `h2flow/deno`.
 */
export * from './index.ts';
export { AbuseGuard, connect, connectSession, listen, serve, SocketClosedError } from './transport/deno.ts';
export type {
  AbuseGuardOptions,
  AcceptedSession,
  ClientConnectOptions,
  ConnectOptions,
  DenoTransport,
  H2Server,
  HttpServer,
  ListenOptions,
  ServeArgs,
  ServeInit,
  ServeOptions,
  SessionOptions,
  TapObserver,
  TlsCertKey,
} from './transport/deno.ts';
export { serveTransport, serveWebSocket, webSocketStreamTransport, webSocketTransport, WebSocketClosedError } from './transport/websocket.ts';
export type { ServeTransportOptions, ServeWebSocketOptions, WebSocketEventLike, WebSocketLike, WebSocketStreamLike, WebSocketTransportOptions } from './transport/websocket.ts';
