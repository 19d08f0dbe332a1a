/**
 * `serve(handler)`: `Deno.serve` over HTTP/2 and HTTP/1.1 on one port, on one core or many (`workers`),
 * with graceful shutdown (GOAWAY, a deadline for requests in flight) and, when asked, on SIGTERM/SIGINT.
 * Layer: transport (Node).
 */
import cluster from 'node:cluster';
import { FETCH_SERVER_CONFIG, serveRequests, type FetchHandler } from '../fetch/fetch-server.ts';
import { listen, type H2Server, type SessionOptions, type TlsServerOptions } from './listen.ts';
import type { AbuseOption } from './abuse-guard.ts';
import type { Http1Limits } from './http1.ts';
import { runPrimary, workerCount, type ServeWorkers } from './workers.ts';
import { normaliseServeArgs, type ServeArgs, type ServeOptions as CommonServeOptions, type ServerCore, type ServerNames } from './serve-args.ts';
import { withServerNames, type ServerControl } from './session-server.ts';

/** Options of {@link serve} (the shape of `Deno.serve`'s). */
export interface ServeOptions extends Omit<CommonServeOptions, 'tls' | 'cert' | 'key' | 'session' | 'http1'> {
  /** Serve TLS with ALPN `h2` (and `http/1.1` unless `http1` is false) instead of cleartext. */
  readonly tls?: TlsServerOptions;
  /** Deno's spelling of `tls.cert`: with `key`, serves TLS. */
  readonly cert?: string | Buffer;
  /** Deno's spelling of `tls.key`. */
  readonly key?: string | Buffer;
  /**
   * Answer HTTP/1.1 on the same port with the same handler (default true): cleartext connections that do
   * not start with the HTTP/2 preface go to Node's HTTP/1.1 server, TLS offers ALPN `http/1.1`, and
   * `Upgrade: h2c` requests are switched to HTTP/2. False: HTTP/2 only (other connections are closed).
   * An object: on, with those limits (header size, deadlines, pipelining; see `Http1Limits`).
   */
  readonly http1?: boolean | Http1Limits;
  /** Options for every session. */
  readonly session?: SessionOptions;
  /**
   * Refuse addresses that keep provoking connection errors (see `ListenOptions.abuse`). Default on; with
   * `workers`, each worker keeps its own table.
   */
  readonly abuse?: AbuseOption;
  /**
   * How long a graceful shutdown lets requests in flight run (ms, default 10 000); connections still
   * open then are closed.
   */
  readonly gracefulTimeout?: number;
  /**
   * Shut down gracefully on these signals (`true`: SIGTERM and SIGINT), then `process.exit(0)`; a second
   * signal exits at once. Off by default: a library does not take over its host's signals. `h2flow
   * serve` always does this.
   */
  readonly signals?: boolean | readonly NodeJS.Signals[];
  /**
   * Processes serving the port (`node:cluster`): a number, or `'auto'` for one per CPU. Default 1 (this
   * process). With more, this process becomes the cluster's primary and forks workers that run the same
   * script (which calls `serve()` again and serves); the primary restarts workers that die, `restart()`
   * replaces them one by one without dropping a request, and `shutdown()` stops them gracefully.
   */
  readonly workers?: ServeWorkers;
}

/** A running {@link serve} server (the shape of Deno's `HttpServer`). */
export interface HttpServer extends ServerCore {
  /**
   * Stops accepting, lets requests in flight finish (HTTP/2: GOAWAY; HTTP/1.1: `connection: close`)
   * within `gracefulTimeout`, and resolves when every connection closed.
   */
  shutdown(): Promise<void>;
  /** With `workers`: replaces every worker, one at a time, each new one listening before the old one drains. */
  restart(): Promise<void>;
}

const DEFAULT_GRACEFUL_TIMEOUT = 10_000;

/**
 * Serves `handler` over HTTP/2 and HTTP/1.1, `Deno.serve` style: each request is a global `Request`, each
 * answer a `Response` (streamed; trailers through `withTrailers`). Takes every runtime's argument forms:
 * `serve(handler, options?)`, `serve(options, handler)`, `serve({ handler, ...options })` (Deno's) and
 * `serve({ fetch, ...options })` (Bun's); anything else is a TypeError. The server also has Deno's `addr`,
 * `ref()`, `unref()` and Bun's `port`, `url`, `stop()`. Cleartext (h2c with prior knowledge,
 * `Upgrade: h2c`, or HTTP/1.1, told apart by the first bytes), or TLS with ALPN `h2`/`http/1.1` when
 * `tls` is given.
 *
 * @example
 * ```ts
 * const server = serve((req) => new Response(`hello from ${new URL(req.url).pathname}`), { port: 8080 });
 * await server.listening;
 * ```
 */
export function serve(...args: ServeArgs<ServeOptions>): HttpServer & ServerNames {
  // Every runtime's argument forms (serve-args.ts); top-level cert/key are moved under tls.
  const { handler, options } = normaliseServeArgs<ServeOptions>(args);
  const workers = workerCount(options.workers);
  const scheme = options.tls !== undefined ? 'https' : 'http';
  if (workers > 1 && cluster.isPrimary) return withServerNames(withSignals(runPrimary(workers, options), options), scheme, () => null);
  let control: ServerControl | null = null;
  const server = serveHere(handler, options, scheme, (c) => (control = c));
  return withServerNames(withSignals(server, options), scheme, () => control);
}

/** Serves in this process; `onListener` gets the listener's controls once it listens. */
/** The HTTP/1.1 limits of `serve()`'s `http1` option, and nothing else (no handler or hook). */
function pickHttp1Limits(limits: Http1Limits): Http1Limits {
  const { maxHeaderSize, headersTimeout, requestTimeout, maxPipelinedRequests, writeTimeout, keepAliveTimeout } = limits;
  return { maxHeaderSize, headersTimeout, requestTimeout, maxPipelinedRequests, writeTimeout, keepAliveTimeout };
}

function serveHere(handler: FetchHandler, options: ServeOptions, scheme: 'http' | 'https', onListener: (control: ServerControl) => void): HttpServer {
  let server: H2Server | null = null;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let shuttingDown: Promise<void> | null = null;
  const onError = options.onError;
  const listening = listen({
    port: options.port ?? 8000,
    host: options.hostname ?? '0.0.0.0',
    ...(options.tls !== undefined ? { tls: options.tls } : {}),
    abuse: options.abuse ?? true,
    ...(options.proxyProtocol === true ? { proxyProtocol: true } : {}),
    ...(options.proxyHeaderTimeout !== undefined ? { proxyHeaderTimeout: options.proxyHeaderTimeout } : {}),
    ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}),
    session: { ...options.session, config: { ...FETCH_SERVER_CONFIG, ...options.session?.config } },
    ...(options.http1 !== false ? { http1: { ...(typeof options.http1 === 'object' ? pickHttp1Limits(options.http1) : {}), handler, onError } } : {}),
  }).then((s) => {
    server = s;
    onListener({ ref: () => s.ref(), unref: () => s.unref(), closeNow: () => s.close({ graceful: false }) });
    if (options.onListen !== undefined) options.onListen(s.address);
    else if (!cluster.isWorker) console.log(`Listening on ${scheme}://${s.address.hostname}:${s.address.port}/`);
    void (async () => {
      for await (const { session, remoteAddr } of s.accepted) {
        serveRequests(session, handler, { remoteAddr, ...(onError !== undefined ? { onError } : {}) });
      }
    })();
    if (options.signal?.aborted) void shutdown();
    return s.address;
  });
  const shutdown = (): Promise<void> => {
    shuttingDown ??= listening
      .then(async () => {
        const s = server;
        if (s === null) return;
        const timer = setTimeout(() => void s.close({ graceful: false }), options.gracefulTimeout ?? DEFAULT_GRACEFUL_TIMEOUT);
        try {
          await s.close();
        } finally {
          clearTimeout(timer);
        }
      })
      .catch(() => undefined)
      .finally(() => finish());
    return shuttingDown;
  };
  options.signal?.addEventListener('abort', () => void shutdown(), { once: true });
  // A cluster worker stops when its primary says so (shutdown, rolling restart).
  if (cluster.isWorker) {
    // A worker that cannot listen leaves: its primary sees the exit and gives up (no worker will).
    listening.catch(() => {
      process.exitCode = 1;
      cluster.worker?.disconnect();
      setTimeout(() => process.exit(1), 2000).unref();
    });
    const onMessage = (message: unknown): void => {
      if ((message as { h2flow?: string } | null)?.h2flow === 'shutdown') void shutdown();
    };
    process.on('message', onMessage);
    // Shut down (told by the primary, or by a signal of its own): leave the cluster so the process can
    // end once its output is flushed; the primary replaces a worker it did not retire itself.
    void finished.then(() => {
      process.off('message', onMessage);
      cluster.worker?.disconnect();
      setTimeout(() => process.exit(0), 2000).unref();
    });
  }
  return { listening, finished, shutdown, restart: async () => undefined };
}

/** Installs the `signals` option's handlers around `server`. */
function withSignals(server: HttpServer, options: ServeOptions): HttpServer {
  const signals = options.signals === true ? (['SIGTERM', 'SIGINT'] as const) : options.signals === false || options.signals === undefined ? [] : options.signals;
  if (signals.length === 0) return server;
  const stop = (): void => {
    for (const s of signals) process.off(s, stop);
    // A second signal while draining ends the process at once.
    for (const s of signals) process.once(s, () => process.exit(1));
    void server.shutdown().then(() => process.exit(0));
  };
  for (const s of signals) process.on(s, stop);
  void server.finished.then(() => {
    for (const s of signals) process.off(s, stop);
  });
  return server;
}
