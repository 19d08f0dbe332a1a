/**
 * h2flow/bun: HTTP/2 over `Bun.listen`/`Bun.connect` (h2c with prior knowledge, or TLS with ALPN `h2`), with
 * the same API as h2flow/node: `serve()` (every runtime's argument forms, Bun's `{ fetch }` included),
 * `listen()`, `connectSession()` and `connect().fetch()`. Layer: transport (Bun).
 */
import { H2Session } from '../streams/session.ts';
import type { NetAddr } from '../fetch/fetch-server.ts';
import { H2Client } from '../fetch/fetch-client.ts';
import type { H2Stream } from '../streams/stream.ts';
import { BunSocketPair, bunSocketHandlers, type BunSocket } from './bun-socket.ts';
import { normaliseServeArgs, pemText, type HttpServer, type ServeArgs, type SessionOptions, type TlsCertKey } from './serve-args.ts';
import { maxConnectionsOf, serveWith, sessionServer, sessionStreams, type ConnectionCap, type H2Server } from './session-server.ts';
import { abuseGuardFor, type AbuseOption } from './abuse-guard.ts';
import { ProxyPrefix, proxyHeaderTimeoutOf, type ProxyProtocolOptions } from './proxy-prefix.ts';
import { type TapObserver } from './tap.ts';
import { clientSession, fetchClient } from './client-connect.ts';

export { BunSocketPair, bunSocketHandlers, bunSocketPair } from './bun-socket.ts';
export type { BunSocket, BunSocketPairOptions } from './bun-socket.ts';
export { SocketClosedError } from './socket-closed-error.ts';
export { bunWebSocket } from './bun-websocket.ts';
export type { BunServerWebSocket, BunWebSocketHandlers } from './bun-websocket.ts';
export { tapTransport } from './tap.ts';
export type { TapObserver } from './tap.ts';
export { H2Client } from '../fetch/fetch-client.ts';
export type { H2ClientOptions, H2RequestInit, ResponseTrailers } from '../fetch/fetch-client.ts';
export { withTrailers } from '../fetch/fetch-server.ts';
export type { FetchHandler, FetchHandlerInfo, NetAddr, RequestTrailers, TrailersExtension } from '../fetch/fetch-server.ts';
export type { HttpServer, ServeArgs, ServeInit, ServeOptions, SessionOptions, TlsCertKey } from './serve-args.ts';
export { AbuseGuard, addressKey } from './abuse-guard.ts';
export type { AbuseGuardOptions, AbuseOption } from './abuse-guard.ts';
export type { AcceptedSession, H2Server } from './session-server.ts';

interface BunHandlers {
  open?(socket: BunSocket): void;
  handshake?(socket: BunSocket, success: boolean, authorizationError: Error | null): void;
  data(socket: BunSocket, bytes: Uint8Array): void;
  drain(socket: BunSocket): void;
  end(socket: BunSocket): void;
  close(socket: BunSocket, error?: unknown): void;
  error(socket: BunSocket, error: unknown): void;
  connectError?(socket: BunSocket, error: unknown): void;
}

/** Bun wants ALPN in wire format (length-prefixed); an array throws. RFC 7301 §3.1. */
const ALPN_H2 = '\x02h2';

interface BunTlsOptions {
  cert?: string;
  key?: string;
  ca?: string | string[];
  serverName?: string;
  rejectUnauthorized?: boolean;
  ALPNProtocols: string;
}

interface BunListener {
  readonly port: number;
  readonly hostname: string;
  stop(closeActiveConnections?: boolean): void;
  ref(): void;
  unref(): void;
}

/** The part of the `Bun` namespace h2flow uses. */
interface BunApi {
  listen(options: { hostname: string; port: number; allowHalfOpen: boolean; tls?: BunTlsOptions; socket: BunHandlers }): BunListener;
  connect(options: { hostname: string; port: number; allowHalfOpen: boolean; tls?: BunTlsOptions; socket: BunHandlers }): Promise<BunSocket>;
}

function bun(): BunApi {
  const api = (globalThis as { Bun?: BunApi }).Bun;
  if (api === undefined) throw new Error('h2flow/bun: the Bun global is missing (use h2flow/node or h2flow/deno on other runtimes)');
  return api;
}

/** Options of {@link listen}; `proxyProtocol` (cleartext only) and `proxyHeaderTimeout`: see `ProxyProtocolOptions`. */
export interface ListenOptions extends ConnectionCap, ProxyProtocolOptions {
  /** TCP port; 0 (the default) picks a free one (read it from `server.address`). */
  readonly port?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  readonly host?: string;
  /** Serve TLS with ALPN `h2` (connections that do not negotiate `h2` are closed); h2c without it. */
  readonly tls?: TlsCertKey;
  /** Options for every server session. */
  readonly session?: SessionOptions;
  /**
   * Refuse addresses whose connections keep ending in connection errors (see `AbuseGuard`). Default off for
   * `listen()` (the raw session API), on for `serve()`.
   */
  readonly abuse?: AbuseOption;
  /**
   * TLS: how long a new connection may take to finish its handshake before it is dropped (default 10 s).
   * Stops slow handshakes: a peer that opens TCP and stalls the handshake would hold a descriptor for good.
   */
  readonly handshakeTimeout?: number;
}

const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;

const toNetAddr = (hostname: string, port: number | undefined): NetAddr => ({ transport: 'tcp', hostname, port: port ?? 0 });

function pairOf(socket: BunSocket, session: SessionOptions | undefined): BunSocketPair {
  return new BunSocketPair(socket, sessionStreams(session));
}

/** A connection still sending its PROXY header: what it sent so far, and its deadline. */
interface HeaderRead {
  readonly prefix: ProxyPrefix;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** Binds at once (`Bun.listen` is synchronous); throws if the address cannot be bound. */
function listenNow(options: ListenOptions): H2Server {
  const secure = options.tls !== undefined;
  const proxyProtocol = options.proxyProtocol === true;
  // Bun's TLS listener starts each handshake itself as it accepts: no byte can be read before it.
  if (proxyProtocol && secure) throw new TypeError("h2flow/bun: proxyProtocol over Bun.listen is cleartext only (Bun's TLS handshake starts before a PROXY header can be read); terminate TLS at the proxy and let it speak h2c to this listener");
  const proxyHeaderMs = proxyHeaderTimeoutOf(options.proxyHeaderTimeout);
  /** Connections still sending their PROXY header (their pair is made once it is read). */
  const headers = new Map<BunSocket, HeaderRead>();
  const dropHeader = (socket: BunSocket): boolean => {
    const read = headers.get(socket);
    if (read === undefined) return false;
    clearTimeout(read.timer);
    headers.delete(socket);
    return true;
  };
  /**
   * The next bytes of a connection still sending its PROXY header: once whole, the connection is served as
   * from the client it names (the abuse guard asks about that address), and the bytes after the header
   * are its first input; bytes that cannot be a header close it, as HAProxy's `accept-proxy` does.
   */
  const onHeaderBytes = (socket: BunSocket, bytes: Uint8Array): void => {
    const read = headers.get(socket);
    if (read === undefined) return;
    const decided = read.prefix.push(bytes);
    if (decided === undefined) return;
    dropHeader(socket);
    if (decided === null) {
      socket.terminate();
      return;
    }
    // v2 LOCAL, v1 UNKNOWN (health checks): the connection's own address.
    const remoteAddr = decided.header.source ?? toNetAddr(socket.remoteAddress, socket.remotePort);
    if (!admits(remoteAddr.hostname)) {
      socket.terminate();
      return;
    }
    const pair = pairOf(socket, options.session);
    admit(socket, remoteAddr);
    if (decided.rest.byteLength > 0) pair.onData(decided.rest);
  };
  let admit: (socket: BunSocket, remoteAddr?: NetAddr) => void = () => undefined;
  let admits: (address: string) => boolean = () => true;
  let full: (pending: number) => boolean = () => false;
  const maxConnections = maxConnectionsOf(options.maxConnections);
  // TLS: each connection's handshake deadline, until its handshake or close.
  const handshakeMs = options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
  const deadlines = new Map<BunSocket, ReturnType<typeof setTimeout>>();
  const clearDeadline = (socket: BunSocket): void => {
    const timer = deadlines.get(socket);
    if (timer === undefined) return;
    clearTimeout(timer);
    deadlines.delete(socket);
  };
  const listener = bun().listen({
    hostname: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    // Our FIN must not close the peer's direction: the session reads to the end after its GOAWAY.
    allowHalfOpen: true,
    ...(secure ? { tls: { cert: pemText(options.tls!.cert), key: pemText(options.tls!.key), ALPNProtocols: ALPN_H2 } } : {}),
    socket: {
      ...bunSocketHandlers,
      ...(proxyProtocol
        ? {
            // Until the header is read a socket has no pair: its bytes and its end go to the header reader.
            data(socket: BunSocket, bytes: Uint8Array) {
              const pair = socket.data;
              if (pair !== undefined) pair.onData(bytes);
              else onHeaderBytes(socket, bytes);
            },
            end(socket: BunSocket) {
              const pair = socket.data;
              if (pair !== undefined) pair.onEnd();
              else if (dropHeader(socket)) socket.terminate();
            },
          }
        : {}),
      open(socket) {
        // Past maxConnections (TLS handshakes and PROXY headers in progress counted): closed before
        // anything is read.
        if (full(deadlines.size + headers.size)) {
          socket.terminate();
          return;
        }
        if (proxyProtocol) {
          // The abuse guard is asked once the header names the client (the proxy itself is never refused).
          headers.set(socket, { prefix: new ProxyPrefix(), timer: setTimeout(() => dropHeader(socket) && socket.terminate(), proxyHeaderMs) });
          return;
        }
        // An address cooling down (AbuseGuard) is closed before anything is read (TLS: before the handshake).
        if (!admits(socket.remoteAddress)) {
          socket.terminate();
          return;
        }
        pairOf(socket, options.session);
        if (!secure) admit(socket);
        else deadlines.set(socket, setTimeout(() => (deadlines.delete(socket), socket.terminate()), handshakeMs));
      },
      handshake(socket, success) {
        clearDeadline(socket);
        // RFC 9113 §3.2: HTTP/2 over TLS is identified by ALPN "h2"; anything else is not ours to speak.
        if (success && socket.alpnProtocol === 'h2') admit(socket);
        else socket.terminate();
      },
      close(socket, error) {
        clearDeadline(socket);
        dropHeader(socket);
        bunSocketHandlers.close(socket, error);
      },
    },
  });
  const made = sessionServer(
    {
      address: toNetAddr(listener.hostname, listener.port),
      stop: () => {
        listener.stop(false);
        // Connections that have not sent their PROXY header yet are closed: they have no session to drain.
        for (const socket of [...headers.keys()]) if (dropHeader(socket)) socket.terminate();
      },
      ref: () => listener.ref(),
      unref: () => listener.unref(),
    },
    options.session,
    abuseGuardFor(options.abuse),
    maxConnections,
  );
  admits = made.admits;
  full = made.full;
  admit = (socket, remoteAddr) => {
    const pair = socket.data;
    if (pair !== undefined) made.accept(pair, remoteAddr ?? toNetAddr(socket.remoteAddress, socket.remotePort));
  };
  return made.server;
}

/**
 * Listens for HTTP/2 connections (h2c with prior knowledge, or TLS with ALPN `h2`) and yields a server
 * `H2Session` per connection; the same API as h2flow/node's `listen`.
 */
export async function listen(options: ListenOptions = {}): Promise<H2Server> {
  return listenNow(options);
}

/**
 * Serves `handler` over HTTP/2. Takes Bun's form `serve({ fetch, port, tls })` as well as Deno's and
 * h2flow's (see serve-args.ts); the handler's second argument is h2flow's `info` (peer address, stream),
 * not Bun's `Server`. Binds at once: `server.port`/`server.url` are readable on return. HTTP/2 only: this
 * build imports no `node:` module, so `Bun.listen` cannot hand HTTP/1.1 connections to `node:http`; for
 * HTTP/1.1 on the same port in Bun, use h2flow/node's `serve()` (it runs over Bun's `node:net`).
 *
 * @example
 * ```ts
 * const server = serve({ port: 8443, tls: { cert, key }, fetch: (req) => new Response('hi') });
 * console.log(server.url.href);
 * ```
 */
export function serve(...args: ServeArgs): HttpServer {
  const { handler, options } = normaliseServeArgs(args);
  if (options.http1 === true) throw new TypeError("h2flow/bun: serve() over Bun.listen speaks HTTP/2 only; h2flow/node's serve() runs in Bun with HTTP/1.1 on the same port");
  return serveWith(({ http1: _h, ...o }) => listenNow(o), handler, options);
}

/** Options of {@link connectSession} and {@link connect}. */
export interface ConnectOptions {
  /** For `https:` URLs: extra trusted roots (`ca`, PEM), `serverName`, or `rejectUnauthorized: false`. */
  readonly tls?: { readonly ca?: string | string[]; readonly serverName?: string; readonly rejectUnauthorized?: boolean };
  /** Options for the client session (settings, config, streams implementation). */
  readonly session?: SessionOptions;
  /** Sees every byte both ways (e.g. a frame log); see `tapTransport`. */
  readonly tap?: TapObserver;
  /** Called once connected (TLS: after the handshake), before the session sends its preface. */
  readonly onConnect?: (info: { readonly protocol: 'h2' | 'h2c'; readonly remoteAddr: NetAddr }) => void;
  /** Aborts connecting. */
  readonly signal?: AbortSignal;
}

function openSocket(url: URL, options: ConnectOptions): Promise<BunSocketPair> {
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') return Promise.reject(new TypeError(`h2flow: unsupported URL scheme ${url.protocol}`));
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  const signal = options.signal;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<BunSocketPair>((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    let opened: BunSocket | null = null;
    const onAbort = (): void => settle(() => (opened?.terminate(), reject(signal?.reason)));
    signal?.addEventListener('abort', onAbort, { once: true });
    const ready = (socket: BunSocket): void =>
      settle(() => {
        options.onConnect?.({ protocol: secure ? 'h2' : 'h2c', remoteAddr: toNetAddr(socket.remoteAddress, socket.remotePort) });
        resolve(socket.data!);
      });
    const tls = options.tls;
    bun()
      .connect({
        hostname,
        port,
        allowHalfOpen: true,
        ...(secure
          ? {
              tls: {
                ALPNProtocols: ALPN_H2,
                serverName: tls?.serverName ?? hostname,
                ...(tls?.ca !== undefined ? { ca: tls.ca } : {}),
                ...(tls?.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
              },
            }
          : {}),
        socket: {
          ...bunSocketHandlers,
          open(socket) {
            opened = socket;
            pairOf(socket, options.session);
            if (!secure) ready(socket);
          },
          handshake(socket, success, authorizationError) {
            if (!success || authorizationError !== null) {
              socket.terminate();
              settle(() => reject(authorizationError ?? new Error(`h2flow: TLS handshake with ${url.host} failed`)));
            } else if (socket.alpnProtocol !== 'h2') {
              socket.terminate();
              settle(() => reject(new Error(`h2flow: ${url.host} did not negotiate h2 via ALPN (got ${String(socket.alpnProtocol)})`)));
            } else {
              ready(socket);
            }
          },
          connectError: (_socket, error) => settle(() => reject(error)),
        },
      })
      .catch((error: unknown) => settle(() => reject(error)));
  });
}

/**
 * Opens an HTTP/2 connection and returns its client session: `http:` URLs speak h2c with prior knowledge,
 * `https:` URLs TLS with ALPN `h2` (certificates verified unless `tls.rejectUnauthorized` is false).
 */
export async function connectSession(url: string | URL, options: ConnectOptions = {}): Promise<H2Session> {
  return clientSession(await openSocket(new URL(url), options), options);
}

/** Options of {@link connect}: those of {@link connectSession}, plus where pushed responses go. */
export interface ClientConnectOptions extends ConnectOptions {
  /** Receives each pushed stream (push is off unless `session.settings.enablePush` is true). */
  readonly onPush?: (stream: H2Stream) => void;
}

/**
 * A fetch-style client for one origin over one HTTP/2 connection, connecting in the background (the first
 * `fetch` waits for it). Server push is disabled unless `session.settings.enablePush` asks for it.
 */
export function connect(url: string | URL, options: ClientConnectOptions = {}): H2Client {
  return fetchClient(url, options, connectSession);
}
