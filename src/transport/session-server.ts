/**
 * The runtime-neutral half of a server: the queue of accepted sessions behind `listen()` (used by the Deno
 * and Bun transports) and `serve()` over any transport's `listen()` (used by Node, Deno and Bun). The
 * runtime's own half only binds, accepts connections and turns each into a `{ readable, writable }` pair.
 * Layer: transport (no runtime API here).
 */
import { H2Session, type H2SessionOptions } from '../streams/session';
import type { CloseOptions } from '../streams/session-pump';
import type { H2Transport } from '../streams/types';
import { serveSession, type FetchHandler, type NetAddr } from '../fetch/fetch-server';
import type { HttpServer, NormalisedServeOptions, SessionListener, SessionOptions } from './serve-args';

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

/** What a runtime's listener gives {@link sessionServer}: how to stop accepting and to (un)ref. */
export interface ListenerControl {
  readonly address: NetAddr;
  /** Stops accepting new connections (the runtime's listener close). */
  stop(): void | Promise<void>;
  ref(): void;
  unref(): void;
}

/**
 * Builds the {@link H2Server} a runtime's `listen()` returns around its listener: `accept(pair, remoteAddr)`
 * makes a server session of each connection and queues it for `accepted`; after `close()` a connection
 * still arriving (a TLS handshake finishing late) has its pair aborted instead.
 */
export function sessionServer(control: ListenerControl, session: SessionOptions | undefined): { server: H2Server; accept(pair: H2Transport, remoteAddr: NetAddr): void } {
  const live = new Set<H2Session>();
  let controller!: ReadableStreamDefaultController<AcceptedSession>;
  const accepted = new ReadableStream<AcceptedSession>({ start: (c) => void (controller = c) });
  const sessionOptions: H2SessionOptions = { ...session, role: 'server' };
  let accepting = true;
  let closing: Promise<void> | null = null;
  const sessions = (): ReadableStream<H2Session> =>
    accepted.pipeThrough(new TransformStream<AcceptedSession, H2Session>({ transform: (a, c) => c.enqueue(a.session) }));
  const server: H2Server = {
    address: control.address,
    accepted,
    [Symbol.asyncIterator]: () => sessions()[Symbol.asyncIterator](),
    close(closeOptions?: CloseOptions): Promise<void> {
      closing ??= (async () => {
        accepting = false;
        controller.close();
        const stopped = Promise.resolve(control.stop()).catch(() => undefined);
        // close() settles even if a peer hangs up before answering the graceful close's GOAWAY/PING.
        await Promise.all([...live].map((s) => s.close(closeOptions).catch(() => undefined)));
        await stopped;
      })();
      return closing;
    },
    ref: () => control.ref(),
    unref: () => control.unref(),
  };
  const accept = (pair: H2Transport, remoteAddr: NetAddr): void => {
    if (!accepting) {
      void pair.writable.abort().catch(() => undefined);
      void pair.readable.cancel().catch(() => undefined);
      return;
    }
    const s = new H2Session(pair, sessionOptions);
    live.add(s);
    s.closed.catch(() => undefined).finally(() => live.delete(s));
    controller.enqueue({ session: s, remoteAddr });
  };
  return { server, accept };
}

/** How a transport binds for {@link serveWith}: its `listen()`, with `serve()`'s defaults applied. */
export type ServeListen = (options: { port: number; host: string; tls?: NonNullable<NormalisedServeOptions['tls']>; session?: SessionOptions }) => SessionListener | Promise<SessionListener>;

function notYet(name: string): Error {
  return new Error(`h2flow: server.${name} is not known until the server listens (await server.listening)`);
}

/**
 * `serve()` over a transport's `listen()`: serves `handler` on each accepted session. A `listen` that binds
 * synchronously (Deno, Bun) makes `addr`/`port`/`url` readable at once, and its bind error is thrown, as
 * `Deno.serve` does; an asynchronous one (Node) rejects `listening` instead.
 */
export function serveWith(listen: ServeListen, handler: FetchHandler, options: NormalisedServeOptions): HttpServer {
  let listener: SessionListener | null = null;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let shuttingDown: Promise<void> | null = null;
  let unrefd = false;
  const scheme = options.tls !== undefined ? 'https' : 'http';
  const started = (l: SessionListener): NetAddr => {
    listener = l;
    if (unrefd) l.unref?.();
    if (options.onListen !== undefined) options.onListen(l.address);
    else console.log(`Listening on ${scheme}://${l.address.hostname}:${l.address.port}/`);
    void (async () => {
      for await (const { session, remoteAddr } of l.accepted) {
        void serveSession(session, handler, { remoteAddr, ...(options.onError !== undefined ? { onError: options.onError } : {}) });
      }
    })();
    if (options.signal?.aborted) void shutdown();
    return l.address;
  };
  const bound = listen({
    port: options.port ?? 8000,
    host: options.hostname ?? '0.0.0.0',
    ...(options.tls !== undefined ? { tls: options.tls } : {}),
    ...(options.session !== undefined ? { session: options.session } : {}),
  });
  const listening = bound instanceof Promise ? bound.then(started) : Promise.resolve(started(bound));
  const stopWith = (closeOptions: CloseOptions | undefined): Promise<void> => {
    shuttingDown ??= listening
      .then(() => listener?.close(closeOptions))
      .catch(() => undefined)
      .finally(() => finish());
    return shuttingDown;
  };
  const shutdown = (): Promise<void> => stopWith(undefined);
  options.signal?.addEventListener('abort', () => void shutdown(), { once: true });
  const addr = (name: string): NetAddr => {
    if (listener === null) throw notYet(name);
    return listener.address;
  };
  return {
    listening,
    finished,
    shutdown,
    stop: (closeActiveConnections = false) => stopWith(closeActiveConnections ? { graceful: false } : undefined),
    ref() {
      unrefd = false;
      listener?.ref?.();
    },
    unref() {
      unrefd = true;
      listener?.unref?.();
    },
    get addr() {
      return addr('addr');
    },
    get port() {
      return addr('port').port;
    },
    get url() {
      const a = addr('url');
      const host = a.hostname.includes(':') ? `[${a.hostname}]` : a.hostname;
      return new URL(`${scheme}://${host}:${a.port}/`);
    },
  };
}
