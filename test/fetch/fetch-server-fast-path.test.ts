/**
 * The fetch server's allocation-free paths give every response its own status, fields, length and body:
 * shared `:status` and `content-length` fields, the last short body's bytes, LightResponse parts read
 * from one reused object, and the synchronous answer path (no promise per request) with its edges.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { H2Session } from '../../src/streams';
import { H2Client } from '../../src/fetch/fetch-client';
import { LightResponse } from '../../src/fetch/light-response';
import { respondToStream, serveSession, withTrailers, type FetchHandler } from '../../src/fetch/fetch-server';
import { duplexPair } from '../support/duplex-pair';

const Fast = suite('fetch server fast paths');

async function withServer(handler: FetchHandler, run: (client: H2Client) => Promise<void>): Promise<void> {
  const [a, b] = duplexPair();
  const server = new H2Session(a, { role: 'server' });
  const client = new H2Client(new H2Session(b, { role: 'client' }), { baseUrl: 'http://example.com' });
  void serveSession(server, handler);
  try {
    await run(client);
  } finally {
    await client.close();
  }
}

/** What the client saw: status, body and the fields a test cares about. */
async function seen(response: Response): Promise<unknown> {
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) if (name !== 'date') headers[name] = value;
  return { status: response.status, body: await response.text(), headers };
}

Fast('concurrent responses of different statuses, fields and bodies each arrive as their handler made them', async () => {
  const answers: Record<string, () => Response> = {
    '/a': () => new LightResponse('a', { headers: { 'X-Up': 'One', te: 'trailers', connection: 'close', 'content-type': 'text/x' } }),
    '/bb': () => new LightResponse('bb', { status: 201, headers: [['x-two', ' 2 '], ['x-two', '3']] }),
    '/a-again': () => new LightResponse('a', { status: 404 }),
    '/utf8': () => new Response('é✓', { status: 202, headers: { 'X-Mixed': 'M' } }),
    '/bytes': () => new LightResponse(new Uint8Array([104, 105]), { headers: new Headers({ 'x-h': 'h' }) }),
    '/none': () => new LightResponse(null, { status: 204, headers: { 'x-empty': '' } }),
  };
  await withServer(
    (request) => answers[new URL(request.url).pathname]!(),
    async (client) => {
      const paths = Object.keys(answers);
      // Three rounds interleaved: each response is sent while others' fields and bodies are cached.
      const all = await Promise.all([...paths, ...paths.reverse(), ...paths].map(async (path) => [path, await seen(await client.fetch(path))] as const));
      for (const [path, got] of all) {
        const expected = {
          '/a': { status: 200, body: 'a', headers: { 'content-length': '1', 'content-type': 'text/x', te: 'trailers', 'x-up': 'One' } },
          '/bb': { status: 201, body: 'bb', headers: { 'content-length': '2', 'content-type': 'text/plain;charset=UTF-8', 'x-two': '2, 3' } },
          '/a-again': { status: 404, body: 'a', headers: { 'content-length': '1', 'content-type': 'text/plain;charset=UTF-8' } },
          '/utf8': { status: 202, body: 'é✓', headers: { 'content-length': '5', 'content-type': 'text/plain;charset=UTF-8', 'x-mixed': 'M' } },
          '/bytes': { status: 200, body: 'hi', headers: { 'content-length': '2', 'x-h': 'h' } },
          '/none': { status: 204, body: '', headers: { 'x-empty': '' } },
        }[path];
        assert.equal(got, expected, path);
      }
    },
  );
});

Fast('a LightResponse record init keeps only own keys, in order, with names lowercased', async () => {
  const init = Object.create({ inherited: 'no' }) as Record<string, string>;
  init['X-B'] = '2';
  init['x-a'] = '1';
  const light = new LightResponse('x', { headers: init });
  const real = new Response('x', { headers: init });
  assert.equal([...light.headers], [...real.headers]);
  await withServer(
    () => new LightResponse('x', { headers: init }),
    async (client) => {
      const response = await client.fetch('/');
      assert.is(response.headers.get('x-b'), '2');
      assert.is(response.headers.get('x-a'), '1');
      assert.is(response.headers.get('inherited'), null);
      assert.is(await response.text(), 'x');
    },
  );
});

Fast('synchronous answers: HEAD, 304, a content-length mismatch, a throwing handler; async and trailers still work', async () => {
  const handler: FetchHandler = async (request) => {
    switch (new URL(request.url).pathname) {
      case '/head':
        return new LightResponse('body not sent');
      case '/304':
        return new Response(null, { status: 304 });
      case '/mismatch':
        return new LightResponse('four', { headers: { 'content-length': '5' } });
      case '/throw':
        throw new Error('boom');
      case '/trailers':
        return withTrailers(new Response('t'), Promise.resolve({ 'x-t': 'done' }));
      default:
        await new Promise((resolve) => setTimeout(resolve, 1));
        return new LightResponse('later');
    }
  };
  // The same handler, synchronous where it can be (a sync throw, sync Responses) and async otherwise.
  const sync: FetchHandler = (request, info) => {
    const path = new URL(request.url).pathname;
    if (path === '/async') return handler(request, info);
    if (path === '/throw') throw new Error('boom');
    return handler(request, info) as never;
  };
  const errors = console.error;
  console.error = () => undefined;
  try {
    for (const h of [handler, sync]) {
      await withServer(h, async (client) => {
        const head = await client.fetch('/head', { method: 'HEAD' });
        assert.is(head.status, 200);
        assert.is(await head.text(), '');
        const notModified = await client.fetch('/304');
        assert.is(notModified.status, 304);
        assert.is(await notModified.text(), '');
        const mismatch = await client.fetch('/mismatch').then(
          (r) => r.text(),
          (e: unknown) => e,
        );
        assert.ok(mismatch instanceof Error, 'a content-length mismatch resets the stream');
        assert.is((await client.fetch('/throw')).status, 500);
        const trailers = await client.fetch('/trailers');
        assert.is(await trailers.text(), 't');
        assert.is((await (trailers as Response & { trailers: Promise<Headers | null> }).trailers)?.get('x-t'), 'done');
        assert.is(await (await client.fetch('/async')).text(), 'later');
      });
    }
  } finally {
    console.error = errors;
  }
});

Fast('respondToStream returns a promise also when the whole exchange ran synchronously', async () => {
  const [a, b] = duplexPair();
  const server = new H2Session(a, { role: 'server' });
  const client = new H2Session(b, { role: 'client' });
  const stream = await client.request([[':method', 'GET'], [':scheme', 'http'], [':authority', 'example.com'], [':path', '/']], { endStream: true });
  const incoming = server.incoming[Symbol.asyncIterator]();
  const next = await incoming.next();
  const answered = respondToStream(next.value as never, server, () => new LightResponse('sync'));
  assert.ok(answered instanceof Promise);
  assert.is(await answered, undefined);
  const response = await stream.response;
  assert.equal(response.find(([name]) => name === ':status'), [':status', '200']);
  await client.close();
  await server.close();
});

Fast.run();
