/**
 * h2flow on Deno (the `deno` export condition of `h2flow`): everything index.ts exports, plus `serve()`,
 * `connect(url).fetch()`, `connectSession()` and `listen()` over Deno's own sockets (see transport/deno.ts),
 * and the WebSocket tunnel transports. The rest of the Deno transport is in `h2flow/deno`.
 */
export * from './index';
export { connect, connectSession, listen, serve, SocketClosedError } from './transport/deno';
export type {
  AcceptedSession,
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
} from './transport/deno';
export { webSocketStreamTransport, webSocketTransport, WebSocketClosedError } from './transport/websocket';
export type { WebSocketLike, WebSocketStreamLike, WebSocketTransportOptions } from './transport/websocket';
