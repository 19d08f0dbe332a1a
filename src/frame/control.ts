/*
 * Fixed-layout control frames: PRIORITY (RFC 9113 §6.3), RST_STREAM (§6.4), SETTINGS (§6.5),
 * PING (§6.7), GOAWAY (§6.8), WINDOW_UPDATE (§6.9).
 * Frame layer (sans-I/O). Port of the same-named classes of hyperframe/frame.py.
 */
import { EMPTY, Frame, StreamAssociation, frameSpec, readUint32, writeUint32 } from './frame.ts';
import { PRIORITY_DATA_LENGTH, priorityRepr, readPriority, writePriority } from './priority.ts';
import type { PriorityFields } from './priority.ts';
import { FrameType } from './frame-type.ts';
import type { FlagName } from './flags.ts';
import { InvalidDataError, InvalidFrameError } from './errors.ts';
import { bytesRepr, mapRepr } from './repr.ts';

// RFC 9113 §6.3: "If a PRIORITY frame is received with a stream identifier of 0x0, the recipient
// MUST respond with a connection error (Section 5.4.1) of type PROTOCOL_ERROR."
const PRIORITY_SPEC = frameSpec('PriorityFrame', FrameType.PRIORITY, StreamAssociation.HAS_STREAM);

/** The fields of a {@link PriorityFrame}. */
export interface PriorityFrameFields {
  /** The stream this one depends on. */
  dependsOn?: number | undefined;
  /** The wire weight 0–255. */
  streamWeight?: number | undefined;
  /** Whether the dependency is exclusive. */
  exclusive?: boolean | undefined;
}

/** A PRIORITY frame (deprecated by RFC 9113 §5.3.2 but still parsed). */
export class PriorityFrame extends Frame implements PriorityFields {
  /** The stream this one depends on (31 bits). */
  dependsOn: number;
  /** The wire weight 0–255. */
  streamWeight: number;
  /** Whether the dependency is exclusive. */
  exclusive: boolean;
  /**
   * The payload length when it was not 5: set by `FrameBuffer` instead of failing (RFC 9113 §6.3 makes
   * it a stream error, FRAME_SIZE_ERROR); the priority fields are then unset. `null` otherwise.
   */
  invalidLength: number | null = null;

  /** Creates a PRIORITY frame on `streamId` (must be non-zero). */
  constructor(streamId: number, fields?: PriorityFrameFields) {
    super(PRIORITY_SPEC, streamId);
    this.dependsOn = fields?.dependsOn ?? 0;
    this.streamWeight = fields?.streamWeight ?? 0;
    this.exclusive = fields?.exclusive ?? false;
  }

  /** Always 5. */
  get bodyLength(): number {
    return PRIORITY_DATA_LENGTH;
  }

  /** Parses the 5 octets; another length is an `InvalidFrameError`. */
  parseBody(view: Uint8Array): void {
    // RFC 9113 §6.3: "A PRIORITY frame with a length other than 5 octets MUST be treated as a stream
    // error (Section 5.4.2) of type FRAME_SIZE_ERROR."
    if (view.length !== PRIORITY_DATA_LENGTH) throw new InvalidFrameError(`PRIORITY must have 5 byte body: actual length ${view.length}.`);
    readPriority(view, 0, this);
  }

  protected writeBody(target: Uint8Array, offset: number): void {
    writePriority(target, offset, this);
  }

  protected override bodyRepr(): string {
    return priorityRepr(this);
  }
}

// RFC 9113 §6.4: "If a RST_STREAM frame is received with a stream identifier of 0x0, the recipient
// MUST treat this as a connection error (Section 5.4.1) of type PROTOCOL_ERROR."
const RST_STREAM_SPEC = frameSpec('RstStreamFrame', FrameType.RST_STREAM, StreamAssociation.HAS_STREAM);

/** The fields of a {@link RstStreamFrame}. */
export interface RstStreamFrameFields {
  /** The RFC 9113 §7 error code. */
  errorCode?: number | undefined;
}

/** A RST_STREAM frame. */
export class RstStreamFrame extends Frame {
  /** The 32-bit error code. */
  errorCode: number;

  /** Creates a RST_STREAM frame on `streamId` (must be non-zero). */
  constructor(streamId: number, fields?: RstStreamFrameFields) {
    super(RST_STREAM_SPEC, streamId);
    this.errorCode = fields?.errorCode ?? 0;
  }

  /** Always 4. */
  get bodyLength(): number {
    return 4;
  }

  /** Parses the error code; another length than 4 is an `InvalidFrameError`. */
  parseBody(view: Uint8Array): void {
    // RFC 9113 §6.4: "A RST_STREAM frame with a length other than 4 octets MUST be treated as a
    // connection error (Section 5.4.1) of type FRAME_SIZE_ERROR."
    if (view.length !== 4) throw new InvalidFrameError(`RST_STREAM must have 4 byte body: actual length ${view.length}.`);
    this.errorCode = readUint32(view, 0);
  }

  protected writeBody(target: Uint8Array, offset: number): void {
    writeUint32(target, offset, this.errorCode >>> 0);
  }

  protected override bodyRepr(): string {
    return `error_code=${this.errorCode}`;
  }
}

// RFC 9113 §6.5: "If an endpoint receives a SETTINGS frame whose Stream Identifier field is anything
// other than 0x0, the endpoint MUST respond with a connection error (Section 5.4.1) of type PROTOCOL_ERROR."
const SETTINGS_SPEC = frameSpec('SettingsFrame', FrameType.SETTINGS, StreamAssociation.NO_STREAM, [{ name: 'ACK', bit: 0x01 }]);

/** Settings given to the constructor: a map, a record keyed by setting code, or entries. */
export type SettingsInput = ReadonlyMap<number, number> | Readonly<Record<number, number>> | Iterable<readonly [number, number]>;

/** The fields of a {@link SettingsFrame}. */
export interface SettingsFrameFields {
  /** The settings to send (empty when ACK is set). */
  settings?: SettingsInput | undefined;
  /** Flags to set: `ACK`. */
  flags?: Iterable<FlagName> | undefined;
}

function toSettingsMap(input: SettingsInput | undefined): Map<number, number> {
  if (input === undefined) return new Map();
  if (Symbol.iterator in input) return new Map(input as Iterable<readonly [number, number]>);
  const map = new Map<number, number>();
  for (const [k, v] of Object.entries(input)) map.set(Number(k), v);
  return map;
}

/**
 * A SETTINGS frame. `settings` is a `Map` from setting code to value, in wire order; a code repeated
 * on the wire keeps its last value (as hyperframe's dict does).
 */
export class SettingsFrame extends Frame {
  /** SETTINGS_HEADER_TABLE_SIZE. */
  static readonly HEADER_TABLE_SIZE = 0x01;
  /** SETTINGS_ENABLE_PUSH. */
  static readonly ENABLE_PUSH = 0x02;
  /** SETTINGS_MAX_CONCURRENT_STREAMS. */
  static readonly MAX_CONCURRENT_STREAMS = 0x03;
  /** SETTINGS_INITIAL_WINDOW_SIZE. */
  static readonly INITIAL_WINDOW_SIZE = 0x04;
  /** SETTINGS_MAX_FRAME_SIZE. */
  static readonly MAX_FRAME_SIZE = 0x05;
  /** SETTINGS_MAX_HEADER_LIST_SIZE. */
  static readonly MAX_HEADER_LIST_SIZE = 0x06;
  /** SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441). */
  static readonly ENABLE_CONNECT_PROTOCOL = 0x08;

  /** Setting code → value. Codes are written as 16 bits, values as 32 bits. */
  settings: Map<number, number>;

  /**
   * Creates a SETTINGS frame (stream 0). Settings together with ACK are an `InvalidDataError`, as in
   * hyperframe.
   */
  constructor(streamId = 0, fields?: SettingsFrameFields) {
    super(SETTINGS_SPEC, streamId, fields?.flags);
    this.settings = toSettingsMap(fields?.settings);
    if (this.settings.size > 0 && this.flags.has('ACK')) throw new InvalidDataError('Settings must be empty if ACK flag is set.');
  }

  /** Six octets per setting. */
  get bodyLength(): number {
    return this.settings.size * 6;
  }

  /** Parses the settings; see the errors below. */
  parseBody(view: Uint8Array): void {
    // RFC 9113 §6.5: "Receipt of a SETTINGS frame with the ACK flag set and a length field value other
    // than 0 MUST be treated as a connection error (Section 5.4.1) of type FRAME_SIZE_ERROR."
    // (hyperframe raises InvalidDataError; InvalidFrameError carries the RFC's FRAME_SIZE_ERROR.)
    if (this.flags.has('ACK') && view.length > 0) throw new InvalidFrameError(`SETTINGS ack frame must not have payload: got ${view.length} bytes`);
    // RFC 9113 §6.5: "A SETTINGS frame with a length other than a multiple of 6 octets MUST be treated
    // as a connection error (Section 5.4.1) of type FRAME_SIZE_ERROR."
    if (view.length % 6 !== 0) throw new InvalidFrameError('Invalid SETTINGS body');
    const settings = new Map<number, number>();
    for (let i = 0; i < view.length; i += 6) settings.set((view[i]! << 8) | view[i + 1]!, readUint32(view, i + 2));
    this.settings = settings;
  }

  protected writeBody(target: Uint8Array, offset: number): void {
    let o = offset;
    for (const [code, value] of this.settings) {
      target[o] = (code >>> 8) & 0xff;
      target[o + 1] = code & 0xff;
      writeUint32(target, o + 2, value >>> 0);
      o += 6;
    }
  }

  protected override bodyRepr(): string {
    return `settings=${mapRepr(this.settings)}`;
  }
}

// RFC 9113 §6.7: "If a PING frame is received with a Stream Identifier field value other than 0x0,
// the recipient MUST respond with a connection error (Section 5.4.1) of type PROTOCOL_ERROR."
const PING_SPEC = frameSpec('PingFrame', FrameType.PING, StreamAssociation.NO_STREAM, [{ name: 'ACK', bit: 0x01 }]);

/** The fields of a {@link PingFrame}. */
export interface PingFrameFields {
  /** Up to 8 octets; zero-padded to 8 when written. */
  opaqueData?: Uint8Array | undefined;
  /** Flags to set: `ACK`. */
  flags?: Iterable<FlagName> | undefined;
}

/** A PING frame. */
export class PingFrame extends Frame {
  /** The opaque data: 8 octets when parsed; up to 8 (zero-padded) when written. */
  opaqueData: Uint8Array;

  /** Creates a PING frame (stream 0). */
  constructor(streamId = 0, fields?: PingFrameFields) {
    super(PING_SPEC, streamId, fields?.flags);
    this.opaqueData = fields?.opaqueData ?? EMPTY;
  }

  /** Always 8. */
  get bodyLength(): number {
    return 8;
  }

  /** Parses the 8 octets; another length is an `InvalidFrameError`. */
  parseBody(view: Uint8Array): void {
    // RFC 9113 §6.7: "Receipt of a PING frame with a length field value other than 8 MUST be treated as
    // a connection error (Section 5.4.1) of type FRAME_SIZE_ERROR."
    if (view.length !== 8) throw new InvalidFrameError(`PING frame must have 8 byte length: got ${view.length}`);
    this.opaqueData = view;
  }

  protected writeBody(target: Uint8Array, offset: number): void {
    const data = this.opaqueData;
    if (data.length > 8) throw new InvalidFrameError(`PING frame may not have more than 8 bytes of data, got ${data.length}`);
    target.set(data, offset);
    target.fill(0, offset + data.length, offset + 8);
  }

  protected override bodyRepr(): string {
    return `opaque_data=${bytesRepr(this.opaqueData)}`;
  }
}

// RFC 9113 §6.8: "An endpoint MUST treat a GOAWAY frame with a stream identifier other than 0x0 as a
// connection error (Section 5.4.1) of type PROTOCOL_ERROR."
const GOAWAY_SPEC = frameSpec('GoAwayFrame', FrameType.GOAWAY, StreamAssociation.NO_STREAM);

/** The fields of a {@link GoAwayFrame}. */
export interface GoAwayFrameFields {
  /** The highest stream id the sender may have processed. */
  lastStreamId?: number | undefined;
  /** The RFC 9113 §7 error code. */
  errorCode?: number | undefined;
  /** Opaque debug data. */
  additionalData?: Uint8Array | undefined;
}

/** A GOAWAY frame. */
export class GoAwayFrame extends Frame {
  /** The last stream id (31 bits; the reserved bit is ignored on read and cleared on write). */
  lastStreamId: number;
  /** The 32-bit error code. */
  errorCode: number;
  /** Opaque debug data. */
  additionalData: Uint8Array;

  /** Creates a GOAWAY frame (stream 0). */
  constructor(streamId = 0, fields?: GoAwayFrameFields) {
    super(GOAWAY_SPEC, streamId);
    this.lastStreamId = fields?.lastStreamId ?? 0;
    this.errorCode = fields?.errorCode ?? 0;
    this.additionalData = fields?.additionalData ?? EMPTY;
  }

  /** 8 plus the debug data. */
  get bodyLength(): number {
    return 8 + this.additionalData.length;
  }

  /** Parses the payload; fewer than 8 octets is an `InvalidFrameError`. */
  parseBody(view: Uint8Array): void {
    if (view.length < 8) throw new InvalidFrameError('Invalid GOAWAY body.');
    this.lastStreamId = readUint32(view, 0) & 0x7fffffff;
    this.errorCode = readUint32(view, 4);
    this.additionalData = view.subarray(8);
  }

  protected writeBody(target: Uint8Array, offset: number): void {
    writeUint32(target, offset, this.lastStreamId & 0x7fffffff);
    writeUint32(target, offset + 4, this.errorCode >>> 0);
    target.set(this.additionalData, offset + 8);
  }

  protected override bodyRepr(): string {
    return `last_stream_id=${this.lastStreamId}, error_code=${this.errorCode}, additional_data=${bytesRepr(this.additionalData)}`;
  }
}

const WINDOW_UPDATE_SPEC = frameSpec('WindowUpdateFrame', FrameType.WINDOW_UPDATE, StreamAssociation.EITHER);

/** The fields of a {@link WindowUpdateFrame}. */
export interface WindowUpdateFrameFields {
  /** The increment, 0..2^31-1. */
  windowIncrement?: number | undefined;
}

/**
 * A WINDOW_UPDATE frame. A zero increment parses without error here: RFC 9113 §6.9 makes it a stream
 * error on a stream and a connection error on stream 0, so the core decides (hyperframe rejects it).
 */
export class WindowUpdateFrame extends Frame {
  /** The increment (31 bits; the reserved bit is ignored on read and cleared on write). */
  windowIncrement: number;

  /** Creates a WINDOW_UPDATE frame on `streamId` (0 for the connection window). */
  constructor(streamId: number, fields?: WindowUpdateFrameFields) {
    super(WINDOW_UPDATE_SPEC, streamId);
    this.windowIncrement = fields?.windowIncrement ?? 0;
  }

  /** Always 4. */
  get bodyLength(): number {
    return 4;
  }

  /** Parses the increment; another length than 4 is an `InvalidFrameError`. */
  parseBody(view: Uint8Array): void {
    // RFC 9113 §6.9: "A WINDOW_UPDATE frame with a length other than 4 octets MUST be treated as a
    // connection error (Section 5.4.1) of type FRAME_SIZE_ERROR."
    if (view.length !== 4) throw new InvalidFrameError(`WINDOW_UPDATE frame must have 4 byte length: got ${view.length}`);
    this.windowIncrement = readUint32(view, 0) & 0x7fffffff;
  }

  protected writeBody(target: Uint8Array, offset: number): void {
    writeUint32(target, offset, this.windowIncrement & 0x7fffffff);
  }

  protected override bodyRepr(): string {
    return `window_increment=${this.windowIncrement}`;
  }
}
