/*
 * h2flow's frame layer: every HTTP/2 frame, parsing, serialization and the receive-side FrameBuffer.
 * Frame layer (sans-I/O), the public surface of src/frame. Port of hyperframe + h2/frame_buffer.py.
 */
export { FrameType } from './frame-type.ts';
export type { FrameTypeCode } from './frame-type.ts';
export { Flag, Flags } from './flags.ts';
export type { FlagDefinition, FlagName, FlagTable } from './flags.ts';
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
} from './errors.ts';
export { FRAME_HEADER_LENGTH, FRAME_MAX_ALLOWED_LEN, Frame, StreamAssociation } from './frame.ts';
export type { FrameSpec, StreamAssociationKind } from './frame.ts';
export { PaddedFrame } from './padding.ts';
export type { PriorityFields } from './priority.ts';
export { DataFrame } from './data.ts';
export type { DataFrameFields } from './data.ts';
export { ContinuationFrame, HeadersFrame, PushPromiseFrame } from './headers.ts';
export type { ContinuationFrameFields, HeadersFrameFields, PushPromiseFrameFields } from './headers.ts';
export { GoAwayFrame, PingFrame, PriorityFrame, RstStreamFrame, SettingsFrame, WindowUpdateFrame } from './control.ts';
export type {
  GoAwayFrameFields,
  PingFrameFields,
  PriorityFrameFields,
  RstStreamFrameFields,
  SettingsFrameFields,
  SettingsInput,
  WindowUpdateFrameFields,
} from './control.ts';
export { AltSvcFrame, ExtensionFrame, PriorityUpdateFrame } from './extensions.ts';
export type { AltSvcFrameFields, ExtensionFrameFields, PriorityUpdateFrameFields } from './extensions.ts';
export { FRAMES, parseFrameHeader } from './frame-header.ts';
export type { ParseFrameHeaderOptions } from './frame-header.ts';
export { CONNECTION_PREFACE, FrameBuffer } from './frame-buffer.ts';
export type { FrameBufferOptions } from './frame-buffer.ts';
