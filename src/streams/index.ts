/**
 * h2flow/streams: HTTP/2 sessions over any `{ readable, writable }` byte transport, as Web Streams.
 * Runtime-neutral (Web Streams and the protocol core only; constructors injectable). Layer: streams.
 */
export { H2Session } from './session';
export type { H2SessionOptions } from './session';
export type { CloseOptions } from './close-lifecycle';
export type { H2Timeouts } from './session-timers';
export type { RequestOptions } from './session-pump';
export type { H2Clock } from './deadline';
export { DEFAULT_CONNECTION_WINDOW, DEFAULT_EVENT_BUFFER } from './session-pump';
export { DEFAULT_OUTBOUND_HIGH_WATER_MARK } from './output-writer';
export { H2Stream } from './stream';
export type { RespondOptions } from './stream';
export { H2SessionError, H2StreamError } from './errors';
export type { H2Settings } from './settings';
export { fromNative, iterate, toNative } from './interop';
export { globalStreams } from './types';
export type { H2HeaderList, H2HeadersInit, H2Transport, StreamConstructors } from './types';
