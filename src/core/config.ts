/**
 * H2Configuration: the options of one HTTP/2 connection, h2's plus h2flow's resource limits.
 * Sans-I/O core. Port of h2/config.py (H2Configuration, DummyLogger); the limits are h2flow's own
 * (see ../shared/reference/security.md, beside the project, for the attacks and the reference numbers).
 */
import { headerCodec } from './header-encoding.ts';
import { checkOptions } from './options-check.ts';
import { withBit } from './bit-field.ts';

/**
 * What the connection logs through. Port of h2's logger protocol: `debug(fmt, ...args)` and
 * `trace(fmt, ...args)` with printf-style `%s`/`%d` placeholders. The connection builds no log
 * strings unless a logger was given.
 */
export interface H2Logger {
  /** Connection-level diagnostics (stream creation, settings, flow control). */
  debug(message: string, ...args: unknown[]): void;
  /** Very verbose output (every received frame). */
  trace(message: string, ...args: unknown[]): void;
}

/** A logger that does nothing. Port of h2.config.DummyLogger. */
export class DummyLogger implements H2Logger {
  /** No-op. */
  debug(): void {}
  /** No-op. */
  trace(): void {}
}

/** Options of {@link OutputLogger}. */
export interface OutputLoggerOptions {
  /** Also write `trace` messages (every received frame). Default `false`. Port of h2's `trace_level`. */
  traceLevel?: boolean;
}

/**
 * A logger that writes each message as one line, `h2 (debug): …` or `h2 (trace): …`, with the
 * printf-style `%s`/`%d` placeholders filled in. The core has no console or file API, so the line
 * goes to a sink function the caller provides, e.g. `new OutputLogger((line) => console.error(line))`
 * where h2 defaults to stderr. Like h2's, a convenience for debugging, not part of the stable API.
 * Port of h2.config.OutputLogger.
 */
export class OutputLogger implements H2Logger {
  /** Where each formatted line goes (h2's `file`). */
  readonly sink: (line: string) => void;
  /** Whether `trace` messages are written. Port of h2's `trace_level`. */
  traceLevel: boolean;

  /**
   * @param sink Receives each formatted line.
   * @param options `traceLevel`: also write trace messages (default `false`).
   */
  constructor(sink: (line: string) => void, options?: OutputLoggerOptions) {
    if (typeof sink !== 'function') throw new TypeError('OutputLogger needs a sink function');
    const traceLevel = checkOptions('OutputLogger', options, ['traceLevel']).traceLevel ?? false;
    if (typeof traceLevel !== 'boolean') throw new TypeError('OutputLogger: traceLevel must be a boolean');
    this.sink = sink;
    this.traceLevel = traceLevel;
  }

  /** Writes `h2 (debug): <message>`. */
  debug(message: string, ...args: unknown[]): void {
    this.sink(`h2 (debug): ${formatLogMessage(message, args)}`);
  }

  /** Writes `h2 (trace): <message>` when {@link traceLevel} is on. */
  trace(message: string, ...args: unknown[]): void {
    if (this.traceLevel) this.sink(`h2 (trace): ${formatLogMessage(message, args)}`);
  }
}

/**
 * Fills printf-style placeholders as Python's `%` does for the ones h2's messages use: `%s` (the
 * argument as a string), `%d` (as an integer) and `%%`. A placeholder without an argument stays as
 * it is (Python would raise; a log call must not).
 */
export function formatLogMessage(message: string, args: readonly unknown[]): string {
  let next = 0;
  return message.replace(/%[sd%]/g, (spec) => {
    if (spec === '%%') return '%';
    if (next >= args.length) return spec;
    const arg = args[next++];
    return spec === '%d' ? String(Math.trunc(Number(arg))) : String(arg);
  });
}

/** How event headers are delivered: `null`/`false` = ByteStrings (one char per byte), or a text encoding. */
export type HeaderEncoding = string | false | null;

/** The options accepted by {@link H2Configuration}; every one is optional. */
export interface H2ConfigurationOptions {
  /** Client (`true`, default) or server side. Port of h2's `client_side`. */
  clientSide?: boolean;
  /**
   * `null` (default) or `false`: event headers are ByteStrings and strings to send must be ByteStrings;
   * `'utf-8'`: received names and values are decoded as UTF-8, and strings to send are encoded as UTF-8.
   */
  headerEncoding?: HeaderEncoding;
  /** Validate outbound headers (RFC 9113 §8.2, §8.3). Default `true`. */
  validateOutboundHeaders?: boolean;
  /** Normalize outbound headers (lower-case, strip, drop connection headers, never-index secrets). Default `true`. */
  normalizeOutboundHeaders?: boolean;
  /** Split outbound `cookie` values on `"; "` (RFC 9113 §8.2.3). Default `false`. */
  splitOutboundCookies?: boolean;
  /** Validate inbound headers. Default `true`. */
  validateInboundHeaders?: boolean;
  /** Normalize inbound headers (join cookie fields). Default `true`. */
  normalizeInboundHeaders?: boolean;
  /** Where to log; default a no-op {@link DummyLogger}. */
  logger?: H2Logger | null;
  /** See {@link H2Configuration.maxHeaderListSize}. */
  maxHeaderListSize?: number;
  /** See {@link H2Configuration.maxHeaderFields}. */
  maxHeaderFields?: number;
  /** See {@link H2Configuration.oversizedRequestStatus}. */
  oversizedRequestStatus?: number | null;
  /** See {@link H2Configuration.maxContinuationFrames}. */
  maxContinuationFrames?: number;
  /** See {@link H2Configuration.maxHeaderBlockSize}. */
  maxHeaderBlockSize?: number;
  /** See {@link H2Configuration.maxConcurrentStreams}. */
  maxConcurrentStreams?: number;
  /** See {@link H2Configuration.maxClosedStreams}. */
  maxClosedStreams?: number;
  /** See {@link H2Configuration.maxQueuedControlFrames}. */
  maxQueuedControlFrames?: number;
  /** See {@link H2Configuration.maxResetStreams}. */
  maxResetStreams?: number;
  /** See {@link H2Configuration.maxEmptyFrames}. */
  maxEmptyFrames?: number;
  /** See {@link H2Configuration.maxPriorityFrames}. */
  maxPriorityFrames?: number;
  /** See {@link H2Configuration.maxUnknownFrames}. */
  maxUnknownFrames?: number;
  /** See {@link H2Configuration.maxSettingsEntries}. */
  maxSettingsEntries?: number;
  /** See {@link H2Configuration.maxEncoderTableSize}. */
  maxEncoderTableSize?: number;
  /** See {@link H2Configuration.outboundBufferSize}. */
  outboundBufferSize?: number;
}

/** The default of every limit, in one place (documented on the matching {@link H2Configuration} property). */
export const DEFAULT_LIMITS = {
  maxHeaderListSize: 65536,
  maxHeaderFields: 128,
  maxContinuationFrames: 64,
  maxConcurrentStreams: 100,
  maxClosedStreams: 65536,
  maxQueuedControlFrames: 1000,
  maxResetStreams: 1000,
  maxEmptyFrames: 1000,
  maxPriorityFrames: 10000,
  maxUnknownFrames: 1000,
  maxSettingsEntries: 32,
  maxEncoderTableSize: 4096,
  outboundBufferSize: 1048576,
} as const;

/**
 * Every key {@link H2Configuration} reads (any other is refused: see ./options-check). A record, so
 * that an option added to {@link H2ConfigurationOptions} and not here fails to compile.
 */
const OPTION_KEYS: Record<keyof H2ConfigurationOptions, true> = {
  clientSide: true,
  headerEncoding: true,
  validateOutboundHeaders: true,
  normalizeOutboundHeaders: true,
  splitOutboundCookies: true,
  validateInboundHeaders: true,
  normalizeInboundHeaders: true,
  logger: true,
  maxHeaderListSize: true,
  maxHeaderFields: true,
  oversizedRequestStatus: true,
  maxContinuationFrames: true,
  maxHeaderBlockSize: true,
  maxConcurrentStreams: true,
  maxClosedStreams: true,
  maxQueuedControlFrames: true,
  maxResetStreams: true,
  maxEmptyFrames: true,
  maxPriorityFrames: true,
  maxUnknownFrames: true,
  maxSettingsEntries: true,
  maxEncoderTableSize: true,
  outboundBufferSize: true,
};
const OPTION_NAMES = Object.keys(OPTION_KEYS);

/** A logger must have both methods: a wrong value would fail only at the first log call. */
function checkLogger(value: unknown): H2Logger {
  const l = value as Partial<H2Logger> | null;
  if (typeof l !== 'object' || l === null || typeof l.debug !== 'function' || typeof l.trace !== 'function') {
    throw new TypeError('H2Configuration: logger must be an object with debug() and trace() methods, or null');
  }
  return l as H2Logger;
}

const BOOLEAN_OPTIONS = [
  'clientSide',
  'validateOutboundHeaders',
  'normalizeOutboundHeaders',
  'splitOutboundCookies',
  'validateInboundHeaders',
  'normalizeInboundHeaders',
] as const;

function checkBool(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a bool`);
  return value;
}

function checkLimit(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer between ${min} and ${max}, not ${String(value)}`);
  }
  return value;
}

const MAX_U32 = 0xffffffff;

/** The bits of {@link H2Configuration}'s boolean options. */
const FLAG = {
  CLIENT_SIDE: 1,
  VALIDATE_OUTBOUND: 2,
  NORMALIZE_OUTBOUND: 4,
  SPLIT_COOKIES: 8,
  VALIDATE_INBOUND: 16,
  NORMALIZE_INBOUND: 32,
} as const;
/** h2's defaults: client side, validate and normalize both ways, cookies not split. */
const DEFAULT_FLAGS = FLAG.CLIENT_SIDE | FLAG.VALIDATE_OUTBOUND | FLAG.NORMALIZE_OUTBOUND | FLAG.VALIDATE_INBOUND | FLAG.NORMALIZE_INBOUND;

/** The no-op logger every configuration without one shares (it has no state). */
const NO_LOGGER: H2Logger = new DummyLogger();

/** The resource limits of an {@link H2Configuration}, validated. */
interface ConfigLimits {
  readonly maxHeaderListSize: number;
  readonly maxHeaderFields: number;
  readonly oversizedRequestStatus: number | null;
  readonly maxContinuationFrames: number;
  readonly maxHeaderBlockSize: number;
  readonly maxConcurrentStreams: number;
  readonly maxClosedStreams: number;
  readonly maxQueuedControlFrames: number;
  readonly maxResetStreams: number;
  readonly maxEmptyFrames: number;
  readonly maxPriorityFrames: number;
  readonly maxUnknownFrames: number;
  readonly maxSettingsEntries: number;
  readonly maxEncoderTableSize: number;
  readonly outboundBufferSize: number;
}

/**
 * Frozen limits objects by their values: a server builds one configuration per connection, all with the
 * same limits, and they share one object instead of fifteen fields each. Bounded: past the bound a
 * configuration keeps its own.
 */
const SHARED_LIMITS = new Map<string, ConfigLimits>();
const MAX_SHARED_LIMITS = 64;

/** The shared limits object equal to `limits`. */
function sharedLimits(limits: ConfigLimits): ConfigLimits {
  const key = Object.values(limits).join();
  const shared = SHARED_LIMITS.get(key);
  if (shared !== undefined) return shared;
  if (SHARED_LIMITS.size < MAX_SHARED_LIMITS) SHARED_LIMITS.set(key, Object.freeze(limits));
  return limits;
}

/**
 * The configuration of one {@link H2Connection}: h2's options (validated as h2 validates them: the
 * boolean options reject non-booleans, `headerEncoding` rejects `true`) and h2flow's resource limits.
 * Every limit has a safe default and stops a named attack; all are enforced before memory grows.
 * Options may be changed after construction, as in h2; the limits and the logger are read when the
 * connection is built.
 * Port of h2.config.H2Configuration.
 *
 * @example
 * const config = new H2Configuration({ clientSide: false, maxConcurrentStreams: 250 });
 */
export class H2Configuration {
  /** The boolean options, one bit each (see {@link FLAG}): one field instead of six. */
  #flags = DEFAULT_FLAGS;
  #headerEncoding: HeaderEncoding = null;
  /** The limits, shared by every configuration built with the same ones (see {@link sharedLimits}). */
  readonly #limits: ConfigLimits;

  /** The logger; the shared no-op {@link DummyLogger} unless one was given. */
  logger: H2Logger;

  /**
   * SETTINGS_MAX_HEADER_LIST_SIZE we advertise and enforce in the HPACK decoder (the sum of
   * name + value + 32 over a decoded header block, RFC 7541 §4.1). Stops the HPACK bomb
   * (CVE-2016-6581) and the 0-length headers leak (CVE-2019-9516). A larger block is still decoded
   * (within {@link maxHeaderBlockSize} encoded octets, keeping HPACK in sync) but no field past the
   * limit is kept, and it is a stream error, as for {@link maxHeaderFields}: RST_STREAM
   * ENHANCE_YOUR_CALM, or the {@link oversizedRequestStatus} response; the connection and its other
   * streams go on (RFC 9113 §10.5.1). h2 makes it a connection error. Default 65536 (64 KiB), h2's value.
   */
  get maxHeaderListSize(): number {
    return this.#limits.maxHeaderListSize;
  }
  /**
   * The most fields (pseudo-header fields included) one received header block may carry: request,
   * response, 1xx, trailers, or a PUSH_PROMISE's request. Stops floods of many tiny fields (the
   * 0-length headers leak, CVE-2019-9516, and its kin): each field costs decoding, validation and an
   * allocation however small it is, and {@link maxHeaderListSize} alone lets through about 2 000
   * empty ones (32 octets each). A block with more fields is refused as a stream error: RST_STREAM
   * ENHANCE_YOUR_CALM (a new stream is never created; an open one is reset and reported as
   * `StreamReset` with `remoteReset: false`; a PUSH_PROMISE's promised stream is refused). Each
   * refusal spends the {@link maxResetStreams} budget, so a peer that keeps doing it ends in GOAWAY
   * ENHANCE_YOUR_CALM. The block is still decoded in full, so HPACK stays in sync. Default 128 (the
   * common server default for header pairs): well above the few dozen fields of ordinary
   * requests and responses, split cookies included. Raise it for peers that send more.
   */
  get maxHeaderFields(): number {
    return this.#limits.maxHeaderFields;
  }
  /**
   * A server's answer to a request refused for its header block ({@link maxHeaderListSize} or
   * {@link maxHeaderFields}): `null` (default) refuses it with RST_STREAM ENHANCE_YOUR_CALM; a
   * status (400 … 599, normally 431 Request Header Fields Too Large, RFC 6585 §5) answers it with a
   * bodiless response of that status instead (then RST_STREAM NO_ERROR if the client had not ended
   * its side, RFC 9113 §8.1), so a browser shows an error rather than retrying. The request is never
   * reported. Either way it spends one {@link maxResetStreams} token, so a peer that sends nothing
   * else ends in GOAWAY ENHANCE_YOUR_CALM. Beyond h2.
   */
  get oversizedRequestStatus(): number | null {
    return this.#limits.oversizedRequestStatus;
  }
  /**
   * The most frames (HEADERS/PUSH_PROMISE plus CONTINUATIONs) one header block may span. Stops the
   * CONTINUATION flood (CERT VU#421644, CVE-2024-27316/-28182/-27983/-2023-45288). Passed to the frame
   * buffer; default 64, h2's `CONTINUATION_BACKLOG`.
   */
  get maxContinuationFrames(): number {
    return this.#limits.maxContinuationFrames;
  }
  /**
   * The most encoded bytes one header block (HEADERS/PUSH_PROMISE plus CONTINUATIONs) may buffer
   * before it is decoded. Stops the CONTINUATION flood with large frames. Passed to the frame buffer;
   * default 2 × {@link maxHeaderListSize} (131072), as security.md proposes.
   */
  get maxHeaderBlockSize(): number {
    return this.#limits.maxHeaderBlockSize;
  }
  /**
   * SETTINGS_MAX_CONCURRENT_STREAMS we advertise. A peer-initiated stream past it is refused with
   * RST_STREAM REFUSED_STREAM (RFC 9113 §5.1.2), which also spends the {@link maxResetStreams}
   * budget, so an endless stream of refusals ends in GOAWAY ENHANCE_YOUR_CALM. It also bounds the
   * streams a server may reserve with PUSH_PROMISE (reserved streams do not count as concurrent, RFC
   * 9113 §5.1.2): further pushes are refused. Stops stream-count exhaustion. Default 100, h2's value
   * (RFC 9113 recommends at least 100).
   */
  get maxConcurrentStreams(): number {
    return this.#limits.maxConcurrentStreams;
  }
  /**
   * How many closed streams the connection remembers (to tell a late frame on a reset stream from a
   * protocol violation). Bounds memory against stream-ID walking (an attacker opening and closing
   * millions of streams). Default 65536, h2's `MAX_CLOSED_STREAMS`.
   */
  get maxClosedStreams(): number {
    return this.#limits.maxClosedStreams;
  }
  /**
   * The most automatic control frames (PING ACK, SETTINGS ACK, RST_STREAM) that may wait in the
   * outbound buffer, i.e. not yet taken by `dataToSend()`. One more is a connection error
   * ENHANCE_YOUR_CALM. Stops the Ping Flood (CVE-2019-9512), Settings Flood (CVE-2019-9515) and Reset
   * Flood (CVE-2019-9514) against a peer that never reads. Default 1000 (nghttp2's
   * `max_outbound_ack`).
   */
  get maxQueuedControlFrames(): number {
    return this.#limits.maxQueuedControlFrames;
  }
  /**
   * Budget of stream resets the peer may cause: every RST_STREAM received for a stream the peer
   * opened, and every RST_STREAM we send automatically because of the peer (refused streams, frames
   * on closed streams, window overflows, malformed messages) costs one token; every stream that ends normally (with
   * END_STREAM) gives one back. An empty budget is a connection error ENHANCE_YOUR_CALM. The core has
   * no clock, so this is a count-based bucket instead of nghttp2's 1000-burst / 33-per-second one.
   * Stops Rapid Reset (CVE-2023-44487) and MadeYouReset (CVE-2025-8671). Default 1000.
   * It counts every reset of a peer stream, answered or not (a superset of what hyperium's
   * `max_pending_accept_reset_streams`, 20, counts: streams reset before the application accepted
   * them). That concurrent cap has no counterpart here, since the core has no accept step (a request
   * is reported in the same `receiveData` call): the layer that runs handlers owns it.
   */
  get maxResetStreams(): number {
    return this.#limits.maxResetStreams;
  }
  /**
   * Budget of empty frames that carry no progress: DATA with no payload, or HEADERS with an empty
   * header block, and no END_STREAM. Each costs
   * one token, each stream that ends normally gives one back; an empty budget is a connection error
   * ENHANCE_YOUR_CALM. Stops the Empty Frames Flood (CVE-2019-9518). Default 1000.
   */
  get maxEmptyFrames(): number {
    return this.#limits.maxEmptyFrames;
  }
  /**
   * Budget of RFC 7540 priority signals (PRIORITY frames, PRIORITY_UPDATE frames) received. Each
   * costs one token, each stream that ends normally gives one back; an empty budget is a connection
   * error ENHANCE_YOUR_CALM. Stops the priority-churn Resource Loop (CVE-2019-9513) from costing
   * unbounded work upstream. Default 10000.
   */
  get maxPriorityFrames(): number {
    return this.#limits.maxPriorityFrames;
  }
  /**
   * Budget of received frames the connection does nothing with but report or drop: frames of an
   * unknown or unsupported type (extension frames, reported as `UnknownFrameReceived`), ALTSVC
   * frames received by a server (which ignores them, RFC 7838 §4), and SETTINGS or PING ACKs beyond
   * the SETTINGS and PINGs we sent (still reported, as h2 does). Each costs one token, each stream
   * that ends normally gives one back; an empty budget is a connection error ENHANCE_YOUR_CALM. Stops
   * a flood of such frames, each costing parsing and an event out of proportion to its size (counted
   * as "glitches" by nghttp2, CVE-2019-9518's family). PRIORITY_UPDATE frames spend
   * {@link maxPriorityFrames} instead. WINDOW_UPDATEs are not counted, however small: a peer may
   * legitimately return window in any steps (some acknowledge every DATA frame, or open a large window
   * early), so no count tells abuse from that; each costs O(1) work and one event for its 13 octets,
   * in proportion to the input like any DATA frame. Default 1000.
   */
  get maxUnknownFrames(): number {
    return this.#limits.maxUnknownFrames;
  }
  /**
   * The most settings one received SETTINGS frame may carry. More is a connection error
   * ENHANCE_YOUR_CALM. Stops SETTINGS-driven CPU exhaustion (CVE-2020-11080). Default 32, nghttp2's.
   */
  get maxSettingsEntries(): number {
    return this.#limits.maxSettingsEntries;
  }
  /**
   * The largest HPACK dynamic table our encoder uses, whatever SETTINGS_HEADER_TABLE_SIZE the peer
   * advertises: the encoder's table is min(peer's value, this). RFC 7541 §4.2 lets an encoder use any
   * size up to the peer's limit. Stops a peer that advertises 2^32-1 from making us keep every field
   * we ever send (unbounded memory, and encoding cost growing with it). Default 4096, the RFC's
   * initial size (nghttp2's `max_deflate_dynamic_table_size`, Go's `MaxEncoderHeaderTableSize`).
   */
  get maxEncoderTableSize(): number {
    return this.#limits.maxEncoderTableSize;
  }
  /**
   * The number of queued outbound bytes past which `H2Connection.outboundBufferFull` turns true: the
   * I/O layer should stop reading input until `dataToSend()` drains it. Bounds memory against a peer
   * that does not read (Internal Data Buffering, CVE-2019-9517; Data Dribble, CVE-2019-9511). The core
   * itself never refuses to queue. Default 1048576 (1 MiB).
   */
  get outboundBufferSize(): number {
    return this.#limits.outboundBufferSize;
  }

  /** @param options Any of h2's options (camelCase) and the limits; unspecified ones take their defaults. */
  constructor(configOptions?: H2ConfigurationOptions) {
    const options = checkOptions('H2Configuration', configOptions, OPTION_NAMES);
    for (const name of BOOLEAN_OPTIONS) {
      const value = options[name];
      if (value !== undefined) this[name] = value;
    }
    if (options.headerEncoding !== undefined) this.headerEncoding = options.headerEncoding;
    this.logger = options.logger == null ? NO_LOGGER : checkLogger(options.logger);
    const o = options;
    const maxHeaderListSize = checkLimit('maxHeaderListSize', o.maxHeaderListSize ?? DEFAULT_LIMITS.maxHeaderListSize, 0, MAX_U32);
    // One literal, always in this order: every limits object has the same shape.
    this.#limits = sharedLimits({
      maxHeaderListSize,
      maxHeaderFields: checkLimit('maxHeaderFields', o.maxHeaderFields ?? DEFAULT_LIMITS.maxHeaderFields, 1, MAX_U32),
      oversizedRequestStatus: o.oversizedRequestStatus == null ? null : checkLimit('oversizedRequestStatus', o.oversizedRequestStatus, 400, 599),
      maxContinuationFrames: checkLimit('maxContinuationFrames', o.maxContinuationFrames ?? DEFAULT_LIMITS.maxContinuationFrames, 1, MAX_U32),
      maxHeaderBlockSize: checkLimit('maxHeaderBlockSize', o.maxHeaderBlockSize ?? 2 * maxHeaderListSize, 0, Number.MAX_SAFE_INTEGER),
      maxConcurrentStreams: checkLimit('maxConcurrentStreams', o.maxConcurrentStreams ?? DEFAULT_LIMITS.maxConcurrentStreams, 0, MAX_U32),
      maxClosedStreams: checkLimit('maxClosedStreams', o.maxClosedStreams ?? DEFAULT_LIMITS.maxClosedStreams, 0, MAX_U32),
      maxQueuedControlFrames: checkLimit('maxQueuedControlFrames', o.maxQueuedControlFrames ?? DEFAULT_LIMITS.maxQueuedControlFrames, 1, MAX_U32),
      maxResetStreams: checkLimit('maxResetStreams', o.maxResetStreams ?? DEFAULT_LIMITS.maxResetStreams, 1, MAX_U32),
      maxEmptyFrames: checkLimit('maxEmptyFrames', o.maxEmptyFrames ?? DEFAULT_LIMITS.maxEmptyFrames, 1, MAX_U32),
      maxPriorityFrames: checkLimit('maxPriorityFrames', o.maxPriorityFrames ?? DEFAULT_LIMITS.maxPriorityFrames, 1, MAX_U32),
      maxUnknownFrames: checkLimit('maxUnknownFrames', o.maxUnknownFrames ?? DEFAULT_LIMITS.maxUnknownFrames, 1, MAX_U32),
      maxSettingsEntries: checkLimit('maxSettingsEntries', o.maxSettingsEntries ?? DEFAULT_LIMITS.maxSettingsEntries, 1, MAX_U32),
      maxEncoderTableSize: checkLimit('maxEncoderTableSize', o.maxEncoderTableSize ?? DEFAULT_LIMITS.maxEncoderTableSize, 0, MAX_U32),
      outboundBufferSize: checkLimit('outboundBufferSize', o.outboundBufferSize ?? DEFAULT_LIMITS.outboundBufferSize, 0, Number.MAX_SAFE_INTEGER),
    });
  }

  /** `true` unless the logger is a {@link DummyLogger}: the connection builds log arguments only then. */
  get hasLogger(): boolean {
    return !(this.logger instanceof DummyLogger);
  }

  /** Whether this connection is the client side. Port of h2's `client_side` (must be a boolean). */
  get clientSide(): boolean {
    return (this.#flags & FLAG.CLIENT_SIDE) !== 0;
  }
  set clientSide(value: boolean) {
    this.#flags = withBit(this.#flags, FLAG.CLIENT_SIDE, checkBool('clientSide', value));
  }

  /**
   * How header names and values map to text, both ways (see ./header-encoding): `null`/`false` →
   * ByteStrings (one char per byte, h2's bytes) in events, and strings to send must be ByteStrings;
   * `'utf-8'` (or `'latin-1'`, `'ascii'`) → events carry decoded text, and strings to send are encoded
   * with it. `true` is rejected, as in h2; so is an encoding the core does not implement (RangeError).
   */
  get headerEncoding(): HeaderEncoding {
    return this.#headerEncoding;
  }
  set headerEncoding(value: HeaderEncoding) {
    if ((value as unknown) === true) throw new TypeError('headerEncoding cannot be true');
    if (value !== null && value !== false && typeof value !== 'string') {
      throw new TypeError('headerEncoding must be a string, false, or null');
    }
    // An encoding the core cannot apply fails here, not at the first header block sent or received.
    headerCodec(value);
    this.#headerEncoding = value;
  }

  /** Validate outbound headers. Port of h2's `validate_outbound_headers`. */
  get validateOutboundHeaders(): boolean {
    return (this.#flags & FLAG.VALIDATE_OUTBOUND) !== 0;
  }
  set validateOutboundHeaders(value: boolean) {
    this.#flags = withBit(this.#flags, FLAG.VALIDATE_OUTBOUND, checkBool('validateOutboundHeaders', value));
  }

  /** Normalize outbound headers. Port of h2's `normalize_outbound_headers`. */
  get normalizeOutboundHeaders(): boolean {
    return (this.#flags & FLAG.NORMALIZE_OUTBOUND) !== 0;
  }
  set normalizeOutboundHeaders(value: boolean) {
    this.#flags = withBit(this.#flags, FLAG.NORMALIZE_OUTBOUND, checkBool('normalizeOutboundHeaders', value));
  }

  /** Split outbound cookies. Port of h2's `split_outbound_cookies`. */
  get splitOutboundCookies(): boolean {
    return (this.#flags & FLAG.SPLIT_COOKIES) !== 0;
  }
  set splitOutboundCookies(value: boolean) {
    this.#flags = withBit(this.#flags, FLAG.SPLIT_COOKIES, checkBool('splitOutboundCookies', value));
  }

  /** Validate inbound headers. Port of h2's `validate_inbound_headers`. */
  get validateInboundHeaders(): boolean {
    return (this.#flags & FLAG.VALIDATE_INBOUND) !== 0;
  }
  set validateInboundHeaders(value: boolean) {
    this.#flags = withBit(this.#flags, FLAG.VALIDATE_INBOUND, checkBool('validateInboundHeaders', value));
  }

  /** Normalize inbound headers. Port of h2's `normalize_inbound_headers`. */
  get normalizeInboundHeaders(): boolean {
    return (this.#flags & FLAG.NORMALIZE_INBOUND) !== 0;
  }
  set normalizeInboundHeaders(value: boolean) {
    this.#flags = withBit(this.#flags, FLAG.NORMALIZE_INBOUND, checkBool('normalizeInboundHeaders', value));
  }
}
