/**
 * H2Client.fetch where the runtime's Request and Response behave as a browser's: a Request's headers
 * silently drop the forbidden request-header names (Fetch standard, "forbidden request-header"), and a
 * Response's drop `set-cookie` ("forbidden response-header name"); a bare `new Headers()` drops nothing,
 * as in browsers. The client must still send every header the caller gave and show every response field.
 * The globals are replaced for this whole file (each test file runs in its own process).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { H2Session, type H2Stream } from '../../src/streams';
import { H2Client } from '../../src/fetch/fetch-client';
import { duplexPair } from '../support/duplex-pair';

const FORBIDDEN_REQUEST = new Set(['accept-charset', 'accept-encoding', 'access-control-request-headers', 'access-control-request-method', 'connection',
  'content-length', 'cookie', 'cookie2', 'date', 'dnt', 'expect', 'host', 'keep-alive', 'origin', 'referer', 'te', 'trailer', 'transfer-encoding',
  'upgrade', 'user-agent', 'via']);
const FORBIDDEN_RESPONSE = new Set(['set-cookie', 'set-cookie2']);

function filtered(init: ConstructorParameters<typeof Headers>[0], forbidden: ReadonlySet<string>): Headers {
  const out = new Headers();
  for (const [name, value] of new Headers(init)) if (!forbidden.has(name)) out.append(name, value);
  return out;
}

const NativeRequest = globalThis.Request;
const NativeResponse = globalThis.Response;

class BrowserRequest extends NativeRequest {
  constructor(input: ConstructorParameters<typeof Request>[0], init?: RequestInit) {
    const headers = init?.headers !== undefined ? init.headers : input instanceof NativeRequest ? input.headers : undefined;
    super(input, { ...init, headers: filtered(headers, FORBIDDEN_REQUEST) });
  }
}

class BrowserResponse extends NativeResponse {
  constructor(body?: ConstructorParameters<typeof Response>[0], init?: ResponseInit) {
    super(body, { ...init, headers: filtered(init?.headers, FORBIDDEN_RESPONSE) });
  }
}

globalThis.Request = BrowserRequest as typeof Request;
globalThis.Response = BrowserResponse as typeof Response;

const Browser = suite('H2Client.fetch with browser-forbidden headers');

function setup() {
  const [a, b] = duplexPair();
  const server = new H2Session(a, { role: 'server' });
  const session = new H2Session(b, { role: 'client' });
  const streams: H2Stream[] = [];
  void (async () => {
    for await (const stream of server.incoming as unknown as AsyncIterable<H2Stream>) {
      streams.push(stream);
      stream.respond(
        [[':status', '200'], ['set-cookie', 'a=1; Path=/'], ['set-cookie', 'b=2; HttpOnly'], ['content-type', 'text/plain']],
        { body: 'ok' },
      );
    }
  })();
  return { client: new H2Client(session, { baseUrl: 'https://example.com' }), streams };
}

Browser('the simulation forbids what browsers forbid', () => {
  assert.is(new Request('https://example.com/', { headers: { cookie: 'a=1' } }).headers.get('cookie'), null);
  assert.equal(new Response(null, { headers: { 'set-cookie': 'a=1' } }).headers.getSetCookie(), []);
  assert.is(new Headers({ cookie: 'a=1' }).get('cookie'), 'a=1', 'a bare Headers has no guard');
});

Browser('cookie, user-agent and a host given to fetch are all sent (host as :authority)', async () => {
  const { client, streams } = setup();
  const res = await client.fetch('/', { headers: { cookie: 'session=s3cr3t', 'user-agent': 'h2flow-test/1', host: 'vhost.example:8443', 'x-other': '1' } });
  await res.text();
  const sent = new Map(streams[0]!.headers);
  assert.is(sent.get('cookie'), 'session=s3cr3t');
  assert.is(sent.get('user-agent'), 'h2flow-test/1');
  assert.is(sent.get(':authority'), 'vhost.example:8443');
  assert.is(sent.get('x-other'), '1');
  await client.close();
});

Browser('headers given in init with a Request input are sent too', async () => {
  const { client, streams } = setup();
  await (await client.fetch(new Request('https://example.com/r'), { headers: { cookie: 'c=1' } })).text();
  assert.is(new Map(streams[0]!.headers).get('cookie'), 'c=1');
  await client.close();
});

Browser('every response field is in response.headers: getSetCookie() returns each set-cookie, clones included', async () => {
  const { client } = setup();
  const res = await client.fetch('/');
  assert.equal(res.headers.getSetCookie(), ['a=1; Path=/', 'b=2; HttpOnly']);
  assert.is(res.headers.get('content-type'), 'text/plain');
  const copy = res.clone();
  assert.equal(copy.headers.getSetCookie(), ['a=1; Path=/', 'b=2; HttpOnly']);
  assert.is(copy.url, 'https://example.com/');
  assert.is(await copy.text(), 'ok');
  assert.is((await res.blob()).type, 'text/plain', 'the body methods still see content-type');
  await client.close();
});

Browser.run();
