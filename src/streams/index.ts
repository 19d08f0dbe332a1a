/**
 * h2flow/streams: HTTP/2 sessions over any `{ readable, writable }` byte transport, as Web Streams.
 * Runtime-neutral (Web Streams and the protocol core only; constructors injectable). Layer: streams.
 */
export { H2Session } from './session.ts';
export type { H2SessionOptions } from './session.ts';
export type { CloseOptions } from './close-lifecycle.ts';
export type { H2Timeouts } from './session-timers.ts';
export type { RequestOptions } from './session-pump.ts';
export type { H2Clock } from './deadline.ts';
export { DEFAULT_CONNECTION_WINDOW, DEFAULT_EVENT_BUFFER } from './session-pump.ts';
export { DEFAULT_OUTBOUND_HIGH_WATER_MARK } from './output-writer.ts';
export { H2Stream } from './stream.ts';
export type { RespondOptions } from './stream.ts';
export { H2SessionError, H2StreamError } from './errors.ts';
export type { H2Settings } from './settings.ts';
export { fromNative, iterate, toNative } from './interop.ts';
export { globalStreams } from './types.ts';
export type { H2DirectTransport, H2HeaderList, H2HeadersInit, H2Transport, H2TransportSink, StreamConstructors } from './types.ts';
