/**
 * A hand-driven clock for the session's timed policies: timers fire only inside `advance(ms)`, in
 * deadline order, so timeout tests never sleep and never flake.
 */
import type { H2Clock } from '../../src/streams';

interface Timer {
  readonly at: number;
  readonly callback: () => void;
}

/** An {@link H2Clock} whose time moves only when a test says so. */
export class TestClock implements H2Clock {
  #now = 0;
  #nextId = 1;
  readonly #timers = new Map<number, Timer>();

  /** Milliseconds advanced so far. */
  get now(): number {
    return this.#now;
  }

  /** Timers armed and not yet fired or cleared. */
  get pending(): number {
    return this.#timers.size;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Moves time forward by `ms`, firing every timer due on the way (including ones armed meanwhile). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let due: [number, Timer] | null = null;
      for (const entry of this.#timers) if (entry[1].at <= end && (due === null || entry[1].at < due[1].at)) due = entry;
      if (due === null) break;
      this.#timers.delete(due[0]);
      this.#now = due[1].at;
      due[1].callback();
    }
    this.#now = end;
  }
}
