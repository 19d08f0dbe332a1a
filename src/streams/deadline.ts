/**
 * Timed policies of a session (SETTINGS acknowledgement, idle, write stall, keepalive, close phases,
 * stream stall) on an injected clock, so tests drive time by hand and the protocol core stays
 * clock-free. One deadline per policy, at most one tick per period whatever the traffic; on the default
 * clock every session's deadlines share one runtime timer (./timer-wheel.ts).
 * Layer: streams (runtime-neutral).
 */
import { TimerWheel, type WheelEntry } from './timer-wheel.ts';

/**
 * The clock a session arms its timeouts on. By default one {@link TimerWheel} shared by every session,
 * over `globalThis.setTimeout`/`clearTimeout`; any other clock gets one timer per armed deadline, and
 * fires it exactly when asked (tests drive time by hand with one).
 */
export interface H2Clock {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The clock sessions take by default: one {@link TimerWheel} per process over the runtime's timers, so
 * every session's deadlines share one underlying timer (unref'd where possible, so a session never
 * keeps a process alive). Deadlines fire up to {@link DEFAULT_GRANULARITY} ms late.
 */
export function defaultClock(): H2Clock {
  return (defaultWheel ??= new TimerWheel(RUNTIME_CLOCK, runtimeNow, DEFAULT_GRANULARITY));
}

/** The default clock's tick: every default timeout is whole seconds, so 0.1 s late is nothing. */
export const DEFAULT_GRANULARITY = 100;

let defaultWheel: TimerWheel | null = null;

/** A monotonic clock where the runtime has one (all current ones do). */
const runtimeNow: () => number =
  typeof globalThis.performance?.now === 'function' ? () => globalThis.performance.now() : () => Date.now();

/** The runtime's timers, unref'd where they can be. */
const RUNTIME_CLOCK: H2Clock = {
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

/** What a {@link Deadline} calls when it expires: `kind` says which of the target's deadlines it is. */
export interface DeadlineTarget {
  /** Returns true to re-arm the deadline (e.g. there was activity since), false to leave it stopped. */
  onDeadline(kind: number): boolean;
}

/** A disarmed deadline's handle (any value a clock returns may be a handle, `undefined` included). */
const DISARMED: unique symbol = Symbol('disarmed');

/**
 * One armed-or-not timer. When it fires, its target's `onDeadline(kind)` decides whether it re-arms.
 * Arming an armed timer does nothing, so hot paths may call `arm()` freely without touching the clock.
 * On a {@link TimerWheel} (the default clock) it is the wheel's entry itself: no runtime timer and no
 * closure of its own; on any other clock it arms that clock's timer.
 */
export class Deadline implements WheelEntry {
  readonly #clock: H2Clock;
  readonly #ms: number;
  readonly #target: DeadlineTarget;
  readonly #kind: number;
  /** While armed: the wheel tick, or the other clock's timer handle; else DISARMED (one field, not two). */
  #handle: unknown = DISARMED;

  /** @param ms the period; 0 (or less) disables the deadline. */
  constructor(clock: H2Clock, ms: number, target: DeadlineTarget, kind = 0) {
    this.#clock = clock;
    this.#ms = ms;
    this.#target = target;
    this.#kind = kind;
  }

  /** True if the policy is on (its period is positive). */
  get enabled(): boolean {
    return this.#ms > 0;
  }

  /** True while the timer runs. */
  get armed(): boolean {
    return this.#handle !== DISARMED;
  }

  /** Starts the timer unless it is running (or disabled). */
  arm(): void {
    if (this.#handle !== DISARMED || this.#ms <= 0) return;
    const clock = this.#clock;
    // Not a wheel (a clock a test drives, say): a callback per arm, rather than one kept per deadline.
    this.#handle = clock instanceof TimerWheel ? clock.add(this, this.#ms) : clock.setTimeout(() => this.expire(), this.#ms);
  }

  /** Stops the timer. */
  disarm(): void {
    const handle = this.#handle;
    if (handle === DISARMED) return;
    this.#handle = DISARMED;
    const clock = this.#clock;
    if (clock instanceof TimerWheel) clock.remove(this, handle as number);
    else clock.clearTimeout(handle);
  }

  /** Restarts the period from now. */
  rearm(): void {
    this.disarm();
    this.arm();
  }

  /** The period is over (called by the clock). */
  expire(): void {
    if (this.#handle === DISARMED) return;
    this.#handle = DISARMED;
    if (this.#target.onDeadline(this.#kind)) this.arm();
  }
}
