/**
 * CheckedStrings: a small bounded set of strings known to pass a pure character check, so that
 * header names and values seen again skip the per-character scan. Sans-I/O core (a memo of pure
 * functions; no I/O, no clock).
 */

/**
 * Strings that passed one context-free check (e.g. "a valid received field name"). Header fields
 * repeat across blocks, and HPACK table hits hand back the very same string objects (whose hash V8
 * keeps), so a lookup costs far less than re-scanning every character. Only strings up to
 * `maxLength` are remembered or looked up (a longer one would cost a full hash anyway). When
 * `capacity` entries are held the set starts over, so a peer sending ever-new strings costs at most
 * `capacity × maxLength` characters of memory and never makes a check wrong: the check itself is
 * pure, the set only skips repeating it.
 */
export class CheckedStrings {
  readonly #set = new Set<string>();
  readonly #capacity: number;
  readonly #maxLength: number;

  /**
   * @param capacity The most strings held before the set starts over.
   * @param maxLength The longest string held.
   */
  constructor(capacity: number, maxLength: number) {
    this.#capacity = capacity;
    this.#maxLength = maxLength;
  }

  /** Whether `s` is known to pass the check. */
  has(s: string): boolean {
    return s.length <= this.#maxLength && this.#set.has(s);
  }

  /** Records that `s` passed the check. */
  add(s: string): void {
    if (s.length > this.#maxLength) return;
    if (this.#set.size >= this.#capacity) this.#set.clear();
    this.#set.add(s);
  }
}
