/**
 * The fetch-style layer (H2Client, serveSession/respondToStream) over an in-memory duplexPair, with the
 * native and the web-streams-polyfill implementations: pushes nobody takes, request bodies a response
 * leaves unread, lazy body allocation, and the default 500.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ReadableStream as PolyReadable, WritableStream as PolyWritable } from 'web-streams-polyfill';
import { ErrorCodes } from '../../src/core';
import { globalStreams, H2Session, H2StreamError, type H2Stream, type StreamConstructors } from '../../src/streams';
import { H2Client, type H2RequestInit } from '../../src/fetch/fetch-client';
import { serveSession, withTrailers, type FetchHandler } from '../../src/fetch/fetch-server';
import { countingStreams, duplexPair, rejection, settle } from '../support/duplex-pair';

const Fetch = suite('fetch API over in-memory sessions');

const KiB = 1024;
const BASE = 'http://example.com';

/** Resolves with `promise`'s value, or with 'timeout' if it takes longer than `ms` (a hang fails, not stalls). */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const VARIANTS: [string, StreamConstructors][] = [
  ['native', globalStreams()],
  ['web-streams-polyfill', { ReadableStream: PolyReadable, WritableStream: PolyWritable } as unknown as StreamConstructors],
];

for (const [name, streams] of VARIANTS) {
  function pair(serverStreams: StreamConstructors = streams) {
    const [a, b] = duplexPair();
    const server = new H2Session(a, { role: 'server', streams: serverStreams });
    const client = new H2Session(b, { role: 'client', streams });
    return { server, client };
  }

  /** A raw server: `/index.html` pushes `pushes` bodies of `pushSize` bytes; `/big` answers `bigSize` bytes. */
  function pushingServer(server: H2Session, pushes: number, pushSize: number, bigSize: number): void {
    void (async () => {
      for await (const stream of server.incoming as unknown as AsyncIterable<H2Stream>) {
        const path = stream.headers.find(([n]) => n === ':path')?.[1];
        if (path === '/index.html') {
          for (let i = 1; i <= pushes; i++) {
            try {
              const pushed = stream.push([[':method', 'GET'], [':scheme', 'http'], [':path', `/p${i}.bin`], [':authority', 'example.com']]);
              pushed.respond([[':status', '200']], { body: new Uint8Array(pushSize) });
            } catch {
              // The client refused push (SETTINGS_ENABLE_PUSH 0): nothing to promise.
            }
          }
          stream.respond([[':status', '200']], { body: '<h1>index</h1>' });
        } else {
          stream.respond([[':status', '200']], { body: new Uint8Array(bigSize) });
        }
      }
    })();
  }

  Fetch(`H2Client cancels pushes nobody takes, so 20 unread 200 KB pushes cannot stall a later 3 MB response (${name})`, async () => {
    const { server, client } = pair();
    pushingServer(server, 20, 200 * KiB, 3 << 20);
    const fetcher = new H2Client(client, { baseUrl: BASE });
    const index = await fetcher.fetch('/index.html');
    assert.is(await index.text(), '<h1>index</h1>');
    const big = await within(
      fetcher.fetch('/big').then((r) => r.arrayBuffer()),
      5000,
    );
    assert.ok(big !== 'timeout', 'the 3 MB response completed');
    assert.is((big as ArrayBuffer).byteLength, 3 << 20);
    await fetcher.close();
  });

  Fetch(`H2Client hands pushed streams to onPush instead of cancelling them (${name})`, async () => {
    const { server, client } = pair();
    pushingServer(server, 2, 10, 10);
    const pushed: H2Stream[] = [];
    const fetcher = new H2Client(client, { baseUrl: BASE, onPush: (s) => pushed.push(s) });
    await (await fetcher.fetch('/index.html')).text();
    await settle();
    assert.is(pushed.length, 2);
    assert.is(pushed[0]?.headers.find(([n]) => n === ':path')?.[1], '/p1.bin');
    const body = new Uint8Array(await new Response(pushed[0]!.readable as ReadableStream<Uint8Array>).arrayBuffer());
    assert.is(body.byteLength, 10);
    await fetcher.close();
  });

  Fetch(`a GET with an endless body gets its response, then RST_STREAM NO_ERROR releases its window (${name})`, async () => {
    const { server, client } = pair();
    void serveSession(server, () => new Response('answered without reading'));
    const stream = await client.request([[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'example.com']]);
    const writer = stream.writable.getWriter();
    // 64 KiB chunks: the stream window (65 535) fills after the first, so the rest waits for the server.
    const writes = Array.from({ length: 8 }, () => writer.write(new Uint8Array(64 * KiB)).catch((e: unknown) => e));
    const response = await stream.response;
    assert.is(response.find(([n]) => n === ':status')?.[1], '200');
    assert.is(new TextDecoder().decode(await new Response(stream.readable as ReadableStream<Uint8Array>).arrayBuffer()), 'answered without reading');
    const closed = await within(rejection(stream.closed), 2000);
    assert.instance(closed, H2StreamError, 'the server reset the stream instead of leaving the body pending');
    assert.is((closed as H2StreamError).code, ErrorCodes.NO_ERROR);
    const last = await within(writes[writes.length - 1] as Promise<unknown>, 2000);
    assert.instance(last, H2StreamError, 'the waiting write fails instead of hanging');
    await client.close();
  });

  Fetch(`a handler that answers 202 and keeps reading the body it took gets all 32 KiB of it (${name})`, async () => {
    const { server, client } = pair();
    let total!: Promise<number>;
    let completed!: Promise<void>;
    void serveSession(server, (request, info) => {
      const reader = request.body!.getReader();
      total = (async () => {
        let n = 0;
        for (let r = await reader.read(); !r.done; r = await reader.read()) n += r.value.byteLength;
        return n;
      })();
      total.catch(() => undefined);
      completed = info.completed;
      return new Response(null, { status: 202 });
    });
    const fetcher = new H2Client(client, { baseUrl: BASE });
    let source!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (source = c) });
    const res = await fetcher.fetch('/ingest', { method: 'POST', body, duplex: 'half' });
    assert.is(res.status, 202);
    // The response is complete and the server has decided about the body before any of it is sent.
    await completed;
    await settle();
    for (let i = 0; i < 8; i++) source.enqueue(new Uint8Array(4 * KiB));
    source.close();
    const got = await within(total.catch((e: unknown) => e), 5000);
    assert.is(got, 32 * KiB, 'the handler read the whole body after answering');
    await fetcher.close();
  });

  Fetch(`refusing a body nobody took after a complete response does not abort request.signal (${name})`, async () => {
    const { server, client } = pair();
    let signal!: AbortSignal;
    void serveSession(server, (request) => {
      signal = request.signal;
      return new Response('answered without reading');
    });
    const post = [[':method', 'POST'], [':scheme', 'http'], [':path', '/'], [':authority', 'example.com']] as [string, string][];
    const stream = await client.request(post);
    void stream.writable.getWriter().write(new Uint8Array(KiB)).catch(() => undefined);
    await stream.response;
    const closed = await within(rejection(stream.closed), 2000);
    assert.instance(closed, H2StreamError, 'the untaken body was refused');
    assert.is((closed as H2StreamError).code, ErrorCodes.NO_ERROR);
    await settle();
    assert.is(signal.aborted, false, 'the exchange succeeded: the client did not go away');
    await client.close();
  });

  Fetch(`a handler's Response.error() resets the stream with INTERNAL_ERROR instead of sending :status 0 (${name})`, async () => {
    const { server, client } = pair();
    void serveSession(server, (request) => (new URL(request.url).pathname === '/error' ? Response.error() : new Response('fine')));
    const get = (path: string) => client.request([[':method', 'GET'], [':scheme', 'http'], [':path', path], [':authority', 'example.com']], { endStream: true });
    const failed = await within(rejection((await get('/error')).response), 2000);
    assert.instance(failed, H2StreamError);
    assert.is((failed as H2StreamError).code, ErrorCodes.INTERNAL_ERROR);
    const ok = await get('/ok');
    assert.is((await ok.response).find(([n]) => n === ':status')?.[1], '200');
    await client.close();
  });

  Fetch(`the fetch server creates no session stream (no incoming, no body) for requests it does not read (${name})`, async () => {
    const serverStreams = countingStreams(streams);
    const { server, client } = pair(serverStreams);
    void serveSession(server, () => new Response(null, { status: 204 }));
    const post = [[':method', 'POST'], [':scheme', 'http'], [':path', '/'], [':authority', 'example.com']] as [string, string][];
    const empty = await client.request(post, { endStream: true });
    await empty.response;
    const unread = await client.request(post);
    void unread.end('a body the handler never reads');
    await unread.response;
    await settle();
    // The server session makes no ReadableStream at all: the fetch server takes requests by callback
    // (no `incoming` stream), and neither request got a body stream.
    assert.is(serverStreams.readables, 0);
    assert.is(serverStreams.writables, 0);
    await client.close();
  });

  Fetch(`an in-memory Response body leaves through respond()'s fast path, with no WritableStream (${name})`, async () => {
    const serverStreams = countingStreams(streams);
    const { server, client } = pair(serverStreams);
    void serveSession(server, () => new Response('hello'));
    const fetcher = new H2Client(client, { baseUrl: BASE });
    assert.is(await (await fetcher.fetch('/')).text(), 'hello');
    assert.is(await (await fetcher.fetch('/', { method: 'POST', body: 'unread' })).text(), 'hello');
    assert.is(serverStreams.writables, 0);
    await fetcher.close();
  });

  Fetch(`a streaming Response sends its headers before its first chunk exists (${name})`, async () => {
    const { server, client } = pair();
    let release!: () => void;
    const later = new Promise<void>((resolve) => (release = resolve));
    void serveSession(
      server,
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            async start(controller) {
              await later;
              controller.enqueue(new TextEncoder().encode('event'));
              controller.close();
            },
          }),
          { headers: { 'content-type': 'text/event-stream' } },
        ),
    );
    const fetcher = new H2Client(client, { baseUrl: BASE });
    const res = await within(fetcher.fetch('/events'), 2000);
    assert.ok(res !== 'timeout', 'the headers arrived while the body had nothing yet');
    assert.is((res as Response).headers.get('content-type'), 'text/event-stream');
    release();
    assert.is(await (res as Response).text(), 'event');
    await fetcher.close();
  });

  Fetch(`a handler that throws without a custom onError gets the default 500 and the session serves on (${name})`, async () => {
    const { server, client } = pair();
    const handler: FetchHandler = (request) => {
      if (new URL(request.url).pathname === '/throw') throw new Error('boom');
      return new Response('fine');
    };
    void serveSession(server, handler);
    const fetcher = new H2Client(client, { baseUrl: BASE });
    const logged: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      const res = await fetcher.fetch('/throw');
      assert.is(res.status, 500);
      assert.is(await res.text(), 'Internal Server Error');
    } finally {
      console.error = original;
    }
    assert.is(logged.length, 1, 'the failure is logged');
    assert.is(await (await fetcher.fetch('/ok')).text(), 'fine');
    await fetcher.close();
  });

  Fetch(`an H2Client response returned by a handler as it is (a proxy) passes through, its trailers resolving null when the origin sent none (${name})`, async () => {
    const origin = pair();
    void serveSession(origin.server, (request) => {
      const path = new URL(request.url).pathname;
      if (path === '/trailers') return withTrailers(new Response('with'), { 'x-sum': '1' });
      if (path === '/empty') return new Response(null, { status: 204 });
      return new Response('plain');
    });
    const upstream = new H2Client(origin.client, { baseUrl: BASE });
    const front = pair();
    void serveSession(front.server, (request) => upstream.fetch(new URL(request.url).pathname));
    const fetcher = new H2Client(front.client, { baseUrl: BASE });
    const seen: unknown[] = [];
    for (const path of ['/plain', '/trailers', '/empty']) {
      const res = await fetcher.fetch(path);
      const trailers = await res.trailers;
      seen.push([res.status, await res.text(), trailers === null ? null : [...trailers]]);
    }
    assert.equal(seen, [
      [200, 'plain', null],
      [200, 'with', [['x-sum', '1']]],
      [204, '', null],
    ]);
    await fetcher.close();
    await upstream.close();
  });

  Fetch(`a server request's trailers handed on to H2Client.fetch (a proxy) send none when the client sent none (${name})`, async () => {
    const origin = pair();
    void serveSession(origin.server, async (request) => {
      const body = await request.text();
      const trailers = await (request as Request & { trailers: Promise<Headers | null> }).trailers;
      return new Response(`${body}|${trailers === null ? 'none' : [...trailers].join()}`);
    });
    const upstream = new H2Client(origin.client, { baseUrl: BASE });
    const front = pair();
    void serveSession(front.server, (request) =>
      upstream.fetch('/up', { method: 'POST', body: request.body, duplex: 'half', trailers: (request as Request & { trailers: Promise<Headers | null> }).trailers } as H2RequestInit),
    );
    const fetcher = new H2Client(front.client, { baseUrl: BASE });
    const plain = await fetcher.fetch('/up', { method: 'POST', body: 'data' });
    assert.is(await plain.text(), 'data|none');
    const body = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new TextEncoder().encode('more')), c.close()) });
    const withTrailer = await fetcher.fetch('/up', { method: 'POST', body, duplex: 'half', trailers: { 'x-sum': '2' } } as H2RequestInit);
    assert.is(await withTrailer.text(), 'more|x-sum,2');
    await fetcher.close();
    await upstream.close();
  });
}

/** What handlers give back, and the response each must turn into (onError answers 599 with the failure's message). */
const HANDLER_OUTCOMES: [string, (request: Request) => unknown, number, string][] = [
  ['a Response returned synchronously', () => new Response('sync'), 200, 'sync'],
  ['a promise of a Response', () => Promise.resolve(new Response('later')), 200, 'later'],
  ['a promise settled a macrotask later', () => new Promise((r) => setTimeout(() => r(new Response('timer')), 1)), 200, 'timer'],
  ['a thenable of a Response', () => ({ then: (r: (v: unknown) => void) => r(new Response('thenable')) }), 200, 'thenable'],
  ['a synchronous throw', () => { throw new Error('thrown'); }, 599, 'thrown'],
  ['a rejected promise', () => Promise.reject(new Error('rejected')), 599, 'rejected'],
  ['a promise of something else', () => Promise.resolve('text'), 599, 'h2flow: the handler must return a Response'],
  ['something else returned synchronously', () => undefined, 599, 'h2flow: the handler must return a Response'],
];

for (const [shape, handler, status, text] of HANDLER_OUTCOMES) {
  Fetch(`a handler giving ${shape} is answered ${status === 200 ? 'with it' : "with onError's response to the failure"}, and the session serves on`, async () => {
    const [a, b] = duplexPair();
    const server = new H2Session(a, { role: 'server' });
    const client = new H2Session(b, { role: 'client' });
    const onError = (error: unknown) => new Response((error as Error).message, { status: 599 });
    void serveSession(server, (request) => (new URL(request.url).pathname === '/ok' ? new Response('ok') : (handler(request) as Response)), { onError });
    const fetcher = new H2Client(client, { baseUrl: BASE });
    const res = await fetcher.fetch('/x');
    assert.is(res.status, status);
    assert.is(await res.text(), text);
    assert.is(await (await fetcher.fetch('/ok')).text(), 'ok');
    await fetcher.close();
  });
}

Fetch("an onError that fails gets the default 500 for a handler's rejected promise", async () => {
  const [a, b] = duplexPair();
  const server = new H2Session(a, { role: 'server' });
  const client = new H2Session(b, { role: 'client' });
  const original = console.error;
  const logged: unknown[] = [];
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    void serveSession(server, () => Promise.reject(new Error('handler')), { onError: () => Promise.reject(new Error('onError')) });
    const fetcher = new H2Client(client, { baseUrl: BASE });
    const res = await fetcher.fetch('/x');
    assert.is(res.status, 500);
    assert.is(await res.text(), 'Internal Server Error');
    await fetcher.close();
  } finally {
    console.error = original;
  }
  assert.is(logged.length, 1, "onError's failure is logged");
});

Fetch.run();
