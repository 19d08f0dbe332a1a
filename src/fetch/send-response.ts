/**
 * Sends a fetch `Response` on a server stream as HEADERS, DATA and END_STREAM (or trailers). A body the
 * response holds in memory (a string or bytes) goes out in one `respond` with its `content-length`, never
 * through its ReadableStream; a streamed body ends with its last DATA frame whenever its end is known in
 * time (RFC 9113 §8.1: END_STREAM may ride on any frame; an empty DATA frame just for it is one frame
 * per response more than needed). Layer: fetch (runtime-neutral; reads undici's body source when the
 * runtime is Node, checked once at run time).
 */
import { appendField, appendHeaderFields, isNullBodyStatus, trailerFieldsOrNone, type TrailersInit } from './fetch-headers.ts';
import { lightResponseParts } from './light-response.ts';
import type { H2Stream } from '../streams/stream.ts';

/**
 * h2flow's trailers extension: a `Response` may carry a `trailers` property (a value or a promise of one,
 * resolved after the body) whose fields are sent as an HTTP/2 trailer block — `Response.headers` cannot
 * carry trailers. Build one with `withTrailers`. On the client side, h2flow's `fetch` returns responses
 * whose `trailers` is a `Promise<Headers | null>`: null (none) is accepted, so such a response can be
 * returned as it is (a proxy).
 */
export interface TrailersExtension {
  trailers?: TrailersInit | null | Promise<TrailersInit | null> | undefined;
}

type HeaderList = Array<readonly [string, string]>;
/** A response's trailers as given (undefined: none). */
type TrailersValue = NonNullable<TrailersExtension['trailers']> | null;

/**
 * The start of an HTTP/2 response header block (its `:status`). Throws for a status no HTTP/2 response can carry: a
 * `Response.error()` (status 0: a network error, which the caller turns into a stream reset) or a
 * subclass reporting anything but 200–599 (RFC 9110 §15: "a three-digit integer code"; 1xx are interim).
 */
function responseHeaderList(status: number, capacity: number): HeaderList {
  if (!Number.isInteger(status) || status < 200 || status > 599) throw new TypeError(`h2flow: a response with status ${status} cannot be sent`);
  // Made at the size it will likely reach (its fields and a content-length), then cut to its one field: a
  // shorter length keeps the room, so the pushes that follow do not grow it (`[x]` grows to 17 slots).
  const list: HeaderList = new Array(capacity);
  list[0] = STATUS_FIELDS[status - 200] ??= Object.freeze([':status', String(status)] as const);
  list.length = 1;
  return list;
}

/**
 * One frozen `:status` field per status, shared by every response list (the core and the session only
 * read header fields), made on first use.
 */
const STATUS_FIELDS: Array<readonly [string, string] | undefined> = [];

/** The last `content-length` field made, shared (frozen) while responses keep one body size. */
let lengthField: readonly [string, string] = Object.freeze(['content-length', '0'] as const);
let lengthValue = 0;

/** A `content-length` field for `length` bytes. */
function contentLength(length: number): readonly [string, string] {
  if (length !== lengthValue) {
    lengthField = Object.freeze(['content-length', String(length)] as const);
    lengthValue = length;
  }
  return lengthField;
}

const END_STREAM = Object.freeze({ endStream: true });

/**
 * The body length the handler's own `content-length` declares: null without one, NaN for a value that is
 * not `1*DIGIT` or for a repeated field (`Headers` joins repeats as `5, 5`; a LightResponse keeps them as
 * separate fields, which must not let a second value reach the wire unchecked).
 */
function declaredLength(list: HeaderList): number | null {
  let declared: number | null = null;
  for (let i = 1; i < list.length; i++) {
    const field = list[i]!;
    if (field[0] !== 'content-length') continue;
    if (declared !== null) return NaN;
    const value = field[1];
    for (let j = 0; j < value.length; j++) {
      const c = value.charCodeAt(j);
      if (c < 0x30 || c > 0x39) return NaN;
    }
    if (value.length === 0) return NaN;
    declared = Number(value);
  }
  return declared;
}

/**
 * Throws unless `length` body bytes match the handler's `content-length` (if any). RFC 9113 §8.1.1: a
 * message whose DATA does not match its content-length is malformed (and an h2 peer may take it as a
 * connection error, failing every other request on it): a handler's wrong value resets this stream instead.
 */
function checkLength(declared: number | null, length: number, final: boolean): void {
  if (declared === null || (final ? length === declared : length <= declared)) return;
  throw new TypeError(`h2flow: the response's content-length (${declared}) does not match its body (${final ? '' : 'over '}${length} bytes)`);
}

const UTF8 = new TextEncoder();

/** The last short body encoded, and its bytes (see {@link utf8}). */
let lastText = '';
let lastBytes: Uint8Array = new Uint8Array(0);

/**
 * `text` as UTF-8; a short ASCII string is copied in JS (cheaper than a call into the encoder). A short
 * text equal to the last one gets the same bytes: a handler answering one constant string costs no
 * typed array per response (the bytes are only read downstream, also while a vectored write holds them).
 */
function utf8(text: string): Uint8Array {
  const n = text.length;
  if (n > 256) return UTF8.encode(text);
  if (text === lastText) return lastBytes;
  let out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) {
      out = UTF8.encode(text);
      break;
    }
    out[i] = c;
  }
  lastText = text;
  lastBytes = out;
  return out;
}

// --- undici's body source ---

interface UndiciBody {
  readonly stream: ReadableStream<Uint8Array>;
  readonly source: unknown;
}

/** The internal slot of Node's (undici's) Response holding `{ body: { stream, source } }`, or null elsewhere. */
let stateKey: symbol | null | undefined;

function findStateKey(): symbol | null {
  if (typeof Response !== 'function') return null;
  const probe = new Response('probe');
  for (const key of Object.getOwnPropertySymbols(probe)) {
    const body = ((probe as unknown as Record<symbol, { body?: UndiciBody } | undefined>)[key])?.body;
    if (typeof body === 'object' && body !== null && body.source === 'probe' && body.stream === probe.body) return key;
  }
  return null;
}

/** What Node's ReadableStream keeps under its state symbol: a reader while locked, `disturbed` once read or cancelled. */
interface StreamState {
  readonly reader: unknown;
  readonly disturbed: boolean;
}

/**
 * The symbol under which the runtime's ReadableStream keeps its { reader, disturbed } state (Node's
 * `kState`), or null if it has none that behaves so: each candidate is checked on fresh streams, locked
 * and cancelled, so a runtime that keeps something else there falls back to the public getters.
 */
let streamStateKey: symbol | null | undefined;

function findStreamStateKey(): symbol | null {
  const slot = (stream: ReadableStream, key: symbol): Partial<StreamState> | undefined => {
    const state = (stream as unknown as Record<symbol, unknown>)[key];
    return typeof state === 'object' && state !== null ? (state as Partial<StreamState>) : undefined;
  };
  for (const key of Object.getOwnPropertySymbols(new ReadableStream())) {
    const fresh = new ReadableStream();
    const locked = new ReadableStream();
    const cancelled = new ReadableStream();
    locked.getReader();
    void cancelled.cancel().catch(() => undefined);
    const [a, b, c] = [slot(fresh, key), slot(locked, key), slot(cancelled, key)];
    if (a?.reader === undefined && a?.disturbed === false && b?.reader !== undefined && b?.disturbed === false && c?.reader === undefined && c?.disturbed === true) {
      return key;
    }
  }
  return null;
}

/**
 * The body `response` holds in memory (the string or bytes it was made from), or undefined when it is
 * not known to be one: another kind of body, a runtime without undici's slots, or a body the handler
 * already read or locked (then its stream says what is left).
 */
export function memoryBody(response: Response): string | Uint8Array | undefined {
  // Found once: null (not undici's Response) is an answer too, not a reason to probe again per response.
  if (stateKey === undefined) stateKey = findStateKey();
  const key = stateKey;
  if (key === null) return undefined;
  const body = (response as unknown as Record<symbol, { body?: UndiciBody | null } | undefined>)[key]?.body;
  if (body == null) return undefined;
  const source = body.source;
  if (typeof source !== 'string' && !(source instanceof Uint8Array)) return undefined;
  // A plain Response's `body` is its state's stream; its stream's own state says whether it was locked
  // or read (`locked`, `bodyUsed`), one property read instead of three getters with brand checks each.
  const stream = body.stream;
  let streamKey: symbol | null = null;
  if (Object.getPrototypeOf(response) === Response.prototype) {
    // Probed once: null (no such slot) is cached too, not looked for again with four streams per response.
    if (streamStateKey === undefined) streamStateKey = findStreamStateKey();
    streamKey = streamStateKey;
  }
  if (streamKey !== null) {
    const state = (stream as unknown as Record<symbol, StreamState | undefined>)[streamKey];
    if (state !== undefined) return state.reader === undefined && !state.disturbed ? source : undefined;
  }
  // A subclass may serve another body; a used or locked one is not the source any more.
  if (response.body !== stream || stream.locked || response.bodyUsed) return undefined;
  return source;
}

// --- streamed bodies ---

const PENDING = Symbol('pending');
/** Microtask turns an in-memory body takes to yield a chunk or its end (2 for undici's). */
const SETTLE_TURNS = 4;
const RESOLVED = Promise.resolve();

function microtaskTurns(): Promise<typeof PENDING> {
  let p = RESOLVED;
  for (let i = 1; i < SETTLE_TURNS; i++) p = p.then();
  return p.then(pendingMark);
}

function pendingMark(): typeof PENDING {
  return PENDING;
}

/**
 * A response body chunk, which must be a Uint8Array (Fetch: "If chunk is not a Uint8Array object, throw
 * a TypeError"). A string slipped through as UTF-8 while the content-length counted none of its bytes
 * (`byteLength` undefined): a malformed response (RFC 9113 §8.1.1) instead of this stream's reset.
 */
function checkChunk(chunk: unknown): Uint8Array {
  if (!(chunk instanceof Uint8Array)) throw new TypeError(`h2flow: a response body chunk must be a Uint8Array, not ${typeof chunk === 'object' ? Object.prototype.toString.call(chunk) : typeof chunk}`);
  return chunk;
}

/** `read`'s result if it settles within a few microtask turns, else PENDING (the read goes on). */
function soon<T>(read: Promise<T>): Promise<T | typeof PENDING> {
  return Promise.race([read, microtaskTurns()]);
}

function ignore(): void {}

/**
 * The trailers, or the stream's error if it fails first: a promise of them that never settles (waiting on
 * something the client's reset stopped) must not hold the response, and `completed`, for good. The stream
 * cannot close cleanly before this side ends it with these trailers.
 */
function untilFailure(stream: H2Stream, trailers: TrailersValue): TrailersInit | null | Promise<TrailersInit | null> {
  if (trailers === null || typeof (trailers as PromiseLike<unknown>).then !== 'function') return trailers as TrailersInit | null;
  return Promise.race([trailers, stream.closed as Promise<never>]);
}

/** Trailers that will not be sent: a rejection of their promise is handled (ignored), not left to crash the process. */
function dropTrailers(trailers: TrailersValue): void {
  if (trailers !== null && typeof (trailers as PromiseLike<unknown>).then === 'function') Promise.resolve(trailers).catch(ignore);
}

/**
 * Streams `body` after `headers`. Each chunk is sent once the next read says whether more follows: a read
 * that settles within a few microtask turns shows the end in time for the last chunk to carry END_STREAM
 * (an in-memory body, or a stream that closes right after its last enqueue), and one that does not lets the
 * chunk go at once (an event stream must not hold an event until the next one). Headers go out as soon as
 * a read is pending, so a slow first chunk does not hold them (nor a full-duplex echo its first chunk).
 */
async function sendStream(stream: H2Stream, headers: HeaderList, body: ReadableStream<Uint8Array>, trailers: TrailersExtension['trailers']): Promise<void> {
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = body.getReader();
  } catch (error) {
    // A body already locked (the handler read it): its trailers are never awaited either.
    if (trailers !== undefined) dropTrailers(trailers);
    throw error;
  }
  // The client reset the stream (or the session failed): cancel the handler's body at once. A read it
  // never answers (a long poll, an idle event stream) would otherwise hang `completed` for good, and a
  // body that keeps producing would be pulled forever into a stream whose writes all fail.
  stream.closed.then(undefined, (error: unknown) => void reader.cancel(error).catch(ignore));
  let writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
  const declared = declaredLength(headers);
  let length = 0;
  try {
    let responded = false;
    let read = reader.read();
    let next = await soon(read);
    if (next === PENDING) {
      stream.respond(headers);
      responded = true;
      next = await read;
    }
    let last: Uint8Array | null = null;
    while (!next.done) {
      const chunk = checkChunk(next.value);
      read = reader.read();
      const following = await soon(read);
      if (following !== PENDING && following.done) {
        last = chunk;
        break;
      }
      checkLength(declared, (length += chunk.byteLength), false);
      if (!responded) {
        stream.respond(headers);
        responded = true;
      }
      writer ??= stream.writable.getWriter();
      void writer.write(chunk).catch(ignore);
      if (following === PENDING) {
        next = await read;
      } else {
        await writer.ready;
        next = following;
      }
    }
    // Ended by the cancel above: the stream failed, not the body.
    if (stream.error !== null) throw stream.error;
    checkLength(declared, length + (last?.byteLength ?? 0), true);
    const fields = trailers === undefined ? null : trailerFieldsOrNone(await untilFailure(stream, trailers));
    if (!responded) {
      // The whole body was one chunk (or none): one respond, with its length.
      const bytes = last?.byteLength ?? 0;
      if (fields === null && declared === null) headers.push(contentLength(bytes));
      if (last === null && fields === null) stream.respond(headers, END_STREAM);
      else stream.respond(headers, fields === null ? { body: last ?? EMPTY } : { body: last ?? EMPTY, trailers: fields });
      await stream.end();
      return;
    }
    if (fields !== null || writer !== null && last === null) {
      writer ??= stream.writable.getWriter();
      if (last !== null) void writer.write(last).catch(ignore);
      if (fields !== null) stream.sendTrailers(fields);
      await writer.close();
      return;
    }
    // The last chunk carries END_STREAM: every earlier write has reached the session once `ready`
    // resolves (its queue is empty), so `end(last)` queues after them.
    if (writer !== null) {
      await writer.ready;
      writer.releaseLock();
    }
    await stream.end(last ?? undefined);
  } catch (error) {
    void reader.cancel(error).catch(ignore);
    // Trailers never awaited (the body failed first) must not leave their rejection unhandled.
    if (trailers !== undefined) dropTrailers(trailers);
    throw stream.error ?? error;
  }
}

const EMPTY = new Uint8Array(0);
/** sendWhole's respond options, filled in per call (respond reads them and keeps nothing). */
const WHOLE: { body: Uint8Array } = { body: EMPTY };

/**
 * {@link sendResponse}'s answer when the whole response, END_STREAM included, was handed to the stream:
 * `stream.end()` tells when it reached the connection (made only if someone asks).
 */
export const ENDED = 'ended';

/**
 * Sends `response` on `stream`. Returns undefined when END_STREAM went out at once, {@link ENDED} when
 * the whole response was handed to the stream (its DATA may still wait for the windows), else a promise
 * that resolves when END_STREAM (or the trailers) reached the connection; throws (or rejects) if it
 * cannot be sent.
 */
export function sendResponse(stream: H2Stream, response: Response, isHead: boolean): Promise<void> | typeof ENDED | undefined {
  const light = lightResponseParts(response);
  const status = light?.status ?? response.status;
  // Room for the fields and a content-length (a Response's Headers do not tell their count: a guess).
  const headers = responseHeaderList(status, light !== null ? light.fields.length + 2 : 8);
  if (light !== null) {
    const fields = light.fields;
    for (let i = 0; i < fields.length; i++) appendField(fields[i]!, headers);
  } else {
    appendHeaderFields(response.headers, headers);
  }
  // null: no trailers (as a proxied h2flow client response may say).
  const trailers = (response as TrailersExtension).trailers ?? undefined;
  const noBody = isHead || isNullBodyStatus(status);
  if (light !== null && trailers === undefined) {
    // An h2flow LightResponse whose body is in memory: no Response, no stream, no copy.
    return sendWhole(stream, headers, noBody ? null : light.body);
  }
  const body = response.body;
  if (body === null || noBody) {
    if (body !== null) void body.cancel().catch(ignore);
    if (trailers === undefined || isHead) {
      // A HEAD response sends no trailers: a promise of them that rejects must not go unhandled.
      if (trailers !== undefined) dropTrailers(trailers);
      stream.respond(headers, END_STREAM);
      return undefined;
    }
    return sendTrailersOnly(stream, headers, trailers);
  }
  if (trailers === undefined) {
    const source = memoryBody(response);
    if (source !== undefined) return sendWhole(stream, headers, source);
  }
  return sendStream(stream, headers, body, trailers);
}

/** Headers, then the trailers once they resolve (a response without a body). */
async function sendTrailersOnly(stream: H2Stream, headers: HeaderList, trailers: TrailersValue): Promise<void> {
  stream.respond(headers);
  const fields = trailerFieldsOrNone(await untilFailure(stream, trailers));
  if (fields !== null) stream.sendTrailers(fields);
  await stream.end();
}

/**
 * One respond: headers (with `content-length` unless given), the whole body and END_STREAM on its last
 * DATA frame (or on the HEADERS without a body).
 */
function sendWhole(stream: H2Stream, headers: HeaderList, body: string | Uint8Array | null): typeof ENDED | undefined {
  if (body === null) {
    stream.respond(headers, END_STREAM);
    return undefined;
  }
  const bytes = typeof body === 'string' ? utf8(body) : body;
  const declared = declaredLength(headers);
  checkLength(declared, bytes.byteLength, true);
  if (declared === null) headers.push(contentLength(bytes.byteLength));
  if (bytes.byteLength === 0) {
    stream.respond(headers, END_STREAM);
    return undefined;
  }
  WHOLE.body = bytes;
  try {
    stream.respond(headers, WHOLE);
  } finally {
    WHOLE.body = EMPTY;
  }
  return ENDED;
}
