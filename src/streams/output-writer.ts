/**
 * The session's output: everything the core queued in a turn goes out as ONE transport write, and the
 * bytes written but not yet accepted by the transport are counted (the outbound high-water mark, the
 * read loop's backpressure, and over a vectored transport the bodies' chunks each write still
 * references). Layer: streams (runtime-neutral).
 */
import { ErrorCodes, type ViewFactory } from '../core/index.ts';
import { H2SessionError } from './errors.ts';
import type { OutboundBody } from './outbound-body.ts';
import { Outcome } from './outcome.ts';
import { queueTask, type MicrotaskTarget } from './microtask.ts';
import type { SessionPump } from './session-pump.ts';
import { DONE } from './session-state.ts';
import type { H2DirectTransport, H2Transport } from './types.ts';

/** The default amount of DATA (bytes) handed to the transport and not yet written before bodies wait. */
export const DEFAULT_OUTBOUND_HIGH_WATER_MARK = 256 * 1024;
/**
 * The default over a vectored transport, whose DATA is the bodies' own chunks (no copy to hold): one
 * writev per MiB, as node:http2 does (bulk transfers over Node sockets reached ~0.85× node:http2's
 * throughput with it, ~0.65× at 256 KiB, mostly spent in writev).
 */
export const DEFAULT_VECTORED_OUTBOUND_HIGH_WATER_MARK = 1024 * 1024;

/** The writer's microtasks (`runMicrotask` kinds). */
const FLUSH = 0;
const WRITTEN = 1;

/** Writes the core's output to the transport and keeps the in-flight accounting. */
export class OutputWriter implements MicrotaskTarget {
  readonly #pump: SessionPump;
  readonly #port: H2DirectTransport;
  /** The transport takes `Uint8Array[]` writes: DATA payloads go out uncopied (see `H2Transport.vectored`). */
  readonly vectored: boolean;
  /** The transport's way to make a vectored write's arrays (`H2Transport.makeView`). */
  readonly #makeView: ViewFactory | undefined;
  /** DATA bytes in flight plus unflushed before bodies wait (`H2SessionOptions.outboundHighWaterMark`). */
  readonly highWaterMark: number;
  /** Bytes queued in the core since the last flush. */
  unflushed = 0;
  /** Bytes written and not yet accepted by the transport. */
  inFlight = 0;
  /** Transport writes completed so far (the write timeout watches it). */
  written = 0;
  /** True once the transport's writable was closed or aborted: nothing more is written. */
  writerClosed = false;
  /**
   * The first write failure, as the session's typed error (its cause the transport's error): `closed`
   * reports it even when the write failed after the session had started closing.
   */
  failure: H2SessionError | null = null;
  #flushScheduled = false;
  /**
   * Each write in flight, oldest first, as two entries: its size, then (vectored) the bodies it still
   * references, released when it completes (one array for both: one object fewer per connection).
   */
  readonly #inFlightWrites: Array<number | Map<OutboundBody, number> | null> = [];
  /** Vectored: bodies whose bytes went to the core since the last flush, with their `sentTotal` marks. */
  #held: Map<OutboundBody, number> | null = null;
  #backlogDrained: Outcome<void> | null = null;
  /** A write promise's callbacks (made with the first write a transport answers with a promise). */
  #onWritten: (() => void) | null = null;
  #onWriteFailed: ((err: unknown) => void) | null = null;

  constructor(pump: SessionPump, transport: H2Transport, port: H2DirectTransport, highWaterMark: number | undefined) {
    this.#pump = pump;
    this.#port = port;
    this.vectored = transport.vectored === true;
    this.#makeView = transport.makeView;
    this.highWaterMark = highWaterMark ?? (this.vectored ? DEFAULT_VECTORED_OUTBOUND_HIGH_WATER_MARK : DEFAULT_OUTBOUND_HIGH_WATER_MARK);
  }

  /** True while more DATA may be handed to the core (in flight plus unflushed below the high-water mark). */
  get hasRoom(): boolean {
    return this.inFlight + this.unflushed < this.highWaterMark;
  }

  /** Vectored: `body`'s bytes up to its current `sentTotal` stay referenced until the write carrying them completes. */
  hold(body: OutboundBody): void {
    (this.#held ??= new Map()).set(body, body.sentTotal);
  }

  /** True while the transport or the core holds more than the session lets build up: reading pauses. */
  backedUp(): boolean {
    return this.inFlight > this.#pump.conn.config.outboundBufferSize || this.#pump.conn.outboundBufferFull;
  }

  /** Resolves once the output is no longer backed up (or the session finished). */
  backlogDrained(): Promise<void> {
    return (this.#backlogDrained ??= new Outcome<void>()).promise;
  }

  /** The session finished: nothing waits for the backlog any more. */
  releaseBacklog(): void {
    if (this.#backlogDrained !== null) this.#backlogDrained.resolve();
  }

  scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueTask(this, FLUSH);
  }

  /** The scheduled flush (FLUSH), or a write the transport took at once completing (WRITTEN). */
  runMicrotask(kind: number): void {
    if (kind === WRITTEN) this.#written();
    else if (this.#flushScheduled) this.flushNow();
  }

  /**
   * Takes everything the core queued and writes it as ONE transport write: one array, or over a
   * vectored transport the core's list of arrays (with the bodies' own chunks in it, uncopied).
   */
  flushNow(): void {
    this.#flushScheduled = false;
    this.unflushed = 0;
    const held = this.#held;
    this.#held = null;
    if (this.writerClosed) {
      if (held !== null) this.#failHeld(held, this.#pump.failure ?? new H2SessionError(ErrorCodes.CANCEL, true, 'transport closed'));
      return;
    }
    let out: Uint8Array | Uint8Array[];
    let size = 0;
    if (this.vectored) {
      // Counted before the take: a batch is a piece list of two arrays per DATA frame.
      size = this.#pump.conn.bufferedAmount;
      const pieces = this.#pump.conn.dataToSendVectored(this.#makeView);
      // A referenced payload always comes with its frame header in a piece of its own: one piece is
      // the core's own copy, written (and resolved at once by the transport) like a plain batch.
      out = pieces.length > 1 ? pieces : (pieces[0] ?? new Uint8Array(0));
    } else {
      out = this.#pump.conn.dataToSend();
      size = out.byteLength;
    }
    if (size === 0) {
      // Nothing of theirs is written now: the bodies' marks wait for the writes already in flight.
      if (held !== null) this.#releaseAfterInFlight(held);
      return;
    }
    this.inFlight += size;
    // Released in write order: a body's mark covers its bytes in earlier writes still in flight too.
    this.#inFlightWrites.push(size, held);
    this.#pump.timers.onWriteStarted();
    let written: Promise<void> | undefined;
    try {
      written = this.#port.write(out);
    } catch (err) {
      // A write that throws fails like one that rejects, a microtask later: flushNow's callers (the
      // read callback, finish()) must not be thrown into, and the failure is handled in one place.
      written = Promise.reject(err);
    }
    // Taken at once: completed a microtask later, as a write promise would be.
    if (written === undefined) queueTask(this, WRITTEN);
    else written.then((this.#onWritten ??= () => this.#written()), (this.#onWriteFailed ??= (err) => this.#writeFailed(err)));
  }

  /** Closes the transport's writable (after the writes queued). */
  close(): Promise<void> {
    this.writerClosed = true;
    return this.#port.close();
  }

  /** Aborts the transport's writable: nothing more can be delivered. */
  abort(error: unknown): void {
    this.writerClosed = true;
    try {
      this.#port.abort(error);
    } catch {
      // The transport is given up either way.
    }
  }

  /** Writing failed with `cause` (a write, or the transport's close): the first such failure, typed. */
  transportFailed(cause: unknown): H2SessionError {
    return (this.failure ??= new H2SessionError(ErrorCodes.INTERNAL_ERROR, true, 'transport failed', { cause }));
  }

  /** Releases `held` once the last write in flight completes (at once if none is). */
  #releaseAfterInFlight(held: Map<OutboundBody, number>): void {
    const writes = this.#inFlightWrites;
    const n = writes.length;
    const last = n === 0 ? null : (writes[n - 1] as Map<OutboundBody, number> | null);
    if (n === 0) {
      for (const [body, at] of held) body.release(at);
    } else if (last === null) {
      writes[n - 1] = held;
    } else {
      for (const [body, at] of held) last.set(body, at);
    }
  }

  /** A write that referenced bodies' chunks failed: their pending writes (and ends) fail with `error`. */
  #failHeld(held: Map<OutboundBody, number>, error: unknown): void {
    for (const body of held.keys()) body.fail(error);
  }

  #written(): void {
    this.written++;
    const writes = this.#inFlightWrites;
    this.inFlight -= (writes.shift() as number | undefined) ?? 0;
    const held = writes.shift() as Map<OutboundBody, number> | null | undefined;
    // Emptied, the array gives its store back (an optimised shift keeps it: ~150 B per idle
    // connection); the next write makes it again, as the unoptimised shift does.
    if (writes.length === 0) writes.length = 0;
    if (held != null) for (const [body, at] of held) body.release(at);
    if (this.#backlogDrained !== null && !this.backedUp()) {
      const drained = this.#backlogDrained;
      this.#backlogDrained = null;
      drained.resolve();
    }
    this.#pump.data.onWritten();
  }

  /**
   * A write failed: nothing more can be delivered. The session fails (unless it already ended), every
   * write in flight is given back (its bytes and the bodies it referenced, which fail with the session's
   * error), and `closed` will report the failure. Later failures of writes queued behind it add nothing.
   */
  #writeFailed(err: unknown): void {
    const pump = this.#pump;
    const error = this.transportFailed(err);
    this.writerClosed = true;
    // First: the streams (and their bodies) fail with the session's error, not the bare transport error.
    if (pump.state === DONE) pump.lifecycle.onLateWriteFailure(error);
    else pump.lifecycle.onTransportError(error);
    const writes = this.#inFlightWrites;
    const failure = pump.failure ?? error;
    for (let i = 1; i < writes.length; i += 2) {
      const held = writes[i] as Map<OutboundBody, number> | null;
      if (held !== null) this.#failHeld(held, failure);
    }
    writes.length = 0;
    this.inFlight = 0;
  }
}
