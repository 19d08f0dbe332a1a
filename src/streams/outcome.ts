/**
 * A settle-once result whose Promise is materialised only when someone asks for it, so a failure nobody
 * observes never becomes an unhandled rejection. Layer: streams (runtime-neutral).
 */

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;

/** Settles once; `promise` is created lazily and reflects the settlement whenever it is read. */
export class Outcome<T> {
  #state: number = PENDING;
  #value: T | undefined;
  #reason: unknown;
  #promise: Promise<T> | null = null;
  #resolve: ((value: T) => void) | null = null;
  #reject: ((reason: unknown) => void) | null = null;

  /** True once `resolve` or `reject` has been called. */
  get settled(): boolean {
    return this.#state !== PENDING;
  }

  /** True if the outcome is a rejection. */
  get failed(): boolean {
    return this.#state === REJECTED;
  }

  /** The rejection reason (undefined unless `failed`). */
  get reason(): unknown {
    return this.#reason;
  }

  /** The Promise of the outcome; the same object on every read. */
  get promise(): Promise<T> {
    if (this.#promise === null) {
      if (this.#state === FULFILLED) this.#promise = Promise.resolve(this.#value as T);
      else if (this.#state === REJECTED) this.#promise = Promise.reject(this.#reason);
      else {
        this.#promise = new Promise<T>((resolve, reject) => {
          this.#resolve = resolve;
          this.#reject = reject;
        });
      }
    }
    return this.#promise;
  }

  /** Fulfils the outcome; ignored if it already settled. */
  resolve(value: T): void {
    if (this.#state !== PENDING) return;
    this.#state = FULFILLED;
    this.#value = value;
    if (this.#resolve !== null) this.#resolve(value);
    this.#resolve = this.#reject = null;
  }

  /** Rejects the outcome; ignored if it already settled. */
  reject(reason: unknown): void {
    if (this.#state !== PENDING) return;
    this.#state = REJECTED;
    this.#reason = reason;
    if (this.#reject !== null) this.#reject(reason);
    this.#resolve = this.#reject = null;
  }
}
