/*
 * Frame flags: the names hyperframe uses and a set-like view limited to a frame type's defined flags.
 * Frame layer (sans-I/O). Port of hyperframe/flags.py (Flag, Flags).
 */

/** Flag names as hyperframe spells them. */
export const Flag = {
  END_STREAM: 'END_STREAM',
  END_HEADERS: 'END_HEADERS',
  PADDED: 'PADDED',
  PRIORITY: 'PRIORITY',
  ACK: 'ACK',
} as const;

/** One of the flag names of {@link Flag}. */
export type FlagName = (typeof Flag)[keyof typeof Flag];

/** A flag a frame type defines: its name and its bit in the frame header's flags octet. */
export interface FlagDefinition {
  readonly name: FlagName;
  readonly bit: number;
}

/** A frame type's flags compiled for lookups: definitions, their combined mask, name → bit. */
export interface FlagTable {
  /** The defined flags, in definition order. */
  readonly defined: readonly FlagDefinition[];
  /** All defined bits. */
  readonly mask: number;
  /** The bit of each defined name. */
  readonly bitOf: ReadonlyMap<string, number>;
}

/** Compiles a frame type's flag definitions (done once per type). */
export function flagTable(defined: readonly FlagDefinition[]): FlagTable {
  let mask = 0;
  for (const f of defined) mask |= f.bit;
  return { defined, mask, bitOf: new Map(defined.map((f) => [f.name, f.bit])) };
}

/**
 * A mutable set of flag names that only accepts the flags its frame type defines (hyperframe's
 * `Flags`). Stored as the wire bit mask, so serializing costs nothing.
 */
export class Flags implements Iterable<FlagName> {
  readonly #table: FlagTable;
  #bits: number;

  /** Creates a set over `table`'s flags, holding the defined flags whose bits are set in `bits`. */
  constructor(table: FlagTable, bits = 0) {
    this.#table = table;
    this.#bits = bits & table.mask;
  }

  /** The flags octet as written on the wire. */
  get bits(): number {
    return this.#bits;
  }

  /** Replaces the content with the defined flags set in `bits`; undefined bits are dropped. */
  set bits(bits: number) {
    this.#bits = bits & this.#table.mask;
  }

  /** How many flags are set. */
  get size(): number {
    let n = 0;
    for (const f of this.#table.defined) if (this.#bits & f.bit) n++;
    return n;
  }

  /** Whether `name` is set. */
  has(name: string): boolean {
    const bit = this.#table.bitOf.get(name);
    return bit !== undefined && (this.#bits & bit) !== 0;
  }

  /** Sets `name`; throws a `RangeError` if the frame type does not define it (hyperframe: ValueError). */
  add(name: FlagName): this {
    const bit = this.#table.bitOf.get(name);
    if (bit === undefined) {
      const valid = this.#table.defined.map((f) => f.name).join(', ');
      throw new RangeError(`Unexpected flag: ${name}. Valid flags are: {${valid}}`);
    }
    this.#bits |= bit;
    return this;
  }

  /** Clears `name` (hyperframe's `discard`); returns whether it was set. */
  delete(name: string): boolean {
    const bit = this.#table.bitOf.get(name);
    if (bit === undefined || (this.#bits & bit) === 0) return false;
    this.#bits &= ~bit;
    return true;
  }

  /** Clears every flag. */
  clear(): void {
    this.#bits = 0;
  }

  /** The set flag names, in the order the frame type defines them. */
  *[Symbol.iterator](): IterableIterator<FlagName> {
    for (const f of this.#table.defined) if (this.#bits & f.bit) yield f.name;
  }

  /** Python's repr of hyperframe's Flags: the sorted names, e.g. `['END_STREAM', 'PADDED']`. */
  toString(): string {
    return `[${[...this].sort().map((n) => `'${n}'`).join(', ')}]`;
  }
}
