/**
 * h2flow/core: the sans-I/O HTTP/2 protocol core (bytes in → events, calls → bytes out).
 * The public surface of src/core. Port of the h2 package's public modules (connection, config,
 * events, exceptions, errors, settings), plus the stream state machine and limits.
 */
export { H2Connection } from './connection.ts';
export type { ViewFactory } from './outbound-buffer.ts';
export type {
  AltSvcOptions,
  CloseConnectionOptions,
  PrioritizeOptions,
  SendDataOptions,
  SendHeadersOptions,
} from './connection-options.ts';
export { DEFAULT_LIMITS, DummyLogger, H2Configuration, OutputLogger } from './config.ts';
export { booleanOption, checkOptions } from './options-check.ts';
export type { H2ConfigurationOptions, H2Logger, HeaderEncoding, OutputLoggerOptions } from './config.ts';
export { CONNECTION_TRANSITIONS, ConnectionInputs, ConnectionState, H2ConnectionStateMachine } from './connection-state.ts';
export type { ConnectionInput, ConnectionStateValue } from './connection-state.ts';
export { ChangedSetting, SettingCodes, Settings, settingCodeName } from './settings.ts';
export type { SettingCode, SettingsInput } from './settings.ts';
export { ErrorCodes, errorCodeName } from './errors.ts';
export type { ErrorCode } from './errors.ts';
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
} from './exceptions.ts';
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
} from './events.ts';
export type { H2Event, Header } from './events.ts';
export { StreamClosedBy, StreamInputs, StreamState } from './stream-state.ts';
export { H2Stream } from './stream.ts';
export { LARGEST_FLOW_CONTROL_WINDOW, WindowManager } from './windows.ts';
