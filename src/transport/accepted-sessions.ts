/**
 * `for await (const session of server)`: the sessions of a server's `accepted` stream, read through a
 * reader of it. It replaces `accepted.pipeThrough(new TransformStream(…))`, whose pipe made a read
 * request, a write request and their promises and closures per connection: ~1.5 KiB of garbage per
 * connection set-up on Node 20, which in a burst of connections grows V8's young generation.
 * It behaves as the standard iterator of such a piped stream did (ReadableStream §4.2.5): `accepted` is
 * locked while iterating (a second iteration throws a TypeError), released at its end, and `return()`
 * (a `break`) cancels it. Layer: transport (no runtime API here).
 */
import type { H2Session } from '../streams/session.ts';
import type { AcceptedSession } from './session-server.ts';

/** An iterator over `accepted`'s sessions; throws a TypeError if `accepted` is locked (being read already). */
export function acceptedSessions(accepted: ReadableStream<AcceptedSession>): AsyncIterableIterator<H2Session> {
  return new SessionIterator(accepted.getReader());
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

class SessionIterator implements AsyncIterableIterator<H2Session> {
  /** Null once released (the end, an error, or `return()`). */
  #reader: ReadableStreamDefaultReader<AcceptedSession> | null;
  // One of each per iterator (per server), not per next().
  readonly #took = (result: { readonly done: boolean; readonly value?: AcceptedSession | undefined }): IteratorResult<H2Session> => {
    if (!result.done) return { value: (result.value as AcceptedSession).session, done: false };
    this.#release();
    return DONE;
  };
  readonly #failed = (error: unknown): never => {
    this.#release();
    throw error;
  };

  constructor(reader: ReadableStreamDefaultReader<AcceptedSession>) {
    this.#reader = reader;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<H2Session> {
    return this;
  }

  next(): Promise<IteratorResult<H2Session>> {
    const reader = this.#reader;
    if (reader === null) return Promise.resolve(DONE);
    // Reads made while one waits are answered in order by the reader itself.
    return reader.read().then(this.#took, this.#failed);
  }

  return(value?: unknown): Promise<IteratorResult<H2Session>> {
    const result: IteratorResult<H2Session> = { value: value as undefined, done: true };
    const reader = this.#reader;
    if (reader === null) return Promise.resolve(result);
    this.#reader = null;
    const cancelled = reader.cancel(value);
    reader.releaseLock();
    return cancelled.then(() => result);
  }

  #release(): void {
    const reader = this.#reader;
    if (reader === null) return;
    this.#reader = null;
    reader.releaseLock();
  }
}
