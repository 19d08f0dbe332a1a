/**
 * The server end of a tunnel: HTTP/2 arriving over any `{ readable, writable }` pair (a WebSocket a server
 * upgraded, a WebTransport stream) served by a fetch handler, as `serve()` serves a TCP connection: same
 * session defaults (431 for an oversized header block), same handler contract. Layer: transport (no
 * runtime API here).
 */
import { H2Session } from '../streams/session.ts';
import type { H2Transport } from '../streams/types.ts';
import { FETCH_SERVER_CONFIG, serveSession, type FetchHandler, type FetchServerOptions } from '../fetch/fetch-server.ts';
import type { SessionOptions } from './serve-args.ts';

/** Options of {@link serveTransport}. */
export interface ServeTransportOptions extends FetchServerOptions {
  /** Options of the tunnel's server session (`role` is always `server`). */
  readonly session?: Omit<SessionOptions, 'upgrade'>;
  /** Called with the session before it is served (to count it, or close it when the server shuts down). */
  readonly onSession?: (session: H2Session) => void;
}

/**
 * Serves the HTTP/2 connection spoken over `pair` with `handler`. Resolves when its session closed cleanly,
 * rejects with the reason it failed; either way every request on it has settled.
 *
 * @example
 * ```ts
 * // Deno: a WebSocket tunnel per upgraded request.
 * Deno.serve((req) => {
 *   const { socket, response } = Deno.upgradeWebSocket(req);
 *   void serveTransport(webSocketTransport(socket), (r) => new Response('hi')).catch(console.error);
 *   return response;
 * });
 * ```
 */
export function serveTransport(pair: H2Transport, handler: FetchHandler, options: ServeTransportOptions = {}): Promise<void> {
  const { session: sessionOptions, onSession, ...fetchOptions } = options;
  const session = new H2Session(pair, { ...sessionOptions, role: 'server', config: { ...FETCH_SERVER_CONFIG, ...sessionOptions?.config } });
  onSession?.(session);
  void serveSession(session, handler, fetchOptions);
  return session.closed;
}
