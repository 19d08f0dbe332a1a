/**
 * `listen()`: accepts HTTP/2 connections over Node's `net` (h2c) and `tls` (ALPN `h2`) and yields a
 * server `H2Session` for each; with `http1`, the same port also answers HTTP/1.1 (sniffed on cleartext,
 * ALPN `http/1.1` over TLS) and takes `Upgrade: h2c`. Layer: transport (Node).
 */
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { H2Session, whenClosed, type H2SessionOptions } from '../streams/session.ts';
import type { CloseOptions } from '../streams/close-lifecycle.ts';
import type { NetAddr } from '../fetch/fetch-server.ts';
import { socketToPair } from './socket-pair.ts';
import { sniffProtocol } from './sniff.ts';
import { Http1Server, type H2cUpgrade, type Http1Options } from './http1.ts';
import { abuseGuardFor, type AbuseOption } from './abuse-guard.ts';
import { RefusalHold } from './refusal-hold.ts';
import { readProxyHeader } from './proxy-header-reader.ts';
import { proxyHeaderTimeoutOf } from './proxy-prefix.ts';
import { peerAddress, peerHost, proxiedAddress, setPeerAddress } from './peer-address.ts';
import { maxConnectionsOf, sessionStreams, type AcceptedSession, type H2Server as SessionServer } from './session-server.ts';
import { AcceptedQueue, acceptedSessions } from './accepted-sessions.ts';

/** PEM certificate chain and private key for a TLS server. */
export interface TlsServerOptions {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

/** Session options a transport passes through (`role` is set by the transport). */
export type SessionOptions = Omit<H2SessionOptions, 'role' | 'upgrade'>;

/** HTTP/1.1 on the HTTP/2 port: how its requests are answered (see {@link ListenOptions.http1}). */
export type ListenHttp1Options = Omit<Http1Options, 'onUpgrade' | 'onPeerError'> & {
  /**
   * Accept `Upgrade: h2c` (RFC 7540 §3.2) on cleartext connections: the upgraded connection is yielded
   * as a session like any other, its stream 1 being the upgrading request. Default true.
   */
  readonly upgrade?: boolean;
};

/** Options of {@link listen}. */
export interface ListenOptions {
  /** TCP port; 0 (the default) picks a free one (read it from `server.address`). */
  readonly port?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  readonly host?: string;
  /** Serve TLS with ALPN (`h2`, plus `http/1.1` with `http1`); h2c without it. */
  readonly tls?: TlsServerOptions;
  /** Options for every server session. */
  readonly session?: SessionOptions;
  /**
   * Also answer HTTP/1.1 on the same port with this fetch handler: on cleartext, a connection whose first
   * bytes are not the HTTP/2 preface goes to Node's HTTP/1.1 server; over TLS, ALPN offers `h2` and
   * `http/1.1`. Off by default here (without it, a connection that is not HTTP/2 is closed); `serve()`
   * turns it on.
   */
  readonly http1?: ListenHttp1Options;
  /**
   * Cleartext with `http1`: how long a new connection may take to send enough bytes to tell HTTP/2 from
   * HTTP/1.1 before it is closed (connections held open empty exhaust file descriptors). Default 10 s.
   */
  readonly sniffTimeout?: number;
  /**
   * TLS: how long a new connection may take to finish its handshake before it is dropped. Stops slow
   * handshakes (a peer that opens TCP and stalls the handshake holds a descriptor; Node's own default is
   * 120 s) and bounds `close()`, which lets handshakes in flight finish and be served. Default 10 s.
   */
  readonly handshakeTimeout?: number;
  /**
   * Refuse addresses whose connections keep ending in connection errors (see {@link AbuseGuard}): an
   * HTTP/2 connection we close with an error GOAWAY, or an HTTP/1.1 one whose peer sent a request
   * Node's parser or we refuse as malformed (see `Http1Options.onPeerError`; timeouts and hang-ups do not
   * count, over either). `true` for the defaults, options, or a guard shared with other listeners. Default off for
   * `listen()` (the raw session API), on for `serve()`.
   */
  readonly abuse?: AbuseOption;
  /**
   * Every connection starts with a PROXY protocol header (HAProxy's, version 1 text or 2 binary; e.g.
   * HAProxy's `send-proxy-v2`): it is read first (before sniffing; on TLS, before the handshake), and the
   * client address it carries becomes the connection's address everywhere (`remoteAddr`, the abuse
   * guard's key, `info.remoteAddr`). A connection without a valid header is closed. Only for a listener
   * every connection reaches through the trusted proxy: anyone connecting directly could claim any
   * address. v2 LOCAL and v1 UNKNOWN (health checks) keep the socket's own address. Default off.
   */
  readonly proxyProtocol?: boolean;
  /**
   * With `proxyProtocol`: how long a new connection may take to send its whole PROXY header before it is
   * closed (stops Slowloris-style peers that open connections and trickle or withhold the header, each
   * holding a descriptor). Default 10 s.
   */
  readonly proxyHeaderTimeout?: number;
  /**
   * Most connections open at once (HTTP/2, HTTP/1.1, and those still handshaking, sniffing or sending
   * their PROXY header); past it a new connection is closed as soon as it is accepted, before anything is
   * read or allocated for it. Stops a connection flood from many addresses (which the per-address abuse
   * guard does not see) from exhausting memory and descriptors: each idle HTTP/2 connection costs
   * 10–25 KiB of RSS plus the kernel's socket buffers. Default 10 000; `Infinity` for no limit. With
   * `serve({ workers })`, each worker has its own.
   */
  readonly maxConnections?: number;
}

export type { AcceptedSession } from './session-server.ts';

/** A listening HTTP/2 server; iterate it (or read `accepted`) for each connection's session. */
export interface H2Server extends SessionServer {
  /** Sessions and HTTP/1.1 connections open now. */
  readonly connections: number;
  /**
   * Stops accepting, closes every session (graceful by default: GOAWAY, streams in flight finish) and
   * every HTTP/1.1 connection (idle ones now, busy ones after their response), and resolves when all are
   * closed. `{ graceful: false }` closes everything at once. Each session's close is bounded by its
   * `timeouts` (`shutdown`, `drain`, `write`).
   */
  close(options?: CloseOptions): Promise<void>;
  /** Lets the process exit while listening (open connections still keep it alive). */
  unref(): void;
}

/** A Node address as a NetAddr. */
export function toNetAddr(address: string | undefined, port: number | undefined): NetAddr {
  return { transport: 'tcp', hostname: address ?? '', port: port ?? 0 };
}

const DEFAULT_SNIFF_TIMEOUT = 10_000;
const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;

/**
 * Listens for HTTP/2 connections (h2c with prior knowledge, or TLS with ALPN `h2`) and yields a server
 * `H2Session` per connection.
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
  /** Open sessions and their sockets (a forced close destroys the socket: a draining session may wait on a peer). */
  const live = new Map<H2Session, Socket>();
  const maxConnections = maxConnectionsOf(options.maxConnections);
  const queue = new AcceptedQueue();
  const accepted = queue.readable;
  const sessionOptions: H2SessionOptions = { ...options.session, role: 'server' };
  let accepting = true;
  /** Set once close() is done: nothing more is served. */
  let closed = false;
  const guard = abuseGuardFor(options.abuse);
  // An address cooling down is closed before anything is read (TLS: before the handshake).
  const hold = guard === null ? null : new RefusalHold(guard.holdRefusedMs, guard.maxHeldConnections);
  const refused = (socket: Socket, holdable: boolean): boolean => {
    if (guard === null || guard.admits(peerHost(socket))) return false;
    if (holdable && hold!.hold(socket, () => socket.destroy())) {
      // Held unread (see RefusalHold): Node reads ahead at most its high-water mark into a paused socket.
      socket.pause();
      socket.on('error', () => undefined);
      socket.once('close', () => hold!.release(socket));
    } else socket.destroy();
    return true;
  };
  const onSessionClosed = (failure: unknown, session: H2Session): void => {
    const socket = live.get(session);
    live.delete(session);
    // The peer's address as at the start: a PROXY header's, or the socket's own, which Node keeps once
    // read (peerAddress read it when the session started), also after the socket closed.
    if (failure !== null && guard !== null && socket !== undefined) guard.noteSessionEnd(peerHost(socket), failure);
  };
  const startSession = (socket: Socket, upgrade?: H2cUpgrade): void => {
    // `accepted` cancelled (a `break` out of the session loop): nobody takes sessions any more.
    if (queue.cancelled) {
      socket.destroy();
      return;
    }
    let session: H2Session;
    try {
      session = new H2Session(socketToPair(socket, sessionStreams(options.session)), upgrade === undefined ? sessionOptions : { ...sessionOptions, upgrade });
    } catch {
      // A session that cannot start (e.g. an upgrade's settings the core refuses) ends this connection only.
      socket.destroy();
      return;
    }
    live.set(session, socket);
    const remoteAddr = peerAddress(socket);
    // One function for every session, no promise: it waits for every connection's whole life.
    whenClosed(session, onSessionClosed);
    queue.push({ session, remoteAddr });
    // Accepted before close() but handshaken (TLS, sniffing) after: served, then closed gracefully at once,
    // so a request the client sent with its preface is still answered (a rolling restart loses none).
    if (!accepting) void session.close().catch(() => undefined);
  };
  const h1Options = options.http1;
  const http1 =
    h1Options === undefined
      ? null
      : new Http1Server({
          ...h1Options,
          ...(h1Options.upgrade !== false ? { onUpgrade: (socket: Socket, upgrade: H2cUpgrade) => startSession(socket, upgrade) } : {}),
          // A connection the peer broke HTTP/1.1 on counts as an HTTP/2 one ended in a connection error:
          // otherwise a flood of malformed requests (smuggling probes, parser fuzzing) costs nothing.
          ...(guard !== null ? { onPeerError: (host: string) => guard.noteAbuse(host) } : {}),
        });
  const sniffTimeout = options.sniffTimeout ?? DEFAULT_SNIFF_TIMEOUT;
  const proxyProtocol = options.proxyProtocol === true;
  const proxyHeaderTimeout = proxyHeaderTimeoutOf(options.proxyHeaderTimeout);
  /**
   * Sockets not yet a session or an HTTP/1.1 connection (sniffing; over TLS every raw socket until it
   * closes, as the TLSSocket a handshake yields is another object): a forced close destroys them.
   */
  const pending = new Set<Socket>();
  // One listener function for every socket, taken off when the socket leaves `pending` (a `once`
  // wrapper per socket would stay for the connection's whole life).
  function onPendingClose(this: Socket): void {
    pending.delete(this);
  }
  const track = (socket: Socket): void => {
    pending.add(socket);
    socket.on('close', onPendingClose);
  };
  const untrack = (socket: Socket): void => {
    if (pending.delete(socket)) socket.removeListener('close', onPendingClose);
  };
  /**
   * Reads the PROXY header (tracked meanwhile, so a forced close destroys it), records the address it
   * carries, asks the abuse guard about that address (a refused client is held or closed as without a
   * proxy), then `next()`; no valid header in time: the socket is closed, as HAProxy's `accept-proxy` does.
   */
  const withProxyHeader = (socket: Socket, next: () => void): void => {
    track(socket);
    void readProxyHeader(socket, proxyHeaderTimeout).then((header) => {
      if (header === null || closed) {
        socket.destroy();
        return;
      }
      if (header.source !== null) setPeerAddress(socket, header.source);
      if (refused(socket, true)) untrack(socket);
      else next();
    });
  };
  const onSocket = (socket: Socket): void => {
    untrack(socket);
    startSession(socket);
  };
  const onCleartext = (socket: Socket): void => {
    if (refused(socket, true)) return;
    track(socket);
    serveCleartext(socket);
  };
  const serveCleartext = (socket: Socket): void => {
    if (http1 === null) {
      onSocket(socket);
      return;
    }
    socket.setNoDelay(true);
    void sniffProtocol(socket, sniffTimeout).then((protocol) => {
      untrack(socket);
      if (protocol === null || closed) socket.destroy();
      else if (protocol === 'h2') startSession(socket);
      else http1.accept(socket);
    });
  };
  let server: NetServer;
  if (options.tls !== undefined) {
    // RFC 9113 §3.2: HTTP/2 over TLS is identified by ALPN "h2"; HTTP/1.1 by "http/1.1" (or no ALPN at all).
    const tlsServer = createTlsServer({
      cert: options.tls.cert,
      key: options.tls.key,
      ALPNProtocols: http1 === null ? ['h2'] : ['h2', 'http/1.1'],
      handshakeTimeout: options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT,
    });
    tlsServer.on('secureConnection', (socket: TLSSocket) => {
      untrack(socket);
      if (proxyProtocol) {
        // The TLSSocket wraps the raw socket the header was read from (Node keeps it as `_parent`).
        const address = proxiedAddress((socket as TLSSocket & { _parent?: object })._parent ?? socket);
        if (address !== undefined) setPeerAddress(socket, address);
      }
      if (socket.alpnProtocol === 'h2') {
        // Half-open only once secure: a peer that hangs up mid-handshake must not leave a half-open socket behind.
        socket.allowHalfOpen = true;
        onSocket(socket);
      } else if (http1 !== null && !closed) http1.accept(socket);
      else socket.destroy();
    });
    tlsServer.on('tlsClientError', (_error, socket) => socket.destroy());
    if (proxyProtocol) {
      // The header comes first on the raw socket: read it there, then hand the socket (the bytes after
      // the header put back) to the TLS server, which does the handshake as if it had accepted it.
      server = createNetServer({ noDelay: true }, (socket) =>
        // Stays in `pending` until it closes, as every raw socket of a TLS listener.
        withProxyHeader(socket, () => tlsServer.emit('connection', socket)),
      );
    } else {
      // Not held: the TLS server starts its handshake on every socket it accepts.
      tlsServer.prependListener('connection', (socket: Socket) => {
        if (!refused(socket, false)) track(socket);
      });
      server = tlsServer;
    }
  } else if (proxyProtocol) {
    server = createNetServer({ allowHalfOpen: true, noDelay: true }, (socket) =>
      withProxyHeader(socket, () => {
        // Left paused by the header reader; sniffing reads with a 'data' listener, which does not resume it.
        socket.resume();
        serveCleartext(socket);
      }),
    );
  } else {
    server = createNetServer({ allowHalfOpen: true, noDelay: true }, onCleartext);
  }
  // Node's own cap: it counts every socket the server accepted until it closes, and closes one past it
  // before emitting 'connection' (so before TLS, sniffing or the PROXY header).
  if (maxConnections !== Infinity) server.maxConnections = maxConnections;
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
  return {
    address,
    accepted,
    get connections() {
      return live.size + (http1?.connections ?? 0);
    },
    [Symbol.asyncIterator]: () => acceptedSessions(accepted),
    close(closeOptions?: CloseOptions): Promise<void> {
      if (closeOptions?.graceful === false) http1?.close(true);
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        accepting = false;
        // Nothing waits on a refused connection (server.close() waits for every socket).
        hold?.closeAll();
        http1?.close(closeOptions?.graceful === false);
        // close() settles even if a peer hangs up before answering the graceful close's GOAWAY/PING.
        await Promise.all([...live.keys()].map((s) => s.close(closeOptions).catch(() => undefined)));
        // Waits for every connection, also those that finished their handshake during the close.
        await stopped;
        closed = true;
        queue.close();
      })();
      if (closeOptions?.graceful === false) {
        for (const socket of pending) socket.destroy();
        for (const [session, socket] of live) {
          void session.close(closeOptions).catch(() => undefined);
          socket.destroy();
        }
      }
      return closing;
    },
    ref: () => void server.ref(),
    unref: () => void server.unref(),
  };
}
