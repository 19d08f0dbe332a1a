/**
 * A stream's received body as a ReadableStream whose backpressure IS HTTP/2 flow control: DATA is
 * acknowledged to the core only once the consumer has taken it (ack in `pull()`), so a reader that stops
 * makes the peer stop at the stream window. Layer: streams (runtime-neutral).
 */
import type { Source, StreamConstructors } from './types.ts';

/** What an inbound body needs from its session. */
export interface InboundHost {
  /** Releases `bytes` of flow-control window for the stream (and the connection). */
  acknowledge(streamId: number, bytes: number): void;
  /** The consumer cancelled the body: the session resets the stream if the peer is still sending. */
  cancelInbound(streamId: number, reason: unknown): void;
}

const byteLength = (chunk: Uint8Array): number => chunk.byteLength;

/**
 * A received payload may view the transport's whole read buffer. Kept unread, a tiny DATA frame would
 * pin all of it, so window-bounded memory could hide a much larger retained one (a peer trickling 1-byte
 * frames, one per read). Payloads smaller than 1/RETAIN_RATIO of their buffer are copied.
 */
const RETAIN_RATIO = 16;

/**
 * Buffers DATA until a reader exists, then feeds a byte-counted ReadableStream whose highWaterMark is
 * the stream's receive window, so memory per stream is bounded by that window.
 */
export class InboundBody implements Source<Uint8Array> {
  readonly #host: InboundHost;
  readonly #streamId: number;
  readonly #highWaterMark: number;
  #controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  #readable: ReadableStream<Uint8Array> | null = null;
  #backlog: Uint8Array[] | null = null;
  #received = 0;
  #enqueued = 0;
  #acked = 0;
  #ended = false;
  /** Ended with bytes still queued: the readable closes once the consumer has taken them (see `pull`). */
  #closePending = false;
  #failed = false;
  #cancelled = false;
  #error: unknown = undefined;

  constructor(host: InboundHost, streamId: number, highWaterMark: number) {
    this.#host = host;
    this.#streamId = streamId;
    this.#highWaterMark = highWaterMark;
  }

  /** Bytes received but not yet acknowledged (held in memory for the consumer). */
  get unacknowledged(): number {
    return this.#received - this.#acked;
  }

  /** Whether the application has asked for the body (`readable` was created). */
  get accessed(): boolean {
    return this.#readable !== null;
  }

  /** Body bytes received so far (DATA payloads without padding). */
  get receivedBytes(): number {
    return this.#received;
  }

  /** The body as a ReadableStream, created on first use. */
  readable(ctors: StreamConstructors): ReadableStream<Uint8Array> {
    if (this.#readable === null) {
      this.#readable = new ctors.ReadableStream<Uint8Array>(this, { highWaterMark: this.#highWaterMark, size: byteLength });
    }
    return this.#readable;
  }

  /** A DATA frame arrived: queue its payload; padding is acknowledged at once (nothing holds it). */
  push(data: Uint8Array, flowControlledLength: number): void {
    const length = data.byteLength;
    let release = flowControlledLength - length;
    if (this.#cancelled || this.#failed || this.#ended) {
      release += length;
    } else if (length > 0) {
      this.#received += length;
      const chunk = length * RETAIN_RATIO < data.buffer.byteLength ? data.slice() : data;
      if (this.#controller !== null) {
        this.#enqueued += length;
        this.#controller.enqueue(chunk);
      } else {
        (this.#backlog ??= []).push(chunk);
      }
    }
    if (release > 0) this.#host.acknowledge(this.#streamId, release);
  }

  /**
   * The peer ended the body. What the consumer has not read yet keeps holding the connection window
   * until it is read (or the body is cancelled): released here, unread bodies would let the peer send
   * without bound, and `connectionWindowSize` would bound nothing. The readable closes once its queue
   * is drained, so `pull` still sees every read and acknowledges it (the core credits the connection
   * window of a closed stream).
   */
  end(): void {
    if (this.#ended || this.#failed) return;
    this.#ended = true;
    const controller = this.#controller;
    if (controller !== null && !this.#cancelled) this.#closeWhenDrained(controller);
  }

  /**
   * Gives the window of unread bytes back now (they stay readable): the session's answer to a request
   * body still unread when the response is complete, which must not hold the connection window forever.
   */
  releaseUnread(): void {
    this.#releaseAll();
  }

  /**
   * The stream failed: readers get `error`; buffered bytes are dropped and their window released. A body
   * the peer had ended stays readable unless `discardEnded` (a client keeps a complete response after a
   * reset, RFC 9113 §8.1; a server drops the request the client cancelled, so it holds no window).
   */
  fail(error: unknown, discardEnded = false): void {
    if (this.#failed || this.#cancelled || (this.#ended && !discardEnded)) return;
    // Ended and already drained (the readable closed): nothing is held.
    if (this.#ended && !this.#closePending && this.#controller !== null) return;
    this.#failed = true;
    this.#closePending = false;
    this.#error = error;
    this.#backlog = null;
    this.#releaseAll();
    if (this.#controller !== null) this.#controller.error(error);
  }

  /** Underlying-source start: hands over what arrived before the readable existed. */
  start(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.#controller = controller;
    if (this.#failed) {
      controller.error(this.#error);
      return;
    }
    const backlog = this.#backlog;
    this.#backlog = null;
    if (backlog !== null) {
      for (const chunk of backlog) {
        this.#enqueued += chunk.byteLength;
        controller.enqueue(chunk);
      }
    }
    if (this.#ended) this.#closeWhenDrained(controller);
  }

  /**
   * Underlying-source pull: the queue fell below the window, i.e. the consumer took data. Acknowledge
   * exactly the bytes dequeued since the last acknowledgement; the core's WindowManager decides when a
   * WINDOW_UPDATE is worth sending.
   */
  pull(controller: ReadableStreamDefaultController<Uint8Array>): void {
    const queued = this.#highWaterMark - (controller.desiredSize ?? this.#highWaterMark);
    const consumed = this.#enqueued - queued;
    const release = consumed - this.#acked;
    if (release > 0) {
      this.#acked += release;
      this.#host.acknowledge(this.#streamId, release);
    }
    if (this.#closePending && queued === 0) {
      this.#closePending = false;
      controller.close();
    }
  }

  /**
   * Closes the readable now if nothing is queued, else once `pull` finds the queue empty: a stream whose
   * close was requested calls `pull` no more, so reads of its last chunks would go unacknowledged.
   */
  #closeWhenDrained(controller: ReadableStreamDefaultController<Uint8Array>): void {
    if (controller.desiredSize === this.#highWaterMark) controller.close();
    else this.#closePending = true;
  }

  /** Underlying-source cancel: the consumer wants no more; release the window and tell the session. */
  cancel(reason?: unknown): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#backlog = null;
    this.#releaseAll();
    if (!this.#ended && !this.#failed) this.#host.cancelInbound(this.#streamId, reason);
  }

  #releaseAll(): void {
    const release = this.#received - this.#acked;
    if (release <= 0) return;
    this.#acked = this.#received;
    this.#host.acknowledge(this.#streamId, release);
  }
}
