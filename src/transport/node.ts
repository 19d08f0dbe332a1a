/**
 * h2flow/node: HTTP/2 over Node's `net` (h2c with prior knowledge) and `tls` (ALPN `h2`). `listen()` yields
 * server `H2Session`s, `connectSession()`/`connect()` open client ones, and `serve()` is `Deno.serve` for
 * HTTP/2. Layer: transport (Node). Each socket becomes a `{ readable, writable }` pair (socket-pair.ts).
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { H2Session } from '../streams/session.ts';
import type { NetAddr } from '../fetch/fetch-server.ts';
import { H2Client } from '../fetch/fetch-client.ts';
import { socketToPair } from './socket-pair.ts';
import { type TapObserver } from './tap.ts';
import { clientSession, fetchClient } from './client-connect.ts';
import type { H2Stream } from '../streams/stream.ts';
import type { H2HeaderList } from '../streams/types.ts';
import { toNetAddr, type SessionOptions } from './listen.ts';
import { sessionStreams } from './session-server.ts';
import { upgradeSocket } from './h2c-client.ts';

export { socketToPair, SocketClosedError } from './socket-pair.ts';
export type { SocketPairOptions } from './socket-pair.ts';
export { tapTransport } from './tap.ts';
export type { TapObserver } from './tap.ts';
export { H2Client } from '../fetch/fetch-client.ts';
export type { H2ClientOptions, H2RequestInit, ResponseTrailers } from '../fetch/fetch-client.ts';
export { withTrailers } from '../fetch/fetch-server.ts';
export type { FetchHandler, FetchHandlerInfo, NetAddr, RequestTrailers, TrailersExtension } from '../fetch/fetch-server.ts';
export { AbuseGuard, addressKey } from './abuse-guard.ts';
export type { AbuseGuardOptions } from './abuse-guard.ts';
export { listen } from './listen.ts';
export type { AcceptedSession, H2Server, ListenHttp1Options, ListenOptions, SessionOptions, TlsServerOptions } from './listen.ts';
export type { Http1Limits } from './http1.ts';
export { serve } from './serve.ts';
export type { HttpServer, ServeOptions } from './serve.ts';
export type { ServeWorkers } from './workers.ts';

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
  /**
   * `http:` only: start as HTTP/1.1 and switch with `Upgrade: h2c` (RFC 7540 §3.2) instead of sending
   * the HTTP/2 preface at once, for servers that take HTTP/2 no other way. The upgrade rides a `HEAD` of
   * the URL's path; its response arrives on stream 1 (`session.upgradeStream`). Default false.
   */
  readonly upgrade?: boolean;
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
  let socket = await openSocket(target, options);
  let upgrade: { readonly headers: H2HeaderList } | undefined;
  if (options.upgrade === true) {
    if (target.protocol !== 'http:') throw new TypeError('h2flow: the h2c upgrade is for http: URLs (https: negotiates h2 with ALPN)');
    const upgraded = await upgradeSocket(socket, target, options.session ?? {});
    socket = upgraded.socket;
    upgrade = { headers: upgraded.headers };
  }
  return clientSession(socketToPair(socket, sessionStreams(options.session)), options, upgrade);
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
  return fetchClient(url, options, connectSession);
}
