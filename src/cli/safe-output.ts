/**
 * Output for a long-running server that must never block on, or die of, its stdout/stderr: text is
 * batched and written asynchronously (fs.write on the descriptor, in libuv's thread pool, so a slow
 * reader or a disk does not stall the event loop), and a write that fails (EPIPE from a closed pipe,
 * ENOSPC from a full disk, EBADF) drops its batch and counts it instead of throwing. Layer: CLI (Node).
 */
import { write as fsWrite } from 'node:fs';

/** Bytes waiting to be written past which new text is dropped (and counted): a reader that never reads cannot grow our memory. */
const MAX_PENDING = 1 << 20;
/** Batches stay within PIPE_BUF-sized pieces' multiples so lines from several workers sharing a pipe rarely interleave. */
const MAX_BATCH = 64 * 1024;
/** A non-blocking descriptor that is full (EAGAIN) is retried after this long. */
const RETRY_MS = 20;

/** A text sink that batches, never blocks the event loop, and never throws. */
export class SafeOutput {
  readonly #fd: number | null;
  readonly #fallback: { write(chunk: string): unknown } | null;
  #pending: string[] = [];
  #pendingBytes = 0;
  #writing = false;
  #scheduled = false;
  #idle: Array<() => void> = [];
  /** Lines (or writes) dropped because writing failed or too much was waiting. */
  dropped = 0;
  /** The last write error seen (its `code`), if any. */
  lastError: string | null = null;

  /** Writes to `target`'s file descriptor when it has one (process.stdout/stderr), else through its `write`. */
  constructor(target: { write(chunk: string): unknown; fd?: unknown }) {
    const fd = target.fd;
    this.#fd = typeof fd === 'number' ? fd : null;
    this.#fallback = this.#fd === null ? target : null;
  }

  /** Queues `text`; it goes out within a turn of the event loop. */
  write(text: string): void {
    if (this.#fallback !== null) {
      try {
        this.#fallback.write(text);
      } catch (error) {
        this.#fail(error, 1);
      }
      return;
    }
    if (this.#pendingBytes + text.length > MAX_PENDING) {
      this.dropped++;
      return;
    }
    this.#pending.push(text);
    this.#pendingBytes += text.length;
    if (!this.#writing && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flush);
    }
  }

  /**
   * Resolves with true once everything queued has been written or dropped, or with false after
   * `timeoutMs` (a reader that stopped reading: the caller may exit anyway).
   */
  drain(timeoutMs = 2000): Promise<boolean> {
    if (!this.#writing && !this.#scheduled && this.#pending.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      // Not unref'd: the wait itself keeps the process alive until it decides.
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    if (this.#writing) return;
    if (this.#pending.length === 0) {
      for (const f of this.#idle.splice(0)) f();
      return;
    }
    // Take whole writes up to MAX_BATCH (at least one).
    let n = 0;
    let bytes = 0;
    while (n < this.#pending.length && (n === 0 || bytes + this.#pending[n]!.length <= MAX_BATCH)) bytes += this.#pending[n++]!.length;
    const batch = this.#pending.splice(0, n);
    this.#pendingBytes -= bytes;
    this.#writing = true;
    this.#writeAll(Buffer.from(batch.join(''), 'utf8'), batch.length);
  };

  #writeAll(buffer: Buffer, count: number): void {
    fsWrite(this.#fd!, buffer, 0, buffer.length, null, (error, written) => {
      if (error !== null) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
          setTimeout(() => this.#writeAll(buffer, count), RETRY_MS).unref();
          return;
        }
        this.#fail(error, count);
      } else if (written < buffer.length) {
        this.#writeAll(buffer.subarray(written), count);
        return;
      }
      this.#writing = false;
      this.#flush();
    });
  }

  #fail(error: unknown, count: number): void {
    this.dropped += count;
    this.lastError = (error as NodeJS.ErrnoException)?.code ?? String(error);
  }
}
