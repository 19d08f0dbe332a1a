/**
 * The frames serveSession sends for a response, read from a tap on the server's transport: an in-memory
 * body is one HEADERS (with content-length) and one DATA carrying END_STREAM; a streamed body whose end
 * is known in time ends with its last DATA frame; no empty DATA frame just for END_STREAM.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes } from '../../src/core';
import { H2Session, H2StreamError } from '../../src/streams';
import { H2Client } from '../../src/fetch/fetch-client';
import { LightResponse } from '../../src/fetch/light-response';
import { serveSession, withTrailers, type FetchHandler } from '../../src/fetch/fetch-server';
import { tapTransport } from '../../src/transport/tap';
import { duplexPair, settle } from '../support/duplex-pair';
import { facingPeer } from '../support/session-fixtures';

const Frames = suite('fetch server frames');

const HEADERS = 0x1;
const DATA = 0x0;
const END_STREAM = 0x1;

interface LoggedFrame {
  readonly type: number;
  readonly flags: number;
  readonly stream: number;
  readonly length: number;
}

/** Parses the bytes the server sent into frames (after its SETTINGS: the server sends no preface string). */
function parseFrames(chunks: Uint8Array[]): LoggedFrame[] {
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  const frames: LoggedFrame[] = [];
  for (let i = 0; i + 9 <= bytes.length; ) {
    const length = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    const stream = ((bytes[i + 5]! & 0x7f) << 24) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 8) | bytes[i + 8]!;
    frames.push({ type: bytes[i + 3]!, flags: bytes[i + 4]!, stream, length });
    i += 9 + length;
  }
  return frames;
}

/** Serves one request with `handler` and returns the client's response, its body, and the stream's frames as `TYPE[+END]:length`. */
async function exchange(handler: FetchHandler, method = 'GET'): Promise<{ response: Response; body: string; frames: string[] }> {
  const [a, b] = duplexPair();
  const sent: Uint8Array[] = [];
  const server = new H2Session(tapTransport(a, { sent: (bytes) => void sent.push(bytes.slice()) }), { role: 'server' });
  const client = new H2Client(new H2Session(b, { role: 'client' }), { baseUrl: 'http://example.com' });
  void serveSession(server, handler);
  let response: Response;
  let body: string;
  try {
    response = await client.fetch('/', { method });
    body = await response.text();
  } finally {
    await client.close();
  }
  const frames = parseFrames(sent)
    .filter((f) => f.stream === 1)
    .map((f) => `${f.type === HEADERS ? 'HEADERS' : f.type === DATA ? 'DATA' : `type${f.type}`}${f.flags & END_STREAM ? '+END' : ''}${f.type === DATA ? `:${f.length}` : ''}`);
  return { response, body, frames };
}

function twoChunks(close: 'same turn' | 'later'): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('hello '));
      const rest = (): void => {
        controller.enqueue(new TextEncoder().encode('world'));
        controller.close();
      };
      if (close === 'same turn') rest();
      else setTimeout(rest, 5);
    },
  });
}

Frames('a string body is HEADERS with content-length, then one DATA frame carrying END_STREAM', async () => {
  const { response, body, frames } = await exchange(() => new Response('hello'));
  assert.equal(frames, ['HEADERS', 'DATA+END:5']);
  assert.is(body, 'hello');
  assert.is(response.headers.get('content-length'), '5');
  assert.is(response.headers.get('content-type'), 'text/plain;charset=UTF-8');
});

Frames('a Uint8Array body is HEADERS with content-length, then one DATA frame carrying END_STREAM', async () => {
  const { response, frames } = await exchange(() => new Response(new Uint8Array(100)));
  assert.equal(frames, ['HEADERS', 'DATA+END:100']);
  assert.is(response.headers.get('content-length'), '100');
});

Frames('a multi-byte string body gets its UTF-8 length', async () => {
  const { response, body, frames } = await exchange(() => new Response('héllo ✓'));
  assert.equal(frames, ['HEADERS', 'DATA+END:10']);
  assert.is(response.headers.get('content-length'), '10');
  assert.is(body, 'héllo ✓');
});

Frames("a content-length the handler set is kept as it is", async () => {
  const { response, frames } = await exchange(() => new Response('hello', { headers: { 'content-length': '5' } }));
  assert.equal(frames, ['HEADERS', 'DATA+END:5']);
  assert.is(response.headers.get('content-length'), '5');
});

Frames('a null or empty body ends the stream with its HEADERS', async () => {
  assert.equal((await exchange(() => new Response(null))).frames, ['HEADERS+END']);
  const empty = await exchange(() => new Response(''));
  assert.equal(empty.frames, ['HEADERS+END']);
  assert.is(empty.response.headers.get('content-length'), '0');
});

Frames('a HEAD response is HEADERS with END_STREAM and no DATA', async () => {
  const { frames, body } = await exchange(() => new Response('hello'), 'HEAD');
  assert.equal(frames, ['HEADERS+END']);
  assert.is(body, '');
});

Frames('a stream body that closes in the same turn as its last enqueue ends with its last DATA frame', async () => {
  const { body, frames } = await exchange(() => new Response(twoChunks('same turn')));
  assert.is(body, 'hello world');
  assert.equal(frames, ['HEADERS', 'DATA:6', 'DATA+END:5']);
});

Frames('a stream body whose last chunk comes later still ends with that DATA frame', async () => {
  const { body, frames } = await exchange(() => new Response(twoChunks('later')));
  assert.is(body, 'hello world');
  assert.equal(frames, ['HEADERS', 'DATA:6', 'DATA+END:5']);
});

Frames('a stream body of several chunks sends each as it comes and END_STREAM on the last', async () => {
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((r) => setTimeout(r, 1));
      controller.enqueue(new Uint8Array(3));
      if (++count === 4) controller.close();
    },
  });
  let count = 0;
  const { frames } = await exchange(() => new Response(stream));
  assert.equal(frames, ['HEADERS', 'DATA:3', 'DATA:3', 'DATA:3', 'DATA+END:3']);
});

Frames('a stream whose end comes later than its last chunk gets one empty DATA frame for END_STREAM', async () => {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(4));
      setTimeout(() => controller.close(), 5);
    },
  });
  const { frames } = await exchange(() => new Response(stream));
  assert.equal(frames, ['HEADERS', 'DATA:4', 'DATA+END:0']);
});

Frames('trailers follow the last DATA frame and carry END_STREAM', async () => {
  const { frames, response } = await exchange(() => withTrailers(new Response('hello'), { 'x-sum': '1' }));
  assert.equal(frames, ['HEADERS', 'DATA:5', 'HEADERS+END']);
  assert.equal(await (response as Response & { trailers: Promise<Headers | null> }).trailers.then((t) => t?.get('x-sum')), '1');
});

Frames('a LightResponse is HEADERS with content-length, then one DATA frame carrying END_STREAM', async () => {
  const { response, body, frames } = await exchange(() => new LightResponse('hello', { headers: { 'X-Kind': ' light ' } }));
  assert.equal(frames, ['HEADERS', 'DATA+END:5']);
  assert.is(body, 'hello');
  assert.is(response.headers.get('content-length'), '5');
  assert.is(response.headers.get('content-type'), 'text/plain;charset=UTF-8');
  assert.is(response.headers.get('x-kind'), 'light');
});

Frames('a LightResponse with bytes sends them as they are, and a null one ends with its HEADERS', async () => {
  const bytes = await exchange(() => new LightResponse(new Uint8Array([104, 105]), { status: 201 }));
  assert.equal(bytes.frames, ['HEADERS', 'DATA+END:2']);
  assert.is(bytes.response.status, 201);
  assert.is(bytes.body, 'hi');
  assert.is(bytes.response.headers.get('content-type'), null);
  assert.equal((await exchange(() => new LightResponse(null, { status: 204 }))).frames, ['HEADERS+END']);
});

Frames('a LightResponse whose headers the handler changed is sent with the changes', async () => {
  const { response } = await exchange(() => {
    const r = new LightResponse('x', { headers: { 'x-a': '1' } });
    r.headers.set('x-b', '2');
    r.headers.delete('x-a');
    return r;
  });
  assert.is(response.headers.get('x-a'), null);
  assert.is(response.headers.get('x-b'), '2');
});

for (const [name, Kind] of [['Response', Response], ['LightResponse', LightResponse]] as const) {
  Frames(`a ${name} whose body the handler already read cannot be sent: its stream is reset with INTERNAL_ERROR`, async () => {
    const failure = await exchange(async () => {
      const r = new Kind('consumed');
      assert.is(await r.text(), 'consumed');
      return r;
    }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.instance(failure, H2StreamError);
    assert.is((failure as H2StreamError).code, ErrorCodes.INTERNAL_ERROR);
  });
}

const NOT_BYTES: [string, unknown[]][] = [
  ['a string', ['hello']],
  ['a string after bytes', [new Uint8Array(2), 'hello']],
  ['an ArrayBuffer', [new ArrayBuffer(3)]],
  ['a Uint16Array', [new Uint16Array(2)]],
];

for (const [name, chunks] of NOT_BYTES) {
  Frames(`a streamed body yielding ${name} (not a Uint8Array) is never sent: its stream is reset with INTERNAL_ERROR`, async () => {
    const body = new ReadableStream<unknown>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
    const failure = await exchange(() => new Response(body as ReadableStream<Uint8Array>)).then(
      () => null,
      (e: unknown) => e,
    );
    assert.instance(failure, H2StreamError);
    assert.is((failure as H2StreamError).code, ErrorCodes.INTERNAL_ERROR);
  });
}

Frames('a Response whose body the handler cancelled or locked is not sent from the string it was made from', async () => {
  const cancelled = await exchange(() => {
    const r = new Response('source');
    void r.body!.cancel();
    return r;
  });
  assert.is(cancelled.body, '');
  const locked = await exchange(() => {
    const r = new Response('source');
    r.body!.getReader();
    return r;
  }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.instance(locked, H2StreamError);
  assert.is((locked as H2StreamError).code, ErrorCodes.INTERNAL_ERROR);
});

Frames('a Response subclass whose body getter serves another stream is sent from that stream', async () => {
  class Replaced extends Response {}
  // (Response's lib type declares `body` a property: the accessor goes on the prototype.)
  Object.defineProperty(Replaced.prototype, 'body', { get: () => new Response('replaced').body });
  const { body, frames } = await exchange(() => new Replaced('source'));
  assert.is(body, 'replaced');
  assert.equal(frames, ['HEADERS', 'DATA+END:8']);
});

/** Bodies whose handler-set content-length is wrong: each kind of send (whole, one chunk, streamed). */
const WRONG_LENGTHS: Array<[string, () => Response]> = [
  ['a string Response', () => new Response('hello', { headers: { 'content-length': '3' } })],
  ['a LightResponse', () => new LightResponse('hello', { headers: { 'content-length': '9' } })],
  ['a repeated content-length', () => new Response('hello', { headers: [['content-length', '5'], ['content-length', '5']] })],
  ['a LightResponse with two content-length fields', () => new LightResponse('hello', { headers: [['content-length', '5'], ['content-length', '6']] })],
  ['a one-chunk stream', () => new Response(twoChunks('same turn').pipeThrough(new TransformStream()), { headers: { 'content-length': '4' } })],
  ['a streamed body too long', () => new Response(twoChunks('later'), { headers: { 'content-length': '8' } })],
  ['a streamed body too short', () => new Response(twoChunks('later'), { headers: { 'content-length': '20' } })],
];

Frames('a response whose content-length does not match its body resets only its stream with INTERNAL_ERROR', async () => {
  const [a, b] = duplexPair();
  const server = new H2Session(a, { role: 'server' });
  const client = new H2Client(new H2Session(b, { role: 'client' }), { baseUrl: 'http://example.com' });
  void serveSession(server, (request) => {
    const path = new URL(request.url).pathname;
    if (path === '/ok') return new Response('fine', { headers: { 'content-length': '4' } });
    return WRONG_LENGTHS[Number(path.slice(1))]![1]();
  });
  try {
    for (let i = 0; i < WRONG_LENGTHS.length; i++) {
      const failure = await client.fetch(`/${i}`).then(
        (response) => response.arrayBuffer().then(() => null),
        (e: unknown) => e,
      ).catch((e: unknown) => e);
      assert.instance(failure, H2StreamError, WRONG_LENGTHS[i]![0]);
      assert.is((failure as H2StreamError).code, ErrorCodes.INTERNAL_ERROR, WRONG_LENGTHS[i]![0]);
      // The connection lives on (a malformed response could have made the client fail it).
      assert.is(await (await client.fetch('/ok')).text(), 'fine');
    }
  } finally {
    await client.close();
  }
});

Frames('a request reset in the same read as its HEADERS (Rapid Reset) never reaches the handler, the first one included', async () => {
  const { session, wire, peer } = await facingPeer('server');
  const handled: string[] = [];
  void serveSession(session, (request) => {
    handled.push(new URL(request.url).pathname);
    return new Response('ok');
  });
  const get = (path: string) => [[':method', 'GET'], [':scheme', 'http'], [':path', path], [':authority', 'example.com']] as [string, string][];
  const frames: Uint8Array[] = [];
  for (let id = 1; id < 20; id += 2) frames.push(peer.headers(id, get(`/reset-${id}`), { endStream: true }), peer.rstStream(id, ErrorCodes.CANCEL));
  frames.push(peer.headers(21, get('/kept'), { endStream: true }));
  await wire.send(...frames);
  await settle();
  assert.equal(handled, ['/kept']);
  const answered = peer.drain().filter((f) => f.type === HEADERS).map((f) => f.streamId);
  assert.equal(answered, [21]);
  await session.close({ graceful: false });
});

Frames.run();
