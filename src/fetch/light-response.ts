/**
 * LightResponse: an opt-in `Response` for fetch handlers served by h2flow. It is `instanceof Response`
 * and behaves as one, but a string, bytes or null body with plain headers is sent by h2flow's server
 * straight from what it was given: no ReadableStream, no Headers and no copy of the bytes unless
 * something reads them. Layer: fetch (runtime-neutral; where the runtime's Response keeps state a lazy
 * object cannot reach, as in Bun, it is a Response subclass that keeps its body as given).
 */
import { checkFieldName, isNullBodyStatus, normalizeFieldValue } from './fetch-headers.ts';
import { lowercaseToken } from './request-target.ts';

type Field = [string, string];
type BodyInit = ConstructorParameters<typeof Response>[0];
type ResponseInit = NonNullable<ConstructorParameters<typeof Response>[1]>;
type HeadersInit = ConstructorParameters<typeof Headers>[0];

/**
 * The parts h2flow's server sends for a LightResponse (see {@link lightResponseParts}): valid only until
 * the next call (one object is reused), and its `fields` must not be modified (they are the response's own).
 */
export interface LightResponseParts {
  readonly status: number;
  /** Validated fields: lowercase names, normalized values (as `Headers` keeps them). */
  readonly fields: readonly Field[];
  readonly body: string | Uint8Array | null;
}

const TEXT_TYPE = 'text/plain;charset=UTF-8';


/** The field a text body gets without a `content-type` (Fetch's "extract a body"), shared. */
const TEXT_FIELD = Object.freeze(['content-type', TEXT_TYPE]) as unknown as Field;
/** The fields of a response without any, shared (a LightResponse never adds to its fields after its constructor). */
const NO_FIELDS = Object.freeze([]) as unknown as Field[];
/** The last field {@link fieldOf} made: frozen and given again for the same name and value. */
let lastField: Field | null = null;

/**
 * One field of a headers init, validated and normalized as `new Headers()` would. A handler making its
 * responses with one constant header gets one shared (frozen) pair instead of a new one per response.
 */
function fieldOf(name: string, value: string): Field {
  const n = String(name);
  checkFieldName(n);
  const lower = lowercaseToken(n);
  const normalized = normalizeFieldValue(n, String(value));
  const last = lastField;
  if (last !== null && last[0] === lower && last[1] === normalized) return last;
  return (lastField = Object.freeze([lower, normalized]) as unknown as Field);
}

/**
 * `init` as validated fields, as `new Headers(init)` would hold them (names lowercased, values
 * normalized), with `content-type: text/plain;charset=UTF-8` after them for a `text` body without one.
 */
function fieldsOf(init: HeadersInit | undefined, text: boolean): Field[] {
  if (init === undefined || init === null) return text ? [TEXT_FIELD] : NO_FIELDS;
  if (init instanceof Headers || typeof (init as Iterable<unknown>)[Symbol.iterator] === 'function') {
    const fields: Field[] = [];
    if (init instanceof Headers) {
      // The iterator's pairs are fresh arrays: kept as they are.
      for (const pair of init) fields.push(pair as Field);
    } else {
      for (const pair of init as Iterable<readonly string[]>) {
        if (pair.length !== 2) throw new TypeError('h2flow: a header pair must have a name and a value');
        fields.push(fieldOf(pair[0]!, pair[1]!));
      }
    }
    if (text && !hasField(fields, 'content-type')) fields.push(TEXT_FIELD);
    return fields;
  }
  // for-in over own keys is Object.keys' order without its array (a record's inherited keys are skipped
  // as there). Counted first: the list is made at its size, with a slot for the default content-type
  // (`[]` grows to 17 slots on its first push; a shorter length keeps the room without a copy).
  let count = 0;
  for (const name in init) if (Object.hasOwn(init, name)) count++;
  if (count === 0) return text ? [TEXT_FIELD] : NO_FIELDS;
  const fields: Field[] = new Array(text ? count + 1 : count);
  let i = 0;
  let typed = false;
  for (const name in init) {
    if (!Object.hasOwn(init, name)) continue;
    const field = fieldOf(name, (init as Record<string, string>)[name]!);
    if (field[0] === 'content-type') typed = true;
    fields[i++] = field;
  }
  if (text) {
    if (typed) fields.length = count;
    else fields[count] = TEXT_FIELD;
  }
  return fields;
}

function hasField(fields: readonly Field[], name: string): boolean {
  for (const f of fields) if (f[0] === name) return true;
  return false;
}

/**
 * What `partsOf` answers, filled in per call: the server reads it at once, before any other response is
 * asked (no object per response).
 */
const SCRATCH: { -readonly [K in keyof LightResponseParts]: LightResponseParts[K] } = { status: 200, fields: [], body: null };

// Set by LightResponse's static block: its private members, for the module's own use.
let realOf: (response: LightResponseImpl) => Response;
let partsOf: (response: object) => LightResponseParts | null;

/**
 * The key of LightResponse's parts method, shared by every copy of this module (h2flow's entries are
 * separate bundles: a LightResponse from `h2flow` served by `serve` from `h2flow/node` is still light).
 */
const PARTS = Symbol.for('h2flow.LightResponse.parts');

/** See {@link LightResponse}. */
class LightResponseImpl {
  readonly #status: number = 200;
  readonly #body: string | Uint8Array | null = null;
  readonly #fields: Field[] = NO_FIELDS;
  #headers: Headers | null = null;
  #real: Response | null = null;

  constructor(body?: BodyInit | null, init?: ResponseInit) {
    if (!lightResponses()) return new (lightSubclass ??= makeLightSubclass())(body, init) as unknown as LightResponseImpl;
    const status = init?.status ?? 200;
    const plain = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
    // Anything the Response constructor checks or transforms beyond this (a status it refuses, a status
    // text, a body of another kind) is left to it.
    if (!plain || init?.statusText !== undefined || !Number.isInteger(status) || status < 200 || status > 599 || (body != null && isNullBodyStatus(status))) {
      this.#real = new Response(body, init);
      return;
    }
    this.#status = status;
    this.#body = body ?? null;
    this.#fields = fieldsOf(init?.headers, typeof body === 'string');
  }

  get status(): number {
    return this.#real?.status ?? this.#status;
  }

  get ok(): boolean {
    const status = this.status;
    return status >= 200 && status <= 299;
  }

  get statusText(): string {
    return this.#real?.statusText ?? '';
  }

  get headers(): Headers {
    return (this.#headers ??= this.#real !== null ? this.#real.headers : new Headers(this.#fields));
  }

  get type(): Response['type'] {
    return 'default';
  }

  get url(): string {
    return '';
  }

  get redirected(): boolean {
    return false;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.#realize().body;
  }

  get bodyUsed(): boolean {
    return this.#real?.bodyUsed ?? false;
  }

  /** The real Response behind the runtime's internal slots, made on first use. */
  #realize(): Response {
    // (A cast: Deno's lib types take only a Uint8Array over an ArrayBuffer, not any ArrayBufferLike.)
    return (this.#real ??= new Response(this.#body as BodyInit, { status: this.#status, headers: this.#headers ?? this.#fields }));
  }

  static {
    // Users see the exported name.
    Object.defineProperty(this, 'name', { value: 'LightResponse' });
    realOf = (response) => response.#realize();
    partsOf = (response) => {
      // Once made real (its body read, cloned...), the real Response is what is sent.
      if (!(#body in response) || response.#real !== null) return null;
      // Headers read (and perhaps changed) through `headers` are sent as they are now.
      const parts = SCRATCH;
      parts.status = response.#status;
      parts.fields = response.#headers === null ? response.#fields : [...response.#headers];
      parts.body = response.#body;
      return parts;
    };
  }
}

// Set by the subclass's static block.
let subclassPartsOf: (response: object) => LightResponseParts | null;
let lightSubclass: (new (body?: BodyInit | null, init?: ResponseInit) => Response) | undefined;

/**
 * LightResponse where no object can stand in for the runtime's Response (Bun: its members are native and
 * refuse any other object): a real Response (Bun.serve takes it too) that keeps the string, bytes or null
 * it was made from, so h2flow's server sends those instead of reading the body's ReadableStream (in Bun
 * `getReader()` and two reads cost ~5× the `new Response()` itself). A body that was touched (`body`
 * read, or used by `text()` and the like) is sent as any Response's.
 */
function makeLightSubclass(): new (body?: BodyInit | null, init?: ResponseInit) => Response {
  return class LightResponse extends Response {
    /** The body as given, or undefined for another kind (a stream, a Blob, form data). */
    readonly #given: string | Uint8Array | null | undefined;
    #bodyRead = false;

    constructor(body?: BodyInit | null, init?: ResponseInit) {
      super(body, init);
      this.#given = body === undefined || body === null ? null : typeof body === 'string' || body instanceof Uint8Array ? body : undefined;
    }

    static {
      const body = Object.getOwnPropertyDescriptor(Response.prototype, 'body')?.get;
      // An accessor over Response's own `body` (TypeScript types it as a plain property).
      if (body !== undefined) {
        Object.defineProperty(this.prototype, 'body', {
          get(this: LightResponse): ReadableStream<Uint8Array> | null {
            this.#bodyRead = true;
            return body.call(this) as ReadableStream<Uint8Array> | null;
          },
          configurable: true,
        });
      }
      Object.defineProperty(this.prototype, PARTS, {
        value(this: object): LightResponseParts | null {
          return subclassPartsOf(this);
        },
      });
      subclassPartsOf = (response) => {
        if (!(#given in response) || response.#given === undefined || response.#bodyRead || response.bodyUsed) return null;
        const fields: Field[] = [];
        for (const [name, value] of response.headers) fields.push([name, value]);
        // Fetch's "extract a body": a string is text/plain;charset=UTF-8 (Bun's Headers leave it out).
        if (typeof response.#given === 'string' && !hasField(fields, 'content-type')) fields.push(['content-type', TEXT_TYPE]);
        return { status: response.status, fields, body: response.#given };
      };
    }
  };
}

/**
 * A `Response` (`instanceof Response`, every member works) that h2flow's fetch server sends without
 * making its native parts: for a body given as a string, a `Uint8Array` or null, the bytes go out as
 * given in one HEADERS + DATA, with `content-length`. A real Response is made only if something reads
 * its body, clones it or reads another member the runtime keeps internally. Bytes are not copied: do not
 * modify a `Uint8Array` body after returning it. Other bodies (streams, Blobs, FormData) work as with
 * `Response`, at its cost. On a runtime whose Response cannot be stood in for (Bun), `new LightResponse()`
 * is a subclass of `Response` (a native one, which the runtime's own APIs accept) that keeps its body as
 * given: the Response is made, but its body is sent without a ReadableStream.
 *
 * @example
 * ```ts
 * // serve and LightResponse from 'h2flow'
 * serve(() => new LightResponse('hello\n', { headers: { 'content-type': 'text/plain' } }));
 * ```
 */
export const LightResponse = LightResponseImpl as unknown as {
  new (body?: BodyInit | null, init?: ResponseInit): Response;
  readonly prototype: Response;
};
/** A LightResponse is a Response. */
export type LightResponse = Response;

/**
 * The parts of a LightResponse h2flow's server can send as they are, or null for anything else (another
 * Response, or a LightResponse whose body was made into a stream and may have been read).
 */
export function lightResponseParts(response: Response): LightResponseParts | null {
  const parts = (response as unknown as Record<symbol, ((this: Response) => LightResponseParts | null) | undefined>)[PARTS];
  return typeof parts === 'function' ? parts.call(response) : null;
}

let lightClass: boolean | undefined;

/**
 * Puts `Response.prototype` under LightResponse's prototype and forwards every internal slot a probe
 * Response has (undici's `Symbol(state)`, `Symbol(headers)`) to the real response, if the runtime's own
 * Response code then works on it (`clone()`, `text()`); false (ordinary Responses) otherwise.
 */
function lightResponses(): boolean {
  if (lightClass !== undefined) return lightClass;
  const proto = LightResponseImpl.prototype as unknown as Record<PropertyKey, unknown>;
  Object.setPrototypeOf(proto, Response.prototype);
  const probe = new Response('probe');
  for (const key of Object.getOwnPropertySymbols(probe)) {
    Object.defineProperty(proto, key, {
      get(this: LightResponseImpl): unknown {
        return (realOf(this) as unknown as Record<symbol, unknown>)[key];
      },
      set(this: LightResponseImpl, value: unknown): void {
        (realOf(this) as unknown as Record<symbol, unknown>)[key] = value;
      },
      configurable: true,
    });
  }
  Object.defineProperty(proto, PARTS, {
    value(this: object): LightResponseParts | null {
      return partsOf(this);
    },
  });
  lightClass = true;
  try {
    const light = new LightResponseImpl('probe', { headers: { 'x-probe': '1' } });
    const clone = (light as unknown as Response).clone();
    lightClass = light instanceof Response && clone.headers.get('x-probe') === '1' && clone.status === 200;
  } catch {
    lightClass = false;
  }
  if (!lightClass) Object.setPrototypeOf(proto, Object.prototype);
  return lightClass;
}
