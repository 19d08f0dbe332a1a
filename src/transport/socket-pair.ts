/**
 * Node socket → `{ readable, writable }` of Uint8Array, the pair an `H2Session` runs over.
 * Layer: transport (Node). Real backpressure both ways: the socket is paused while the readable's
 * queue is full and writes wait for `'drain'`; closing the writable half-closes the socket, aborting it
 * destroys the socket at once (also while a write is stuck). Not
 * `Duplex.toWeb` (whose backpressure is right on Node 20): this adds per-tick write batching, a write
 * mark of our own, vectored writes (`H2Transport.vectored`) and a lingering close.
 */
import type { Socket } from 'node:net';
import { globalStreams, type H2Transport, type StreamConstructors } from '../streams/types.ts';
import { SocketClosedError } from './socket-closed-error.ts';

export { SocketClosedError } from './socket-closed-error.ts';

/** Options for {@link socketToPair}. */
export interface SocketPairOptions {
  /**
   * Bytes the readable side buffers before the socket is paused (default 256 KiB). Bounds the memory a
   * peer can make us hold while the session is not reading (RFC 9113 §10.5 "Denial-of-Service
   * Considerations": a peer that floods faster than we parse is stopped by TCP, not by our heap).
   */
  readableHighWaterMark?: number;
  /**
   * Bytes the socket may buffer (written, not yet taken by the kernel) before writes wait for `'drain'`
   * (default 1 MiB). Bounds our outbound memory against a peer that does not read (CVE-2019-9517
   * "Internal Data Buffering") while letting bulk transfers keep the kernel busy.
   */
  writableHighWaterMark?: number;
  /** Web Streams implementation to build the pair with (default: the runtime's globals). */
  streams?: StreamConstructors;
}

const DEFAULT_READABLE_HWM = 256 * 1024;
const DEFAULT_WRITABLE_HWM = 1024 * 1024;
/** How long a cancelled readable keeps draining the peer after our FIN before the socket is destroyed. */
const LINGER_MS = 2000;

/**
 * Wraps a connected Node socket (`net.Socket` or `tls.TLSSocket`) as a `{ readable, writable }` pair.
 * Sets `TCP_NODELAY`: HTTP/2 batches its own frames, so Nagle would only add latency.
 * Socket errors error both streams with the socket's own error (its `code`, e.g. `ECONNRESET`, kept).
 * The socket is released whatever way the session ends: closing the writable then cancelling the readable
 * lingers (destroys once the peer closes, or after 2 s), cancelling it first or aborting the writable
 * (a session giving up on a peer that stopped reading) destroys it at once.
 *
 * @example
 * ```ts
 * const socket = net.connect({ port, host, allowHalfOpen: true });
 * const session = new H2Session(socketToPair(socket), { role: 'client' });
 * ```
 */
export function socketToPair(socket: Socket, options: SocketPairOptions = {}): H2Transport {
  const { ReadableStream: RS, WritableStream: WS } = options.streams ?? globalStreams();
  const hwm = options.readableHighWaterMark ?? DEFAULT_READABLE_HWM;
  const writeHighWaterMark = options.writableHighWaterMark ?? DEFAULT_WRITABLE_HWM;
  socket.setNoDelay(true);

  let readDone = false;
  let failure: unknown = null;
  let drain: { resolve: () => void; reject: (e: unknown) => void } | null = null;

  const settleDrain = (error: unknown): void => {
    const d = drain;
    drain = null;
    if (d === null) return;
    if (error === null) d.resolve();
    else d.reject(error);
  };

  const readable = new RS<Uint8Array>(
    {
      start(controller) {
        socket.on('data', (chunk: Uint8Array) => {
          if (readDone) return;
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 0) <= 0) socket.pause();
        });
        socket.on('end', () => {
          if (readDone) return;
          readDone = true;
          controller.close();
        });
        socket.on('error', (err: Error) => {
          failure = err;
          settleDrain(err);
          if (readDone) return;
          readDone = true;
          controller.error(err);
        });
        socket.on('close', () => {
          const err = failure ?? new SocketClosedError();
          settleDrain(err);
          if (readDone) return;
          readDone = true;
          controller.error(err);
        });
      },
      pull() {
        if (socket.isPaused()) socket.resume();
      },
      cancel() {
        readDone = true;
        if (!socket.writableEnded) {
          socket.destroy();
          return;
        }
        // Lingering close: our FIN is out; discard what the peer still sends until it closes too, because
        // closing with unread bytes makes the kernel answer RST, which can destroy our last frames (GOAWAY,
        // final responses) in the peer's receive buffer before it reads them.
        socket.on('end', () => socket.destroy());
        socket.resume();
        setTimeout(() => socket.destroy(), LINGER_MS).unref();
      },
    },
    { highWaterMark: hwm, size: (chunk: Uint8Array) => chunk.byteLength },
  );

  socket.on('drain', () => settleDrain(null));

  // Writes made in one run of the microtask queue (e.g. responses to many streams finishing in one turn)
  // leave in one writev: cork on the first, uncork once the current tick's work is done.
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };

  const writable = new WS<Uint8Array | Uint8Array[]>({
    start(controller) {
      // An abort waits for the write in flight (Web Streams call the sink's abort() only after it settles),
      // and a write waiting for 'drain' from a peer that stopped reading never settles. The controller's
      // signal fires at once: destroying the socket then rejects that write and frees the fd and the
      // unsent buffers (CVE-2019-9517 "Internal Data Buffering"). Node 20 and web-streams-polyfill 4 have
      // the signal; @types/node 20 does not declare it.
      (controller as WritableStreamDefaultController & { readonly signal?: AbortSignal }).signal?.addEventListener('abort', () => socket.destroy(), { once: true });
    },
    write(chunk) {
      if (socket.destroyed) throw failure ?? new SocketClosedError();
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(uncork);
      }
      // A vectored write references the caller's arrays (Node keeps them until the kernel took them):
      // it resolves on the socket's write callback, once they may be reused.
      if (Array.isArray(chunk)) return writeVectored(socket, chunk);
      // Wait for 'drain' only past our own mark: the socket's 16 KiB default would stall every batch.
      if (socket.write(chunk) || socket.writableLength < writeHighWaterMark) return undefined;
      return new Promise<void>((resolve, reject) => {
        drain = { resolve, reject };
      });
    },
    close() {
      if (socket.destroyed) return undefined;
      return new Promise<void>((resolve) => {
        socket.end(() => resolve());
      });
    },
    abort() {
      socket.destroy();
    },
  });

  return { readable, writable: writable as WritableStream<Uint8Array>, vectored: true };
}

/** Writes `pieces` in order (corked: one writev); resolves once the socket has flushed the last one. */
function writeVectored(socket: Socket, pieces: readonly Uint8Array[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const last = pieces.length - 1;
    for (let i = 0; i < last; i++) socket.write(pieces[i] as Uint8Array);
    socket.write(pieces[last] ?? new Uint8Array(0), (err) => (err ? reject(err) : resolve()));
  });
}
