/**
 * The `Response` `H2Client.fetch` resolves with: built from the response header block without going
 * through the runtime's `Response` headers, which in a browser hide `set-cookie`, so every field the
 * server sent is in `headers` (`getSetCookie()` included); the body errors with the abort signal's
 * reason when the fetch is aborted. Layer: fetch (runtime-neutral).
 */
import { ErrorCodes } from '../core/errors.ts';
import { headersFromList, isNullBodyStatus, trailerHeaders } from './fetch-headers.ts';
import { toNative } from '../streams/interop.ts';
import type { H2Stream } from '../streams/stream.ts';
import type { H2HeaderList, Source } from '../streams/types.ts';

/** h2flow's response extension: the trailer block the server sent after the body, or null if none. */
export interface ResponseTrailers {
  readonly trailers: Promise<Headers | null>;
}

type ClientResponseClass = new (
  body: ReadableStream<Uint8Array> | null,
  status: number,
  headers: Headers,
  url: string,
  trailers: Promise<Headers | null>,
  redirected?: boolean,
) => Response & ResponseTrailers;
let clientResponse: ClientResponseClass | null = null;

/**
 * The runtime's Response with `headers`, `url` and `trailers` served from private fields (no per-response
 * property definitions). Only `content-type` is given to the base Response: its body methods need it
 * (`blob().type`, `formData()`), and nothing else reads its own header list. Defined on first use, so
 * importing h2flow needs no global Response.
 */
function clientResponseClass(): ClientResponseClass {
  return (clientResponse ??= class ClientResponse extends Response {
    readonly #headers: Headers;
    readonly #url: string;
    readonly #trailers: Promise<Headers | null>;
    readonly #redirected: boolean;

    constructor(body: ReadableStream<Uint8Array> | null, status: number, headers: Headers, url: string, trailers: Promise<Headers | null>, redirected = false) {
      const type = headers.get('content-type');
      super(body, type === null ? { status } : { status, headers: [['content-type', type]] });
      this.#headers = headers;
      this.#url = url;
      this.#trailers = trailers;
      this.#redirected = redirected;
    }

    get trailers(): Promise<Headers | null> {
      return this.#trailers;
    }

    static {
      // Accessors over Response's own `headers` and `url`, and its `clone` (TypeScript types them as plain
      // properties): a clone is a ClientResponse too, with every field.
      const baseClone = Object.getPrototypeOf(this.prototype).clone as (this: Response) => Response;
      Object.defineProperty(this.prototype, 'clone', {
        value(this: ClientResponse): Response {
          const copy = baseClone.call(this);
          return new ClientResponse(copy.body, this.status, new Headers(this.#headers), this.#url, this.#trailers, this.#redirected);
        },
        configurable: true,
        writable: true,
      });
      Object.defineProperty(this.prototype, 'headers', {
        get(this: ClientResponse): Headers {
          return this.#headers;
        },
        configurable: true,
      });
      Object.defineProperty(this.prototype, 'url', {
        get(this: ClientResponse): string {
          return this.#url;
        },
        configurable: true,
      });
      Object.defineProperty(this.prototype, 'redirected', {
        get(this: ClientResponse): boolean {
          return this.#redirected;
        },
        configurable: true,
      });
    }
  });
}

/**
 * The response body when the fetch has an abort signal: reads fail with the signal's reason once it is
 * aborted (as fetch's do), not with the stream reset the abort caused, and an abort after the last
 * DATA still errors a body not yet read to its end.
 */
class SignalledBody implements Source<Uint8Array> {
  readonly #readable: ReadableStream<Uint8Array>;
  readonly #signal: AbortSignal;
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;

  constructor(readable: ReadableStream<Uint8Array>, signal: AbortSignal) {
    this.#readable = readable;
    this.#signal = signal;
  }

  async pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    const signal = this.#signal;
    const reader = (this.#reader ??= this.#readable.getReader());
    if (signal.aborted) {
      void reader.cancel(signal.reason).catch(ignore);
      throw signal.reason;
    }
    let next: Awaited<ReturnType<typeof reader.read>>;
    try {
      next = await reader.read();
    } catch (error) {
      throw signal.aborted ? signal.reason : error;
    }
    if (next.done) controller.close();
    else controller.enqueue(next.value);
  }

  cancel(reason: unknown): Promise<void> {
    return (this.#reader ?? this.#readable).cancel(reason);
  }
}

function ignore(): void {}

/**
 * Watches the rest of a response that has no content (HEAD, 204, 205, 304) but did not end with its
 * header block (or brought DATA with it): nobody reads its body, so DATA there would hold the connection's receive window for good
 * (enough such responses stall the connection). RFC 9110 §15.3.5, §15.4.5: such a response "cannot
 * contain content"; RFC 9113 §8.1.1: malformed, a stream error of type PROTOCOL_ERROR. An end (empty
 * DATA, trailers) is taken as it comes.
 */
async function refuseContent(stream: H2Stream): Promise<void> {
  const reader = stream.readable.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      // Reset while the stream is open; read to its end (returning the window) if it already ended.
      if (value.byteLength > 0) stream.reset(ErrorCodes.PROTOCOL_ERROR);
    }
  } catch {
    // The stream failed: nothing is left to refuse.
  }
}

/**
 * RFC 9110 §15: "The status code of a response is a three-digit integer code"; a Response takes 200–599
 * (1xx are interim, and arrive as `informationalResponses`). Not `Number()`: `2e2` and `0xc8` are not statuses.
 */
function finalStatus(fields: H2HeaderList): number {
  let value: string | null = null;
  // By index, not destructured: destructuring a frozen pair (a shared static-table field) allocates.
  for (let i = 0; i < fields.length; i++) {
    if (fields[i]![0] === ':status') {
      value = fields[i]![1];
      break;
    }
  }
  if (value === null || value.length !== 3) throw new TypeError(`invalid :status ${JSON.stringify(value)}`);
  let status = 0;
  for (let i = 0; i < 3; i++) {
    const d = value.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) throw new TypeError(`invalid :status ${JSON.stringify(value)}`);
    status = status * 10 + d;
  }
  if (status < 200 || status > 599) throw new TypeError(`a final :status of ${value} cannot be represented`);
  return status;
}

/**
 * The Response for a stream's final response header block `fields`. Throws (TypeError, or what `Headers`
 * throws for a field it refuses) when the fetch API cannot represent it; the caller then resets the stream.
 */
export function buildResponse(stream: H2Stream, fields: H2HeaderList, method: string, url: string, signal: AbortSignal | null, redirected = false): Response & ResponseTrailers {
  const status = finalStatus(fields);
  const headers = headersFromList(fields);
  let body: ReadableStream<Uint8Array> | null = null;
  if (method !== 'HEAD' && !isNullBodyStatus(status)) {
    body = signal === null ? toNative(stream.readable) : new ReadableStream(new SignalledBody(stream.readable, signal), { highWaterMark: 0 });
  } else if (!stream.bodyEmpty) {
    void refuseContent(stream);
  }
  let trailers = stream.trailers.then(trailerHeaders);
  if (signal !== null) trailers = trailers.catch((error: unknown) => Promise.reject(signal.aborted ? signal.reason : error));
  trailers.catch(ignore);
  return new (clientResponseClass())(body, status, headers, url, trailers, redirected);
}
