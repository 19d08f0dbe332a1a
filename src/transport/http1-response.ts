/**
 * Writing a fetch `Response` as an HTTP/1.1 response (Node's `ServerResponse`): framing left to Node and
 * checked against the handler's content-length, the body with backpressure and a deadline on a client
 * that stops reading, then trailers. Layer: transport (Node).
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { TrailersExtension } from '../fetch/fetch-server.ts';
import { trailerFields, type TrailersInit } from '../fetch/fetch-headers.ts';
import { memoryBody } from '../fetch/send-response.ts';
import { lightResponseParts } from '../fetch/light-response.ts';

/** The error a response write fails with when the connection closed under it. */
function closedError(): Error {
  return new Error('h2flow: the HTTP/1.1 connection closed while the response was being written');
}

/** Writes `response` to `res`: status, headers, the body with backpressure, then trailers (chunked only). */
export async function writeResponse(res: ServerResponse, response: Response, isHead: boolean, writeTimeout: number): Promise<void> {
  const flat: string[] = [];
  // null: no trailers (as a proxied h2flow client response may say).
  const trailers = (response as TrailersExtension).trailers ?? undefined;
  // A HEAD response sends no trailers: a promise of them that rejects must not go unhandled.
  if (isHead && trailers instanceof Promise) trailers.catch(() => undefined);
  // An h2flow LightResponse is sent from its parts: reading its `body` or `headers` would make the
  // runtime's Response (and a stream) it exists to avoid.
  const light = lightResponseParts(response);
  const status = light?.status ?? response.status;
  // The body: in memory (a string or bytes: its length is known), null (none), or undefined (a stream).
  let source: string | Uint8Array | null | undefined;
  let body: ReadableStream<Uint8Array> | null = null;
  if (light !== null && trailers === undefined) source = light.body;
  else {
    body = response.body;
    source = body === null ? null : trailers === undefined ? memoryBody(response) : undefined;
  }
  let hasLength = false;
  const fields: Iterable<readonly [string, string]> = light !== null ? light.fields : response.headers;
  for (const field of fields) {
    // Read by index, not destructured: a LightResponse's fields may be frozen shared pairs, for which V8
    // does not optimize the iterator protocol away (see server-request's checkFields).
    const name = field[0];
    const value = field[1];
    // Framing is Node's to choose: the handler's transfer-encoding would sit beside Node's own or beside a
    // content-length (RFC 9112 §6.2 forbids both), and a proxy would split the stream where Node did not.
    if (name === 'transfer-encoding') continue;
    if (name === 'content-length') {
      if (!/^\d{1,15}$/.test(value)) {
        if (trailers instanceof Promise) trailers.catch(() => undefined);
        if (body !== null) void body.cancel().catch(() => undefined);
        throw new TypeError(`h2flow: the response's content-length is invalid: ${value}`);
      }
      hasLength = true;
    }
    flat.push(name, value);
  }
  const statusText = response.statusText || (STATUS_CODES[status] ?? 'unknown');
  // A body longer or shorter than its content-length ends the connection (Node throws on the write or the
  // end that breaks it): on a kept-alive connection the excess or the shortfall would be read as part of
  // the next response — a desync a proxy sharing the connection between clients passes on.
  res.strictContentLength = true;
  if (source === null || isHead) {
    if (body !== null) void body.cancel().catch(() => undefined);
    // An empty body is framed as such, except where RFC 9110 §8.6 forbids Content-Length (204) or would read
    // it as the 200's length (304).
    if (source === null && !isHead && status !== 204 && status !== 304 && !hasLength && trailers === undefined) flat.push('content-length', '0');
    res.writeHead(status, statusText, flat);
    if (trailers !== undefined && !isHead) addTrailers(res, await trailers);
    await endResponse(res, writeTimeout);
    return;
  }
  // A body held in memory: its length is known, so it goes out with a content-length in one write instead
  // of chunked through a stream reader.
  if (source !== undefined && status !== 204 && status !== 304) {
    // A string is handed to Node as it is: Node writes it together with the header block, one string and
    // one write, with no Buffer made for it here.
    if (!hasLength) flat.push('content-length', String(typeof source === 'string' ? Buffer.byteLength(source) : source.byteLength));
    res.writeHead(status, statusText, flat);
    // Throws on a handler's content-length that is not the body's (strictContentLength): the caller destroys.
    await endResponse(res, writeTimeout, source);
    return;
  }
  body ??= response.body!;
  res.writeHead(status, statusText, flat);
  const reader = body.getReader();
  // The client hung up (or the connection was cut): cancel the handler's body at once. A read it never
  // answers (a long poll, an idle event stream) would otherwise hold the body and this loop for good.
  const onClose = (): void => {
    if (!res.writableFinished) void reader.cancel(closedError()).catch(() => undefined);
  };
  res.once('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (res.destroyed) throw closedError();
      if (done) break;
      if (!res.write(value)) await drained(res, writeTimeout);
    }
  } catch (error) {
    void reader.cancel(error).catch(() => undefined);
    throw error;
  } finally {
    res.off('close', onClose);
  }
  if (trailers !== undefined) addTrailers(res, await trailers);
  await endResponse(res, writeTimeout);
}

function addTrailers(res: ServerResponse, trailers: TrailersInit | null): void {
  if (trailers !== null) res.addTrailers(trailerFields(trailers) as Array<[string, string]>);
}

/**
 * Resolves when `res` can take more (`done` says which event that is: 'drain', or 'finish' for `end`),
 * rejects when it closes first. Past `writeTimeout` ms in which its socket accepted no byte, the response
 * is destroyed. A pipelined response waiting for its turn has no socket yet: its clock starts with one.
 */
function written(res: ServerResponse, done: 'drain' | 'finish', writeTimeout: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (res.destroyed) return reject(closedError());
    let timer: ReturnType<typeof setTimeout> | null = null;
    let sent = -1;
    const check = (): void => {
      const socket = res.socket;
      if (socket === null) return;
      // Progress since the last check (the peer took some bytes): wait on.
      if (socket.bytesWritten !== sent) {
        sent = socket.bytesWritten;
        timer = setTimeout(check, writeTimeout);
        return;
      }
      res.destroy(new Error('h2flow: the HTTP/1.1 client accepted none of the response for writeTimeout'));
    };
    const finish = (error: Error | null): void => {
      if (timer !== null) clearTimeout(timer);
      res.off(done, onDone);
      res.off('close', onClose);
      res.off('socket', check);
      if (error === null) resolve();
      else reject(error);
    };
    // A response destroyed with bytes still queued gets 'finish' too (Node), with `errored` set.
    const onDone = (): void => finish(res.errored != null ? closedError() : null);
    const onClose = (): void => finish(closedError());
    res.once(done, onDone);
    res.once('close', onClose);
    if (writeTimeout <= 0) return;
    const socket = res.socket;
    if (socket === null) res.once('socket', check);
    // After end() with every byte already handed to the kernel, 'finish' needs nothing of the peer: no timer.
    else if (done === 'drain' || socket.writableLength > 0) check();
  });
}

function drained(res: ServerResponse, writeTimeout: number): Promise<void> {
  return written(res, 'drain', writeTimeout);
}

/**
 * Ends `res`, with `last` as the whole body if given; resolves once it is flushed. Closed first: resolves
 * without `last` (the body was written: nothing more can be done for it), rejects with it (the body did
 * not get out, as a streamed one's write would fail).
 */
function endResponse(res: ServerResponse, writeTimeout: number, last?: string | Uint8Array): Promise<void> {
  // Throws on a body shorter than its content-length: the caller then destroys the response.
  if (last === undefined) res.end();
  else res.end(last);
  // Finished, or every byte handed to the kernel (Node uncorks within end()): 'finish' needs nothing of the
  // peer now, so nothing waits for it (its listeners and promise per response are saved).
  if (res.writableFinished || (res.socket !== null && res.socket.writableLength === 0 && !res.destroyed)) return Promise.resolve();
  const finished = written(res, 'finish', writeTimeout);
  return last === undefined ? finished.catch(() => undefined) : finished;
}
