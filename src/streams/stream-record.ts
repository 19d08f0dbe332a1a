/**
 * The session's private state for one HTTP/2 stream: header blocks, body halves, outcomes, and the
 * hooks the session's event dispatch calls. Users see it only through its `H2Stream` facade.
 * Layer: streams (runtime-neutral).
 */
import { ErrorCodes } from '../core/index.ts';
import { H2StreamError } from './errors.ts';
import { InboundBody, type InboundHost } from './inbound-body.ts';
import { OutboundBody, type OutboundHost } from './outbound-body.ts';
import { Outcome } from './outcome.ts';
import { H2Stream } from './stream.ts';
import type { H2HeaderList, StreamConstructors } from './types.ts';
import { withBit } from '../core/bit-field.ts';

/** What a stream needs from its session (the one owner of the H2Connection). */
export interface StreamHost extends InboundHost, OutboundHost {
  /** The Web Streams implementation bodies are created with. */
  readonly streams: StreamConstructors;
  /** True on the client side of the connection. */
  readonly isClient: boolean;
  /** Sends a header block (response, informational, or trailers) on the stream. */
  sendHeaders(record: StreamRecord, headers: H2HeaderList, endStream: boolean): void;
  /** Sends RST_STREAM with `code` and fails the stream locally. */
  resetStream(record: StreamRecord, code: number): void;
  /** Sends RST_STREAM NO_ERROR without failing the stream: the peer may stop sending (RFC 9113 §8.1). */
  stopSending(record: StreamRecord): void;
  /** Server push: promises a new stream on this one (PUSH_PROMISE) and returns it. */
  pushStream(record: StreamRecord, headers: H2HeaderList): StreamRecord;
  /** The stream is over (both halves ended, or failed): forget it. */
  retire(record: StreamRecord): void;
}

/**
 * The error of a stream reset by RST_STREAM, built without a stack trace (where the engine has
 * `Error.stackTraceLimit`): it would only show the session's receive loop, and capturing one per reset
 * stream was a fifth of the CPU a Rapid Reset attack (CVE-2023-44487) cost the server.
 */
function resetError(id: number, code: number, remote: boolean): H2StreamError {
  const E = Error as { stackTraceLimit?: number };
  const limit = E.stackTraceLimit;
  if (typeof limit !== 'number') return new H2StreamError(id, code, remote);
  E.stackTraceLimit = 0;
  try {
    return new H2StreamError(id, code, remote);
  } finally {
    E.stackTraceLimit = limit;
  }
}

// StreamRecord's flags.
const LOCAL_ENDED = 1;
const REMOTE_ENDED = 2;
const HEADERS_SENT = 4;
/**
 * Set when the request body was abandoned after a complete response (see `#abandonRequest`). Its error
 * is made only for a body that exists or is asked for later: an Error with its stack trace per answered
 * request was a sixth of the CPU of a flood of requests that never end their bodies.
 */
const DISCARDED = 8;

/** What few streams have: a pushed stream's parent, 1xx header blocks received (a client's). */
interface RecordAside {
  readonly parentId: number | null;
  informational: H2HeaderList[] | null;
}

/**
 * One stream's state inside the session. Its private methods are static: a class with instance #methods
 * puts a brand in every instance (8 B per stream held).
 */
export class StreamRecord {
  /** The stream ID. */
  readonly id: number;
  /** The session that owns the stream. */
  readonly host: StreamHost;
  /** The request header block: received (server, pushed) or sent (client). */
  readonly headers: H2HeaderList;
  /** The user-facing view. */
  readonly facade: H2Stream;
  // The three outcomes are made when first asked for (most streams are asked for none, or one), then
  // brought up to date with the stream's state: a stream held open costs none of them.
  // `#response` holds the final response's header list itself while nobody asked for the outcome (a
  // server's respond() and a client's response need no object for it): the outcome is made from it.
  #response: Outcome<H2HeaderList> | H2HeaderList | null = null;
  #trailers: Outcome<H2HeaderList | null> | null = null;
  #closed: Outcome<void> | null = null;
  /** A pushed stream's parent and the 1xx blocks received: made for the few streams that have either. */
  #aside: RecordAside | null = null;
  /** The stream's yes/no state, as bits (LOCAL_ENDED, REMOTE_ENDED, HEADERS_SENT, DISCARDED): one field, not four. */
  #flags: number;
  /** The failure, once the stream failed. */
  error: unknown = null;
  readonly #receiveWindow: number;
  #inbound: InboundBody | null = null;
  #outbound: OutboundBody | null = null;

  constructor(
    host: StreamHost,
    id: number,
    headers: H2HeaderList,
    options: { localEnded: boolean; headersSent: boolean; parentId: number | null; receiveWindow: number },
  ) {
    this.host = host;
    this.#flags = (options.headersSent ? HEADERS_SENT : 0) | (options.localEnded ? LOCAL_ENDED : 0);
    this.id = id;
    this.headers = headers;
    if (options.parentId !== null) this.#aside = { parentId: options.parentId, informational: null };
    this.#receiveWindow = options.receiveWindow;
    this.facade = new H2Stream(this);
  }

  /** For a pushed stream, the stream its PUSH_PROMISE came on. */
  get parentId(): number | null {
    return this.#aside?.parentId ?? null;
  }

  /** 1xx header blocks received so far (null until the first). */
  get informational(): readonly H2HeaderList[] | null {
    return this.#aside?.informational ?? null;
  }

  /** True once this side sent END_STREAM (or trailers, or never sends: a pushed stream on the client). */
  get localEnded(): boolean {
    return (this.#flags & LOCAL_ENDED) !== 0;
  }
  set localEnded(value: boolean) {
    this.#flags = withBit(this.#flags, LOCAL_ENDED, value);
  }

  /** True once the peer sent END_STREAM. */
  get remoteEnded(): boolean {
    return (this.#flags & REMOTE_ENDED) !== 0;
  }
  set remoteEnded(value: boolean) {
    this.#flags = withBit(this.#flags, REMOTE_ENDED, value);
  }

  /** True once this side's first header block (request or final response) went out: DATA may follow. */
  get headersSent(): boolean {
    return (this.#flags & HEADERS_SENT) !== 0;
  }
  set headersSent(value: boolean) {
    this.#flags = withBit(this.#flags, HEADERS_SENT, value);
  }

  /**
   * The final (non-1xx) response header block, sent or received. Settled only through this getter, so
   * one not made yet has not settled: after a failure it is rejected.
   */
  get response(): Outcome<H2HeaderList> {
    const current = this.#response;
    if (current instanceof Outcome) return current;
    const outcome = new Outcome<H2HeaderList>();
    this.#response = outcome;
    if (current !== null) outcome.resolve(current);
    else if (this.error !== null) outcome.reject(this.error);
    return outcome;
  }

  /** Whether the final response was sent or received (or its outcome failed), without making the outcome. */
  get responded(): boolean {
    const current = this.#response;
    return current !== null && (!(current instanceof Outcome) || current.settled);
  }

  /** The final response header block was sent or arrived: `response` settles with it (the first one only). */
  settleResponse(headers: H2HeaderList): void {
    const current = this.#response;
    if (current === null) this.#response = headers;
    else if (current instanceof Outcome) current.resolve(headers);
  }

  /**
   * The trailers received from the peer, or null when the body ended without them. Made with trailers
   * when they arrive; otherwise the stream's state says: the peer's end (always before any failure, which
   * stops it) is null, a failure before it is a rejection.
   */
  get trailers(): Outcome<H2HeaderList | null> {
    if (this.#trailers === null) {
      const outcome = new Outcome<H2HeaderList | null>();
      this.#trailers = outcome;
      if (this.remoteEnded) outcome.resolve(null);
      else if (this.error !== null) outcome.reject(this.error);
    }
    return this.#trailers;
  }

  /**
   * Settles when both halves ended (fulfilled) or the stream failed (rejected): a failure first is a
   * rejection (none comes after both halves ended), both halves ended without one is completion.
   */
  get closed(): Outcome<void> {
    if (this.#closed === null) {
      const outcome = new Outcome<void>();
      this.#closed = outcome;
      if (this.error !== null) outcome.reject(this.error);
      else if (this.localEnded && this.remoteEnded) outcome.resolve();
    }
    return this.#closed;
  }

  /** The outgoing body, if one was started. */
  get outbound(): OutboundBody | null {
    return this.#outbound;
  }

  /** True when the peer ended its side without any body bytes (no body stream is created to tell). */
  get bodyEmpty(): boolean {
    return this.remoteEnded && (this.#inbound === null || this.#inbound.receivedBytes === 0);
  }

  /** The incoming body, created on demand and brought up to date with the stream's state. */
  inbound(): InboundBody {
    if (this.#inbound === null) {
      const body = new InboundBody(this.host, this.id, this.#receiveWindow);
      this.#inbound = body;
      if (this.error !== null) body.fail(this.error);
      else if ((this.#flags & DISCARDED) !== 0) body.fail(StreamRecord.#discardedError(this));
      else if (this.remoteEnded) body.end();
    }
    return this.#inbound;
  }

  /** The outgoing body, created on demand (already finished if this side ended the stream). */
  outboundBody(): OutboundBody {
    if (this.#outbound === null) {
      const body = new OutboundBody(this.host, this.id);
      this.#outbound = body;
      if (this.error !== null) body.fail(this.error);
      else if (this.localEnded) body.finish();
    }
    return this.#outbound;
  }

  /**
   * Throws unless this side may still send on the stream: the stream's error if it was reset or failed,
   * a TypeError if this side already ended it. `what` names the call in the message.
   */
  assertCanSend(what: string): void {
    if (this.error !== null) throw this.error;
    if (this.localEnded) throw new TypeError(`h2flow: stream ${this.id}: ${what} after this side ended the stream`);
  }

  // --- hooks called by the session's event dispatch ---

  /** DATA arrived. */
  onData(data: Uint8Array, flowControlledLength: number): void {
    this.inbound().push(data, flowControlledLength);
  }

  /** The peer sent END_STREAM. */
  onRemoteEnd(): void {
    if (this.remoteEnded || this.error !== null) return;
    this.remoteEnded = true;
    if (this.#inbound !== null) this.#inbound.end();
    this.#trailers?.resolve(null);
    if (this.localEnded) StreamRecord.#complete(this);
  }

  /** A final response header block arrived. */
  onResponse(headers: H2HeaderList): void {
    this.settleResponse(headers);
  }

  /** A 1xx header block arrived. */
  onInformational(headers: H2HeaderList): void {
    const aside = (this.#aside ??= { parentId: null, informational: null });
    (aside.informational ??= []).push(headers);
  }

  /** Trailers arrived. */
  onTrailers(headers: H2HeaderList): void {
    this.trailers.resolve(headers);
  }

  /** RST_STREAM arrived (or the core reset the stream itself). */
  onReset(code: number, remote: boolean): void {
    this.fail(resetError(this.id, code, remote));
  }

  /** This side's END_STREAM (or trailers) reached the core. */
  onLocalEnd(): void {
    if (this.localEnded) return;
    this.localEnded = true;
    if (this.error !== null) return;
    if (this.remoteEnded) StreamRecord.#complete(this);
    else if (!this.host.isClient && (this.#inbound === null || !this.#inbound.accessed)) StreamRecord.#abandonRequest(this);
  }

  /** Fails both halves and every pending outcome with `error`, then retires the stream. */
  fail(error: unknown): void {
    if (this.error !== null || (this.localEnded && this.remoteEnded)) return;
    this.error = error;
    if (this.#inbound !== null) this.#inbound.fail(error, !this.host.isClient);
    if (this.#outbound !== null) this.#outbound.fail(error);
    const response = this.#response;
    if (response instanceof Outcome) response.reject(error);
    this.#trailers?.reject(error);
    this.#closed?.reject(error);
    this.host.retire(this);
  }

  /**
   * RFC 9113 §8.1: a server whose response is complete before the request is, and which never asked for
   * the request body, tells the client to stop with RST_STREAM NO_ERROR. Otherwise the client waits at
   * the stream window for a reader that never comes, holding the stream and its share of the connection
   * window for good. The stream completes; a body asked for afterwards fails with that reset.
   */
  static #abandonRequest(record: StreamRecord): void {
    record.host.stopSending(record);
    record.#flags |= DISCARDED;
    if (record.#inbound !== null) record.#inbound.fail(StreamRecord.#discardedError(record));
    record.remoteEnded = true;
    record.#trailers?.resolve(null);
    StreamRecord.#complete(record);
  }

  static #discardedError(record: StreamRecord): H2StreamError {
    return new H2StreamError(record.id, ErrorCodes.NO_ERROR, false, 'request body discarded: the response completed before it was read');
  }

  static #complete(record: StreamRecord): void {
    // A server that answered no longer holds the connection window for a request body it left unread
    // (it stays readable): a handler that ignores bodies would otherwise stall the connection for good.
    if (!record.host.isClient && record.#inbound !== null) record.#inbound.releaseUnread();
    record.#closed?.resolve();
    record.host.retire(record);
  }
}
