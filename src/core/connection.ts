/**
 * H2Connection: one HTTP/2 connection as a sans-I/O state machine. Bytes in (`receiveData`) give
 * events; method calls queue frames; `dataToSend()` gives bytes out. Sans-I/O core.
 * Port of h2/connection.py H2Connection, plus graceful shutdown (h2 #1181) and resource limits.
 */

import {
  AltSvcFrame,
  CONNECTION_PREFACE,
  ContinuationFrame,
  FrameBuffer,
  FrameError,
  FrameTooLargeError as FrameLayerTooLargeError,
  FrameType,
  GoAwayFrame,
  HeadersFrame,
  InvalidPaddingError,
  PingFrame,
  PrefaceError,
  PriorityFrame,
  RstStreamFrame,
  SettingsFrame,
  WindowUpdateFrame,
} from '../frame/index.ts';
import type { DataFrame, Frame, PushPromiseFrame } from '../frame/index.ts';
import { Decoder, Encoder, HPACKError, OversizedHeaderListError } from '../hpack/index.ts';
import type { HeaderField, HeadersInput } from '../hpack/index.ts';
import { base64urlDecode, base64urlEncode } from './base64url.ts';
import { toByteString, toBytes } from '../hpack/byte-string.ts';
import type { AltSvcOptions, CloseConnectionOptions, PrioritizeOptions, SendDataOptions, SendHeadersOptions } from './connection-options.ts';
import { booleanOption, checkOptions, checkSettingsArgument } from './options-check.ts';
import { connectionErrorFromFrameError, connectionErrorFromHpackError } from './error-mapping.ts';
import { applyPriority, checkPriority, fitPriorityHeaders } from './priority.ts';
import { H2Configuration } from './config.ts';
import type { H2Logger } from './config.ts';
import { ConnectionInputs, ConnectionState, invalidConnectionInput, nextConnectionState } from './connection-state.ts';
import type { ConnectionInput, ConnectionStateValue } from './connection-state.ts';
import { ErrorCodes } from './errors.ts';
import { END_STREAM_BIT, PRIORITY_BIT } from './flag-bits.ts';
import {
  AlternativeServiceAvailable,
  ConnectionTerminated,
  PingAckReceived,
  PingReceived,
  PriorityUpdated,
  RemoteSettingsChanged,
  SettingsAcknowledged,
  StreamReset,
  UnknownFrameReceived,
  WindowUpdated,
  fillEvent,
} from './events.ts';
import type { H2Event } from './events.ts';
import {
  DenialOfServiceError,
  FlowControlError,
  FrameDataMissingError,
  FrameTooLargeError,
  H2Error,
  NoAvailableStreamIDError,
  NoSuchStreamError,
  ProtocolError,
  RFC1122Error,
  StreamClosedError,
  StreamIDTooLowError,
  TooManyStreamsError,
} from './exceptions.ts';
import { QueuedControlFrames } from './limits.ts';
import { OutboundBuffer, type ViewFactory } from './outbound-buffer.ts';
import { ChangedSetting, SettingCodes, Settings, checkedSettingsEntries, copySettings } from './settings.ts';
import type { SettingsInput } from './settings.ts';
import type { H2Stream } from './stream.ts';
import { EVEN, ODD, StreamRegistry } from './stream-registry.ts';
import { StreamClosedBy, StreamInputs, StreamState } from './stream-state.ts';
import { LARGEST_FLOW_CONTROL_WINDOW, WindowManager, checkWindowSize, openedWindowSize } from './windows.ts';

/** The highest stream ID (RFC 9113 §5.1.1: 31 bits). */
const HIGHEST_ALLOWED_STREAM_ID = 2 ** 31 - 1;
/** The largest WINDOW_UPDATE increment (RFC 9113 §6.9). */
const MAX_WINDOW_INCREMENT = 2 ** 31 - 1;
/** The opaque data of the PING that `startGracefulShutdown` sends: "h2flowGS". */
const GRACEFUL_PING = new Uint8Array([0x68, 0x32, 0x66, 0x6c, 0x6f, 0x77, 0x47, 0x53]);

/**
 * RFC 9113's defaults for a peer that has sent no setting yet, one object per role, shared by every
 * connection until its peer sends one (then it gets its own). Only read: a connection never changes it.
 */
const PEER_DEFAULTS = { client: new Settings(true), server: new Settings(false) } as const;

/** Each configuration's initial local settings, with the side they were made for (see {@link initialLocalSettings}). */
const LOCAL_SETTINGS = new WeakMap<H2Configuration, { readonly client: boolean; readonly settings: Settings }>();

/**
 * A new connection's local settings: the configuration's MAX_CONCURRENT_STREAMS and MAX_HEADER_LIST_SIZE
 * (read-only) over the side's defaults. Built once per configuration and side (`clientSide` can be set)
 * and copied: building them made ~1 KiB of garbage per connection (a Map of pairs, its iterator, the
 * shared list's cache key).
 */
function initialLocalSettings(c: H2Configuration): Settings {
  let cached = LOCAL_SETTINGS.get(c);
  if (cached === undefined || cached.client !== c.clientSide) {
    const settings = new Settings(c.clientSide, new Map([
      [SettingCodes.MAX_CONCURRENT_STREAMS, c.maxConcurrentStreams],
      [SettingCodes.MAX_HEADER_LIST_SIZE, c.maxHeaderListSize],
    ]));
    cached = { client: c.clientSide, settings };
    LOCAL_SETTINGS.set(c, cached);
  }
  return copySettings(cached.settings);
}

/** The bits of {@link H2Connection}'s booleans (one field instead of one each). */
const FLAG = {
  /** Set by `dataToSendVectored`: large unpadded DATA payloads are queued by reference. */
  REFERENCE_PAYLOADS: 1,
  /** The PING of a graceful shutdown is sent and its ACK not yet received. */
  GRACEFUL_PING_PENDING: 2,
  /** Set once a connection error was raised: further input is discarded. */
  TERMINATED: 4,
} as const;

/** The smallest DATA payload queued by reference once {@link H2Connection.dataToSendVectored} is used. */
const REFERENCED_PAYLOAD_MIN = 4096;

/**
 * A low-level HTTP/2 connection: it builds and parses frames and keeps connection and per-stream
 * state, with no I/O. Feed received bytes to {@link receiveData}, call methods to act, and write
 * {@link dataToSend} to the transport. Port of h2.connection.H2Connection.
 *
 * Differences from h2, each commented where it happens: graceful GOAWAY draining (h2 #1181); a
 * peer-initiated stream past MAX_CONCURRENT_STREAMS is refused with RST_STREAM REFUSED_STREAM instead
 * of a connection error; HPACK failures are COMPRESSION_ERROR (RFC 9113 §4.3); the resource limits of
 * {@link H2Configuration}; input after a connection error is discarded.
 *
 * @example
 * const conn = new H2Connection(new H2Configuration({ clientSide: false }));
 * conn.initiateConnection();
 * for (const event of conn.receiveData(chunk)) {
 *   if (event.type === 'RequestReceived') {
 *     conn.sendHeaders(event.streamId, [[':status', '200']], { endStream: true });
 *   }
 * }
 * socket.write(conn.dataToSend());
 */
export class H2Connection {
  /** The highest acceptable stream ID, 2^31-1. Port of h2's `H2Connection.HIGHEST_ALLOWED_STREAM_ID`. */
  static readonly HIGHEST_ALLOWED_STREAM_ID = HIGHEST_ALLOWED_STREAM_ID;
  /** The largest acceptable window increment, 2^31-1. Port of h2's `H2Connection.MAX_WINDOW_INCREMENT`. */
  static readonly MAX_WINDOW_INCREMENT = MAX_WINDOW_INCREMENT;
  /**
   * h2's initial SETTINGS_MAX_HEADER_LIST_SIZE, 2^16 (the default of `maxHeaderListSize`).
   * Port of h2's `H2Connection.DEFAULT_MAX_HEADER_LIST_SIZE`.
   */
  static readonly DEFAULT_MAX_HEADER_LIST_SIZE = 2 ** 16;
  /**
   * How many closed streams h2 remembers, 2^16 (the default of `maxClosedStreams`).
   * Port of h2's `H2Connection.MAX_CLOSED_STREAMS`.
   */
  static readonly MAX_CLOSED_STREAMS = 2 ** 16;
  /**
   * h2's constant 65535. As in h2, the frame size actually used starts from the peer's
   * SETTINGS_MAX_FRAME_SIZE (16384 until it says otherwise); kept for API parity.
   * Port of h2's `H2Connection.DEFAULT_MAX_OUTBOUND_FRAME_SIZE`.
   */
  static readonly DEFAULT_MAX_OUTBOUND_FRAME_SIZE = 65535;
  /**
   * h2's constant 2^24. As in h2, the frame size actually accepted is our acknowledged
   * SETTINGS_MAX_FRAME_SIZE (16384 by default); kept for API parity.
   * Port of h2's `H2Connection.DEFAULT_MAX_INBOUND_FRAME_SIZE`.
   */
  static readonly DEFAULT_MAX_INBOUND_FRAME_SIZE = 2 ** 24;

  readonly #config: H2Configuration;
  /** The user's logger, or `null`: no log arguments are built without one. */
  readonly #log: H2Logger | null;
  /** The connection state (h2's H2ConnectionStateMachine kept as a field, not an object per connection). */
  #state: ConnectionStateValue = ConnectionState.IDLE;
  readonly #reg: StreamRegistry;
  readonly #encoder = new Encoder();
  readonly #decoder: Decoder;
  readonly #localSettings: Settings;
  /**
   * The peer's settings: a shared read-only defaults object (see {@link PEER_DEFAULTS}) until the peer
   * sends a setting or the settings are read from outside, then this connection's own.
   */
  #remoteSettings: Settings;
  #outboundFlowControlWindow: number;
  #maxOutboundFrameSize: number;
  #maxInboundFrameSize: number;
  readonly #incoming: FrameBuffer;
  readonly #out: OutboundBuffer;
  /** The connection's booleans, one bit each (see {@link FLAG}). */
  #flags = 0;
  /**
   * The connection's receive window: its initial size until first used (DATA received, an increment),
   * then its manager (an idle connection makes none).
   */
  #inboundWindow: WindowManager | number;

  // Resource limits (see config.ts for the attacks they stop).
  /** Automatic control frames not yet taken by `dataToSend()`; `null` while there are none. */
  #queuedControl: QueuedControlFrames | null = null;
  // The four abuse budgets, each a token bucket refilled by useful work instead of time: it starts full
  // (its config limit), each abusive event spends one token, each stream that ends normally returns one
  // (never above the limit). A legitimate peer that finishes its streams never runs dry; one that only
  // provokes work does. Rapid Reset / MadeYouReset (CVE-2023-44487 / CVE-2025-8671), empty frames
  // (CVE-2019-9518), priority churn (CVE-2019-9513), in place of nghttp2's time-based nghttp2_ratelim.
  // Plain counters: an object per budget per connection cost more than the counting.
  #resetTokens: number;
  #emptyFrameTokens: number;
  #priorityTokens: number;
  #unknownFrameTokens: number;
  /** SETTINGS frames we sent that the peer has not acknowledged yet: an ACK beyond them is unsolicited. */
  #settingsAwaitingAck = 0;
  /** PINGs we sent whose ACK has not come back yet: a PING ACK beyond them is unsolicited. */
  #pingsAwaitingAck = 0;

  // Graceful shutdown (beyond h2, #1181).
  /** The last stream ID of the graceful GOAWAY we sent, or `null`. */
  #goawaySentLastStreamId: number | null = null;
  /** The last stream ID of the graceful GOAWAY we received, or `null`. */
  #goawayReceivedLastStreamId: number | null = null;

  /** @param config The configuration; default a client-side {@link H2Configuration}. */
  constructor(config?: H2Configuration) {
    const c = config ?? new H2Configuration({ clientSide: true });
    this.#config = c;
    this.#log = c.hasLogger ? c.logger : null;
    this.#decoder = new Decoder(c.maxHeaderListSize);
    // Below the initial 4096 the first header block announces the smaller table (RFC 7541 §4.2).
    this.#encoder.headerTableSize = Math.min(this.#encoder.headerTableSize, c.maxEncoderTableSize);
    // MAX_CONCURRENT_STREAMS is unbounded by default, which is dangerous; h2 advertises 100. The
    // MAX_HEADER_LIST_SIZE advertises our defence against the HPACK bomb (CVE-2016-6581).
    this.#localSettings = initialLocalSettings(c);
    this.#remoteSettings = c.clientSide ? PEER_DEFAULTS.server : PEER_DEFAULTS.client;
    this.#outboundFlowControlWindow = this.#remoteSettings.initialWindowSize;
    this.#maxOutboundFrameSize = this.#remoteSettings.maxFrameSize;
    this.#maxInboundFrameSize = this.#localSettings.maxFrameSize;
    this.#incoming = new FrameBuffer({
      server: !c.clientSide,
      maxFrameSize: this.#maxInboundFrameSize,
      maxContinuationFrames: c.maxContinuationFrames,
      maxHeaderBlockSize: c.maxHeaderBlockSize,
    });
    // A batch rarely outgrows the point where the I/O layer stops reading (outboundBufferSize).
    this.#out = new OutboundBuffer(2 * c.outboundBufferSize);
    this.#reg = new StreamRegistry(c);
    checkWindowSize(this.#localSettings.initialWindowSize);
    this.#inboundWindow = this.#localSettings.initialWindowSize;
    this.#resetTokens = c.maxResetStreams;
    this.#emptyFrameTokens = c.maxEmptyFrames;
    this.#priorityTokens = c.maxPriorityFrames;
    this.#unknownFrameTokens = c.maxUnknownFrames;
  }

  /**
   * Applies `input` to the connection state: an input the state does not allow moves it to CLOSED and
   * throws ProtocolError. h2's `H2ConnectionStateMachine.process_input`, on a field of the connection
   * rather than an object of its own per connection.
   */
  #processInput(input: ConnectionInput): void {
    const next = nextConnectionState(this.#state, input);
    if (next < 0) {
      const old = this.#state;
      this.#state = ConnectionState.CLOSED;
      throw invalidConnectionInput(old, input);
    }
    this.#state = next as ConnectionStateValue;
  }

  // --- properties ---

  /** The configuration of this connection. Port of h2's `H2Connection.config`. */
  get config(): H2Configuration {
    return this.#config;
  }

  /** The connection state machine's state, one of `ConnectionState`. */
  get state(): ConnectionStateValue {
    return this.#state;
  }

  /** Our settings; new values take effect when the peer acknowledges them. */
  get localSettings(): Settings {
    return this.#localSettings;
  }

  /** The peer's settings, applied (and acknowledged) as soon as they arrive. */
  get remoteSettings(): Settings {
    return this.#ownRemoteSettings();
  }

  /** The peer's settings, made this connection's own if they are still the shared defaults. */
  #ownRemoteSettings(): Settings {
    const remote = this.#remoteSettings;
    if (remote !== PEER_DEFAULTS.client && remote !== PEER_DEFAULTS.server) return remote;
    return (this.#remoteSettings = new Settings(!this.#config.clientSide));
  }

  /** The largest frame payload we may send (the peer's SETTINGS_MAX_FRAME_SIZE). */
  get maxOutboundFrameSize(): number {
    return this.#maxOutboundFrameSize;
  }

  /** The largest frame payload we accept (our acknowledged SETTINGS_MAX_FRAME_SIZE). */
  get maxInboundFrameSize(): number {
    return this.#maxInboundFrameSize;
  }

  /** The connection-level send window: how much DATA we may still send on all streams together. */
  get outboundFlowControlWindow(): number {
    return this.#outboundFlowControlWindow;
  }

  /** The connection-level receive window; port of h2's `inbound_flow_control_window`. */
  get inboundFlowControlWindow(): number {
    const w = this.#inboundWindow;
    return typeof w === 'number' ? w : w.currentWindowSize;
  }

  /** The connection's receive-window manager, made on first use. */
  #inboundWindowManager(): WindowManager {
    const w = this.#inboundWindow;
    if (typeof w !== 'number') return w;
    return (this.#inboundWindow = new WindowManager(w));
  }

  /** The highest stream ID the peer opened (the default GOAWAY last stream ID). */
  get highestInboundStreamId(): number {
    return this.#reg.highestInboundStreamId;
  }

  /** The highest stream ID we opened or promised. */
  get highestOutboundStreamId(): number {
    return this.#reg.highestOutboundStreamId;
  }

  /** The live streams by ID (closed streams linger until the next open-stream count, as in h2). */
  get streams(): ReadonlyMap<number, H2Stream> {
    return this.#reg.map;
  }

  /** The HPACK encoder of our header blocks. */
  get encoder(): Encoder {
    return this.#encoder;
  }

  /** The HPACK decoder of the peer's header blocks. */
  get decoder(): Decoder {
    return this.#decoder;
  }

  /**
   * The number of open streams we initiated (OPEN or half-closed; reserved streams do not count).
   * Like h2, reading it forgets closed streams. Port of h2's `open_outbound_streams`.
   */
  get openOutboundStreams(): number {
    return this.#reg.openOutbound;
  }

  /**
   * The number of open streams the peer initiated. Like h2, reading it forgets closed streams.
   * Port of h2's `open_inbound_streams`.
   */
  get openInboundStreams(): number {
    return this.#reg.openInbound;
  }

  /** Bytes queued for sending and not yet taken by {@link dataToSend}, for backpressure. */
  get bufferedAmount(): number {
    return this.#out.length;
  }

  /**
   * Whether {@link bufferedAmount} reached `config.outboundBufferSize`: the I/O layer should stop
   * reading input until it has written out what {@link dataToSend} returns (CVE-2019-9517).
   */
  get outboundBufferFull(): boolean {
    return this.#out.length >= this.#config.outboundBufferSize;
  }

  // --- public methods ---

  /**
   * Queues the client preface (clients only) and our initial SETTINGS. Both sides must call it.
   * Settings set on {@link localSettings} before it (`conn.localSettings.update({...})`) go in that one
   * frame and take effect when the peer acknowledges it, so a peer sees our values in the first SETTINGS.
   * Port of h2.connection.H2Connection.initiate_connection (h2 sends only the current values and lets
   * the first ACK apply pending ones it never sent; see test/support/oracle/differences.ts).
   */
  initiateConnection(): void {
    this.#log?.debug('Initializing connection');
    this.#processInput(ConnectionInputs.SEND_SETTINGS);
    if (this.#config.clientSide) this.#out.pushBytes(CONNECTION_PREFACE);
    this.#localSettings.squashPending();
    this.#out.pushFrame(this.#localSettingsFrame());
    this.#settingsAwaitingAck++;
  }

  /**
   * Sets the connection up after an HTTP/1.1 `Upgrade: h2c` (RFC 7540 §3.2). Client: returns the
   * base64url value for the `HTTP2-Settings` header. Server: pass that header's value; it is applied
   * as the client's SETTINGS (without an ACK). Either way stream 1 exists afterwards, half-closed
   * towards the side that sent the HTTP/1.1 request.
   * Port of h2.connection.H2Connection.initiate_upgrade_connection (h2 pads the base64; RFC 7540
   * §3.2.1 says trailing '=' are omitted, so we omit them and accept both).
   */
  initiateUpgradeConnection(settingsHeader?: string | Uint8Array | null): string | null {
    let result: string | null = null;
    // Checked before anything changes: a wrong type must not pass for "no header".
    const text = settingsHeader == null ? '' : toByteString(settingsHeader, 'H2Connection.initiateUpgradeConnection: settingsHeader');
    this.initiateConnection();
    if (this.#config.clientSide) {
      const f = this.#localSettingsFrame();
      result = base64urlEncode(f.serialize().subarray(9));
    } else if (text.length > 0) {
      const payload = base64urlDecode(text);
      if (payload === null) throw new ProtocolError('Invalid HTTP2-Settings header: not base64url');
      const f = new SettingsFrame(0);
      try {
        f.parseBody(payload);
      } catch (e) {
        if (e instanceof FrameError) throw connectionErrorFromFrameError(e);
        throw e;
      }
      // Apply the client's settings, but throw away the ACK: the upgrade request carried them.
      this.#receiveSettingsFrame(f, [], false);
    }
    this.#processInput(this.#config.clientSide ? ConnectionInputs.SEND_HEADERS : ConnectionInputs.RECV_HEADERS);
    const stream = this.#beginNewStream(1, ODD);
    const wasOpen = stream.open;
    stream.upgrade(this.#config.clientSide);
    this.#noteStreamState(stream, wasOpen, false);
    return result;
  }

  /**
   * The next stream ID this side can open (1, 3, … for clients; 2, 4, … for servers). It does not
   * reserve the ID. Port of h2.connection.H2Connection.get_next_available_stream_id.
   * @throws NoAvailableStreamIDError when the IDs are exhausted.
   */
  getNextAvailableStreamId(): number {
    const next = this.#reg.highestOutboundStreamId === 0 ? (this.#config.clientSide ? 1 : 2) : this.#reg.highestOutboundStreamId + 2;
    if (next > HIGHEST_ALLOWED_STREAM_ID) throw new NoAvailableStreamIDError('Exhausted allowed stream IDs');
    return next;
  }

  /**
   * Sends a header block: a request (opening the stream), a response, 1xx informational
   * responses, or trailers. Splits into CONTINUATION frames as needed.
   * Port of h2.connection.H2Connection.send_headers.
   */
  sendHeaders(streamId: number, headers: HeadersInput, options?: SendHeadersOptions): void {
    this.#log?.debug('Send headers on stream ID %d', streamId);
    checkStreamIdArgument(streamId);
    const { endStream, priorityWeight, priorityDependsOn, priorityExclusive } = checkOptions('H2Connection.sendHeaders', options, SEND_HEADERS_OPTIONS);
    const end = booleanOption('H2Connection.sendHeaders', 'endStream', endStream);
    if (headers === null || typeof headers !== 'object') throw new TypeError(`H2Connection.sendHeaders: headers must be a list of [name, value] pairs or a record, not ${String(headers)}`);
    if (this.#reg.get(streamId) === undefined) {
      // RFC 9113 §6.8: "Receivers of a GOAWAY frame MUST NOT open additional streams on the connection."
      if (this.#goawayReceivedLastStreamId !== null) throw new ProtocolError('Cannot open a new stream after receiving GOAWAY');
      const maxOpen = this.#remoteSettings.maxConcurrentStreams;
      const open = this.openOutboundStreams;
      if (open + 1 > maxOpen) throw new TooManyStreamsError(`Max outbound streams is ${maxOpen}, ${open} open`);
    }
    const priorityPresent = priorityWeight != null || priorityDependsOn != null || priorityExclusive != null;
    // Checked before anything is encoded (h2 checks afterwards, leaving the HPACK encoder ahead of the peer).
    if (priorityPresent) {
      if (!this.#config.clientSide) throw new RFC1122Error('Servers SHOULD NOT prioritize streams.');
      checkPriority(streamId, priorityWeight, priorityDependsOn, priorityExclusive);
    }
    this.#processInput(ConnectionInputs.SEND_HEADERS);
    const stream = this.#getOrCreateStream(streamId, this.#config.clientSide ? ODD : EVEN);
    const wasOpen = stream.open;
    const wasClosed = stream.closed;
    let frames: Frame[];
    try {
      // Transient: the block stays in the encoder's scratch, copied into the outbound buffer below.
      frames = stream.sendHeaders(headers, this.#encoder, end, true);
    } finally {
      this.#noteStreamState(stream, wasOpen, wasClosed);
    }
    if (priorityPresent) {
      const first = frames[0] as HeadersFrame;
      first.flags.add('PRIORITY');
      applyPriority(first, priorityWeight, priorityDependsOn, priorityExclusive);
      fitPriorityHeaders(frames, this.#maxOutboundFrameSize);
    }
    this.#queueFrames(frames);
  }

  /**
   * Sends ONE DATA frame; never splits or buffers. The caller keeps each chunk within
   * `min(localFlowControlWindow(id), maxOutboundFrameSize)`.
   * Port of h2.connection.H2Connection.send_data.
   * @throws FlowControlError past the window; FrameTooLargeError past the frame size.
   */
  sendData(streamId: number, data: Uint8Array, options?: SendDataOptions): void {
    if (!(data instanceof Uint8Array)) throw new TypeError('H2Connection.sendData: data must be a Uint8Array');
    const opts = checkOptions('H2Connection.sendData', options, SEND_DATA_OPTIONS);
    const endStream = booleanOption('H2Connection.sendData', 'endStream', opts.endStream);
    const padLength = opts.padLength ?? null;
    let frameSize = data.length;
    if (padLength !== null) {
      if (typeof padLength !== 'number' || !Number.isInteger(padLength)) throw new TypeError('padLength must be an int');
      if (padLength < 0 || padLength > 255) throw new RangeError('padLength must be within range: [0, 255]');
      // The padding plus the 1-octet Pad Length field count against flow control.
      frameSize += padLength + 1;
    }
    this.#log?.debug('Send data on stream ID %d with len %d', streamId, frameSize);
    if (frameSize > 0) {
      const window = this.localFlowControlWindow(streamId);
      if (frameSize > window) throw new FlowControlError(`Cannot send ${frameSize} bytes, flow control window is ${window}`);
    }
    if (frameSize > this.#maxOutboundFrameSize) {
      throw new FrameTooLargeError(`Cannot send frame size ${frameSize}, max frame size is ${this.#maxOutboundFrameSize}`);
    }
    // Unpadded DATA (nearly all of it) is serialized straight into the outbound buffer; the same bytes
    // the frame layer would write (test/core/send-data-frames.test.ts compares them).
    if (padLength === null) {
      this.#sendDataRun(streamId, data, endStream);
      return;
    }
    this.#processInput(ConnectionInputs.SEND_DATA);
    const stream = this.#reg.getById(streamId);
    const wasOpen = stream.open;
    const wasClosed = stream.closed;
    let frames: Frame[];
    try {
      frames = stream.sendData(data, endStream, padLength);
    } finally {
      this.#noteStreamState(stream, wasOpen, wasClosed);
    }
    this.#queueFrames(frames);
    this.#outboundFlowControlWindow -= frameSize;
  }

  /**
   * Beyond h2: sends `data` as consecutive unpadded DATA frames of at most {@link maxOutboundFrameSize}
   * bytes each (one empty frame for empty `data`), END_STREAM on the last one when `endStream`: the
   * bytes, state and windows that {@link sendData} called on each slice in turn would leave, in one
   * call and without a frame object per frame (bulk bodies: one call per batch instead of per 16 KiB).
   * Payloads are referenced as {@link sendData}'s are once {@link dataToSendVectored} was used.
   * Padding needs {@link sendData}.
   * @returns the number of DATA frames queued.
   * @throws FlowControlError if `data` is larger than `localFlowControlWindow(streamId)` (nothing is sent).
   */
  sendDataFrames(streamId: number, data: Uint8Array, endStream = false): number {
    if (!(data instanceof Uint8Array)) throw new TypeError('H2Connection.sendDataFrames: data must be a Uint8Array');
    if (typeof endStream !== 'boolean') throw new TypeError('H2Connection.sendDataFrames: endStream must be a boolean');
    const length = data.length;
    this.#log?.debug('Send data on stream ID %d with len %d', streamId, length);
    if (length > 0) {
      const window = this.localFlowControlWindow(streamId);
      if (length > window) throw new FlowControlError(`Cannot send ${length} bytes, flow control window is ${window}`);
    }
    return this.#sendDataRun(streamId, data, endStream);
  }

  /**
   * The unpadded DATA of {@link sendData} and {@link sendDataFrames}, its window already checked: the
   * state machines stepped once, headers written into the outbound slab, payloads referenced or copied.
   * Returns the number of frames queued.
   */
  #sendDataRun(streamId: number, data: Uint8Array, endStream: boolean): number {
    this.#processInput(ConnectionInputs.SEND_DATA);
    const stream = this.#reg.getById(streamId);
    const wasOpen = stream.open;
    const wasClosed = stream.closed;
    try {
      stream.sendDataRun(data.length, endStream);
    } finally {
      this.#noteStreamState(stream, wasOpen, wasClosed);
    }
    const frames = this.#out.pushDataFrames(streamId, endStream, data, this.#maxOutboundFrameSize, (this.#flags & FLAG.REFERENCE_PAYLOADS) !== 0 ? REFERENCED_PAYLOAD_MIN : Infinity);
    this.#outboundFlowControlWindow -= data.length;
    return frames;
  }

  /**
   * Ends a stream cleanly with an empty DATA frame carrying END_STREAM.
   * Port of h2.connection.H2Connection.end_stream.
   */
  endStream(streamId: number): void {
    this.#log?.debug('End stream ID %d', streamId);
    this.#processInput(ConnectionInputs.SEND_DATA);
    const stream = this.#reg.getById(streamId);
    const wasOpen = stream.open;
    const wasClosed = stream.closed;
    let frames: Frame[];
    try {
      frames = stream.endStream();
    } finally {
      this.#noteStreamState(stream, wasOpen, wasClosed);
    }
    this.#queueFrames(frames);
  }

  /**
   * Opens a receive window by `increment`: the connection's (no `streamId`) or one stream's.
   * Port of h2.connection.H2Connection.increment_flow_control_window.
   */
  incrementFlowControlWindow(increment: number, options?: { streamId?: number | null }): void {
    if (!(Number.isInteger(increment) && increment >= 1 && increment <= MAX_WINDOW_INCREMENT)) {
      throw new RangeError(`Flow control increment must be between 1 and ${MAX_WINDOW_INCREMENT}`);
    }
    const streamId = checkOptions('H2Connection.incrementFlowControlWindow', options, STREAM_ID_OPTION).streamId ?? null;
    if (streamId !== null) checkStreamIdArgument(streamId);
    this.#processInput(ConnectionInputs.SEND_WINDOW_UPDATE);
    if (streamId !== null) {
      const stream = this.#reg.getById(streamId);
      this.#queueFrames(stream.increaseFlowControlWindow(increment));
    } else {
      const w = this.#inboundWindow;
      // A window not used yet stays a bare size (the streams layer opens the connection's at once).
      if (typeof w === 'number') this.#inboundWindow = openedWindowSize(w, increment);
      else w.windowOpened(increment);
      this.#out.pushFrame(new WindowUpdateFrame(0, { windowIncrement: increment }));
    }
  }

  /**
   * Server push: sends PUSH_PROMISE on `streamId` promising `promisedStreamId` (reserved, local).
   * Port of h2.connection.H2Connection.push_stream.
   */
  pushStream(streamId: number, promisedStreamId: number, requestHeaders: HeadersInput): void {
    this.#log?.debug('Send Push Promise frame on stream ID %d', streamId);
    // RFC 9113 §8.4: "A server MUST NOT send a PUSH_PROMISE ... if SETTINGS_ENABLE_PUSH is 0."
    if (!this.#remoteSettings.enablePush) throw new ProtocolError('Remote peer has disabled stream push');
    checkStreamIdArgument(promisedStreamId);
    this.#processInput(ConnectionInputs.SEND_PUSH_PROMISE);
    const stream = this.#reg.getById(streamId);
    // RFC 9113 §6.6: pushes may only be associated with a peer-initiated stream.
    if (streamId % 2 === 0) throw new ProtocolError('Cannot recursively push streams.');
    if (this.#goawayReceivedLastStreamId !== null) throw new ProtocolError('Cannot open a new stream after receiving GOAWAY');
    const promised = this.#beginNewStream(promisedStreamId, EVEN);
    const wasOpen = stream.open;
    const wasClosed = stream.closed;
    let frames: Frame[];
    try {
      frames = stream.pushStreamInBand(promisedStreamId, requestHeaders, this.#encoder);
    } finally {
      this.#noteStreamState(stream, wasOpen, wasClosed);
    }
    this.#queueFrames(frames);
    this.#queueFrames(promised.locallyPushed());
  }

  /**
   * Sends a PING with 8 octets of opaque data; the ACK comes back as `PingAckReceived`.
   * Port of h2.connection.H2Connection.ping.
   */
  ping(opaqueData: Uint8Array): void {
    if (!(opaqueData instanceof Uint8Array) || opaqueData.length !== 8) {
      throw new TypeError('Invalid value for ping data: must be a Uint8Array of 8 octets');
    }
    this.#processInput(ConnectionInputs.SEND_PING);
    this.#out.pushFrame(new PingFrame(0, { opaqueData }));
    this.#pingsAwaitingAck++;
  }

  /**
   * Resets a stream with RST_STREAM (an abortive close; no event is emitted locally).
   * Port of h2.connection.H2Connection.reset_stream.
   */
  resetStream(streamId: number, errorCode: number = ErrorCodes.NO_ERROR): void {
    this.#log?.debug('Reset stream ID %d', streamId);
    checkErrorCodeArgument(errorCode);
    this.#processInput(ConnectionInputs.SEND_RST_STREAM);
    const stream = this.#reg.getById(streamId);
    const wasOpen = stream.open;
    const wasClosed = stream.closed;
    let frames: Frame[];
    try {
      frames = stream.resetStream(errorCode);
    } finally {
      this.#noteStreamState(stream, wasOpen, wasClosed);
    }
    this.#queueFrames(frames);
  }

  /**
   * Sends GOAWAY. With an error code the connection is CLOSED at once (h2). With NO_ERROR (the
   * default) it drains instead: peer streams up to `lastStreamId` may finish, newer ones are refused
   * with REFUSED_STREAM. Port of h2.connection.H2Connection.close_connection.
   */
  closeConnection(closeOptions?: CloseConnectionOptions): void {
    this.#log?.debug('Close connection');
    const options = checkOptions('H2Connection.closeConnection', closeOptions, CLOSE_OPTIONS);
    const errorCode = options.errorCode ?? ErrorCodes.NO_ERROR;
    checkErrorCodeArgument(errorCode);
    const additionalData = options.additionalData ?? null;
    if (additionalData !== null && !(additionalData instanceof Uint8Array)) throw new TypeError('additionalData must be a Uint8Array');
    // Diverges from h2 (#1181): a NO_ERROR GOAWAY drains instead of closing everything at once.
    const graceful = errorCode === ErrorCodes.NO_ERROR && this.#state !== ConnectionState.CLOSED;
    const lastStreamId = options.lastStreamId ?? this.#defaultLastStreamId();
    checkStreamIdArgument(lastStreamId);
    if (graceful && this.#goawaySentLastStreamId !== null && lastStreamId > this.#goawaySentLastStreamId) {
      // RFC 9113 §6.8: "Endpoints MUST NOT increase the value they send in the last stream identifier".
      throw new ProtocolError(`GOAWAY last stream ID ${lastStreamId} exceeds the ${this.#goawaySentLastStreamId} already sent`);
    }
    if (!graceful) this.#processInput(ConnectionInputs.SEND_GOAWAY);
    else this.#goawaySentLastStreamId = lastStreamId;
    this.#out.pushFrame(
      new GoAwayFrame(0, { lastStreamId, errorCode, additionalData: additionalData ?? new Uint8Array(0) }),
    );
  }

  /**
   * Graceful shutdown in two steps (beyond h2, #1181; RFC 9113 §6.8): GOAWAY with last stream ID
   * 2^31-1 and a PING now; when the PING's ACK arrives (so every stream the peer opened before it
   * saw the GOAWAY has reached us), a second GOAWAY with the real last stream ID. Streams up to it
   * finish normally; newer ones are refused. The ACK of that PING is not reported as an event.
   */
  startGracefulShutdown(): void {
    this.closeConnection({ errorCode: ErrorCodes.NO_ERROR, lastStreamId: HIGHEST_ALLOWED_STREAM_ID });
    this.ping(GRACEFUL_PING);
    this.#flags |= FLAG.GRACEFUL_PING_PENDING;
  }

  /**
   * Sends new local settings; they take effect when the peer acknowledges them
   * (`SettingsAcknowledged`). Port of h2.connection.H2Connection.update_settings.
   */
  updateSettings(newSettings: SettingsInput): void {
    this.#log?.debug('Update connection settings to %s', newSettings);
    checkSettingsArgument('H2Connection.updateSettings', newSettings, SETTING_NAMES);
    const settings = new Map(checkedSettingsEntries(newSettings));
    this.#processInput(ConnectionInputs.SEND_SETTINGS);
    this.#localSettings.update(settings);
    this.#out.pushFrame(new SettingsFrame(0, { settings }));
    this.#settingsAwaitingAck++;
  }

  /**
   * Server only: advertises an RFC 7838 alternative service, for an explicit `origin` (stream 0) or
   * for the origin of `streamId` (before its response headers).
   * Port of h2.connection.H2Connection.advertise_alternative_service.
   */
  advertiseAlternativeService(fieldValue: Uint8Array | string, altSvcOptions?: AltSvcOptions): void {
    const field = toBytes(fieldValue, 'fieldValue');
    const options = checkOptions('H2Connection.advertiseAlternativeService', altSvcOptions, ALTSVC_OPTIONS);
    const origin = options.origin ?? null;
    const streamId = options.streamId ?? null;
    if (origin !== null && streamId !== null) throw new TypeError('Must not provide both origin and streamId');
    this.#processInput(ConnectionInputs.SEND_ALTERNATIVE_SERVICE);
    if (origin !== null) {
      this.#out.pushFrame(new AltSvcFrame(0, { origin: toBytes(origin, 'origin'), field }));
    } else {
      if (streamId === null) throw new NoSuchStreamError(-1);
      const stream = this.#reg.getById(streamId);
      const wasOpen = stream.open;
      const wasClosed = stream.closed;
      let frames: Frame[];
      try {
        frames = stream.advertiseAlternativeService(field);
      } finally {
        this.#noteStreamState(stream, wasOpen, wasClosed);
      }
      this.#queueFrames(frames);
    }
  }

  /**
   * Client only: sends RFC 7540 priority information for a stream (which need not exist).
   * Port of h2.connection.H2Connection.prioritize.
   */
  prioritize(streamId: number, priorityOptions?: PrioritizeOptions): void {
    const options = checkOptions('H2Connection.prioritize', priorityOptions, PRIORITIZE_OPTIONS);
    if (!this.#config.clientSide) throw new RFC1122Error('Servers SHOULD NOT prioritize streams.');
    checkStreamIdArgument(streamId);
    checkPriority(streamId, options.weight, options.dependsOn, options.exclusive);
    this.#processInput(ConnectionInputs.SEND_PRIORITY);
    const frame = new PriorityFrame(streamId);
    applyPriority(frame, options.weight, options.dependsOn, options.exclusive);
    this.#out.pushFrame(frame);
  }

  /**
   * How many bytes we may send on `streamId` now: min(connection send window, stream send window);
   * may be negative (named from h2: it is the *send* window).
   * Port of h2.connection.H2Connection.local_flow_control_window.
   */
  localFlowControlWindow(streamId: number): number {
    const stream = this.#reg.getById(streamId);
    return Math.min(this.#outboundFlowControlWindow, stream.outboundFlowControlWindow);
  }

  /**
   * How many bytes the peer may still send on `streamId`: min(connection and stream receive windows).
   * Port of h2.connection.H2Connection.remote_flow_control_window.
   */
  remoteFlowControlWindow(streamId: number): number {
    const stream = this.#reg.getById(streamId);
    return Math.min(this.inboundFlowControlWindow, stream.inboundFlowControlWindow);
  }

  /**
   * Automatic flow control: reports `acknowledgedSize` flow-controlled bytes (use
   * `DataReceived.flowControlledLength`) as consumed; WINDOW_UPDATEs follow when worthwhile.
   * Port of h2.connection.H2Connection.acknowledge_received_data.
   */
  acknowledgeReceivedData(acknowledgedSize: number, streamId: number): void {
    if (!(Number.isInteger(streamId) && streamId > 0 && streamId <= HIGHEST_ALLOWED_STREAM_ID)) {
      throw new RangeError(`Stream ID ${streamId} is not valid for acknowledgeReceivedData`);
    }
    if (!Number.isInteger(acknowledgedSize)) throw new RangeError(`acknowledgedSize must be an integer number of octets, not ${String(acknowledgedSize)}`);
    if (acknowledgedSize < 0) throw new RangeError('Cannot acknowledge negative data');
    const stream = this.#reg.find(streamId);
    // A stream never opened is an error, raised before the connection window counts the bytes (h2
    // counts them first, then raises, losing the WINDOW_UPDATE they may have earned); a stream that
    // is already gone only gets the connection window credited (no window of its own to open).
    if (stream === undefined && !this.#reg.isForgotten(streamId)) throw new NoSuchStreamError(streamId);
    const increment = this.#inboundWindowManager().processBytes(acknowledgedSize);
    if (increment) this.#out.pushFrame(new WindowUpdateFrame(0, { windowIncrement: increment }));
    if (stream !== undefined && stream.open) this.#queueFrames(stream.acknowledgeReceivedData(acknowledgedSize));
  }

  /**
   * Removes and returns up to `amount` queued outbound bytes (all when omitted or `null`, h2's `None`)
   * as one Uint8Array. The view stays valid: the connection never writes into bytes it handed out.
   * Port of h2.connection.H2Connection.data_to_send.
   * @throws TypeError for an amount that is not a number (`null` would otherwise read as 0 bytes).
   */
  dataToSend(amount?: number | null): Uint8Array {
    if (amount != null && typeof amount !== 'number') throw new TypeError(`H2Connection.dataToSend: amount must be a number, not ${typeof amount}`);
    const out = this.#out.take(amount ?? undefined);
    if (this.#queuedControl !== null) this.#releaseQueuedControl(this.#queuedControl);
    return out;
  }

  /**
   * Beyond h2: removes and returns every queued outbound byte as a list of arrays to write in order
   * (e.g. one `writev`), an empty list when nothing is queued. Frame headers and control frames are
   * packed into the connection's own buffer; unpadded DATA payloads of at least 4 KiB are the very
   * arrays given to {@link sendData}, not copies.
   *
   * Ownership: the first call switches the connection to referencing such payloads from then on
   * (until then, and without this method, {@link sendData} copies as h2 does). After that, a caller
   * must not modify an array passed to {@link sendData} until it has been taken by this method (or by
   * {@link dataToSend}, which copies it) and written out by the I/O layer.
   *
   * @param makeView How the views in the list (of the connection's buffer and of the payloads) are
   *   made from then on, e.g. as the I/O layer's own `Uint8Array` subclass so that it writes them
   *   without converting each (the streams layer passes its transport's `makeView`); plain
   *   `Uint8Array`s when omitted. The bytes are the same either way.
   */
  dataToSendVectored(makeView?: ViewFactory): Uint8Array[] {
    this.#flags |= FLAG.REFERENCE_PAYLOADS;
    if (makeView !== undefined) this.#out.makeView = makeView;
    const out = this.#out.takeVectored();
    if (this.#queuedControl !== null) this.#releaseQueuedControl(this.#queuedControl);
    return out;
  }

  /**
   * Discards every queued outbound byte (and drops referenced payloads). Port of h2.connection.H2Connection.clear_outbound_data_buffer.
   */
  clearOutboundDataBuffer(): void {
    this.#out.clear();
    this.#queuedControl = null;
  }

  /** Forgets the control frames the output taken so far carried; the counter goes once none is left. */
  #releaseQueuedControl(queued: QueuedControlFrames): void {
    queued.release(this.#out.takenTotal);
    if (queued.count === 0) this.#queuedControl = null;
  }

  /**
   * Feeds received bytes (any Uint8Array view); returns the events they complete, in order. On a
   * connection error it queues GOAWAY and throws the h2 exception, with the events decoded before
   * the error in `err.events`. After that, further input is discarded. `data` is kept by reference
   * (incomplete frames wait in it, and `DataReceived.data` is a view of it): do not write into it
   * afterwards; copy event data to keep it.
   * Port of h2.connection.H2Connection.receive_data.
   */
  receiveData(data: Uint8Array): H2Event[] {
    if (!(data instanceof Uint8Array)) throw new TypeError('receiveData takes a Uint8Array');
    const events: H2Event[] = [];
    // After a connection error nothing the peer sends matters (security.md §0, CVE-2026-48937).
    if ((this.#flags & FLAG.TERMINATED) !== 0) return events;
    this.#log?.trace('Process received data on connection. Received data: %d bytes', data.length);
    try {
      this.#incoming.addData(data);
      this.#incoming.maxFrameSize = this.#maxInboundFrameSize;
      for (let frame = this.#incoming.next(); frame !== null; frame = this.#incoming.next()) {
        this.#receiveFrame(frame, events);
      }
    } catch (e) {
      const err = e instanceof FrameError ? connectionErrorFromFrameError(e) : e;
      if (!(err instanceof ProtocolError)) throw err;
      // RFC 9113 §3.4: for a bad preface "the GOAWAY frame MAY be omitted", and h2 omits it.
      if (!(e instanceof PrefaceError)) this.#terminateConnection(err.errorCode);
      this.#flags |= FLAG.TERMINATED;
      err.events = events;
      throw err;
    }
    return events;
  }

  // --- receiving ---

  #receiveFrame(frame: Frame, events: H2Event[]): void {
    this.#log?.trace('Received frame: %s', String(frame));
    try {
      switch (frame.type) {
        case FrameType.DATA:
          this.#receiveDataFrame(frame as DataFrame, events);
          break;
        case FrameType.HEADERS:
          this.#receiveHeadersFrame(frame as HeadersFrame, events);
          break;
        case FrameType.PRIORITY:
          this.#receivePriorityFrame(frame as PriorityFrame, events);
          break;
        case FrameType.RST_STREAM:
          this.#receiveRstStreamFrame(frame as RstStreamFrame, events);
          break;
        case FrameType.SETTINGS:
          this.#receiveSettingsFrame(frame as SettingsFrame, events, true);
          break;
        case FrameType.PUSH_PROMISE:
          this.#receivePushPromiseFrame(frame as PushPromiseFrame, events);
          break;
        case FrameType.PING:
          this.#receivePingFrame(frame as PingFrame, events);
          break;
        case FrameType.GOAWAY:
          this.#receiveGoAwayFrame(frame as GoAwayFrame, events);
          break;
        case FrameType.WINDOW_UPDATE:
          this.#receiveWindowUpdateFrame(frame as WindowUpdateFrame, events);
          break;
        case FrameType.CONTINUATION:
          this.#receiveNakedContinuation(frame as ContinuationFrame);
          break;
        case FrameType.ALTSVC:
          this.#receiveAltSvcFrame(frame as AltSvcFrame, events);
          break;
        default:
          this.#receiveUnknownFrame(frame, events);
          break;
      }
    } catch (e) {
      if (e instanceof StreamClosedError) {
        // Closed by RST_STREAM (either way): a stream error; otherwise a connection error.
        if (!this.#reg.isClosedByReset(e.streamId)) throw e;
        this.#queueAutoReset(e.streamId, e.errorCode);
        for (const ev of e.streamEvents) events.push(ev);
      } else if (e instanceof StreamIDTooLowError) {
        // The stream was cleaned up, or closed implicitly when the peer opened a higher ID.
        if (this.#reg.isClosedByReset(e.streamId)) this.#queueAutoReset(e.streamId, ErrorCodes.STREAM_CLOSED);
        else if (this.#reg.isClosedByEnd(e.streamId)) throw new StreamClosedError(e.streamId);
        else throw e;
      } else {
        throw e;
      }
    }
  }

  #receiveHeadersFrame(frame: HeadersFrame, events: H2Event[]): void {
    const streamId = frame.streamId;
    const endStream = (frame.flags.bits & END_STREAM_BIT) !== 0;
    // CVE-2019-9518: a header block with no fields that ends nothing.
    if (frame.data.length === 0 && !endStream && !this.#spendEmptyFrame()) {
      throw new DenialOfServiceError('Too many empty HEADERS frames');
    }
    // Diverges from h2, which checks MAX_CONCURRENT_STREAMS before decoding: we refuse the stream
    // instead of failing the connection, so the block must be decoded to keep HPACK in sync.
    const headers = this.#decodeHeaders(frame.data);
    const tooLarge = this.#blockTooLarge(headers);
    this.#processInput(ConnectionInputs.RECV_HEADERS);
    let stream = this.#reg.get(streamId);
    if (stream === undefined) {
      const parity = this.#config.clientSide ? EVEN : ODD;
      this.#reg.checkNewStreamId(streamId, parity);
      if (this.#mustRefuseInbound(streamId)) {
        this.#refuseStream(streamId, ErrorCodes.REFUSED_STREAM);
        return;
      }
      if (tooLarge) {
        const status = this.#config.oversizedRequestStatus;
        if (status !== null && parity === ODD) this.#answerRefusedRequest(streamId, endStream, status);
        else this.#refuseStream(streamId, ErrorCodes.ENHANCE_YOUR_CALM);
        return;
      }
      stream = this.#beginNewStream(streamId, parity);
    } else if (tooLarge && this.#mayReceiveHeaders(stream)) {
      // Too many fields, or too large a list, on a stream that may receive headers (see
      // maxHeaderFields, maxHeaderListSize): a stream error (RFC 9113 §10.5.1). Other states
      // take the normal path, whose state check fails the block before any field is looked at.
      this.#resetForPeer(stream, ErrorCodes.ENHANCE_YOUR_CALM, events);
      return;
    }
    const wasOpen = stream.open;
    const wasClosed = stream.closed;
    const isNew = stream.stateMachine.state === StreamState.IDLE;
    let result: [Frame[], H2Event[]];
    try {
      result = stream.receiveHeaders(headers, endStream, this.#config.headerEncoding);
    } finally {
      this.#noteStreamState(stream, wasOpen, wasClosed);
    }
    const frames = result[0];
    const streamEvents = result[1];
    if (stream.receiveError !== null) {
      // A malformed message: a stream error (RFC 9113 §8.1.1), RST_STREAM PROTOCOL_ERROR spending the
      // reset budget. A request refused so was never reported, so its StreamReset is not either.
      this.#queueReceivedFrames(frames);
      if (!isNew) for (let i = 0; i < streamEvents.length; i++) events.push(streamEvents[i]!);
      return;
    }
    if ((frame.flags.bits & PRIORITY_BIT) !== 0) {
      const priority = this.#priorityEvent(frame);
      const first = streamEvents[0];
      if (first !== undefined && 'priorityUpdated' in first) fillEvent(first, { priorityUpdated: priority });
      streamEvents.push(priority);
    }
    this.#queueReceivedFrames(frames);
    for (let i = 0; i < streamEvents.length; i++) events.push(streamEvents[i]!);
  }

  /**
   * Whether `stream` is in a state where the peer may send a header block (open, half-closed local,
   * reserved remote); in the others the stream's state machine rejects the block before its fields.
   */
  #mayReceiveHeaders(stream: H2Stream): boolean {
    const state = stream.stateMachine.state;
    return state === StreamState.OPEN || state === StreamState.HALF_CLOSED_LOCAL || state === StreamState.RESERVED_REMOTE;
  }

  /**
   * Whether a new peer-initiated stream must be refused: past our MAX_CONCURRENT_STREAMS, or above
   * the last stream ID of a graceful GOAWAY we sent.
   */
  #mustRefuseInbound(streamId: number): boolean {
    // Diverges from h2 (#1181): after our graceful GOAWAY, newer streams are refused, not processed.
    if (this.#goawaySentLastStreamId !== null && streamId > this.#goawaySentLastStreamId) return true;
    // RFC 9113 §5.1.2: "An endpoint that receives a HEADERS frame that causes its advertised
    // concurrent stream limit to be exceeded MUST treat this as a stream error of type
    // PROTOCOL_ERROR or REFUSED_STREAM." h2 raises TooManyStreamsError (a connection error) instead.
    return this.openInboundStreams + 1 > this.#localSettings.maxConcurrentStreams;
  }

  /**
   * Refuses a new peer stream with RST_STREAM (REFUSED_STREAM, ENHANCE_YOUR_CALM for a header block
   * past `maxHeaderFields`, PROTOCOL_ERROR for a malformed promised request); its ID counts as used
   * and reset by us.
   */
  #refuseStream(streamId: number, errorCode: number): void {
    this.#log?.debug('Refusing stream ID %d', streamId);
    this.#reg.refuse(streamId);
    this.#queueAutoReset(streamId, errorCode);
  }

  /**
   * Whether the header block just decoded is refused for its size: past maxHeaderListSize (decoded
   * anyway, its fields past the limit dropped) or carrying more than maxHeaderFields fields.
   */
  #blockTooLarge(headers: readonly HeaderField[]): boolean {
    return this.#decoder.lastBlockOversized || headers.length > this.#config.maxHeaderFields;
  }

  /**
   * Answers a new request refused for its header block with a bodiless `status` response (see
   * `oversizedRequestStatus`), then RST_STREAM NO_ERROR if the client has not ended its side (RFC
   * 9113 §8.1). The request is never reported. Spends a reset token, as a refusal would.
   */
  #answerRefusedRequest(streamId: number, endStream: boolean, status: number): void {
    if (!this.#spendReset()) throw new DenialOfServiceError('Too many streams reset because of the peer');
    this.#log?.debug('Answering stream ID %d with %d: header block too large', streamId, status);
    const stream = this.#beginNewStream(streamId, ODD);
    const sm = stream.stateMachine;
    sm.processInput(StreamInputs.RECV_HEADERS);
    if (endStream) sm.processInput(StreamInputs.RECV_END_STREAM);
    this.#processInput(ConnectionInputs.SEND_HEADERS);
    this.#queueFrames(stream.sendHeaders([[':status', String(status)]], this.#encoder, true));
    if (!endStream) this.#queueControlFrame(stream.resetStream(ErrorCodes.NO_ERROR)[0] as Frame);
    // Registered as closed without refunding the budgets: the stream did not complete.
    this.#reg.note(stream, false, false);
  }

  /**
   * Resets an open stream because of something the peer sent (a stream error): RST_STREAM with
   * `errorCode`, spending the reset budget, and `StreamReset(remoteReset: false)` for the user.
   */
  #resetForPeer(stream: H2Stream, errorCode: number, events: H2Event[]): void {
    const wasOpen = stream.open;
    stream.resetStream(errorCode);
    this.#noteStreamState(stream, wasOpen, false);
    this.#queueAutoReset(stream.streamId, errorCode);
    events.push(new StreamReset({ streamId: stream.streamId, errorCode, remoteReset: false }));
  }

  #receivePushPromiseFrame(frame: PushPromiseFrame, events: H2Event[]): void {
    // RFC 9113 §6.6: "A receiver MUST treat the receipt of a PUSH_PROMISE frame as a connection
    // error of type PROTOCOL_ERROR if it has not advertised SETTINGS_ENABLE_PUSH = 1" (h2 reads our
    // current value).
    if (!this.#localSettings.enablePush) throw new ProtocolError('Received pushed stream');
    const pushedHeaders = this.#decodeHeaders(frame.data);
    this.#processInput(ConnectionInputs.RECV_PUSH_PROMISE);
    const promisedId = frame.promisedStreamId;
    const stream = this.#reg.find(frame.streamId);
    if (stream === undefined) {
      // A PUSH_PROMISE in flight when we reset the parent: refuse the pushed stream. On a parent that
      // closed naturally, a push would create a stream the peer believes exists: a protocol error.
      if (this.#reg.closedBy(frame.streamId) === StreamClosedBy.SEND_RST_STREAM) {
        this.#queueAutoReset(promisedId, ErrorCodes.REFUSED_STREAM);
        return;
      }
      throw new ProtocolError('Attempted to push on closed stream.');
    }
    // RFC 9113 §6.6: pushes may only be associated with a client-initiated stream.
    if (frame.streamId % 2 === 0) throw new ProtocolError('Cannot recursively push streams.');
    if (this.#blockTooLarge(pushedHeaders) && stream.open && this.#mayReceiveHeaders(stream)) {
      // Too many fields, or too large a list, in the promised request: refuse the pushed stream.
      this.#reg.checkNewStreamId(promisedId, EVEN);
      this.#refuseStream(promisedId, ErrorCodes.ENHANCE_YOUR_CALM);
      return;
    }
    let result: [Frame[], H2Event[]] | null;
    const wasOpen = stream.open;
    const wasClosed = stream.closed;
    try {
      result = stream.receivePushPromiseInBand(promisedId, pushedHeaders, this.#config.headerEncoding);
    } catch (e) {
      if (!(e instanceof StreamClosedError)) throw e;
      this.#queueAutoReset(promisedId, ErrorCodes.REFUSED_STREAM);
      return;
    } finally {
      this.#noteStreamState(stream, wasOpen, wasClosed);
    }
    if (result === null) {
      // A malformed promised request: a stream error on the promised stream (RFC 9113 §8.4), not
      // reported; the parent stream goes on. h2 fails the connection.
      this.#reg.checkNewStreamId(promisedId, EVEN);
      this.#refuseStream(promisedId, ErrorCodes.PROTOCOL_ERROR);
      return;
    }
    // Reserved streams do not count against MAX_CONCURRENT_STREAMS (RFC 9113 §5.1.2), so a server
    // could make us hold any number of them: past our MAX_CONCURRENT_STREAMS reserved streams, refuse
    // the push (as nghttp2's max_reserved_remote_streams does). h2 has no such bound.
    this.#reg.checkNewStreamId(promisedId, EVEN);
    // RFC 9113 §6.8: after our graceful GOAWAY, a push above its last stream ID is refused, as a newer
    // HEADERS stream is (#mustRefuseInbound): the peer was told we would not process it.
    const goaway = this.#goawaySentLastStreamId;
    if ((goaway !== null && promisedId > goaway) || this.#reg.reservedCount() >= this.#localSettings.maxConcurrentStreams) {
      this.#refuseStream(promisedId, ErrorCodes.REFUSED_STREAM);
      return;
    }
    const promised = this.#beginNewStream(promisedId, EVEN);
    promised.remotelyPushed(pushedHeaders);
    this.#queueReceivedFrames(result[0]);
    for (const ev of result[1]) events.push(ev);
  }

  #receiveDataFrame(frame: DataFrame, events: H2Event[]): void {
    const length = frame.flowControlledLength;
    const endStream = (frame.flags.bits & END_STREAM_BIT) !== 0;
    this.#processInput(ConnectionInputs.RECV_DATA);
    this.#inboundWindowManager().windowConsumed(length);
    // CVE-2019-9518: DATA that carries nothing and ends nothing.
    if (length === 0 && !endStream && !this.#spendEmptyFrame()) {
      throw new DenialOfServiceError('Too many empty DATA frames');
    }
    const stream = this.#liveStreamOrNull(frame.streamId);
    // A closed stream (forgotten, or still known) answers without raising StreamClosedError: that is
    // what the stream's state machine would raise, with no events.
    if (stream === null || stream.closed) {
      // RFC 9113 §5.1 (closed): an endpoint "MAY treat receipt of any other type of frame on a closed
      // stream as a connection error of type STREAM_CLOSED". After END_STREAM both ways the peer ended
      // the stream itself, so its DATA cannot be in flight from before: a connection error, as HEADERS
      // there already is (h2 answers DATA with RST_STREAM only; differences.ts, data-after-end-stream).
      // After a reset the peer may not have seen it yet: RFC 9113 §5.1 says to ignore, so RST_STREAM.
      if (this.#reg.isClosedByEnd(frame.streamId)) throw new StreamClosedError(frame.streamId);
      this.#receiveDataOnClosedStream(frame, true);
      return;
    }
    const wasOpen = stream.open;
    let result: [Frame[], H2Event[]] | StreamClosedError;
    try {
      result = stream.receiveData(frame.data, endStream, length);
    } catch (e) {
      // DATA the stream's state forbids (e.g. half-closed remote): reset with the one-time event.
      if (!(e instanceof StreamClosedError)) throw e;
      result = e;
    } finally {
      this.#noteStreamState(stream, wasOpen, false);
    }
    if (result instanceof StreamClosedError) {
      // This DATA itself made the stream reset (e.g. after the peer's END_STREAM): that spends the budget.
      this.#receiveDataOnClosedStream(frame, false);
      for (const ev of result.streamEvents) events.push(ev);
      return;
    }
    if (stream.receiveError !== null) {
      // The stream reset itself for this DATA (content-length, RFC 9113 §8.1.1; its window, §6.9.1):
      // the DATA is never reported, so nobody will acknowledge it; the connection window is credited.
      const increment = this.#inboundWindowManager().processBytes(length);
      if (increment) this.#out.pushFrame(new WindowUpdateFrame(0, { windowIncrement: increment }));
    }
    this.#queueReceivedFrames(result[0]);
    for (const ev of result[1]) events.push(ev);
  }

  /**
   * DATA on a closed (or forgotten) stream still consumed connection window, so it is acknowledged
   * at once, or the whole connection would stall (h2 #1210); the stream gets RST_STREAM STREAM_CLOSED.
   * Port of h2's `_handle_data_on_closed_stream`. `closedBefore`: the stream was closed before this frame.
   */
  #receiveDataOnClosedStream(frame: DataFrame, closedBefore: boolean): void {
    const length = frame.flowControlledLength;
    const increment = this.#inboundWindowManager().processBytes(length);
    if (increment) this.#out.pushFrame(new WindowUpdateFrame(0, { windowIncrement: increment }));
    // A body still in flight when we reset its stream (an early response, a refused or cancelled
    // request) is the peer's honest traffic (RFC 9113 §5.1 asks us to ignore it): its replies do not
    // spend the reset budget, or an uploader's in-flight frames (a window's worth per stream) would end
    // the whole connection after a few refused uploads. The replies stay bounded by
    // maxQueuedControlFrames for a peer that does not read; one that reads pays a frame per reply, as
    // with PING. Empty DATA already spent the empty-frame budget.
    if (closedBefore && length > 0 && this.#reg.closedBy(frame.streamId) === StreamClosedBy.SEND_RST_STREAM) {
      this.#queueControlFrame(new RstStreamFrame(frame.streamId, { errorCode: ErrorCodes.STREAM_CLOSED }));
    } else {
      this.#queueAutoReset(frame.streamId, ErrorCodes.STREAM_CLOSED);
    }
  }

  #receiveSettingsFrame(frame: SettingsFrame, events: H2Event[], sendAck: boolean): void {
    this.#processInput(ConnectionInputs.RECV_SETTINGS);
    if (frame.flags.has('ACK')) {
      // An ACK of no SETTINGS we sent is a no-op frame: part of the glitch budget (see maxUnknownFrames).
      if (this.#settingsAwaitingAck > 0) this.#settingsAwaitingAck--;
      else if (!this.#spendUnknownFrame()) throw new DenialOfServiceError('Too many SETTINGS ACKs for no SETTINGS');
      events.push(new SettingsAcknowledged({ changedSettings: this.#localSettingsAcked() }));
      return;
    }
    const received = frame.settings;
    // CVE-2020-11080: a SETTINGS frame with very many entries.
    if (frame.bodyLength / 6 > this.#config.maxSettingsEntries) {
      throw new DenialOfServiceError(`Too many settings in one frame (more than ${this.#config.maxSettingsEntries})`);
    }
    for (const [code, value] of received) this.#remoteSettings.validateReceivedSetting(code, value);
    const event = RemoteSettingsChanged.fromSettings(this.#remoteSettings, received);
    if (received.size > 0) {
      const remote = this.#ownRemoteSettings();
      for (const [code, value] of received) remote.set(code, value);
    }
    const ack = this.#acknowledgeSettings();
    events.push(event);
    if (sendAck) this.#queueControlFrame(ack);
  }

  /** Applies the peer's pending settings and builds the SETTINGS ACK. Port of h2's `_acknowledge_settings`. */
  #acknowledgeSettings(): SettingsFrame {
    this.#processInput(ConnectionInputs.SEND_SETTINGS);
    const changes = this.#remoteSettings.acknowledge();
    const initialWindow = changes.get(SettingCodes.INITIAL_WINDOW_SIZE);
    if (initialWindow !== undefined) {
      // RFC 9113 §6.9.2: the change applies to every stream's send window; the connection window is
      // untouched. "An endpoint MUST treat a change to SETTINGS_INITIAL_WINDOW_SIZE that causes any
      // flow-control window to exceed the maximum size as a connection error of type FLOW_CONTROL_ERROR."
      const delta = initialWindow.newValue - (initialWindow.originalValue ?? 0);
      for (const stream of this.#reg.values()) {
        const next = stream.outboundFlowControlWindow + delta;
        if (next > LARGEST_FLOW_CONTROL_WINDOW) throw new FlowControlError(`Window ${next} is larger than the maximum`);
        stream.outboundFlowControlWindow = next;
      }
    }
    // RFC 9113 §6.5.2: the peer's HEADER_TABLE_SIZE bounds our encoder's dynamic table; we use at
    // most maxEncoderTableSize of it (RFC 7541 §4.2), or the peer could make us keep every field sent.
    const table = changes.get(SettingCodes.HEADER_TABLE_SIZE);
    if (table !== undefined) this.#encoder.headerTableSize = Math.min(table.newValue, this.#config.maxEncoderTableSize);
    const frameSize = changes.get(SettingCodes.MAX_FRAME_SIZE);
    if (frameSize !== undefined) {
      this.#maxOutboundFrameSize = frameSize.newValue;
      for (const stream of this.#reg.values()) stream.maxOutboundFrameSize = frameSize.newValue;
    }
    return new SettingsFrame(0, { flags: ['ACK'] });
  }

  /** Our settings were acknowledged: apply them. Port of h2's `_local_settings_acked`. */
  #localSettingsAcked(): Map<number, ChangedSetting> {
    const changes = this.#localSettings.acknowledge();
    const initialWindow = changes.get(SettingCodes.INITIAL_WINDOW_SIZE);
    if (initialWindow !== undefined) {
      const delta = initialWindow.newValue - (initialWindow.originalValue ?? 0);
      for (const stream of this.#reg.values()) stream.inboundFlowControlChangeFromSettings(delta);
    }
    const listSize = changes.get(SettingCodes.MAX_HEADER_LIST_SIZE);
    if (listSize !== undefined) this.#decoder.maxHeaderListSize = listSize.newValue;
    const frameSize = changes.get(SettingCodes.MAX_FRAME_SIZE);
    if (frameSize !== undefined) this.#maxInboundFrameSize = frameSize.newValue;
    const table = changes.get(SettingCodes.HEADER_TABLE_SIZE);
    if (table !== undefined) this.#decoder.maxAllowedTableSize = table.newValue;
    return changes;
  }

  #receiveWindowUpdateFrame(frame: WindowUpdateFrame, events: H2Event[]): void {
    this.#processInput(ConnectionInputs.RECV_WINDOW_UPDATE);
    const increment = frame.windowIncrement;
    if (increment === 0) {
      this.#receiveZeroWindowUpdate(frame.streamId, events);
      return;
    }
    if (frame.streamId !== 0) {
      // A WINDOW_UPDATE in flight when the stream closed is ignored (RFC 9113 §5.1).
      const stream = this.#liveStreamOrNull(frame.streamId);
      if (stream === null) return;
      const wasOpen = stream.open;
      const wasClosed = stream.closed;
      let result: [Frame[], H2Event[]];
      try {
        result = stream.receiveWindowUpdate(increment);
      } finally {
        this.#noteStreamState(stream, wasOpen, wasClosed);
      }
      this.#queueReceivedFrames(result[0]);
      for (const ev of result[1]) events.push(ev);
      return;
    }
    const next = this.#outboundFlowControlWindow + increment;
    // RFC 9113 §6.9.1: "If a sender receives a WINDOW_UPDATE that causes a flow-control window to
    // exceed this maximum, it MUST terminate either the stream or the connection, as appropriate."
    if (next > LARGEST_FLOW_CONTROL_WINDOW) throw new FlowControlError(`Window ${next} is larger than the maximum`);
    this.#outboundFlowControlWindow = next;
    events.push(new WindowUpdated({ streamId: 0, delta: increment }));
  }

  /**
   * RFC 9113 §6.9: "A receiver MUST treat the receipt of a WINDOW_UPDATE frame with a flow-control
   * window increment of 0 as a stream error of type PROTOCOL_ERROR; errors on the connection
   * flow-control window MUST be treated as a connection error." (h2, via hyperframe, always makes it
   * a connection error.) The reset counts against the reset budget (MadeYouReset, CVE-2025-8671).
   */
  #receiveZeroWindowUpdate(streamId: number, events: H2Event[]): void {
    if (streamId === 0) throw new ProtocolError('WINDOW_UPDATE increment must be between 1 to 2^31-1');
    const stream = this.#liveStreamOrNull(streamId);
    // Already closed (and perhaps forgotten): nothing left to reset.
    if (stream === null || stream.closed) return;
    this.#resetForPeer(stream, ErrorCodes.PROTOCOL_ERROR, events);
  }

  #receivePingFrame(frame: PingFrame, events: H2Event[]): void {
    this.#processInput(ConnectionInputs.RECV_PING);
    const data = frame.opaqueData;
    if (frame.flags.has('ACK')) {
      // An ACK of no PING we sent is a no-op frame: part of the glitch budget (see maxUnknownFrames).
      if (this.#pingsAwaitingAck > 0) this.#pingsAwaitingAck--;
      else if (!this.#spendUnknownFrame()) throw new DenialOfServiceError('Too many PING ACKs for no PING');
      if ((this.#flags & FLAG.GRACEFUL_PING_PENDING) !== 0 && bytesEqual(data, GRACEFUL_PING)) {
        // Second step of the graceful shutdown: every stream opened before our first GOAWAY is in.
        this.#flags &= ~FLAG.GRACEFUL_PING_PENDING;
        if (this.#state !== ConnectionState.CLOSED) this.closeConnection({ errorCode: ErrorCodes.NO_ERROR });
        return;
      }
      events.push(new PingAckReceived({ pingData: data }));
      return;
    }
    // RFC 9113 §6.7: "Receivers of a PING frame that does not include an ACK flag MUST send a PING
    // frame with the ACK flag set in response, with an identical frame payload."
    this.#queueControlFrame(new PingFrame(0, { flags: ['ACK'], opaqueData: data }));
    events.push(new PingReceived({ pingData: data }));
  }

  #receiveRstStreamFrame(frame: RstStreamFrame, events: H2Event[]): void {
    this.#processInput(ConnectionInputs.RECV_RST_STREAM);
    const stream = this.#reg.find(frame.streamId);
    if (stream === undefined) {
      // RFC 9113 §6.4: "If a RST_STREAM frame identifying an idle stream is received, the recipient
      // MUST treat this as a connection error (Section 5.4.1) of type PROTOCOL_ERROR." h2 ignores it
      // (test/support/oracle/differences.ts, rst-stream-idle). A forgotten stream: nothing to do.
      if (!this.#reg.isForgotten(frame.streamId)) throw new NoSuchStreamError(frame.streamId);
      return;
    }
    const wasOpen = stream.open;
    const wasClosed = stream.closed;
    let result: [Frame[], H2Event[]];
    try {
      result = stream.streamReset(frame);
    } finally {
      this.#noteStreamState(stream, wasOpen, wasClosed);
    }
    // CVE-2023-44487 (Rapid Reset): the peer cancelling streams it opened costs budget.
    if (!wasClosed && !this.#reg.isOutbound(frame.streamId) && !this.#spendReset()) {
      throw new DenialOfServiceError('Too many streams reset by the peer');
    }
    this.#queueReceivedFrames(result[0]);
    for (const ev of result[1]) events.push(ev);
  }

  #receivePriorityFrame(frame: PriorityFrame, events: H2Event[]): void {
    // CVE-2019-9513: priority churn.
    if (!this.#spendPriority()) throw new DenialOfServiceError('Too many PRIORITY frames');
    if (frame.invalidLength !== null) {
      this.#receiveInvalidPriority(frame.streamId, frame.invalidLength, events);
      return;
    }
    events.push(this.#priorityEvent(frame));
  }

  /**
   * RFC 9113 §6.3: "A PRIORITY frame with a length other than 5 octets MUST be treated as a stream error
   * (Section 5.4.2) of type FRAME_SIZE_ERROR." An open stream is reset (`StreamReset`, remoteReset
   * false), a closed one answered with RST_STREAM; both spend the reset budget. On a stream never opened
   * (idle) RST_STREAM is forbidden (§5.1, the peer must treat it as a connection error), so there it
   * stays a connection error. h2 (hyperframe) ends the connection for every one: differences.ts,
   * `priority-length-stream-error`.
   */
  #receiveInvalidPriority(streamId: number, length: number, events: H2Event[]): void {
    const stream = this.#reg.find(streamId);
    if (stream !== undefined && !stream.closed) {
      this.#resetForPeer(stream, ErrorCodes.FRAME_SIZE_ERROR, events);
    } else if (stream !== undefined || this.#reg.isForgotten(streamId)) {
      this.#queueAutoReset(streamId, ErrorCodes.FRAME_SIZE_ERROR);
    } else {
      throw new FrameDataMissingError(`PRIORITY must have 5 byte body: actual length ${length}.`);
    }
  }

  /** Builds `PriorityUpdated` for a PRIORITY frame or a HEADERS frame with PRIORITY. Port of h2's `_receive_priority_frame`. */
  #priorityEvent(frame: PriorityFrame | HeadersFrame): PriorityUpdated {
    this.#processInput(ConnectionInputs.RECV_PRIORITY);
    // RFC 7540 §5.3.1: "A stream cannot depend on itself." (h2 makes it a connection error.)
    if (frame.dependsOn === frame.streamId) throw new ProtocolError(`Stream ${frame.streamId} may not depend on itself`);
    return new PriorityUpdated({
      streamId: frame.streamId,
      weight: frame.streamWeight + 1,
      dependsOn: frame.dependsOn,
      exclusive: frame.exclusive,
    });
  }

  #receiveGoAwayFrame(frame: GoAwayFrame, events: H2Event[]): void {
    const lastStreamId = frame.lastStreamId;
    const event = new ConnectionTerminated({
      errorCode: frame.errorCode,
      lastStreamId,
      additionalData: frame.additionalData.length > 0 ? frame.additionalData : null,
    });
    if (frame.errorCode !== ErrorCodes.NO_ERROR || this.#state === ConnectionState.CLOSED) {
      this.#processInput(ConnectionInputs.RECV_GOAWAY);
      // We cannot send anything further.
      this.clearOutboundDataBuffer();
      events.push(event);
      return;
    }
    // Diverges from h2 (#1181): a NO_ERROR GOAWAY drains. Our streams up to lastStreamId continue;
    // the peer never processed the ones above it, so they end now as refused.
    // RFC 9113 §6.8: "Receivers of a GOAWAY frame MUST NOT open additional streams on the connection."
    const previous = this.#goawayReceivedLastStreamId;
    this.#goawayReceivedLastStreamId = previous === null ? lastStreamId : Math.min(previous, lastStreamId);
    events.push(event);
    for (const stream of this.#reg.values()) {
      const id = stream.streamId;
      // An IDLE stream (its request headers failed validation) was never announced: nothing to end.
      if (id <= lastStreamId || !this.#reg.isOutbound(id) || stream.closed || stream.stateMachine.state === StreamState.IDLE) continue;
      const wasOpen = stream.open;
      // The RST_STREAM is not sent: the peer has already forgotten the stream.
      stream.resetStream(ErrorCodes.REFUSED_STREAM);
      this.#noteStreamState(stream, wasOpen, false);
      events.push(new StreamReset({ streamId: id, errorCode: ErrorCodes.REFUSED_STREAM, remoteReset: true }));
    }
  }

  /** A CONTINUATION outside a header block: always an error, whose kind the stream decides. */
  #receiveNakedContinuation(frame: ContinuationFrame): never {
    const stream = this.#reg.getById(frame.streamId);
    stream.receiveContinuation();
    // RFC 9113 §6.10: a CONTINUATION not preceded by an unfinished header block "MUST" be a
    // connection error of type PROTOCOL_ERROR.
    throw new ProtocolError('Received CONTINUATION frame outside a header block');
  }

  #receiveAltSvcFrame(frame: AltSvcFrame, events: H2Event[]): void {
    this.#processInput(ConnectionInputs.RECV_ALTERNATIVE_SERVICE);
    // A server ignores ALTSVC (RFC 7838 §4), so a flood of them is one of unusable frames.
    if (!this.#config.clientSide && !this.#spendUnknownFrame()) {
      throw new DenialOfServiceError('Too many ALTSVC frames received by a server');
    }
    if (frame.streamId !== 0) {
      // ALTSVC cannot create a stream (RFC 7838 §4): unknown or closed streams are ignored.
      const stream = this.#reg.find(frame.streamId);
      if (stream === undefined) return;
      const [frames, streamEvents] = stream.receiveAltSvc(frame);
      this.#queueReceivedFrames(frames);
      for (let i = 0; i < streamEvents.length; i++) events.push(streamEvents[i]!);
      return;
    }
    // RFC 7838 §4: on stream 0 an empty origin means the frame is ignored; servers ignore ALTSVC.
    if (frame.origin.length === 0 || !this.#config.clientSide) return;
    events.push(new AlternativeServiceAvailable({ origin: frame.origin, fieldValue: frame.field }));
  }

  /**
   * An extension frame (RFC 9113 §5.5: "Implementations MUST ignore unknown or unsupported values in
   * all extensible protocol elements") is reported as `UnknownFrameReceived`. PRIORITY_UPDATE
   * (RFC 9218) is reported the same way, carrying the parsed `PriorityUpdateFrame`. Each spends a
   * budget (`maxUnknownFrames`, or `maxPriorityFrames` for PRIORITY_UPDATE): a flood of them is a
   * connection error ENHANCE_YOUR_CALM.
   */
  #receiveUnknownFrame(frame: Frame, events: H2Event[]): void {
    if (frame.type === FrameType.PRIORITY_UPDATE) {
      if (!this.#spendPriority()) throw new DenialOfServiceError('Too many PRIORITY_UPDATE frames');
    } else if (!this.#spendUnknownFrame()) {
      // A flood of extension frames: each costs parsing and an event (see maxUnknownFrames).
      throw new DenialOfServiceError('Too many frames of unknown or unsupported types');
    }
    events.push(new UnknownFrameReceived({ frame }));
  }

  // --- streams ---

  /** Creates a stream with the current settings. Port of h2's `_begin_new_stream`. */
  #beginNewStream(streamId: number, parity: number): H2Stream {
    this.#log?.debug('Attempting to initiate stream ID %d', streamId);
    return this.#reg.create(
      streamId,
      parity,
      this.#localSettings.initialWindowSize,
      this.#remoteSettings.initialWindowSize,
      this.#maxOutboundFrameSize,
    );
  }

  /**
   * The live stream `streamId` for a received frame, or `null` if it closed and was forgotten (no
   * StreamClosedError is built for that: a peer could make us build one per frame).
   * @throws NoSuchStreamError for a stream that was never opened, as h2's `_get_stream_by_id`.
   */
  #liveStreamOrNull(streamId: number): H2Stream | null {
    const stream = this.#reg.find(streamId);
    if (stream !== undefined) return stream;
    if (this.#reg.isForgotten(streamId)) return null;
    throw new NoSuchStreamError(streamId === 0 ? -1 : streamId);
  }

  #getOrCreateStream(streamId: number, parity: number): H2Stream {
    return this.#reg.get(streamId) ?? this.#beginNewStream(streamId, parity);
  }

  /** Stream bookkeeping after a stream method ran; a stream that ended normally refunds the abuse budgets. */
  #noteStreamState(stream: H2Stream, wasOpen: boolean, wasClosed: boolean): void {
    if (this.#reg.note(stream, wasOpen, wasClosed)) {
      const c = this.#config;
      if (this.#resetTokens < c.maxResetStreams) this.#resetTokens++;
      if (this.#emptyFrameTokens < c.maxEmptyFrames) this.#emptyFrameTokens++;
      if (this.#priorityTokens < c.maxPriorityFrames) this.#priorityTokens++;
      if (this.#unknownFrameTokens < c.maxUnknownFrames) this.#unknownFrameTokens++;
    }
  }

  // Each spends one token of its budget; false once the budget is empty (the peer is abusive).
  #spendReset(): boolean {
    if (this.#resetTokens <= 0) return false;
    this.#resetTokens--;
    return true;
  }

  #spendEmptyFrame(): boolean {
    if (this.#emptyFrameTokens <= 0) return false;
    this.#emptyFrameTokens--;
    return true;
  }

  #spendPriority(): boolean {
    if (this.#priorityTokens <= 0) return false;
    this.#priorityTokens--;
    return true;
  }

  #spendUnknownFrame(): boolean {
    if (this.#unknownFrameTokens <= 0) return false;
    this.#unknownFrameTokens--;
    return true;
  }

  // --- sending ---

  /** Our settings as they will be once acknowledged (pending values included): the initial SETTINGS. */
  #localSettingsFrame(): SettingsFrame {
    // The map is the frame's own (the constructor would copy it: garbage on every connection).
    const frame = new SettingsFrame(0);
    frame.settings = this.#localSettings.newestMap();
    return frame;
  }

  // Index loops on the per-request paths: an array iterator not optimized away is garbage per call.
  #queueFrames(frames: readonly Frame[]): void {
    for (let i = 0; i < frames.length; i++) this.#out.pushFrame(frames[i]!);
  }

  /** Queues frames a stream produced while receiving: any RST_STREAM among them is automatic. */
  #queueReceivedFrames(frames: readonly Frame[]): void {
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      if (f.type === FrameType.RST_STREAM) this.#queueAutoReset(f.streamId, (f as RstStreamFrame).errorCode);
      else this.#out.pushFrame(f);
    }
  }

  /**
   * Queues an RST_STREAM the peer made us send. It is a queued control frame, and it spends the
   * reset budget (CVE-2025-8671 MadeYouReset, CVE-2019-9514 Reset Flood).
   */
  #queueAutoReset(streamId: number, errorCode: number): void {
    if (!this.#spendReset()) throw new DenialOfServiceError('Too many streams reset because of the peer');
    this.#queueControlFrame(new RstStreamFrame(streamId, { errorCode }));
  }

  /**
   * Queues an automatic control frame (PING ACK, SETTINGS ACK, RST_STREAM). Too many of them waiting
   * for `dataToSend()` means the peer provokes replies it does not read: a connection error
   * ENHANCE_YOUR_CALM, after dropping the queued output (CVE-2019-9512/9515/9514).
   */
  #queueControlFrame(frame: Frame): void {
    this.#out.pushFrame(frame);
    const queued = (this.#queuedControl ??= new QueuedControlFrames());
    queued.add(this.#out.queuedTotal);
    if (queued.count > this.#config.maxQueuedControlFrames) {
      this.clearOutboundDataBuffer();
      throw new DenialOfServiceError('Too many control frames queued: the peer is not reading');
    }
  }

  /** The default GOAWAY last stream ID: the highest peer stream, never above a graceful GOAWAY's. */
  #defaultLastStreamId(): number {
    const sent = this.#goawaySentLastStreamId;
    return sent === null ? this.#reg.highestInboundStreamId : Math.min(sent, this.#reg.highestInboundStreamId);
  }

  /** Queues GOAWAY for a connection error and frees the streams. Port of h2's `_terminate_connection`. */
  #terminateConnection(errorCode: number): void {
    const frame = new GoAwayFrame(0, { lastStreamId: this.#defaultLastStreamId(), errorCode });
    this.#processInput(ConnectionInputs.SEND_GOAWAY);
    this.#out.pushFrame(frame);
    this.#reg.clear();
  }

  // --- errors ---

  /**
   * Decodes a header block, mapping HPACK failures to h2 exceptions. Port of h2's `_decode_headers`.
   * Diverges from h2: a list past maxHeaderListSize is decoded in full but truncated (the caller
   * refuses its stream, see #blockTooLarge) instead of failing the connection (RFC 9113 §10.5.1).
   */
  #decodeHeaders(block: Uint8Array): HeaderField[] {
    try {
      return this.#decoder.decode(block, TRUNCATE);
    } catch (e) {
      throw e instanceof HPACKError ? connectionErrorFromHpackError(e) : e;
    }
  }
}

// The options each method reads (checkOptions refuses any other key).
const SEND_HEADERS_OPTIONS = ['endStream', 'priorityWeight', 'priorityDependsOn', 'priorityExclusive'];
const SEND_DATA_OPTIONS = ['endStream', 'padLength'];
const STREAM_ID_OPTION = ['streamId'];
const CLOSE_OPTIONS = ['errorCode', 'additionalData', 'lastStreamId'];
const ALTSVC_OPTIONS = ['origin', 'streamId'];
const PRIORITIZE_OPTIONS = ['weight', 'dependsOn', 'exclusive'];
const SETTING_NAMES = Object.keys(SettingCodes);

/** Decoding options: lists past maxHeaderListSize are truncated and flagged, not thrown. */
/** Decoding options: oversized lists truncated (see #decodeHeaders); static fields shared (lists are read-only here). */
const TRUNCATE = { oversized: 'truncate', sharedStatic: true } as const;

/** API check: stream IDs are integers 0 … 2^31-1 (a new stream 0 is rejected later as too low, as in h2). */
function checkStreamIdArgument(streamId: number): void {
  if (!Number.isInteger(streamId) || streamId < 0 || streamId > HIGHEST_ALLOWED_STREAM_ID) {
    throw new RangeError(`Invalid stream ID ${String(streamId)}`);
  }
}

/** API check: error codes are integers 0 … 2^32-1 (RFC 9113 §7: 32-bit fields); anything else would wrap on the wire. */
function checkErrorCodeArgument(errorCode: number): void {
  if (!Number.isInteger(errorCode) || errorCode < 0 || errorCode > 0xffffffff) {
    throw new RangeError(`Error code must be an integer 0 … 2^32-1, not ${String(errorCode)}`);
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
