/**
 * A transport tap: wraps a `{ readable, writable }` byte pair so an observer sees every byte in both
 * directions (for frame logs such as `h2flow get -v`), without changing what flows or its backpressure.
 * Layer: transport (runtime-neutral Web Streams; no runtime API).
 */
import { globalStreams, type H2Transport, type StreamConstructors } from '../streams/types.ts';

/** Called with each chunk as it passes; must not modify or keep a mutable reference to it. */
export interface TapObserver {
  /** A chunk the session wrote towards the peer (seen before it reaches the inner writable). */
  sent?(bytes: Uint8Array): void;
  /** A chunk read from the peer (seen before the session gets it). */
  received?(bytes: Uint8Array): void;
}

/**
 * Wraps `pair`: reads pull one chunk from the inner readable at a time (no read-ahead), and writes
 * resolve when the inner writable accepted the chunk, so both directions keep the inner pair's backpressure.
 */
export function tapTransport(pair: H2Transport, observer: TapObserver, streams?: StreamConstructors): H2Transport {
  const { ReadableStream: RS, WritableStream: WS } = streams ?? globalStreams();
  const reader = pair.readable.getReader();
  const writer = pair.writable.getWriter();
  const readable = new RS<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        observer.received?.(value);
        controller.enqueue(value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  const writable = new WS<Uint8Array>({
    start(controller) {
      // Our sink's abort() runs only after the write in flight settles, which a stuck inner write never
      // does: pass the abort on at once (e.g. a socket pair then destroys its socket). @types/node 20
      // does not declare the controller's signal; Node 20 and web-streams-polyfill 4 have it.
      const signal = (controller as WritableStreamDefaultController & { readonly signal?: AbortSignal }).signal;
      signal?.addEventListener('abort', () => void writer.abort(signal.reason).catch(() => undefined), { once: true });
    },
    write(chunk) {
      observer.sent?.(chunk);
      return writer.write(chunk);
    },
    close() {
      return writer.close();
    },
    abort(reason) {
      return writer.abort(reason);
    },
  });
  return { readable, writable };
}
