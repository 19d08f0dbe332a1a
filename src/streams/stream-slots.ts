/**
 * Client stream slots: requests wait here, strictly first come first served, until the peer's
 * MAX_CONCURRENT_STREAMS (RFC 9113 §5.1.2) leaves room for one more stream. Layer: streams (runtime-neutral).
 */
import { Outcome } from './outcome.ts';

/**
 * A FIFO of requests waiting for a stream slot. A woken waiter holds its slot (a grant) until it has
 * opened its stream or given up, so a later request can never overtake it; a request that finds a free
 * slot and nobody waiting opens at once, synchronously.
 */
export class StreamSlots {
  readonly #free: () => number;
  #waiters: Outcome<void>[] = [];
  #granted = 0;

  /** @param free how many more streams the peer allows right now (its limit minus the open ones). */
  constructor(free: () => number) {
    this.#free = free;
  }

  /** True while some request waits in line. */
  get waiting(): boolean {
    return this.#waiters.length > 0;
  }

  /** True if a stream may open right now (free slot, nobody waiting): no grant is held then. */
  tryAcquire(): boolean {
    return this.#waiters.length === 0 && this.#free() - this.#granted > 0;
  }

  /**
   * Waits in line for a slot; resolves holding a grant (call `released(true)` once the stream opened or
   * failed to). `check` runs once woken and may throw (e.g. the session is closing): the grant then
   * passes to the next waiter.
   */
  async wait(signal: AbortSignal | undefined, check: () => void): Promise<void> {
    const slot = new Outcome<void>();
    this.#waiters.push(slot);
    await this.#abortable(slot, signal);
    try {
      check();
      signal?.throwIfAborted();
    } catch (err) {
      this.released(true);
      throw err;
    }
  }

  /** The caller opened its stream (or failed to): its grant ends and free slots go to the next waiters. */
  released(granted: boolean): void {
    if (granted) this.#granted--;
    if (this.#waiters.length > 0) this.wake();
  }

  /** Wakes as many waiters, oldest first, as there are free slots (a stream closed, or SETTINGS changed). */
  wake(): void {
    if (this.#waiters.length === 0) return;
    for (let free = this.#free() - this.#granted; free > 0 && this.#waiters.length > 0; free--) {
      this.#granted++;
      (this.#waiters.shift() as Outcome<void>).resolve();
    }
  }

  /** Fails every waiter (the session is closing or failed). */
  rejectAll(error: unknown): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const slot of waiters) slot.reject(error);
  }

  #abortable(slot: Outcome<void>, signal: AbortSignal | undefined): Promise<void> {
    if (signal === undefined) return slot.promise;
    const onAbort = (): void => {
      const i = this.#waiters.indexOf(slot);
      if (i >= 0) this.#waiters.splice(i, 1);
      slot.reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    return slot.promise.finally(() => signal.removeEventListener('abort', onAbort));
  }
}
