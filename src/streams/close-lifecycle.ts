/**
 * How a session ends: graceful drain (GOAWAY, PING round trip, streams in flight finish), abortive
 * close or connection error (GOAWAY, every stream fails), the peer hanging up or the transport failing
 * or stalling; then the last flush, the transport's close, and `closed`. Layer: streams (runtime-neutral).
 */
import { ErrorCodes, H2Error } from '../core/index.ts';
import { GOAWAY, GRACEFUL_SHUTDOWN } from './core-ops.ts';
import { H2SessionError } from './errors.ts';
import { Outcome } from './outcome.ts';
import type { SessionPump } from './session-pump.ts';
import { CLOSING, DONE, DRAINING, OPEN } from './session-state.ts';

/** Options of `H2Session.close`. */
export interface CloseOptions {
  /** Let streams in flight finish (GOAWAY NO_ERROR, new streams refused). Default true. */
  readonly graceful?: boolean;
  /** The GOAWAY error code of a non-graceful close. Default NO_ERROR. */
  readonly errorCode?: number;
}

/** The session's ending, from the first GOAWAY to `closed`. */
export class CloseLifecycle {
  readonly #pump: SessionPump;
  /** `closed`, made when first read (`whenClosed` observers never read it). */
  #closed: Outcome<void> | null = null;
  /** How the transport's close ended: `undefined` until it did, then `null` (cleanly) or the failure. */
  #closeResult: H2SessionError | null | undefined = undefined;
  #idle: Outcome<void> | null = null;
  #roundTrip: Outcome<void> | null = null;
  #stalled: Outcome<never> | null = null;
  /** The peer ended its side of the transport (read to its end; set by the input reader), before or after the session finished. */
  peerEnded = false;
  /** A write failure cut streams short: the peer ending its side afterwards does not make that a clean end. */
  #writeFailureCutStreams = false;
  /** The one internal observer of the close (see `whenClosed`), or `null`, and what it is told about. */
  #onClosed: ((failure: unknown, subject: unknown) => void) | null = null;
  #closeSubject: unknown = null;

  constructor(pump: SessionPump) {
    this.#pump = pump;
  }

  /** Settles when the transport is done; rejects with the session's failure. */
  get closed(): Promise<void> {
    let closed = this.#closed;
    if (closed === null) {
      closed = this.#closed = new Outcome<void>();
      const result = this.#closeResult;
      if (result === null) closed.resolve();
      else if (result !== undefined) closed.reject(result);
    }
    return closed.promise;
  }

  /** `onClosed(null | failure, subject)` once `closed` settles (a microtask later if it already did). */
  observeClose(onClosed: (failure: unknown, subject: unknown) => void, subject: unknown): void {
    const result = this.#closeResult;
    if (result !== undefined) {
      queueMicrotask(() => onClosed(result, subject));
      return;
    }
    this.#onClosed = onClosed;
    this.#closeSubject = subject;
  }

  /** Closes the session (see `H2Session.close`). */
  async close(options: CloseOptions = {}): Promise<void> {
    const pump = this.#pump;
    if (pump.state <= DRAINING) {
      if (options.graceful === false) {
        // Also during a graceful drain: an abortive close does not wait for the streams in flight.
        const code = options.errorCode ?? ErrorCodes.NO_ERROR;
        this.terminate(code, new H2SessionError(code, false, 'session closed'), false);
      } else {
        // A drain the peer started (its GOAWAY) has no deadline of ours until we ask to close.
        pump.timers.drain.arm();
        if (pump.state === OPEN) await this.drain();
      }
    }
    return this.closed.then(undefined, () => undefined);
  }

  /** The last stream retired: a drain waiting for it may finish. */
  onIdle(): void {
    if (this.#idle !== null) this.#idle.resolve();
  }

  /**
   * Graceful close: GOAWAY NO_ERROR, streams in flight finish, new ones are refused, then the transport
   * closes. Started by `close()` (drain deadline armed there) or by the peer's GOAWAY (none).
   */
  async drain(): Promise<void> {
    const pump = this.#pump;
    pump.state = DRAINING;
    pump.rejectSlotWaiters(new H2SessionError(ErrorCodes.NO_ERROR, false, 'session is closing: no new streams'));
    if (!pump.goawayReceived) {
      let roundTrip: Promise<void> | null = null;
      try {
        if (pump.isClient) {
          // Client: one GOAWAY (last stream id: the highest pushed stream, or 0) and no PING. A server
          // opens streams only by PUSH_PROMISE on our open requests, which we wait for anyway.
          pump.run(GOAWAY, ErrorCodes.NO_ERROR, null);
        } else {
          // Server: two-step GOAWAY (the core's startGracefulShutdown). Our own PING after it comes back
          // after the core's, so by then every stream the peer opened before seeing GOAWAY has arrived.
          // Untimed: the shutdown deadline bounds this round trip.
          pump.run(GRACEFUL_SHUTDOWN, null, null);
          roundTrip = pump.ping(false);
        }
      } catch (err) {
        if (!(err instanceof H2Error)) throw err;
      }
      if (roundTrip !== null) {
        // The peer may read and never answer: the shutdown deadline goes on without the ACK.
        const acked = (this.#roundTrip = new Outcome<void>());
        const onRoundTrip = (): void => acked.resolve();
        roundTrip.then(onRoundTrip, onRoundTrip);
        pump.timers.shutdown.arm();
        await acked.promise;
        pump.timers.shutdown.disarm();
      }
    }
    if (pump.records.size > 0 && pump.state === DRAINING) {
      this.#idle = new Outcome<void>();
      await this.#idle.promise;
    }
    if (pump.state === DRAINING) this.finish(null);
  }

  /**
   * The peer did not answer the graceful close's PING in time, or sent its own GOAWAY meanwhile (frames
   * arrive in order, so every stream it opened before that is in). A server sends the GOAWAY the ACK
   * would have triggered (RFC 9113 §6.8: the last stream ID it processed), then the drain goes on.
   */
  endRoundTrip(): void {
    const pump = this.#pump;
    if (pump.state !== DRAINING || this.#roundTrip === null || this.#roundTrip.settled) return;
    if (!pump.isClient) pump.tryRun(GOAWAY, ErrorCodes.NO_ERROR, null);
    this.#roundTrip.resolve();
  }

  /** Streams still in flight at the drain deadline are reset with CANCEL, and the transport closes. */
  onDrainTimeout(): void {
    const pump = this.#pump;
    if (pump.state !== DRAINING) return;
    const open = pump.records.size;
    const error = open === 0 ? null : new H2SessionError(ErrorCodes.CANCEL, false, `graceful close timed out with ${open} stream(s) in flight`);
    for (const record of [...pump.records.values()]) pump.resetStream(record, ErrorCodes.CANCEL, error);
    if (error !== null) pump.failure ??= error;
    this.finish(error);
  }

  /** Connection-level failure or abortive close: GOAWAY (queued by the caller or the core), every stream fails. */
  terminate(code: number, error: H2SessionError, isFailure: boolean): void {
    const pump = this.#pump;
    if (pump.state === DONE || pump.state === CLOSING) return;
    if (!error.remote) pump.tryRun(GOAWAY, code, null);
    this.failAll(error);
    this.finish(isFailure ? error : null);
  }

  /**
   * The peer ended the transport. With no stream open that is a clean end (`closed` fulfils, e.g. a peer
   * hanging up on our GOAWAY before answering the drain's PING); with streams open it is a failure.
   * Either way every waiter (PINGs, SETTINGS, stream slots) is rejected: no answer can arrive any more.
   */
  onTransportEnd(): void {
    const pump = this.#pump;
    if (pump.state === DONE || pump.state === CLOSING) return;
    const open = pump.records.size;
    const error = new H2SessionError(ErrorCodes.CANCEL, true, open === 0 ? 'transport ended' : `transport ended with ${open} stream(s) open`);
    this.failAll(error);
    this.finish(open === 0 ? null : error);
  }

  /**
   * Reading or writing the transport failed (`cause`, or the writer's failure made from it): the session
   * fails with INTERNAL_ERROR, unless it already ended (then the writer's failure reaches `closed`).
   */
  onTransportError(cause: unknown): void {
    const pump = this.#pump;
    if (pump.state === DONE || pump.state === CLOSING) return;
    const error = cause === pump.output.failure ? (cause as H2SessionError) : new H2SessionError(ErrorCodes.INTERNAL_ERROR, true, 'transport failed', { cause });
    if (error === pump.output.failure && pump.records.size > 0) this.#writeFailureCutStreams = true;
    pump.output.writerClosed = true;
    this.failAll(error);
    this.finish(error);
  }

  failAll(error: H2SessionError): void {
    const pump = this.#pump;
    // From here on nothing new is sent: no DATA, no WINDOW_UPDATE for bodies being torn down.
    pump.state = CLOSING;
    pump.failure ??= error;
    const records = [...pump.records.values()];
    for (const record of records) record.fail(error);
    pump.clearRecords();
    this.rejectWaiters(error);
  }

  /** Rejects every PING, SETTINGS and stream-slot waiter: nothing can answer them once the session ends. */
  rejectWaiters(error: H2SessionError): void {
    const pump = this.#pump;
    pump.rejectPings(error);
    pump.rejectSettings(error);
    pump.rejectSlotWaiters(error);
  }

  /** Flushes the last frames, closes the transport, then settles `closed`. */
  finish(failure: H2SessionError | null): void {
    const pump = this.#pump;
    pump.state = CLOSING;
    // The write timer stays armed until the transport is closed: a peer that does not read must not
    // hold the final flush (and `closed`) forever either.
    pump.timers.stopPolicies();
    pump.closeIncoming();
    // A graceful close may end with a PING or SETTINGS still unanswered: the transport closes now, so
    // those waiters fail instead of hanging.
    if (pump.pendingPings > 0 || pump.unackedSettings > 0 || pump.slotsWaiting) this.rejectWaiters(pump.unusable());
    pump.output.flushNow();
    pump.state = DONE;
    pump.closeEvents();
    if (this.#idle !== null) this.#idle.resolve();
    this.#roundTrip?.resolve();
    pump.output.releaseBacklog();
    void this.#closeTransport(failure);
  }

  async #closeTransport(failure: H2SessionError | null): Promise<void> {
    const pump = this.#pump;
    // A sink write or close the peer never lets complete cannot be aborted (Web Streams wait for it), so
    // the write timeout (bytes in flight) or the closing deadline (the close itself) may give up instead.
    const stalled = (this.#stalled ??= new Outcome<never>());
    pump.timers.closing.arm();
    try {
      if (!pump.output.writerClosed) await Promise.race([pump.output.close(), stalled.promise]);
    } catch (err) {
      // A close that fails (e.g. the peer reset the connection before our last bytes left) lost them.
      failure ??= err === stalled.reason ? (err as H2SessionError) : pump.output.transportFailed(err);
    }
    try {
      await Promise.race([pump.input.cancel(), stalled.promise]);
    } catch (err) {
      failure ??= err as H2SessionError;
    }
    pump.timers.stopWrites();
    // A write that failed while the session was already closing (its last flush, a body's last bytes)
    // lost data the peer never got: `closed` says so.
    failure ??= pump.output.failure;
    // Unless the peer ended its side with no stream open (it hung up, e.g. after its GOAWAY or ours; its
    // end may be read after the failure, if that failure cut no stream short): then the write that failed
    // was our last frames racing its reset, which lost nothing it waited for; a peer that simply hangs up
    // is a clean end, as `closed` documents.
    if (failure !== null && failure === pump.output.failure && this.peerEnded && !this.#writeFailureCutStreams) failure = null;
    this.#closeResult = failure;
    if (failure !== null) this.#closed?.reject(failure);
    else this.#closed?.resolve();
    const onClosed = this.#onClosed;
    const subject = this.#closeSubject;
    this.#onClosed = null;
    this.#closeSubject = null;
    onClosed?.(failure, subject);
  }

  /**
   * A write failed after the session finished: the transport's close, queued behind that write, may
   * never complete (nor the writes after it): `closed` stops waiting for it and reports the failure.
   */
  onLateWriteFailure(error: H2SessionError): void {
    (this.#stalled ??= new Outcome<never>()).reject(error);
  }

  /**
   * The peer stopped reading or answering: abort the transport (nothing more can be delivered) and fail.
   * If the session was already closing, its last flush is what is stuck: stop waiting for it.
   */
  onStalled(message: string): void {
    const pump = this.#pump;
    const error = new H2SessionError(ErrorCodes.INTERNAL_ERROR, true, message);
    pump.output.abort(error);
    if (pump.state >= CLOSING) {
      this.#stalled ??= new Outcome<never>();
      this.#stalled.reject(error);
      return;
    }
    this.failAll(error);
    this.finish(error);
  }
}
