/*
 * Frames that may carry padding (DATA, HEADERS, PUSH_PROMISE): the PADDED flag, Pad Length octet
 * and zero padding. Frame layer (sans-I/O). Port of hyperframe/frame.py's `Padding` mixin.
 */
import { Frame } from './frame.ts';
import type { FrameSpec } from './frame.ts';
import type { FlagName } from './flags.ts';
import { InvalidFrameError, InvalidPaddingError } from './errors.ts';

/** PADDED is 0x08 on every frame type that defines it (RFC 9113 §6.1, §6.2, §6.6). */
const PADDED_BIT = 0x08;

/** A frame that may be padded. Padding is only written when the PADDED flag is set. */
export abstract class PaddedFrame extends Frame {
  /** The number of padding octets (0–255); used only when the PADDED flag is set. */
  padLength: number;

  /** Creates the frame; see {@link Frame}. */
  protected constructor(spec: FrameSpec, streamId: number, flags: Iterable<FlagName> | undefined, padLength: number) {
    super(spec, streamId, flags);
    this.padLength = padLength;
  }

  /** Whether the PADDED flag is set. */
  protected get padded(): boolean {
    return (this.flags.bits & PADDED_BIT) !== 0;
  }

  /** The bytes padding adds to the payload: the Pad Length octet plus the padding, or 0. */
  protected get paddingOverhead(): number {
    return this.padded ? 1 + this.padLength : 0;
  }

  /** Writes the Pad Length octet if PADDED; returns the offset after it. */
  protected writePadLength(target: Uint8Array, offset: number): number {
    if (!this.padded) return offset;
    const pad = this.padLength;
    if (!Number.isInteger(pad) || pad < 0 || pad > 255) throw new RangeError(`padLength must be 0..255, got ${pad}`);
    target[offset] = pad;
    return offset + 1;
  }

  /** Writes the zero padding if PADDED (RFC 9113 §6.1: "Padding octets MUST be set to zero when sending"). */
  protected writePadding(target: Uint8Array, offset: number): void {
    if (this.padded && this.padLength > 0) target.fill(0, offset, offset + this.padLength);
  }

  /** Reads the Pad Length octet if PADDED; returns the payload offset after it (1 or 0). */
  protected parsePadLength(view: Uint8Array): number {
    if (!this.padded) {
      this.padLength = 0;
      return 0;
    }
    if (view.length < 1) throw new InvalidFrameError('Invalid Padding data');
    this.padLength = view[0]!;
    return 1;
  }

  /**
   * The payload's bytes between the fixed fields (`start`) and the padding: `view` itself when there is
   * neither (no second view per received HEADERS or DATA frame).
   */
  protected fragment(view: Uint8Array, start: number): Uint8Array {
    const end = view.length - this.padLength;
    return start === 0 && end === view.length ? view : view.subarray(start, end);
  }

  /**
   * Throws `InvalidPaddingError` when the padding does not fit in the `remaining` octets after the
   * fixed fields. RFC 9113 §6.1: "If the length of the padding is the length of the frame payload or
   * greater, the recipient MUST treat this as a connection error of type PROTOCOL_ERROR."
   */
  protected checkPadding(remaining: number): void {
    if (this.padLength > remaining) throw new InvalidPaddingError('Padding is too long.');
  }
}
