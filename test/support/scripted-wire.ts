/**
 * A scripted transport for streams-layer tests whose writes complete, stay pending or fail when the test
 * says: a direct transport (`H2Transport.direct`) or the same script behind a Web Streams pair, vectored
 * or not. What the session writes is parsed by a TestPeer; what the test sends is delivered to the
 * session's sink at once. A write can fail by rejecting (the write in flight, or the next one) or by
 * throwing synchronously (the next one); reading keeps working (a transport that broke for writing only,
 * e.g. EPIPE with the peer's bytes still arriving), so the failure the session sees first is the write's.
 */
import type { H2DirectTransport, H2Transport, H2TransportSink } from '../../src/streams';
import { concat } from './bytes';
import { TestPeer, type PeerRole } from './peer';

/** How the session reaches the script: through `direct`, or through a `readable`/`writable` pair. */
export type WireFlavor = 'direct' | 'streams';

/** How the next write fails (see {@link ScriptedWire.failNext}). */
export type NextWriteFailure = 'reject' | 'throw';

interface PendingWrite {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class ScriptedWire implements H2DirectTransport {
  /** The peer: builds what the test sends, parses what the session writes. */
  readonly peer: TestPeer;
  /** While true, writes stay pending until `complete()` or `failPending()`. */
  hold = false;
  /** Transport writes the session made (thrown or rejected ones included). */
  writes = 0;
  /** Calls of `close()` and `abort()`. */
  closes = 0;
  aborts = 0;
  /** What a call into the session's sink threw (a sink must not throw into its transport), if anything. */
  sinkThrew: unknown[] = [];
  readonly #pending: PendingWrite[] = [];
  /** Writes that will never settle (see `failOldest`). */
  readonly #stuck: PendingWrite[] = [];
  /** Set once broken: later writes fail (as `failNext` says), and `close()` rejects. */
  #failure: { readonly error: unknown; readonly how: NextWriteFailure } | null = null;
  /** The next write fails this way (then the wire stays broken). */
  #next: { readonly error: unknown; readonly how: NextWriteFailure } | null = null;
  #sink: H2TransportSink | null = null;

  constructor(peerRole: PeerRole) {
    this.peer = new TestPeer(peerRole);
  }

  /** The transport to give the session. */
  transport(flavor: WireFlavor, vectored: boolean): H2Transport {
    if (flavor === 'direct') return { readable: null as never, writable: null as never, vectored, direct: this };
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const readable = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) }, { highWaterMark: 0 });
    this.#sink = { data: (chunk) => controller.enqueue(chunk), end: () => controller.close(), error: (e) => controller.error(e) };
    const writable = new WritableStream<Uint8Array | Uint8Array[]>({
      write: (chunk) => this.write(chunk),
      close: () => this.close(),
      abort: (reason) => this.abort(reason),
    });
    return { readable, writable: writable as WritableStream<Uint8Array>, vectored };
  }

  // --- H2DirectTransport ---

  start(sink: H2TransportSink): void {
    this.#sink = sink;
  }
  pause(): void {}
  resume(): void {}
  cancel(): Promise<void> {
    return Promise.resolve();
  }

  write(chunk: Uint8Array | Uint8Array[]): Promise<void> | undefined {
    this.writes++;
    const next = this.#next;
    if (next !== null) {
      this.#next = null;
      this.#failure = next;
    }
    const failure = this.#failure;
    if (failure !== null) {
      if (failure.how === 'throw') throw failure.error;
      return Promise.reject(failure.error);
    }
    for (const piece of Array.isArray(chunk) ? chunk : [chunk]) this.peer.read(piece.slice());
    if (!this.hold) return undefined;
    return new Promise<void>((resolve, reject) => this.#pending.push({ resolve, reject }));
  }

  /**
   * After the writes before it, as the interface says (so it waits for a write that never settles), and
   * like them: it rejects once the wire broke.
   */
  close(): Promise<void> {
    this.closes++;
    if (this.#pending.length === 0) return this.#failure === null ? Promise.resolve() : Promise.reject(this.#failure.error);
    const last = this.#pending[this.#pending.length - 1] as PendingWrite;
    return new Promise<void>((resolve, reject) => {
      this.#pending[this.#pending.length - 1] = {
        resolve: () => (last.resolve(), resolve()),
        reject: (e) => (last.reject(e), reject(e)),
      };
    });
  }

  abort(reason: unknown): void {
    this.aborts++;
    this.failPending(reason);
  }

  // --- the script ---

  /** Writes waiting. */
  get pendingWrites(): number {
    return this.#pending.length;
  }

  /** Completes every write waiting (in order). */
  complete(): void {
    for (const p of this.#pending.splice(0)) p.resolve();
  }

  /** The wire breaks: every write waiting rejects with `error`, and so do later ones. */
  failPending(error: unknown): void {
    this.#failure ??= { error, how: 'reject' };
    for (const p of this.#pending.splice(0)) p.reject(error);
  }

  /**
   * The wire breaks under the oldest write waiting: it rejects with `error`, the later ones never settle
   * (nor does a `close()` behind them), and new writes reject.
   */
  failOldest(error: unknown): void {
    this.#failure ??= { error, how: 'reject' };
    this.#pending.shift()?.reject(error);
    this.#stuck.push(...this.#pending.splice(0));
  }

  /** The next write fails with `error` (its promise rejects, or the call throws); the wire stays broken. */
  failNext(error: unknown, how: NextWriteFailure): void {
    this.#next = { error, how };
  }

  /** The peer ends its side (the session reads to the end of the transport). */
  endInput(): void {
    this.#sink?.end();
  }

  /** Delivers peer frames to the session (one chunk); records anything the session's sink throws back. */
  send(...chunks: Uint8Array[]): void {
    try {
      this.#sink?.data(concat(...chunks));
    } catch (err) {
      this.sinkThrew.push(err);
    }
  }
}
