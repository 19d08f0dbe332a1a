/*
 * Parsing the 9-octet frame header (RFC 9113 §4.1) into an empty frame of the right class.
 * Frame layer (sans-I/O). Port of hyperframe/frame.py `Frame.parse_frame_header` and `FRAMES`.
 */
import { FRAME_HEADER_LENGTH } from './frame.ts';
import type { Frame } from './frame.ts';
import { DataFrame } from './data.ts';
import { ContinuationFrame, HeadersFrame, PushPromiseFrame } from './headers.ts';
import { GoAwayFrame, PingFrame, PriorityFrame, RstStreamFrame, SettingsFrame, WindowUpdateFrame } from './control.ts';
import { AltSvcFrame, ExtensionFrame, PriorityUpdateFrame } from './extensions.ts';
import { FrameType } from './frame-type.ts';
import { InvalidFrameError, UnknownFrameError } from './errors.ts';

/** A frame class as the header parser builds it: from the stream id alone. */
type FrameClass = new (streamId: number) => Frame;

/** The frame class of each known type octet (hyperframe's `FRAMES`, plus PRIORITY_UPDATE). */
export const FRAMES: ReadonlyMap<number, FrameClass> = new Map<number, FrameClass>([
  [FrameType.DATA, DataFrame],
  [FrameType.HEADERS, HeadersFrame],
  [FrameType.PRIORITY, PriorityFrame],
  [FrameType.RST_STREAM, RstStreamFrame],
  [FrameType.SETTINGS, SettingsFrame],
  [FrameType.PUSH_PROMISE, PushPromiseFrame],
  [FrameType.PING, PingFrame],
  [FrameType.GOAWAY, GoAwayFrame],
  [FrameType.WINDOW_UPDATE, WindowUpdateFrame],
  [FrameType.CONTINUATION, ContinuationFrame],
  [FrameType.ALTSVC, AltSvcFrame],
  [FrameType.PRIORITY_UPDATE, PriorityUpdateFrame],
]);

/** The same table indexed by type octet, for the hot path. */
const BY_TYPE: (FrameClass | undefined)[] = [];
for (const [type, cls] of FRAMES) BY_TYPE[type] = cls;

/** Options of {@link parseFrameHeader}. */
export interface ParseFrameHeaderOptions {
  /** Throw `UnknownFrameError` for an unknown type instead of returning an `ExtensionFrame`. */
  strict?: boolean | undefined;
}

/**
 * Builds the empty frame a header announces: the class for `type` on `streamId` (reserved bit already
 * masked) with `flagByte` applied. Throws `InvalidDataError` for a stream id the type forbids.
 */
export function frameForHeader(type: number, flagByte: number, streamId: number, length: number, strict = false): Frame {
  const cls = BY_TYPE[type];
  let frame: Frame;
  if (cls !== undefined) frame = new cls(streamId);
  else if (strict) throw new UnknownFrameError(type, length);
  else frame = new ExtensionFrame(streamId, { type });
  frame.parseFlags(flagByte);
  return frame;
}

/**
 * Parses the 9-octet header at `offset` of `buf` and returns the (body-less) frame and the payload
 * length still to read; then call `frame.parseBody(payload)`. Fewer than 9 octets is an
 * `InvalidFrameError`; a stream id the type forbids is an `InvalidDataError`. Unknown types become
 * `ExtensionFrame`s (RFC 9113 §5.5) unless `strict`. Flag bits the type does not define are dropped.
 */
export function parseFrameHeader(buf: Uint8Array, offset = 0, options?: ParseFrameHeaderOptions): [Frame, number] {
  if (!(offset >= 0) || buf.length - offset < FRAME_HEADER_LENGTH) throw new InvalidFrameError('Invalid frame header');
  const length = (buf[offset]! << 16) | (buf[offset + 1]! << 8) | buf[offset + 2]!;
  // RFC 9113 §4.1: the reserved bit "MUST be ignored when receiving".
  const streamId = ((buf[offset + 5]! & 0x7f) << 24) | (buf[offset + 6]! << 16) | (buf[offset + 7]! << 8) | buf[offset + 8]!;
  const frame = frameForHeader(buf[offset + 3]!, buf[offset + 4]!, streamId, length, options?.strict ?? false);
  return [frame, length];
}
