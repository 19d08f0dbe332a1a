/**
 * The stream-stall deadline: a stream whose DATA waits on the peer's flow-control window (stream or
 * connection) and none of it was let through for `timeouts.streamStall` is reset with CANCEL. A peer
 * that opens many streams and never reads holds each one's handler and queued body otherwise, forever:
 * the write timeout cannot see it (the transport still accepts bytes), and the windows bound only what
 * is sent, not what waits. Streams with nothing to send, or that keep moving however slowly, are left
 * alone. A wait to read is not counted: a quiet peer on a bidirectional stream (an RFC 8441 WebSocket,
 * gRPC streaming) is normal, and what it sent unread is bounded by our window. Layer: streams
 * (runtime-neutral).
 */
import { ErrorCodes } from '../core/index.ts';
import { Deadline, type DeadlineTarget, type H2Clock } from './deadline.ts';
import type { OutboundBody } from './outbound-body.ts';
import type { SessionPump } from './session-pump.ts';
import { CLOSING } from './session-state.ts';

/** A blocked body's progress at the last check. */
interface Mark {
  sent: number;
  strikes: number;
}

/** Watches the bodies blocked on the peer's windows. */
export class StreamStallWatch implements DeadlineTarget {
  readonly #pump: SessionPump;
  readonly #timer: Deadline;
  readonly #ms: number;
  readonly #marks = new Map<OutboundBody, Mark>();

  /** @param ms the deadline; 0 turns it off. */
  constructor(pump: SessionPump, clock: H2Clock, ms: number) {
    this.#pump = pump;
    this.#ms = ms;
    // Checked every half period, as the write timeout is: two checks in a row without progress reset
    // the stream, so it goes between 1× and 1.5× the deadline after its last byte was let through.
    this.#timer = new Deadline(clock, ms / 2, this);
  }

  /** `body` just waited on a window: its progress is watched from here (unless it already is). */
  blocked(body: OutboundBody): void {
    if (this.#ms <= 0 || this.#marks.has(body)) return;
    this.#marks.set(body, { sent: body.sentTotal, strikes: 0 });
    this.#timer.arm();
  }

  /** The body's stream is over. */
  forget(body: OutboundBody): void {
    if (this.#marks.size > 0) this.#marks.delete(body);
  }

  /** The session is ending. */
  stop(): void {
    this.#timer.disarm();
    this.#marks.clear();
  }

  /** The half-period check. */
  onDeadline(): boolean {
    const pump = this.#pump;
    if (pump.state >= CLOSING) return false;
    const scheduler = pump.data;
    const stalled: OutboundBody[] = [];
    for (const [body, mark] of this.#marks) {
      if (!scheduler.isBlocked(body)) {
        // Let through since (or about to be): watched again if it blocks again.
        this.#marks.delete(body);
      } else if (body.sentTotal !== mark.sent) {
        mark.sent = body.sentTotal;
        mark.strikes = 0;
      } else if (++mark.strikes >= 2) {
        stalled.push(body);
      }
    }
    for (const body of stalled) {
      this.#marks.delete(body);
      const record = pump.records.get(body.streamId);
      const reason = new Error(`stream ${body.streamId} stalled: the peer let none of its DATA through for ${this.#ms} ms`);
      if (record !== undefined) pump.resetStream(record, ErrorCodes.CANCEL, reason);
    }
    return this.#marks.size > 0;
  }
}
