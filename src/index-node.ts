/**
 * h2flow on Node (the `node` export condition of `h2flow`): everything runtime-neutral from index.ts,
 * plus `serve(handler)` (the `Deno.serve` shape), `connect(url).fetch()` and `listen()` over node:net/tls.
 */
export * from './index';
export { connect, connectSession, listen, serve } from './transport/node';
export type { ClientConnectOptions, ConnectOptions, H2Server, HttpServer, ListenOptions, ServeOptions } from './transport/node';
