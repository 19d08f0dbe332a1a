/**
 * The ReadableStream a `PullQueue` is read through (`session.incoming`, `session.events`), with an async
 * iterator of its own (queue-iterator.ts): `for await` takes items straight from the queue (the stream
 * still locked by a reader meanwhile) instead of through the runtime's iterator, whose pending read kept
 * ~1.2 KiB per idle session on Node 20 (a read request, its deferred promise and their closures).
 * Layer: streams (runtime-neutral).
 */
import { QueueIterator, type IteratedQueue } from './queue-iterator.ts';
import type { StreamConstructors } from './types.ts';

/** The queue as the stream's underlying source too (start, pull, cancel). */
export type QueueSource<T> = IteratedQueue<T> & {
  start(controller: ReadableStreamDefaultController<T>): void;
  pull(controller: ReadableStreamDefaultController<T>): void;
  /** A reader took the stream (`getReader`): no read of its waits yet. */
  readerTaken(): void;
};

/** Where the stream keeps its queue (a symbol: no name a user could meet). */
const QUEUE: unique symbol = Symbol('h2flow.queue');

type QueueStream<T> = ReadableStream<T> & { [QUEUE]: QueueSource<T> };

/** One prototype per Web Streams implementation (a session may be given another's). */
const prototypes = new WeakMap<object, object>();

/**
 * A ReadableStream (highWaterMark 0) over `queue`, made by `ctors`, whose prototype adds the queue's
 * own `values()` / `[Symbol.asyncIterator]()` over the implementation's, and a `getReader()` that tells
 * the queue a new reader (with no read waiting) holds the stream. Not a subclass: on Node 20 a
 * subclass instance of the native ReadableStream costs ~550 B more; the prototype of an instance set
 * afterwards costs nothing (and it stays `instanceof` the implementation's class, every method its own).
 */
export function queueReadable<T>(ctors: StreamConstructors, queue: QueueSource<T>): ReadableStream<T> {
  const Base = ctors.ReadableStream as unknown as typeof ReadableStream;
  const stream = new Base<T>(queue, PULL_ONE) as QueueStream<T>;
  stream[QUEUE] = queue;
  let proto = prototypes.get(Base);
  if (proto === undefined) {
    const baseGetReader = Base.prototype.getReader as (this: ReadableStream<T>, options?: unknown) => ReadableStreamDefaultReader<T>;
    /** The implementation's getReader (a TypeError if locked), then the queue is told. */
    function getReader(this: QueueStream<T>, options?: unknown): ReadableStreamDefaultReader<T> {
      const reader = baseGetReader.call(this, options);
      this[QUEUE].readerTaken();
      return reader;
    }
    proto = Object.create(Base.prototype, {
      getReader: { value: getReader, writable: true, configurable: true },
      values: { value: values, writable: true, configurable: true },
      [Symbol.asyncIterator]: { value: values, writable: true, configurable: true },
    }) as object;
    prototypes.set(Base, proto);
  }
  Object.setPrototypeOf(stream, proto);
  return stream;
}

const PULL_ONE = { highWaterMark: 0 } as const;

/** The stream's async iterator (ReadableStream §4.2.5's `values`), over its queue. */
function values<T>(this: QueueStream<T>, options?: { preventCancel?: boolean }): AsyncIterableIterator<T> {
  // Locks the stream (a TypeError if it is locked already, as the standard iterator throws).
  const reader = this.getReader();
  return new QueueIterator(this[QUEUE], reader, options?.preventCancel === true);
}
