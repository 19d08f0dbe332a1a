/**
 * RefusalHold: connections the {@link AbuseGuard} refuses are held open, unread, for a while before they are
 * closed, instead of being closed at once. An attacker that reconnects whenever it is closed otherwise spins
 * through hundreds of refused connections a second (measured here: ~450/s), each costing both machines a TCP
 * handshake, an accept and a close, CPU the benign clients lose. Held, the same loop makes one connection per
 * hold. Bounded: at most `max` held at once (each keeps a descriptor, the runtime's read-ahead and the
 * kernel's receive buffer); past it a refused connection is closed at once, as before. Layer: transport
 * (timers only, no runtime API).
 */

/** The connections a listener holds, each with the timer that closes it. */
export class RefusalHold {
  /** How long a refused connection is held before it is closed, in ms (0: none is held). */
  readonly ms: number;
  /** The most connections held at once. */
  readonly max: number;
  readonly #held = new Map<object, { close: () => void; timer: ReturnType<typeof setTimeout> }>();

  constructor(ms: number, max: number) {
    this.ms = ms;
    this.max = max;
  }

  /** How many connections are held now. */
  get size(): number {
    return this.#held.size;
  }

  /**
   * Holds `conn` (not read from by the caller) and calls `close` after {@link ms}; returns false when no more
   * can be held (the caller closes it at once). The caller reports an earlier end with {@link release}.
   */
  hold(conn: object, close: () => void): boolean {
    if (this.ms === 0 || this.#held.size >= this.max || this.#held.has(conn)) return false;
    const timer = setTimeout(() => {
      this.#held.delete(conn);
      close();
    }, this.ms);
    // A held connection never keeps the process alive.
    (timer as { unref?: () => void }).unref?.();
    this.#held.set(conn, { close, timer });
    return true;
  }

  /** `conn` ended by itself (the peer gave up): forget it and its timer. */
  release(conn: object): void {
    const entry = this.#held.get(conn);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.#held.delete(conn);
  }

  /** Closes every held connection now (the listener is closing: nothing may wait on them). */
  closeAll(): void {
    const entries = [...this.#held.values()];
    this.#held.clear();
    for (const { close, timer } of entries) {
      clearTimeout(timer);
      close();
    }
  }
}
