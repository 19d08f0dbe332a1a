/**
 * A stream's outgoing body: a queue of byte chunks the session's scheduler drains into DATA frames as
 * the peer's windows allow, plus the END_STREAM/trailers that follow. It is the WritableStream sink
 * (`write()` resolves once its bytes fit the peer's windows) and the fast path for whole bodies, which
 * needs no WritableStream at all. Over a vectored transport the core references the chunks, and
 * writes resolve once the transport no longer needs them. Layer: streams (runtime-neutral).
 */
import { Outcome } from './outcome.ts';
import type { Sendable } from './scheduler.ts';
import type { H2HeaderList, Sink, StreamConstructors } from './types.ts';

/** What an outbound body needs from its session. */
export interface OutboundHost {
  /** Queue the body with the scheduler and send what the windows allow now. */
  schedule(body: OutboundBody): void;
  /** The producer aborted the writable: the session resets the stream. */
  abortOutbound(streamId: number, reason: unknown): void;
}

/** The chunks of a body with none queued yet, shared (frozen: replaced, never pushed onto). */
const NO_CHUNKS = Object.freeze([]) as unknown as Uint8Array[];

/** A promise waiting until `at` bytes of the body have been handed to the core. */
interface Waiter {
  readonly at: number;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
}

/** Outgoing DATA for one stream, drained frame by frame by the session's scheduler. */
export class OutboundBody implements Sink<Uint8Array>, Sendable {
  /** The stream this body belongs to. */
  readonly streamId: number;
  /** In the scheduler's ready queue (the scheduler's flag, see `Sendable`). */
  queued = false;
  readonly #host: OutboundHost;
  /** Queued chunks; {@link NO_CHUNKS} until the first (a whole body then gets a one-slot array). */
  #chunks: Uint8Array[] = NO_CHUNKS;
  #offset = 0;
  #pending = 0;
  #queuedTotal = 0;
  #sentTotal = 0;
  /** Bytes the transport no longer needs (see {@link release}); counts only while `#holding`. */
  #releasedTotal = 0;
  /** Committed bytes stay referenced until released: writes resolve on release, not on commit. */
  #holding = false;
  #waiters: Waiter[] | null = null;
  #ending = false;
  #trailers: H2HeaderList | null = null;
  #finished = false;
  #failed = false;
  #error: unknown = undefined;
  #writableOpen = false;
  #controller: WritableStreamDefaultController | null = null;
  #writable: WritableStream<Uint8Array> | null = null;
  #end: Outcome<void> | null = null;

  constructor(host: OutboundHost, streamId: number) {
    this.#host = host;
    this.streamId = streamId;
  }

  /** Bytes queued and not yet handed to the core. */
  get pendingBytes(): number {
    return this.#pending;
  }

  /** True once END_STREAM (or trailers) was requested after the queued bytes. */
  get ending(): boolean {
    return this.#ending;
  }

  /** Trailers to send instead of an END_STREAM DATA frame, if any. */
  get trailers(): H2HeaderList | null {
    return this.#trailers;
  }

  /** Bytes handed to the core so far (the mark {@link release} takes). */
  get sentTotal(): number {
    return this.#sentTotal;
  }

  /** True once END_STREAM or trailers went to the core, or the body failed. */
  get done(): boolean {
    return this.#finished || this.#failed;
  }

  /** The body as a WritableStream, created on first use (`highWaterMark` 1: one chunk waits for the window). */
  writable(ctors: StreamConstructors): WritableStream<Uint8Array> {
    if (this.#writable === null) {
      this.#writableOpen = !this.#ending && !this.done;
      this.#writable = new ctors.WritableStream<Uint8Array>(this);
    }
    return this.#writable;
  }

  /**
   * Fast path: queues bytes and, with `end`, the end of the body (trailers if given or set before),
   * without a WritableStream; `sent(end)` tells when they reached the core. Throws if the body already
   * ended; ignored if the stream failed.
   */
  enqueue(data: Uint8Array, end: boolean, trailers: H2HeaderList | null = null): void {
    if (this.#failed) return;
    if (this.#ending || this.#finished) throw new TypeError(`stream ${this.streamId}: body already ended`);
    this.#append(data);
    if (trailers !== null) this.#trailers = trailers;
    if (end) this.#ending = true;
    this.#host.schedule(this);
  }

  /** Resolves once everything queued so far (and, with `end`, the end itself) reached the core. */
  sent(end: boolean): Promise<void> {
    return this.#waitFor(end) ?? Promise.resolve();
  }

  /** Ends the body with trailers: when the open WritableStream closes, or else after the bytes queued so far. */
  setTrailers(trailers: H2HeaderList): void {
    if (this.#failed) return;
    if (this.#ending || this.#finished) throw new TypeError(`stream ${this.streamId}: body already ended`);
    this.#trailers = trailers;
    if (!this.#writableOpen) {
      this.#ending = true;
      this.#host.schedule(this);
    }
  }

  /**
   * The next piece for one DATA frame: up to `max` bytes of the head chunk (a view, not a copy). Call
   * `commit(piece.byteLength)` once the core accepted it.
   */
  peek(max: number): Uint8Array {
    const head = this.#chunks[0] as Uint8Array;
    const n = Math.min(max, head.byteLength - this.#offset);
    return n === head.byteLength ? head : head.subarray(this.#offset, this.#offset + n);
  }

  /**
   * `n` bytes from `peek()` reached the core: drop them and resolve the writes they complete. With
   * `hold`, the core keeps referencing them: the writes resolve only once {@link release} says the
   * transport is done with them (the producer may reuse a buffer as soon as its write resolved).
   */
  commit(n: number, hold = false): void {
    if (hold) this.#holding = true;
    const head = this.#chunks[0] as Uint8Array;
    this.#offset += n;
    this.#pending -= n;
    this.#sentTotal += n;
    if (this.#offset === head.byteLength) {
      this.#chunks.shift();
      this.#offset = 0;
    }
    this.#settleWaiters();
  }

  /** END_STREAM or the trailers reached the core: every waiter succeeds (once released, if held). */
  finish(): void {
    if (this.#finished || this.#failed) return;
    this.#finished = true;
    this.#writableOpen = false;
    this.#settleWaiters();
    if (this.#allReleased) this.#end?.resolve();
  }

  /** The transport is done with the body's bytes up to `sentTotal` mark `at`: their writes resolve. */
  release(at: number): void {
    if (this.#failed || at <= this.#releasedTotal) return;
    this.#releasedTotal = at;
    this.#settleWaiters();
    if (this.#finished && this.#allReleased) this.#end?.resolve();
  }

  get #allReleased(): boolean {
    return !this.#holding || this.#releasedTotal >= this.#sentTotal;
  }

  /**
   * The stream failed (or the transport did, while it still held bytes of a finished body): pending
   * writes reject with `error` and the writable errors.
   */
  fail(error: unknown): void {
    if (this.#failed || (this.#finished && this.#allReleased)) return;
    this.#failed = true;
    this.#error = error;
    this.#chunks = NO_CHUNKS;
    this.#pending = 0;
    this.#writableOpen = false;
    const waiters = this.#waiters;
    this.#waiters = null;
    if (waiters !== null) for (const w of waiters) w.reject(error);
    this.#end?.reject(error);
    if (this.#controller !== null) this.#controller.error(error);
  }

  /** Underlying-sink start. */
  start(controller: WritableStreamDefaultController): void {
    this.#controller = controller;
    if (this.#failed) controller.error(this.#error);
    else if (!this.#writableOpen) controller.error(new TypeError(`stream ${this.streamId}: body already ended`));
  }

  /**
   * Underlying-sink write: resolves once every byte of `chunk` fits the peer's windows. A write after
   * `end()` (the fast path ended the body under an open writable) fails: it could never be sent.
   */
  write(chunk: Uint8Array): Promise<void> | undefined {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('h2flow: body chunks must be Uint8Array');
    if (this.#failed) throw this.#error;
    if (this.#ending || this.#finished) throw new TypeError(`stream ${this.streamId}: body already ended`);
    if (chunk.byteLength === 0) return undefined;
    this.#append(chunk);
    this.#host.schedule(this);
    return this.#waitFor(false);
  }

  /** Underlying-sink close: END_STREAM (or the trailers) after the queued bytes. */
  close(): Promise<void> | undefined {
    if (this.#failed) throw this.#error;
    this.#writableOpen = false;
    this.#ending = true;
    this.#host.schedule(this);
    return this.#waitFor(true);
  }

  /** Underlying-sink abort: the session resets the stream with CANCEL. */
  abort(reason?: unknown): void {
    this.#writableOpen = false;
    this.#host.abortOutbound(this.streamId, reason);
  }

  #append(data: Uint8Array): void {
    if (data.byteLength === 0) return;
    // The first chunk gets a one-slot array: a push onto an empty one allocates 17 slots, for a body that
    // is often one chunk. Later chunks push (the array, once grown, is kept while the body lives).
    if (this.#chunks === NO_CHUNKS) this.#chunks = [data];
    else this.#chunks.push(data);
    this.#pending += data.byteLength;
    this.#queuedTotal += data.byteLength;
  }

  #waitFor(end: boolean): Promise<void> | undefined {
    if (this.#failed) return Promise.reject(this.#error);
    if (end) {
      if (this.#finished && this.#allReleased) return undefined;
      // One outcome for the end, shared by every caller (close(), end(), end() again).
      return (this.#end ??= new Outcome<void>()).promise;
    }
    if (this.#doneTotal >= this.#queuedTotal) return undefined;
    const at = this.#queuedTotal;
    return new Promise<void>((resolve, reject) => (this.#waiters ??= []).push({ at, resolve, reject }));
  }

  /** The bytes whose writes may resolve: those handed to the core, or released when held. */
  get #doneTotal(): number {
    return this.#holding ? this.#releasedTotal : this.#sentTotal;
  }

  #settleWaiters(): void {
    const waiters = this.#waiters;
    if (waiters === null) return;
    const done = this.#doneTotal;
    while (waiters.length > 0 && (waiters[0] as Waiter).at <= done) {
      (waiters.shift() as Waiter).resolve();
    }
  }
}
