/** Seeded pseudo-random numbers for property and fuzz tests (mulberry32): same seed, same sequence. */

/** A seeded generator: `next()` in [0, 1), `int(n)` in [0, n), `bytes(n)` fresh random octets. */
export interface Prng {
  next(): number;
  int(n: number): number;
  bytes(n: number): Uint8Array;
  pick<T>(items: readonly T[]): T;
}

/** Creates a mulberry32 generator from a 32-bit seed. */
export function mulberry32(seed: number): Prng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    bytes(n) {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = int(256);
      return out;
    },
    pick(items) {
      return items[int(items.length)]!;
    },
  };
}
