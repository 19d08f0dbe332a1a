/**
 * h2flow/core: the sans-I/O HTTP/2 protocol core (bytes in → events, calls → bytes out).
 * The public surface of src/core. Port of the h2 package's public modules (connection, config,
 * events, exceptions, errors, settings), plus the stream state machine and limits.
 */
export { H2Connection } from './connection';
export type {
  AltSvcOptions,
  CloseConnectionOptions,
  PrioritizeOptions,
  SendDataOptions,
  SendHeadersOptions,
} from './connection-options';
export { DEFAULT_LIMITS, DummyLogger, H2Configuration, OutputLogger } from './config';
export { booleanOption, checkOptions } from './options-check';
export type { H2ConfigurationOptions, H2Logger, HeaderEncoding, OutputLoggerOptions } from './config';
export { CONNECTION_TRANSITIONS, ConnectionInputs, ConnectionState, H2ConnectionStateMachine } from './connection-state';
export type { ConnectionInput, ConnectionStateValue } from './connection-state';
export { ChangedSetting, SettingCodes, Settings, settingCodeName } from './settings';
export type { SettingCode, SettingsInput } from './settings';
export { ErrorCodes, errorCodeName } from './errors';
export type { ErrorCode } from './errors';
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
} from './exceptions';
export {
  AlternativeServiceAvailable,
  ConnectionTerminated,
  DataReceived,
  Event,
  InformationalResponseReceived,
  PingAckReceived,
  PingReceived,
  PriorityUpdated,
  PushedStreamReceived,
  RemoteSettingsChanged,
  RequestReceived,
  ResponseReceived,
  SettingsAcknowledged,
  StreamEnded,
  StreamReset,
  TrailersReceived,
  UnknownFrameReceived,
  WindowUpdated,
} from './events';
export type { H2Event, Header } from './events';
export { StreamClosedBy, StreamInputs, StreamState } from './stream-state';
export { H2Stream } from './stream';
export { LARGEST_FLOW_CONTROL_WINDOW, WindowManager } from './windows';
