/**
 * Shapes shared by the Web Streams layer: the transport pair, the pluggable stream constructors and the
 * underlying source/sink objects handed to them. Layer: streams (runtime-neutral, Web Streams only).
 */
import type { ViewFactory } from '../core/index.ts';

/** A byte transport: what the session reads from and writes to (a socket, a WebTransport stream, a test pipe). */
export interface H2Transport {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  /**
   * True if `writable` also accepts a `Uint8Array[]` chunk: the arrays are written in order, as one
   * write, and that write resolves only once the transport no longer needs their bytes (they may then
   * be reused). The session then sends large DATA payloads without copying them.
   */
  readonly vectored?: boolean;
  /**
   * With `vectored`: how the arrays of a vectored write are made from a buffer, when the transport
   * writes its own array type without converting each (Node's `socketToPair`: `Buffer`). Plain
   * `Uint8Array`s otherwise.
   */
  readonly makeView?: ViewFactory;
  /**
   * The same transport without Web Streams, if it has such an interface (Node sockets through
   * `socketToPair` do): a session then reads and writes through it, and `readable`/`writable` are never
   * made (they cost ~8 KiB of heap per connection on Node 20). Only the session may use it.
   */
  readonly direct?: H2DirectTransport | undefined;
}

/** Where a direct transport delivers what it reads. */
export interface H2TransportSink {
  /** Received bytes, in order. */
  data(chunk: Uint8Array): void;
  /** The peer ended its side (no more data). */
  end(): void;
  /** Reading failed (also: the transport closed before its end). */
  error(error: unknown): void;
}

/**
 * A byte transport driven by calls instead of Web Streams, with their semantics: writes complete in
 * order, one after the other; `close()` comes after the writes before it; `abort()` fails the write
 * waiting at once.
 */
export interface H2DirectTransport {
  /** Starts reading into `sink` (called once). */
  start(sink: H2TransportSink): void;
  /** Stops delivering data until `resume()` (backpressure). */
  pause(): void;
  resume(): void;
  /** Stops reading for good (the transport is released once its writing side is done too). */
  cancel(): Promise<void>;
  /**
   * Writes one chunk (or, if the transport is `vectored`, an array of chunks as one write): undefined if
   * the transport took it at once, else a promise that settles when it did (or failed).
   */
  write(chunk: Uint8Array | Uint8Array[]): Promise<void> | undefined;
  /** Ends the writing side after the writes queued. */
  close(): Promise<void>;
  /** Releases the transport at once; writes waiting fail. */
  abort(reason: unknown): void;
}

/** The queuing strategy shape both stream constructors accept. */
export interface Strategy<T> {
  readonly highWaterMark?: number;
  readonly size?: (chunk: T) => number;
}

/** An underlying source as the session builds them (methods on class instances, never closures). */
export interface Source<T> {
  start?(controller: ReadableStreamDefaultController<T>): void;
  pull?(controller: ReadableStreamDefaultController<T>): void | PromiseLike<void>;
  cancel?(reason?: unknown): void | PromiseLike<void>;
}

/** An underlying sink as the session builds them. */
export interface Sink<T> {
  start?(controller: WritableStreamDefaultController): void;
  write?(chunk: T, controller: WritableStreamDefaultController): void | PromiseLike<void>;
  close?(): void | PromiseLike<void>;
  abort?(reason?: unknown): void | PromiseLike<void>;
}

/**
 * The Web Streams implementation the session creates its streams with: the runtime's globals by default,
 * or any spec-compliant pair (e.g. web-streams-polyfill's classes) injected through `H2SessionOptions.streams`.
 */
export interface StreamConstructors {
  readonly ReadableStream: new <T>(source: Source<T>, strategy?: Strategy<T>) => ReadableStream<T>;
  readonly WritableStream: new <T>(sink: Sink<T>, strategy?: Strategy<T>) => WritableStream<T>;
}

/** The runtime's own Web Streams classes (`globalThis.ReadableStream` / `WritableStream`). */
export function globalStreams(): StreamConstructors {
  // One object while the globals stay the same (sessions keep it: ~40 B each when made per session).
  const R = globalThis.ReadableStream;
  const W = globalThis.WritableStream;
  if (cachedGlobals === null || cachedGlobals.ReadableStream !== (R as unknown) || cachedGlobals.WritableStream !== (W as unknown)) {
    cachedGlobals = Object.freeze({ ReadableStream: R, WritableStream: W }) as unknown as StreamConstructors;
  }
  return cachedGlobals;
}

let cachedGlobals: StreamConstructors | null = null;

/** A header list as the core reports it and as the session sends it: `[name, value]` pairs. */
export type H2HeaderList = ReadonlyArray<readonly [string, string]>;

/** Headers accepted when sending: pairs (order kept, pseudo-headers first) or a plain record. */
export type H2HeadersInit = Iterable<readonly [string, string]> | Readonly<Record<string, string>>;

/** Turns any accepted header input into a list (a record's entries, or the pairs as given). */
export function toHeaderList(headers: H2HeadersInit): H2HeaderList {
  if (Array.isArray(headers)) return headers as H2HeaderList;
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') return Array.from(headers as Iterable<readonly [string, string]>);
  return Object.entries(headers as Record<string, string>);
}
