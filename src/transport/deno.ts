/**
 * h2flow/deno: HTTP/2 over `Deno.listen`/`Deno.connect` (h2c with prior knowledge) and
 * `Deno.listenTls`/`Deno.connectTls` (ALPN `h2`), with the same API as h2flow/node: `serve()` (every
 * runtime's argument forms), `listen()`, `connectSession()` and `connect().fetch()`. Layer: transport (Deno).
 */
import { H2Session } from '../streams/session.ts';
import type { NetAddr } from '../fetch/fetch-server.ts';
import { H2Client } from '../fetch/fetch-client.ts';
import type { H2Stream } from '../streams/stream.ts';
import type { H2Transport, StreamConstructors } from '../streams/types.ts';
import { denoConnToPair, type DenoConn, type DenoNetAddr } from './deno-conn.ts';
import { normaliseServeArgs, pemText, type HttpServer, type ServeArgs, type SessionOptions, type TlsCertKey } from './serve-args.ts';
import { serveWith, sessionServer, sessionStreams, type H2Server } from './session-server.ts';
import { listen as nodeListen } from './node.ts';
import { tapTransport, type TapObserver } from './tap.ts';

export { denoConnToPair } from './deno-conn.ts';
export type { DenoConn, DenoConnPairOptions, DenoNetAddr } from './deno-conn.ts';
export { SocketClosedError } from './socket-closed-error.ts';
export { tapTransport } from './tap.ts';
export type { TapObserver } from './tap.ts';
export { H2Client } from '../fetch/fetch-client.ts';
export type { H2ClientOptions, H2RequestInit, ResponseTrailers } from '../fetch/fetch-client.ts';
export { withTrailers } from '../fetch/fetch-server.ts';
export type { FetchHandler, FetchHandlerInfo, NetAddr, RequestTrailers, TrailersExtension } from '../fetch/fetch-server.ts';
export type { HttpServer, ServeArgs, ServeInit, ServeOptions, SessionOptions, TlsCertKey } from './serve-args.ts';
export type { AcceptedSession, H2Server } from './session-server.ts';

interface DenoListener {
  readonly addr: DenoNetAddr;
  accept(): Promise<DenoConn>;
  close(): void;
  ref(): void;
  unref(): void;
}

/** The part of the `Deno` namespace h2flow uses. */
interface DenoApi {
  listen(options: { port: number; hostname: string; transport?: 'tcp' }): DenoListener;
  connect(options: { hostname: string; port: number; transport?: 'tcp' }): Promise<DenoConn>;
  startTls(conn: DenoConn, options: { hostname: string; alpnProtocols: string[]; caCerts?: string[] }): Promise<DenoConn>;
}

function deno(): DenoApi {
  const api = (globalThis as { Deno?: DenoApi }).Deno;
  if (api === undefined) throw new Error('h2flow/deno: the Deno global is missing (use h2flow/node or h2flow/bun on other runtimes)');
  return api;
}

/** Options of {@link listen}. */
export interface ListenOptions {
  /** TCP port; 0 (the default) picks a free one (read it from `server.address`). */
  readonly port?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  readonly host?: string;
  /** Serve TLS with ALPN `h2` (connections that do not negotiate `h2` are closed); h2c without it. */
  readonly tls?: TlsCertKey;
  /** Options for every server session. */
  readonly session?: SessionOptions;
}

/** How long accepting pauses after a failed accept that did not come from closing the listener. */
const ACCEPT_BACKOFF_MS = 100;

const toNetAddr = (a: DenoNetAddr): NetAddr => ({ transport: 'tcp', hostname: a.hostname ?? '', port: a.port ?? 0 });

function pairOf(conn: DenoConn, session: SessionOptions | undefined): H2Transport {
  return denoConnToPair(conn, sessionStreams(session));
}

/**
 * h2c binds at once with `Deno.listen` (synchronous; a bind error is thrown). TLS goes through Deno's
 * `node:tls`: `Deno.listenTls` connections have no `setNoDelay` (denoland/deno#13617, still so in Deno 2.9),
 * and with Nagle on, the small frames HTTP/2 interleaves with bulk DATA (WINDOW_UPDATE, the tail of each
 * write) wait for the peer's delayed ACK: a 64 MiB TLS echo took 18–23 s against 4 s over h2c (same
 * machine, under load); node:tls sets TCP_NODELAY like h2c does.
 */
function listenNow(options: ListenOptions): H2Server | Promise<H2Server> {
  if (options.tls !== undefined) return listenNodeTls({ ...options, tls: options.tls });
  const api = deno();
  const listener = api.listen({ port: options.port ?? 0, hostname: options.host ?? '127.0.0.1', transport: 'tcp' });
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    listener.close();
  };
  const { server, accept } = sessionServer(
    { address: toNetAddr(listener.addr), stop, ref: () => listener.ref(), unref: () => listener.unref() },
    options.session,
  );
  void (async () => {
    for (;;) {
      let conn: DenoConn;
      try {
        conn = await listener.accept();
      } catch (error) {
        // Closed by close(): stop. Anything else (EMFILE when out of descriptors, a connection reset while
        // queued) must not end accepting for good: back off briefly, as Node's net server keeps listening.
        const name = error instanceof Error ? error.name : '';
        if (name === 'BadResource' || name === 'Interrupted' || stopped) return;
        await new Promise((resolve) => setTimeout(resolve, ACCEPT_BACKOFF_MS));
        continue;
      }
      accept(pairOf(conn, options.session), toNetAddr(conn.remoteAddr));
    }
  })();
  return server;
}

function listenNodeTls(options: ListenOptions & { tls: TlsCertKey }): Promise<H2Server> {
  const { tls, ...rest } = options;
  return nodeListen({ ...rest, tls: { cert: pemText(tls.cert), key: pemText(tls.key) } });
}

/**
 * Listens for HTTP/2 connections (h2c with prior knowledge, or TLS with ALPN `h2`) and yields a server
 * `H2Session` per connection; the same API as h2flow/node's `listen`.
 *
 * @example
 * ```ts
 * const server = await listen({ port: 8080 });
 * for await (const session of server) {
 *   void (async () => {
 *     for await (const stream of session.incoming) stream.respond({ ':status': '200' }, { body: 'hi' });
 *   })();
 * }
 * ```
 */
export async function listen(options: ListenOptions = {}): Promise<H2Server> {
  return listenNow(options);
}

/**
 * Serves `handler` over HTTP/2 with `Deno.serve`'s API (and its argument forms: `serve(handler)`,
 * `serve(options, handler)`, `serve({ handler, ...options })`; also h2flow's `serve(handler, options)` and
 * Bun's `serve({ fetch })`). TLS with `cert`/`key` (or `tls: { cert, key }`). Binds at once: `server.addr`
 * is readable on return, and a bind error is thrown.
 *
 * @example
 * ```ts
 * const server = serve({ port: 8443, cert, key }, (req) => new Response(`hello ${new URL(req.url).pathname}`));
 * await server.finished;
 * ```
 */
export function serve(...args: ServeArgs): HttpServer {
  const { handler, options } = normaliseServeArgs(args);
  return serveWith((o) => listenNow(o), handler, options);
}

/** Options of {@link connectSession} and {@link connect}. */
export interface ConnectOptions {
  /** For `https:` URLs: extra root certificates (PEM) to trust, as `Deno.connectTls`'s `caCerts`. */
  readonly tls?: { readonly caCerts?: readonly string[] };
  /** Options for the client session (settings, config, streams implementation). */
  readonly session?: SessionOptions;
  /** Sees every byte both ways (e.g. a frame log); see `tapTransport`. */
  readonly tap?: TapObserver;
  /** Called once connected (TLS: after the handshake), before the session sends its preface. */
  readonly onConnect?: (info: { readonly protocol: 'h2' | 'h2c'; readonly remoteAddr: NetAddr }) => void;
  /** Aborts connecting. */
  readonly signal?: AbortSignal;
}

async function openConn(url: URL, options: ConnectOptions): Promise<DenoConn> {
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') throw new TypeError(`h2flow: unsupported URL scheme ${url.protocol}`);
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  const signal = options.signal;
  signal?.throwIfAborted();
  const api = deno();
  // TLS is started over a TCP connection (not Deno.connectTls) so that TCP_NODELAY can be set on it first:
  // TLS connections have no setNoDelay (see listenNow).
  const opening = api.connect({ hostname, port, transport: 'tcp' });
  let conn: DenoConn | null = null;
  try {
    const aborted = new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true }));
    conn = await Promise.race([opening, aborted]);
    conn.setNoDelay?.(true);
    if (secure) {
      const tlsOptions = { hostname, alpnProtocols: ['h2'], ...(options.tls?.caCerts !== undefined ? { caCerts: [...options.tls.caCerts] } : {}) };
      conn = await Promise.race([api.startTls(conn, tlsOptions), aborted]);
      const { alpnProtocol } = await Promise.race([conn.handshake!(), aborted]);
      if (alpnProtocol !== 'h2') throw new Error(`h2flow: ${url.host} did not negotiate h2 via ALPN (got ${String(alpnProtocol)})`);
    }
  } catch (error) {
    // The connection (or one that arrives after the abort, as it lands) is closed.
    try {
      conn?.close();
    } catch {
      // Already closed.
    }
    if (conn === null) void opening.then((c) => c.close()).catch(() => undefined);
    throw error;
  }
  options.onConnect?.({ protocol: secure ? 'h2' : 'h2c', remoteAddr: toNetAddr(conn.remoteAddr) });
  return conn;
}

/**
 * Opens an HTTP/2 connection and returns its client session: `http:` URLs speak h2c with prior knowledge,
 * `https:` URLs TLS with ALPN `h2` (certificates verified; trust extra roots with `tls.caCerts`).
 */
export async function connectSession(url: string | URL, options: ConnectOptions = {}): Promise<H2Session> {
  const conn = await openConn(new URL(url), options);
  let pair = pairOf(conn, options.session);
  if (options.tap !== undefined) pair = tapTransport(pair, options.tap, options.session?.streams as StreamConstructors | undefined);
  const session = new H2Session(pair, { ...options.session, role: 'client' });
  session.closed.catch(() => undefined);
  return session;
}

/** Options of {@link connect}: those of {@link connectSession}, plus where pushed responses go. */
export interface ClientConnectOptions extends ConnectOptions {
  /** Receives each pushed stream (push is off unless `session.settings.enablePush` is true). */
  readonly onPush?: (stream: H2Stream) => void;
}

/**
 * A fetch-style client for one origin over one HTTP/2 connection, connecting in the background (the first
 * `fetch` waits for it). Server push is disabled unless `session.settings.enablePush` asks for it.
 *
 * @example
 * ```ts
 * const client = connect('https://example.com');
 * const res = await client.fetch('/');
 * console.log(res.status, await res.text());
 * await client.close();
 * ```
 */
export function connect(url: string | URL, options: ClientConnectOptions = {}): H2Client {
  // RFC 9113 §6.5.2: SETTINGS_ENABLE_PUSH 0 "indicates that the endpoint will not accept server push".
  const settings = { enablePush: false, ...options.session?.settings };
  const session = connectSession(url, { ...options, session: { ...options.session, settings } });
  return new H2Client(session, { baseUrl: url, ...(options.onPush !== undefined ? { onPush: options.onPush } : {}) });
}
