/**
 * The connection's outbound byte buffer: frames are serialized straight into one growing
 * Uint8Array (no per-frame arrays, no concatenation), and `take()` hands the queued bytes out as a
 * view. Sans-I/O core. Replaces h2's `_data_to_send` bytearray.
 */

import type { Frame } from '../frame';

const INITIAL_CAPACITY = 16384;
/** The largest first allocation after a flush, however big the previous batch was. */
const MAX_HINT = 262144;
const EMPTY = new Uint8Array(0);

/**
 * Queued outbound bytes. Bytes handed out by {@link take} are never written again (a fresh backing
 * array is started instead), so the returned views stay valid for as long as the caller keeps them.
 */
export class OutboundBuffer {
  #buf: Uint8Array = EMPTY;
  #start = 0;
  #end = 0;
  /** Bytes ever queued (absolute offset of the end of the queue). */
  #queued = 0;
  /** Size of the last batch taken whole: the next backing array starts that big (one allocation per batch). */
  #hint = INITIAL_CAPACITY;

  /** Bytes queued and not yet taken. */
  get length(): number {
    return this.#end - this.#start;
  }

  /** Absolute offset of the end of the queue: the total number of bytes ever queued. */
  get queuedTotal(): number {
    return this.#queued;
  }

  /** Absolute offset of the start of the queue: the total number of bytes taken or discarded. */
  get takenTotal(): number {
    return this.#queued - (this.#end - this.#start);
  }

  #reserve(n: number): void {
    if (this.#end + n <= this.#buf.length) return;
    const live = this.#end - this.#start;
    const capacity = Math.max(this.#hint, 2 * live, live + n);
    const next = new Uint8Array(capacity);
    if (live > 0) next.set(this.#buf.subarray(this.#start, this.#end));
    this.#buf = next;
    this.#start = 0;
    this.#end = live;
  }

  /** Serializes `frame` onto the end of the queue. */
  pushFrame(frame: Frame): void {
    const n = frame.serializedLength;
    this.#reserve(n);
    this.#end += frame.serializeInto(this.#buf, this.#end);
    this.#queued += n;
  }

  /** Copies `bytes` onto the end of the queue. */
  pushBytes(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#end);
    this.#end += bytes.length;
    this.#queued += bytes.length;
  }

  /**
   * Removes and returns up to `amount` queued bytes (all of them when `amount` is undefined) as one
   * view; the buffer never writes into it again.
   */
  take(amount?: number): Uint8Array {
    const live = this.#end - this.#start;
    if (amount !== undefined && !(amount >= 0)) throw new RangeError(`amount must be a non-negative number, not ${String(amount)}`);
    const n = amount === undefined ? live : Math.min(live, Math.floor(amount));
    if (n === 0) return EMPTY;
    const out = this.#buf.subarray(this.#start, this.#start + n);
    this.#start += n;
    if (this.#start === this.#end) {
      // Everything was handed out: start a new backing array so the caller's view is never overwritten.
      this.#hint = Math.min(MAX_HINT, Math.max(INITIAL_CAPACITY, this.#end));
      this.#buf = EMPTY;
      this.#start = 0;
      this.#end = 0;
    }
    return out;
  }

  /** Discards every queued byte. */
  clear(): void {
    this.#buf = EMPTY;
    this.#start = 0;
    this.#end = 0;
  }
}
