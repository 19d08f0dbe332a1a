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
  /** Web Streams implementation to build the pair with (default: the runtime's globals). */
  streams?: StreamConstructors;
}

const DEFAULT_READABLE_HWM = 256 * 1024;
/** How long a cancelled readable keeps draining the peer after our FIN before the socket is closed. */
const LINGER_MS = 2000;

/**
 * The pair of one Bun socket. Backpressure both ways: the socket is paused while the readable's queue is
 * full, and a write Bun takes only part of (it accepts what the kernel does, e.g. 512 KiB of 64 MiB) keeps
 * its remainder — the caller's own array, no copy — until `drain` lets it through; the write resolves only
 * then, so nothing is buffered beyond the one chunk in flight.
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
  #pending: { rest: Uint8Array; resolve: () => void; reject: (e: unknown) => void } | null = null;

  constructor(socket: BunSocket, options: BunSocketPairOptions = {}) {
    this.#socket = socket;
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
      close: () => {
        if (this.#closed) return;
        this.#writeDone = true;
        socket.shutdown();
        if (this.#readDone) this.#end();
      },
      abort: () => this.#terminate(new SocketClosedError('aborted')),
    });
  }

  #write(chunk: Uint8Array): Promise<void> | undefined {
    if (this.#closed) throw this.#failure ?? new SocketClosedError();
    const n = this.#socket.write(chunk);
    if (n < 0) throw this.#failure ?? new SocketClosedError();
    if (n >= chunk.byteLength) return undefined;
    return new Promise<void>((resolve, reject) => {
      this.#pending = { rest: chunk.subarray(n), resolve, reject };
    });
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

  /** Bun's `drain` handler: continues a partial write. */
  onDrain(): void {
    const p = this.#pending;
    if (p === null) return;
    const n = this.#socket.write(p.rest);
    if (n < 0) {
      this.#pending = null;
      p.reject(new SocketClosedError());
    } else if (n >= p.rest.byteLength) {
      this.#pending = null;
      p.resolve();
    } else {
      p.rest = p.rest.subarray(n);
    }
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
    const failure = error ?? new SocketClosedError();
    const p = this.#pending;
    this.#pending = null;
    p?.reject(failure);
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

  #end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.end();
  }

  #terminate(error: unknown): void {
    this.#readDone = true;
    this.#writeDone = true;
    const p = this.#pending;
    this.#pending = null;
    p?.reject(error);
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.terminate();
  }
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
