/*
 * h2flow's frame layer: every HTTP/2 frame, parsing, serialization and the receive-side FrameBuffer.
 * Frame layer (sans-I/O), the public surface of src/frame. Port of hyperframe + h2/frame_buffer.py.
 */
export { FrameType } from './frame-type';
export type { FrameTypeCode } from './frame-type';
export { Flag, Flags } from './flags';
export type { FlagDefinition, FlagName, FlagTable } from './flags';
export {
  ContinuationError,
  FrameBufferError,
  FrameError,
  FrameTooLargeError,
  HeaderBlockTooLargeError,
  InvalidDataError,
  InvalidFrameError,
  InvalidPaddingError,
  PrefaceError,
  UnknownFrameError,
} from './errors';
export { FRAME_HEADER_LENGTH, FRAME_MAX_ALLOWED_LEN, Frame, StreamAssociation } from './frame';
export type { FrameSpec, StreamAssociationKind } from './frame';
export { PaddedFrame } from './padding';
export type { PriorityFields } from './priority';
export { DataFrame } from './data';
export type { DataFrameFields } from './data';
export { ContinuationFrame, HeadersFrame, PushPromiseFrame } from './headers';
export type { ContinuationFrameFields, HeadersFrameFields, PushPromiseFrameFields } from './headers';
export { GoAwayFrame, PingFrame, PriorityFrame, RstStreamFrame, SettingsFrame, WindowUpdateFrame } from './control';
export type {
  GoAwayFrameFields,
  PingFrameFields,
  PriorityFrameFields,
  RstStreamFrameFields,
  SettingsFrameFields,
  SettingsInput,
  WindowUpdateFrameFields,
} from './control';
export { AltSvcFrame, ExtensionFrame, PriorityUpdateFrame } from './extensions';
export type { AltSvcFrameFields, ExtensionFrameFields, PriorityUpdateFrameFields } from './extensions';
export { FRAMES, parseFrameHeader } from './frame-header';
export type { ParseFrameHeaderOptions } from './frame-header';
export { CONNECTION_PREFACE, FrameBuffer } from './frame-buffer';
export type { FrameBufferOptions } from './frame-buffer';
