/**
 * `serve()`'s arguments in every runtime's shape, normalised in one place for every transport (Node, Deno,
 * Bun). Runtime-neutral: no runtime API. Layer: transport.
 *
 * Accepted forms (a handler is a function and options are not, so they cannot be confused):
 * - `serve(handler)` and `serve(handler, options)` (h2flow's original form);
 * - `serve(options, handler)` and `serve({ handler, ...options })` (`Deno.serve`'s forms);
 * - `serve({ fetch, ...options })` (`Bun.serve`'s form).
 * Anything else is a TypeError: a misplaced handler must never fall back to a default bind.
 */
import type { FetchHandler, NetAddr } from '../fetch/fetch-server.ts';
import type { CloseOptions } from '../streams/close-lifecycle.ts';
import type { H2Session, H2SessionOptions } from '../streams/session.ts';
import type { AbuseOption } from './abuse-guard.ts';
import type { ProxyProtocolOptions } from './proxy-prefix.ts';

/** PEM certificate chain and private key (strings, or their bytes) for a TLS server. */
export interface TlsCertKey {
  readonly cert: string | Uint8Array;
  readonly key: string | Uint8Array;
}

/** A PEM given as bytes, as the text the TLS APIs take. */
export const pemText = (v: string | Uint8Array): string => (typeof v === 'string' ? v : new TextDecoder().decode(v));

/** Session options a transport passes through (`role` is set by the transport). */
export type SessionOptions = Omit<H2SessionOptions, 'role'>;

/**
 * Options of `serve()` on every runtime (the shape of `Deno.serve`'s, plus Bun's `fetch`), with the PROXY
 * protocol (`proxyProtocol`, `proxyHeaderTimeout`) for a server behind HAProxy.
 */
export interface ServeOptions extends ProxyProtocolOptions {
  /** TCP port. Default 8000 (as Deno); 0 picks a free one. */
  readonly port?: number;
  /** Interface to bind. Default `0.0.0.0` (as Deno). */
  readonly hostname?: string;
  /** Serve TLS with ALPN `h2` instead of h2c. */
  readonly tls?: TlsCertKey;
  /** Deno's spelling of `tls.cert`: with `key`, serves TLS. */
  readonly cert?: string | Uint8Array;
  /** Deno's spelling of `tls.key`. */
  readonly key?: string | Uint8Array;
  /** Aborting it shuts the server down gracefully. */
  readonly signal?: AbortSignal;
  /** Called once listening. Default: logs `Listening on http(s)://host:port/`. */
  readonly onListen?: (addr: NetAddr) => void;
  /** Turns a handler error into a response (default: log it and answer 500). */
  readonly onError?: (error: unknown) => Response | Promise<Response>;
  /** Options for every session. */
  readonly session?: SessionOptions;
  /**
   * Refuse, for a cool-down, addresses whose connections keep ending in connection errors we sent because
   * of them (an attacker reconnecting to spend each connection's flood budgets afresh; see `AbuseGuard`):
   * `true` for the defaults, options, a guard shared with other servers, or `false`. Default on.
   */
  readonly abuse?: AbuseOption;
  /**
   * Most connections open at once; past it new ones are closed as soon as they are accepted, before
   * anything is read. Stops a connection flood from many addresses (which the per-address abuse guard
   * does not see) from exhausting memory and descriptors: an idle HTTP/2 connection costs 10–25 KiB of
   * RSS plus the kernel's socket buffers. Default 10 000; `Infinity` for no limit. With h2flow/node's
   * `workers`, per worker.
   */
  readonly maxConnections?: number;
  /**
   * Answer HTTP/1.1 on the same port with the same handler, where the listener can (`node:net` and
   * `node:tls`: h2flow/node, also in Bun, and h2flow/deno by default): cleartext connections that do not
   * start with the HTTP/2 preface go to the runtime's `node:http`, TLS offers ALPN `http/1.1`, and
   * `Upgrade: h2c` switches to HTTP/2. Default true there; `Deno.listen` and `Bun.listen` speak HTTP/2
   * only (`http1: true` with them is a TypeError).
   */
  readonly http1?: boolean;
}

/** `serve()`'s first argument when it is an object: options (`O`: a runtime's), with the handler inside or not. */
export type ServeInit<O = ServeOptions> = O & { readonly handler?: FetchHandler; readonly fetch?: FetchHandler };

/** Every accepted `serve()` argument list (`O`: the runtime's options). */
export type ServeArgs<O = ServeOptions> =
  | readonly [handler: FetchHandler, options?: O]
  | readonly [options: O, handler: FetchHandler]
  | readonly [init: ServeInit<O> & ({ readonly handler: FetchHandler } | { readonly fetch: FetchHandler })];

/** Options after normalisation: TLS always under `tls`, no handler inside. */
export type NormalisedServeOptions<O = ServeOptions> = Omit<O, 'cert' | 'key' | 'handler' | 'fetch'>;

/** What every runtime's running `serve()` server has at its core (Deno's `HttpServer` first three). */
export interface ServerCore {
  /**
   * Resolves with the bound address once listening (`port: 0` asked for a free one); rejects if the address
   * cannot be bound — left unhandled, that rejection ends the process, as `Deno.serve`'s throw would.
   */
  readonly listening: Promise<NetAddr>;
  /** Resolves when the server has shut down (after `shutdown()`, `stop()` or the signal). */
  readonly finished: Promise<void>;
  /** Stops accepting, lets requests in flight finish (GOAWAY), and resolves when every connection closed. */
  shutdown(): Promise<void>;
}

/** The rest of Deno's `HttpServer` names and Bun's `Server` names, on every runtime's server. */
export interface ServerNames {
  /**
   * The bound address (Deno). Throws before the server is listening: readable as `serve()` returns over
   * `Bun.listen` (Bun's default) and `Deno.listen` (Deno's `transport: 'deno'`), else once `listening` resolved.
   */
  readonly addr: NetAddr;
  /** The bound port (Bun). Throws before the server is listening. */
  readonly port: number;
  /** `http(s)://host:port/` (Bun). Throws before the server is listening. */
  readonly url: URL;
  /** Bun's `stop`: graceful like `shutdown()`, or with `closeActiveConnections` every connection closed at once. */
  stop(closeActiveConnections?: boolean): Promise<void>;
  /** Keeps the process alive while the server listens (the default). */
  ref(): void;
  /** Lets the process exit even though the server listens. */
  unref(): void;
}

/** A running `serve()` server: the shape of Deno's `HttpServer`, with Bun's `Server` names beside it. */
export interface HttpServer extends ServerCore, ServerNames {}

/** A listening HTTP/2 server as every transport's `listen()` returns it (what `serve()` builds on). */
export interface SessionListener {
  readonly address: NetAddr;
  readonly accepted: ReadableStream<{ readonly session: H2Session; readonly remoteAddr: NetAddr }>;
  close(options?: CloseOptions): Promise<void>;
  ref?(): void;
  unref?(): void;
}

const isHandler = (v: unknown): v is FetchHandler => typeof v === 'function';
const isOptions = (v: unknown): v is ServeInit => typeof v === 'object' && v !== null && !Array.isArray(v);

function usage(detail: string): TypeError {
  return new TypeError(`h2flow: serve() ${detail}; use serve(handler, options?), serve(options, handler), serve({ handler, ...options }) or serve({ fetch, ...options })`);
}

/**
 * Normalises `serve()`'s arguments (see the file comment for the forms) into a handler and options with
 * TLS under `tls`. Throws a TypeError for anything else, including a handler given twice.
 */
export function normaliseServeArgs<O extends object = ServeOptions>(args: readonly unknown[]): { handler: FetchHandler; options: NormalisedServeOptions<O> } {
  if (args.length === 0 || args.length > 2) throw usage(`takes 1 or 2 arguments, got ${args.length}`);
  const [first, second] = args;
  let handler: FetchHandler;
  let init: ServeInit & { readonly tls?: unknown };
  if (isHandler(first)) {
    if (second !== undefined && !isOptions(second)) throw usage('got a handler followed by something that is not an options object');
    handler = first;
    init = second ?? {};
    if (init.handler !== undefined || init.fetch !== undefined) throw usage('got a handler twice (an argument and an option)');
  } else if (isOptions(first)) {
    init = first;
    const inside = [init.handler, init.fetch].filter((h) => h !== undefined);
    if (inside.some((h) => !isHandler(h))) throw usage('got a `handler`/`fetch` option that is not a function');
    if (isHandler(second)) {
      if (inside.length > 0) throw usage('got a handler twice (an argument and an option)');
      handler = second;
    } else if (second !== undefined) {
      throw usage('got options followed by something that is not a handler');
    } else if (inside.length === 1) {
      handler = inside[0] as FetchHandler;
    } else {
      throw usage(inside.length === 0 ? 'got no handler' : 'got both `handler` and `fetch`');
    }
  } else {
    throw usage(`got ${first === null ? 'null' : typeof first} as its first argument`);
  }
  const { handler: _h, fetch: _f, cert, key, ...rest } = init;
  if ((cert === undefined) !== (key === undefined)) throw new TypeError('h2flow: serve() needs both `cert` and `key` for TLS');
  if (cert !== undefined && rest.tls !== undefined) throw new TypeError('h2flow: serve() got TLS twice (`tls` and top-level `cert`/`key`)');
  const options = cert !== undefined && key !== undefined ? { ...rest, tls: { cert, key } } : rest;
  return { handler, options: options as NormalisedServeOptions<O> };
}
