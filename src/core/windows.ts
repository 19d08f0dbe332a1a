/**
 * Receive-side flow-control window bookkeeping and the automatic WINDOW_UPDATE heuristic, used by
 * every stream and by the connection. Sans-I/O core. Port of h2/windows.py WindowManager.
 */

import { FlowControlError } from './exceptions.ts';

/**
 * The largest value an HTTP/2 flow-control window may take.
 * RFC 9113 §6.9.1
 * > A sender MUST NOT allow a flow-control window to exceed 2^31-1 octets.
 */
export const LARGEST_FLOW_CONTROL_WINDOW = 2 ** 31 - 1;

/**
 * Throws FlowControlError for an initial window above 2^31-1 (what {@link WindowManager}'s constructor
 * checks), for a holder that makes its manager later.
 */
export function checkWindowSize(size: number): void {
  if (!(size <= LARGEST_FLOW_CONTROL_WINDOW)) {
    throw new FlowControlError(`Flow control window mustn't exceed ${LARGEST_FLOW_CONTROL_WINDOW}`);
  }
}

/**
 * {@link WindowManager.windowOpened} for a window held as its size alone (current = target, nothing
 * processed: a window never used yet): the new size, which is again both current and target.
 * @throws FlowControlError if the window would exceed 2^31-1.
 */
export function openedWindowSize(size: number, increment: number): number {
  checkWindowSize(size + increment);
  return size + increment;
}

/**
 * Tracks how much the peer may still send us (the receive window), how much of what arrived the
 * application has consumed, and decides when to hand space back with a WINDOW_UPDATE, trying not to
 * emit too many of them. Port of h2.windows.WindowManager.
 */
export class WindowManager {
  /** The window size we aim to keep open (grows with manual increments and SETTINGS changes). */
  maxWindowSize: number;
  /** The bytes the peer may still send before exhausting the window (RFC 9113 §6.9). */
  currentWindowSize: number;
  #bytesProcessed = 0;

  /** @param maxWindowSize The initial (and target) window size, at most 2^31-1. */
  constructor(maxWindowSize: number) {
    checkWindowSize(maxWindowSize);
    this.maxWindowSize = maxWindowSize;
    this.currentWindowSize = maxWindowSize;
  }

  /**
   * Flow-controlled bytes arrived from the peer: the window shrinks.
   * Port of h2.windows.WindowManager.window_consumed.
   * @throws FlowControlError if the peer overran the window size.
   */
  windowConsumed(size: number): void {
    this.currentWindowSize -= size;
    // RFC 9113 §6.9.1
    // > A receiver MAY respond with a stream error or connection error of type FLOW_CONTROL_ERROR if
    // > it is unable to accept a frame.
    if (this.currentWindowSize < 0) throw new FlowControlError('Flow control window shrunk below 0');
  }

  /**
   * The window was incremented (a manual increment, or a change of our INITIAL_WINDOW_SIZE). This can
   * raise the target maximum; it does not count as processed data.
   * Port of h2.windows.WindowManager.window_opened.
   * @throws FlowControlError if the window would exceed 2^31-1, leaving it unchanged (h2 raises after
   *   adding, so a refused `increment_flow_control_window` call would still have opened the window).
   */
  windowOpened(size: number): void {
    // RFC 9113 §6.9.1
    // > A sender MUST NOT allow a flow-control window to exceed 2^31-1 octets.
    checkWindowSize(this.currentWindowSize + size);
    this.currentWindowSize += size;
    if (this.currentWindowSize > this.maxWindowSize) this.maxWindowSize = this.currentWindowSize;
  }

  /**
   * The application processed `size` flow-controlled bytes. Returns the WINDOW_UPDATE increment to
   * send now (0 = send nothing), or `null` when nothing is pending at all.
   * Port of h2.windows.WindowManager.process_bytes.
   */
  processBytes(size: number): number | null {
    this.#bytesProcessed += size;
    return this.#maybeUpdateWindow();
  }

  /**
   * The heuristic (h2's `_maybe_update_window`):
   * 1. nothing processed → `null`;
   * 2. the window is exhausted and more than min(1024, max/4) bytes were processed → update, so the
   *    stream cannot block altogether;
   * 3. at least half the maximum window was processed → update (few, large WINDOW_UPDATEs even when
   *    the peer sends many tiny DATA frames).
   * An update gives back everything processed, capped at the room below the maximum.
   */
  #maybeUpdateWindow(): number | null {
    if (this.#bytesProcessed === 0) return null;
    const maxIncrement = this.maxWindowSize - this.currentWindowSize;
    let increment = 0;
    if (
      (this.currentWindowSize === 0 && this.#bytesProcessed > Math.min(1024, Math.floor(this.maxWindowSize / 4))) ||
      this.#bytesProcessed >= Math.floor(this.maxWindowSize / 2)
    ) {
      increment = Math.min(this.#bytesProcessed, maxIncrement);
      this.#bytesProcessed = 0;
    }
    this.currentWindowSize += increment;
    return increment;
  }
}
