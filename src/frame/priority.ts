/*
 * The RFC 9113 §5.3.2 priority fields (E bit, 31-bit dependency, weight) shared by HEADERS and PRIORITY.
 * Frame layer (sans-I/O). Port of hyperframe/frame.py's `Priority` mixin.
 */
import { readUint32, writeUint32 } from './frame.ts';
import { boolRepr } from './repr.ts';

/** The 5 octets of priority data. */
export const PRIORITY_DATA_LENGTH = 5;

/** The priority fields, named as hyperframe names them. */
export interface PriorityFields {
  /** The stream this one depends on (31 bits). */
  dependsOn: number;
  /** The wire weight 0–255 (RFC 9113 §5.3.2 weight minus one). */
  streamWeight: number;
  /** Whether the dependency is exclusive (the E bit). */
  exclusive: boolean;
}

/** Reads 5 octets of priority data at `offset` into `into`. */
export function readPriority(view: Uint8Array, offset: number, into: PriorityFields): void {
  const word = readUint32(view, offset);
  into.exclusive = word >= 0x80000000;
  into.dependsOn = word & 0x7fffffff;
  into.streamWeight = view[offset + 4]!;
}

/** Writes 5 octets of priority data at `offset`; throws a `RangeError` for an out-of-range field. */
export function writePriority(target: Uint8Array, offset: number, from: PriorityFields): void {
  const { dependsOn, streamWeight } = from;
  if (!Number.isInteger(dependsOn) || dependsOn < 0 || dependsOn > 0x7fffffff) throw new RangeError(`dependsOn must be 0..2^31-1, got ${dependsOn}`);
  if (!Number.isInteger(streamWeight) || streamWeight < 0 || streamWeight > 255) throw new RangeError(`streamWeight must be 0..255, got ${streamWeight}`);
  writeUint32(target, offset, (dependsOn | (from.exclusive ? 0x80000000 : 0)) >>> 0);
  target[offset + 4] = streamWeight;
}

/** hyperframe's priority repr: `exclusive=False, depends_on=0, stream_weight=0`. */
export function priorityRepr(p: PriorityFields): string {
  return `exclusive=${boolRepr(p.exclusive)}, depends_on=${p.dependsOn}, stream_weight=${p.streamWeight}`;
}
