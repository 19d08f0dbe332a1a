/**
 * A Bun socket (`Bun.listen` / `Bun.connect`) → the `{ readable, writable }` pair an `H2Session` runs
 * over, and the few Bun types h2flow needs (declared here, so no Bun type package is needed). Bun calls one
 * set of handlers per listener, so each socket's pair lives in `socket.data` and the handlers below route
 * events to it. Layer: transport (Bun).
 */
import { globalStreams, type H2Transport, type StreamConstructors } from '../streams/types.ts';
import { SocketClosedError } from './socket-closed-error.ts';

/** What h2flow uses of a Bun `Socket`. */
export interface BunSocket {
  data: BunSocketPair | undefined;
  readonly remoteAddress: string;
  readonly remotePort?: number;
  readonly alpnProtocol?: string | false | null;
  /** Writes what the kernel takes now and returns that count (−1 once closed): the rest waits for `drain`. */
  write(data: Uint8Array): number;
  /** Half-close (FIN / TLS close_notify); the socket stays readable with `allowHalfOpen`. */
  shutdown(halfClose?: boolean): void;
  end(): void;
  terminate(): void;
  pause(): void;
  resume(): void;
  setNoDelay?(noDelay?: boolean): boolean;
}

/** Options of {@link bunSocketPair}. */
export interface BunSocketPairOptions {
  /** Bytes the readable side buffers before the socket is paused (default 256 KiB; RFC 9113 §10.5). */
  readableHighWaterMark?: number;
  /**
   * Bytes the pair gathers from writes made in one turn of the event loop before it writes them to the
   * socket at once (default 64 KiB). Writes wait (for `drain`) only while Bun has not taken the last
   * batch whole, so at most this plus one write is held: CVE-2019-9517 "Internal Data Buffering".
   */
  writeBatchSize?: number;
  /** Web Streams implementation to build the pair with (default: the runtime's globals). */
  streams?: StreamConstructors;
}

const DEFAULT_READABLE_HWM = 256 * 1024;
const DEFAULT_WRITE_BATCH = 64 * 1024;
/** How long a cancelled readable keeps draining the peer after our FIN before the socket is closed. */
const LINGER_MS = 2000;

/** Runs `task` once the microtasks queued now (and those they queue) have run: Bun's and Node's `setImmediate`. */
const afterMicrotasks: (task: () => void) => void =
  typeof globalThis.setImmediate === 'function' ? (task) => void globalThis.setImmediate(task) : (task) => void setTimeout(task, 0);

/**
 * The pair of one Bun socket. Backpressure both ways: the socket is paused while the readable's queue is
 * full, and writes wait while Bun holds back part of a batch.
 *
 * Writes are batched: a Bun socket's `write` is one `send` (one TLS record, too) per call and Bun does not
 * cork writes made outside its own callbacks, while the session flushes once per microtask turn, so a
 * `serve()` handler answering 32 streams in 32 turns cost 32 syscalls (one per response, ~40% of the
 * CPU under h2load). Writes made before the event loop turns are gathered (the caller's arrays, kept,
 * not copied) and go out as one `write` then (`process.nextTick` does not wait for the microtask queue
 * in Bun, `setImmediate` does), or at once past `writeBatchSize`. A batch Bun takes only part of (it
 * accepts what the kernel does) keeps its remainder until `drain` lets it through; writes made meanwhile
 * wait for that.
 */
export class BunSocketPair implements H2Transport {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly #socket: BunSocket;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #readDone = false;
  #writeDone = false;
  #closed = false;
  /** The error the socket closed with, if any: later writes fail with it. */
  #failure: unknown = null;
  #paused = false;
  #lingering: (() => void) | null = null;
  readonly #batchSize: number;
  /** Writes gathered for the next socket write (resolved already: the stream's queue moved on). */
  #batch: Uint8Array[] = [];
  #batched = 0;
  #batchScheduled = false;
  /** What Bun did not take of the last socket write: written on `drain`, before anything else. */
  #rest: Uint8Array | null = null;
  /** The write (or close) waiting until `#rest` and the batch are out. */
  #waiter: { resolve: () => void; reject: (e: unknown) => void } | null = null;

  constructor(socket: BunSocket, options: BunSocketPairOptions = {}) {
    this.#socket = socket;
    this.#batchSize = options.writeBatchSize ?? DEFAULT_WRITE_BATCH;
    socket.data = this;
    socket.setNoDelay?.(true);
    const { ReadableStream: RS, WritableStream: WS } = options.streams ?? globalStreams();
    this.readable = new RS<Uint8Array>(
      {
        start: (c) => void (this.#controller = c),
        pull: () => {
          if (this.#paused) {
            this.#paused = false;
            socket.resume();
          }
        },
        cancel: () => this.#cancel(),
      },
      { highWaterMark: options.readableHighWaterMark ?? DEFAULT_READABLE_HWM, size: (chunk: Uint8Array) => chunk.byteLength },
    );
    this.writable = new WS<Uint8Array>({
      start: (c) => {
        // A write stuck on a peer that stopped reading never settles, and abort() is called only after it
        // does: the signal fires at once (CVE-2019-9517 "Internal Data Buffering").
        (c as WritableStreamDefaultController & { readonly signal?: AbortSignal }).signal?.addEventListener('abort', () => this.#terminate(new SocketClosedError('aborted')), { once: true });
      },
      write: (chunk) => this.#write(chunk),
      close: () => this.#close(),
      abort: () => this.#terminate(new SocketClosedError('aborted')),
    });
  }

  #write(chunk: Uint8Array): Promise<void> | undefined {
    if (this.#closed) throw this.#failure ?? new SocketClosedError();
    if (chunk.byteLength === 0) return undefined;
    this.#batch.push(chunk);
    this.#batched += chunk.byteLength;
    if (this.#rest === null) {
      if (this.#batched >= this.#batchSize) this.#writeBatch();
      else if (!this.#batchScheduled) {
        this.#batchScheduled = true;
        afterMicrotasks(this.#onTurn);
      }
      if (this.#rest === null) return undefined;
    }
    return this.#wait();
  }

  /** Waits until Bun took everything (rejects if the socket fails first). */
  #wait(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  readonly #onTurn = (): void => {
    this.#batchScheduled = false;
    if (this.#rest === null) this.#writeBatch();
  };

  /** Writes the batch as one socket write; what Bun does not take waits in `#rest` for `drain`. */
  #writeBatch(): void {
    const n = this.#batched;
    if (n === 0 || this.#closed) return;
    const batch = this.#batch;
    const out = batch.length === 1 ? batch[0]! : concat(batch, n);
    this.#batch = [];
    this.#batched = 0;
    this.#send(out);
  }

  /** One socket write; settles the waiter once everything is out. */
  #send(out: Uint8Array): void {
    const n = this.#socket.write(out);
    // −1: Bun closed the socket (its close event follows); nothing gathered can go out any more.
    if (n < 0) {
      this.#dropOutput(this.#failure ?? new SocketClosedError());
    } else if (n < out.byteLength) {
      this.#rest = out.subarray(n);
    } else {
      this.#rest = null;
      if (this.#batched > 0) this.#writeBatch();
      else this.#settleWaiter(null);
    }
  }

  #settleWaiter(error: unknown): void {
    const w = this.#waiter;
    if (w === null) return;
    this.#waiter = null;
    if (error === null) w.resolve();
    else w.reject(error);
  }

  #close(): Promise<void> | undefined {
    if (this.#closed) return undefined;
    // Everything written goes out before our FIN.
    if (this.#rest === null) this.#writeBatch();
    if (this.#rest !== null) return this.#wait().then(() => this.#shutdown());
    this.#shutdown();
    return undefined;
  }

  #shutdown(): void {
    if (this.#closed) return;
    this.#writeDone = true;
    this.#socket.shutdown();
    if (this.#readDone) this.#end();
  }

  /** Bun's `data` handler. */
  onData(bytes: Uint8Array): void {
    if (this.#readDone) return;
    this.#controller.enqueue(bytes);
    if ((this.#controller.desiredSize ?? 0) <= 0 && !this.#paused) {
      this.#paused = true;
      this.#socket.pause();
    }
  }

  /** Bun's `drain` handler: continues a partial write, then the batch gathered meanwhile. */
  onDrain(): void {
    const rest = this.#rest;
    if (rest !== null && !this.#closed) this.#send(rest);
  }

  /** Bun's `end` handler: the peer half-closed. */
  onEnd(): void {
    this.#lingering?.();
    if (this.#readDone) return;
    this.#readDone = true;
    this.#controller.close();
    if (this.#writeDone) this.#end();
  }

  /**
   * Bun's `close` handler. Bun may report a peer's FIN straight as `close` (no `end`) once our side is
   * shut down too, so a close without error ends the input cleanly; the session still sees a truncated
   * exchange as such.
   */
  onClose(error?: unknown): void {
    this.#closed = true;
    this.#failure ??= error ?? null;
    this.#lingering?.();
    this.#dropOutput(error ?? new SocketClosedError());
    if (this.#readDone) return;
    this.#readDone = true;
    if (error === undefined || error === null) this.#controller.close();
    else this.#controller.error(error);
  }

  #cancel(): void {
    this.#readDone = true;
    if (!this.#writeDone) {
      this.#terminate(new SocketClosedError());
      return;
    }
    // Lingering close (as socket-pair.ts): our FIN is out; discard what the peer still sends until it
    // closes, so unread bytes do not make the kernel answer RST over our last frames.
    const timer = setTimeout(() => this.#end(), LINGER_MS);
    this.#lingering = () => {
      clearTimeout(timer);
      this.#lingering = null;
      this.#end();
    };
    if (this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
  }

  /** Nothing more can be written: drops what waits and fails the waiting write. */
  #dropOutput(error: unknown): void {
    this.#batch = [];
    this.#batched = 0;
    this.#rest = null;
    this.#settleWaiter(error);
  }

  #end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.end();
  }

  #terminate(error: unknown): void {
    this.#readDone = true;
    this.#writeDone = true;
    this.#dropOutput(error);
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.terminate();
  }
}

/** `pieces` (`total` bytes) as one array. */
function concat(pieces: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.byteLength;
  }
  return out;
}

/** Wraps a Bun socket as a `{ readable, writable }` pair (see {@link BunSocketPair}). */
export function bunSocketPair(socket: BunSocket, options: BunSocketPairOptions = {}): H2Transport {
  return new BunSocketPair(socket, options);
}

/** The socket handlers to give `Bun.listen`/`Bun.connect`: each routes to the socket's pair, once made. */
export const bunSocketHandlers = {
  data: (socket: BunSocket, bytes: Uint8Array): void => socket.data?.onData(bytes),
  drain: (socket: BunSocket): void => socket.data?.onDrain(),
  end: (socket: BunSocket): void => socket.data?.onEnd(),
  close: (socket: BunSocket, error?: unknown): void => socket.data?.onClose(error),
  error: (socket: BunSocket, error: unknown): void => socket.data?.onClose(error ?? new SocketClosedError()),
} as const;
