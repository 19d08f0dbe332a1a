/**
 * h2flow/node: HTTP/2 over Node's `net` (h2c with prior knowledge) and `tls` (ALPN `h2`). `listen()` yields
 * server `H2Session`s, `connectSession()`/`connect()` open client ones, and `serve()` is `Deno.serve` for
 * HTTP/2. Layer: transport (Node). Each socket becomes a `{ readable, writable }` pair (socket-pair.ts).
 */
import { createServer as createNetServer, connect as netConnect, isIP, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { H2Session, type H2SessionOptions } from '../streams/session';
import type { CloseOptions } from '../streams/session-pump';
import { serveSession, type FetchHandler, type NetAddr } from '../fetch/fetch-server';
import { H2Client } from '../fetch/fetch-client';
import { checkBaseUrl } from '../fetch/client-request';
import { socketToPair } from './socket-pair';
import { tapTransport, type TapObserver } from './tap';
import type { H2Stream } from '../streams/stream';
import type { H2Transport, StreamConstructors } from '../streams/types';

export { socketToPair, SocketClosedError } from './socket-pair';
export type { SocketPairOptions } from './socket-pair';
export { tapTransport } from './tap';
export type { TapObserver } from './tap';
export { H2Client } from '../fetch/fetch-client';
export type { H2ClientOptions, H2RequestInit, ResponseTrailers } from '../fetch/fetch-client';
export { withTrailers } from '../fetch/fetch-server';
export type { FetchHandler, FetchHandlerInfo, NetAddr, RequestTrailers, TrailersExtension } from '../fetch/fetch-server';

/** PEM certificate chain and private key for a TLS server. */
export interface TlsServerOptions {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

/** Session options a transport passes through (`role` is set by the transport). */
export type SessionOptions = Omit<H2SessionOptions, 'role'>;

/** Options of {@link listen}. */
export interface ListenOptions {
  /** TCP port; 0 (the default) picks a free one (read it from `server.address`). */
  readonly port?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  readonly host?: string;
  /** Serve TLS with ALPN `h2` (connections that do not negotiate `h2` are closed); h2c without it. */
  readonly tls?: TlsServerOptions;
  /** Options for every server session. */
  readonly session?: SessionOptions;
}

/** A connection a server accepted: its session and the peer's address. */
export interface AcceptedSession {
  readonly session: H2Session;
  readonly remoteAddr: NetAddr;
}

/** A listening HTTP/2 server; iterate it (or read `sessions`) for each connection's session. */
export interface H2Server extends AsyncIterable<H2Session> {
  /** The bound address. */
  readonly address: NetAddr;
  /** Every accepted connection, with its peer address. */
  readonly accepted: ReadableStream<AcceptedSession>;
  /** Stops accepting, closes every session (graceful by default) and resolves when all are closed. */
  close(options?: CloseOptions): Promise<void>;
}

function toNetAddr(address: string | undefined, port: number | undefined): NetAddr {
  return { transport: 'tcp', hostname: address ?? '', port: port ?? 0 };
}

/**
 * Listens for HTTP/2 connections (h2c with prior knowledge, or TLS with ALPN `h2`) and yields a server
 * `H2Session` per connection.
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
  const live = new Set<H2Session>();
  let enqueue: ((s: AcceptedSession) => void) | null = null;
  let closeQueue: (() => void) | null = null;
  const accepted = new ReadableStream<AcceptedSession>({
    start(controller) {
      enqueue = (s) => controller.enqueue(s);
      closeQueue = () => controller.close();
    },
  });
  const sessionOptions: H2SessionOptions = { ...options.session, role: 'server' };
  let accepting = true;
  const onSocket = (socket: Socket): void => {
    // A TLS handshake may finish after close(): that connection is not served.
    if (!accepting) {
      socket.destroy();
      return;
    }
    const session = new H2Session(socketToPair(socket, sessionStreams(options.session)), sessionOptions);
    live.add(session);
    session.closed.catch(() => undefined).finally(() => live.delete(session));
    enqueue?.({ session, remoteAddr: toNetAddr(socket.remoteAddress, socket.remotePort) });
  };
  let server: NetServer;
  if (options.tls !== undefined) {
    // Half-open only once secure: a peer that hangs up mid-handshake must not leave a half-open socket behind.
    const tlsServer = createTlsServer({ cert: options.tls.cert, key: options.tls.key, ALPNProtocols: ['h2'] });
    tlsServer.on('secureConnection', (socket: TLSSocket) => {
      // RFC 9113 §3.2: HTTP/2 over TLS is identified by ALPN "h2"; anything else is not ours to speak.
      if (socket.alpnProtocol !== 'h2') {
        socket.destroy();
        return;
      }
      socket.allowHalfOpen = true;
      onSocket(socket);
    });
    tlsServer.on('tlsClientError', (_error, socket) => socket.destroy());
    server = tlsServer;
  } else {
    server = createNetServer({ allowHalfOpen: true, noDelay: true }, onSocket);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const address = toNetAddr(bound.address, bound.port);
  let closing: Promise<void> | null = null;
  const sessions = (): ReadableStream<H2Session> =>
    accepted.pipeThrough(new TransformStream<AcceptedSession, H2Session>({ transform: (a, c) => c.enqueue(a.session) }));
  return {
    address,
    accepted,
    [Symbol.asyncIterator]: () => sessions()[Symbol.asyncIterator](),
    close(closeOptions?: CloseOptions): Promise<void> {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        accepting = false;
        closeQueue?.();
        // close() settles even if a peer hangs up before answering the graceful close's GOAWAY/PING.
        await Promise.all([...live].map((s) => s.close(closeOptions).catch(() => undefined)));
        await stopped;
      })();
      return closing;
    },
  };
}

/** The pair's streams come from the same implementation as the session's. */
function sessionStreams(options: SessionOptions | undefined): { streams?: StreamConstructors } {
  const streams = options?.streams as StreamConstructors | undefined;
  return streams === undefined ? {} : { streams };
}

/** Options of {@link connectSession} and {@link connect}. */
export interface ConnectOptions {
  /** Extra `tls.connect` options for `https:` URLs (e.g. `ca`, `rejectUnauthorized: false`, `servername`). */
  readonly tls?: Omit<ConnectionOptions, 'host' | 'port' | 'ALPNProtocols' | 'socket'>;
  /** Options for the client session (settings, config, streams implementation). */
  readonly session?: SessionOptions;
  /** Sees every byte both ways (e.g. a frame log); see `tapTransport`. */
  readonly tap?: TapObserver;
  /** Called once connected (TLS: after the handshake), before the session sends its preface. */
  readonly onConnect?: (info: { readonly protocol: 'h2' | 'h2c'; readonly remoteAddr: NetAddr }) => void;
  /** Aborts connecting. */
  readonly signal?: AbortSignal;
}

function openSocket(url: URL, options: ConnectOptions): Promise<Socket> {
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') return Promise.reject(new TypeError(`h2flow: unsupported URL scheme ${url.protocol}`));
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  return new Promise<Socket>((resolve, reject) => {
    const signal = options.signal;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const socket: Socket = secure
      ? tlsConnect({
          ...options.tls,
          host,
          port,
          ALPNProtocols: ['h2'],
          allowHalfOpen: true,
          ...(isIP(host) === 0 ? { servername: options.tls?.servername ?? host } : {}),
        } as ConnectionOptions)
      : netConnect({ host, port, allowHalfOpen: true });
    const onAbort = (): void => {
      socket.destroy();
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      if (secure && (socket as TLSSocket).alpnProtocol !== 'h2') {
        socket.destroy();
        reject(new Error(`h2flow: ${url.host} did not negotiate h2 via ALPN (got ${String((socket as TLSSocket).alpnProtocol)})`));
        return;
      }
      options.onConnect?.({ protocol: secure ? 'h2' : 'h2c', remoteAddr: toNetAddr(socket.remoteAddress, socket.remotePort) });
      resolve(socket);
    });
  });
}

/**
 * Opens an HTTP/2 connection and returns its client session: `http:` URLs speak h2c with prior knowledge
 * over TCP, `https:` URLs TLS with ALPN `h2` (certificates verified unless `tls.rejectUnauthorized` is false).
 */
export async function connectSession(url: string | URL, options: ConnectOptions = {}): Promise<H2Session> {
  const target = new URL(url);
  const socket = await openSocket(target, options);
  let pair: H2Transport = socketToPair(socket, sessionStreams(options.session));
  if (options.tap !== undefined) pair = tapTransport(pair, options.tap, options.session?.streams as StreamConstructors | undefined);
  const session = new H2Session(pair, { ...options.session, role: 'client' });
  session.closed.catch(() => undefined);
  return session;
}

/** Options of {@link connect}: those of {@link connectSession}, plus where pushed responses go. */
export interface ClientConnectOptions extends ConnectOptions {
  /**
   * Receives each pushed stream. Push is off unless `session.settings.enablePush` is true (the client
   * advertises SETTINGS_ENABLE_PUSH 0); with push on and no `onPush`, pushed streams are cancelled as
   * they arrive, so unread pushed bodies cannot hold the connection window (see `H2ClientOptions.onPush`).
   */
  readonly onPush?: (stream: H2Stream) => void;
}

/**
 * A fetch-style client for one origin over one HTTP/2 connection, connecting in the background: the first
 * `fetch` waits for it (and rejects if connecting fails). Server push is disabled unless
 * `session.settings.enablePush` asks for it. Throws a TypeError, before connecting, for a URL that is not
 * http(s) or carries credentials.
 *
 * @example
 * ```ts
 * const client = connect('https://127.0.0.1:8443', { tls: { rejectUnauthorized: false } });
 * const res = await client.fetch('/index.html');
 * console.log(res.status, await res.text());
 * await client.close();
 * ```
 */
export function connect(url: string | URL, options: ClientConnectOptions = {}): H2Client {
  // Checked before connecting: a refused URL must not leave a connection behind.
  const base = checkBaseUrl(new URL(url));
  // RFC 9113 §6.5.2: SETTINGS_ENABLE_PUSH 0 "indicates that the endpoint will not accept server push".
  const settings = { enablePush: false, ...options.session?.settings };
  const session = connectSession(base, { ...options, session: { ...options.session, settings } });
  return new H2Client(session, { baseUrl: base, ...(options.onPush !== undefined ? { onPush: options.onPush } : {}) });
}

/** Options of {@link serve} (the shape of `Deno.serve`'s). */
export interface ServeOptions {
  /** TCP port. Default 8000 (as Deno); 0 picks a free one. */
  readonly port?: number;
  /** Interface to bind. Default `0.0.0.0` (as Deno). */
  readonly hostname?: string;
  /** Serve TLS with ALPN `h2` instead of h2c. */
  readonly tls?: TlsServerOptions;
  /** Aborting it shuts the server down gracefully. */
  readonly signal?: AbortSignal;
  /** Called once listening. Default: logs `Listening on http(s)://host:port/`. */
  readonly onListen?: (addr: NetAddr) => void;
  /** Turns a handler error into a response (default: log it and answer 500). */
  readonly onError?: (error: unknown) => Response | Promise<Response>;
  /** Options for every session. */
  readonly session?: SessionOptions;
}

/** A running {@link serve} server (the shape of Deno's `HttpServer`). */
export interface HttpServer {
  /**
   * Resolves with the bound address once listening (`port: 0` asked for a free one); rejects if the address
   * cannot be bound — left unhandled, that rejection ends the process, as `Deno.serve`'s throw would.
   */
  readonly listening: Promise<NetAddr>;
  /** Resolves when the server has shut down (after `shutdown()` or the signal). */
  readonly finished: Promise<void>;
  /** Stops accepting, lets requests in flight finish (GOAWAY), and resolves when every connection closed. */
  shutdown(): Promise<void>;
}

/**
 * Serves `handler` over HTTP/2, `Deno.serve` style: each request is a global `Request`, each answer a
 * `Response` (streamed; trailers through `withTrailers`). h2c with prior knowledge, or TLS with ALPN
 * when `tls` is given.
 *
 * @example
 * ```ts
 * const server = serve((req) => new Response(`hello from ${new URL(req.url).pathname}`), { port: 8080 });
 * await server.listening;
 * ```
 */
export function serve(handler: FetchHandler, options: ServeOptions = {}): HttpServer {
  let server: H2Server | null = null;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let shuttingDown: Promise<void> | null = null;
  const listening = listen({
    port: options.port ?? 8000,
    host: options.hostname ?? '0.0.0.0',
    ...(options.tls !== undefined ? { tls: options.tls } : {}),
    ...(options.session !== undefined ? { session: options.session } : {}),
  }).then((s) => {
    server = s;
    const scheme = options.tls !== undefined ? 'https' : 'http';
    if (options.onListen !== undefined) options.onListen(s.address);
    else console.log(`Listening on ${scheme}://${s.address.hostname}:${s.address.port}/`);
    void (async () => {
      for await (const { session, remoteAddr } of s.accepted) {
        void serveSession(session, handler, { remoteAddr, ...(options.onError !== undefined ? { onError: options.onError } : {}) });
      }
    })();
    if (options.signal?.aborted) void shutdown();
    return s.address;
  });
  const shutdown = (): Promise<void> => {
    shuttingDown ??= listening
      .then(() => server?.close())
      .catch(() => undefined)
      .finally(() => finish());
    return shuttingDown;
  };
  options.signal?.addEventListener('abort', () => void shutdown(), { once: true });
  return { listening, finished, shutdown };
}
