/**
 * One coarse timer for many deadlines: the sessions on the default clock put their deadlines (SETTINGS
 * acknowledgement, idle, write, …) here instead of arming a runtime timer each, so an idle connection
 * holds no timer object of its own, and thousands of them share one underlying timer.
 * Layer: streams (runtime-neutral: it runs on an {@link H2Clock}).
 */
import type { H2Clock } from './deadline.ts';

/** Something a {@link TimerWheel} fires. */
export interface WheelEntry {
  /** Called once when the entry's time has come (it is off the wheel by then). */
  expire(): void;
}

/** A timer armed through the wheel's own {@link TimerWheel.setTimeout}. */
interface WheelTimeout extends WheelEntry {
  tick: number;
}

/**
 * Deadlines grouped by tick (`granularity` ms): the entries due in one tick share a bucket, and one
 * timer of the underlying clock runs, for the earliest bucket. An entry fires no earlier than asked and
 * at most one tick (plus the clock's own lateness) after. The wheel itself is an {@link H2Clock}.
 */
export class TimerWheel implements H2Clock {
  readonly #clock: H2Clock;
  readonly #now: () => number;
  readonly #granularity: number;
  /** tick → the entries due then (the tick's start is `tick × granularity` ms). */
  readonly #buckets = new Map<number, Set<WheelEntry>>();
  #size = 0;
  /** The underlying timer, or `null`; it runs for `#armedTick`. */
  #handle: unknown = null;
  #armedTick = Infinity;
  #firing = false;

  /**
   * @param clock The clock the one underlying timer runs on.
   * @param now The time in ms, on the same scale as `clock`'s delays.
   * @param granularity The tick in ms: how late an entry may fire, and how close deadlines share a bucket.
   */
  constructor(clock: H2Clock, now: () => number, granularity: number) {
    this.#clock = clock;
    this.#now = now;
    this.#granularity = granularity;
  }

  /** Entries on the wheel. */
  get size(): number {
    return this.#size;
  }

  /** Whether the underlying timer runs (it does exactly while entries wait). */
  get timerArmed(): boolean {
    return this.#handle !== null;
  }

  /** Puts `entry` on the wheel to fire `ms` from now; returns its tick (what {@link remove} takes). */
  add(entry: WheelEntry, ms: number): number {
    const tick = Math.ceil((this.#now() + Math.max(ms, 0)) / this.#granularity);
    let bucket = this.#buckets.get(tick);
    if (bucket === undefined) this.#buckets.set(tick, (bucket = new Set()));
    bucket.add(entry);
    this.#size++;
    if (!this.#firing && tick < this.#armedTick) this.#arm(tick);
    return tick;
  }

  /** Takes `entry` (put on at `tick`) off the wheel; the underlying timer stops with the last entry. */
  remove(entry: WheelEntry, tick: number): void {
    const bucket = this.#buckets.get(tick);
    if (bucket === undefined || !bucket.delete(entry)) return;
    this.#size--;
    if (bucket.size === 0) this.#buckets.delete(tick);
    if (this.#size === 0 && this.#handle !== null) {
      this.#clock.clearTimeout(this.#handle);
      this.#handle = null;
      this.#armedTick = Infinity;
    }
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const timeout: WheelTimeout = { tick: 0, expire: callback };
    timeout.tick = this.add(timeout, ms);
    return timeout;
  }

  clearTimeout(handle: unknown): void {
    const timeout = handle as WheelTimeout | null | undefined;
    if (timeout != null) this.remove(timeout, timeout.tick);
  }

  #arm(tick: number): void {
    if (this.#handle !== null) this.#clock.clearTimeout(this.#handle);
    this.#armedTick = tick;
    this.#handle = this.#clock.setTimeout(this.#fire, Math.max(0, tick * this.#granularity - this.#now()));
  }

  /** The underlying timer fired: every bucket due fires, then the timer runs for the earliest left. */
  readonly #fire = (): void => {
    this.#handle = null;
    this.#armedTick = Infinity;
    const now = Math.floor(this.#now() / this.#granularity);
    this.#firing = true;
    try {
      for (const [tick, bucket] of this.#buckets) {
        if (tick > now) continue;
        // One at a time: an entry's callback may take others off (or put them on later ticks).
        for (const entry of bucket) {
          bucket.delete(entry);
          this.#size--;
          entry.expire();
        }
        this.#buckets.delete(tick);
      }
    } finally {
      this.#firing = false;
      let next = Infinity;
      for (const tick of this.#buckets.keys()) if (tick < next) next = tick;
      if (next !== Infinity) this.#arm(next);
    }
  };
}
