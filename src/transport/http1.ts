/**
 * HTTP/1.1 next to HTTP/2 on the same port: Node's own HTTP/1.1 server (`node:http`, never listening
 * itself: the transport hands it the sockets that are not HTTP/2) answers each request with the same
 * fetch handler as the HTTP/2 side, and turns `Upgrade: h2c` requests (RFC 7540 §3.2) into HTTP/2
 * connections. Layer: transport (Node).
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { completionOf, fetchRequestUrl, type FetchHandler, type FetchHandlerInfo, type NetAddr } from '../fetch/fetch-server.ts';
import type { Outcome } from '../streams/outcome.ts';
import type { H2HeaderList } from '../streams/types.ts';
import { readRequestTarget, type RequestTarget } from '../fetch/request-target.ts';
import { serverRequest, type RequestBodySourceStream, type RequestExchange, type ServerRequestParts } from '../fetch/server-request.ts';
import { upgradeRequestHeaders, validSettingsHeader } from './h2c-upgrade.ts';
import { writeResponse } from './http1-response.ts';
import { peerAddress, peerHost } from './peer-address.ts';

/** An `Upgrade: h2c` request accepted: the 101 is written, the socket is HTTP/2 from its next byte on. */
export interface H2cUpgrade {
  /** The HTTP2-Settings header (base64url SETTINGS payload) for `initiateUpgradeConnection`. */
  readonly settingsHeader: string;
  /** The upgrading request as an HTTP/2 header list: the server answers it as stream 1. */
  readonly headers: H2HeaderList;
}

/** The HTTP/1.1 side's limits, as `serve({ http1: { … } })` takes them (see {@link Http1Options}). */
export type Http1Limits = Pick<Http1Options, 'maxHeaderSize' | 'headersTimeout' | 'requestTimeout' | 'maxPipelinedRequests' | 'writeTimeout' | 'keepAliveTimeout'>;

/** Options of {@link Http1Server}. */
export interface Http1Options {
  readonly handler: FetchHandler;
  /** Turns a handler failure into a response (default: log it and answer 500). */
  readonly onError?: ((error: unknown) => Response | Promise<Response>) | undefined;
  /**
   * Takes a cleartext connection upgraded to HTTP/2 (`Upgrade: h2c`); without it, upgrade requests are
   * answered over HTTP/1.1 (RFC 9110 §7.8: a server may ignore Upgrade).
   */
  readonly onUpgrade?: ((socket: Socket, upgrade: H2cUpgrade) => void) | undefined;
  /**
   * Most header bytes Node's parser accepts in one request (431 beyond; Node's default 16 KiB): the
   * HTTP/1.1 counterpart of `maxHeaderListSize`, against oversized-header memory exhaustion.
   */
  readonly maxHeaderSize?: number | undefined;
  /**
   * Most ms a request's header block may take to arrive, from its first byte (408 and close beyond;
   * default 60 000, Node's). Stops slowloris: a client that trickles a header block (or sends one byte
   * after the sniffer handed the connection over) and holds a descriptor forever.
   */
  readonly headersTimeout?: number | undefined;
  /**
   * Most ms a whole request (header block and body) may take to arrive (408 and close beyond; default
   * 300 000, Node's; 0: none). Stops a client that sends headers, then stalls or trickles the body,
   * holding the connection and the handler waiting on it.
   */
  readonly requestTimeout?: number | undefined;
  /**
   * Most pipelined requests of one connection handed to the handler at once (default 8); the rest wait,
   * parsed, and the connection is not read meanwhile. Stops a client that pipelines thousands of requests
   * in a few packets from running as many handlers at once (HTTP/2's MAX_CONCURRENT_STREAMS, for HTTP/1.1).
   * While requests wait, a hang-up is noticed once a response in flight is written (as with nginx).
   */
  readonly maxPipelinedRequests?: number | undefined;
  /**
   * Most ms a response's bytes may wait on a client that accepts none of them (0: no limit; default
   * 30 000, as HTTP/2's `timeouts.write`); the connection is closed then. Stops a slow-read client that
   * asks for a large response and never reads it from holding the connection, the handler and its
   * buffers forever (Node's HTTP/1.1 server has no such deadline).
   */
  readonly writeTimeout?: number | undefined;
  /**
   * Most ms a keep-alive connection may sit idle between requests before it is closed (Node's
   * `keepAliveTimeout`; default 5 000, Node's; 0: no limit). Bounds the descriptors idle clients hold;
   * behind a proxy that reuses connections, set it above the proxy's own idle timeout so the server never
   * closes a connection the proxy is about to reuse.
   */
  readonly keepAliveTimeout?: number | undefined;
  /**
   * Called once, when it closes, for a connection whose peer broke HTTP/1.1: a request Node's parser
   * refused (400 for malformed syntax or framing such as a Content-Length next to a Transfer-Encoding —
   * request smuggling; not 431 for an oversized header block, which honest clients send) or one refused here as malformed (a missing,
   * repeated or invalid Host, a target no URL can carry: 400, and the connection is closed). Each ends
   * the connection because of the peer, as a GOAWAY with an error does over HTTP/2 (where a malformed
   * field is a connection error too, and repeated refused requests exhaust the reset budget). Not for a
   * client that times out or hangs up, even mid-request, nor for bytes after `connection: close` (RFC
   * 9112 §9.6: not processed): HTTP/2's abuse guard counts neither a deadline nor a hang-up. `host` is
   * the peer's address (a PROXY header's, if any) as it was when the connection was handed over.
   * `listen()` counts these connections in its abuse guard: without it, an attacker reconnects and
   * floods malformed requests (smuggling probes, parser fuzzing) at no cost.
   */
  readonly onPeerError?: ((host: string) => void) | undefined;
}

/**
 * Node's parser errors that are not the peer breaking HTTP/1.1: it hung up mid-message (an aborted
 * upload), sent bytes after `connection: close` (RFC 9112 §9.6: ignored), or our own callbacks failed.
 * Nor a header block past `maxHeaderSize` (431): a conforming client sends one (a browser whose cookies
 * grew too large does, on every request), the read stopped at the limit, and over HTTP/2 the same
 * request only refuses its stream; counted, it would get the browser's address (a whole NAT) refused.
 * Every other `HPE_` code is bytes no conforming client sends.
 */
const NOT_PEER_ERRORS = new Set(['HPE_INVALID_EOF_STATE', 'HPE_CLOSED_CONNECTION', 'HPE_HEADER_OVERFLOW', 'HPE_INTERNAL', 'HPE_USER', 'HPE_PAUSED', 'HPE_PAUSED_UPGRADE']);

/**
 * Whether a socket destroyed with `error` was closed by Node's parser because of what its peer sent. Not
 * a TLS ClientHello (a handshake record, 0x16 0x03, where a method should be: `https://` typed for this
 * cleartext port, a health check set up for TLS): a conforming client on the wrong port, which costs us
 * no more than a hang-up, and which over HTTP/2's sniffing would not count either.
 */
function isHttp1PeerError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('HPE_') || code.startsWith('HPE_CB_') || NOT_PEER_ERRORS.has(code)) return false;
  const raw = (error as { rawPacket?: unknown }).rawPacket;
  return !(code === 'HPE_INVALID_METHOD' && raw instanceof Uint8Array && raw[0] === 0x16 && raw[1] === 0x03);
}

/** Per-socket count of responses not yet finished (an upgrade waits for them: responses stay in order). */
interface SocketState {
  active: number;
  idle: Array<() => void>;
  /** Requests parsed but not yet handed to the handler (more than `maxPipelinedRequests` in flight). */
  waiting: Array<readonly [IncomingMessage, ServerResponse]>;
  /** Reading is paused because requests wait. */
  held: boolean;
  /** The guard against Node resuming a held socket is installed. */
  guarded: boolean;
  /** A request was refused as malformed (the connection closes after its 400). */
  malformed: boolean;
  /** The peer's host, read when handed over (a closed socket no longer knows it); null without `onPeerError`. */
  peer: string | null;
}

const NO_BODY_METHODS = new Set(['GET', 'HEAD']);
const DEFAULT_HEADERS_TIMEOUT = 60_000;
const DEFAULT_REQUEST_TIMEOUT = 300_000;
const DEFAULT_MAX_PIPELINED = 8;
const DEFAULT_WRITE_TIMEOUT = 30_000;

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number of ms, not ${String(value)}`);
  return value;
}

/** The HTTP/1.1 side of a server: feed it sockets with {@link Http1Server.accept}. */
export class Http1Server {
  readonly #server: HttpServer;
  readonly #options: Http1Options;
  readonly #sockets = new Map<Socket, SocketState>();
  readonly #maxPipelined: number;
  #closing = false;
  /** Node's connection checker (headersTimeout, requestTimeout) is running. */
  #checkerOn = false;
  /** A request of `socket` was refused as malformed: its 400 closes the connection, which counts as the peer's error. */
  readonly #onMalformed = (socket: Socket): void => {
    const state = this.#sockets.get(socket);
    if (state !== undefined) state.malformed = true;
  };

  constructor(options: Http1Options) {
    this.#options = options;
    this.#maxPipelined = options.maxPipelinedRequests ?? DEFAULT_MAX_PIPELINED;
    if (!Number.isSafeInteger(this.#maxPipelined) || this.#maxPipelined < 1) throw new RangeError(`maxPipelinedRequests must be a positive integer, not ${String(options.maxPipelinedRequests)}`);
    const requestTimeout = options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT;
    // Node refuses a headersTimeout longer than a (nonzero) requestTimeout.
    const headersTimeout = options.headersTimeout ?? (requestTimeout > 0 ? Math.min(DEFAULT_HEADERS_TIMEOUT, requestTimeout) : DEFAULT_HEADERS_TIMEOUT);
    this.#server = createHttpServer(
      {
        ...(options.maxHeaderSize !== undefined ? { maxHeaderSize: options.maxHeaderSize } : {}),
        headersTimeout,
        requestTimeout,
        // A missing Host is refused here (requestTarget), so that its 400 counts as the peer's error too.
        requireHostHeader: false,
        // Node checks both deadlines on this period (its default: 30 s for its 60 s headersTimeout).
        connectionsCheckingInterval: Math.max(10, Math.min(30_000, Math.ceil(Math.min(headersTimeout, requestTimeout || headersTimeout) / 2))),
      },
      (req, res) => this.#onRequest(req, res),
    );
    // Node enforces headersTimeout and requestTimeout only for a server that emitted 'listening' (it starts
    // its connection checker then); this one never listens itself, so it is started here — without it a
    // client that stalls mid-request holds its connection forever. keepAliveTimeout needs nothing.
    this.#checking(true);
    if (options.keepAliveTimeout !== undefined) this.#server.keepAliveTimeout = nonNegative('keepAliveTimeout', options.keepAliveTimeout);
    this.#server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.#onUpgrade(req, socket, head));
    // Without a listener Node drops a CONNECT's connection unanswered; over HTTP/2 it gets 501 (no Request can carry it).
    this.#server.on('connect', (_req: IncomingMessage, socket: Socket) => this.#afterResponses(socket, () => {
      socket.write('HTTP/1.1 501 Not Implemented\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      // Closed once written: the bytes after a CONNECT are a tunnel's, never read.
      socket.destroySoon();
    }));
    // Malformed requests: Node's own answer (400, 431 for oversized headers, 408 on a timeout), then close.
  }

  /** HTTP/1.x connections open now. */
  get connections(): number {
    return this.#sockets.size;
  }

  /** Serves `socket` (any bytes already read must have been put back with `unshift`). */
  accept(socket: Socket): void {
    // During a graceful close, a connection accepted earlier still gets its request answered (then closes).
    if (!this.#sockets.has(socket)) {
      this.#sockets.set(socket, { active: 0, idle: [], waiting: [], held: false, guarded: false, malformed: false, peer: this.#options.onPeerError === undefined ? null : peerHost(socket) });
      socket.once('close', () => this.#forget(socket));
    }
    // Handed over during a graceful close: its request still has the deadlines.
    this.#checking(true);
    this.#server.emit('connection', socket);
    // Bytes put back while paused (the sniffer's) flow to Node's parser before any newer read.
    socket.resume();
  }

  /**
   * Graceful shutdown: idle connections close now, busy ones right after their response in flight
   * (`connection: close` on responses not yet started), and connections handed over later answer one
   * request and close. `force` closes all of them now.
   */
  close(force = false): void {
    this.#closing = true;
    for (const [socket, state] of this.#sockets) {
      if (force || state.active === 0) socket.destroy();
    }
    if (this.#sockets.size === 0) this.#checking(false);
  }

  /** Starts or stops Node's connection checker (an unref'd interval): it runs while it has anything to check. */
  #checking(on: boolean): void {
    if (on === this.#checkerOn) return;
    this.#checkerOn = on;
    // 'listening' starts it (Node's setupConnectionsTracking); close() stops it. The server never listens.
    if (on) this.#server.emit('listening');
    else this.#server.close();
  }

  #forget(socket: Socket): void {
    const state = this.#sockets.get(socket);
    // An upgraded socket is no longer here: its HTTP/2 session reports its own end.
    if (state !== undefined && state.peer !== null && (state.malformed || isHttp1PeerError(socket.errored))) this.#options.onPeerError!(state.peer);
    this.#sockets.delete(socket);
    if (this.#closing && this.#sockets.size === 0) this.#checking(false);
  }

  #state(socket: Socket): SocketState {
    let state = this.#sockets.get(socket);
    if (state === undefined) {
      state = { active: 0, idle: [], waiting: [], held: false, guarded: false, malformed: false, peer: null };
      this.#sockets.set(socket, state);
    }
    return state;
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket;
    const state = this.#state(socket);
    state.active++;
    let done = false;
    const settle = (): void => {
      if (done) return;
      done = true;
      state.active--;
      const next = state.waiting.shift();
      if (next !== undefined) this.#dispatch(next[0], next[1]);
      if (state.held && state.waiting.length === 0) {
        // Every parsed request is being handled: read the connection again.
        state.held = false;
        socket.resume();
      }
      if (state.active === 0) {
        for (const f of state.idle.splice(0)) f();
        if (this.#closing) socket.destroySoon();
      }
    };
    res.once('finish', settle);
    res.once('close', settle);
    if (state.active - state.waiting.length > this.#maxPipelined) {
      // Pipelined past the limit: parsed already (Node parses a whole read at once), handled later, and the
      // connection is not read until the handler catches up. Not through Node's own `_paused` flag: Node
      // then pauses its parser too, and bytes a TLS socket still delivers would fail as a parse error.
      state.waiting.push([req, res]);
      if (!state.held) {
        state.held = true;
        socket.pause();
        if (!state.guarded) {
          state.guarded = true;
          // Node resumes the socket when its writes drain or a body is read: not while requests wait here.
          socket.on('resume', () => {
            if (state.held) socket.pause();
          });
        }
      }
      return;
    }
    this.#dispatch(req, res);
  }

  #dispatch(req: IncomingMessage, res: ServerResponse): void {
    if (this.#closing) res.shouldKeepAlive = false;
    void respond(req, res, this.#options, this.#onMalformed);
  }

  #onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const go = (): void => {
      const onUpgrade = this.#options.onUpgrade;
      const upgrade = onUpgrade === undefined || this.#closing ? null : h2cUpgradeOf(req, socket);
      if (upgrade === null || onUpgrade === undefined) {
        this.#reinject(req, socket, head);
        return;
      }
      // RFC 7540 §3.2: "101 (Switching Protocols) ... Upgrade: h2c"; HTTP/2 frames follow at once.
      socket.write('HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: h2c\r\n\r\n');
      if (head.length > 0) socket.unshift(head);
      this.#sockets.delete(socket);
      onUpgrade(socket, upgrade);
    };
    // Responses on this connection still being written go first: their bytes must precede the 101.
    this.#afterResponses(socket, go);
  }

  /** Runs `f` once every response of `socket` in flight is written (at once if none is). */
  #afterResponses(socket: Socket, f: () => void): void {
    const state = this.#state(socket);
    if (state.active === 0) f();
    else state.idle.push(f);
  }

  /**
   * Serves an upgrade request we do not take (websocket, h2c over TLS or with a body) as a plain
   * HTTP/1.1 request: Node's parser stopped at its header block, so the block is written back without the
   * `upgrade` field, ahead of the unread bytes, and parsed again as an ordinary request.
   */
  #reinject(req: IncomingMessage, socket: Socket, head: Buffer): void {
    let text = `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}\r\n`;
    const raw = req.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (raw[i]!.toLowerCase() === 'upgrade') continue;
      text += `${raw[i]}: ${raw[i + 1]}\r\n`;
    }
    const block = Buffer.from(`${text}\r\n`, 'latin1');
    socket.unshift(head.length > 0 ? Buffer.concat([block, head]) : block);
    this.#server.emit('connection', socket);
    socket.resume();
  }
}

/** The accepted h2c upgrade of `req`, or null if it is not one we may take (RFC 7540 §3.2, §3.2.1). */
function h2cUpgradeOf(req: IncomingMessage, socket: Socket): H2cUpgrade | null {
  // "h2c" is the cleartext protocol; over TLS HTTP/2 is negotiated with ALPN only (RFC 7540 §3.3).
  if ((socket as Socket & { encrypted?: boolean }).encrypted === true) return null;
  if (!tokens(req.headers.upgrade).includes('h2c')) return null;
  // "A server MUST NOT upgrade the connection to HTTP/2 if this header field is not present or if more than one is present."
  let settings: string | null = null;
  let count = 0;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'http2-settings') {
      count++;
      settings = raw[i + 1]!;
    }
  }
  if (count !== 1 || settings === null || !validSettingsHeader(settings)) return null;
  // §3.2.1: "a client sending the HTTP2-Settings header field MUST also send HTTP2-Settings as a connection option".
  if (!tokens(req.headers.connection).includes('http2-settings')) return null;
  // A request body would have to be read as HTTP/1.1 before the switch; such requests stay HTTP/1.1.
  if (req.headers['transfer-encoding'] !== undefined) return null;
  const length = req.headers['content-length'];
  if (length !== undefined && length !== '0') return null;
  const headers = upgradeRequestHeaders(req.method ?? 'GET', req.url ?? '/', req.rawHeaders);
  return headers === null ? null : { settingsHeader: settings, headers };
}

function tokens(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value.join(',') : value).split(',').map((t) => t.trim().toLowerCase());
}

function defaultOnError(error: unknown): Response {
  console.error('h2flow: handler failed:', error);
  return new Response('Internal Server Error', { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/** The pull-based source of an HTTP/1.1 request body: Node's stream is paused while nobody reads. */
class IncomingBody {
  readonly #req: IncomingMessage;
  #controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  #ended = false;

  constructor(req: IncomingMessage) {
    this.#req = req;
  }

  start(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.#controller = controller;
    const req = this.#req;
    req.pause();
    req.on('data', (chunk: Buffer) => {
      if (this.#ended) return;
      controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      if ((controller.desiredSize ?? 0) <= 0) req.pause();
    });
    req.once('end', () => {
      if (this.#ended) return;
      this.#ended = true;
      controller.close();
    });
    req.once('close', () => {
      if (this.#ended) return;
      this.#ended = true;
      controller.error(new Error('h2flow: the client closed the connection before the request body ended'));
    });
  }

  pull(): void {
    this.#req.resume();
  }

  cancel(): void {
    this.discard();
  }

  /**
   * Drops the rest of the body (cancelled, or unread when the response is complete): HTTP/1.1 cannot
   * refuse it without closing, so it is read and thrown away, never queued.
   */
  discard(): void {
    this.#ended = true;
    this.#req.resume();
  }
}

/**
 * One HTTP/1.1 request being answered, in one object: the handler's `info` (its `completed` promise made
 * only when read), the parts its lazy `Request` is made from, and what that Request reads of its exchange:
 * `signal`, made only when read (aborted at once if the connection closed before), and `trailers`
 * (h2flow's extension), once the body was read.
 */
class Http1Exchange implements RequestExchange, ServerRequestParts, FetchHandlerInfo {
  readonly remoteAddr: NetAddr;
  readonly method: string;
  // Set once the target is known to be one a Request can carry (see respond()).
  url = '';
  authority = '';
  headerList: H2HeaderList = NO_FIELDS;
  body: RequestBodySourceStream | null = null;
  readonly #req: IncomingMessage;
  #controller: AbortController | null = null;
  /** How the response ended: null while it runs, 'sent', or the error it failed with. */
  #result: Error | 'sent' | null = null;
  #completed: Outcome<void> | null = null;
  #trailers: Promise<Headers | null> | null = null;

  constructor(req: IncomingMessage, method: string) {
    this.#req = req;
    this.method = method;
    this.remoteAddr = peerAddress(req.socket);
  }

  get exchange(): RequestExchange {
    return this;
  }

  get completed(): Promise<void> {
    const result = this.#result;
    return (this.#completed ??= completionOf(result instanceof Error ? { error: result } : result)).promise;
  }

  get signal(): AbortSignal {
    if (this.#controller === null) {
      this.#controller = new AbortController();
      if (this.#result instanceof Error) this.#controller.abort(this.#result);
    }
    return this.#controller.signal;
  }

  /** The response ended, or failed (then the request's signal aborts): the first call counts. */
  settle(result: Error | 'sent'): void {
    if (this.#result !== null) return;
    this.#result = result;
    if (result === 'sent') this.#completed?.resolve();
    else {
      this.#controller?.abort(result);
      this.#completed?.reject(result);
    }
  }

  /** The response ended or failed. */
  get settled(): boolean {
    return this.#result !== null;
  }

  /** The connection closed before the response was complete. */
  get failed(): boolean {
    return this.#result instanceof Error;
  }

  /** The request's trailer fields (chunked encoding), once the body has been read; null if none. */
  get trailers(): Promise<Headers | null> {
    return (this.#trailers ??= new Promise<Headers | null>((resolve) => {
      const req = this.#req;
      const read = (): void => {
        const raw = req.rawTrailers;
        if (raw.length === 0) return resolve(null);
        const h = new Headers();
        for (let i = 0; i + 1 < raw.length; i += 2) h.append(raw[i]!, raw[i + 1]!);
        resolve(h);
      };
      if (req.complete) read();
      else {
        req.once('end', read);
        req.once('close', () => resolve(null));
      }
    }));
  }
}

const NO_FIELDS: H2HeaderList = [];

/** An HTTP/1.1 request body as a request takes it: its ReadableStream made only when the handler reads it. */
class Http1Body implements RequestBodySourceStream {
  readonly source: IncomingBody;
  #readable: ReadableStream<Uint8Array> | null = null;

  constructor(source: IncomingBody) {
    this.source = source;
  }

  get readable(): ReadableStream<Uint8Array> {
    return (this.#readable ??= new ReadableStream<Uint8Array>(this.source, { highWaterMark: 0 }));
  }
}

/**
 * The absolute URL of an HTTP/1.1 request (RFC 9112 §3.2), or null if it is malformed or fetch cannot
 * represent it. Checked and built as an HTTP/2 request's target is (`readRequestTarget`): a Host such as
 * `example.com/admin?` or a path with `\` would otherwise make the URL name another resource than the one
 * a front proxy routed or filtered on.
 */
function requestTarget(req: IncomingMessage, secure: boolean): RequestTarget | null {
  const target = req.url ?? '/';
  const method = req.method ?? 'GET';
  const list: Array<readonly [string, string]> = [[':method', method]];
  if (target.startsWith('/')) {
    list.push([':scheme', secure ? 'https' : 'http'], [':path', target]);
    // Every Host line goes in: a second one is malformed (RFC 9112 §3.2: 400).
    const raw = req.rawHeaders;
    let hosts = 0;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') {
        list.push(['host', raw[i + 1]!]);
        hosts++;
      }
    }
    if (hosts === 0) {
      // RFC 9112 §3.2: an HTTP/1.1 request without Host gets 400; HTTP/1.0 may lack one.
      if (req.httpVersion !== '1.0') return null;
      list.push(['host', 'localhost']);
    }
  } else {
    // RFC 9112 §3.2: an HTTP/1.1 client sends Host with absolute-form too (its value is then ignored).
    if (req.httpVersion !== '1.0' && req.headers.host === undefined) return null;
    // absolute-form (RFC 9112 §3.2.2): "MUST ignore the received Host header field" and use the target's.
    const m = /^(https?):\/\/([^/?#]*)(.*)$/i.exec(target);
    if (m === null) return null;
    const rest = m[3]!;
    list.push([':scheme', m[1]!], [':authority', m[2]!], [':path', rest === '' ? '/' : rest.startsWith('?') ? `/${rest}` : rest]);
  }
  try {
    return readRequestTarget(list);
  } catch {
    return null;
  }
}

/**
 * Answers one HTTP/1.1 request with the fetch handler; a malformed one gets 400, its connection closed
 * after it and `onMalformed` told. Never rejects.
 */
async function respond(req: IncomingMessage, res: ServerResponse, options: Http1Options, onMalformed: (socket: Socket) => void): Promise<void> {
  const socket = req.socket;
  const secure = (socket as Socket & { encrypted?: boolean }).encrypted === true;
  const method = req.method ?? 'GET';
  const exchange = new Http1Exchange(req, method);
  res.once('finish', () => {
    // Node emits 'finish' also for a response destroyed with bytes still queued (a slow reader cut off at
    // writeTimeout): that one did not complete, and its 'close' says so.
    if (res.errored == null) exchange.settle('sent');
  });
  // Node emits 'close' after every response, complete or not: the error (and its stack trace) is made only
  // for one that did not complete.
  const abort = (): void => {
    if (!exchange.settled) exchange.settle(new Error('h2flow: the HTTP/1.1 connection closed before the response was complete'));
  };
  res.once('close', abort);
  // A pipelined request whose response waits behind another has no socket of its own yet: Node tells it
  // the connection is gone only by destroying the request with an error.
  req.once('close', () => {
    if (req.errored !== null) abort();
  });
  let request: Request | null = null;
  let source: IncomingBody | null = null;
  const target = requestTarget(req, secure);
  const url = target === null ? null : fetchRequestUrl(target);
  if (url !== null) {
    const hasBody = !NO_BODY_METHODS.has(method) && (req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0');
    // As an HTTP/2 request's fields: lowercase names (a lazy request builds its Headers only when read).
    const headerList: Array<[string, string]> = [];
    const raw = req.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) headerList.push([raw[i]!.toLowerCase(), raw[i + 1]!]);
    if (hasBody) source = new IncomingBody(req);
    exchange.url = url;
    exchange.authority = target!.authority;
    exchange.headerList = headerList;
    if (source !== null) exchange.body = new Http1Body(source);
    try {
      request = serverRequest(exchange);
    } catch {
      // The fetch API cannot represent it (a header Headers refuses, TRACE, ...).
    }
  }
  let response: Response;
  // As over HTTP/2: well-formed requests a Request cannot carry as sent (OPTIONS *, TRACE) get 501, others 400.
  if (request === null) {
    const status = method === 'TRACE' || method === 'TRACK' || req.url === '*' ? 501 : 400;
    if (status === 400 && target === null) {
      // Malformed (RFC 9112 §3.2; over HTTP/2 a PROTOCOL_ERROR, RFC 9113 §8.1.1): no conforming client
      // sends it. HTTP/1.1 has no stream to reset: it costs the peer its connection (as nginx does after a
      // 400), so a stream of them costs a connection each, and counts in the abuse guard.
      res.shouldKeepAlive = false;
      onMalformed(socket);
    }
    response = new Response(null, { status });
  } else {
    try {
      const r = await options.handler(request, exchange);
      if (!(r instanceof Response)) throw new TypeError('h2flow: the handler must return a Response');
      response = r;
    } catch (error) {
      try {
        response = await (options.onError ?? defaultOnError)(error);
      } catch (inner) {
        response = defaultOnError(inner);
      }
    }
  }
  if (exchange.failed) {
    // Nobody to answer (a queued pipelined response would wait forever for a socket that is gone).
    if (response.body !== null) void response.body.cancel().catch(() => undefined);
    return;
  }
  try {
    await writeResponse(res, response, method === 'HEAD', options.writeTimeout ?? DEFAULT_WRITE_TIMEOUT);
  } catch (error) {
    // Mid-body failure: HTTP/1.1 has no stream reset; closing the connection tells the client it is cut short.
    res.destroy(error as Error);
  }
  // A request body nobody read: discard it so the connection can carry the next request.
  if (!req.complete) {
    if (source !== null) source.discard();
    else req.resume();
  }
}

