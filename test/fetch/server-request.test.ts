/**
 * The Request serveSession hands its handler, in both forms: the lazy request (Node: native parts made on
 * first use) and the runtime's Request subclass (the fallback elsewhere). Each behaves as a Request the
 * runtime made itself: instanceof, fields, body methods, clone(), new Request(request), the signal.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { H2Session } from '../../src/streams';
import { H2Client } from '../../src/fetch/fetch-client';
import { serveSession, type FetchHandler } from '../../src/fetch/fetch-server';
import { lazyRequests, useLazyRequests } from '../../src/fetch/server-request';
import { isCanonicalUrl } from '../../src/fetch/canonical-url';
import { duplexPair } from '../support/duplex-pair';

const Req = suite('server requests');

/** Serves one request; the handler answers once `handler` returned, and `hold` (if given) settled. */
async function serveOne<T>(handler: (request: Request) => T | Promise<T>, path = '/p?q=1', init: RequestInit & { duplex?: 'half' } = {}, hold?: Promise<void>): Promise<{ seen: T; client: H2Client; response: Promise<Response> }> {
  const [a, b] = duplexPair();
  const server = new H2Session(a, { role: 'server' });
  const client = new H2Client(new H2Session(b, { role: 'client' }), { baseUrl: 'http://example.com' });
  let seen!: Promise<T>;
  const answered = new Promise<void>((resolve) => {
    const h: FetchHandler = (request) => {
      seen = Promise.resolve(handler(request));
      resolve();
      return seen.then(() => hold).then(() => new Response('ok'));
    };
    void serveSession(server, h);
  });
  const response = client.fetch(path, init);
  response.catch(() => undefined);
  await answered;
  return { seen: await seen, client, response };
}

Req('on Node the server request is the lazy one', () => {
  useLazyRequests(undefined);
  assert.ok(lazyRequests());
});

for (const lazy of [true, false]) {
  const kind = lazy ? 'lazy request' : 'Request subclass';
  const setUp = (): void => {
    useLazyRequests(lazy ? undefined : false);
    assert.is(lazyRequests(), lazy);
  };

  Req(`the ${kind} is a Request with the method, URL and headers the client sent, :authority as host`, async () => {
    setUp();
    const { seen, client } = await serveOne((r) => ({
      isRequest: r instanceof Request,
      tag: Object.prototype.toString.call(r),
      method: r.method,
      url: r.url,
      host: r.headers.get('host'),
      custom: r.headers.get('x-custom'),
      body: r.body,
      bodyUsed: r.bodyUsed,
      cache: r.cache,
      mode: r.mode,
      redirect: r.redirect,
    }), '/p?q=1', { headers: { 'x-custom': ' v ' } });
    const real = new Request('http://example.com/p?q=1');
    assert.equal(seen, { isRequest: true, tag: '[object Request]', method: 'GET', url: 'http://example.com/p?q=1', host: 'example.com', custom: 'v', body: null, bodyUsed: false, cache: real.cache, mode: real.mode, redirect: real.redirect });
    await client.close();
  });

  Req(`the ${kind} gives its body to text(), and bodyUsed says so`, async () => {
    setUp();
    const { seen, client } = await serveOne(async (r) => {
      const before = r.bodyUsed;
      const text = await r.text();
      return { before, text, after: r.bodyUsed };
    }, '/up', { method: 'POST', body: 'payload' });
    assert.equal(seen, { before: false, text: 'payload', after: true });
    await client.close();
  });

  Req(`the ${kind} clones: both copies read the whole body`, async () => {
    setUp();
    const { seen, client } = await serveOne(async (r) => {
      const copy = r.clone();
      return [copy instanceof Request, await copy.text(), await r.text()];
    }, '/up', { method: 'POST', body: 'twice' });
    assert.equal(seen, [true, 'twice', 'twice']);
    await client.close();
  });

  Req(`a clone of the ${kind} taken before a 202 reads the whole body after the response: the body is not refused as untaken`, async () => {
    setUp();
    const [a, b] = duplexPair();
    const server = new H2Session(a, { role: 'server' });
    const client = new H2Client(new H2Session(b, { role: 'client' }), { baseUrl: 'http://example.com' });
    let later!: Promise<string>;
    void serveSession(server, (request, info) => {
      const copy = request.clone();
      later = info.completed.then(() => copy.text());
      return new Response('accepted', { status: 202 });
    });
    const encoder = new TextEncoder();
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
    controller.enqueue(encoder.encode('first '));
    const response = await client.fetch('/up', { method: 'POST', body, duplex: 'half' } as RequestInit);
    assert.is(response.status, 202);
    await response.text();
    // The rest of the body is sent only once the response is complete.
    controller.enqueue(encoder.encode('second'));
    controller.close();
    assert.is(await later, 'first second');
    await client.close();
  });

  Req(`new Request(request) copies the ${kind}: method, URL, headers and body`, async () => {
    setUp();
    const { seen, client } = await serveOne(async (r) => {
      const copy = new Request(r);
      return [copy.method, copy.url, copy.headers.get('x-a'), await copy.text()];
    }, '/up', { method: 'PUT', body: 'moved', headers: { 'x-a': '1' } });
    assert.equal(seen, ['PUT', 'http://example.com/up', '1', 'moved']);
    await client.close();
  });

  Req(`the ${kind} answers every Request member after the handler read its body, and refuses a second read`, async () => {
    setUp();
    const { seen, client } = await serveOne(async (r) => {
      const reader = r.body!.getReader();
      const first = await reader.read();
      reader.releaseLock();
      const text = await r.text().then(
        () => 'read twice',
        (e: unknown) => (e as Error).name,
      );
      let copy = 'copied';
      try {
        new Request(r);
      } catch (e) {
        copy = (e as Error).name;
      }
      return [new TextDecoder().decode(first.value), r.cache, r.mode, r.credentials, r.redirect, r.bodyUsed, text, copy];
    }, '/up', { method: 'POST', body: 'payload' });
    assert.equal(seen, ['payload', 'default', 'cors', 'same-origin', 'follow', true, 'TypeError', 'TypeError']);
    await client.close();
  });

  // The subclass's internal signal slot is the runtime's own (never aborted): only the lazy request
  // gives new Request(request) the signal that follows the client.
  Req(`a client's reset aborts the ${kind}'s signal${lazy ? ' and that of new Request(request)' : ''}`, async () => {
    setUp();
    const controller = new AbortController();
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const { seen, client, response } = await serveOne((r) => [r.signal, new Request(r).signal] as const, '/slow', { signal: controller.signal }, hold);
    assert.is(seen[0].aborted, false);
    controller.abort();
    await response.catch(() => undefined);
    const watched = lazy ? seen[1] : seen[0];
    await new Promise((resolve) => (watched.aborted ? resolve(undefined) : watched.addEventListener('abort', resolve)));
    assert.ok(seen[0].aborted, 'the request signal aborted');
    if (lazy) assert.ok(seen[1].aborted, "the copy's signal followed it");
    release();
    await client.close();
  });

  Req(`the ${kind}'s URL is what the runtime's URL parser makes of the target (dot segments, case, default port)`, async () => {
    setUp();
    const [a, b] = duplexPair();
    const server = new H2Session(a, { role: 'server' });
    const client = new H2Session(b, { role: 'client' });
    const urls: string[] = [];
    void serveSession(server, (r) => {
      urls.push(r.url);
      return new Response(null);
    });
    for (const [authority, path] of [['Example.COM:80', '/a/../b'], ['example.com', '/x/%2e%2E/y'], ['example.com:8080', '/ok?x=1']]) {
      const stream = await client.request([[':method', 'GET'], [':scheme', 'http'], [':authority', authority!], [':path', path!]], { endStream: true });
      await stream.response;
    }
    assert.equal(urls, ['http://example.com/b', 'http://example.com/y', 'http://example.com:8080/ok?x=1']);
    await client.close();
  });
}

Req('isCanonicalUrl is true only for URLs the WHATWG URL parser keeps as they are', () => {
  for (const url of ['http://example.com/', 'https://a.b-c.example/x/y?z=1&w=%41', 'http://a1.example:8080/p', 'https://example.com:80/', 'http://example.com//x', 'http://a.example/x.y', 'http://127.0.0.1:8080/', 'http://0.10.255.1/']) {
    assert.ok(isCanonicalUrl(url), url);
    assert.is(new URL(url).href, url, url);
  }
  for (const url of ['http://EXAMPLE.com/', 'http://example.com:80/', 'https://example.com:443/', 'http://a/./b', 'http://a/b/..', 'http://a/%2e/b', 'http://127.1/', 'http://a.0x7f/', 'http://xn--zz/', "http://a/?q='", 'http://a/b c', 'http://a:/', 'http://a:08/', 'http://a..b/', 'http://a/é', 'http://127.1/', 'http://127.0.0.01/', 'http://256.0.0.1/', 'http://1.2.3.4.5/', 'http://1.2.3./', 'http://0x7f.0.0.1/']) {
    assert.not.ok(isCanonicalUrl(url), url);
  }
  // A sweep: wherever it says yes, the parser agrees.
  const alphabet = ['a', 'Z', '0', '9', '.', '-', '/', '%', '2', 'e', '?', ':', '@', '~', "'", ' ', '\\', '[', 'x', 'n'];
  let seed = 7;
  const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  let yes = 0;
  for (let i = 0; i < 20000; i++) {
    let host = '';
    if (rand(3) === 0) for (let j = 0; j < 4; j++) host += `${j > 0 ? '.' : ''}${rand(3) === 0 ? '0' : ''}${rand(300)}`;
    else for (let j = 1 + rand(8); j > 0; j--) host += alphabet[rand(6)];
    let path = '/';
    for (let j = rand(10); j > 0; j--) path += alphabet[rand(alphabet.length)];
    const url = `${rand(2) === 0 ? 'http' : 'https'}://${host}${rand(4) === 0 ? `:${rand(70000)}` : ''}${path}`;
    if (!isCanonicalUrl(url)) continue;
    yes++;
    assert.is(new URL(url).href, url, url);
  }
  assert.ok(yes > 1000, `the sweep reached canonical URLs (${yes})`);
});

Req.after(() => useLazyRequests(undefined));

Req.run();
