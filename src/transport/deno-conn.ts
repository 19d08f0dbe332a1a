/**
 * A Deno connection (`Deno.Conn` / `Deno.TlsConn`) → the `{ readable, writable }` pair an `H2Session`
 * runs over, and the few Deno types h2flow needs (declared here, so no Deno type package is needed).
 * Layer: transport (Deno).
 */
import { globalStreams, type H2Transport, type StreamConstructors } from '../streams/types.ts';
import { SocketClosedError } from './socket-closed-error.ts';

/** The address shape Deno reports for TCP connections and listeners. */
export interface DenoNetAddr {
  readonly transport: string;
  readonly hostname?: string;
  readonly port?: number;
}

/** What h2flow uses of `Deno.Conn` (and `Deno.TlsConn`, which adds `handshake()`). */
export interface DenoConn {
  readonly remoteAddr: DenoNetAddr;
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
  /** Present on TCP connections; absent on TLS ones in some Deno versions. */
  setNoDelay?(noDelay?: boolean): void;
  handshake?(): Promise<{ readonly alpnProtocol: string | null }>;
}

/** Options of {@link denoConnToPair}. */
export interface DenoConnPairOptions {
  /**
   * Bytes the readable side buffers before reads stop (default 256 KiB): a peer flooding faster than the
   * session parses is stopped by TCP, not by our heap (RFC 9113 §10.5).
   */
  readableHighWaterMark?: number;
  /** Web Streams implementation to build the pair with (default: the runtime's globals). */
  streams?: StreamConstructors;
}

const DEFAULT_READABLE_HWM = 256 * 1024;
const READ_SIZE = 64 * 1024;
/** How long a cancelled readable keeps draining the peer after our FIN before the connection is closed. */
const LINGER_MS = 2000;

/** Deno names its I/O errors by class (`Deno.errors.UnexpectedEof`, …); the name is enough here. */
const errorName = (e: unknown): string => (e instanceof Error ? e.name : '');

/**
 * Wraps a connected Deno connection as a `{ readable, writable }` pair with real backpressure both ways:
 * the readable reads only while its queue (counted in bytes) has room, and each write resolves once
 * `conn.write` took all of it (a partial write is continued, never buffered by us). Sets `TCP_NODELAY` where
 * the connection has `setNoDelay` (the session already writes one coalesced buffer per turn, so Nagle would
 * only delay it behind the peer's delayed ACK). Closing the writable half-closes (`closeWrite()`: FIN, or
 * TLS close_notify); aborting it (the readable then fails with SocketClosedError), or cancelling the
 * readable first, closes the connection at once. A TLS peer that ends the TCP connection without
 * close_notify (curl does) surfaces as `UnexpectedEof`: that is an end of input here, as on Node; a
 * truncated HTTP/2 exchange is still caught by the session, which sees the input end mid-frame or with
 * streams open. A read or a write that fails (the peer reset the connection) fails both directions with
 * its error and closes the connection at once.
 */
export function denoConnToPair(conn: DenoConn, options: DenoConnPairOptions = {}): H2Transport {
  const { ReadableStream: RS, WritableStream: WS } = options.streams ?? globalStreams();
  const hwm = options.readableHighWaterMark ?? DEFAULT_READABLE_HWM;
  try {
    conn.setNoDelay?.(true);
  } catch {
    // A connection already closed by the peer: the first read or write reports it.
  }
  let readDone = false;
  let writeDone = false;
  let closed = false;
  let spare: Uint8Array | null = null;
  const close = (): void => {
    if (closed) return;
    closed = true;
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  };
  const maybeClose = (): void => {
    if (readDone && writeDone) close();
  };
  /** The first error the connection failed with: later writes fail with it. */
  let failure: unknown = null;
  let readController!: ReadableStreamDefaultController<Uint8Array>;
  /**
   * A read or a write failed: the connection is broken both ways, as a Node socket is destroyed on its
   * error. The readable fails too, and the connection is closed now: a session that fails neither closes
   * the writable nor cancels an ended or errored readable, and a Deno resource stays open until closed.
   */
  const fail = (error: unknown): void => {
    failure ??= error;
    writeDone = true;
    if (!readDone) {
      readDone = true;
      readController.error(error);
    }
    close();
  };
  /**
   * The writable was aborted: the connection is closed at once, and the readable fails with
   * SocketClosedError, as a Node socket destroyed without an error does. Only marked done, a read waiting
   * on it would wait forever: the closed connection's read rejects into a `pull` that then returns.
   */
  const abortBoth = (): void => fail(new SocketClosedError());

  const readable = new RS<Uint8Array>(
    {
      start(controller) {
        readController = controller;
      },
      async pull(controller) {
        const buf = spare ?? new Uint8Array(READ_SIZE);
        spare = null;
        let n: number | null;
        try {
          n = await conn.read(buf);
        } catch (error) {
          if (readDone) return;
          if (errorName(error) !== 'UnexpectedEof') {
            fail(closed ? (failure ?? new SocketClosedError()) : error);
            return;
          }
          readDone = true;
          controller.close();
          maybeClose();
          return;
        }
        if (readDone) return;
        if (n === null) {
          readDone = true;
          controller.close();
          maybeClose();
          return;
        }
        // A small read is copied and its buffer reused, so the queue's byte count is the memory it holds.
        if (n < READ_SIZE / 2) {
          controller.enqueue(buf.slice(0, n));
          spare = buf;
        } else {
          controller.enqueue(buf.subarray(0, n));
        }
      },
      cancel() {
        readDone = true;
        if (!writeDone) {
          writeDone = true;
          close();
          return;
        }
        // Lingering close (as socket-pair.ts): our FIN is out; read and discard until the peer closes, so
        // unread bytes do not make the kernel answer RST over our last frames.
        const timer = setTimeout(close, LINGER_MS);
        void (async () => {
          const sink = new Uint8Array(READ_SIZE);
          try {
            while (!closed && (await conn.read(sink)) !== null);
          } catch {
            // Reset or closed: done either way.
          }
          clearTimeout(timer);
          close();
        })();
      },
    },
    { highWaterMark: hwm, size: (chunk: Uint8Array) => chunk.byteLength },
  );

  const writable = new WS<Uint8Array>({
    start(controller) {
      // A write stuck on a peer that stopped reading never settles, and Web Streams call abort() only after
      // it does: the controller's signal fires at once, and closing the connection rejects that write
      // (CVE-2019-9517 "Internal Data Buffering").
      (controller as WritableStreamDefaultController & { readonly signal?: AbortSignal }).signal?.addEventListener(
        'abort',
        abortBoth,
        { once: true },
      );
    },
    async write(chunk) {
      if (closed) throw failure ?? new SocketClosedError();
      try {
        for (let off = 0; off < chunk.byteLength; ) off += await conn.write(off === 0 ? chunk : chunk.subarray(off));
      } catch (error) {
        const reason = closed ? (failure ?? new SocketClosedError()) : error;
        fail(reason);
        throw reason;
      }
    },
    async close() {
      if (closed) return;
      try {
        await conn.closeWrite();
      } catch {
        // The peer already closed: nothing left to half-close.
      }
      writeDone = true;
      maybeClose();
    },
    abort: abortBoth,
  });
  return { readable, writable };
}
