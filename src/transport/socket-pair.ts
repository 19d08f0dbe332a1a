/**
 * Node socket → `{ readable, writable }` of Uint8Array, the pair an `H2Session` runs over.
 * Layer: transport (Node). Real backpressure both ways: the socket is paused while the readable's
 * queue is full and writes wait for `'drain'`; closing the writable half-closes the socket, aborting it
 * destroys the socket at once (also while a write is stuck). Not
 * `Duplex.toWeb` (whose backpressure is right on Node 20): this adds per-tick write batching, a write
 * mark of our own, vectored writes (`H2Transport.vectored`) and a lingering close.
 */
import { Buffer } from 'node:buffer';
import type { Socket } from 'node:net';
import { globalStreams, type H2DirectTransport, type H2Transport, type H2TransportSink, type StreamConstructors } from '../streams/types.ts';
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
 * The pair also has `direct` (see `H2Transport.direct`): a session drives the socket through it, and the
 * Web Streams `readable` and `writable` (~8 KiB of heap per connection on Node 20) are made only if read
 * first. The two are exclusive: once one is in use, the other is not offered (`direct` reads undefined,
 * `readable`/`writable` throw).
 *
 * @example
 * ```ts
 * const socket = net.connect({ port, host, allowHalfOpen: true });
 * const session = new H2Session(socketToPair(socket), { role: 'client' });
 * ```
 */
export function socketToPair(socket: Socket, options: SocketPairOptions = {}): H2Transport {
  socket.setNoDelay(true);
  const core = new SocketCore(socket, options.writableHighWaterMark ?? DEFAULT_WRITABLE_HWM);
  let readable: ReadableStream<Uint8Array> | null = null;
  let writable: WritableStream<Uint8Array> | null = null;
  const views = (): StreamConstructors => {
    if (core.owner === 'direct') throw new TypeError('h2flow: this socket pair is driven through `direct` (by a session): its streams are not available');
    core.owner = 'streams';
    return options.streams ?? globalStreams();
  };
  return {
    get readable() {
      return (readable ??= readableOf(core, views(), options.readableHighWaterMark ?? DEFAULT_READABLE_HWM));
    },
    get writable() {
      return (writable ??= writableOf(core, views()));
    },
    vectored: true,
    makeView: bufferView,
    get direct() {
      return core.owner === 'streams' ? undefined : core;
    },
  };
}

/**
 * The socket's state and every operation on it, shared by the Web Streams views and the direct
 * interface (which it is: a session that takes it claims the socket).
 */
/** Where a socket keeps its SocketCore, for the listeners every socket shares. */
const CORE = Symbol('h2flow.socketCore');
type CoredSocket = Socket & { [CORE]?: SocketCore };

/** SocketCore's private handlers, set by its static block. */
let coreHooks: {
  data(core: SocketCore, chunk: Uint8Array): void;
  end(core: SocketCore): void;
  error(core: SocketCore, err: Error): void;
  close(core: SocketCore): void;
  drain(core: SocketCore): void;
  uncork(core: SocketCore): void;
};

function coreOf(socket: Socket): SocketCore {
  return (socket as CoredSocket)[CORE] as SocketCore;
}

function onSocketData(this: Socket, chunk: Uint8Array): void {
  coreHooks.data(coreOf(this), chunk);
}
function onSocketEnd(this: Socket): void {
  coreHooks.end(coreOf(this));
}
function onSocketError(this: Socket, err: Error): void {
  coreHooks.error(coreOf(this), err);
}
function onSocketClose(this: Socket): void {
  coreHooks.close(coreOf(this));
}
function onSocketDrain(this: Socket): void {
  coreHooks.drain(coreOf(this));
}
function uncorkCore(core: SocketCore): void {
  coreHooks.uncork(core);
}

class SocketCore implements H2DirectTransport {
  readonly #socket: Socket;
  readonly #writeHighWaterMark: number;
  /** Who reads and writes the socket: nobody yet, a session through `direct`, or the Web Streams views. */
  owner: 'none' | 'direct' | 'streams' = 'none';
  #readDone = false;
  #sink: H2TransportSink | null = null;
  #failure: unknown = null;
  #drain: { resolve: () => void; reject: (e: unknown) => void } | null = null;
  #corked = false;
  /** Direct writes: the last one still waiting (for 'drain' or a vectored write's callback), if any. */
  #tail: Promise<void> | null = null;

  constructor(socket: Socket, writeHighWaterMark: number) {
    this.#socket = socket;
    this.#writeHighWaterMark = writeHighWaterMark;
    // Always listened to: a socket error must not go unhandled, and a write waiting for 'drain' fails
    // when the socket closes, whether or not anyone reads it.
    // The listeners are shared by every socket and find their SocketCore on it: six closures per
    // connection cost more than one property.
    // Two pairs over one socket would be two readers of one byte stream (and share these listeners).
    if ((socket as CoredSocket)[CORE] !== undefined) throw new TypeError('h2flow: socketToPair: this socket already has a pair');
    (socket as CoredSocket)[CORE] = this;
    socket.on('drain', onSocketDrain);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
  }

  /** The listeners' way in (they run with the socket as `this`). */
  static {
    coreHooks = {
      data: (core, chunk) => core.#onData(chunk),
      end: (core) => core.#onEnd(),
      error: (core, err) => core.#onError(err),
      close: (core) => core.#onClose(),
      drain: (core) => core.#settleDrain(null),
      uncork: (core) => core.#uncork(),
    };
  }

  // --- reading ---

  /** Starts delivering the socket's bytes, end and failure to `sink` (once). */
  start(sink: H2TransportSink): void {
    if (this.owner === 'none') this.owner = 'direct';
    const socket = this.#socket;
    this.#sink = sink;
    socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
    // A socket handed over paused (e.g. after sniffing its first bytes, put back with unshift) flows now.
    if (socket.isPaused()) socket.resume();
    // Closed before anyone read it (its 'close' went unseen by a reader): nothing will ever arrive.
    if (socket.destroyed) queueMicrotask(() => this.#onClose());
  }

  pause(): void {
    this.#socket.pause();
  }

  resume(): void {
    if (this.#socket.isPaused()) this.#socket.resume();
  }

  /** Stops reading: destroys the socket, or after our FIN lingers (drains the peer until it closes). */
  cancel(): Promise<void> {
    this.#readDone = true;
    const socket = this.#socket;
    if (!socket.writableEnded) {
      socket.destroy();
      return Promise.resolve();
    }
    // Lingering close: our FIN is out; discard what the peer still sends until it closes too, because
    // closing with unread bytes makes the kernel answer RST, which can destroy our last frames (GOAWAY,
    // final responses) in the peer's receive buffer before it reads them.
    socket.on('end', () => socket.destroy());
    socket.resume();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
    return Promise.resolve();
  }

  #onData(chunk: Uint8Array): void {
    if (!this.#readDone) this.#sink?.data(chunk);
  }

  #onEnd(): void {
    if (this.#readDone) return;
    this.#readDone = true;
    this.#sink?.end();
  }

  #onError(err: Error): void {
    this.#failure = err;
    this.#settleDrain(err);
    if (this.#readDone || this.#sink === null) return;
    this.#readDone = true;
    this.#sink.error(err);
  }

  #onClose(): void {
    const err = this.#failure ?? new SocketClosedError();
    this.#settleDrain(err);
    if (this.#readDone || this.#sink === null) return;
    this.#readDone = true;
    this.#sink.error(err);
  }

  // --- writing ---

  /**
   * Direct writes, one after the other as a WritableStream would: undefined when the socket took it
   * (below our mark), else a promise that settles once it did; later writes wait behind it.
   */
  write(chunk: Uint8Array | Uint8Array[]): Promise<void> | undefined {
    const tail = this.#tail;
    let result: Promise<void> | undefined;
    if (tail === null) {
      try {
        result = this.writeNow(chunk);
      } catch (err) {
        return Promise.reject(err);
      }
      if (result === undefined) return undefined;
    } else {
      result = tail.then(() => this.writeNow(chunk));
    }
    this.#tail = result;
    const clear = (): void => {
      if (this.#tail === result) this.#tail = null;
    };
    result.then(clear, clear);
    return result;
  }

  /** One write to the socket; a promise if the caller must wait before the next one. */
  writeNow(chunk: Uint8Array | Uint8Array[]): Promise<void> | undefined {
    const socket = this.#socket;
    if (socket.destroyed) throw this.#failure ?? new SocketClosedError();
    // Writes made in one run of the microtask queue (e.g. responses to many streams finishing in one
    // turn) leave in one writev: cork on the first, uncork once the current tick's work is done.
    if (!this.#corked) {
      this.#corked = true;
      socket.cork();
      process.nextTick(uncorkCore, this);
    }
    // A vectored write references the caller's arrays (Node keeps them until the kernel took them):
    // it resolves on the socket's write callback, once they may be reused.
    if (Array.isArray(chunk)) return writeVectored(socket, chunk);
    // Wait for 'drain' only past our own mark: the socket's 16 KiB default would stall every batch.
    if (socket.write(chunk) || socket.writableLength < this.#writeHighWaterMark) return undefined;
    return new Promise<void>((resolve, reject) => {
      this.#drain = { resolve, reject };
    });
  }

  /**
   * Half-closes the socket after the writes queued: resolves once flushed (at once if it is destroyed, and
   * also if it is destroyed without an error meanwhile: its owner's doing, e.g. a listener's forced close),
   * rejects if the socket fails first (what was still queued is lost, e.g. the peer reset the connection).
   */
  close(): Promise<void> {
    const tail = this.#tail;
    return tail === null ? this.closeNow() : tail.then(() => this.closeNow());
  }

  closeNow(): Promise<void> {
    const socket = this.#socket;
    if (socket.destroyed) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      // Node calls back with ERR_STREAM_DESTROYED when the socket is destroyed before the flush, also by a
      // plain destroy(): only a socket failure of its own (ECONNRESET, EPIPE) is the transport failing.
      socket.end((err?: Error | null) => (err && (socket.errored != null || this.#failure !== null) ? reject(err) : resolve()));
    });
  }

  /** Destroys the socket at once (also while a write is stuck): the write waiting fails. */
  abort(): void {
    this.#socket.destroy();
  }

  #uncork(): void {
    this.#corked = false;
    this.#socket.uncork();
  }

  #settleDrain(error: unknown): void {
    const d = this.#drain;
    this.#drain = null;
    if (d === null) return;
    if (error === null) d.resolve();
    else d.reject(error);
  }
}

/** The Web Streams readable over the socket: paused while its queue is full. */
function readableOf(core: SocketCore, ctors: StreamConstructors, hwm: number): ReadableStream<Uint8Array> {
  return new ctors.ReadableStream<Uint8Array>(
    {
      start(controller) {
        core.start({
          data(chunk) {
            controller.enqueue(chunk);
            if ((controller.desiredSize ?? 0) <= 0) core.pause();
          },
          end: () => controller.close(),
          error: (err) => controller.error(err),
        });
      },
      pull() {
        core.resume();
      },
      cancel() {
        return core.cancel();
      },
    },
    { highWaterMark: hwm, size: (chunk: Uint8Array) => chunk.byteLength },
  );
}

/** The Web Streams writable over the socket (the stream queues writes; the sink writes one at a time). */
function writableOf(core: SocketCore, ctors: StreamConstructors): WritableStream<Uint8Array> {
  const writable = new ctors.WritableStream<Uint8Array | Uint8Array[]>({
    start(controller) {
      // An abort waits for the write in flight (Web Streams call the sink's abort() only after it settles),
      // and a write waiting for 'drain' from a peer that stopped reading never settles. The controller's
      // signal fires at once: destroying the socket then rejects that write and frees the fd and the
      // unsent buffers (CVE-2019-9517 "Internal Data Buffering"). Node 20 and web-streams-polyfill 4 have
      // the signal; @types/node 20 does not declare it.
      (controller as WritableStreamDefaultController & { readonly signal?: AbortSignal }).signal?.addEventListener('abort', () => core.abort(), { once: true });
    },
    write: (chunk) => core.writeNow(chunk),
    close: () => core.closeNow(),
    abort: () => core.abort(),
  });
  return writable as WritableStream<Uint8Array>;
}

/**
 * A vectored write's arrays as `Buffer`s: `net.Socket.write` takes a `Buffer` as it is, and makes one
 * from every other `Uint8Array` (an object and ~40 ns per array, two arrays per 16 KiB DATA frame).
 */
const bufferView = (buffer: ArrayBufferLike, byteOffset: number, length: number): Uint8Array => Buffer.from(buffer as ArrayBuffer, byteOffset, length);

/**
 * Writes `pieces` in order (corked: one writev); resolves once the socket has flushed the last one. A
 * failure is the error the socket was destroyed with, if any: Deno's `node:net` calls back a write that
 * was pending when a reset destroyed the socket with ECANCELED (the write's cancellation, not the reset).
 */
function writeVectored(socket: Socket, pieces: readonly Uint8Array[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const last = pieces.length - 1;
    for (let i = 0; i < last; i++) socket.write(pieces[i] as Uint8Array);
    socket.write(pieces[last] ?? new Uint8Array(0), (err) => (err ? reject(socket.errored ?? err) : resolve()));
  });
}
