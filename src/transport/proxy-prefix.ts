/**
 * The PROXY protocol header at the start of a connection whose bytes arrive in chunks (`Deno.listen`'s
 * reads, `Bun.listen`'s `data` events): gathers them until `parseProxyHeader` (the one parser, shared with
 * the Node listener's `proxy-header-reader.ts`) decides, then hands back the header and the bytes after it.
 * Runtime-neutral (bytes only, timers included). Layer: transport.
 */
import { parseProxyHeader, ProxyHeaderError, type ProxyHeader } from './proxy-protocol.ts';

/** A whole header and the bytes that came after it in the same chunk (the next protocol's). */
export interface ProxyPrefixResult {
  readonly header: ProxyHeader;
  readonly rest: Uint8Array;
}

/**
 * The PROXY protocol options, the same on every listener (h2flow/node's `listen()` has the same two) and
 * in every runtime's `serve()`.
 */
export interface ProxyProtocolOptions {
  /**
   * Every connection starts with a PROXY protocol header (HAProxy's, version 1 text or 2 binary; e.g.
   * HAProxy's `send-proxy-v2`): it is read first, and the client address it carries becomes the
   * connection's address everywhere (`remoteAddr`, `info.remoteAddr`, the access log, the abuse guard's
   * key, whose admission check then runs once the header is read). A connection without a valid header
   * is closed. Only for a listener every connection reaches through the trusted proxy: anyone connecting
   * directly could claim any address (to dodge the abuse guard, or get someone else refused). v2 LOCAL
   * and v1 UNKNOWN (health checks) keep the socket's own address. Default off. `Bun.listen` takes it on
   * cleartext only (its TLS handshake starts before a header could be read: a TypeError with `tls`).
   */
  readonly proxyProtocol?: boolean;
  /**
   * With `proxyProtocol`: how long a new connection may take to send its whole PROXY header before it is
   * closed, in ms (stops Slowloris-style peers that open connections and trickle or withhold the header,
   * each holding a descriptor). Default 10 000.
   */
  readonly proxyHeaderTimeout?: number;
}

/**
 * With `proxyProtocol`: how long a new connection may take to send its whole PROXY header before it is
 * closed, in ms (10 s, as Node's listener: `ListenOptions.proxyHeaderTimeout`).
 */
export const DEFAULT_PROXY_HEADER_TIMEOUT = 10_000;

/** Checks a `proxyHeaderTimeout` option (a positive number of ms); undefined is the default. */
export function proxyHeaderTimeoutOf(value: number | undefined): number {
  if (value === undefined) return DEFAULT_PROXY_HEADER_TIMEOUT;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`proxyHeaderTimeout must be a positive number of ms, not ${String(value)}`);
  return value;
}

/**
 * A connection's first chunks until they hold a PROXY header. Holds at most the header's bound
 * (`PROXY_V1_MAX_LENGTH`, 16 + `PROXY_V2_MAX_BLOCK`) plus one chunk: the parser refuses a longer prefix, so
 * a peer cannot make it buffer more.
 */
export class ProxyPrefix {
  #bytes: Uint8Array | null = null;

  /**
   * Adds `chunk`: the header and what follows it once whole, `undefined` while more is needed, `null`
   * once the bytes cannot be a header (the caller closes the connection, as HAProxy's `accept-proxy` does).
   */
  push(chunk: Uint8Array): ProxyPrefixResult | null | undefined {
    const held = this.#bytes;
    let bytes: Uint8Array;
    if (held === null) bytes = chunk;
    else {
      bytes = new Uint8Array(held.byteLength + chunk.byteLength);
      bytes.set(held);
      bytes.set(chunk, held.byteLength);
    }
    let header: ProxyHeader | undefined;
    try {
      header = parseProxyHeader(bytes);
    } catch (error) {
      if (error instanceof ProxyHeaderError) {
        this.#bytes = null;
        return null;
      }
      throw error;
    }
    if (header === undefined) {
      // Kept as a copy: the runtime may reuse the chunk's buffer for its next read.
      this.#bytes = held === null ? chunk.slice() : bytes;
      return undefined;
    }
    this.#bytes = null;
    return { header, rest: bytes.subarray(header.length) };
  }
}
