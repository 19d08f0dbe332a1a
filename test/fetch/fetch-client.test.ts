/**
 * H2Client.fetch over in-memory sessions against a raw server session, which sees exactly the header
 * blocks the client sends and answers with blocks the fetch API may not represent: the request target
 * the client derives from its arguments, responses it cannot represent, and aborts at every stage.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes } from '../../src/core';
import { H2Session, H2StreamError, type H2Stream } from '../../src/streams';
import { H2Client } from '../../src/fetch/fetch-client';
import { duplexPair, rejection, settle } from '../support/duplex-pair';
import { facingPeer } from '../support/session-fixtures';

const Client = suite('H2Client.fetch');

const BASE = 'http://example.com';

/** Resolves with `promise`'s value, or with 'timeout' if it takes longer than `ms` (a hang fails, not stalls). */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

type Answer = (stream: H2Stream) => void;

/**
 * A client over an in-memory pair whose server answers each stream with `answer` (default: 200 "ok"),
 * and records every stream it got. `maxConcurrentStreams` is advertised to the client, which has seen it
 * once `ready` resolves.
 */
async function setup(answer: Answer = (s) => s.respond([[':status', '200']], { body: 'ok' }), settings: { maxConcurrentStreams?: number } = {}) {
  const [a, b] = duplexPair();
  const server = new H2Session(a, { role: 'server', settings });
  const session = new H2Session(b, { role: 'client' });
  const streams: H2Stream[] = [];
  void (async () => {
    for await (const stream of server.incoming as unknown as AsyncIterable<H2Stream>) {
      streams.push(stream);
      answer(stream);
    }
  })();
  await session.ping();
  return { client: new H2Client(session, { baseUrl: BASE }), session, streams };
}

function field(stream: H2Stream, name: string): string | undefined {
  return stream.headers.find(([n]) => n === name)?.[1];
}

// ── the request target ───────────────────────────────────────────────────────

Client('the request sent is exactly the one asked for: :scheme, :authority and :path from the URL, no fragment', async () => {
  const { client, streams } = await setup();
  const res = await client.fetch('/a%20b/../c?q=1&r=%23#frag');
  assert.is(res.url, 'http://example.com/c?q=1&r=%23', 'response.url has no fragment');
  await res.text();
  const s = streams[0]!;
  assert.equal(s.headers.slice(0, 4), [[':method', 'GET'], [':scheme', 'http'], [':authority', 'example.com'], [':path', '/c?q=1&r=%23']]);
  await client.fetch('http://EXAMPLE.com:80/x y').then((r) => r.text());
  assert.is(field(streams[1]!, ':authority'), 'example.com', 'the default port is not sent');
  assert.is(field(streams[1]!, ':path'), '/x%20y');
  await client.close();
});

Client('a URL of another origin, with credentials, or not http(s) is refused with a TypeError and nothing is sent', async () => {
  const { client, streams } = await setup();
  for (const url of ['http://evil.test/', 'https://example.com/', 'http://example.com:8080/', 'http://user:pw@example.com/', 'http://user@example.com/', 'ftp://example.com/', 'data:,x']) {
    const error = await rejection(client.fetch(url));
    assert.instance(error, TypeError, url);
  }
  await settle();
  assert.is(streams.length, 0);
  assert.throws(() => new H2Client(new Promise<H2Session>(() => undefined), { baseUrl: 'http://u:p@example.com' }), TypeError);
  assert.throws(() => new H2Client(new Promise<H2Session>(() => undefined), { baseUrl: 'file:///etc/passwd' }), TypeError);
  await client.close();
});

Client('a host header travels as :authority only when it is a valid host[:port]', async () => {
  const { client, streams } = await setup();
  await (await client.fetch('/', { headers: { host: 'vhost.test:8443' } })).text();
  assert.is(field(streams[0]!, ':authority'), 'vhost.test:8443');
  assert.is(field(streams[0]!, 'host'), undefined, 'host is not sent as a regular field');
  for (const host of ['evil.test/admin', 'user@evil.test', 'evil.test#', 'evil.test?x', '[::1', 'a b']) {
    assert.instance(await rejection(client.fetch('/', { headers: { host } })), TypeError, host);
  }
  await settle();
  assert.is(streams.length, 1);
  await client.close();
});

Client('methods are normalized and checked as fetch does: get → GET, patch as is, CONNECT/TRACE and non-tokens refused', async () => {
  const { client, streams } = await setup();
  await (await client.fetch('/', { method: 'get' })).text();
  await (await client.fetch('/', { method: 'patch', body: 'x' })).text();
  await (await client.fetch('/', { method: 'PROPFIND' })).text();
  assert.equal(streams.map((s) => field(s, ':method')), ['GET', 'patch', 'PROPFIND']);
  for (const method of ['CONNECT', 'connect', 'TRACE', 'track', 'GET /admin', '', 'G\u00c9T']) {
    assert.instance(await rejection(client.fetch('/', { method })), TypeError, method);
  }
  assert.instance(await rejection(client.fetch('/', { method: 'GET', body: 'x' })), TypeError, 'GET with a body');
  await settle();
  assert.is(streams.length, 3);
  await client.close();
});

Client('a body gets the content-type fetch gives it unless the caller set one, and bytes are copied at the call', async () => {
  const received: Array<{ type: string | undefined; body: string }> = [];
  const { client } = await setup((s) => {
    void new Response(s.readable as ReadableStream<Uint8Array>).text().then((body) => {
      received.push({ type: field(s, 'content-type'), body });
      s.respond([[':status', '200']], { endStream: true });
    });
  });
  await client.fetch('/', { method: 'POST', body: 'text' });
  await client.fetch('/', { method: 'POST', body: 'json', headers: { 'content-type': 'application/json' } });
  await client.fetch('/', { method: 'POST', body: new URLSearchParams({ a: '1' }) });
  const bytes = new TextEncoder().encode('bytes');
  const sent = client.fetch('/', { method: 'POST', body: bytes });
  bytes.fill(0x21);
  await sent;
  assert.equal(received, [
    { type: 'text/plain;charset=UTF-8', body: 'text' },
    { type: 'application/json', body: 'json' },
    { type: 'application/x-www-form-urlencoded;charset=UTF-8', body: 'a=1' },
    { type: undefined, body: 'bytes' },
  ]);
  await client.close();
});

// ── pushed requests ──────────────────────────────────────────────────────────

/** A client with onPush over a server that answers /index.html after promising each of `promised`. */
async function pushSetup(promised: ReadonlyArray<Array<[string, string]>>, onPush: (stream: H2Stream) => void) {
  const [a, b] = duplexPair();
  const server = new H2Session(a, { role: 'server' });
  const session = new H2Session(b, { role: 'client', settings: { enablePush: true } });
  const pushed: H2Stream[] = [];
  void (async () => {
    for await (const stream of server.incoming as unknown as AsyncIterable<H2Stream>) {
      for (const headers of promised) {
        const p = stream.push(headers);
        pushed.push(p);
        p.respond([[':status', '200']]); // no END_STREAM: only the client's reset ends a push
        void p.writable.getWriter().write(new TextEncoder().encode('pushed')).catch(() => undefined);
      }
      stream.respond([[':status', '200']], { body: 'index' });
    }
  })();
  const client = new H2Client(session, { baseUrl: BASE, onPush });
  await (await client.fetch('/index.html')).text();
  await settle();
  return { client, pushed };
}

function promise(method: string, authority: string, path: string, scheme = 'http'): Array<[string, string]> {
  return [[':method', method], [':scheme', scheme], [':authority', authority], [':path', path]];
}

Client('pushes for another origin, of an unsafe method or malformed are reset with PROTOCOL_ERROR and never reach onPush', async () => {
  const seen: string[] = [];
  const { client, pushed } = await pushSetup(
    [
      promise('GET', 'evil.test', '/planted.js'),
      promise('GET', 'example.com', '/app.js', 'https'),
      promise('GET', 'example.com:8080', '/app.js'),
      promise('POST', 'example.com', '/form'),
      promise('GET', 'example.com/admin#', '/x'),
      promise('GET', 'example.com', '/ok.css'),
    ],
    (s) => void seen.push(`${s.headers.find(([n]) => n === ':authority')?.[1]}${s.headers.find(([n]) => n === ':path')?.[1]}`),
  );
  assert.equal(seen, ['example.com/ok.css']);
  for (const p of pushed.slice(0, 5)) {
    const closed = await within(rejection(p.closed), 2000);
    assert.instance(closed, H2StreamError);
    assert.is((closed as H2StreamError).code, ErrorCodes.PROTOCOL_ERROR);
  }
  await client.close({ graceful: false });
});

Client('a push onPush throws on is cancelled and later pushes still reach onPush', async () => {
  const seen: string[] = [];
  const { client, pushed } = await pushSetup([promise('GET', 'example.com', '/1'), promise('GET', 'example.com', '/2')], (s) => {
    const path = s.headers.find(([n]) => n === ':path')![1];
    seen.push(path);
    if (path === '/1') throw new Error('onPush failed');
  });
  assert.equal(seen, ['/1', '/2']);
  const closed = await within(rejection(pushed[0]!.closed), 2000);
  assert.is((closed as H2StreamError).code, ErrorCodes.CANCEL);
  await client.close({ graceful: false });
});

// ── responses the fetch API cannot represent (item 6) ────────────────────────

const UNREPRESENTABLE: Array<[string, Array<[string, string]>]> = [
  [':status 999', [[':status', '999']]],
  [':status 600', [[':status', '600']]],
  [':status 2e2 (Number() would read 200)', [[':status', '2e2']]],
  [':status 099', [[':status', '099']]],
  [':status 20', [[':status', '20']]],
  ['a field name Headers refuses', [[':status', '200'], ['a"b', '1']]],
];

for (const [name, block] of UNREPRESENTABLE) {
  Client(`a response with ${name} resets its stream with CANCEL and rejects with a TypeError naming the cause; the one-stream connection serves on`, async () => {
    let first = true;
    const { client, streams } = await setup(
      (s) => {
        if (first) {
          first = false;
          s.respond(block); // no END_STREAM: only the client's reset can end this stream
        } else s.respond([[':status', '200']], { body: 'next' });
      },
      { maxConcurrentStreams: 1 },
    );
    const error = await rejection(client.fetch('/odd'));
    assert.instance(error, TypeError);
    assert.ok((error as TypeError).cause !== undefined, 'the cause is attached');
    assert.match((error as TypeError).message, /GET http:\/\/example\.com\/odd cannot be represented/);
    const closed = await within(rejection(streams[0]!.closed), 2000);
    assert.instance(closed, H2StreamError, 'the server saw the stream reset');
    assert.is((closed as H2StreamError).code, ErrorCodes.CANCEL);
    const next = await within(client.fetch('/next').then((r) => r.text()), 2000);
    assert.is(next, 'next', 'the slot was given back');
    await client.close();
  });
}

// ── aborts (item 8) ──────────────────────────────────────────────────────────

class Reason extends Error {}

Client('a response whose body disagrees with its content-length errors that body (a stream error, RFC 9113 §8.1.1); the session and its other requests go on', async () => {
  const { client } = await setup((s) => {
    const path = field(s, ':path');
    if (path === '/short') s.respond([[':status', '200'], ['content-length', '10']], { body: 'abc' });
    else if (path === '/long') s.respond([[':status', '200'], ['content-length', '2']], { body: 'abc' });
    else if (path === '/bad-field') s.respond([[':status', '200'], ['content-length', 'x1']], { body: 'x' });
    else s.respond([[':status', '200']], { body: `ok ${path}` });
  });
  for (const path of ['/short', '/long']) {
    const res = await client.fetch(path);
    const err = await rejection(res.text());
    assert.instance(err, H2StreamError, path);
    assert.is((err as H2StreamError).code, ErrorCodes.PROTOCOL_ERROR, path);
    assert.is((err as H2StreamError).remote, false, `${path}: this side reset it`);
  }
  // A malformed response head: fetch itself rejects.
  const err = await rejection(client.fetch('/bad-field'));
  assert.instance(err, H2StreamError);
  assert.is((err as H2StreamError).code, ErrorCodes.PROTOCOL_ERROR);
  // The same session still carries requests.
  assert.is(await (await client.fetch('/after')).text(), 'ok /after');
});

Client('an abort rejects with the signal reason at every stage: before the call, while connecting, waiting for a slot, before the response', async () => {
  // Before the call.
  const { client, streams } = await setup((s) => {
    if (field(s, ':path') === '/hold') s.respond([[':status', '200']]);
  }, { maxConcurrentStreams: 1 });
  const reason = new Reason('stop');
  assert.is(await rejection(client.fetch('/', { signal: AbortSignal.abort(reason) })), reason);
  // While the connection is still being made.
  const connecting = new H2Client(new Promise<H2Session>(() => undefined), { baseUrl: BASE });
  const c1 = new AbortController();
  const pending = rejection(connecting.fetch('/', { signal: c1.signal }));
  c1.abort(reason);
  assert.is(await within(pending, 2000), reason);
  // Waiting for a stream slot: /hold takes the only one.
  const held = await client.fetch('/hold');
  const c2 = new AbortController();
  const waiting = rejection(client.fetch('/queued', { signal: c2.signal }));
  await settle();
  c2.abort(reason);
  assert.is(await within(waiting, 2000), reason);
  await held.body!.cancel();
  // After the stream opened, before the response: the stream is reset with CANCEL.
  const c3 = new AbortController();
  const open = rejection(client.fetch('/silent', { signal: c3.signal }));
  await settle();
  const silent = streams.find((s) => field(s, ':path') === '/silent')!;
  assert.ok(silent, 'the stream opened');
  c3.abort(reason);
  assert.is(await within(open, 2000), reason);
  const closed = await within(rejection(silent.closed), 2000);
  assert.is((closed as H2StreamError).code, ErrorCodes.CANCEL);
  await client.close({ graceful: false });
});

Client('an abort while the body is being read errors the body, and the trailers, with the reason', async () => {
  const { client, streams } = await setup((s) => {
    s.respond([[':status', '200']]);
    void s.writable.getWriter().write(new TextEncoder().encode('first'));
  });
  const controller = new AbortController();
  const res = await client.fetch('/stream', { signal: controller.signal });
  const reader = res.body!.getReader();
  assert.is(new TextDecoder().decode((await reader.read()).value), 'first');
  const pending = reader.read();
  const reason = new Reason('enough');
  controller.abort(reason);
  assert.is(await within(rejection(pending), 2000), reason, 'the read in progress');
  assert.is(await rejection(reader.read()), reason, 'later reads');
  assert.is(await rejection(res.trailers), reason);
  const closed = await within(rejection(streams[0]!.closed), 2000);
  assert.is((closed as H2StreamError).code, ErrorCodes.CANCEL);
  await client.close({ graceful: false });
});

Client('an abort without a reason rejects with a DOMException AbortError before and after the stream opens', async () => {
  const { client } = await setup(() => undefined);
  const before = new AbortController();
  before.abort();
  const early = await rejection(client.fetch('/', { signal: before.signal }));
  const after = new AbortController();
  const pending = rejection(client.fetch('/', { signal: after.signal }));
  await settle();
  after.abort();
  const late = await within(pending, 2000);
  for (const error of [early, late]) {
    assert.instance(error, DOMException);
    assert.is((error as DOMException).name, 'AbortError');
  }
  await client.close({ graceful: false });
});

Client('an abort cancels a streamed request body with the reason', async () => {
  const { client } = await setup((s) => s.respond([[':status', '200']]));
  let cancelled: unknown = 'not cancelled';
  const body = new ReadableStream<Uint8Array>({
    pull: (c) => c.enqueue(new Uint8Array(16)),
    cancel: (reason) => void (cancelled = reason),
  }, { highWaterMark: 0 });
  const controller = new AbortController();
  const res = await client.fetch('/upload', { method: 'POST', body, duplex: 'half', signal: controller.signal } as RequestInit);
  const reason = new Reason('cancel upload');
  controller.abort(reason);
  await rejection(res.body!.getReader().read());
  for (let i = 0; i < 10 && cancelled === 'not cancelled'; i++) await settle();
  assert.is(cancelled, reason);
  await client.close({ graceful: false });
});

/** Ways a request whose body is still being sent ends on the server's side. */
const BODY_ENDINGS: Array<[string, Answer]> = [
  ['the server resets the stream', (s) => s.reset(ErrorCodes.INTERNAL_ERROR)],
  ['the server answers and refuses the rest of the body (RST_STREAM NO_ERROR)', (s) => {
    s.respond([[':status', '200']], { body: 'early' });
    void s.end().then(() => s.reset(ErrorCodes.NO_ERROR));
  }],
];

for (const [ending, answer] of BODY_ENDINGS) {
  Client(`a streamed request body whose read never settles is cancelled when ${ending}`, async () => {
    const { client } = await setup(answer);
    let cancelled: unknown = 'not cancelled';
    const body = new ReadableStream<Uint8Array>({
      pull: () => new Promise<void>(() => undefined),
      cancel: (reason) => void (cancelled = reason),
    }, { highWaterMark: 0 });
    const res = client.fetch('/upload', { method: 'POST', body, duplex: 'half' } as RequestInit);
    await res.then((r) => r.text()).catch(() => undefined);
    await settle(6);
    assert.instance(cancelled, H2StreamError);
    await client.close({ graceful: false });
  });
}

Client('a streamed request body whose read never settles is cancelled with the reason when the fetch is aborted', async () => {
  const { client } = await setup((s) => s.respond([[':status', '200']]));
  let cancelled: unknown = 'not cancelled';
  const body = new ReadableStream<Uint8Array>({
    pull: () => new Promise<void>(() => undefined),
    cancel: (reason) => void (cancelled = reason),
  }, { highWaterMark: 0 });
  const controller = new AbortController();
  await client.fetch('/upload', { method: 'POST', body, duplex: 'half', signal: controller.signal } as RequestInit);
  const reason = new Reason('cancel upload');
  controller.abort(reason);
  await settle(6);
  assert.is(cancelled, reason);
  await client.close({ graceful: false });
});

// ── responses without content that carry some anyway ─────────────────────────

for (const [method, status] of [['HEAD', '200'], ['GET', '204'], ['GET', '205'], ['GET', '304']] as const) {
  for (const later of [false, true]) {
    Client(`DATA on a ${method} ${status} response${later ? ' after its HEADERS' : ' in the read of its HEADERS'} does not keep the connection window: later responses still arrive`, async () => {
      // A connection window of 65,535: five such responses of 16,000 bytes would use it all up for good.
      const { session, wire, peer } = await facingPeer('client', { connectionWindowSize: 65_535 });
      const client = new H2Client(session, { baseUrl: BASE });
      for (let id = 1; id <= 9; id += 2) {
        const response = client.fetch('/', { method });
        await settle();
        const headers = peer.headers(id, [[':status', status]]);
        // Later: the stream is still open, and gets reset; in the same read: it already ended.
        const data = peer.data(id, 'x'.repeat(16_000), { endStream: !later });
        if (later) {
          await wire.send(headers);
          const res = await response;
          assert.is(res.body, null);
          await wire.send(data);
        } else {
          await wire.send(peer.concat(headers, data));
          assert.is((await response).body, null);
        }
        await settle();
      }
      const response = client.fetch('/');
      await settle();
      await wire.send(peer.concat(peer.headers(11, [[':status', '200']]), peer.data(11, 'y'.repeat(2000), { endStream: true })));
      assert.is(await (await response).text(), 'y'.repeat(2000));
      const frames = peer.drain();
      assert.equal(frames.filter((f) => f.typeName === 'GOAWAY'), [], 'the connection lives on');
      if (later) {
        const resets = frames.filter((f) => f.typeName === 'RST_STREAM');
        assert.equal(resets.map((f) => (f as { errorCode?: number }).errorCode), [1, 1, 1, 1, 1], 'content where none may be is malformed (PROTOCOL_ERROR)');
      }
      await client.close({ graceful: false });
    });
  }
}

// ── redirects ───────────────────────────────────────────────────────────────

/** A server that redirects `/r/N` to `/r/N-1` with status `status`, and answers `/r/0` (and anything else) 200 with what it got. */
function redirecting(status: number, location: (path: string) => string | null = (p) => `/r/${Number.parseInt(p.slice(3), 10) - 1}`): Answer {
  return (s) => {
    void (async () => {
      const path = field(s, ':path')!;
      const body = new Uint8Array(await new Response(s.readable).arrayBuffer());
      if (path.startsWith('/r/') && path !== '/r/0') {
        const to = location(path);
        s.respond(to === null ? [[':status', String(status)]] : [[':status', String(status)], ['location', to]], { body: 'moved' });
        return;
      }
      const seen = { method: field(s, ':method'), path, type: field(s, 'content-type') ?? null, body: new TextDecoder().decode(body) };
      s.respond([[':status', '200']], { body: JSON.stringify(seen) });
    })().catch(() => undefined);
  };
}

Client('a redirect within the origin is followed as fetch follows it: the final response, its url, redirected', async () => {
  for (const status of [301, 302, 303, 307, 308]) {
    const { client, streams } = await setup(redirecting(status));
    const res = await client.fetch('/r/3?x#f');
    assert.is(res.status, 200, `${status}`);
    assert.is(res.url, 'http://example.com/r/0', `${status}`);
    assert.ok(res.redirected, `${status}`);
    assert.equal(JSON.parse(await res.text()), { method: 'GET', path: '/r/0', type: null, body: '' }, `${status}`);
    assert.equal(streams.map((st) => field(st, ':path')), ['/r/3?x', '/r/2', '/r/1', '/r/0'], `${status}`);
    const direct = await client.fetch('/r/0');
    assert.not.ok(direct.redirected);
    await direct.text();
  }
});

Client('a redirected POST: 307/308 send the method and bytes again, 301/302 become GET, 303 makes anything but HEAD a GET without body fields', async () => {
  const cases: [number, string, { method: string; type: string | null; body: string }][] = [
    [307, 'POST', { method: 'POST', type: 'text/plain;charset=UTF-8', body: 'data' }],
    [308, 'PUT', { method: 'PUT', type: 'text/plain;charset=UTF-8', body: 'data' }],
    [301, 'POST', { method: 'GET', type: null, body: '' }],
    [302, 'POST', { method: 'GET', type: null, body: '' }],
    [302, 'PUT', { method: 'PUT', type: 'text/plain;charset=UTF-8', body: 'data' }],
    [303, 'PUT', { method: 'GET', type: null, body: '' }],
  ];
  for (const [status, method, expected] of cases) {
    const { client } = await setup(redirecting(status));
    const res = await client.fetch('/r/1', { method, body: 'data' });
    assert.equal(JSON.parse(await res.text()), { ...expected, path: '/r/0' }, `${status} after ${method}`);
  }
});

Client("redirect 'manual' returns the redirect itself, 'error' rejects, and a redirect without Location is the response", async () => {
  const { client, streams } = await setup(redirecting(302));
  const manual = await client.fetch('/r/2', { redirect: 'manual' });
  assert.is(manual.status, 302);
  assert.is(manual.headers.get('location'), '/r/1');
  assert.not.ok(manual.redirected);
  assert.is(await manual.text(), 'moved');
  const refused = await rejection(client.fetch('/r/2', { redirect: 'error' }));
  assert.ok(refused instanceof TypeError && /redirect is 'error'/.test(refused.message), String(refused));
  const request = new Request(`${BASE}/r/2`, { redirect: 'manual' });
  assert.is((await client.fetch(request)).status, 302, "a Request's own redirect mode applies");
  const bare = await setup(redirecting(301, () => null));
  const none = await bare.client.fetch('/r/5');
  assert.is(none.status, 301);
  assert.is(await none.text(), 'moved');
  assert.is(streams.length, 3);
});

Client('a redirect that cannot be followed rejects with a TypeError and gives its stream back: another origin, no URL, a streamed body, a loop', async () => {
  const cases: [string, Answer, () => RequestInit][] = [
    ['another origin', redirecting(302, () => 'http://other.example/'), () => ({})],
    ['another scheme', redirecting(302, () => 'https://example.com/'), () => ({})],
    ['not a URL', redirecting(302, () => 'http://[::1'), () => ({})],
    ['credentials', redirecting(302, () => 'http://u:p@example.com/'), () => ({})],
    ['a streamed body', redirecting(307), () => ({ method: 'POST', body: new Response('data').body, duplex: 'half' } as RequestInit)],
    ['a loop', redirecting(308, (p) => p), () => ({})],
  ];
  for (const [what, answer, init] of cases) {
    const { client, session } = await setup(answer);
    const outcome = await within(client.fetch('/r/1', init()).then(() => 'resolved', (e: unknown) => (e instanceof TypeError ? 'TypeError' : String(e))), 5000);
    assert.is(outcome, 'TypeError', what);
    // Every stream given back: the connection still serves requests.
    const after = await within(client.fetch('/r/0').then((r) => r.status), 5000);
    assert.is(after, 200, `${what}: the connection still works`);
    await settle();
    assert.is(session.connection.openOutboundStreams, 0, `${what}: no stream left open`);
  }
});

Client.run();
