/**
 * Timed policies of a session (SETTINGS acknowledgement, idle, write stall, keepalive, close phases,
 * stream stall) on an injected clock, so tests drive time by hand and the protocol core stays
 * clock-free. One timer per policy, at most one tick per period whatever the traffic.
 * Layer: streams (runtime-neutral).
 */

/** The clock a session arms its timeouts on: `globalThis.setTimeout`/`clearTimeout` by default. */
export interface H2Clock {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The runtime's timers. Handles that can be unref'd (Node) are, so a session never keeps a process alive. */
export function defaultClock(): H2Clock {
  return DEFAULT_CLOCK;
}

/** One clock object for every session that takes the default (it holds no state). */
const DEFAULT_CLOCK: H2Clock = {
  setTimeout(callback, ms) {
    const handle: unknown = globalThis.setTimeout(callback, ms);
    const unref = (handle as { unref?: () => void } | null)?.unref;
    if (typeof unref === 'function') unref.call(handle);
    return handle;
  },
  clearTimeout(handle) {
    globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]);
  },
};

/**
 * One armed-or-not timer. When it fires, `onExpire` decides: return true to re-arm (e.g. there was
 * activity since), false to stay stopped. Arming an armed timer does nothing, so hot paths may call
 * `arm()` freely without touching the clock.
 */
export class Deadline {
  readonly #clock: H2Clock;
  readonly #ms: number;
  readonly #onExpire: () => boolean;
  #handle: unknown = null;
  #armed = false;

  /** @param ms the period; 0 (or less) disables the deadline. */
  constructor(clock: H2Clock, ms: number, onExpire: () => boolean) {
    this.#clock = clock;
    this.#ms = ms;
    this.#onExpire = onExpire;
  }

  /** True if the policy is on (its period is positive). */
  get enabled(): boolean {
    return this.#ms > 0;
  }

  /** True while the timer runs. */
  get armed(): boolean {
    return this.#armed;
  }

  /** Starts the timer unless it is running (or disabled). */
  arm(): void {
    if (this.#armed || this.#ms <= 0) return;
    this.#armed = true;
    this.#handle = this.#clock.setTimeout(this.#fire, this.#ms);
  }

  /** Stops the timer. */
  disarm(): void {
    if (!this.#armed) return;
    this.#armed = false;
    this.#clock.clearTimeout(this.#handle);
    this.#handle = null;
  }

  /** Restarts the period from now. */
  rearm(): void {
    this.disarm();
    this.arm();
  }

  readonly #fire = (): void => {
    this.#armed = false;
    this.#handle = null;
    if (this.#onExpire()) this.arm();
  };
}
