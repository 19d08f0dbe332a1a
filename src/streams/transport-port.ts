/**
 * The session's one view of its transport: the transport's own direct interface when it has one
 * (`H2Transport.direct`, e.g. a Node socket), else its Web Streams `readable`/`writable` driven through
 * a reader and a writer behind the same interface. Layer: streams (runtime-neutral).
 */
import { Outcome } from './outcome.ts';
import type { H2DirectTransport, H2Transport, H2TransportSink } from './types.ts';

/** `transport`'s direct interface, or one over its Web Streams. */
export function directTransport(transport: H2Transport): H2DirectTransport {
  return transport.direct ?? new StreamsTransport(transport);
}

/** A Web Streams pair as a direct transport: a read loop feeding the sink, writes through a writer. */
class StreamsTransport implements H2DirectTransport {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array | Uint8Array[]>;
  #paused = false;
  #resumed: Outcome<void> | null = null;
  #stopped = false;

  constructor(transport: H2Transport) {
    this.#reader = transport.readable.getReader();
    this.#writer = transport.writable.getWriter() as WritableStreamDefaultWriter<Uint8Array | Uint8Array[]>;
  }

  start(sink: H2TransportSink): void {
    void this.#readLoop(sink);
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    const resumed = this.#resumed;
    this.#resumed = null;
    resumed?.resolve();
  }

  async cancel(): Promise<void> {
    this.#stopped = true;
    this.resume();
    try {
      await this.#reader.cancel();
    } catch {
      // Nothing more to read either way.
    }
  }

  write(chunk: Uint8Array | Uint8Array[]): Promise<void> {
    return this.#writer.write(chunk);
  }

  close(): Promise<void> {
    return this.#writer.close();
  }

  abort(reason: unknown): void {
    this.#writer.abort(reason).then(undefined, () => undefined);
  }

  async #readLoop(sink: H2TransportSink): Promise<void> {
    const reader = this.#reader;
    try {
      for (;;) {
        if (this.#paused) await (this.#resumed ??= new Outcome<void>()).promise;
        if (this.#stopped) return;
        const { done, value } = await reader.read();
        if (this.#stopped) return;
        if (done) {
          sink.end();
          return;
        }
        sink.data(value);
      }
    } catch (err) {
      if (!this.#stopped) sink.error(err);
    }
  }
}
