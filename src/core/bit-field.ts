/**
 * Booleans kept as bits of one number field (a connection's, a stream's, a configuration's): one field
 * per object instead of one per boolean. Sans-I/O core.
 */

/** `bits` with `bit` set when `on`, cleared otherwise. */
export function withBit(bits: number, bit: number, on: boolean): number {
  return on ? bits | bit : bits & ~bit;
}
