/**
 * h2flow on Bun (the `bun` export condition of `h2flow`): everything runtime-neutral from index.ts, plus
 * `serve()`, `connect(url).fetch()` and `listen()` over Bun's own sockets (see transport/bun.ts).
 */
export * from './index';
export { connect, connectSession, listen, serve } from './transport/bun';
export type { ClientConnectOptions, ConnectOptions, H2Server, HttpServer, ListenOptions, ServeArgs, ServeInit, ServeOptions } from './transport/bun';
export { webSocketStreamTransport, webSocketTransport, WebSocketClosedError } from './transport/websocket';
export type { WebSocketLike, WebSocketStreamLike, WebSocketTransportOptions } from './transport/websocket';
