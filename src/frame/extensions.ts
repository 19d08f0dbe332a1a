/*
 * Extension frames: ALTSVC (RFC 7838 §4), PRIORITY_UPDATE (RFC 9218 §7.1) and ExtensionFrame, which
 * carries any unknown type untouched. Frame layer (sans-I/O). Port of hyperframe/frame.py
 * `AltSvcFrame` and `ExtensionFrame`; PRIORITY_UPDATE is h2flow's own.
 */
import { EMPTY, Frame, frameSpec, readUint32, StreamAssociation, writeUint32 } from './frame.ts';
import type { FrameSpec } from './frame.ts';
import { FrameType } from './frame-type.ts';
import { InvalidDataError, InvalidFrameError } from './errors.ts';
import { bytesRepr, rawDataRepr } from './repr.ts';

const ALTSVC_SPEC = frameSpec('AltSvcFrame', FrameType.ALTSVC, StreamAssociation.EITHER);

/** The fields of an {@link AltSvcFrame}. */
export interface AltSvcFrameFields {
  /** The origin (ASCII octets); empty on a non-zero stream. */
  origin?: Uint8Array | undefined;
  /** The Alt-Svc field value (ASCII octets). */
  field?: Uint8Array | undefined;
}

/**
 * An ALTSVC frame. Like hyperframe it does not check the origin/stream rule of RFC 7838 §4 (such
 * frames "MUST be ignored", which is the core's business).
 */
export class AltSvcFrame extends Frame {
  /** The origin octets. */
  origin: Uint8Array;
  /** The Alt-Svc field value octets. */
  field: Uint8Array;

  /** Creates an ALTSVC frame; a non-`Uint8Array` origin or field is an `InvalidDataError`. */
  constructor(streamId: number, fields?: AltSvcFrameFields) {
    super(ALTSVC_SPEC, streamId);
    const origin: unknown = fields?.origin ?? EMPTY;
    const field: unknown = fields?.field ?? EMPTY;
    if (!(origin instanceof Uint8Array)) throw new InvalidDataError('AltSvc origin must be bytestring.');
    if (!(field instanceof Uint8Array)) throw new InvalidDataError('AltSvc field must be a bytestring.');
    this.origin = origin;
    this.field = field;
  }

  /** 2 + origin + field. */
  get bodyLength(): number {
    return 2 + this.origin.length + this.field.length;
  }

  /** Parses the payload; an origin length past the end is an `InvalidFrameError`. */
  parseBody(view: Uint8Array): void {
    if (view.length < 2) throw new InvalidFrameError('Invalid ALTSVC frame body.');
    const originLength = (view[0]! << 8) | view[1]!;
    if (2 + originLength > view.length) throw new InvalidFrameError('Invalid ALTSVC frame body.');
    this.origin = view.subarray(2, 2 + originLength);
    this.field = view.subarray(2 + originLength);
  }

  protected writeBody(target: Uint8Array, offset: number): void {
    const n = this.origin.length;
    if (n > 0xffff) throw new RangeError(`ALTSVC origin of ${n} bytes exceeds 65535`);
    target[offset] = n >>> 8;
    target[offset + 1] = n & 0xff;
    target.set(this.origin, offset + 2);
    target.set(this.field, offset + 2 + n);
  }

  protected override bodyRepr(): string {
    return `origin=${bytesRepr(this.origin)}, field=${bytesRepr(this.field)}`;
  }
}

// RFC 9218 §7.1: "If a PRIORITY_UPDATE frame is received with a Stream Identifier other than 0x0,
// the recipient MUST respond with a connection error of type PROTOCOL_ERROR."
const PRIORITY_UPDATE_SPEC = frameSpec('PriorityUpdateFrame', FrameType.PRIORITY_UPDATE, StreamAssociation.NO_STREAM);

/** The fields of a {@link PriorityUpdateFrame}. */
export interface PriorityUpdateFrameFields {
  /** The stream whose priority changes (31 bits, non-zero). */
  prioritizedStreamId?: number | undefined;
  /** The Priority Field Value (RFC 9218 §4), ASCII octets such as `u=1, i`. */
  priorityFieldValue?: Uint8Array | undefined;
}

/** A PRIORITY_UPDATE frame (RFC 9218), sent on stream 0. */
export class PriorityUpdateFrame extends Frame {
  /** The prioritized stream id (the reserved bit is ignored on read and cleared on write). */
  prioritizedStreamId: number;
  /** The Priority Field Value octets. */
  priorityFieldValue: Uint8Array;

  /** Creates a PRIORITY_UPDATE frame (stream 0). */
  constructor(streamId = 0, fields?: PriorityUpdateFrameFields) {
    super(PRIORITY_UPDATE_SPEC, streamId);
    this.prioritizedStreamId = fields?.prioritizedStreamId ?? 0;
    this.priorityFieldValue = fields?.priorityFieldValue ?? EMPTY;
  }

  /** 4 + the field value. */
  get bodyLength(): number {
    return 4 + this.priorityFieldValue.length;
  }

  /** Parses the payload: fewer than 4 octets or a zero prioritized id are errors. */
  parseBody(view: Uint8Array): void {
    // RFC 9218 §7.1: the payload starts with the 4-octet Prioritized Stream ID; shorter is a
    // FRAME_SIZE_ERROR.
    if (view.length < 4) throw new InvalidFrameError('Invalid PRIORITY_UPDATE body.');
    this.prioritizedStreamId = readUint32(view, 0) & 0x7fffffff;
    // RFC 9218 §7.1: "If the Prioritized Stream ID is 0x0, the recipient MUST respond with a
    // connection error of type PROTOCOL_ERROR."
    if (this.prioritizedStreamId === 0) throw new InvalidDataError('PRIORITY_UPDATE prioritized stream id must be non-zero');
    this.priorityFieldValue = view.subarray(4);
  }

  protected writeBody(target: Uint8Array, offset: number): void {
    writeUint32(target, offset, this.prioritizedStreamId & 0x7fffffff);
    target.set(this.priorityFieldValue, offset + 4);
  }

  protected override bodyRepr(): string {
    return `prioritized_stream_id=${this.prioritizedStreamId}, priority_field_value=${bytesRepr(this.priorityFieldValue)}`;
  }
}

/** The fields of an {@link ExtensionFrame}. */
export interface ExtensionFrameFields {
  /** The frame type octet. */
  type: number;
  /** The raw flags octet, kept verbatim. */
  flagByte?: number | undefined;
  /** The raw payload. */
  body?: Uint8Array | undefined;
}

/** ExtensionFrame specs by type octet, built on first use (at most 256). */
const EXTENSION_SPECS: (FrameSpec | undefined)[] = [];

function extensionSpec(type: number): FrameSpec {
  return (EXTENSION_SPECS[type & 0xff] ??= frameSpec('ExtensionFrame', type & 0xff, StreamAssociation.EITHER));
}

/**
 * A frame of a type h2flow does not interpret, kept untouched: RFC 9113 §5.5 "Implementations MUST
 * ignore unknown or unsupported values in all extensible protocol elements" (the core reports it).
 */
export class ExtensionFrame extends Frame {
  /** The raw flags octet (`flags` stays empty: no flag is defined). */
  flagByte: number;
  /** The raw payload. */
  body: Uint8Array;

  /** Creates a frame of `fields.type` on `streamId`. */
  constructor(streamId: number, fields: ExtensionFrameFields) {
    super(extensionSpec(fields.type), streamId);
    this.flagByte = fields.flagByte ?? 0;
    this.body = fields.body ?? EMPTY;
  }

  /** Stores the flags octet verbatim. */
  override parseFlags(flagByte: number): void {
    this.flagByte = flagByte;
  }

  protected override get wireFlags(): number {
    return this.flagByte;
  }

  /** The payload length. */
  get bodyLength(): number {
    return this.body.length;
  }

  /** The whole payload is `body`. */
  parseBody(view: Uint8Array): void {
    this.body = view;
  }

  protected writeBody(target: Uint8Array, offset: number): void {
    target.set(this.body, offset);
  }

  protected override bodyRepr(): string {
    return `type=${this.type}, flag_byte=${this.flagByte}, body=${rawDataRepr(this.body)}`;
  }
}
