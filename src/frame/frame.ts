/*
 * The abstract HTTP/2 frame: stream id, flags, 9-byte header writing, serialization, repr.
 * Frame layer (sans-I/O). Port of hyperframe/frame.py `Frame` (header parsing is in frame-header.ts).
 */
import { Flags, flagTable } from './flags.ts';
import type { FlagDefinition, FlagName, FlagTable } from './flags.ts';
import { InvalidDataError } from './errors.ts';
import { rawDataRepr } from './repr.ts';

/** The 9-octet frame header (RFC 9113 §4.1). */
export const FRAME_HEADER_LENGTH = 9;

/** The largest payload the 24-bit length field can announce (RFC 9113 §4.1). */
export const FRAME_MAX_ALLOWED_LEN = 0xffffff;

/** Where a frame type may travel: on a stream (id ≠ 0), on the connection (id 0), or either. */
export const StreamAssociation = {
  HAS_STREAM: 'has-stream',
  NO_STREAM: 'no-stream',
  EITHER: 'either',
} as const;

/** One of the values of {@link StreamAssociation}. */
export type StreamAssociationKind = (typeof StreamAssociation)[keyof typeof StreamAssociation];

/** The per-type constants of a frame class (hyperframe's class attributes). */
export interface FrameSpec {
  /** The class name shown by `toString()`. */
  readonly name: string;
  /** The frame type octet. */
  readonly type: number;
  /** The flags this type defines, compiled by {@link flagTable}. */
  readonly flags: FlagTable;
  /** Which stream ids this type may use. */
  readonly association: StreamAssociationKind;
}

/** Builds a frame type's {@link FrameSpec} (once per type). */
export function frameSpec(name: string, type: number, association: StreamAssociationKind, definedFlags: readonly FlagDefinition[] = []): FrameSpec {
  return { name, type, flags: flagTable(definedFlags), association };
}

/** A shared empty payload (a zero-length array cannot be mutated). */
export const EMPTY: Uint8Array = new Uint8Array(0);

/** Reads a big-endian unsigned 32-bit integer. */
export function readUint32(buf: Uint8Array, offset: number): number {
  return ((buf[offset]! << 24) | (buf[offset + 1]! << 16) | (buf[offset + 2]! << 8) | buf[offset + 3]!) >>> 0;
}

/** Writes a big-endian unsigned 32-bit integer. */
export function writeUint32(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = value >>> 24;
  buf[offset + 1] = (value >>> 16) & 0xff;
  buf[offset + 2] = (value >>> 8) & 0xff;
  buf[offset + 3] = value & 0xff;
}

/**
 * Base class of every frame. Subclasses hold the payload fields; payloads parsed from the wire are
 * `subarray` views of the received bytes, never copies.
 */
export abstract class Frame {
  readonly #spec: FrameSpec;
  readonly #flags: Flags;
  /** The stream this frame belongs to; 0 for the connection. The reserved bit is cleared on write. */
  streamId: number;

  /**
   * Creates a frame of `spec`'s type on `streamId` with `flags` set. Throws `InvalidDataError` when the
   * stream id breaks the type's association (a stream frame on 0, a connection frame elsewhere).
   */
  protected constructor(spec: FrameSpec, streamId: number, flags?: Iterable<FlagName>) {
    this.#spec = spec;
    this.streamId = streamId;
    this.#flags = new Flags(spec.flags);
    if (flags !== undefined) for (const f of flags) this.#flags.add(f);
    if (streamId === 0 && spec.association === StreamAssociation.HAS_STREAM) {
      throw new InvalidDataError(`Stream ID must be non-zero for ${spec.name}`);
    }
    if (streamId !== 0 && spec.association === StreamAssociation.NO_STREAM) {
      throw new InvalidDataError(`Stream ID must be zero for ${spec.name} with stream_id=${streamId}`);
    }
  }

  /** The frame type octet. */
  get type(): number {
    return this.#spec.type;
  }

  /** The flags this frame type defines. */
  get definedFlags(): readonly FlagDefinition[] {
    return this.#spec.flags.defined;
  }

  /** Which stream ids this frame type may use. */
  get streamAssociation(): StreamAssociationKind {
    return this.#spec.association;
  }

  /** The set flags: a set-like view that only accepts this type's defined flags. */
  get flags(): Flags {
    return this.#flags;
  }

  /** Replaces the set flags with `names` (each must be defined for this type). */
  set flags(names: Iterable<FlagName>) {
    const list = [...names];
    this.#flags.clear();
    for (const f of list) this.#flags.add(f);
  }

  /** The flags octet to write; `ExtensionFrame` writes its raw byte instead. */
  protected get wireFlags(): number {
    return this.#flags.bits;
  }

  /**
   * Sets the flags from a received flags octet. Bits this type does not define are dropped, as
   * hyperframe does (RFC 9113 §4.1: "Flags that have no defined semantics ... MUST be ignored").
   */
  parseFlags(flagByte: number): void {
    this.#flags.bits = flagByte;
  }

  /** The payload length `serialize()` writes for the current fields. */
  abstract get bodyLength(): number;

  /** The whole frame's length on the wire: the 9-byte header plus `bodyLength`. */
  get serializedLength(): number {
    return FRAME_HEADER_LENGTH + this.bodyLength;
  }

  /**
   * Fills this frame's fields from its payload `view` (exactly the announced length). Throws
   * `InvalidFrameError`, `InvalidPaddingError` or `InvalidDataError` for a malformed payload.
   */
  abstract parseBody(view: Uint8Array): void;

  /** Writes the payload (exactly `bodyLength` bytes) at `offset`. */
  protected abstract writeBody(target: Uint8Array, offset: number): void;

  /** The payload part of `toString()`; by default the payload bytes as hyperframe shows them. */
  protected bodyRepr(): string {
    return rawDataRepr(this.serialize().subarray(FRAME_HEADER_LENGTH));
  }

  /** Serializes the frame into a new buffer of exactly `serializedLength` bytes. */
  serialize(): Uint8Array {
    const out = new Uint8Array(this.serializedLength);
    this.serializeInto(out, 0);
    return out;
  }

  /**
   * Writes the frame at `offset` of `target` (e.g. a batch buffer holding many frames) and returns
   * the bytes written. Throws a `RangeError` if it does not fit.
   */
  serializeInto(target: Uint8Array, offset: number): number {
    const length = this.bodyLength;
    if (length > FRAME_MAX_ALLOWED_LEN) throw new RangeError(`frame payload of ${length} bytes exceeds 2^24-1`);
    const total = FRAME_HEADER_LENGTH + length;
    if (!(offset >= 0) || offset + total > target.length) {
      throw new RangeError(`frame of ${total} bytes does not fit at offset ${offset} of a ${target.length}-byte buffer`);
    }
    target[offset] = length >>> 16;
    target[offset + 1] = (length >>> 8) & 0xff;
    target[offset + 2] = length & 0xff;
    target[offset + 3] = this.type;
    target[offset + 4] = this.wireFlags;
    // RFC 9113 §4.1: the reserved bit "MUST remain unset (0x0) when sending".
    writeUint32(target, offset + 5, this.streamId & 0x7fffffff);
    this.writeBody(target, offset + FRAME_HEADER_LENGTH);
    return total;
  }

  /** hyperframe's repr, e.g. `DataFrame(stream_id=1, flags=['END_STREAM']): <hex:68656c6c6f>`. */
  toString(): string {
    return `${this.#spec.name}(stream_id=${this.streamId}, flags=${this.#flags.toString()}): ${this.bodyRepr()}`;
  }
}
