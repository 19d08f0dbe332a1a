/**
 * RFC 7540 priority on outbound frames: validation, h2's defaults, and fitting the 5 priority octets
 * into a HEADERS frame. Sans-I/O core. Port of h2.connection._add_frame_priority.
 */

import { ContinuationFrame } from '../frame/index.ts';
import type { Frame, HeadersFrame, PriorityFrame } from '../frame/index.ts';
import { ProtocolError } from './exceptions.ts';

/** The largest stream ID a priority may depend on (RFC 9113 §5.1.1: 31 bits). */
const MAX_STREAM_ID = 2 ** 31 - 1;

/**
 * Checks outbound priority arguments before anything is encoded or queued: a self-dependency and
 * weights outside 1–256 are `ProtocolError`s (as in h2); a `dependsOn` that is not a stream ID
 * (an integer 0 … 2^31-1) is a RangeError and a non-boolean `exclusive` a TypeError (API misuse:
 * h2 fails on them only when serializing the frame, after its HPACK encoder took the block).
 */
export function checkPriority(
  streamId: number,
  weight: number | null | undefined,
  dependsOn: number | null | undefined,
  exclusive: boolean | null | undefined,
): void {
  if (dependsOn != null && !(Number.isInteger(dependsOn) && dependsOn >= 0 && dependsOn <= MAX_STREAM_ID)) {
    throw new RangeError(`dependsOn must be a stream ID (an integer 0 … 2^31-1), not ${String(dependsOn)}`);
  }
  if (exclusive != null && typeof exclusive !== 'boolean') throw new TypeError(`exclusive must be a boolean, not ${String(exclusive)}`);
  // RFC 7540 §5.3.1: "A stream cannot depend on itself."
  if (dependsOn === streamId) throw new ProtocolError(`Stream ${streamId} may not depend on itself`);
  if (weight != null && !(Number.isInteger(weight) && weight >= 1 && weight <= 256)) {
    throw new ProtocolError(`Weight must be between 1 and 256, not ${String(weight)}`);
  }
}

/** Writes priority fields into `frame` with h2's defaults: weight 16, depends on 0, not exclusive. */
export function applyPriority(
  frame: PriorityFrame | HeadersFrame,
  weight: number | null | undefined,
  dependsOn: number | null | undefined,
  exclusive: boolean | null | undefined,
): void {
  // Weight is 1–256 but the octet holds 0–255: subtract one.
  frame.streamWeight = weight != null ? weight - 1 : 15;
  frame.dependsOn = dependsOn ?? 0;
  frame.exclusive = exclusive ?? false;
}

/**
 * With priority, HEADERS carries 5 more octets; if that pushes the first frame of `frames` past
 * `maxFrameSize`, the tail of its block moves into a new CONTINUATION right after it (h2 fails an
 * assertion here).
 */
export function fitPriorityHeaders(frames: Frame[], maxFrameSize: number): void {
  const first = frames[0] as HeadersFrame;
  const excess = first.bodyLength - maxFrameSize;
  if (excess <= 0) return;
  const block = first.data;
  const tail = new ContinuationFrame(first.streamId, { data: block.subarray(block.length - excess) });
  first.data = block.subarray(0, block.length - excess);
  if (first.flags.has('END_HEADERS')) {
    first.flags.delete('END_HEADERS');
    tail.flags.add('END_HEADERS');
  }
  frames.splice(1, 0, tail);
}
