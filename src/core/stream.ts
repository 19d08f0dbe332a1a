/**
 * One HTTP/2 stream: builds the frames the connection sends on it and turns the frames received on
 * it into events, through the shared state table. Sans-I/O core. Port of h2/stream.py H2Stream.
 */

// The connection calls these methods exactly as h2's connection.py calls stream.py; methods that
// return `(frames, events)` in h2 return `[frames, events]` here. Differences from h2 4.1 (Debian's
// oracle), following 4.4.1: a `content-length` must be `1*DIGIT` and repeated ones must agree.
// Differences from h2 (where h2 crashes with IndexError): an empty encoded header block still yields
// one HEADERS frame; a PUSH_PROMISE on an idle parent stream is a `ProtocolError`.

import { byteStringToBytes } from '../hpack/byte-string.ts';
import type { Encoder } from '../hpack/index.ts';
import { encodeBlockView } from '../hpack/encoder.ts';
import { AltSvcFrame, ContinuationFrame, DataFrame, type Frame, HeadersFrame, PushPromiseFrame, RstStreamFrame, WindowUpdateFrame } from '../frame/index.ts';
import type { H2Configuration, H2Logger, HeaderEncoding } from './config.ts';
import { ErrorCodes } from './errors.ts';
import { END_HEADERS_BIT, END_STREAM_BIT } from './flag-bits.ts';
import {
  type AlternativeServiceAvailable,
  type DataReceived,
  fillEvent,
  type H2Event,
  type Header,
  type HeaderBlockEvent,
  type InformationalResponseReceived,
  type PushedStreamReceived,
  StreamReset,
  type WindowUpdated,
  type Writable,
} from './events.ts';
import { FlowControlError, ProtocolError } from './exceptions.ts';
import { validateHeaders, validateOutboundHeaders } from './header-validation.ts';
import {
  authorityFromHeaders,
  decodeHeaders,
  encodeOutboundHeaders,
  extractMethodHeader,
  guardIncrementWindow,
  type HeaderValidationFlags,
  isInformationalResponse,
  isNormalizedOutboundHeaderList,
  normalizeInboundHeaders,
  normalizeOutboundHeaders,
  type OutboundHeaders,
} from './headers.ts';
import { headerCodec } from './header-encoding.ts';
import {
  H2StreamStateMachine,
  STREAM_OPEN,
  StreamClosedBy,
  type StreamEvent,
  type StreamInput,
  StreamInputs,
  StreamState,
  streamStateName,
} from './stream-state.ts';
import { WindowManager, checkWindowSize, openedWindowSize } from './windows.ts';

/** The frames of one header block: HEADERS or PUSH_PROMISE, then CONTINUATIONs. */
export type HeaderBlockFrames = (HeadersFrame | PushPromiseFrame | ContinuationFrame)[];

/** What the receive methods return: frames to send in answer, and events for the user. */
export type FramesAndEvents = [frames: Frame[], events: H2Event[]];

/** The frames of a receive method that answers nothing: one frozen array shared by all. */
const NO_FRAMES: Frame[] = Object.freeze([]) as unknown as Frame[];

/** Why a body is malformed for its content-length: InvalidBodyLengthError's message (h2 raises that). */
const bodyLengthMismatch = (expected: number, actual: number): string => `Expected ${expected} bytes, received ${actual}`;

/** Whether a response's `:status` is 204 or 304: no content, whatever content-length says (RFC 9110 §6.4.1). */
function hasNoContentStatus(headers: readonly Header[]): boolean {
  for (const h of headers) if (h[0] === ':status') return h[1] === '204' || h[1] === '304';
  return false;
}

/** The initial SETTINGS_MAX_FRAME_SIZE (RFC 9113 §6.5.2), until the connection sets the peer's. */
const DEFAULT_MAX_FRAME_SIZE = 16384;

// The kinds of header block, for the validation flags.
const BLOCK_REQUEST = 0;
const BLOCK_TRAILER = 1;
const BLOCK_RESPONSE = 2;
const BLOCK_PUSH = 3;

/** Every combination of validation flags, indexed by `(isClient ? 4 : 0) + kind`: none is built per block. */
const VALIDATION_FLAGS: readonly HeaderValidationFlags[] = [false, true].flatMap((isClient) =>
  [BLOCK_REQUEST, BLOCK_TRAILER, BLOCK_RESPONSE, BLOCK_PUSH].map((kind) =>
    Object.freeze({
      isClient,
      isTrailer: kind === BLOCK_TRAILER,
      isResponseHeader: kind === BLOCK_RESPONSE,
      isPushPromise: kind === BLOCK_PUSH,
    }),
  ),
);

/**
 * `a` then `b` in one array made at its size: pushing onto the one-event array a transition returns
 * regrows it to 17 slots, once per request that ends with its HEADERS (or DATA).
 */
function concatEvents(a: H2Event[], b: readonly H2Event[]): H2Event[] {
  if (b.length === 0) return a;
  const out = new Array<H2Event>(a.length + b.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]!;
  for (let i = 0; i < b.length; i++) out[a.length + i] = b[i]!;
  return out;
}

/**
 * A low-level HTTP/2 stream: the stream state machine (extended, not wrapped: see `stateMachine`) with
 * frames built or accepted only in a valid state (anything else raises `ProtocolError`), and per-stream
 * flow control and content-length bookkeeping. Port of h2.stream.H2Stream. Its private methods are
 * static (the stream their first argument): a class with instance #methods puts a brand in every
 * instance (8 B per stream held).
 */
export class H2Stream extends H2StreamStateMachine {
  /** The largest frame payload we may send (the peer's MAX_FRAME_SIZE); set by the connection. */
  maxOutboundFrameSize: number = DEFAULT_MAX_FRAME_SIZE;
  /** The `:method` of the last header block we sent (for HEAD's empty body), or `null`. */
  requestMethod: string | null = null;
  /** How many bytes we may still send on this stream (may go negative after a SETTINGS decrease). */
  outboundFlowControlWindow: number;
  /** The connection's configuration. */
  readonly config: H2Configuration;

  /** The user's logger, or `null`: no log arguments are evaluated without one (read once, as the connection does). */
  readonly #log: H2Logger | null;
  /**
   * The receive window: its initial size until the window is first used (DATA received, a manual
   * increment, a SETTINGS change), then its manager. Most streams never receive DATA (a GET), so they
   * never make one.
   */
  #inboundWindow: WindowManager | number;
  #expectedContentLength: number | null = null;
  #actualContentLength = 0;
  #authority: string | null = null;
  #receiveError: string | null = null;

  /**
   * @param streamId The stream ID.
   * @param config The connection's configuration.
   * @param inboundWindowSize Our INITIAL_WINDOW_SIZE (the receive window).
   * @param outboundWindowSize The peer's INITIAL_WINDOW_SIZE (the send window).
   */
  constructor(streamId: number, config: H2Configuration, inboundWindowSize: number, outboundWindowSize: number) {
    super(streamId);
    this.outboundFlowControlWindow = outboundWindowSize;
    checkWindowSize(inboundWindowSize);
    this.#inboundWindow = inboundWindowSize;
    this.config = config;
    this.#log = config.hasLogger ? config.logger : null;
  }

  /**
   * The stream's state machine (the shared transition table, and the per-stream sub-state): the stream
   * itself. h2's stream has one (`state_machine`); here the stream is one, its state and sub-state its own
   * fields: one object per stream, not two (48 B fewer per stream held).
   */
  get stateMachine(): H2StreamStateMachine {
    return this;
  }

  /** Debug form, as h2's `__repr__`. */
  override toString(): string {
    const s = this.state;
    return `<H2Stream id:${this.streamId} state:<StreamState.${streamStateName(s)}: ${s}>>`;
  }

  /** The receive window's manager, made on first use. */
  static #inboundWindowManager(self: H2Stream): WindowManager {
    const w = self.#inboundWindow;
    if (typeof w !== 'number') return w;
    return (self.#inboundWindow = new WindowManager(w));
  }

  /** How many bytes the peer may still send on this stream (the receive window). */
  get inboundFlowControlWindow(): number {
    const w = this.#inboundWindow;
    return typeof w === 'number' ? w : w.currentWindowSize;
  }

  /** Whether the stream is open in the MAX_CONCURRENT_STREAMS sense (OPEN or half-closed). */
  get open(): boolean {
    return STREAM_OPEN[this.state] === true;
  }

  /**
   * Why a receive method reset this stream for what the peer sent on it (a stream error), else
   * `null`: a malformed message (RFC 9113 §8.1.1, PROTOCOL_ERROR) or DATA past the stream's window
   * (RFC 9113 §6.9.1, FLOW_CONTROL_ERROR). Beyond h2, which fails the connection for both.
   */
  get receiveError(): string | null {
    return this.#receiveError;
  }

  /** Whether the stream is closed. */
  get closed(): boolean {
    return this.state === StreamState.CLOSED;
  }

  /** How the stream was closed, or `null`. */
  get closedBy(): StreamClosedBy | null {
    return this.streamClosedBy;
  }

  /**
   * Marks this stream as the request of an h2c-upgraded connection (stream 1): HALF_CLOSED_LOCAL on
   * the client, HALF_CLOSED_REMOTE on the server. Port of h2.stream.H2Stream.upgrade.
   */
  upgrade(clientSide: boolean): void {
    this.#log?.debug('Upgrading %s', this);
    // RFC 9113 §3.1 (h2c upgrade): the HTTP/1.1 request becomes stream 1. h2 asserts this.
    if (this.streamId !== 1) throw new ProtocolError('Only stream 1 can be upgraded.');
    // The events are deliberately dropped, as in h2.
    this.processInput(clientSide ? StreamInputs.UPGRADE_CLIENT : StreamInputs.UPGRADE_SERVER);
  }

  /**
   * Builds the HEADERS (+ CONTINUATION) frames of a request, response, 1xx or trailer block. The
   * state transition happens before encoding, because encoding changes the HPACK context for good.
   * Port of h2.stream.H2Stream.send_headers.
   * @param transient The frames' block may be a view of the HPACK encoder's shared scratch, valid only
   *   until the next block is encoded: for a caller that serializes the frames at once (the connection).
   * @throws ProtocolError for END_STREAM on a 1xx block, trailers without END_STREAM, an invalid
   *   state, or a header block that fails validation.
   */
  sendHeaders(headers: OutboundHeaders, encoder: Encoder, endStream = false, transient = false): HeaderBlockFrames {
    this.#log?.debug('Send headers %s on %s', headers, this);
    const sm = this;
    let input: StreamInput = StreamInputs.SEND_HEADERS;
    const codec = headerCodec(this.config.headerEncoding);
    const normal = isNormalizedOutboundHeaderList(headers, codec);
    const bytesHeaders = normal ? headers : encodeOutboundHeaders(headers, codec);
    if (!sm.client && isInformationalResponse(bytesHeaders)) {
      // RFC 9113 §8.1
      // > An endpoint that receives a HEADERS frame without the END_STREAM flag set after receiving
      // > the HEADERS frame that opens a request or after receiving a final (non-informational)
      // > status code MUST treat the corresponding request or response as malformed
      // and 1xx blocks never end a stream.
      if (endStream) throw new ProtocolError('Cannot set END_STREAM on informational responses.');
      input = StreamInputs.SEND_INFORMATIONAL_HEADERS;
    }
    const events = sm.processInput(input);
    // RFC 9113 §8.1
    // > [...] a HEADERS frame containing a trailer section [...] MUST have the END_STREAM flag set
    // Checked before encoding (h2 checks afterwards): a refused block must not enter the HPACK table,
    // or every later block would refer to entries the peer never saw.
    if (sm.trailersSent && !endStream) throw new ProtocolError('Trailers must have END_STREAM set.');
    const frames = H2Stream.#buildHeadersFrames(this, bytesHeaders, normal, encoder, new HeadersFrame(this.streamId), H2Stream.#buildHdrValidationFlags(this, events), transient);
    if (endStream) {
      // END_STREAM belongs on the HEADERS frame, not on the CONTINUATIONs after it.
      sm.processInput(StreamInputs.SEND_END_STREAM);
      (frames[0] as HeadersFrame).flags.bits |= END_STREAM_BIT;
    }
    if (sm.client && this.#authority === null) this.#authority = authorityFromHeaders(bytesHeaders);
    this.requestMethod = extractMethodHeader(bytesHeaders);
    return frames;
  }

  /**
   * Builds the PUSH_PROMISE (+ CONTINUATION) frames promising `relatedStreamId`, on this (parent)
   * stream. Port of h2.stream.H2Stream.push_stream_in_band.
   */
  pushStreamInBand(relatedStreamId: number, headers: OutboundHeaders, encoder: Encoder): HeaderBlockFrames {
    this.#log?.debug('Push stream %s', this);
    // Encoded before the transition: a string the encoding cannot send leaves the stream as it was.
    const codec = headerCodec(this.config.headerEncoding);
    const normal = isNormalizedOutboundHeaderList(headers, codec);
    const bytesHeaders = normal ? headers : encodeOutboundHeaders(headers, codec);
    const events = this.processInput(StreamInputs.SEND_PUSH_PROMISE);
    if (events.length === 0) H2Stream.#refuseIdlePush(this, 'Cannot push on an idle stream.');
    const ppf = new PushPromiseFrame(this.streamId, { promisedStreamId: relatedStreamId });
    const flags = H2Stream.#buildHdrValidationFlags(this, events);
    return H2Stream.#buildHeadersFrames(this, bytesHeaders, normal, encoder, ppf, flags);
  }

  /**
   * Marks this new stream as pushed by us (RESERVED_LOCAL); sends nothing.
   * Port of h2.stream.H2Stream.locally_pushed.
   */
  locallyPushed(): Frame[] {
    this.processInput(StreamInputs.SEND_PUSH_PROMISE);
    return [];
  }

  /**
   * Builds one DATA frame, optionally ending the stream and/or padded. Does no flow-control check
   * (the connection does) but charges the stream's send window; port of h2.stream.H2Stream.send_data.
   * @param padLength `null` for no padding; 0–255 sets PADDED (costing `padLength + 1` bytes).
   */
  sendData(data: Uint8Array, endStream = false, padLength: number | null = null): Frame[] {
    this.#log?.debug('Send data on %s with end stream set to %s', this, endStream);
    this.processInput(StreamInputs.SEND_DATA);
    const df = new DataFrame(this.streamId, { data });
    if (endStream) {
      this.processInput(StreamInputs.SEND_END_STREAM);
      df.flags.bits |= END_STREAM_BIT;
    }
    if (padLength !== null) {
      df.flags.add('PADDED');
      df.padLength = padLength;
    }
    // Padding counts against flow control (RFC 9113 §6.9.1).
    this.outboundFlowControlWindow -= df.flowControlledLength;
    return [df];
  }

  /**
   * Beyond h2: the state changes and window charge of {@link sendData} for `length` unpadded DATA bytes
   * (one frame or several, END_STREAM on the last when `endStream`), without building the frames: the
   * connection serializes them straight into its outbound buffer. Sending DATA again in the same state
   * changes nothing, so one SEND_DATA input stands for every frame of the run.
   */
  sendDataRun(length: number, endStream: boolean): void {
    this.#log?.debug('Send data on %s with end stream set to %s', this, endStream);
    this.processInput(StreamInputs.SEND_DATA);
    if (endStream) this.processInput(StreamInputs.SEND_END_STREAM);
    this.outboundFlowControlWindow -= length;
  }

  /** Builds an empty DATA frame with END_STREAM. Port of h2.stream.H2Stream.end_stream. */
  endStream(): Frame[] {
    this.#log?.debug('End stream %s', this);
    this.processInput(StreamInputs.SEND_END_STREAM);
    return [new DataFrame(this.streamId, { flags: ['END_STREAM'] })];
  }

  /**
   * Builds an ALTSVC frame on this stream (RFC 7838 §4). Port of
   * h2.stream.H2Stream.advertise_alternative_service.
   */
  advertiseAlternativeService(fieldValue: Uint8Array): Frame[] {
    this.#log?.debug('Advertise alternative service of %s for %s', fieldValue, this);
    this.processInput(StreamInputs.SEND_ALTERNATIVE_SERVICE);
    return [new AltSvcFrame(this.streamId, { field: fieldValue })];
  }

  /**
   * Opens the receive window by `increment` and builds the WINDOW_UPDATE.
   * Port of h2.stream.H2Stream.increase_flow_control_window.
   * @throws FlowControlError if the window would exceed 2^31-1.
   */
  increaseFlowControlWindow(increment: number): Frame[] {
    this.#log?.debug('Increase flow control window for %s by %d', this, increment);
    this.processInput(StreamInputs.SEND_WINDOW_UPDATE);
    const w = this.#inboundWindow;
    if (typeof w === 'number') this.#inboundWindow = openedWindowSize(w, increment);
    else w.windowOpened(increment);
    return [new WindowUpdateFrame(this.streamId, { windowIncrement: increment })];
  }

  /**
   * A PUSH_PROMISE arrived on this (parent) stream, promising `promisedStreamId`.
   * Port of h2.stream.H2Stream.receive_push_promise_in_band. Diverges from h2, which fails the
   * connection: a malformed promised request yields `null`, for the connection to refuse the
   * promised stream with PROTOCOL_ERROR (RFC 9113 §8.4: "it MUST respond on the promised stream with
   * a stream error (Section 5.4.2) of type PROTOCOL_ERROR"); this stream is unaffected.
   */
  receivePushPromiseInBand(promisedStreamId: number, headers: Header[], headerEncoding: HeaderEncoding): FramesAndEvents | null {
    this.#log?.debug('Receive Push Promise on %s for remote stream %d', this, promisedStreamId);
    const events = this.processInput(StreamInputs.RECV_PUSH_PROMISE) as H2Event[];
    if (events.length === 0) H2Stream.#refuseIdlePush(this, 'Idle streams cannot receive pushes');
    const pushEvent = events[0] as PushedStreamReceived;
    fillEvent(pushEvent, { pushedStreamId: promisedStreamId });
    const flags = H2Stream.#buildHdrValidationFlags(this, events);
    try {
      fillEvent(pushEvent, { headers: H2Stream.#processReceivedHeaders(this, headers, flags, headerEncoding) });
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this.#log?.debug('Malformed push promise on %s: %s', this, err.message);
      return null;
    }
    return [NO_FRAMES, events];
  }

  /**
   * Marks this new stream as pushed by the peer (RESERVED_REMOTE), remembering the promised
   * request's `:authority` for ALTSVC. Port of h2.stream.H2Stream.remotely_pushed.
   */
  remotelyPushed(pushedHeaders: readonly Header[]): FramesAndEvents {
    this.#log?.debug('%s pushed by remote peer', this);
    const events = this.processInput(StreamInputs.RECV_PUSH_PROMISE) as H2Event[];
    this.#authority = authorityFromHeaders(pushedHeaders);
    return [NO_FRAMES, events];
  }

  /**
   * A header block (request, response, 1xx or trailers) arrived on this stream.
   * Port of h2.stream.H2Stream.receive_headers. Diverges from h2, which fails the connection: a
   * malformed message (invalid fields or pseudo-headers, trailers without END_STREAM, a 1xx with
   * END_STREAM or after the final response, a body that disagrees with content-length at the end)
   * resets only this stream, RST_STREAM PROTOCOL_ERROR with a `StreamReset` in place of the block's
   * events (RFC 9113 §8.1.1, see {@link receiveError}). Blocks the stream's state forbids still raise.
   * @param headers The decoded fields, as ByteStrings.
   * @param headerEncoding The connection's `headerEncoding`: a string decodes the event's headers.
   */
  receiveHeaders(headers: Header[], endStream: boolean, headerEncoding: HeaderEncoding): FramesAndEvents {
    const sm = this;
    // Only a client receives responses: a server takes a block with a 1xx :status as a request (or
    // trailers), which validation rejects for its :status (RFC 9113 §8.3.1); h2 fails the connection.
    const informational = this.config.clientSide && isInformationalResponse(headers);
    // RFC 9113 §8.1: a 1xx after the final response is a HEADERS frame without END_STREAM after a
    // final status: malformed. Checked before the state machine, which would close the stream for it.
    if (informational && sm.headersReceived && (sm.state === StreamState.OPEN || sm.state === StreamState.HALF_CLOSED_LOCAL)) {
      return H2Stream.#malformedMessage(this, 'Informational response after final response');
    }
    let events = sm.processInput(informational ? StreamInputs.RECV_INFORMATIONAL_HEADERS : StreamInputs.RECV_HEADERS) as H2Event[];
    // RFC 9113 §8.1: "A HEADERS frame with the END_STREAM flag set that carries an informational
    // status code is malformed".
    if (informational && endStream) return H2Stream.#malformedMessage(this, 'Cannot set END_STREAM on informational responses');
    const headersEvent = events[0] as Writable<HeaderBlockEvent | InformationalResponseReceived>;
    if (endStream) {
      const es = sm.processInput(StreamInputs.RECV_END_STREAM) as H2Event[];
      (headersEvent as Writable<HeaderBlockEvent>).streamEnded = es[0] as HeaderBlockEvent['streamEnded'];
      events = concatEvents(events, es);
    }
    const trailers = headersEvent.type === 'TrailersReceived';
    // RFC 9113 §8.1 (see sendHeaders): trailers end the stream.
    if (trailers && !endStream) return H2Stream.#malformedMessage(this, 'Trailers must have END_STREAM set');
    const flags = H2Stream.#buildHdrValidationFlags(this, events);
    let hs: Header[];
    try {
      // Trailers do not change the expected length: the body they end is the one the headers announced
      // (h2 reads them again, forgetting it). RFC 9110 §6.5.1: trailers carry no framing.
      if (!trailers) H2Stream.#initializeContentLength(this, headers);
      hs = H2Stream.#processReceivedHeaders(this, headers, flags, headerEncoding);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      return H2Stream.#malformedMessage(this, err.message);
    }
    // RFC 9113 §8.1.1: the content must match content-length, also when trailers end it, or when the
    // message's own HEADERS do; but "A response that is defined to have no content ... MAY have a
    // non-zero content-length" (204, 304; an answer to HEAD expects 0 already).
    const expected = this.#expectedContentLength;
    if (endStream && expected !== null && expected !== this.#actualContentLength && (trailers || headersEvent.type === 'RequestReceived' || (headersEvent.type === 'ResponseReceived' && !hasNoContentStatus(headers)))) {
      return H2Stream.#malformedMessage(this, bodyLengthMismatch(expected, this.#actualContentLength));
    }
    headersEvent.headers = hs;
    return [NO_FRAMES, events];
  }

  /**
   * A DATA frame arrived: consumes receive window, checks content-length, and yields `DataReceived`
   * (+ `StreamEnded`). Port of h2.stream.H2Stream.receive_data. Diverges from h2: a body that
   * exceeds or falls short of content-length, or DATA before a response's headers, is a malformed
   * message that resets this stream with PROTOCOL_ERROR (RFC 9113 §8.1.1), and DATA past the stream's
   * window resets it with FLOW_CONTROL_ERROR (§6.9.1), each with a `StreamReset` in place of the
   * frame's events (see {@link receiveError}); h2 raises `InvalidBodyLengthError` / `FlowControlError`,
   * connection errors.
   * @param flowControlLen The frame's flow-controlled length (payload plus padding).
   */
  receiveData(data: Uint8Array, endStream: boolean, flowControlLen: number): FramesAndEvents {
    this.#log?.debug('Receive data on %s with end stream %s and flow control length set to %d', this, endStream, flowControlLen);
    const sm = this;
    // RFC 9113 §8.1: a message is HEADERS, then DATA. DATA first is malformed (h2's state machine
    // closes the stream and fails the connection for it).
    if (!sm.headersReceived && (sm.state === StreamState.OPEN || sm.state === StreamState.HALF_CLOSED_LOCAL)) {
      return H2Stream.#malformedMessage(this, 'cannot receive data before headers');
    }
    let events = sm.processInput(StreamInputs.RECV_DATA) as H2Event[];
    const dataEvent = events[0] as Writable<DataReceived>;
    try {
      H2Stream.#inboundWindowManager(this).windowConsumed(flowControlLen);
    } catch (err) {
      if (!(err instanceof FlowControlError)) throw err;
      // RFC 9113 §6.9.1: "A receiver MAY respond with a stream error (Section 5.4.2) or connection
      // error (Section 5.4.1) of type FLOW_CONTROL_ERROR if it is unable to accept a frame." The
      // connection window was checked (and charged) on its own: only this stream's accounting broke.
      return H2Stream.#resetOnReceive(this, ErrorCodes.FLOW_CONTROL_ERROR, `DATA past the stream window: ${err.message}`);
    }
    this.#actualContentLength += data.length;
    const actual = this.#actualContentLength;
    const expected = this.#expectedContentLength;
    // RFC 9113 §8.1.1
    // > A request or response is also malformed if the value of a content-length header field does
    // > not equal the sum of the DATA frame payload lengths that form the content
    if (expected !== null && (expected < actual || (endStream && expected !== actual))) {
      return H2Stream.#malformedMessage(this, bodyLengthMismatch(expected, actual));
    }
    dataEvent.data = data;
    dataEvent.flowControlledLength = flowControlLen;
    if (endStream) {
      const es = sm.processInput(StreamInputs.RECV_END_STREAM) as H2Event[];
      dataEvent.streamEnded = es[0] as DataReceived['streamEnded'];
      events = concatEvents(events, es);
    }
    return [NO_FRAMES, events];
  }

  /**
   * A WINDOW_UPDATE arrived for this stream. Overflowing the send window is a *stream* error: the
   * stream is reset with FLOW_CONTROL_ERROR and a `StreamReset(remoteReset: false)` replaces the
   * `WindowUpdated` event. Port of h2.stream.H2Stream.receive_window_update.
   */
  receiveWindowUpdate(increment: number): FramesAndEvents {
    this.#log?.debug('Receive Window Update on %s for increment of %d', this, increment);
    let events = this.processInput(StreamInputs.RECV_WINDOW_UPDATE) as H2Event[];
    let frames: Frame[] = [];
    if (events.length > 0) {
      fillEvent(events[0] as WindowUpdated, { delta: increment });
      try {
        this.outboundFlowControlWindow = guardIncrementWindow(this.outboundFlowControlWindow, increment);
      } catch (err) {
        if (!(err instanceof FlowControlError)) throw err;
        // RFC 9113 §6.9.1
        // > If a sender receives a WINDOW_UPDATE that causes a flow-control window to exceed this
        // > maximum, it MUST terminate either the stream or the connection, as appropriate. For
        // > streams, the sender sends a RST_STREAM with an error code of FLOW_CONTROL_ERROR
        events = [new StreamReset({ streamId: this.streamId, errorCode: ErrorCodes.FLOW_CONTROL_ERROR, remoteReset: false })];
        frames = this.resetStream(ErrorCodes.FLOW_CONTROL_ERROR);
      }
    }
    return [frames, events];
  }

  /**
   * A CONTINUATION arrived outside a header block. Always an error; which one depends on the state
   * (`ProtocolError`, or `StreamClosedError` on a closed stream). Port of
   * h2.stream.H2Stream.receive_continuation.
   */
  receiveContinuation(): never {
    this.#log?.debug('Receive Continuation frame on %s', this);
    // RFC 9113 §6.10
    // > A CONTINUATION frame MUST be preceded by a HEADERS, PUSH_PROMISE or CONTINUATION frame without
    // > the END_HEADERS flag set. A recipient that observes violation of this rule MUST respond with a
    // > connection error of type PROTOCOL_ERROR.
    this.processInput(StreamInputs.RECV_CONTINUATION);
    throw new ProtocolError('Received CONTINUATION outside a header block');
  }

  /**
   * An ALTSVC frame arrived on this stream: it applies to the stream's `:authority`. A frame with an
   * origin on a stream must be ignored (RFC 7838 §4). Port of h2.stream.H2Stream.receive_alt_svc.
   */
  receiveAltSvc(frame: AltSvcFrame): FramesAndEvents {
    this.#log?.debug('Receive Alternative Service frame on stream %s', this);
    // RFC 7838 §4
    // > An ALTSVC frame on a stream other than stream 0 containing non-empty "Origin" information is
    // > invalid and MUST be ignored.
    if (frame.origin.length > 0) return [NO_FRAMES, []];
    const events = this.processInput(StreamInputs.RECV_ALTERNATIVE_SERVICE) as H2Event[];
    if (events.length > 0) {
      const origin = this.#authority === null ? new Uint8Array(0) : byteStringToBytes(this.#authority, ':authority');
      fillEvent(events[0] as AlternativeServiceAvailable, { origin, fieldValue: frame.field });
    }
    return [NO_FRAMES, events];
  }

  /** Resets the stream locally and builds the RST_STREAM. Port of h2.stream.H2Stream.reset_stream. */
  resetStream(errorCode: number = ErrorCodes.NO_ERROR): Frame[] {
    this.#log?.debug('Local reset %s with error code: %d', this, errorCode);
    this.processInput(StreamInputs.SEND_RST_STREAM);
    return [new RstStreamFrame(this.streamId, { errorCode })];
  }

  /**
   * Answers a malformed message received on this stream (RFC 9113 §8.1.1: "Malformed requests or
   * responses that are detected MUST be treated as a stream error (Section 5.4.2) of type
   * PROTOCOL_ERROR"). The header block, if any, was decoded in full, so HPACK stays in sync and the
   * connection goes on.
   */
  static #malformedMessage(self: H2Stream, reason: string): FramesAndEvents {
    return H2Stream.#resetOnReceive(self, ErrorCodes.PROTOCOL_ERROR, `Malformed message: ${reason}`);
  }

  /**
   * A stream error for what the peer sent: the stream closes as reset by us, and RST_STREAM
   * `errorCode` and a `StreamReset(remoteReset: false)` replace whatever the frame would have yielded.
   */
  static #resetOnReceive(self: H2Stream, errorCode: number, reason: string): FramesAndEvents {
    self.#log?.debug('Resetting %s: %s', self, reason);
    self.#receiveError = reason;
    const sm = self;
    sm.state = StreamState.CLOSED;
    sm.streamClosedBy = StreamClosedBy.SEND_RST_STREAM;
    return [[new RstStreamFrame(self.streamId, { errorCode })], [new StreamReset({ streamId: self.streamId, errorCode, remoteReset: false })]];
  }

  /**
   * The peer reset the stream; yields `StreamReset` unless the stream was already closed.
   * Port of h2.stream.H2Stream.stream_reset.
   */
  streamReset(frame: RstStreamFrame): FramesAndEvents {
    this.#log?.debug('Remote reset %s with error code: %d', this, frame.errorCode);
    const events = this.processInput(StreamInputs.RECV_RST_STREAM) as H2Event[];
    if (events.length > 0) fillEvent(events[0] as StreamReset, { errorCode: frame.errorCode });
    return [NO_FRAMES, events];
  }

  /**
   * The user consumed `acknowledgedSize` received bytes; the window heuristic may answer with a
   * WINDOW_UPDATE. Port of h2.stream.H2Stream.acknowledge_received_data.
   */
  acknowledgeReceivedData(acknowledgedSize: number): Frame[] {
    this.#log?.debug('Acknowledge received data with size %d on %s', acknowledgedSize, this);
    const increment = H2Stream.#inboundWindowManager(this).processBytes(acknowledgedSize);
    return increment ? [new WindowUpdateFrame(this.streamId, { windowIncrement: increment })] : NO_FRAMES;
  }

  /**
   * Our SETTINGS_INITIAL_WINDOW_SIZE changed by `delta` (once the peer ACKed it): the receive window
   * and its target size move by the delta. Port of h2's `_inbound_flow_control_change_from_settings`.
   * @throws FlowControlError if the window would exceed 2^31-1.
   */
  inboundFlowControlChangeFromSettings(delta: number): void {
    const w = this.#inboundWindow;
    // A window not used yet stays a bare size: current and target move together.
    if (typeof w === 'number') {
      this.#inboundWindow = openedWindowSize(w, delta);
      return;
    }
    const newMaxSize = w.maxWindowSize + delta;
    w.windowOpened(delta);
    w.maxWindowSize = newMaxSize;
  }

  /**
   * A PUSH_PROMISE sent or received on an idle parent stream: the transition marks the stream itself
   * as pushed and yields no event (h2 then fails with IndexError). The stream is closed instead.
   */
  static #refuseIdlePush(self: H2Stream, message: string): never {
    self.state = StreamState.CLOSED;
    throw new ProtocolError(message);
  }

  /** Picks the validation rules from the first event of a header transition (a shared, frozen object). */
  static #buildHdrValidationFlags(self: H2Stream, events: readonly StreamEvent[]): HeaderValidationFlags {
    const type = (events[0] as StreamEvent).type;
    let kind: number = BLOCK_REQUEST;
    if (type === 'TrailersSent' || type === 'TrailersReceived') kind = BLOCK_TRAILER;
    else if (type === 'ResponseSent' || type === 'ResponseReceived' || type === 'InformationalResponseReceived') kind = BLOCK_RESPONSE;
    else if (type === 'PushedStreamReceived' || type === 'PushedRequestSent') kind = BLOCK_PUSH;
    return VALIDATION_FLAGS[(self.client === true ? 4 : 0) + kind] as HeaderValidationFlags;
  }

  /**
   * Normalises (unless `normalized`: the list is known to come out unchanged), validates and encodes
   * a block, then splits it at `maxOutboundFrameSize`.
   */
  static #buildHeadersFrames(
    self: H2Stream,
    headers: readonly Header[],
    normalized: boolean,
    encoder: Encoder,
    firstFrame: HeadersFrame | PushPromiseFrame,
    flags: HeaderValidationFlags,
    transient = false,
  ): HeaderBlockFrames {
    let hs = headers;
    if (self.config.normalizeOutboundHeaders && !normalized) hs = normalizeOutboundHeaders(hs, flags, self.config.splitOutboundCookies);
    if (self.config.validateOutboundHeaders) validateOutboundHeaders(hs, flags);
    const encoded = transient ? encodeBlockView(encoder, hs) : encoder.encode(hs);
    // RFC 9113 §4.2
    // > An endpoint MUST send an error code of FRAME_SIZE_ERROR if a frame exceeds the size defined
    // > in SETTINGS_MAX_FRAME_SIZE
    // so the block is cut into frames of at most that size (no padding or priority is added here).
    const size = self.maxOutboundFrameSize > 0 ? self.maxOutboundFrameSize : DEFAULT_MAX_FRAME_SIZE;
    firstFrame.data = encoded.length <= size ? encoded : encoded.subarray(0, size);
    const frames: HeaderBlockFrames = [firstFrame];
    for (let i = size; i < encoded.length; i += size) {
      frames.push(new ContinuationFrame(self.streamId, { data: encoded.subarray(i, i + size) }));
    }
    (frames[frames.length - 1] as HeadersFrame).flags.bits |= END_HEADERS_BIT;
    return frames;
  }

  /** Inbound pipeline: join cookies, validate, decode (each as configured). */
  static #processReceivedHeaders(self: H2Stream, headers: Header[], flags: HeaderValidationFlags, headerEncoding: HeaderEncoding): Header[] {
    let hs = headers;
    if (self.config.normalizeInboundHeaders) hs = normalizeInboundHeaders(hs, flags);
    if (self.config.validateInboundHeaders) validateHeaders(hs, flags);
    if (typeof headerEncoding === 'string' && headerEncoding !== '') hs = decodeHeaders(hs, headerEncoding);
    return hs;
  }

  /**
   * Reads the expected body length from `content-length` (0 after our own HEAD request).
   * RFC 9110 §8.6: `Content-Length = 1*DIGIT`; differing repeated values make the message invalid.
   */
  static #initializeContentLength(self: H2Stream, headers: readonly Header[]): void {
    if (self.requestMethod === 'HEAD') {
      self.#expectedContentLength = 0;
      return;
    }
    let canonical: string | null = null;
    for (let k = 0; k < headers.length; k++) {
      const h = headers[k]!;
      if (h[0] !== 'content-length') continue;
      const v = h[1];
      if (v.length === 0) throw new ProtocolError(`Invalid content-length header: ${JSON.stringify(v)}`);
      let start = 0;
      for (let i = 0; i < v.length; i++) {
        const c = v.charCodeAt(i);
        if (c < 0x30 || c > 0x39) throw new ProtocolError(`Invalid content-length header: ${JSON.stringify(v)}`);
        if (c === 0x30 && start === i && i < v.length - 1) start = i + 1;
      }
      const digits = v.slice(start);
      if (canonical === null) canonical = digits;
      else if (digits !== canonical) throw new ProtocolError(`Conflicting content-length headers: ${canonical} and ${digits}`);
    }
    self.#expectedContentLength = canonical === null ? null : Number(canonical);
  }
}
