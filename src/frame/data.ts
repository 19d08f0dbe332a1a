/*
 * The DATA frame (RFC 9113 §6.1): a stream's content octets, optionally padded.
 * Frame layer (sans-I/O). Port of hyperframe/frame.py `DataFrame`.
 */
import { EMPTY, frameSpec, StreamAssociation } from './frame.ts';
import { PaddedFrame } from './padding.ts';
import { FrameType } from './frame-type.ts';
import type { FlagName } from './flags.ts';
import { rawDataRepr } from './repr.ts';

// RFC 9113 §6.1: "If a DATA frame is received whose Stream Identifier field is 0x0, the recipient
// MUST respond with a connection error (Section 5.4.1) of type PROTOCOL_ERROR."
const DATA_SPEC = frameSpec('DataFrame', FrameType.DATA, StreamAssociation.HAS_STREAM, [
  { name: 'END_STREAM', bit: 0x01 },
  { name: 'PADDED', bit: 0x08 },
]);

/** The fields of a {@link DataFrame}. */
export interface DataFrameFields {
  /** The content octets. */
  data?: Uint8Array | undefined;
  /** Padding octets, written when PADDED is set. */
  padLength?: number | undefined;
  /** Flags to set: `END_STREAM`, `PADDED`. */
  flags?: Iterable<FlagName> | undefined;
}

/** A DATA frame. `data` excludes the padding; `flowControlledLength` includes it. */
export class DataFrame extends PaddedFrame {
  /** The content octets (a view of the received bytes when parsed). */
  data: Uint8Array;

  /** Creates a DATA frame on `streamId` (must be non-zero). */
  constructor(streamId: number, fields?: DataFrameFields) {
    super(DATA_SPEC, streamId, fields?.flags, fields?.padLength ?? 0);
    this.data = fields?.data ?? EMPTY;
  }

  /** The payload length: content plus the Pad Length octet and padding when PADDED. */
  get bodyLength(): number {
    return this.paddingOverhead + this.data.length;
  }

  /**
   * The octets counted against flow-control windows: the whole payload, padding included
   * (RFC 9113 §6.9.1: "The entire DATA frame payload is included in flow control").
   */
  get flowControlledLength(): number {
    return this.bodyLength;
  }

  /** Parses the payload; the padding must fit (else `InvalidPaddingError`). */
  parseBody(view: Uint8Array): void {
    const start = this.parsePadLength(view);
    this.checkPadding(view.length - start);
    this.data = this.fragment(view, start);
  }

  protected writeBody(target: Uint8Array, offset: number): void {
    let o = this.writePadLength(target, offset);
    target.set(this.data, o);
    o += this.data.length;
    this.writePadding(target, o);
  }

  protected override bodyRepr(): string {
    if (!this.padded) return rawDataRepr(this.data);
    return super.bodyRepr();
  }
}
