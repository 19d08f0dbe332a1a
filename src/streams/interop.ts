/**
 * Bridges between Web Streams implementations: streams made by one implementation (e.g.
 * web-streams-polyfill) cannot be piped with another's `pipeTo`/`pipeThrough` (each checks for its own
 * internal slots and throws a TypeError). These adapters re-wrap a stream with the other constructors,
 * passing chunks, backpressure, cancellation and errors through. Layer: streams (runtime-neutral).
 */
import type { Sink, Source, StreamConstructors } from './types.ts';
import { globalStreams } from './types.ts';

/** Reads from any ReadableStream-like object through its reader, one chunk per pull. */
class ReaderSource<T> implements Source<T> {
  readonly #reader: ReadableStreamDefaultReader<T>;

  constructor(stream: ReadableStream<T>) {
    this.#reader = stream.getReader();
  }

  async pull(controller: ReadableStreamDefaultController<T>): Promise<void> {
    const { done, value } = await this.#reader.read();
    if (done) controller.close();
    else controller.enqueue(value);
  }

  cancel(reason?: unknown): Promise<void> {
    return this.#reader.cancel(reason);
  }
}

/** Writes into any WritableStream-like object through its writer, honouring its backpressure. */
class WriterSink<T> implements Sink<T> {
  readonly #writer: WritableStreamDefaultWriter<T>;

  constructor(stream: WritableStream<T>) {
    this.#writer = stream.getWriter();
  }

  async write(chunk: T): Promise<void> {
    await this.#writer.ready;
    await this.#writer.write(chunk);
  }

  close(): Promise<void> {
    return this.#writer.close();
  }

  abort(reason?: unknown): Promise<void> {
    return this.#writer.abort(reason);
  }
}

function isReadable(stream: ReadableStream<unknown> | WritableStream<unknown>): stream is ReadableStream<unknown> {
  return typeof (stream as ReadableStream<unknown>).getReader === 'function';
}

/**
 * Re-wraps `stream` with the given constructors (default: the runtime's own), so that the runtime's
 * `pipeTo`, `pipeThrough`, `Response` etc. accept it. Returns `stream` itself if it already is one.
 */
export function toNative<T>(stream: ReadableStream<T>, ctors?: StreamConstructors): ReadableStream<T>;
export function toNative<T>(stream: WritableStream<T>, ctors?: StreamConstructors): WritableStream<T>;
export function toNative<T>(stream: ReadableStream<T> | WritableStream<T>, ctors: StreamConstructors = globalStreams()): ReadableStream<T> | WritableStream<T> {
  return adapt(stream, ctors);
}

/**
 * Re-wraps a runtime-native (or any foreign) stream with `ctors`, e.g. to pipe a native body into a
 * writable created with web-streams-polyfill. Returns `stream` itself if it already is one of `ctors`'.
 */
export function fromNative<T>(stream: ReadableStream<T>, ctors: StreamConstructors): ReadableStream<T>;
export function fromNative<T>(stream: WritableStream<T>, ctors: StreamConstructors): WritableStream<T>;
export function fromNative<T>(stream: ReadableStream<T> | WritableStream<T>, ctors: StreamConstructors): ReadableStream<T> | WritableStream<T> {
  return adapt(stream, ctors);
}

function adapt<T>(stream: ReadableStream<T> | WritableStream<T>, ctors: StreamConstructors): ReadableStream<T> | WritableStream<T> {
  if (isReadable(stream)) {
    if (stream instanceof (ctors.ReadableStream as unknown as typeof ReadableStream)) return stream;
    return new ctors.ReadableStream<T>(new ReaderSource(stream), { highWaterMark: 0 });
  }
  if (stream instanceof (ctors.WritableStream as unknown as typeof WritableStream)) return stream;
  return new ctors.WritableStream<T>(new WriterSink(stream));
}

/**
 * Async iteration over any ReadableStream, for runtimes whose streams lack `Symbol.asyncIterator`
 * (e.g. Safari): `for await (const chunk of iterate(stream))`. Breaking out cancels the stream.
 */
export async function* iterate<T>(stream: ReadableStream<T>): AsyncGenerator<T, void, undefined> {
  const reader = stream.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    if (!finished) await reader.cancel();
    reader.releaseLock();
  }
}
