/**
 * The runtime-neutral half of a server: the queue of accepted sessions behind `listen()` (used by the Deno
 * and Bun transports) and `serve()` over any transport's `listen()` (used by Node, Deno and Bun). The
 * runtime's own half only binds, accepts connections and turns each into a `{ readable, writable }` pair.
 * Layer: transport (no runtime API here).
 */
import { H2Session, type H2SessionOptions } from '../streams/session.ts';
import type { CloseOptions } from '../streams/close-lifecycle.ts';
import type { H2Transport, StreamConstructors } from '../streams/types.ts';
import { FETCH_SERVER_CONFIG, serveRequests, type FetchHandler, type NetAddr } from '../fetch/fetch-server.ts';
import type { HttpServer, NormalisedServeOptions, ServerCore, ServerNames, SessionListener, SessionOptions } from './serve-args.ts';
import type { AbuseGuard, AbuseOption } from './abuse-guard.ts';
import { AcceptedQueue, acceptedSessions } from './accepted-sessions.ts';

/** A connection a server accepted: its session and the peer's address. */
export interface AcceptedSession {
  readonly session: H2Session;
  readonly remoteAddr: NetAddr;
}

/** A listening HTTP/2 server; iterate it (or read `accepted`) for each connection's session. */
export interface H2Server extends AsyncIterable<H2Session> {
  /** The bound address. */
  readonly address: NetAddr;
  /** Every accepted connection, with its peer address. */
  readonly accepted: ReadableStream<AcceptedSession>;
  /** Stops accepting, closes every session (graceful by default) and resolves when all are closed. */
  close(options?: CloseOptions): Promise<void>;
  /** Keeps the process alive while listening (the default). */
  ref(): void;
  /** Lets the process exit while listening. */
  unref(): void;
}

/** The pair's streams come from the same implementation as the session's (every transport's pair takes them). */
export function sessionStreams(options: SessionOptions | undefined): { streams?: StreamConstructors } {
  const streams = options?.streams as StreamConstructors | undefined;
  return streams === undefined ? {} : { streams };
}

/** What a runtime's listener gives {@link sessionServer}: how to stop accepting and to (un)ref. */
export interface ListenerControl {
  readonly address: NetAddr;
  /** Stops accepting new connections (the runtime's listener close). */
  stop(): void | Promise<void>;
  /**
   * Called once every session closed after `stop()`: releases what must outlive the graceful close (a QUIC
   * endpoint, whose close ends every connection on it at once).
   */
  release?(): void | Promise<void>;
  ref(): void;
  unref(): void;
}

/**
 * Builds the {@link H2Server} a runtime's `listen()` returns around its listener: `accept(pair, remoteAddr)`
 * makes a server session of each connection and queues it for `accepted`; after `close()` a connection
 * still arriving (a TLS handshake finishing late) has its pair aborted instead. With a `guard`, the
 * runtime asks `admits(address)` before wrapping a new connection (and closes it at once when refused),
 * and each session that ends in a connection error caused by its peer is counted against its address.
 */
export function sessionServer(
  control: ListenerControl,
  session: SessionOptions | undefined,
  guard: AbuseGuard | null = null,
  maxConnections: number = DEFAULT_MAX_CONNECTIONS,
): {
  server: H2Server;
  accept(pair: H2Transport, remoteAddr: NetAddr): void;
  admits(address: string): boolean;
  /** At `maxConnections` with `pending` connections not yet sessions (TLS handshakes) counted too. */
  full(pending?: number): boolean;
} {
  const live = new Set<H2Session>();
  const queue = new AcceptedQueue();
  const accepted = queue.readable;
  const sessionOptions: H2SessionOptions = { ...session, role: 'server' };
  let accepting = true;
  let closing: Promise<void> | null = null;
  const server: H2Server = {
    address: control.address,
    accepted,
    [Symbol.asyncIterator]: () => acceptedSessions(accepted),
    close(closeOptions?: CloseOptions): Promise<void> {
      closing ??= (async () => {
        accepting = false;
        queue.close();
        const stopped = Promise.resolve(control.stop()).catch(() => undefined);
        // close() settles even if a peer hangs up before answering the graceful close's GOAWAY/PING.
        await Promise.all([...live].map((s) => s.close(closeOptions).catch(() => undefined)));
        await stopped;
        await Promise.resolve(control.release?.()).catch(() => undefined);
      })();
      // A forced close also ends a graceful one in progress (`stop(true)` after `shutdown()`): the sessions
      // still draining close now instead of waiting for their streams (as listen.ts does).
      if (closeOptions?.graceful === false) for (const s of live) void s.close(closeOptions).catch(() => undefined);
      return closing;
    },
    ref: () => control.ref(),
    unref: () => control.unref(),
  };
  const accept = (pair: H2Transport, remoteAddr: NetAddr): void => {
    // Also once `accepted` was cancelled (a `break` out of the session loop): nobody takes sessions any more.
    if (!accepting || queue.cancelled) {
      void pair.writable.abort().catch(() => undefined);
      void pair.readable.cancel().catch(() => undefined);
      return;
    }
    const s = new H2Session(pair, sessionOptions);
    live.add(s);
    s.closed
      .catch((error: unknown) => guard?.noteSessionEnd(remoteAddr.hostname, error))
      .finally(() => live.delete(s));
    queue.push({ session: s, remoteAddr });
  };
  return { server, accept, admits: (address) => guard === null || guard.admits(address), full: (pending = 0) => live.size + pending >= maxConnections };
}

/** The connection cap of the runtimes' own listeners (`Deno.listen`, `Bun.listen`). */
export interface ConnectionCap {
  /**
   * Most connections open at once (those still handshaking included); past it a new connection is closed
   * as soon as it is accepted, before anything is read. Stops a connection flood from many addresses
   * (which the per-address abuse guard does not see) from exhausting memory and descriptors. Default
   * 10 000; `Infinity` for no limit.
   */
  readonly maxConnections?: number;
}

/** `maxConnections`' default on every listener: ~250 MiB of idle connections at most, far below a busy server's need. */
export const DEFAULT_MAX_CONNECTIONS = 10_000;

/** Checks a `maxConnections` option; undefined is the default. */
export function maxConnectionsOf(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_CONNECTIONS;
  if (value !== Infinity && (!Number.isSafeInteger(value) || value < 1)) throw new RangeError(`maxConnections must be a positive integer or Infinity, not ${String(value)}`);
  return value;
}

/** HTTP/1.1 on the HTTP/2 port, as {@link serveWith} asks a transport for it: the same handler answers. */
export interface ServeHttp1 {
  readonly handler: FetchHandler;
  readonly onError?: ((error: unknown) => Response | Promise<Response>) | undefined;
}

/** What {@link serveWith} asks a transport's `listen()` for, with `serve()`'s defaults applied. */
export interface ServeListenOptions {
  readonly port: number;
  readonly host: string;
  readonly tls?: NonNullable<NormalisedServeOptions['tls']>;
  readonly session?: SessionOptions;
  /** The abuse guard (`serve()`'s default: on). */
  readonly abuse: AbuseOption;
  /** HTTP/1.1 with the same handler, unless `http1: false`; a transport that cannot speak it ignores it. */
  readonly http1?: ServeHttp1;
  readonly maxConnections?: number;
  readonly proxyProtocol?: boolean;
  readonly proxyHeaderTimeout?: number;
}

/** How a transport binds for {@link serveWith}: its `listen()`, with `serve()`'s defaults applied. */
export type ServeListen = (options: ServeListenOptions) => SessionListener | Promise<SessionListener>;

function notYet(name: string): Error {
  return new Error(`h2flow: server.${name} is not known until the server listens (await server.listening)`);
}

/** What {@link withServerNames} needs from a transport's listener once it has one. */
export interface ServerControl {
  ref(): void;
  unref(): void;
  /** Closes every connection at once (Bun's `stop(true)`). */
  closeNow(): Promise<void>;
}

/**
 * Adds Deno's and Bun's names (`addr`, `port`, `url`, `stop`, `ref`, `unref`) to a server: the address
 * comes from `listening` (or `bound`, when the transport bound synchronously), `control()` gives the
 * listener once there is one (null before, or where there is none: a cluster's primary, whose `stop(true)`
 * is then graceful and whose `ref`/`unref` only apply to the listeners made later).
 */
export function withServerNames<S extends ServerCore>(server: S, scheme: 'http' | 'https', control: () => ServerControl | null, bound?: NetAddr): S & ServerNames {
  let addr: NetAddr | null = bound ?? null;
  let unrefd = false;
  server.listening.then(
    (a) => {
      addr = a;
      if (unrefd) control()?.unref();
    },
    () => undefined,
  );
  const known = (name: string): NetAddr => {
    if (addr === null) throw notYet(name);
    return addr;
  };
  const names: ServerNames = {
    get addr() {
      return known('addr');
    },
    get port() {
      return known('port').port;
    },
    get url() {
      const a = known('url');
      const host = a.hostname.includes(':') ? `[${a.hostname}]` : a.hostname;
      return new URL(`${scheme}://${host}:${a.port}/`);
    },
    stop(closeActiveConnections = false) {
      const c = control();
      if (!closeActiveConnections || c === null) return server.shutdown();
      // Immediate: connections are closed now; `finished` still resolves through shutdown().
      return Promise.all([c.closeNow(), server.shutdown()]).then(() => undefined);
    },
    ref() {
      unrefd = false;
      control()?.ref();
    },
    unref() {
      unrefd = true;
      control()?.unref();
    },
  };
  return Object.defineProperties(server, Object.getOwnPropertyDescriptors(names)) as S & ServerNames;
}

/**
 * `serve()` over a transport's `listen()`: serves `handler` on each accepted session. A `listen` that binds
 * synchronously (`Deno.listen`, `Bun.listen`) makes `addr`/`port`/`url` readable at once, and its bind error
 * is thrown, as `Deno.serve` does; an asynchronous one (`node:net`/`node:tls`) rejects `listening` instead.
 */
export function serveWith(listen: ServeListen, handler: FetchHandler, options: NormalisedServeOptions): HttpServer {
  let listener: SessionListener | null = null;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let shuttingDown: Promise<void> | null = null;
  const scheme = options.tls !== undefined ? 'https' : 'http';
  const started = (l: SessionListener): NetAddr => {
    listener = l;
    if (options.onListen !== undefined) options.onListen(l.address);
    else console.log(`Listening on ${scheme}://${l.address.hostname}:${l.address.port}/`);
    void (async () => {
      for await (const { session, remoteAddr } of l.accepted) {
        serveRequests(session, handler, { remoteAddr, ...(options.onError !== undefined ? { onError: options.onError } : {}) });
      }
    })();
    if (options.signal?.aborted) void shutdown();
    return l.address;
  };
  const bound = listen({
    port: options.port ?? 8000,
    host: options.hostname ?? '0.0.0.0',
    ...(options.tls !== undefined ? { tls: options.tls } : {}),
    session: { ...options.session, config: { ...FETCH_SERVER_CONFIG, ...options.session?.config } },
    abuse: options.abuse ?? true,
    ...(options.http1 !== false ? { http1: { handler, onError: options.onError } } : {}),
    ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}),
    ...(options.proxyProtocol === true ? { proxyProtocol: true } : {}),
    ...(options.proxyHeaderTimeout !== undefined ? { proxyHeaderTimeout: options.proxyHeaderTimeout } : {}),
  });
  const boundNow = bound instanceof Promise ? undefined : started(bound);
  const listening = bound instanceof Promise ? bound.then(started) : Promise.resolve(boundNow!);
  const shutdown = (): Promise<void> => {
    shuttingDown ??= listening
      .then(() => listener?.close())
      .catch(() => undefined)
      .finally(() => finish());
    return shuttingDown;
  };
  options.signal?.addEventListener('abort', () => void shutdown(), { once: true });
  const control = (): ServerControl | null => {
    const l = listener;
    if (l === null) return null;
    return { ref: () => l.ref?.(), unref: () => l.unref?.(), closeNow: () => l.close({ graceful: false }) };
  };
  return withServerNames({ listening, finished, shutdown }, scheme, control, boundNow);
}
