/**
 * H2Stream: one HTTP/2 request/response exchange as Web Streams (a request body `readable`, a response
 * body `writable`, header blocks as promises). It never touches the H2Connection: every action goes to
 * the owning session by stream ID. Layer: streams (runtime-neutral).
 */
import { booleanOption, checkOptions, ErrorCodes } from '../core/index.ts';
import type { StreamRecord } from './stream-record.ts';
import { toHeaderList, type H2HeaderList, type H2HeadersInit } from './types.ts';

const EMPTY = new Uint8Array(0);
const NONE: readonly H2HeaderList[] = Object.freeze([]);
/** Web Streams runtimes all have the WHATWG Encoding API; the streams layer imports only the core's public index. */
const UTF8 = new TextEncoder();
/** Up to this length an ASCII body is copied in JS: cheaper than a call into the runtime's encoder. */
const SHORT_TEXT = 256;

/**
 * A body given as bytes or text (sent as UTF-8), as bytes.
 * @throws TypeError naming `method` for anything else: a ReadableStream, Blob or ArrayBuffer would
 *   otherwise be queued as if it were bytes (stream bodies go through `writable`).
 */
function toBytes(body: unknown, method: string): Uint8Array {
  if (body instanceof Uint8Array) return body;
  if (typeof body !== 'string') {
    throw new TypeError(`${method}: a body must be a Uint8Array or a string (pipe streams into writable), not ${body === null ? 'null' : typeof body}`);
  }
  const n = body.length;
  if (n > SHORT_TEXT) return UTF8.encode(body);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = body.charCodeAt(i);
    if (c > 0x7f) return UTF8.encode(body);
    out[i] = c;
  }
  return out;
}

/** The keys of {@link RespondOptions} (any other is a TypeError). */
const RESPOND_OPTIONS: readonly (keyof RespondOptions)[] = ['endStream', 'body', 'trailers'];

/** Options of `H2Stream.respond`. */
export interface RespondOptions {
  /** End the stream with the headers (no body). */
  readonly endStream?: boolean;
  /** Send this whole body (UTF-8 for strings) after the headers, then END_STREAM; no WritableStream is created. */
  readonly body?: Uint8Array | string;
  /** Trailers to end the body with (after `body`, or right after the headers without one). */
  readonly trailers?: H2HeadersInit;
}

/**
 * One HTTP/2 stream.
 *
 * Header blocks: `headers` is the request (received on a server, sent on a client, promised for a pushed
 * stream); `response` is the final response (received on a client, sent on a server); `trailers` are the
 * peer's trailers (null if its body ended without them); `informationalResponses` the 1xx blocks received.
 * Bodies: `readable` is what the peer sends (its backpressure is the stream's flow-control window), and
 * `writable` (or the `respond({ body })` / `end(body)` fast path) what this side sends. Both are created
 * on first use.
 *
 * @example
 * ```ts
 * for await (const stream of session) {
 *   stream.respond([[':status', '200'], ['content-type', 'text/plain']], { body: 'hello' });
 * }
 * ```
 */
export class H2Stream {
  readonly #record: StreamRecord;

  /** Created by the session; not constructed by users. */
  constructor(record: StreamRecord) {
    this.#record = record;
  }

  /** The stream ID. */
  get id(): number {
    return this.#record.id;
  }

  /** The request header block: received (server), sent (client), or promised (pushed stream). */
  get headers(): H2HeaderList {
    return this.#record.headers;
  }

  /** For a pushed stream, the ID of the stream whose PUSH_PROMISE announced it; otherwise null. */
  get parentId(): number | null {
    return this.#record.parentId;
  }

  /**
   * True once the peer ended its side of the stream (END_STREAM received, or a pushed stream's request
   * side, which never carries a body). A server that answered while this is false may refuse the rest of
   * the request body with `reset(ErrorCodes.NO_ERROR)` (RFC 9113 §8.1).
   */
  get remoteEnded(): boolean {
    return this.#record.remoteEnded;
  }

  /**
   * True when the peer ended its side without sending any body bytes (e.g. a request whose HEADERS
   * carried END_STREAM): `readable` would be an empty stream, and reading this creates none.
   */
  get bodyEmpty(): boolean {
    return this.#record.bodyEmpty;
  }

  /** The final response header block: received (client) or sent with `respond()` (server). */
  get response(): Promise<H2HeaderList> {
    return this.#record.response.promise;
  }

  /** 1xx header blocks received so far (client). */
  get informationalResponses(): readonly H2HeaderList[] {
    return this.#record.informational ?? NONE;
  }

  /** The peer's trailers, or null if its body ended without them; rejects if the stream fails first. */
  get trailers(): Promise<H2HeaderList | null> {
    return this.#record.trailers.promise;
  }

  /** Settles when both sides ended the stream (fulfilled) or it was reset / its session failed (rejected). */
  get closed(): Promise<void> {
    return this.#record.closed.promise;
  }

  /**
   * The error the stream failed with (reset by either side, a malformed message from the peer, or its
   * session failed), or null while it has not failed: what {@link closed} rejects with, known at once.
   */
  get error(): unknown {
    return this.#record.error;
  }

  /**
   * The peer's body. DATA is acknowledged (the window reopened) only as it is read, so a reader that
   * stops holds the peer at the stream window. Cancelling it resets the stream with CANCEL.
   */
  get readable(): ReadableStream<Uint8Array> {
    return this.#record.inbound().readable(this.#record.host.streams);
  }

  /**
   * This side's body. `write()` resolves once its bytes fit the peer's flow-control windows; `close()`
   * sends END_STREAM (or the trailers set with `sendTrailers`); `abort()` resets the stream with CANCEL.
   * Writes reject with the stream's error once it fails, and with a TypeError after `end()`.
   */
  get writable(): WritableStream<Uint8Array> {
    return this.#record.outboundBody().writable(this.#record.host.streams);
  }

  /**
   * Sends the response header block (server). With `body` and/or `trailers`, the whole body follows as
   * DATA frames as the windows open, then END_STREAM or the trailers. Without them, stream the body
   * through `writable` or `end()`; anything queued there before `respond()` waits for the headers.
   * Throws the stream's error (`H2StreamError`, or the session's `H2SessionError`) if it was reset or
   * failed, and a TypeError if it was already answered or this side already ended it. The peer may reset
   * a stream at any time, also between the session (or `incoming`) yielding it and this call: answer
   * inside a handler whose failure ends only that stream, not the loop over the session.
   */
  respond(headers: H2HeadersInit, options?: RespondOptions): void {
    const record = this.#record;
    if (record.host.isClient) throw new TypeError('h2flow: respond() is for server streams');
    const opts = checkOptions('H2Stream.respond', options, RESPOND_OPTIONS);
    const end = booleanOption('H2Stream.respond', 'endStream', opts.endStream);
    const body = opts.body;
    const bytes = body === undefined ? EMPTY : toBytes(body, 'H2Stream.respond');
    record.assertCanSend('respond()');
    if (record.responded) throw new TypeError(`h2flow: stream ${record.id}: respond() was already called`);
    const list = toHeaderList(headers);
    const trailers = opts.trailers;
    const endStream = body === undefined && trailers === undefined && end;
    record.host.sendHeaders(record, list, endStream);
    record.settleResponse(list);
    if (body !== undefined || trailers !== undefined) {
      record.outboundBody().enqueue(bytes, true, trailers === undefined ? null : toHeaderList(trailers));
    }
  }

  /**
   * Sends a 1xx informational header block (server), e.g. 103 Early Hints, before the final response.
   * Throws like `respond()` on a stream that failed or ended, and a TypeError after the final response.
   */
  informational(headers: H2HeadersInit): void {
    const record = this.#record;
    if (record.host.isClient) throw new TypeError('h2flow: informational() is for server streams');
    record.assertCanSend('informational()');
    if (record.responded) throw new TypeError(`h2flow: stream ${record.id}: informational() after the final response`);
    record.host.sendHeaders(record, toHeaderList(headers), false);
  }

  /**
   * Sends `body` (if any) and ends this side of the stream, without creating a WritableStream. Resolves
   * once END_STREAM (or the trailers) reached the connection; rejects if the stream fails first (at
   * once if it already has). Without a body it may follow `sendTrailers()` or another `end()`: it then
   * only waits for that end; with a body after the end it rejects with a TypeError. With an open
   * `writable`, the body ends after the chunks it has handed over so far; its later writes reject with
   * a TypeError (close the writable instead to end after them).
   */
  end(body?: Uint8Array | string): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = body === undefined ? EMPTY : toBytes(body, 'H2Stream.end');
    } catch (e) {
      return Promise.reject(e);
    }
    const out = this.#record.outboundBody();
    if (body === undefined && (out.ending || out.done)) return out.sent(true);
    try {
      out.enqueue(bytes, true);
    } catch (err) {
      // A body after the end: reject like every other failure of end(), not throw.
      return Promise.reject(err);
    }
    return out.sent(true);
  }

  /**
   * Ends this side's body with trailers: when the open `writable` is closed, or else right after the
   * body queued so far. Throws the stream's error if it was reset or failed, and a TypeError if this
   * side's body already ended.
   */
  sendTrailers(headers: H2HeadersInit): void {
    this.#record.assertCanSend('sendTrailers()');
    this.#record.outboundBody().setTrailers(toHeaderList(headers));
  }

  /**
   * Server push: sends PUSH_PROMISE with the promised request `headers` and returns the pushed stream.
   * Throws like `respond()` on a stream that failed or that this side already ended.
   */
  push(headers: H2HeadersInit): H2Stream {
    const record = this.#record;
    if (record.host.isClient) throw new TypeError('h2flow: push() is for server streams');
    // RFC 9113 §8.4: PUSH_PROMISE only on a stream still open on this side.
    record.assertCanSend('push()');
    return record.host.pushStream(record, toHeaderList(headers)).facade;
  }

  /** Resets the stream (RST_STREAM, default CANCEL); both bodies fail with an `H2StreamError`. */
  reset(code: number = ErrorCodes.CANCEL): void {
    const record = this.#record;
    if (record.error !== null || (record.localEnded && record.remoteEnded)) return;
    record.host.resetStream(record, code);
  }
}
