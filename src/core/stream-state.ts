/**
 * The HTTP/2 stream state machine (RFC 9113 §5.1) as one frozen lookup table shared by every stream.
 * Sans-I/O core. Port of h2/stream.py StreamState, StreamInputs, StreamClosedBy, H2StreamStateMachine
 * and `_transitions` (all 77 transitions; side-effect functions keep h2's names, camelCased).
 */

import { ErrorCodes } from './errors.ts';
import {
  AlternativeServiceAvailable,
  DataReceived,
  Event,
  type H2Event,
  type Header,
  InformationalResponseReceived,
  PushedStreamReceived,
  RequestReceived,
  ResponseReceived,
  StreamEnded,
  StreamReset,
  TrailersReceived,
  WindowUpdated,
} from './events.ts';
import { ProtocolError, StreamClosedError } from './exceptions.ts';
import { withBit } from './bit-field.ts';

/** The seven stream states of RFC 9113 §5.1 (h2's numbering). */
export const StreamState = {
  IDLE: 0,
  RESERVED_REMOTE: 1,
  RESERVED_LOCAL: 2,
  OPEN: 3,
  HALF_CLOSED_REMOTE: 4,
  HALF_CLOSED_LOCAL: 5,
  CLOSED: 6,
} as const;
/** One of {@link StreamState}'s values. */
export type StreamState = (typeof StreamState)[keyof typeof StreamState];

/** The 19 inputs of the stream state machine (h2's numbering). */
export const StreamInputs = {
  SEND_HEADERS: 0,
  SEND_PUSH_PROMISE: 1,
  SEND_RST_STREAM: 2,
  SEND_DATA: 3,
  SEND_WINDOW_UPDATE: 4,
  SEND_END_STREAM: 5,
  RECV_HEADERS: 6,
  RECV_PUSH_PROMISE: 7,
  RECV_RST_STREAM: 8,
  RECV_DATA: 9,
  RECV_WINDOW_UPDATE: 10,
  RECV_END_STREAM: 11,
  RECV_CONTINUATION: 12,
  SEND_INFORMATIONAL_HEADERS: 13,
  RECV_INFORMATIONAL_HEADERS: 14,
  SEND_ALTERNATIVE_SERVICE: 15,
  RECV_ALTERNATIVE_SERVICE: 16,
  UPGRADE_CLIENT: 17,
  UPGRADE_SERVER: 18,
} as const;
/** One of {@link StreamInputs}' values. */
export type StreamInput = (typeof StreamInputs)[keyof typeof StreamInputs];

/**
 * How a stream was closed. It decides whether a later frame on the stream is a stream error (closed
 * by a reset) or a connection error (closed by END_STREAM), RFC 9113 §5.1.
 */
export const StreamClosedBy = {
  SEND_END_STREAM: 0,
  RECV_END_STREAM: 1,
  SEND_RST_STREAM: 2,
  RECV_RST_STREAM: 3,
} as const;
/** One of {@link StreamClosedBy}'s values. */
export type StreamClosedBy = (typeof StreamClosedBy)[keyof typeof StreamClosedBy];

/**
 * What a transition without events returns: one frozen array shared by all (a transition runs for
 * every frame, and most yield nothing). Callers only read it.
 */
const NO_EVENTS: StreamEvent[] = Object.freeze([]) as unknown as StreamEvent[];
/**
 * The placeholder header list of a header-block event: `receiveHeaders` sets the decoded fields before
 * the event leaves the stream (the events' default, a new empty array, was garbage per request).
 */
const UNSET_HEADERS = Object.freeze([]) as unknown as Header[];

const STATE_NAMES = Object.keys(StreamState);
const INPUT_NAMES = Object.keys(StreamInputs);
const STATE_COUNT = STATE_NAMES.length;
const INPUT_COUNT = INPUT_NAMES.length;

/** The name of a state (`'HALF_CLOSED_LOCAL'`), for messages and logs. */
export function streamStateName(state: number): string {
  return STATE_NAMES[state] ?? String(state);
}

/** The name of an input (`'RECV_DATA'`), for messages and logs. */
export function streamInputName(input: number): string {
  return INPUT_NAMES[input] ?? String(input);
}

/**
 * Whether a stream in each state counts as open for MAX_CONCURRENT_STREAMS: OPEN and both
 * half-closed states, not the reserved ones.
 * RFC 9113 §5.1.2
 * > Streams that are in the "open" state or in either of the "half-closed" states count toward the
 * > maximum number of streams that an endpoint is permitted to open.
 */
export const STREAM_OPEN: readonly boolean[] = Object.freeze([false, false, false, true, true, true, false]);

/** Internal: fired when a header block is sent; picks the outbound validation rules. Port of h2's `_HeadersSent`. */
export abstract class HeadersSent extends Event {
  /** The event's class name. */
  abstract readonly type: 'RequestSent' | 'ResponseSent' | 'TrailersSent' | 'PushedRequestSent';
}
/** Internal: request headers were sent. Port of h2's `_RequestSent`. */
export class RequestSent extends HeadersSent {
  readonly type = 'RequestSent';
}
/** Internal: response (or informational) headers were sent. Port of h2's `_ResponseSent`. */
export class ResponseSent extends HeadersSent {
  readonly type = 'ResponseSent';
}
/** Internal: trailers were sent. Port of h2's `_TrailersSent`. */
export class TrailersSent extends HeadersSent {
  readonly type = 'TrailersSent';
}
/** Internal: the request headers of a PUSH_PROMISE were sent. Port of h2's `_PushedRequestSent`. */
export class PushedRequestSent extends HeadersSent {
  readonly type = 'PushedRequestSent';
}

// The internal markers carry nothing but their type, so each is one shared, frozen event list.
const REQUEST_SENT: StreamEvent[] = Object.freeze([new RequestSent()]) as unknown as StreamEvent[];
const RESPONSE_SENT: StreamEvent[] = Object.freeze([new ResponseSent()]) as unknown as StreamEvent[];
const TRAILERS_SENT: StreamEvent[] = Object.freeze([new TrailersSent()]) as unknown as StreamEvent[];
const PUSHED_REQUEST_SENT: StreamEvent[] = Object.freeze([new PushedRequestSent()]) as unknown as StreamEvent[];

/** What a transition's side effect yields: public events and the internal "headers sent" markers. */
export type StreamEvent = H2Event | HeadersSent;

/** A side-effect function: runs on the machine after the state changed, returns the events. */
export type SideEffect = (this: H2StreamStateMachine, previousState: StreamState) => StreamEvent[];

/** One table cell: the side effect (or `null`) and the next state. */
export type Transition = readonly [sideEffect: SideEffect | null, next: StreamState];

/** The bits of {@link H2StreamStateMachine}'s sub-state. */
const BIT = {
  /** `client` is known (not `null`); its value is {@link BIT.CLIENT}. */
  CLIENT_KNOWN: 1,
  CLIENT: 2,
  HEADERS_SENT: 4,
  TRAILERS_SENT: 8,
  HEADERS_RECEIVED: 16,
  TRAILERS_RECEIVED: 32,
  /** `streamClosedBy` is known (not `null`); its value is the two bits at {@link CLOSED_BY_SHIFT}. */
  CLOSED_BY_KNOWN: 64,
} as const;
/** Where `streamClosedBy` (0 … 3) sits in the bits. */
const CLOSED_BY_SHIFT = 7;

/**
 * A single stream's state machine (RFC 9113 §5.1) plus the sub-state the transitions police (which
 * side we are, whether headers/trailers were sent or received, how the stream closed).
 * Port of h2.stream.H2StreamStateMachine.
 */
export class H2StreamStateMachine {
  /** The current state. */
  state: StreamState = StreamState.IDLE;
  /** The sub-state below, one bit (or two) each (see {@link BIT}): one field per stream instead of six. */
  #bits = 0;

  /** @param streamId The stream's ID (for events and messages). */
  constructor(readonly streamId: number) {}

  /** Whether we are the client side of this stream (`null` until known). */
  get client(): boolean | null {
    const bits = this.#bits;
    return (bits & BIT.CLIENT_KNOWN) === 0 ? null : (bits & BIT.CLIENT) !== 0;
  }
  set client(value: boolean | null) {
    const bits = this.#bits & ~(BIT.CLIENT_KNOWN | BIT.CLIENT);
    this.#bits = value === null ? bits : bits | BIT.CLIENT_KNOWN | (value ? BIT.CLIENT : 0);
  }

  /** Whether we sent the (final) headers. */
  get headersSent(): boolean {
    return (this.#bits & BIT.HEADERS_SENT) !== 0;
  }
  set headersSent(value: boolean) {
    this.#bits = withBit(this.#bits, BIT.HEADERS_SENT, value);
  }

  /** Whether we sent trailers. */
  get trailersSent(): boolean {
    return (this.#bits & BIT.TRAILERS_SENT) !== 0;
  }
  set trailersSent(value: boolean) {
    this.#bits = withBit(this.#bits, BIT.TRAILERS_SENT, value);
  }

  /** Whether we received the (final) headers. */
  get headersReceived(): boolean {
    return (this.#bits & BIT.HEADERS_RECEIVED) !== 0;
  }
  set headersReceived(value: boolean) {
    this.#bits = withBit(this.#bits, BIT.HEADERS_RECEIVED, value);
  }

  /** Whether we received trailers. */
  get trailersReceived(): boolean {
    return (this.#bits & BIT.TRAILERS_RECEIVED) !== 0;
  }
  set trailersReceived(value: boolean) {
    this.#bits = withBit(this.#bits, BIT.TRAILERS_RECEIVED, value);
  }

  /** How the stream was closed, or `null` while it is not closed (or closed by a state error). */
  get streamClosedBy(): StreamClosedBy | null {
    const bits = this.#bits;
    return (bits & BIT.CLOSED_BY_KNOWN) === 0 ? null : (((bits >>> CLOSED_BY_SHIFT) & 3) as StreamClosedBy);
  }
  set streamClosedBy(value: StreamClosedBy | null) {
    const bits = this.#bits & ~(BIT.CLOSED_BY_KNOWN | (3 << CLOSED_BY_SHIFT));
    this.#bits = value === null ? bits : bits | BIT.CLOSED_BY_KNOWN | ((value & 3) << CLOSED_BY_SHIFT);
  }

  /**
   * Feeds one input: moves to the next state and runs the transition's side effect. An input with no
   * transition in the current state closes the stream and throws `ProtocolError`; a side effect that
   * throws a `ProtocolError` also leaves the stream CLOSED. Port of
   * h2.stream.H2StreamStateMachine.process_input.
   * @throws RangeError if `input` is not one of {@link StreamInputs}.
   */
  processInput(input: StreamInput): StreamEvent[] {
    if (!(input >= 0 && input < INPUT_COUNT && Number.isInteger(input))) {
      throw new RangeError('Input must be one of StreamInputs');
    }
    const transition = (TRANSITIONS[this.state] as readonly (Transition | undefined)[])[input];
    if (transition === undefined) {
      const old = this.state;
      this.state = StreamState.CLOSED;
      throw new ProtocolError(`Invalid input StreamInputs.${streamInputName(input)} in state StreamState.${streamStateName(old)}`);
    }
    const previous = this.state;
    this.state = transition[1];
    const fn = transition[0];
    if (fn === null) return NO_EVENTS;
    try {
      return fn.call(this, previous);
    } catch (err) {
      if (err instanceof ProtocolError) this.state = StreamState.CLOSED;
      throw err;
    }
  }
}

const S = StreamState;
const I = StreamInputs;
/**
 * Fires when the peer resets the stream. h2's `H2StreamStateMachine.stream_reset`, kept off the class:
 * `H2Stream` extends the machine (see its `stateMachine`) and has its own `streamReset` (h2's
 * `H2Stream.stream_reset`, for an RST_STREAM frame), which would otherwise override this one.
 */
function streamReset(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  this.streamClosedBy = StreamClosedBy.RECV_RST_STREAM;
  return [new StreamReset({ streamId: this.streamId })];
}

// The transitions' side effects (h2's H2StreamStateMachine methods), kept off the class: H2Stream
// extends the machine, and as methods they would be part of every stream's API, where calling one
// directly would change the stream's state without sending a frame.
/** Fires when we send a request. */
function requestSent(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  this.client = true;
  this.headersSent = true;
  return REQUEST_SENT;
}

/** Fires when we send something that should be a response; the second block is trailers. */
function responseSent(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  if (!this.headersSent) {
    if (this.client !== false) throw new ProtocolError('Client cannot send responses.');
    this.headersSent = true;
    return RESPONSE_SENT;
  }
  // h2 asserts this (AssertionError becomes ProtocolError).
  if (this.trailersSent) throw new ProtocolError('Trailers already sent.');
  this.trailersSent = true;
  return TRAILERS_SENT;
}

/** Fires when we receive a request. */
function requestReceived(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  // h2 asserts this (AssertionError becomes ProtocolError).
  if (this.headersReceived || this.trailersReceived) throw new ProtocolError('Request already received.');
  this.client = false;
  this.headersReceived = true;
  return [new RequestReceived({ streamId: this.streamId, headers: UNSET_HEADERS })];
}

/** Fires when we receive a response; the second block is trailers. */
function responseReceived(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  if (!this.headersReceived) {
    // h2 asserts this (AssertionError becomes ProtocolError).
    if (this.client !== true) throw new ProtocolError('Server cannot receive responses.');
    this.headersReceived = true;
    return [new ResponseReceived({ streamId: this.streamId, headers: UNSET_HEADERS })];
  }
  if (this.trailersReceived) throw new ProtocolError('Trailers already received.');
  this.trailersReceived = true;
  return [new TrailersReceived({ streamId: this.streamId, headers: UNSET_HEADERS })];
}

/** Fires when data is received. */
function dataReceived(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  // RFC 9113 §8.1
  // > An HTTP request/response exchange fully consumes a single stream. [...] a HEADERS frame [...]
  // > followed by zero or more DATA frames
  if (!this.headersReceived) throw new ProtocolError('cannot receive data before headers');
  return [new DataReceived({ streamId: this.streamId })];
}

/** Fires when a WINDOW_UPDATE is received. */
function windowUpdated(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  return [new WindowUpdated({ streamId: this.streamId })];
}

/** Fires when END_STREAM is received in OPEN (→ HALF_CLOSED_REMOTE). */
function streamHalfClosed(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  return [new StreamEnded({ streamId: this.streamId })];
}

/** Fires when the stream is cleanly ended by the peer's END_STREAM (→ CLOSED). */
function streamEnded(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  this.streamClosedBy = StreamClosedBy.RECV_END_STREAM;
  return [new StreamEnded({ streamId: this.streamId })];
}

/** Fires on a stream we push: we are definitionally the server. */
function sendNewPushedStream(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  // h2 asserts this (AssertionError becomes ProtocolError).
  if (this.client !== null) throw new ProtocolError('Only a new stream can be pushed.');
  this.client = false;
  this.headersReceived = true;
  return NO_EVENTS;
}

/** Fires on a stream the peer pushes: we are definitionally the client. */
function recvNewPushedStream(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  // h2 asserts this (AssertionError becomes ProtocolError).
  if (this.client !== null) throw new ProtocolError('Only a new stream can be pushed.');
  this.client = true;
  this.headersSent = true;
  return NO_EVENTS;
}

/** Fires on the parent stream when we send PUSH_PROMISE; only servers push. */
function sendPushPromise(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  // RFC 9113 §8.4
  // > A client cannot push.
  if (this.client === true) throw new ProtocolError('Cannot push streams from client peers.');
  return PUSHED_REQUEST_SENT;
}

/** Fires on the parent stream when we receive PUSH_PROMISE; only clients receive pushes. */
function recvPushPromise(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  // RFC 9113 §8.4
  // > A client cannot push. Thus, servers MUST treat the receipt of a PUSH_PROMISE frame as a
  // > connection error of type PROTOCOL_ERROR.
  if (!this.client) {
    throw new ProtocolError(this.client === null ? 'Idle streams cannot receive pushes' : 'Cannot receive pushed streams as a server');
  }
  return [new PushedStreamReceived({ parentStreamId: this.streamId })];
}

/** Fires when we send END_STREAM in HALF_CLOSED_REMOTE (→ CLOSED). */
function sendEndStream(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  this.streamClosedBy = StreamClosedBy.SEND_END_STREAM;
  return NO_EVENTS;
}

/** Fires when we send RST_STREAM on a stream that is not closed. */
function sendResetStream(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  this.streamClosedBy = StreamClosedBy.SEND_RST_STREAM;
  return NO_EVENTS;
}

/**
 * Fires when the peer sent a frame the state forbids as a stream error: we must reset the stream.
 * Throws `StreamClosedError` carrying the one-time `StreamReset(remoteReset: false)` event.
 */
function resetStreamOnError(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  // RFC 9113 §5.1
  // > If an endpoint receives additional frames, other than WINDOW_UPDATE, PRIORITY, or
  // > RST_STREAM, for a stream that is in this state, it MUST respond with a stream error
  // > (Section 5.4.2) of type STREAM_CLOSED.
  this.streamClosedBy = StreamClosedBy.SEND_RST_STREAM;
  const error = new StreamClosedError(this.streamId);
  error.streamEvents = [new StreamReset({ streamId: this.streamId, errorCode: ErrorCodes.STREAM_CLOSED, remoteReset: false })];
  throw error;
}

/**
 * Fires when a frame arrives on a closed stream; the connection decides between a stream and a
 * connection error from `streamClosedBy`.
 */
function recvOnClosedStream(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  throw new StreamClosedError(this.streamId);
}

/** Fires when the user tries to send on a closed stream. */
function sendOnClosedStream(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  throw new StreamClosedError(this.streamId);
}

/**
 * Fires when PUSH_PROMISE arrives on a closed stream: a push in flight when we reset the parent
 * is refused (stream error); a push on a naturally closed stream is a connection error.
 */
function recvPushOnClosedStream(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  if (this.streamClosedBy === StreamClosedBy.SEND_RST_STREAM) throw new StreamClosedError(this.streamId);
  // RFC 9113 §6.6
  // > A receiver MUST treat the receipt of a PUSH_PROMISE on a stream that is neither "open" nor
  // > "half-closed (local)" as a connection error of type PROTOCOL_ERROR.
  throw new ProtocolError('Attempted to push on closed stream.');
}

/** Fires when the user tries to push on a closed stream. */
function sendPushOnClosedStream(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  throw new ProtocolError('Attempted to push on closed stream.');
}

/** Fires when we send a 1xx block; only allowed before the final response. */
function sendInformationalResponse(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  if (this.headersSent) throw new ProtocolError('Information response after final response');
  return RESPONSE_SENT;
}

/** Fires when we receive a 1xx block; only allowed before the final response. */
function recvInformationalResponse(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  if (this.headersReceived) throw new ProtocolError('Informational response after final response');
  return [new InformationalResponseReceived({ streamId: this.streamId })];
}

/**
 * Fires when ALTSVC arrives on the stream: meaningful only for a client that has not received
 * the response headers yet; otherwise ignored, as RFC 7838 §4 allows.
 */
function recvAltSvc(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  if (this.client === false) return NO_EVENTS;
  if (this.headersReceived) return NO_EVENTS;
  return [new AlternativeServiceAvailable()];
}

/** Fires when we send ALTSVC on the stream: only before our response headers. */
function sendAltSvc(this: H2StreamStateMachine, _previous: StreamState): StreamEvent[] {
  if (this.headersSent) throw new ProtocolError('Cannot send ALTSVC after sending response headers.');
  return NO_EVENTS;
}

/** The 77 transitions of h2's `_transitions`, in h2's source order: [state, input, side effect, next]. */
const TRANSITION_LIST: readonly (readonly [StreamState, StreamInput, SideEffect | null, StreamState])[] = [
  // State: idle
  [S.IDLE, I.SEND_HEADERS, requestSent, S.OPEN],
  [S.IDLE, I.RECV_HEADERS, requestReceived, S.OPEN],
  [S.IDLE, I.RECV_DATA, resetStreamOnError, S.CLOSED],
  [S.IDLE, I.SEND_PUSH_PROMISE, sendNewPushedStream, S.RESERVED_LOCAL],
  [S.IDLE, I.RECV_PUSH_PROMISE, recvNewPushedStream, S.RESERVED_REMOTE],
  [S.IDLE, I.RECV_ALTERNATIVE_SERVICE, null, S.IDLE],
  [S.IDLE, I.UPGRADE_CLIENT, requestSent, S.HALF_CLOSED_LOCAL],
  [S.IDLE, I.UPGRADE_SERVER, requestReceived, S.HALF_CLOSED_REMOTE],
  // State: reserved local
  [S.RESERVED_LOCAL, I.SEND_HEADERS, responseSent, S.HALF_CLOSED_REMOTE],
  [S.RESERVED_LOCAL, I.RECV_DATA, resetStreamOnError, S.CLOSED],
  [S.RESERVED_LOCAL, I.SEND_WINDOW_UPDATE, null, S.RESERVED_LOCAL],
  [S.RESERVED_LOCAL, I.RECV_WINDOW_UPDATE, windowUpdated, S.RESERVED_LOCAL],
  [S.RESERVED_LOCAL, I.SEND_RST_STREAM, sendResetStream, S.CLOSED],
  [S.RESERVED_LOCAL, I.RECV_RST_STREAM, streamReset, S.CLOSED],
  [S.RESERVED_LOCAL, I.SEND_ALTERNATIVE_SERVICE, sendAltSvc, S.RESERVED_LOCAL],
  [S.RESERVED_LOCAL, I.RECV_ALTERNATIVE_SERVICE, null, S.RESERVED_LOCAL],
  // State: reserved remote
  [S.RESERVED_REMOTE, I.RECV_HEADERS, responseReceived, S.HALF_CLOSED_LOCAL],
  [S.RESERVED_REMOTE, I.RECV_DATA, resetStreamOnError, S.CLOSED],
  [S.RESERVED_REMOTE, I.SEND_WINDOW_UPDATE, null, S.RESERVED_REMOTE],
  [S.RESERVED_REMOTE, I.RECV_WINDOW_UPDATE, windowUpdated, S.RESERVED_REMOTE],
  [S.RESERVED_REMOTE, I.SEND_RST_STREAM, sendResetStream, S.CLOSED],
  [S.RESERVED_REMOTE, I.RECV_RST_STREAM, streamReset, S.CLOSED],
  [S.RESERVED_REMOTE, I.RECV_ALTERNATIVE_SERVICE, recvAltSvc, S.RESERVED_REMOTE],
  // State: open
  [S.OPEN, I.SEND_HEADERS, responseSent, S.OPEN],
  [S.OPEN, I.RECV_HEADERS, responseReceived, S.OPEN],
  [S.OPEN, I.SEND_DATA, null, S.OPEN],
  [S.OPEN, I.RECV_DATA, dataReceived, S.OPEN],
  [S.OPEN, I.SEND_END_STREAM, null, S.HALF_CLOSED_LOCAL],
  [S.OPEN, I.RECV_END_STREAM, streamHalfClosed, S.HALF_CLOSED_REMOTE],
  [S.OPEN, I.SEND_WINDOW_UPDATE, null, S.OPEN],
  [S.OPEN, I.RECV_WINDOW_UPDATE, windowUpdated, S.OPEN],
  [S.OPEN, I.SEND_RST_STREAM, sendResetStream, S.CLOSED],
  [S.OPEN, I.RECV_RST_STREAM, streamReset, S.CLOSED],
  [S.OPEN, I.SEND_PUSH_PROMISE, sendPushPromise, S.OPEN],
  [S.OPEN, I.RECV_PUSH_PROMISE, recvPushPromise, S.OPEN],
  [S.OPEN, I.SEND_INFORMATIONAL_HEADERS, sendInformationalResponse, S.OPEN],
  [S.OPEN, I.RECV_INFORMATIONAL_HEADERS, recvInformationalResponse, S.OPEN],
  [S.OPEN, I.SEND_ALTERNATIVE_SERVICE, sendAltSvc, S.OPEN],
  [S.OPEN, I.RECV_ALTERNATIVE_SERVICE, recvAltSvc, S.OPEN],
  // State: half-closed remote
  [S.HALF_CLOSED_REMOTE, I.SEND_HEADERS, responseSent, S.HALF_CLOSED_REMOTE],
  [S.HALF_CLOSED_REMOTE, I.RECV_HEADERS, resetStreamOnError, S.CLOSED],
  [S.HALF_CLOSED_REMOTE, I.SEND_DATA, null, S.HALF_CLOSED_REMOTE],
  [S.HALF_CLOSED_REMOTE, I.RECV_DATA, resetStreamOnError, S.CLOSED],
  [S.HALF_CLOSED_REMOTE, I.SEND_END_STREAM, sendEndStream, S.CLOSED],
  [S.HALF_CLOSED_REMOTE, I.SEND_WINDOW_UPDATE, null, S.HALF_CLOSED_REMOTE],
  [S.HALF_CLOSED_REMOTE, I.RECV_WINDOW_UPDATE, windowUpdated, S.HALF_CLOSED_REMOTE],
  [S.HALF_CLOSED_REMOTE, I.SEND_RST_STREAM, sendResetStream, S.CLOSED],
  [S.HALF_CLOSED_REMOTE, I.RECV_RST_STREAM, streamReset, S.CLOSED],
  [S.HALF_CLOSED_REMOTE, I.SEND_PUSH_PROMISE, sendPushPromise, S.HALF_CLOSED_REMOTE],
  [S.HALF_CLOSED_REMOTE, I.RECV_PUSH_PROMISE, resetStreamOnError, S.CLOSED],
  [S.HALF_CLOSED_REMOTE, I.SEND_INFORMATIONAL_HEADERS, sendInformationalResponse, S.HALF_CLOSED_REMOTE],
  [S.HALF_CLOSED_REMOTE, I.SEND_ALTERNATIVE_SERVICE, sendAltSvc, S.HALF_CLOSED_REMOTE],
  [S.HALF_CLOSED_REMOTE, I.RECV_ALTERNATIVE_SERVICE, recvAltSvc, S.HALF_CLOSED_REMOTE],
  // State: half-closed local
  [S.HALF_CLOSED_LOCAL, I.RECV_HEADERS, responseReceived, S.HALF_CLOSED_LOCAL],
  [S.HALF_CLOSED_LOCAL, I.RECV_DATA, dataReceived, S.HALF_CLOSED_LOCAL],
  [S.HALF_CLOSED_LOCAL, I.RECV_END_STREAM, streamEnded, S.CLOSED],
  [S.HALF_CLOSED_LOCAL, I.SEND_WINDOW_UPDATE, null, S.HALF_CLOSED_LOCAL],
  [S.HALF_CLOSED_LOCAL, I.RECV_WINDOW_UPDATE, windowUpdated, S.HALF_CLOSED_LOCAL],
  [S.HALF_CLOSED_LOCAL, I.SEND_RST_STREAM, sendResetStream, S.CLOSED],
  [S.HALF_CLOSED_LOCAL, I.RECV_RST_STREAM, streamReset, S.CLOSED],
  [S.HALF_CLOSED_LOCAL, I.RECV_PUSH_PROMISE, recvPushPromise, S.HALF_CLOSED_LOCAL],
  [S.HALF_CLOSED_LOCAL, I.RECV_INFORMATIONAL_HEADERS, recvInformationalResponse, S.HALF_CLOSED_LOCAL],
  [S.HALF_CLOSED_LOCAL, I.SEND_ALTERNATIVE_SERVICE, sendAltSvc, S.HALF_CLOSED_LOCAL],
  [S.HALF_CLOSED_LOCAL, I.RECV_ALTERNATIVE_SERVICE, recvAltSvc, S.HALF_CLOSED_LOCAL],
  // State: closed
  [S.CLOSED, I.RECV_END_STREAM, null, S.CLOSED],
  [S.CLOSED, I.RECV_ALTERNATIVE_SERVICE, null, S.CLOSED],
  // RFC 9113 §5.1
  // > An endpoint that receives any frame other than PRIORITY after receiving a RST_STREAM MUST treat
  // > that as a stream error (Section 5.4.2) of type STREAM_CLOSED. [...] An endpoint that receives
  // > any frames after receiving a frame with the END_STREAM flag set MUST treat that as a connection
  // > error (Section 5.4.1) of type STREAM_CLOSED.
  [S.CLOSED, I.RECV_HEADERS, recvOnClosedStream, S.CLOSED],
  [S.CLOSED, I.RECV_DATA, recvOnClosedStream, S.CLOSED],
  // RFC 9113 §5.1
  // > WINDOW_UPDATE or RST_STREAM frames can be received in this state for a short period after a
  // > DATA or HEADERS frame containing an END_STREAM flag is sent
  // The core has no clock, so it always allows them (as h2).
  [S.CLOSED, I.RECV_WINDOW_UPDATE, null, S.CLOSED],
  [S.CLOSED, I.RECV_RST_STREAM, null, S.CLOSED],
  [S.CLOSED, I.RECV_PUSH_PROMISE, recvPushOnClosedStream, S.CLOSED],
  // Users may not send on closed streams.
  [S.CLOSED, I.SEND_HEADERS, sendOnClosedStream, S.CLOSED],
  [S.CLOSED, I.SEND_PUSH_PROMISE, sendPushOnClosedStream, S.CLOSED],
  [S.CLOSED, I.SEND_RST_STREAM, sendOnClosedStream, S.CLOSED],
  [S.CLOSED, I.SEND_DATA, sendOnClosedStream, S.CLOSED],
  [S.CLOSED, I.SEND_WINDOW_UPDATE, sendOnClosedStream, S.CLOSED],
  [S.CLOSED, I.SEND_END_STREAM, sendOnClosedStream, S.CLOSED],
];

function buildTable(): readonly (readonly (Transition | undefined)[])[] {
  const rows: (Transition | undefined)[][] = [];
  for (let s = 0; s < STATE_COUNT; s++) rows.push(new Array<Transition | undefined>(INPUT_COUNT).fill(undefined));
  for (const [state, input, fn, next] of TRANSITION_LIST) {
    const row = rows[state] as (Transition | undefined)[];
    if (row[input] !== undefined) throw new Error(`duplicate transition ${streamStateName(state)} × ${streamInputName(input)}`);
    row[input] = Object.freeze([fn, next] as const);
  }
  return Object.freeze(rows.map((r) => Object.freeze(r)));
}

/**
 * The shared transition table: `TRANSITIONS[state][input]` is `[sideEffect, nextState]`, or
 * `undefined` when the input is invalid in that state (the stream closes with `ProtocolError`).
 */
export const TRANSITIONS: readonly (readonly (Transition | undefined)[])[] = buildTable();
