/**
 * Where the oracle (Debian's h2 4.1.0 with hpack 4.0.0 and hyperframe 6.0.0) and h2flow (a port of
 * h2 4.4.1, hpack 4.2.0 and hyperframe HEAD) may legitimately answer differently — the ONE place the
 * differential oracle adjusts its comparison, and the list of every way h2flow differs from h2 4.4.1. Found with `git log v4.1.0..v4.4.1`, the CHANGELOGs and a
 * source diff of src/h2 (most of the 103 commits are typing, dataclasses and lint, with no behaviour).
 *
 * How the comparison uses this list (test/core/oracle.test.ts):
 * - A scenario that exercises a difference carries `differs: <id>` and `expectLast` (h2flow's answer
 *   under 4.4 semantics). All its steps but the last are compared with python; the last is checked
 *   against `expectLast`; and python's last step must NOT satisfy `expectLast` (else the tag is stale).
 * - An `allowed` difference excuses an exception (class, code) only in scenarios that list its id in
 *   `allows`, and only at the ops, classes and received frame types its `excuses` name (compare.ts).
 * - A `state` difference applies from the state it describes on (after a fatal error, after a failed
 *   send desynchronised python's encoder); compare.ts detects that state itself.
 * - `normal-form` differences are absorbed by how both sides are recorded (normalize.ts, driver.py,
 *   ORACLE_CONFIG); `avoided` ones are exercised by no scenario (each names the tests that cover it).
 * - Random scenarios are drawn so they never hit a `scope: 'tagged'` difference (random.ts).
 * - h2flow's own limits (beyond h2) are raised by {@link ORACLE_CONFIG} so they never fire here.
 */

/** One documented difference. */
export interface Difference {
  /** The id scenarios use in `differs`. */
  id: string;
  /** What input or call is concerned. */
  what: string;
  /** What the oracle (h2 4.1.0 / hpack 4.0.0 / hyperframe 6.0.0) does. */
  oracle: string;
  /** What h2flow does (h2 4.4.1 semantics, or h2flow's own design). */
  ours: string;
  /** Why: the upstream change (commit / release) or our design decision. */
  why: string;
  /** How the comparison scopes it (see the file header). */
  scope: 'tagged' | 'allowed' | 'state' | 'normal-form' | 'avoided';
  /** `allowed` only: the exceptions it excuses, each at named ops only. */
  excuses?: readonly Excuse[];
}

/** One exception an `allowed` difference lets h2flow throw where python throws another. */
export interface Excuse {
  /** The steps (`op`, or `receive`) where it applies. */
  ops: readonly string[];
  /** Python's exception classes. */
  python: readonly string[];
  /** The classes h2flow may throw instead. */
  ours: readonly string[];
  /** Python's error code, when it matters. */
  pythonCode?: number;
  /** Our error code, when it matters. */
  oursCode?: number;
  /** `receive` steps: only when the received bytes carry a frame of one of these types. */
  frameTypes?: readonly number[];
  /** `[python, ours]`: the GOAWAY code we send in place of python's at that step. */
  goawayCode?: readonly [number, number];
}

/** Every known difference, in one list. */
export const DIFFERENCES: readonly Difference[] = [
  {
    id: 'illegal-characters',
    what: 'Inbound header names with bytes ≤ 0x20 / ≥ 0x7F or a non-leading ":", values containing NUL, CR or LF',
    oracle: 'Accepted (4.1 only rejects uppercase names and surrounding whitespace)',
    ours: 'Malformed (RFC 9113 §8.2.1): a stream error RST_STREAM PROTOCOL_ERROR (see malformed-stream-error; h2 4.4 ends the connection)',
    why: 'h2 4.3.0 (883ed37, 035e989, 9e4bbed): "reject header names and values containing illegal characters"',
    scope: 'tagged',
  },
  {
    id: 'whitespace-edges',
    what: 'Inbound header values starting/ending with VT (0x0B) or FF (0x0C), names ending in whitespace',
    oracle: 'ProtocolError ("surrounded by whitespace", python string.whitespace)',
    ours: 'VT/FF at value edges accepted (only SP/HTAB count); whitespace in names is an illegal-character ProtocolError',
    why: 'h2 4.3.0 (9e4bbed) merged the whitespace check into the RFC 9113 §8.2.1 character check',
    scope: 'avoided',
  },
  {
    id: 'ordinary-connect',
    what: 'Ordinary CONNECT (no :protocol), sent or received',
    oracle: 'Requires :scheme and :path like any request; accepts them',
    ours: 'Forbids :scheme and :path, requires only :authority (RFC 9113 §8.5)',
    why: 'h2 4.4.0 (0d72e34, PR #1309)',
    scope: 'tagged',
  },
  {
    id: 'duplicate-host',
    what: 'A request header block with two host fields',
    oracle: 'Accepted (the last value is compared with :authority)',
    ours: 'Malformed: RST_STREAM PROTOCOL_ERROR (see malformed-stream-error; h2 4.4 ends the connection)',
    why: 'h2 4.4.1 (292a408)',
    scope: 'tagged',
  },
  {
    id: 'content-length-grammar',
    what: 'content-length values that Python int() accepts but are not 1*DIGIT ("+5", "5_0", " 5"), and several differing content-length fields',
    oracle: 'int(v) parses them; with several fields the first one wins',
    ours: 'Malformed (RFC 9110 §8.6 grammar; conflicting values rejected): RST_STREAM PROTOCOL_ERROR (see malformed-stream-error)',
    why: 'h2 4.4.0 (c40145f, aba9ad6 / PR #1317)',
    scope: 'tagged',
  },
  {
    id: 'enable-push-from-server',
    what: 'A client receiving SETTINGS_ENABLE_PUSH = 1 from a server',
    oracle: 'Accepted',
    ours: 'InvalidSettingsValueError → GOAWAY PROTOCOL_ERROR (RFC 9113 §6.5.2)',
    why: 'h2 4.4.0 (1cd9ce0, PR #1318)',
    scope: 'tagged',
  },
  {
    id: 'zero-byte-data-negative-window',
    what: 'sendData with 0 bytes while the stream window is negative (after a smaller INITIAL_WINDOW_SIZE)',
    oracle: 'FlowControlError',
    ours: 'The empty DATA frame is sent',
    why: 'h2 4.4.0 (b08b9d7, PR #1314)',
    scope: 'tagged',
  },
  {
    id: 'end-stream-errors',
    what: 'endStream on a stream that was closed and forgotten, or never existed',
    oracle: 'A bare KeyError',
    ours: 'StreamClosedError / NoSuchStreamError',
    why: 'h2 4.4.0 (700990e)',
    scope: 'tagged',
  },
  {
    id: 'zero-byte-data-unknown-stream',
    what: 'sendData with 0 bytes on an unknown or forgotten stream',
    oracle: 'StreamClosedError / NoSuchStreamError from the window check',
    ours: 'h2 4.4 skips the window check for 0 bytes, so the stream lookup fails instead (a KeyError in python)',
    why: 'h2 4.4.0 (b08b9d7) reordered the check',
    scope: 'avoided',
  },
  {
    id: 'cookie-substring',
    what: 'Outbound header names that are substrings of "cookie" ("c", "ok", ...) with values under 20 bytes',
    oracle: 'Sent as never-indexed literals (`name in b"cookie"` substring test)',
    ours: 'Only "cookie" itself is treated as a cookie',
    why: 'h2 4.4.0 (be8b4e3, PR #1313); also `in b":method"` became `==`',
    scope: 'avoided',
  },
  {
    id: 'split-outbound-cookies',
    what: 'The splitOutboundCookies option',
    oracle: 'Does not exist (added in 4.2.0)',
    ours: 'Supported',
    why: 'h2 4.2.0 (a48a2fe); not exercised by the oracle',
    scope: 'avoided',
  },
  {
    id: 'reserved-bits',
    what: 'WINDOW_UPDATE increments and GOAWAY last-stream-ids with the reserved high bit set',
    oracle: 'hyperframe 6.0.0 keeps the bit: an increment > 2^31-1 is a ProtocolError',
    ours: 'The bit is masked off (RFC 9113 §6.8, §6.9)',
    why: 'hyperframe after 6.1.0 (36694a5, e1df3c4)',
    scope: 'avoided',
  },
  {
    id: 'hpack-varint-limit',
    what: 'HPACK integers above 2^32-1 (or longer than 5 continuation bytes)',
    oracle: 'hpack 4.0.0 decodes them (then usually fails later)',
    ours: 'HPACKDecodingError at once → COMPRESSION_ERROR',
    why: 'hpack 4.2.0 ("restricted variable integer decoding to uint32"); covered by the attack tests',
    scope: 'avoided',
  },
  {
    id: 'hpack-representation',
    what: 'The exact HPACK representation and Huffman choice of emitted header blocks, hence CONTINUATION split points',
    oracle: 'hpack 4.0.0 (misses the perfect match for empty values)',
    ours: 'hpack 4.2.0 semantics',
    why: 'hpack 4.2.0 "fixed perfect match missed for headers with empty values"; the oracle compares decoded header lists and joins CONTINUATIONs, never block bytes',
    scope: 'normal-form',
  },
  {
    id: 'builtin-exceptions',
    what: 'API misuse that python reports with ValueError: ping data not 8 octets, ALTSVC with both origin and stream, a flow-control increment or acknowledged size out of range; prioritize on stream 0 (the frame layer\'s InvalidDataError, with an error code on our side)',
    oracle: 'ValueError',
    ours: 'TypeError (wrong kind of argument) or RangeError (a number out of range)',
    why: 'JS has no ValueError; each excuse names the call and the JS class, so any other JS error (a crash) still fails',
    scope: 'allowed',
    excuses: [
      { ops: ['ping', 'advertiseAlternativeService'], python: ['ValueError'], ours: ['TypeError'] },
      { ops: ['incrementFlowControlWindow', 'acknowledgeReceivedData'], python: ['ValueError'], ours: ['RangeError'] },
      // prioritize(0): both leak the frame layer's InvalidDataError; ours carries an error code.
      { ops: ['prioritize'], python: ['InvalidDataError'], ours: ['InvalidDataError'] },
    ],
  },
  {
    id: 'altsvc-no-target',
    what: 'advertiseAlternativeService with neither origin nor streamId',
    oracle: 'TypeError (a None stream id reaches the stream lookup)',
    ours: 'NoSuchStreamError',
    why: 'h2 4.3/4.4 typing cleanup: `_get_stream_by_id` raises NoSuchStreamError for a falsy id',
    scope: 'tagged',
  },
  {
    id: 'keyerror-lookups',
    what: "API calls that reach h2's unguarded `self.streams[stream_id]` (incrementFlowControlWindow on an unknown stream, ...)",
    oracle: 'A bare KeyError (in 4.4 too)',
    ours: 'NoSuchStreamError / StreamClosedError (typed errors for API misuse)',
    why: 'h2flow design (brief: API misuse throws typed errors); compareStep accepts these in place of a KeyError',
    scope: 'allowed',
    excuses: [{ ops: ['incrementFlowControlWindow'], python: ['KeyError'], ours: ['NoSuchStreamError', 'StreamClosedError'] }],
  },
  {
    id: 'naked-continuation',
    what: 'A CONTINUATION frame outside a header block',
    oracle: 'NoSuchStreamError / StreamClosedError (the stream is looked up first), GOAWAY PROTOCOL_ERROR; on a stream closed by a reset, only RST_STREAM STREAM_CLOSED (random scenarios avoid that case)',
    ours: 'ProtocolError from the frame buffer, GOAWAY PROTOCOL_ERROR (same frame on the wire)',
    why: 'Our FrameBuffer rejects a CONTINUATION that continues nothing (RFC 9113 §6.10); compareStep accepts the class',
    scope: 'allowed',
    excuses: [{ ops: ['receive'], python: ['NoSuchStreamError', 'StreamClosedError'], ours: ['ProtocolError'], pythonCode: 1, oursCode: 1, frameTypes: [0x9] }],
  },
  {
    id: 'hpack-compression-error',
    what: 'A header block that fails HPACK decoding',
    oracle: 'ProtocolError → GOAWAY PROTOCOL_ERROR (h2 4.4 too)',
    ours: 'ProtocolError with errorCode COMPRESSION_ERROR → GOAWAY COMPRESSION_ERROR',
    why: 'h2flow design, RFC 9113 §4.3: "MUST treat a field block that cannot be decoded as a connection error of type COMPRESSION_ERROR"; compareStep maps code 9 to 1 only when we raised code 9',
    scope: 'allowed',
    excuses: [{ ops: ['receive'], python: ['ProtocolError'], ours: ['ProtocolError'], pythonCode: 1, oursCode: 9, frameTypes: [0x1, 0x5, 0x9], goawayCode: [1, 9] }],
  },
  {
    id: 'window-update-zero-stream',
    what: 'WINDOW_UPDATE with increment 0 on a stream',
    oracle: 'Connection error PROTOCOL_ERROR (hyperframe rejects the frame; h2 4.4 too)',
    ours: 'Stream error: RST_STREAM PROTOCOL_ERROR and a StreamReset event; counts against the reset budget',
    why: 'h2flow design, RFC 9113 §6.9: "a flow-control window increment of 0 as a stream error of type PROTOCOL_ERROR"',
    scope: 'tagged',
  },
  {
    id: 'settings-ack-payload',
    what: 'SETTINGS with ACK and a non-empty payload',
    oracle: 'ProtocolError → GOAWAY PROTOCOL_ERROR (hyperframe InvalidDataError; also in hyperframe HEAD)',
    ours: 'FrameDataMissingError → GOAWAY FRAME_SIZE_ERROR',
    why: 'Our frame layer follows RFC 9113 §6.5: "… MUST be treated as a connection error of type FRAME_SIZE_ERROR"',
    scope: 'tagged',
  },
  {
    id: 'graceful-goaway',
    what: 'closeConnection() with NO_ERROR, or a received GOAWAY with NO_ERROR, followed by more traffic',
    oracle: 'The connection is CLOSED at once: later sends and received frames raise ProtocolError (h2 issue #1181; 4.4 too)',
    ours: 'Drains: streams up to the last stream id continue; new streams are refused; frames that follow in the same read are processed',
    why: 'h2flow design (src/core/connection.ts, RFC 9113 §6.8 graceful shutdown)',
    scope: 'tagged',
  },
  {
    id: 'after-fatal-error',
    what: 'Input received after a connection error',
    oracle: 'The failing frame stays in the FrameBuffer (or the state is CLOSED), so every later receive_data raises again and queues another GOAWAY; closed streams stay counted; acknowledgeReceivedData still queues WINDOW_UPDATEs after the GOAWAY',
    ours: 'Input after a connection error is discarded (no events, no frames), stream state may be freed, and API calls queue nothing (or exactly what h2 queues)',
    why: 'h2flow design, security.md §0 ("after a fatal GOAWAY, stop processing input and free all state"); compareScenario checks exactly that for later receives and skips queries; a JS (non-h2) error must still be python\'s own',
    scope: 'state',
  },
  {
    id: 'encoder-desync',
    what: 'Emitted header blocks after a sendHeaders/pushStream that failed validation',
    oracle: 'h2 validates lazily while encoding, so the failed block leaves entries in its HPACK encoder table that were never sent; later blocks reference them and cannot be decoded by the peer (4.4 too)',
    ours: 'Headers, trailers-without-END_STREAM and priority arguments are checked before encoding; the encoder state is untouched by a failed send',
    why: "h2 bug avoided by design; once the oracle output is undecodable after a failed send, compareScenario compares later frames without their header lists, but still fails if h2flow's own blocks are undecodable",
    scope: 'state',
  },
  {
    id: 'refused-stream',
    what: 'A peer opening a stream past our advertised MAX_CONCURRENT_STREAMS',
    oracle: 'TooManyStreamsError → GOAWAY PROTOCOL_ERROR',
    ours: 'RST_STREAM REFUSED_STREAM, the connection survives (RFC 9113 §5.1.2; security.md §13)',
    why: 'h2flow design (src/core/config.ts maxConcurrentStreams); no oracle scenario opens more than 100 inbound streams',
    scope: 'avoided',
  },
  {
    id: 'encoder-table-cap',
    what: 'A peer advertising SETTINGS_HEADER_TABLE_SIZE above 4096',
    oracle: "The HPACK encoder's table takes the peer's value (a Dynamic Table Size Update to it opens the next block)",
    ours: 'The table takes min(peer value, maxEncoderTableSize = 4096) (RFC 7541 §4.2 allows any size up to the limit)',
    why: 'h2flow design (src/core/config.ts maxEncoderTableSize): a peer advertising 2^32-1 must not make us keep every field we send. Left at its default here: frames are compared as decoded header lists, which are equal either way (no scenario sends more than 4096 octets of indexed fields after raising it)',
    scope: 'avoided',
  },
  {
    id: 'settings-pending-lookup',
    what: 'Reading a setting that has only a pending (unacknowledged) value, e.g. an unknown code we sent',
    oracle: '`settings[key]` raises KeyError (`settings.get(key)`, the Mapping method, returns None)',
    ours: '`Settings.get(code)` returns undefined and `has(code)` is false; there is no throwing accessor',
    why: 'h2flow design: one lookup method, as JavaScript Maps have; no scenario reads Settings directly',
    scope: 'avoided',
  },
  {
    id: 'rst-stream-idle',
    what: 'RST_STREAM on an idle stream (an ID above the highest of its side) once the connection is open',
    oracle: 'Ignored (4.4 too; before any HEADERS the connection state machine rejects it)',
    ours: 'NoSuchStreamError → GOAWAY PROTOCOL_ERROR',
    why: 'h2 bug: RFC 9113 §6.4 "If a RST_STREAM frame identifying an idle stream is received, the recipient MUST treat this as a connection error of type PROTOCOL_ERROR"',
    scope: 'tagged',
  },
  {
    id: 'data-after-end-stream',
    what: 'DATA on a stream closed by END_STREAM both ways (still known, or forgotten but remembered as closed that way)',
    oracle: 'A stream error: RST_STREAM STREAM_CLOSED, the window acknowledged (4.4 too), although HEADERS there is a connection error',
    ours: 'StreamClosedError → GOAWAY STREAM_CLOSED, as for HEADERS. DATA after a reset, and in half-closed (remote), stays a stream error',
    why: 'RFC 9113 §5.1 (closed) allows a connection error STREAM_CLOSED; the peer sent END_STREAM itself, so no DATA can be in flight from before (only a reset races). Clients must answer so (h2spec client 5.1 "closed: Sends a DATA frame")',
    scope: 'tagged',
  },
  {
    id: 'settings-before-initiate',
    what: 'Local settings set (pending) before initiateConnection / initiateUpgradeConnection',
    oracle: 'The initial SETTINGS frame carries only the current values; the first ACK then applies the pending values the peer never saw (4.4 too)',
    ours: 'The initial SETTINGS frame (and the HTTP2-Settings header) carries the newest value of every setting; its one ACK applies them (RFC 9113 §6.5.3)',
    why: 'h2 bug: settings would change without being advertised; sessions advertise their settings in the one initial SETTINGS frame (peers and conformance suites expect its ACK next). No scenario sets settings before initiateConnection',
    scope: 'avoided',
  },
  {
    id: 'header-list-stream-error',
    what: 'A header block whose decoded list exceeds our MAX_HEADER_LIST_SIZE (maxHeaderListSize), within maxHeaderBlockSize encoded octets',
    oracle: 'DenialOfServiceError → GOAWAY ENHANCE_YOUR_CALM: every other stream of the connection dies with it',
    ours: 'Decoded in full (HPACK stays in sync; fields past the limit are dropped, never kept), then a stream error: RST_STREAM ENHANCE_YOUR_CALM for a new request (or the `oversizedRequestStatus` response, 431 under serve()), the stream reset for trailers/responses, the promised stream refused for PUSH_PROMISE. Only a block past maxHeaderBlockSize is a connection error',
    why: 'RFC 9113 §10.5.1 allows it ("a server that receives a larger header section than it is willing to handle can send an HTTP 431"); one oversized cookie must not cut a page\'s other requests (issue 13, as node:http2 does)',
    scope: 'tagged',
  },
  {
    id: 'malformed-stream-error',
    what: 'A malformed message received (RFC 9113 §8.1.1): invalid or forbidden fields, bad or missing pseudo-headers, an invalid content-length, in a request, response, trailers or promised request; trailers without END_STREAM; a 1xx with END_STREAM or after the final response; DATA before a response; a body longer than content-length, or shorter at END_STREAM',
    oracle: 'ProtocolError / InvalidBodyLengthError → GOAWAY PROTOCOL_ERROR: every other stream of the connection dies with it (h2 4.4 too)',
    ours: 'A stream error: RST_STREAM PROTOCOL_ERROR on that stream and StreamReset(PROTOCOL_ERROR, remoteReset: false) in place of its events (none for a new request, which was never reported; the promised stream of a malformed PUSH_PROMISE is refused, the parent goes on); the header block was decoded, so HPACK stays in sync; refused DATA is credited to the connection window; each reset spends the reset budget. Frames the stream state forbids (HEADERS or DATA after END_STREAM, ...) stay connection errors as in h2 (RFC 9113 §5.1)',
    why: 'RFC 9113 §8.1.1: "Malformed requests or responses that are detected MUST be treated as a stream error (Section 5.4.2) of type PROTOCOL_ERROR"; one bad request must not cut a page\'s other requests (issue 13). compareScenario recognises the case generically (compare.ts streamErrorInstead): where python ends the connection with PROTOCOL_ERROR on a receive for a malformed message (InvalidBodyLengthError, or a ProtocolError whose message compare.ts MALFORMED_MESSAGE lists) and h2flow raises nothing, h2flow must send python\'s frames up to the GOAWAY, then RST_STREAM PROTOCOL_ERROR on a stream the bytes carried a message on, no GOAWAY, and only a matching StreamReset; later steps must not crash, and the connection must still answer a PING after the last step',
    scope: 'state',
  },
  {
    id: 'stream-flow-control-error',
    what: 'DATA past a stream\'s receive window (the connection window still has room)',
    oracle: 'FlowControlError → GOAWAY FLOW_CONTROL_ERROR (h2 4.4 too)',
    ours: 'A stream error: RST_STREAM FLOW_CONTROL_ERROR and StreamReset(FLOW_CONTROL_ERROR, remoteReset: false); the DATA is credited to the connection window; past the connection window it stays a connection error',
    why: 'RFC 9113 §6.9.1: "A receiver MAY respond with a stream error (Section 5.4.2) or connection error (Section 5.4.1) of type FLOW_CONTROL_ERROR"; only that stream\'s accounting broke (as Go and nghttp2 answer). Recognised by the same generic comparison as malformed-stream-error (code 3)',
    scope: 'state',
  },
  {
    id: 'priority-length-stream-error',
    what: 'A PRIORITY frame whose payload is not 5 octets, on a stream that is open or closed (not idle)',
    oracle: 'hyperframe InvalidFrameError → FrameDataMissingError → GOAWAY FRAME_SIZE_ERROR (h2 4.4 too)',
    ours: 'A stream error: RST_STREAM FRAME_SIZE_ERROR (an open stream also gets StreamReset(FRAME_SIZE_ERROR, remoteReset: false)), spending the reset budget; on an idle stream still GOAWAY FRAME_SIZE_ERROR, since RST_STREAM there is itself a connection error for the peer (RFC 9113 §5.1)',
    why: 'RFC 9113 §6.3: "A PRIORITY frame with a length other than 5 octets MUST be treated as a stream error (Section 5.4.2) of type FRAME_SIZE_ERROR" (issue 13: no connection error where a stream error suffices). Recognised by the same generic comparison as malformed-stream-error (code 6, the RST on a stream a PRIORITY frame of the bytes named)',
    scope: 'state',
  },
  {
    id: 'content-length-at-end',
    what: 'A request, or a response other than 204/304/an answer to HEAD, whose HEADERS carry END_STREAM and a non-zero content-length; trailers that end a body shorter than content-length (or a content-length in trailers)',
    oracle: 'Accepted: h2 counts content-length on DATA frames only, and reads it again from trailers (a trailer without one drops the check)',
    ours: 'Malformed (RFC 9113 §8.1.1), a stream error as `malformed-stream-error`; trailers never change the expected length. A 204 or 304 response, or an answer to HEAD, ended by its HEADERS may announce a length (RFC 9113 §8.1.1, RFC 9110 §6.4.1)',
    why: 'RFC 9113 §8.1.1: "malformed if the value of a content-length header field does not equal the sum of the DATA frame payload lengths"; a handler must not take a truncated body for a complete one',
    scope: 'tagged',
  },
  {
    id: 'h2flow-limits',
    what: "h2flow's resource limits (maxResetStreams, maxEmptyFrames, maxPriorityFrames, maxUnknownFrames, maxQueuedControlFrames, maxSettingsEntries, maxHeaderBlockSize, maxHeaderFields)",
    oracle: 'No such limits',
    ours: 'GOAWAY ENHANCE_YOUR_CALM / FrameBuffer errors when exceeded; RST_STREAM ENHANCE_YOUR_CALM past maxHeaderFields',
    why: 'security.md; raised to their maximum in ORACLE_CONFIG so that they never fire in oracle scenarios (tested in attacks.test.ts)',
    scope: 'normal-form',
  },
  // --- h2flow's API and robustness differences from h2 4.4.1 itself (no oracle scenario exercises them;
  // each names the tests that cover it) ---
  {
    id: 'altsvc-string',
    what: 'advertiseAlternativeService field value and origin given as strings',
    oracle: 'bytes only: a str is a ValueError ("Field must be bytestring.")',
    ours: 'Uint8Array or a ByteString (one char per octet; a char above U+00FF is a TypeError)',
    why: 'h2flow design: JS has no bytes literal, headers are ByteStrings too (src/hpack/byte-string.ts). driver.py encodes the strings for h2; test/core/connection-extensions.test.ts',
    scope: 'normal-form',
  },
  {
    id: 'outbound-header-strings',
    what: 'Outbound header names and values given as strings',
    oracle: 'A str is always encoded as UTF-8 (header_encoding only decodes received headers)',
    ours: 'Encoded with headerEncoding (UTF-8 as UTF-8), both ways; without it a string is a ByteString and a char above U+00FF is a TypeError, never a silent re-encoding',
    why: 'h2flow design (src/core/header-encoding.ts): events deliver ByteStrings, which must go back out unchanged, and an h2flow client and server set to UTF-8 must agree. driver.py encodes the scenario strings as latin-1 for h2; test/core/header-encoding.test.ts',
    scope: 'normal-form',
  },
  {
    id: 'header-encoding-names',
    what: 'headerEncoding naming an encoding, and received octets invalid in it',
    oracle: 'Any Python codec, looked up when the first header block is decoded (LookupError then); invalid octets raise UnicodeDecodeError out of receive_data',
    ours: "utf-8, latin-1, ascii and their aliases; any other name is a RangeError when configured; invalid octets make the message malformed (RST_STREAM PROTOCOL_ERROR, see malformed-stream-error)",
    why: 'h2flow design: the sans-I/O core has no codec registry, and a peer must not be able to crash the connection with a decoding error; test/core/header-encoding.test.ts, test/core/headers.test.ts',
    scope: 'avoided',
  },
  {
    id: 'empty-header-name',
    what: 'An outbound header with an empty name, validation on',
    oracle: 'IndexError (h2 reads name[0])',
    ours: 'ProtocolError before anything is encoded',
    why: 'h2 crash avoided (src/core/header-validation.ts); test/core/headers.test.ts',
    scope: 'avoided',
  },
  {
    id: 'index-error-crashes',
    what: 'An empty encoded header block; a PUSH_PROMISE on an idle parent stream; priority that pushes HEADERS past the frame size',
    oracle: 'IndexError / AssertionError',
    ours: 'One HEADERS frame with an empty block; ProtocolError (the stream is closed); the block tail moves into a CONTINUATION',
    why: 'h2 crashes avoided (src/core/stream.ts, src/core/priority.ts); test/core/h2-crashes.test.ts, test/core/connection-extensions.test.ts',
    scope: 'avoided',
  },
  {
    id: 'update-settings-atomic',
    what: 'updateSettings with one invalid entry among valid ones',
    oracle: 'Entries are validated one by one while being stored: the ones before the invalid entry stay pending, with no SETTINGS frame sent',
    ours: 'Every entry is validated first: an invalid one changes nothing; a record keyed by names rather than codes is a TypeError',
    why: 'h2flow design: a refused call must leave no half-applied state (src/core/settings.ts checkedSettingsEntries); test/core/connection-settings.test.ts, test/core/h2-crashes.test.ts, test/core/api-arguments.test.ts',
    scope: 'avoided',
  },
  {
    id: 'logger',
    what: 'The logger: OutputLogger and the logger option',
    oracle: 'OutputLogger writes to a file (default stderr); any object may be passed as logger; log arguments are formatted by the logging call',
    ours: 'OutputLogger writes each line to a sink function (the core has no I/O); a logger must have debug() and trace() (TypeError otherwise); without one no log argument is evaluated',
    why: 'h2flow design: sans-I/O core, and no per-frame cost without a logger (src/core/config.ts); test/core/connection-settings.test.ts, test/core/api-arguments.test.ts',
    scope: 'avoided',
  },
  {
    id: 'options-objects',
    what: "Keyword arguments: h2's are Python keywords; h2flow's are one options object per method",
    oracle: 'An unknown keyword is a TypeError; a value passed positionally lands in the next parameter',
    ours: 'A non-object where the options belong, or an unknown key, is a TypeError naming the method (suggesting the camelCase name for snake_case); boolean options must be booleans',
    why: 'h2flow design for plain-JS callers (src/core/options-check.ts); test/core/api-arguments.test.ts, test/streams/session-options.test.ts',
    scope: 'avoided',
  },
  {
    id: 'acknowledge-unknown-stream',
    what: 'acknowledgeReceivedData on a stream that never existed',
    oracle: 'Counts the bytes against the connection window (possibly queueing a WINDOW_UPDATE), then raises',
    ours: 'NoSuchStreamError before the connection window counts anything',
    why: 'h2flow design: a refused call changes nothing (src/core/connection.ts); test/core/connection-flow-control.test.ts, test/core/h2-crashes.test.ts',
    scope: 'avoided',
  },
  {
    id: 'window-overflow-atomic',
    what: 'incrementFlowControlWindow past 2^31-1',
    oracle: 'FlowControlError raised after the window was already opened',
    ours: 'FlowControlError with the window unchanged',
    why: 'h2flow design (src/core/windows.ts); test/core/h2-crashes.test.ts',
    scope: 'avoided',
  },
  {
    id: 'reserved-push-limit',
    what: 'A client receiving more PUSH_PROMISEs than its MAX_CONCURRENT_STREAMS while the pushed streams are only reserved',
    oracle: 'No bound: every promised stream is kept',
    ours: 'Further pushes are refused with RST_STREAM REFUSED_STREAM (as nghttp2 bounds reserved streams)',
    why: 'h2flow design (src/core/connection.ts, security.md); no oracle scenario promises 100 streams; test/core/connection-limits.test.ts',
    scope: 'avoided',
  },
  {
    id: 'upgrade-padding',
    what: 'The HTTP2-Settings value of initiateUpgradeConnection',
    oracle: 'base64url with "=" padding',
    ours: 'base64url without padding (RFC 7540 §3.2.1); both forms accepted',
    why: 'RFC 7540 §3.2.1 (src/core/connection.ts); the oracle scenarios compare the SETTINGS frames, not the string; test/core/connection-upgrade.test.ts',
    scope: 'avoided',
  },
  {
    id: 'api-additions',
    what: 'Calls and properties beyond h2',
    oracle: 'None of them',
    ours: 'startGracefulShutdown() (two-step GOAWAY with a PING, RFC 9113 §6.8), dataToSendVectored() (uncopied DATA payloads), sendDataFrames() (a run of unpadded DATA frames in one call: the bytes, state and windows of sendData on each slice), bufferedAmount / outboundBufferFull, and a PRIORITY_UPDATE frame (RFC 9218) reported as UnknownFrameReceived carrying the parsed frame',
    why: 'h2flow design (README API map); test/core/connection-shutdown.test.ts, test/core/connection-vectored.test.ts, test/core/send-data-frames.test.ts, test/core/connection-extensions.test.ts',
    scope: 'avoided',
  },
  {
    id: 'exception-shape',
    what: 'Exception classes',
    oracle: 'InvalidSettingsValueError is also a ValueError; exceptions carry only their message',
    ours: 'InvalidSettingsValueError extends ProtocolError only (single inheritance); every exception carries `events`: what receiveData decoded before the error',
    why: 'JS single inheritance; nothing decoded is lost (src/core/exceptions.ts); test/core/connection-basic.test.ts, test/core/connection-limits.test.ts',
    scope: 'avoided',
  },
];

/** Ids a scenario may carry in `differs`. */
export const TAGGED_DIFFERENCES = new Set(DIFFERENCES.filter((d) => d.scope === 'tagged').map((d) => d.id));

/** Extra H2Configuration options for every oracle scenario on the h2flow side (see `h2flow-limits`). */
export const ORACLE_CONFIG: Readonly<Record<string, number>> = {
  maxResetStreams: 0xffffffff,
  maxEmptyFrames: 0xffffffff,
  maxPriorityFrames: 0xffffffff,
  maxUnknownFrames: 0xffffffff,
  maxQueuedControlFrames: 0xffffffff,
  maxSettingsEntries: 0xffffffff,
  maxHeaderBlockSize: Number.MAX_SAFE_INTEGER,
  maxHeaderFields: 0xffffffff,
};

/** Ids a scenario may list in `allows`. */
export const ALLOWED_DIFFERENCES = new Set(DIFFERENCES.filter((d) => d.scope === 'allowed').map((d) => d.id));

