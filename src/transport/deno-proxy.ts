/**
 * The PROXY protocol on `Deno.listen` connections: reads the header off the start of a `Deno.Conn` (with
 * the parser every listener shares, through `ProxyPrefix`) and hands back a connection whose first reads
 * return the bytes that came after it. Layer: transport (Deno).
 */
import type { DenoConn } from './deno-conn.ts';
import type { ProxyHeader } from './proxy-protocol.ts';
import { ProxyPrefix } from './proxy-prefix.ts';

/** Bytes asked for per read while the header arrives: more than a v1 line, about a v2 header with its TLVs. */
const READ_SIZE = 2048;

/** A header read, and the connection to serve (its first reads return what followed the header). */
export interface DenoProxyRead {
  readonly header: ProxyHeader;
  readonly conn: DenoConn;
}

/**
 * Reads `conn` until it has sent a whole PROXY header. Resolves with `null` when the bytes cannot be one,
 * the connection ends or fails first, or the header is not whole within `timeoutMs` (a peer that opens
 * connections and trickles or withholds the header — Slowloris — would otherwise hold a descriptor each;
 * the connection is closed then). The caller closes the connection on `null`. At most the header's bound
 * plus one read is buffered.
 */
export async function readDenoProxyHeader(conn: DenoConn, timeoutMs: number): Promise<DenoProxyRead | null> {
  const prefix = new ProxyPrefix();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    // Fails the read in flight.
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }, timeoutMs);
  try {
    for (;;) {
      // A fresh buffer per read: what follows the header is handed on without a copy.
      const buf = new Uint8Array(READ_SIZE);
      let n: number | null;
      try {
        n = await conn.read(buf);
      } catch {
        return null;
      }
      if (n === null || expired) return null;
      const decided = prefix.push(buf.subarray(0, n));
      if (decided === null) return null;
      if (decided !== undefined) return { header: decided.header, conn: decided.rest.byteLength === 0 ? conn : withPrefix(conn, decided.rest) };
    }
  } finally {
    clearTimeout(timer);
  }
}

/** `conn`, whose reads return `first` before anything more from the connection. */
function withPrefix(conn: DenoConn, first: Uint8Array): DenoConn {
  let pending: Uint8Array | null = first;
  return {
    get remoteAddr() {
      return conn.remoteAddr;
    },
    read(p: Uint8Array): Promise<number | null> {
      const bytes = pending;
      if (bytes === null) return conn.read(p);
      const n = Math.min(p.byteLength, bytes.byteLength);
      p.set(bytes.subarray(0, n));
      pending = n === bytes.byteLength ? null : bytes.subarray(n);
      return Promise.resolve(n);
    },
    write: (p: Uint8Array) => conn.write(p),
    closeWrite: () => conn.closeWrite(),
    close: () => conn.close(),
    ...(conn.setNoDelay !== undefined ? { setNoDelay: (noDelay?: boolean) => conn.setNoDelay!(noDelay) } : {}),
  };
}
