/**
 * h2flow/deno: HTTP/2 in Deno with the same API as h2flow/node: `serve()` (every runtime's argument forms),
 * `listen()`, `connectSession()` and `connect().fetch()`. Servers accept through Deno's `node:net` (h2c, and
 * HTTP/1.1 on the same port) and `node:tls` (ALPN `h2`), or `Deno.listen` when asked; the client connects
 * with `Deno.connect` (TLS started over it with `Deno.startTls`). Layer: transport (Deno).
 */
import { H2Session } from '../streams/session.ts';
import type { NetAddr } from '../fetch/fetch-server.ts';
import { H2Client } from '../fetch/fetch-client.ts';
import type { H2Stream } from '../streams/stream.ts';
import type { H2Transport } from '../streams/types.ts';
import { denoConnToPair, type DenoConn, type DenoNetAddr } from './deno-conn.ts';
import { normaliseServeArgs, pemText, type HttpServer, type ServeArgs, type ServeOptions as CommonServeOptions, type SessionOptions, type TlsCertKey } from './serve-args.ts';
import { maxConnectionsOf, serveWith, sessionServer, sessionStreams, type ConnectionCap, type H2Server } from './session-server.ts';
import { listen as nodeListen, type ListenHttp1Options } from './listen.ts';
import { abuseGuardFor, type AbuseOption } from './abuse-guard.ts';
import { RefusalHold } from './refusal-hold.ts';
import { proxyHeaderTimeoutOf, type ProxyProtocolOptions } from './proxy-prefix.ts';
import { readDenoProxyHeader } from './deno-proxy.ts';
import { type TapObserver } from './tap.ts';
import { clientSession, fetchClient } from './client-connect.ts';

export { denoConnToPair } from './deno-conn.ts';
export type { DenoConn, DenoConnPairOptions, DenoNetAddr } from './deno-conn.ts';
export { SocketClosedError } from './socket-closed-error.ts';
export { tapTransport } from './tap.ts';
export type { TapObserver } from './tap.ts';
export { H2Client } from '../fetch/fetch-client.ts';
export type { H2ClientOptions, H2RequestInit, ResponseTrailers } from '../fetch/fetch-client.ts';
export { withTrailers } from '../fetch/fetch-server.ts';
export type { FetchHandler, FetchHandlerInfo, NetAddr, RequestTrailers, TrailersExtension } from '../fetch/fetch-server.ts';
export type { HttpServer, ServeArgs, ServeInit, SessionOptions, TlsCertKey } from './serve-args.ts';
export { AbuseGuard, addressKey } from './abuse-guard.ts';
export type { AbuseGuardOptions, AbuseOption } from './abuse-guard.ts';
export type { ListenHttp1Options } from './listen.ts';
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

/**
 * What accepts h2c connections in Deno: `'node'` (the default) is Deno's `node:net` running h2flow's Node
 * transport, which served 1.7× the requests of `Deno.listen` (h2load, small GETs; `npm run bench --
 * runtimes`) and brings HTTP/1.1 on the same port; `'deno'` is `Deno.listen` (HTTP/2 only, bound at once).
 * TLS always goes through Deno's `node:tls` (see {@link listen}).
 */
export type DenoTransport = 'node' | 'deno';

/**
 * Options of {@link listen}. `proxyProtocol` and `proxyHeaderTimeout` (see `ProxyProtocolOptions`) work on
 * both transports: `'deno'` reads the header off each `Deno.Conn`, `'node'` is h2flow/node's (TLS too).
 */
export interface ListenOptions extends ConnectionCap, ProxyProtocolOptions {
  /** TCP port; 0 (the default) picks a free one (read it from `server.address`). */
  readonly port?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  readonly host?: string;
  /** Serve TLS with ALPN `h2` (connections that do not negotiate `h2` are closed); h2c without it. */
  readonly tls?: TlsCertKey;
  /** Options for every server session. */
  readonly session?: SessionOptions;
  /** What accepts h2c connections (default `'node'`; see {@link DenoTransport}). `'deno'` takes no `tls` or `http1`. */
  readonly transport?: DenoTransport;
  /**
   * Also answer HTTP/1.1 on the same port with this fetch handler (`'node'` transport only; see h2flow/node's
   * `ListenOptions.http1`). Off by default here; `serve()` turns it on.
   */
  readonly http1?: ListenHttp1Options;
  /** Cleartext with `http1`: how long a connection may take to tell HTTP/2 from HTTP/1.1 (default 10 s). */
  readonly sniffTimeout?: number;
  /**
   * Refuse addresses whose connections keep ending in connection errors (see `AbuseGuard`). Default off for
   * `listen()` (the raw session API), on for `serve()`.
   */
  readonly abuse?: AbuseOption;
}

/** How long accepting pauses after a failed accept that did not come from closing the listener. */
const ACCEPT_BACKOFF_MS = 100;

const toNetAddr = (a: DenoNetAddr): NetAddr => ({ transport: 'tcp', hostname: a.hostname ?? '', port: a.port ?? 0 });

function pairOf(conn: DenoConn, session: SessionOptions | undefined): H2Transport {
  return denoConnToPair(conn, sessionStreams(session));
}

/**
 * `'node'` (h2c by default, and TLS always) binds through Deno's `node:net`/`node:tls`, asynchronously.
 * TLS never uses `Deno.listenTls`: its connections have no `setNoDelay` (denoland/deno#13617, still so in
 * Deno 2.9), and with Nagle on, the small frames HTTP/2 interleaves with bulk DATA (WINDOW_UPDATE, the tail
 * of each write) wait for the peer's delayed ACK: a 64 MiB TLS echo took 18–23 s against 4 s over h2c
 * (same machine, under load); node:tls sets TCP_NODELAY like h2c does. `'deno'` binds at once with
 * `Deno.listen` (synchronous; a bind error is thrown).
 */
function listenNow(options: ListenOptions): H2Server | Promise<H2Server> {
  const transport = options.transport ?? 'node';
  if (transport === 'deno') {
    if (options.tls !== undefined) throw new TypeError("h2flow/deno: transport 'deno' (Deno.listen) is h2c only; TLS goes through node:tls (Deno.listenTls cannot turn Nagle off)");
    if (options.http1 !== undefined) throw new TypeError("h2flow/deno: transport 'deno' (Deno.listen) speaks HTTP/2 only; the default transport ('node') also answers HTTP/1.1");
    return listenDeno(options);
  }
  if (transport !== 'node') throw new TypeError(`h2flow/deno: transport must be 'node' or 'deno', not ${String(transport)}`);
  const { tls, transport: _t, ...rest } = options;
  return nodeListen({ ...rest, ...(tls !== undefined ? { tls: { cert: pemText(tls.cert), key: pemText(tls.key) } } : {}) });
}

/** h2c over `Deno.listen`: bound before it returns. */
function listenDeno(options: ListenOptions): H2Server {
  const api = deno();
  const listener = api.listen({ port: options.port ?? 0, hostname: options.host ?? '127.0.0.1', transport: 'tcp' });
  let stopped = false;
  const guard = abuseGuardFor(options.abuse);
  const hold = guard === null ? null : new RefusalHold(guard.holdRefusedMs, guard.maxHeldConnections);
  const proxyProtocol = options.proxyProtocol === true;
  const proxyHeaderTimeout = proxyHeaderTimeoutOf(options.proxyHeaderTimeout);
  /** Connections still sending their PROXY header: counted against maxConnections, closed by close(). */
  const reading = new Set<DenoConn>();
  const stop = (): void => {
    stopped = true;
    listener.close();
    hold?.closeAll();
    for (const conn of reading) close(conn);
    reading.clear();
  };
  const { server, accept, admits, full } = sessionServer(
    { address: toNetAddr(listener.addr), stop, ref: () => listener.ref(), unref: () => listener.unref() },
    options.session,
    guard,
    maxConnectionsOf(options.maxConnections),
  );
  const close = (conn: DenoConn): void => {
    try {
      conn.close();
    } catch {
      // Already closed by the peer.
    }
  };
  /** Serves `conn` as a session from `remoteAddr`, unless the abuse guard refuses that address. */
  const serveConn = (conn: DenoConn, remoteAddr: NetAddr): void => {
    // An address cooling down (AbuseGuard) is held unread for a while (RefusalHold), or closed at once.
    if (!admits(remoteAddr.hostname)) {
      if (stopped || !hold!.hold(conn, () => close(conn))) close(conn);
      return;
    }
    accept(pairOf(conn, options.session), remoteAddr);
  };
  /**
   * Reads the PROXY header, then serves the connection as from the client it names (the guard asks about
   * that address: the proxy itself is never refused); no valid header in time: closed, as HAProxy's
   * `accept-proxy` does, and as h2flow/node's listener does.
   */
  const serveProxied = async (conn: DenoConn): Promise<void> => {
    reading.add(conn);
    const read = await readDenoProxyHeader(conn, proxyHeaderTimeout);
    const tracked = reading.delete(conn);
    if (read === null || stopped || !tracked) {
      close(conn);
      return;
    }
    // v2 LOCAL, v1 UNKNOWN (health checks): the connection's own address.
    serveConn(read.conn, read.header.source ?? toNetAddr(conn.remoteAddr));
  };
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
      // Past maxConnections (those still sending a PROXY header counted): closed at once (holding it
      // would take one more descriptor).
      if (full(reading.size)) {
        close(conn);
        continue;
      }
      if (proxyProtocol) void serveProxied(conn);
      else serveConn(conn, toNetAddr(conn.remoteAddr));
    }
  })();
  return server;
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
 *     for await (const stream of session) stream.respond({ ':status': '200' }, { body: 'hi' });
 *   })();
 * }
 * ```
 */
export async function listen(options: ListenOptions = {}): Promise<H2Server> {
  return listenNow(options);
}

/** Options of {@link serve}: every runtime's (see `ServeOptions`), plus which listener serves h2c. */
export interface ServeOptions extends CommonServeOptions {
  /**
   * What accepts h2c connections (default `'node'`: Deno's `node:net`, with HTTP/1.1 on the same port; see
   * {@link DenoTransport}). `'deno'`: `Deno.listen`, HTTP/2 only, bound before `serve()` returns.
   */
  readonly transport?: DenoTransport;
}

/**
 * Serves `handler` over HTTP/2, and HTTP/1.1 on the same port (`http1`, default true), with `Deno.serve`'s
 * API (and its argument forms: `serve(handler)`, `serve(options, handler)`, `serve({ handler, ...options })`;
 * also h2flow's `serve(handler, options)` and Bun's `serve({ fetch })`). TLS with `cert`/`key` (or `tls:
 * { cert, key }`). Binds through Deno's `node:net`/`node:tls`: `server.addr` is readable once `listening`
 * resolved, and a bind error rejects `listening`; with `transport: 'deno'` (h2c over `Deno.listen`) it
 * binds at once, `server.addr` is readable on return and a bind error is thrown, as `Deno.serve` does.
 *
 * @example
 * ```ts
 * const server = serve({ port: 8443, cert, key }, (req) => new Response(`hello ${new URL(req.url).pathname}`));
 * await server.finished;
 * ```
 */
export function serve(...args: ServeArgs<ServeOptions>): HttpServer {
  const { handler, options } = normaliseServeArgs<ServeOptions>(args);
  const transport = options.transport ?? 'node';
  if (transport === 'deno' && options.http1 === true) throw new TypeError("h2flow/deno: serve() with transport 'deno' (Deno.listen) speaks HTTP/2 only; drop http1 or the transport");
  return serveWith(({ http1, ...o }) => listenNow({ ...o, transport, ...(transport === 'node' && http1 !== undefined ? { http1 } : {}) }), handler, options);
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
  let onAbort: (() => void) | null = null;
  try {
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
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
  } finally {
    // A long-lived signal (one per application) must not gather a listener per connection.
    if (onAbort !== null) signal?.removeEventListener('abort', onAbort);
  }
  options.onConnect?.({ protocol: secure ? 'h2' : 'h2c', remoteAddr: toNetAddr(conn.remoteAddr) });
  return conn;
}

/**
 * Opens an HTTP/2 connection and returns its client session: `http:` URLs speak h2c with prior knowledge,
 * `https:` URLs TLS with ALPN `h2` (certificates verified; trust extra roots with `tls.caCerts`).
 */
export async function connectSession(url: string | URL, options: ConnectOptions = {}): Promise<H2Session> {
  return clientSession(pairOf(await openConn(new URL(url), options), options.session), options);
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
  return fetchClient(url, options, connectSession);
}
