/**
 * An in-memory byte transport for streams-layer tests (hyperium's mock::new): two connected
 * `{ readable, writable }` ends. Writes can be throttled (`capacity`: bytes in flight before a write
 * waits for the other end to read), EOF can be injected, and either end can fail like a dead socket.
 */
import type { StreamConstructors } from '../../src/streams';

/** One end of a {@link duplexPair}. */
export interface DuplexEnd {
  /** Bytes the other end wrote. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes for the other end; `write()` resolves once at most `capacity` bytes wait unread. */
  readonly writable: WritableStream<Uint8Array>;
  /** Bytes this end wrote that the other end has not read yet. */
  readonly buffered: number;
  /** Bytes this end wrote in total. */
  readonly bytesWritten: number;
  /** Calls to this end's `write()` so far. */
  readonly writes: number;
  /** Most bytes ever waiting unread from this end. */
  readonly maxBuffered: number;
  /**
   * Injects EOF towards the other end (its readable ends after what is already buffered) without
   * telling this end: later writes here are silently dropped, as on a half-dead socket.
   */
  endWithoutNotify(): void;
  /** Fails this end like a broken socket: its reads and writes reject with `reason`. */
  destroy(reason?: unknown): void;
}

/** Options of {@link duplexPair}. */
export interface DuplexPairOptions {
  /** Bytes a direction holds unread before `write()` waits (default: unlimited). */
  readonly capacity?: number;
  /** The Web Streams implementation of both ends (default: the globals). */
  readonly streams?: StreamConstructors;
}

interface WriteWaiter {
  readonly at: number;
  readonly resolve: () => void;
}

/** One direction: what one end writes, the other reads. */
class Pipe {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly #capacity: number;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #written = 0;
  #writes = 0;
  #consumed = 0;
  #maxBuffered = 0;
  #readController: ReadableStreamDefaultController<Uint8Array> | null = null;
  #writeController: WritableStreamDefaultController | null = null;
  #wanted = false;
  #ending = false;
  #ended = false;
  #failure: { reason: unknown } | null = null;
  #waiters: WriteWaiter[] = [];

  constructor(capacity: number, ctors: StreamConstructors) {
    this.#capacity = capacity;
    this.readable = new ctors.ReadableStream<Uint8Array>(
      {
        start: (c) => {
          this.#readController = c;
        },
        pull: () => {
          this.#wanted = true;
          this.#deliver();
        },
        cancel: () => {
          this.#ended = true;
          this.#chunks = [];
          this.#buffered = 0;
          this.#release();
        },
      },
      { highWaterMark: 0 },
    );
    this.writable = new ctors.WritableStream<Uint8Array>({
      start: (c) => {
        this.#writeController = c;
      },
      write: (chunk) => this.#write(chunk),
      close: () => {
        this.#ending = true;
        this.#deliver();
      },
      abort: (reason) => {
        this.#readController?.error(reason);
        this.#ended = true;
      },
    });
  }

  get buffered(): number {
    return this.#buffered;
  }

  get written(): number {
    return this.#written;
  }

  get writes(): number {
    return this.#writes;
  }

  get maxBuffered(): number {
    return this.#maxBuffered;
  }

  endWithoutNotify(): void {
    this.#ending = true;
    this.#deliver();
  }

  /** The reading side fails (its reads reject). */
  failReads(reason: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#chunks = [];
    this.#readController?.error(reason);
  }

  /** The writing side fails (its writes reject). */
  failWrites(reason: unknown): void {
    this.#failure = { reason };
    this.#writeController?.error(reason);
    this.#release();
  }

  #write(chunk: Uint8Array): Promise<void> | undefined {
    if (this.#failure !== null) throw this.#failure.reason;
    if (this.#ending || this.#ended) return undefined;
    this.#writes++;
    const copy = chunk.slice();
    this.#chunks.push(copy);
    this.#buffered += copy.byteLength;
    this.#written += copy.byteLength;
    if (this.#buffered > this.#maxBuffered) this.#maxBuffered = this.#buffered;
    this.#deliver();
    if (this.#buffered <= this.#capacity) return undefined;
    const at = this.#written - this.#capacity;
    return new Promise<void>((resolve) => this.#waiters.push({ at, resolve }));
  }

  #deliver(): void {
    const c = this.#readController;
    if (c === null || this.#ended) return;
    while (this.#wanted && this.#chunks.length > 0) {
      const chunk = this.#chunks.shift() as Uint8Array;
      this.#buffered -= chunk.byteLength;
      this.#consumed += chunk.byteLength;
      this.#wanted = false;
      c.enqueue(chunk);
    }
    if (this.#ending && this.#chunks.length === 0) {
      this.#ended = true;
      c.close();
    }
    this.#release();
  }

  #release(): void {
    while (this.#waiters.length > 0 && ((this.#waiters[0] as WriteWaiter).at <= this.#consumed || this.#ended || this.#failure !== null)) {
      (this.#waiters.shift() as WriteWaiter).resolve();
    }
  }
}

function end(incoming: Pipe, outgoing: Pipe): DuplexEnd {
  return {
    readable: incoming.readable,
    writable: outgoing.writable,
    get buffered() {
      return outgoing.buffered;
    },
    get bytesWritten() {
      return outgoing.written;
    },
    get writes() {
      return outgoing.writes;
    },
    get maxBuffered() {
      return outgoing.maxBuffered;
    },
    endWithoutNotify() {
      outgoing.endWithoutNotify();
    },
    destroy(reason: unknown = new Error('transport destroyed')) {
      incoming.failReads(reason);
      outgoing.failWrites(reason);
    },
  };
}

/** Two connected in-memory transport ends: `a` writes what `b` reads, and the other way round. */
export function duplexPair(options: DuplexPairOptions = {}): [DuplexEnd, DuplexEnd] {
  const ctors = options.streams ?? ({ ReadableStream: globalThis.ReadableStream, WritableStream: globalThis.WritableStream } as unknown as StreamConstructors);
  const capacity = options.capacity ?? Infinity;
  const ab = new Pipe(capacity, ctors);
  const ba = new Pipe(capacity, ctors);
  return [end(ba, ab), end(ab, ba)];
}

/** Lets every pending microtask and promise chain run (one macrotask turn, repeated); never sleeps. */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** The reason `promise` rejects with; throws if it fulfils instead. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** Stream constructors (subclasses of `base`'s) that count the streams created through them. */
export interface CountingStreams extends StreamConstructors {
  readonly readables: number;
  readonly writables: number;
}

/** Wraps `base` in counting subclasses, to prove that a code path allocates no stream. */
export function countingStreams(base: StreamConstructors): CountingStreams {
  const counts = { readables: 0, writables: 0 };
  const R = base.ReadableStream as unknown as new (...args: unknown[]) => object;
  const W = base.WritableStream as unknown as new (...args: unknown[]) => object;
  class CountingReadable extends R {
    constructor(...args: unknown[]) {
      super(...args);
      counts.readables++;
    }
  }
  class CountingWritable extends W {
    constructor(...args: unknown[]) {
      super(...args);
      counts.writables++;
    }
  }
  return Object.assign(counts, { ReadableStream: CountingReadable, WritableStream: CountingWritable }) as unknown as CountingStreams;
}
