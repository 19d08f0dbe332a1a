/**
 * The `Request` a fetch server hands its handler. Where the runtime allows it (Node's undici, checked
 * once at run time), a lazy request: an object whose prototype chain includes `Request.prototype`
 * (`instanceof Request` holds), answering `method`, `url`, `headers`, `signal`, `body`, `bodyUsed` and
 * `trailers` itself and making each native part (Headers, AbortSignal, body ReadableStream) only when
 * read. Everything else (`text()`, `clone()`, `cache`, `new Request(request)`, `fetch(request)`) runs
 * the runtime's own code on a real Request made on first use, reached through the runtime's internal
 * slots (own symbol-keyed properties), which the lazy request forwards. Elsewhere, a subclass of the
 * runtime's Request. Layer: fetch (runtime-neutral: uses the runtime's global Request and Headers).
 */
import { checkFieldName, checkFieldValue, headerPairs } from './fetch-headers.ts';
import type { H2HeaderList } from '../streams/types.ts';

/**
 * h2flow's request trailers: every request a fetch server hands its handler carries `trailers`, a promise
 * of the trailer block the client sent after the body (null if none), settled once the body has been read.
 */
export interface RequestTrailers {
  readonly trailers: Promise<Headers | null>;
}

/** What a server request gets from its exchange, each part made when first read. */
export interface RequestExchange {
  readonly signal: AbortSignal;
  readonly trailers: Promise<Headers | null>;
}

/**
 * Where a request's body comes from: an HTTP/2 stream (its `readable`), or an HTTP/1.1 request's body.
 * `readable` is read only when the handler takes the body.
 */
export interface RequestBodySourceStream {
  readonly readable: ReadableStream<Uint8Array>;
}

/** A validated request, as the fetch server hands it over (see request-target.ts). */
export interface ServerRequestParts {
  readonly method: string;
  /** The request's URL, serialized as the runtime's URL parser does (`Request.url`). */
  readonly url: string;
  readonly headerList: H2HeaderList;
  /** The target's authority, given to handlers as `host` when the request has no `host` field. */
  readonly authority: string;
  /** The request stream whose body the Request carries, or null for a request without one. */
  readonly body: RequestBodySourceStream | null;
  readonly exchange: RequestExchange;
}

/** A server request: the runtime's Request (or a lazy stand-in that is `instanceof Request`) with trailers. */
export type ServerRequest = Request & RequestTrailers;

/**
 * The underlying source of the runtime-native ReadableStream a Request gets as its body (the Request
 * constructor accepts no other implementation): it takes a reader on the stream's body only on the first
 * pull, so a handler that never reads the body costs no body stream at all.
 */
class RequestBodySource {
  readonly #stream: RequestBodySourceStream;
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  /** A read or a cancel reached the source: the body is disturbed (fetch's `bodyUsed`). */
  disturbed = false;
  /** The ReadableStream this source feeds (set by {@link bodyStream}). */
  body!: ReadableStream<Uint8Array>;
  /**
   * A lazy request's real Request was made after the handler took the body: this stream stays the body
   * (see `realOf`). Kept here, not on the request: a request without a body never needs it.
   */
  kept = false;

  constructor(stream: RequestBodySourceStream) {
    this.#stream = stream;
  }

  async pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    this.disturbed = true;
    const { done, value } = await (this.#reader ??= this.#stream.readable.getReader()).read();
    if (done) controller.close();
    else controller.enqueue(value);
  }

  cancel(reason: unknown): Promise<void> | undefined {
    this.disturbed = true;
    if (this.#reader !== null) return this.#reader.cancel(reason);
    // Never read: cancelling the stream's body resets the stream if the peer is still sending.
    return this.#stream.readable.cancel(reason);
  }
}

const PULL_ONE: QueuingStrategy<Uint8Array> = { highWaterMark: 0 };

/** The request's header fields as a Headers init, `:authority` given as `host` when the request has none. */
function headerInit(headerList: H2HeaderList, authority: string): Array<[string, string]> {
  const { pairs, host } = headerPairs(headerList);
  // RFC 9113 §8.3.1: ":authority ... Clients that generate HTTP/2 requests directly MUST use the :authority
  // pseudo-header field to convey authority information" — fetch code reads it as `host`.
  if (host === null) pairs.push(['host', authority]);
  return pairs;
}

/** The source of a Request body read from `stream`, its ReadableStream made (its `body`). */
function bodyStream(stream: RequestBodySourceStream): RequestBodySource {
  const source = new RequestBodySource(stream);
  source.body = new ReadableStream<Uint8Array>(source, PULL_ONE);
  return source;
}

// Set by LazyRequest's static block: its private members, for the module's own use.
let realOf: (request: LazyRequest) => Request;
let bodyTakenOf: (request: LazyRequest) => boolean;
// --- the lazy request ---

/**
 * The lazy request. Its own accessors serve what handlers usually read without any native object; the
 * runtime's Request methods and getters it inherits read the runtime's internal slots, which it forwards
 * (see {@link lazyRequestClass}) to a real Request made on first use.
 */
class LazyRequest {
  // The parts object itself (the fetch server's per-request Exchange, which outlives the request anyway),
  // not copies of its fields: five fields fewer (40 B) per request held. The body stream lives on its
  // source (one field, not two, and the flag of a body kept past the real Request's making with it).
  // No #methods: a class with one puts a brand in every instance (8 B per request held).
  readonly #parts: ServerRequestParts;
  #headers: Headers | null = null;
  #source: RequestBodySource | null = null;
  #real: Request | null = null;

  constructor(parts: ServerRequestParts) {
    this.#parts = parts;
  }

  get method(): string {
    return this.#parts.method;
  }

  get url(): string {
    return this.#parts.url;
  }

  get headers(): Headers {
    return (this.#headers ??= this.#real !== null ? this.#real.headers : new Headers(headerInit(this.#parts.headerList, this.#parts.authority)));
  }

  get signal(): AbortSignal {
    return this.#parts.exchange.signal;
  }

  get trailers(): Promise<Headers | null> {
    return this.#parts.exchange.trailers;
  }

  get body(): ReadableStream<Uint8Array> | null {
    // After a clone() the real Request's body is a branch of the tee: it is the body from then on.
    if (this.#real !== null && this.#source?.kept !== true) return this.#real.body;
    const stream = this.#parts.body;
    if (stream === null) return null;
    return (this.#source ??= bodyStream(stream)).body;
  }

  get bodyUsed(): boolean {
    if (this.#real !== null && this.#source?.kept !== true) return this.#real.bodyUsed;
    return this.#source?.disturbed === true;
  }

  static {
    /**
     * The real Request behind the runtime's internal slots, made on first use. If the handler locked or
     * read the body first (the runtime's Request takes no used body), the real one gets a locked stand-in
     * body, so that its body methods refuse as on a used body while its other members (`cache`, `mode`...)
     * answer as a Request's do, and the handler's stream stays the body.
     */
    realOf = (request) => {
      if (request.#real !== null) return request.#real;
      const parts = request.#parts;
      const init: RequestInit & { duplex?: 'half' } = { method: parts.method, headers: request.#headers ?? headerInit(parts.headerList, parts.authority) };
      const body = request.body;
      let kept = false;
      if (body !== null) {
        const source = request.#source!;
        kept = source.kept = body.locked || source.disturbed;
        init.body = kept ? new ReadableStream<Uint8Array>() : body;
        init.duplex = 'half';
      }
      const real = new Request(parts.url, init);
      if (kept) real.body!.getReader();
      request.#real = real;
      return real;
    };
    /** Whether the handler took the body: it was locked or read (see `Exchange.refuseUntakenBody`). */
    bodyTakenOf = (request) => {
      // The body stream made for the request is locked once anything took it: a reader, the real Request
      // reading it, or a clone()'s tee (whose branch is the real Request's body from then on, unlocked).
      const source = request.#source;
      if (source !== null && (source.body.locked || source.disturbed)) return true;
      const real = request.#real;
      return real !== null && source?.kept !== true && (real.body?.locked === true || real.bodyUsed);
    };
  }
}

const BODY_TAKEN = Symbol('h2flow.bodyTaken');

type LazyRequestClass = new (parts: ServerRequestParts) => ServerRequest;

/**
 * Puts `Request.prototype` under LazyRequest's prototype and forwards every internal slot a probe
 * Request has (undici's `Symbol(state)`, `Symbol(headers)`, ...) to the real request; the signal slot
 * answers the exchange's signal, so `new Request(request)` and `fetch(request)` follow the client's reset.
 * Returns null when the runtime refuses the result (its Request keeps state the lazy one cannot forward,
 * e.g. private fields): `new Request(lazy)`, `clone()` and `text()` must all work on it.
 */
function makeLazyRequestClass(): LazyRequestClass | null {
  const proto = LazyRequest.prototype as unknown as Record<PropertyKey, unknown>;
  Object.setPrototypeOf(proto, Request.prototype);
  const probe = new Request('http://h2flow.invalid/', { method: 'POST', body: 'probe' });
  for (const key of Object.getOwnPropertySymbols(probe)) {
    const isSignal = (probe as unknown as Record<symbol, unknown>)[key] === probe.signal;
    Object.defineProperty(proto, key, {
      get(this: LazyRequest): unknown {
        if (isSignal) return (this as unknown as Request).signal;
        return (realOf(this) as unknown as Record<symbol, unknown>)[key];
      },
      set(this: LazyRequest, value: unknown): void {
        (realOf(this) as unknown as Record<symbol, unknown>)[key] = value;
      },
      configurable: true,
    });
  }
  Object.defineProperty(proto, BODY_TAKEN, {
    value(this: LazyRequest): boolean {
      return bodyTakenOf(this);
    },
  });
  return checked(LazyRequest as unknown as LazyRequestClass);
}

/** The lazy class if the runtime's own Request code works on its instances, else null. */
function checked(Lazy: LazyRequestClass): LazyRequestClass | null {
  try {
    const signal = new AbortController().signal;
    const parts = (method: string): ServerRequestParts => ({
      method,
      url: 'http://h2flow.invalid/probe',
      headerList: [['x-probe', '1']],
      authority: 'h2flow.invalid',
      body: null,
      exchange: { signal, trailers: Promise.resolve(null) },
    });
    const lazy = new Lazy(parts('GET'));
    const copy = new Request(lazy);
    const clone = lazy.clone();
    if (!(lazy instanceof Request) || copy.url !== lazy.url || copy.headers.get('x-probe') !== '1' || clone.method !== 'GET' || lazy.cache !== copy.cache) return null;
    return Lazy;
  } catch {
    return null;
  }
}

// --- the fallback: a subclass ---

type SubclassRequest = new (url: string, init: RequestInit, exchange: RequestExchange) => ServerRequest;

/**
 * The runtime's Request with `signal` and `trailers` served by the exchange from the prototype (no
 * per-request property definitions or closures). A Request given a signal in its init builds a second
 * AbortSignal and a listener per request; this one makes its signal only when read.
 */
function makeSubclass(): SubclassRequest {
  return class ServerRequest extends Request {
    readonly #exchange: RequestExchange;
    /**
     * The body stream given, if the runtime's Request serves it as its body: then it is locked once
     * anything took the body, a clone()'s tee included (which leaves a branch, unlocked, as `body`).
     */
    readonly #given: ReadableStream | null;

    constructor(url: string, init: RequestInit, exchange: RequestExchange) {
      super(url, init);
      this.#exchange = exchange;
      this.#given = init.body != null && this.body === init.body ? this.body : null;
    }

    get trailers(): Promise<Headers | null> {
      return this.#exchange.trailers;
    }

    static {
      // An accessor over Request's own `signal` (TypeScript types it as a plain property, hence no `get` above).
      Object.defineProperty(this.prototype, 'signal', {
        get(this: ServerRequest): AbortSignal {
          return this.#exchange.signal;
        },
        configurable: true,
      });
      Object.defineProperty(this.prototype, BODY_TAKEN, {
        value(this: ServerRequest): boolean {
          return this.body?.locked === true || this.bodyUsed || this.#given?.locked === true;
        },
      });
    }
  };
}

/** The lazy class as the runtime check found it (null: refused), made once. */
let madeLazy: LazyRequestClass | null | undefined;
/** The class in use: the lazy one, or null for the subclass. */
let lazyClass: LazyRequestClass | null | undefined;
let subclass: SubclassRequest | null = null;

/** Overrides the runtime check (tests run both kinds): false for the subclass, undefined for the runtime's choice. */
export function useLazyRequests(lazy: boolean | undefined): void {
  lazyClass = lazy === false ? null : undefined;
}

/** Whether server requests are lazy on this runtime. */
export function lazyRequests(): boolean {
  if (lazyClass === undefined) lazyClass = madeLazy === undefined ? (madeLazy = makeLazyRequestClass()) : madeLazy;
  return lazyClass !== null;
}

/**
 * The Request for a validated request. Throws TypeError for one the fetch API cannot represent (a field
 * `Headers` refuses): the lazy request checks its fields as Headers would, before any handler sees it.
 */
export function serverRequest(parts: ServerRequestParts): ServerRequest {
  if (lazyRequests()) {
    checkFields(parts.headerList);
    return new (lazyClass as LazyRequestClass)(parts);
  }
  const init: RequestInit & { duplex?: 'half' } = { method: parts.method, headers: headerInit(parts.headerList, parts.authority) };
  if (parts.body !== null) {
    init.body = bodyStream(parts.body).body;
    init.duplex = 'half';
  }
  return new (subclass ??= makeSubclass())(parts.url, init, parts.exchange);
}

/** Whether the handler took `request`'s body (locked or read): then it is left to the handler after the response. */
export function bodyTaken(request: Request): boolean {
  const taken = (request as unknown as Record<symbol, (() => boolean) | undefined>)[BODY_TAKEN];
  return taken !== undefined ? taken.call(request) : request.body?.locked === true || request.bodyUsed;
}

/**
 * Throws TypeError for a field `new Headers()` would refuse (a name that is not a token, a value with
 * NUL, CR or LF), so a lazy request refuses exactly the requests an eager one would.
 */
function checkFields(list: H2HeaderList): void {
  // Fields read by index, not destructured: destructuring runs the iterator protocol, which V8 does not
  // optimize away for a frozen pair (the core's shared static-table fields) — ~400 B per request.
  for (let i = 0; i < list.length; i++) {
    const field = list[i]!;
    const name = field[0];
    if (name.charCodeAt(0) === 0x3a) continue;
    checkFieldName(name);
    checkFieldValue(name, field[1]);
  }
}
