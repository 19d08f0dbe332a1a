/**
 * h2flow on Deno (the `deno` export condition of `h2flow`): everything runtime-neutral from index.ts, plus
 * `serve()`, `connect(url).fetch()` and `listen()` over Deno's own sockets (see transport/deno.ts).
 */
export * from './index';
export { connect, connectSession, listen, serve } from './transport/deno';
export type { ClientConnectOptions, ConnectOptions, H2Server, HttpServer, ListenOptions, ServeArgs, ServeInit, ServeOptions } from './transport/deno';
export { webSocketStreamTransport, webSocketTransport, WebSocketClosedError } from './transport/websocket';
export type { WebSocketLike, WebSocketStreamLike, WebSocketTransportOptions } from './transport/websocket';
