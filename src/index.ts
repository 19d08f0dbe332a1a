/**
 * h2flow: HTTP/2 for every JavaScript runtime. The runtime-neutral root entry, for users: sessions
 * (`H2Session`, whose streams are `H2Stream`s), the fetch-style adapters over them (`serveSession`,
 * `H2Client`, trailers), and every error a user may catch, with the HTTP/2 error codes they carry. On
 * Node, `h2flow` also exports `serve`, `connect` and `listen` (see index-node.ts).
 *
 * Each name is listed on purpose (test/package-root.test.ts holds the exact list): the layers' internals
 * (the protocol core's `H2Connection`, events and state machines, frames, HPACK) stay in their own
 * entries, `h2flow/core`, `h2flow/frame`, `h2flow/hpack`, `h2flow/streams`, `h2flow/fetch`.
 */
export { H2Session } from './streams/index.ts';
export type { H2SessionOptions } from './streams/index.ts';
export { H2Stream } from './streams/index.ts';
export type { CloseOptions, H2Clock, H2DirectTransport, H2HeaderList, H2HeadersInit, H2Settings, H2Timeouts, H2Transport, H2TransportSink, RequestOptions, RespondOptions, StreamConstructors } from './streams/index.ts';
export type { H2ConfigurationOptions } from './core/index.ts';

export { H2Client, LightResponse, respondToStream, serveSession, withTrailers } from './fetch/index.ts';
export type {
  FetchHandler,
  FetchHandlerInfo,
  FetchServerOptions,
  H2ClientOptions,
  H2RequestInit,
  NetAddr,
  RequestTrailers,
  ResponseTrailers,
  TrailersExtension,
} from './fetch/index.ts';

// Errors: a stream's or session's failure, and the core's typed exceptions that session calls throw.
export { H2SessionError, H2StreamError } from './streams/index.ts';
export { ErrorCodes, errorCodeName } from './core/index.ts';
export type { ErrorCode } from './core/index.ts';
export {
  DenialOfServiceError,
  FlowControlError,
  FrameDataMissingError,
  FrameTooLargeError,
  H2Error,
  InvalidBodyLengthError,
  InvalidSettingsValueError,
  NoAvailableStreamIDError,
  NoSuchStreamError,
  ProtocolError,
  RFC1122Error,
  StreamClosedError,
  StreamIDTooLowError,
  TooManyStreamsError,
  UnsupportedFrameError,
} from './core/index.ts';
