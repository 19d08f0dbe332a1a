/**
 * DATA scheduling: drains ready bodies into DATA frames, round robin frame by frame, as far as the
 * peer's windows and the outbound high-water mark allow, then their END_STREAM or trailers.
 * Layer: streams (runtime-neutral).
 */
import type { OutboundBody } from './outbound-body.ts';
import { SendScheduler } from './scheduler.ts';
import { END_STREAM, SEND_DATA, SEND_LAST_DATA, SEND_LAST_HEADERS } from './core-ops.ts';
import type { SessionPump } from './session-pump.ts';
import { CLOSING } from './session-state.ts';
// Each DATA frame's 9-octet header counts against the outbound high-water mark too.
import { FRAME_HEADER_LENGTH } from '../frame/index.ts';

/**
 * Sends the bodies' DATA as the windows allow; it is its own scheduler (a subclass rather than a field:
 * one object per session fewer).
 */
export class DataSender extends SendScheduler<OutboundBody> {
  readonly #pump: SessionPump;
  #pumping = false;

  constructor(pump: SessionPump) {
    super();
    this.#pump = pump;
  }

  /** A transport write completed: room may have opened under the high-water mark. */
  onWritten(): void {
    if (this.hasReady) this.pumpData();
  }

  /** Sends DATA for ready bodies, one frame per body in turn, while windows and the output allow. */
  pumpData(): void {
    const pump = this.#pump;
    if (this.#pumping || pump.state >= CLOSING) return;
    this.#pumping = true;
    try {
      const output = pump.output;
      while (this.hasReady && output.hasRoom) {
        const body = this.next() as OutboundBody;
        try {
          this.#sendFrom(body);
        } catch (err) {
          const record = pump.records.get(body.streamId);
          if (record !== undefined) record.fail(err);
          else body.fail(err);
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  /**
   * Sends DATA for `body`: one frame while other bodies wait their turn (round robin, frame by frame);
   * while it is the only one ready, as many frames as the windows and the outbound high-water mark
   * allow, a chunk's worth per core call (one call per batch, not per 16 KiB frame); then the end
   * (END_STREAM or trailers) once everything queued went out. Queues it again if it has more.
   */
  #sendFrom(body: OutboundBody): void {
    if (body.done) return;
    const pump = this.#pump;
    const conn = pump.conn;
    const output = pump.output;
    const id = body.streamId;
    while (body.pendingBytes > 0) {
      const window = conn.localFlowControlWindow(id);
      if (window <= 0) {
        this.block(body);
        pump.timers.streamBlocked(body);
        return;
      }
      const frameSize = conn.maxOutboundFrameSize;
      let max = frameSize;
      if (!this.hasReady) {
        // Whole frames up to the high-water mark (overshooting it by less than a frame, as frame by
        // frame would), within the window.
        const room = output.highWaterMark - output.inFlight - output.unflushed;
        if (room > frameSize) max = Math.ceil(room / frameSize) * frameSize;
      }
      const piece = body.peek(Math.min(window, max));
      const size = piece.byteLength;
      const last = size === body.pendingBytes && body.ending && body.trailers === null;
      pump.run(last ? SEND_LAST_DATA : SEND_DATA, id, piece);
      if (output.vectored) {
        body.commit(size, true);
        output.hold(body);
      } else {
        body.commit(size);
      }
      output.unflushed += size + FRAME_HEADER_LENGTH * (size === 0 ? 1 : Math.ceil(size / frameSize));
      if (last) {
        this.#endBody(body);
        return;
      }
      if (this.hasReady || !output.hasRoom) {
        if (body.pendingBytes > 0 || body.ending) this.enqueue(body);
        return;
      }
    }
    if (!body.ending) return;
    const trailers = body.trailers;
    if (trailers !== null) pump.run(SEND_LAST_HEADERS, id, trailers);
    else pump.run(END_STREAM, id, null);
    output.unflushed += FRAME_HEADER_LENGTH;
    this.#endBody(body);
  }

  #endBody(body: OutboundBody): void {
    body.finish();
    this.#pump.records.get(body.streamId)?.onLocalEnd();
  }
}
