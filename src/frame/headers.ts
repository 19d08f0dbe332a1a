/*
 * Header block frames: HEADERS (RFC 9113 §6.2), PUSH_PROMISE (§6.6) and CONTINUATION (§6.10).
 * Frame layer (sans-I/O). Port of hyperframe/frame.py `HeadersFrame`, `PushPromiseFrame`,
 * `ContinuationFrame`; FrameBuffer joins a block's fragments into its HEADERS/PUSH_PROMISE frame.
 */
import { EMPTY, Frame, frameSpec, readUint32, StreamAssociation, writeUint32 } from './frame.ts';
import { PaddedFrame } from './padding.ts';
import { PRIORITY_DATA_LENGTH, priorityRepr, readPriority, writePriority } from './priority.ts';
import type { PriorityFields } from './priority.ts';
import { FrameType } from './frame-type.ts';
import type { FlagName } from './flags.ts';
import { InvalidDataError, InvalidFrameError } from './errors.ts';
import { rawDataRepr } from './repr.ts';

/** PRIORITY is 0x20 on HEADERS (RFC 9113 §6.2). */
const PRIORITY_BIT = 0x20;

// RFC 9113 §6.2, §6.6, §6.10: HEADERS, PUSH_PROMISE and CONTINUATION received on stream 0x0 MUST be
// treated as a connection error of type PROTOCOL_ERROR.
const HEADERS_SPEC = frameSpec('HeadersFrame', FrameType.HEADERS, StreamAssociation.HAS_STREAM, [
  { name: 'END_STREAM', bit: 0x01 },
  { name: 'END_HEADERS', bit: 0x04 },
  { name: 'PADDED', bit: 0x08 },
  { name: 'PRIORITY', bit: PRIORITY_BIT },
]);

const PUSH_PROMISE_SPEC = frameSpec('PushPromiseFrame', FrameType.PUSH_PROMISE, StreamAssociation.HAS_STREAM, [
  { name: 'END_HEADERS', bit: 0x04 },
  { name: 'PADDED', bit: 0x08 },
]);

const CONTINUATION_SPEC = frameSpec('ContinuationFrame', FrameType.CONTINUATION, StreamAssociation.HAS_STREAM, [{ name: 'END_HEADERS', bit: 0x04 }]);

/** The fields of a {@link HeadersFrame}. */
export interface HeadersFrameFields {
  /** The header block fragment. */
  data?: Uint8Array | undefined;
  /** Padding octets, written when PADDED is set. */
  padLength?: number | undefined;
  /** Stream dependency, written when PRIORITY is set. */
  dependsOn?: number | undefined;
  /** Wire weight 0–255, written when PRIORITY is set. */
  streamWeight?: number | undefined;
  /** Exclusive dependency, written when PRIORITY is set. */
  exclusive?: boolean | undefined;
  /** Flags to set: `END_STREAM`, `END_HEADERS`, `PADDED`, `PRIORITY`. */
  flags?: Iterable<FlagName> | undefined;
}

/** A HEADERS frame: a header block fragment, optional padding and priority data. */
export class HeadersFrame extends PaddedFrame implements PriorityFields {
  /** The header block fragment (the whole block when yielded by FrameBuffer). */
  data: Uint8Array;
  /** The stream this one depends on (meaningful when PRIORITY is set). */
  dependsOn: number;
  /** The wire weight 0–255 (meaningful when PRIORITY is set). */
  streamWeight: number;
  /** Whether the dependency is exclusive (meaningful when PRIORITY is set). */
  exclusive: boolean;

  /** Creates a HEADERS frame on `streamId` (must be non-zero). */
  constructor(streamId: number, fields?: HeadersFrameFields) {
    super(HEADERS_SPEC, streamId, fields?.flags, fields?.padLength ?? 0);
    this.data = fields?.data ?? EMPTY;
    this.dependsOn = fields?.dependsOn ?? 0;
    this.streamWeight = fields?.streamWeight ?? 0;
    this.exclusive = fields?.exclusive ?? false;
  }

  #hasPriority(): boolean {
    return (this.flags.bits & PRIORITY_BIT) !== 0;
  }

  /** The payload length for the current fields. */
  get bodyLength(): number {
    return this.paddingOverhead + (this.#hasPriority() ? PRIORITY_DATA_LENGTH : 0) + this.data.length;
  }

  /** Parses the payload: pad length, priority data, fragment, padding. */
  parseBody(view: Uint8Array): void {
    let pos = this.parsePadLength(view);
    if (this.#hasPriority()) {
      if (view.length - pos < PRIORITY_DATA_LENGTH) throw new InvalidFrameError('Invalid Priority data');
      readPriority(view, pos, this);
      pos += PRIORITY_DATA_LENGTH;
    }
    // RFC 9113 §6.2: "Padding that exceeds the size remaining for the header block fragment MUST be
    // treated as a PROTOCOL_ERROR." (hyperframe compares against the wrong length here.)
    this.checkPadding(view.length - pos);
    this.data = this.fragment(view, pos);
  }

  protected writeBody(target: Uint8Array, offset: number): void {
    let o = this.writePadLength(target, offset);
    if (this.#hasPriority()) {
      writePriority(target, o, this);
      o += PRIORITY_DATA_LENGTH;
    }
    target.set(this.data, o);
    this.writePadding(target, o + this.data.length);
  }

  protected override bodyRepr(): string {
    return `${priorityRepr(this)}, data=${rawDataRepr(this.data)}`;
  }
}

/** The fields of a {@link PushPromiseFrame}. */
export interface PushPromiseFrameFields {
  /** The promised (even, non-zero) stream id. */
  promisedStreamId?: number | undefined;
  /** The header block fragment of the promised request. */
  data?: Uint8Array | undefined;
  /** Padding octets, written when PADDED is set. */
  padLength?: number | undefined;
  /** Flags to set: `END_HEADERS`, `PADDED`. */
  flags?: Iterable<FlagName> | undefined;
}

/** A PUSH_PROMISE frame: the promised stream id and a header block fragment. */
export class PushPromiseFrame extends PaddedFrame {
  /** The promised stream id; the reserved bit is ignored on read and cleared on write. */
  promisedStreamId: number;
  /** The header block fragment (the whole block when yielded by FrameBuffer). */
  data: Uint8Array;

  /** Creates a PUSH_PROMISE frame on `streamId` (must be non-zero). */
  constructor(streamId: number, fields?: PushPromiseFrameFields) {
    super(PUSH_PROMISE_SPEC, streamId, fields?.flags, fields?.padLength ?? 0);
    this.promisedStreamId = fields?.promisedStreamId ?? 0;
    this.data = fields?.data ?? EMPTY;
  }

  /** The payload length for the current fields. */
  get bodyLength(): number {
    return this.paddingOverhead + 4 + this.data.length;
  }

  /** Parses the payload; a zero or odd promised stream id is an `InvalidDataError`. */
  parseBody(view: Uint8Array): void {
    let pos = this.parsePadLength(view);
    if (view.length - pos < 4) throw new InvalidFrameError('Invalid PUSH_PROMISE body');
    this.promisedStreamId = readUint32(view, pos) & 0x7fffffff;
    pos += 4;
    // RFC 9113 §5.1.1: server-initiated streams "MUST use even-numbered stream identifiers"; 0 is the
    // connection.
    if (this.promisedStreamId === 0 || this.promisedStreamId % 2 !== 0) {
      throw new InvalidDataError(`Invalid PUSH_PROMISE promised stream id: ${this.promisedStreamId}`);
    }
    // RFC 9113 §6.6: padding that does not fit is a connection error of type PROTOCOL_ERROR.
    this.checkPadding(view.length - pos);
    this.data = this.fragment(view, pos);
  }

  protected writeBody(target: Uint8Array, offset: number): void {
    const o = this.writePadLength(target, offset);
    writeUint32(target, o, this.promisedStreamId & 0x7fffffff);
    target.set(this.data, o + 4);
    this.writePadding(target, o + 4 + this.data.length);
  }

  protected override bodyRepr(): string {
    return `promised_stream_id=${this.promisedStreamId}, data=${rawDataRepr(this.data)}`;
  }
}

/** The fields of a {@link ContinuationFrame}. */
export interface ContinuationFrameFields {
  /** The header block fragment. */
  data?: Uint8Array | undefined;
  /** Flags to set: `END_HEADERS`. */
  flags?: Iterable<FlagName> | undefined;
}

/** A CONTINUATION frame: one more fragment of the open header block. */
export class ContinuationFrame extends Frame {
  /** The header block fragment. */
  data: Uint8Array;

  /** Creates a CONTINUATION frame on `streamId` (must be non-zero). */
  constructor(streamId: number, fields?: ContinuationFrameFields) {
    super(CONTINUATION_SPEC, streamId, fields?.flags);
    this.data = fields?.data ?? EMPTY;
  }

  /** The payload length: the fragment. */
  get bodyLength(): number {
    return this.data.length;
  }

  /** The whole payload is the fragment. */
  parseBody(view: Uint8Array): void {
    this.data = view;
  }

  protected writeBody(target: Uint8Array, offset: number): void {
    target.set(this.data, offset);
  }

  protected override bodyRepr(): string {
    return `data=${rawDataRepr(this.data)}`;
  }
}
