/**
 * A server's `accepted` stream and `for await (const session of server)` over it, shared by `listen()`
 * (Node) and `sessionServer` (Deno, Bun, WebTransport). Made for a burst of connections: per connection
 * they used ~5 KiB of garbage on Node 20 (the sessions piped through a TransformStream, and a native
 * read per session: a read request, a deferred promise and its closures), which grows V8's young
 * generation and so a server's RSS. Now `accepted` is a queue-backed ReadableStream (queue-readable.ts:
 * `for await` over it takes sessions straight from the queue), and the server's iterator maps it.
 * Both behave as the standard ones (ReadableStream §4.2.5): `accepted` is locked while iterated (a second
 * iteration throws a TypeError), released at its end, and `return()` (a `break`) cancels it.
 * Layer: transport (no runtime API here).
 */
import { PullQueue, type PullQueueOwner } from '../streams/pull-queue.ts';
import { refuseIncoming, type H2Session } from '../streams/session.ts';
import { globalStreams } from '../streams/types.ts';
import type { AcceptedSession } from './session-server.ts';

/**
 * The queue behind a server's `accepted`. Once its reader cancels it (a `break` out of the session loop),
 * nobody takes sessions any more: those it never took are closed gracefully, `cancelled` turns true (the
 * server then refuses new connections) and `push` ignores what comes.
 */
export class AcceptedQueue implements PullQueueOwner<AcceptedSession> {
  readonly #queue = new PullQueue<AcceptedSession>(Infinity, this);
  /** The stream applications read (`server.accepted`). */
  readonly readable: ReadableStream<AcceptedSession> = this.#queue.readable(globalStreams());

  /** True once the reader cancelled `readable`. */
  get cancelled(): boolean {
    return this.#queue.cancelled;
  }

  /** Queues a session for the reader. */
  push(accepted: AcceptedSession): void {
    this.#queue.push(accepted);
  }

  /** No more sessions will come (the reader gets the queued ones, then the end). */
  close(): void {
    this.#queue.close();
  }

  /**
   * PullQueueOwner: the reader cancelled; the sessions it never took are closed (a GOAWAY, not a hang).
   * Nobody will serve their requests: cancelling `incoming` refuses those received and any still to come
   * (REFUSED_STREAM, RFC 9113 §8.7: not processed, so the client may retry them at once), and the
   * graceful close then has no stream to wait for (it waited for the drain deadline, 30 s by default).
   */
  queueCancelled(unclaimed: readonly AcceptedSession[]): void {
    for (const { session } of unclaimed) {
      refuseIncoming(session);
      void session.close().catch(() => undefined);
    }
  }
}

/** `for await (const session of server)`: `accepted`'s iterator, each item's `session`; throws a TypeError if `accepted` is locked. */
export function acceptedSessions(accepted: ReadableStream<AcceptedSession>): AsyncIterableIterator<H2Session> {
  return new SessionIterator((accepted as ReadableStream<AcceptedSession> & AsyncIterable<AcceptedSession>)[Symbol.asyncIterator]());
}

function toSession(result: IteratorResult<AcceptedSession>): IteratorResult<H2Session> {
  return result.done === true ? result : { value: result.value.session, done: false };
}

/** The session of each item of `accepted`'s own iterator (which locks, releases and cancels it). */
class SessionIterator implements AsyncIterableIterator<H2Session> {
  readonly #inner: AsyncIterator<AcceptedSession>;

  constructor(inner: AsyncIterator<AcceptedSession>) {
    this.#inner = inner;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<H2Session> {
    return this;
  }

  next(): Promise<IteratorResult<H2Session>> {
    return this.#inner.next().then(toSession);
  }

  return(value?: unknown): Promise<IteratorResult<H2Session>> {
    return (this.#inner.return as (value?: unknown) => Promise<IteratorResult<H2Session>>).call(this.#inner, value);
  }
}
