/**
 * h2flow/fetch: the fetch API over HTTP/2 sessions. `serveSession(session, handler)` answers each request
 * stream with a handler's `Response` (the `Deno.serve` shape); `H2Client` gives `fetch()` over a client
 * session. Runtime-neutral: the runtime's own `Request`, `Response` and `Headers`. Layer: fetch (above
 * streams, below the transports).
 */
export { H2Client } from './fetch-client.ts';
export type { H2ClientOptions, H2RequestInit, ResponseTrailers } from './fetch-client.ts';
export { respondToStream, serveSession, withTrailers } from './fetch-server.ts';
export { LightResponse } from './light-response.ts';
export type { FetchHandler, FetchHandlerInfo, FetchServerOptions, NetAddr, RequestTrailers, TrailersExtension } from './fetch-server.ts';
