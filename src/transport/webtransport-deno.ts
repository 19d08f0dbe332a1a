/**
 * The server end of HTTP/2 over WebTransport on Deno's QUIC (`Deno.QuicEndpoint`, `Deno.upgradeWebTransport`;
 * Deno 2.9 needs `--unstable-net`): every bidirectional stream a client opens on a WebTransport session is
 * one HTTP/2 connection. `listenWebTransport()` yields their server sessions, `serveWebTransport()` answers
 * them with a fetch handler in every `serve()` argument form. Only the `Deno` global is used (no `node:`
 * import). Layer: transport.
 */
import type { NetAddr } from '../fetch/fetch-server.ts';
import { normaliseServeArgs, pemText, type HttpServer, type ServeArgs, type ServeOptions, type SessionOptions, type TlsCertKey } from './serve-args.ts';
import { serveWith, sessionServer, type H2Server } from './session-server.ts';
import { abuseGuardFor, type AbuseOption } from './abuse-guard.ts';
import { acceptTunnels, type WebTransportLike } from './webtransport-pair.ts';

interface QuicAddr {
  readonly hostname: string;
  readonly port: number;
}

interface QuicConnLike {
  readonly remoteAddr: QuicAddr;
  close(info?: { closeCode: number; reason: string }): void;
}

interface QuicIncomingLike {
  accept(): Promise<QuicConnLike>;
}

interface QuicListenerLike {
  incoming(): Promise<QuicIncomingLike>;
  stop(): void;
}

interface QuicEndpointLike {
  readonly addr: QuicAddr;
  listen(options: { alpnProtocols: string[]; cert: string; key: string; maxConcurrentBidirectionalStreams?: number }): QuicListenerLike;
  close(info?: { closeCode: number; reason: string }): void;
}

/** The part of the `Deno` namespace this server uses (unstable in Deno 2.9: `--unstable-net`). */
interface DenoQuicApi {
  QuicEndpoint?: new (options: { hostname?: string; port?: number }) => QuicEndpointLike;
  upgradeWebTransport?(conn: QuicConnLike): Promise<WebTransportLike>;
}

/** Options of {@link listenWebTransport}. */
export interface WebTransportListenOptions {
  /** UDP port; 0 (the default) picks a free one (read it from `server.address`). */
  readonly port?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  readonly host?: string;
  /** The certificate and key QUIC's TLS 1.3 needs (required). A browser trusting it by hash wants ECDSA, valid ≤ 14 days. */
  readonly tls: TlsCertKey;
  /** Options for every tunnel's server session. */
  readonly session?: SessionOptions;
  /**
   * HTTP/2 tunnels (bidirectional streams) one client connection may have open at once (default 8). Each
   * is a whole HTTP/2 connection with its own HPACK tables and windows: this bounds what one QUIC
   * connection can make us hold (RFC 9113 §10.5).
   */
  readonly maxTunnelsPerConnection?: number;
  /**
   * How long a QUIC connection may take to finish its handshake and its WebTransport CONNECT (default
   * 10 s): past it the connection is closed, so a client that stalls the setup holds nothing (the
   * Slowloris shape of attack).
   */
  readonly setupTimeoutMs?: number;
  /**
   * Refuse addresses whose tunnels keep ending in connection errors (see `AbuseGuard`): a refused client's
   * QUIC connection is closed once accepted, before its WebTransport setup. Default off for
   * `listenWebTransport()`, on for `serveWebTransport()` (as `listen()` and `serve()`).
   */
  readonly abuse?: AbuseOption;
}

/** Options of {@link serveWebTransport}: `serve()`'s, TLS required, plus the listener's bounds. */
export interface WebTransportServeOptions extends ServeOptions, Pick<WebTransportListenOptions, 'maxTunnelsPerConnection' | 'setupTimeoutMs'> {}

const DEFAULT_TUNNELS = 8;
const DEFAULT_SETUP_MS = 10_000;
/** How long accepting pauses after a failed accept that did not come from stopping the listener. */
const ACCEPT_BACKOFF_MS = 100;
/** HTTP/3 (RFC 9114 §3.1): WebTransport over HTTP/3 is negotiated as `h3`. */
const ALPN_H3 = 'h3';

function denoQuic(): Required<DenoQuicApi> {
  const api = (globalThis as { Deno?: DenoQuicApi }).Deno;
  if (api?.QuicEndpoint === undefined || api.upgradeWebTransport === undefined) {
    throw new Error('h2flow: a WebTransport server needs Deno with its QUIC API (Deno 2.9+: run with --unstable-net)');
  }
  return api as Required<DenoQuicApi>;
}

const toNetAddr = (a: QuicAddr): NetAddr => ({ transport: 'udp', hostname: a.hostname, port: a.port });

/** Settles with `promise`'s value, or with null after `ms` (a value arriving later is handed to `late`). */
async function within<T>(promise: Promise<T>, ms: number, late: (value: T) => void): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    const value = await Promise.race([promise, deadline]);
    if (value === null) promise.then(late, () => undefined);
    return value;
  } finally {
    clearTimeout(timer);
  }
}

const closeConn = (conn: QuicConnLike, reason: string): void => {
  try {
    conn.close({ closeCode: 0, reason });
  } catch {
    // Already closed.
  }
};

/**
 * Listens for WebTransport sessions on a Deno QUIC endpoint (ALPN `h3`) and yields a server `H2Session`
 * per bidirectional stream a client opens: the same {@link H2Server} as h2flow/deno's `listen()`. Binds at
 * once (a bind error is thrown). `close()` lets every tunnel finish gracefully, then closes the endpoint.
 */
export function listenWebTransport(options: WebTransportListenOptions): H2Server {
  const api = denoQuic();
  const endpoint = new api.QuicEndpoint({ hostname: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  let listener: QuicListenerLike;
  try {
    listener = endpoint.listen({
      alpnProtocols: [ALPN_H3],
      cert: pemText(options.tls.cert),
      key: pemText(options.tls.key),
      // The session's CONNECT request is a client bidirectional stream too (RFC 9114 §4.1; WebTransport over
      // HTTP/3 §3.2); HTTP/3's own unidirectional streams (control, QPACK) keep Deno's default limit.
      maxConcurrentBidirectionalStreams: (options.maxTunnelsPerConnection ?? DEFAULT_TUNNELS) + 1,
    });
  } catch (error) {
    endpoint.close();
    throw error;
  }
  const setupMs = options.setupTimeoutMs ?? DEFAULT_SETUP_MS;
  let stopped = false;
  const { server, accept, admits } = sessionServer(
    {
      address: toNetAddr(endpoint.addr),
      stop: () => {
        stopped = true;
        listener.stop();
      },
      release: () => endpoint.close({ closeCode: 0, reason: 'server closed' }),
      // A QUIC endpoint has no ref/unref in Deno 2.9: it keeps the process alive until closed.
      ref: () => undefined,
      unref: () => undefined,
    },
    options.session,
    abuseGuardFor(options.abuse),
  );

  const setUp = async (incoming: QuicIncomingLike): Promise<void> => {
    // Deno 2.9: reading QuicIncoming.remoteAddr consumes the incoming connection (accept() then throws
    // BadResource and the client is refused), so the address comes from the accepted connection.
    const conn = await within(incoming.accept(), setupMs, (c) => closeConn(c, 'setup timed out'));
    if (conn === null) return;
    const remoteAddr = toNetAddr(conn.remoteAddr);
    if (!admits(remoteAddr.hostname)) {
      closeConn(conn, 'refused');
      return;
    }
    const wt = await within(api.upgradeWebTransport(conn), setupMs, (w) => w.close({ closeCode: 0, reason: 'setup timed out' })).catch(() => null);
    if (wt === null || stopped) {
      closeConn(conn, wt === null ? 'not a WebTransport session' : 'server closed');
      return;
    }
    await acceptTunnels(wt, options.session, (pair) => accept(pair, remoteAddr));
  };

  void (async () => {
    for (;;) {
      let incoming: QuicIncomingLike;
      try {
        incoming = await listener.incoming();
      } catch {
        if (stopped) return;
        await new Promise((resolve) => setTimeout(resolve, ACCEPT_BACKOFF_MS));
        continue;
      }
      void setUp(incoming).catch(() => undefined);
    }
  })();
  return server;
}

/**
 * Serves `handler` over HTTP/2 inside WebTransport sessions, in every `serve()` argument form
 * (`serveWebTransport(options, handler)`, `serveWebTransport({ handler, ...options })`, …); TLS is
 * required (`cert`/`key` or `tls`). Deno 2.9 needs `--unstable-net`. The port is UDP.
 *
 * @example
 * ```ts
 * const server = serveWebTransport({ port: 4433, hostname: '127.0.0.1', cert, key }, (req) => new Response(`hello ${new URL(req.url).pathname}`));
 * await server.finished;
 * ```
 */
export function serveWebTransport(...args: ServeArgs<WebTransportServeOptions>): HttpServer {
  const { handler, options } = normaliseServeArgs<WebTransportServeOptions>(args);
  const { maxTunnelsPerConnection, setupTimeoutMs, ...serveOptions } = options;
  if (serveOptions.tls === undefined) throw new TypeError('h2flow: serveWebTransport() needs a certificate and key (`cert`/`key` or `tls`): QUIC is always TLS');
  const bounds = {
    ...(maxTunnelsPerConnection !== undefined ? { maxTunnelsPerConnection } : {}),
    ...(setupTimeoutMs !== undefined ? { setupTimeoutMs } : {}),
  };
  return serveWith((o) => listenWebTransport({ ...o, tls: o.tls!, ...bounds }), handler, serveOptions);
}
