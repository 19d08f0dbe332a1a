/**
 * The request target (RFC 9113 §8.3.1, RFC 3986): the predicates of src/fetch/request-target.ts, and a
 * table of hostile `:method`/`:scheme`/`:authority`/`:path`/`host` combinations sent by a frame-level
 * client to a real `serve()` over TCP — with the protocol core's own header validation on (its default)
 * and off, so the fetch layer's checks are exercised alone. A malformed request gets RST_STREAM
 * PROTOCOL_ERROR (or the core's GOAWAY, where the core catches it first) and never reaches the handler;
 * a well-formed one reaches it with exactly the URL the client sent.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { serve, type HttpServer, type SessionOptions } from '../../src/transport/node';
import { isAuthority, isScheme, isToken, MalformedRequestError, readRequestTarget } from '../../src/fetch/request-target';
import { throwsWith } from '../support/assert-throws';
import { H2SpecConn, inBatches } from '../support/conformance';
import { E, T, type HeaderPair, type PeerFrame } from '../support/peer';

const Target = suite('request target');

Target('isAuthority accepts host[:port] forms and refuses userinfo, delimiters and ambiguous hosts', () => {
  for (const ok of ['example.com', 'EXAMPLE.com:8080', 'a', 'a:', 'a.b.', '127.0.0.1', '127.0.0.1:443', '[::1]', '[::1]:8443', '[2001:db8::8:800:200c:417a]',
    '[::ffff:192.0.2.1]', '[1:2:3:4:5:6:7:8]', '[1::]', "a!$&'()*+,;=_~-b", '123abc', 'x.1y', 'a:65535', 'a:0', '[::1]:']) {
    assert.ok(isAuthority(ok), ok);
  }
  for (const bad of ['', ':80', 'user@example.com', 'u:p@example.com', 'example.com/admin#', 'example.com?x', 'example.com#', 'a b', 'a\\b', 'a/b', 'a%41b',
    'a:99999', 'a:100000', 'a:8x', 'a:-1', 'a:b:c', '[::1', '[::1]x', '[v1.x]', '[fe80::1%25eth0]', '[1:2:3:4:5:6:7:8:9]', '[1::2::3]', '[:1]', '[1:]',
    '[12345::]', '[::1.2.3]', '0x7f.1', '127.1', '2130706433', '127.0.0.1.', '1.2.3.04', '256.0.0.1', 'a.0x10', 'a.1', 'é.com', 'a|b']) {
    assert.not.ok(isAuthority(bad), bad);
  }
  assert.ok(isAuthority('example.com:443', true));
  assert.not.ok(isAuthority('example.com', true), 'CONNECT needs a port');
  assert.not.ok(isAuthority('example.com:', true), 'CONNECT needs a port');
});

Target('isToken and isScheme follow RFC 9110 §5.6.2 and RFC 3986 §3.1', () => {
  for (const ok of ['GET', 'get', 'M-SEARCH', "!#$%&'*+-.^_`|~09aZ"]) assert.ok(isToken(ok), ok);
  for (const bad of ['', 'GET /', 'G\tET', 'GE(T', 'G"T', 'É']) assert.not.ok(isToken(bad), bad);
  for (const ok of ['http', 'HTTPS', 'coap+tcp', 'a.b-c1']) assert.ok(isScheme(ok), ok);
  for (const bad of ['', '1http', '+a', 'ht tp', 'http:', 'http://evil.test']) assert.not.ok(isScheme(bad), bad);
});

Target('readRequestTarget builds the URL from validated parts, percent-encoding octets above 0x7f', () => {
  const base: HeaderPair[] = [[':method', 'GET'], [':scheme', 'HTTPS'], [':authority', 'Example.com:8443'], [':path', '/caf\xc3\xa9?q=\xff']];
  const target = readRequestTarget(base);
  assert.is(target.scheme, 'https');
  assert.is(target.url, 'https://Example.com:8443/caf%C3%A9?q=%FF');
  assert.is(new URL(target.url!).pathname, '/caf%C3%A9');
  // Hosts are case-insensitive (RFC 3986 §3.2.2): this host names the entity :authority names. (The core,
  // following h2, compares them exactly when its validation is on.)
  assert.is(readRequestTarget([[':method', 'GET'], [':scheme', 'http'], [':authority', 'EXAMPLE.com'], [':path', '/'], ['host', 'example.COM']]).url, 'http://EXAMPLE.com/');
  throwsWith(() => readRequestTarget([[':method', 'GET'], [':scheme', 'http'], [':authority', 'a.com'], [':path', '/'], ['host', 'a.com:80']]), MalformedRequestError, E.PROTOCOL_ERROR);
  const fromHost = readRequestTarget([[':method', 'GET'], [':scheme', 'http'], [':path', '/'], ['host', 'h:1']]);
  assert.is(fromHost.authority, 'h:1');
  assert.is(readRequestTarget([[':method', 'OPTIONS'], [':scheme', 'http'], [':path', '*'], [':authority', 'h']]).url, null, 'OPTIONS * has no fetch URL');
  assert.is(readRequestTarget([[':method', 'GET'], [':scheme', 'ftp'], [':path', '/'], [':authority', 'h']]).url, null);
  // RFC 8441 §4: an extended CONNECT carries :protocol, :scheme, :path and :authority; no fetch URL.
  const ws = readRequestTarget([[':method', 'CONNECT'], [':protocol', 'websocket'], [':scheme', 'https'], [':path', '/chat'], [':authority', 'h']]);
  assert.equal([ws.protocol, ws.path, ws.url], ['websocket', '/chat', null]);
  throwsWith(() => readRequestTarget([[':method', 'CONNECT'], [':protocol', 'websocket'], [':authority', 'h']]), MalformedRequestError, E.PROTOCOL_ERROR);
  throwsWith(() => readRequestTarget([[':method', 'CONNECT'], [':protocol', 'web socket'], [':scheme', 'https'], [':path', '/'], [':authority', 'h']]), MalformedRequestError);
  const connect = readRequestTarget([[':method', 'CONNECT'], [':authority', 'h:443']]);
  assert.equal([connect.scheme, connect.path, connect.url], [null, null, null]);
  throwsWith(() => readRequestTarget([[':method', 'GET'], [':scheme', 'http'], [':path', '/x'], [':authority', 'a/b']]), MalformedRequestError, E.PROTOCOL_ERROR);
});

Target('readRequestTarget gives each of a series of requests its own URL, the same parts the same URL', () => {
  const url = (scheme: string, authority: string, path: string): string | null =>
    readRequestTarget([[':method', 'GET'], [':scheme', scheme], [':authority', authority], [':path', path]]).url;
  const series: Array<[string, string, string, string]> = [
    ['http', 'a.com', '/', 'http://a.com/'],
    ['http', 'a.com', '/', 'http://a.com/'],
    ['http', 'a.com', '/x', 'http://a.com/x'],
    ['https', 'a.com', '/x', 'https://a.com/x'],
    ['https', 'b.com', '/x', 'https://b.com/x'],
    ['https', 'b.com', '/\xe9', 'https://b.com/%E9'],
    ['HTTPS', 'b.com', '/\xe9', 'https://b.com/%E9'],
    ['http', 'a.com', '/', 'http://a.com/'],
  ];
  for (const [scheme, authority, path, expected] of series) assert.is(url(scheme, authority, path), expected, `${scheme} ${authority} ${path}`);
});

// ── through a real serve() over TCP ──────────────────────────────────────────

/** How a case must be answered: a stream error, or a response with this status and (for 200) this URL. */
type Expect = { readonly reset: true; readonly core?: boolean } | { readonly status: number; readonly url?: string };

interface TableCase {
  readonly name: string;
  readonly headers: readonly HeaderPair[];
  readonly expect: Expect;
}

const MALFORMED: Expect = { reset: true };
/** Malformed, and the protocol core's own validation (h2's) already answers it with GOAWAY PROTOCOL_ERROR. */
const MALFORMED_CORE: Expect = { reset: true, core: true };

function get(authority: string | null, path: string, extra: readonly HeaderPair[] = [], method = 'GET', scheme = 'http'): HeaderPair[] {
  const list: HeaderPair[] = [[':method', method], [':scheme', scheme]];
  if (authority !== null) list.push([':authority', authority]);
  list.push([':path', path], ...extra);
  return list;
}

const CASES: readonly TableCase[] = [
  // The three of issue 9.
  { name: ':authority carrying a path and a fragment', headers: get('example.com/admin#', '/public'), expect: MALFORMED },
  { name: ':path that extends the host', headers: get('example.com', '.evil.test/x'), expect: MALFORMED },
  { name: ':path in absolute form', headers: get('example.com', 'http://evil.test/'), expect: MALFORMED },
  // :authority
  { name: ':authority with userinfo', headers: get('user@example.com', '/'), expect: MALFORMED },
  { name: ':authority with user:password', headers: get('u:pw@example.com', '/'), expect: MALFORMED },
  { name: ':authority with a query', headers: get('example.com?x=', '/'), expect: MALFORMED },
  { name: ':authority with a port then userinfo', headers: get('example.com:443@evil.test', '/'), expect: MALFORMED },
  { name: ':authority with a backslash', headers: get('evil.test\\@example.com', '/'), expect: MALFORMED },
  { name: 'an empty :authority', headers: get('', '/'), expect: MALFORMED },
  { name: ':authority with a space', headers: get('a b', '/'), expect: MALFORMED },
  { name: ':authority with a port past 65535', headers: get('example.com:99999', '/'), expect: MALFORMED },
  { name: ':authority with a non-numeric port', headers: get('example.com:8x', '/'), expect: MALFORMED },
  { name: ':authority with an unclosed IPv6 literal', headers: get('[::1', '/'), expect: MALFORMED },
  { name: ':authority with junk after an IPv6 literal', headers: get('[::1]evil', '/'), expect: MALFORMED },
  { name: ':authority as hex IPv4 (0x7f.1 would become 127.0.0.1)', headers: get('0x7f.1', '/'), expect: MALFORMED },
  { name: ':authority as short IPv4 (127.1)', headers: get('127.1', '/'), expect: MALFORMED },
  { name: ':authority percent-encoded (ex%61mple.com)', headers: get('ex%61mple.com', '/'), expect: MALFORMED },
  { name: ':authority with a non-ASCII octet', headers: get('\xe9xample.com', '/'), expect: MALFORMED },
  // host
  { name: 'host naming another entity than :authority', headers: get('example.com', '/', [['host', 'evil.test']]), expect: MALFORMED_CORE },
  { name: 'no :authority, host carrying a path', headers: get(null, '/public', [['host', 'example.com/admin']]), expect: MALFORMED },
  { name: 'no :authority and no host', headers: get(null, '/'), expect: MALFORMED_CORE },
  { name: 'two host fields', headers: get(null, '/', [['host', 'example.com'], ['host', 'evil.test']]), expect: MALFORMED_CORE },
  // Uppercase names are malformed (RFC 9113 §8.2.1); without the core's check, Headers would lowercase them.
  { name: 'an uppercase Host naming another entity than :authority', headers: get('example.com', '/', [['Host', 'evil.test']]), expect: MALFORMED_CORE },
  { name: 'no :authority, host and an uppercase HOST', headers: get(null, '/', [['HOST', 'evil.test'], ['host', 'example.com']]), expect: MALFORMED_CORE },
  // :path
  { name: ':path with a space', headers: get('example.com', '/a b'), expect: MALFORMED },
  { name: ':path with a tab', headers: get('example.com', '/a\tb'), expect: MALFORMED },
  { name: ':path with a fragment', headers: get('example.com', '/public#/admin'), expect: MALFORMED },
  { name: ':path with a control byte', headers: get('example.com', '/a\x01b'), expect: MALFORMED },
  { name: ':path with DEL', headers: get('example.com', '/a\x7fb'), expect: MALFORMED },
  { name: ':path with backslashes (a URL parser reads them as /)', headers: get('example.com', '/public\\..\\admin'), expect: MALFORMED },
  { name: ':path * with GET', headers: get('example.com', '*'), expect: MALFORMED },
  { name: 'an empty :path', headers: get('example.com', ''), expect: MALFORMED_CORE },
  { name: 'two :path fields', headers: [...get('example.com', '/a'), [':path', '/b']], expect: MALFORMED_CORE },
  // :method, :scheme, pseudo-header rules
  { name: 'an empty :method', headers: get('example.com', '/', [], ''), expect: MALFORMED },
  { name: ':method with a space', headers: get('example.com', '/', [], 'GET /admin'), expect: MALFORMED },
  { name: ':scheme carrying an authority', headers: get('example.com', '/', [], 'GET', 'http://evil.test'), expect: MALFORMED },
  { name: ':scheme starting with a digit', headers: get('example.com', '/', [], 'GET', '1http'), expect: MALFORMED },
  { name: 'an unknown pseudo-header field', headers: get('example.com', '/', [[':foo', 'x']]), expect: MALFORMED_CORE },
  { name: ':status in a request', headers: [[':status', '200'], ...get('example.com', '/')], expect: MALFORMED_CORE },
  { name: 'a pseudo-header field after a regular one', headers: [[':method', 'GET'], [':scheme', 'http'], ['x-a', '1'], [':path', '/'], [':authority', 'example.com']], expect: MALFORMED_CORE },
  { name: ':protocol on a GET', headers: get('example.com', '/', [[':protocol', 'websocket']]), expect: MALFORMED_CORE },
  // CONNECT (RFC 9113 §8.5)
  { name: 'CONNECT without a port', headers: [[':method', 'CONNECT'], [':authority', 'example.com']], expect: MALFORMED },
  { name: 'CONNECT with userinfo', headers: [[':method', 'CONNECT'], [':authority', 'u@example.com:443']], expect: MALFORMED },
  { name: 'CONNECT with a :path', headers: [[':method', 'CONNECT'], [':authority', 'example.com:443'], [':path', '/']], expect: MALFORMED_CORE },
  // Well-formed and served: the handler sees exactly what was sent.
  { name: 'an ordinary GET', headers: get('example.com', '/public?q=1'), expect: { status: 200, url: 'http://example.com/public?q=1' } },
  { name: 'a host agreeing with :authority', headers: get('example.com:8080', '/', [['host', 'example.com:8080']]), expect: { status: 200, url: 'http://example.com:8080/' } },
  { name: 'no :authority, a valid host', headers: get(null, '/x', [['host', 'example.com']]), expect: { status: 200, url: 'http://example.com/x' } },
  { name: 'a :path starting with // stays a path', headers: get('example.com', '//evil.test/x'), expect: { status: 200, url: 'http://example.com//evil.test/x' } },
  { name: 'raw UTF-8 in :path arrives percent-encoded byte for byte', headers: get('example.com', '/caf\xc3\xa9'), expect: { status: 200, url: 'http://example.com/caf%C3%A9' } },
  { name: 'a query with characters browsers leave unencoded', headers: get('example.com', '/s?q=a\\b|c^d'), expect: { status: 200, url: 'http://example.com/s?q=a\\b|c^d' } },
  { name: 'an IPv6 literal with a port', headers: get('[::1]:8080', '/'), expect: { status: 200, url: 'http://[::1]:8080/' } },
  { name: 'https as :scheme', headers: get('example.com', '/', [], 'GET', 'https'), expect: { status: 200, url: 'https://example.com/' } },
  { name: 'an extension method', headers: get('example.com', '/', [], 'PROPFIND'), expect: { status: 200, url: 'http://example.com/' } },
  // Well-formed, but the fetch API has no Request for them: answered without the handler.
  { name: 'a lowercase get (a Request would show GET)', headers: get('example.com', '/admin', [], 'get'), expect: { status: 501 } },
  { name: 'OPTIONS * (a Request would get the host example.com*)', headers: get('example.com', '*', [], 'OPTIONS'), expect: { status: 501 } },
  { name: 'a scheme other than http(s)', headers: get('example.com', '/', [], 'GET', 'ftp'), expect: { status: 400 } },
  { name: 'CONNECT to host:port', headers: [[':method', 'CONNECT'], [':authority', 'example.com:443']], expect: { status: 501 } },
];

/** What the server did with stream 1. */
type Outcome = { kind: 'reset'; code: number } | { kind: 'goaway'; code: number } | { kind: 'status'; status: string } | { kind: 'closed' | 'timeout' };

async function runCase(port: number, tc: TableCase, index: number): Promise<{ outcome: Outcome; followUp: string | null; log: string[] }> {
  const c = await H2SpecConn.open(port, 2000);
  try {
    await c.handshake();
    c.send(c.peer.headers(1, [...tc.headers, ['x-case', String(index)]], { endStream: true }));
    // A valid request right after: a stream error must leave the connection serving.
    c.send(c.peer.headers(3, [...get('example.com', '/follow-up'), ['x-case', `${index}-follow-up`]], { endStream: true }));
    let outcome: Outcome | null = null;
    let followUp: string | null = null;
    while (outcome === null || (followUp === null && outcome.kind !== 'goaway')) {
      const ev = await c.nextEvent();
      if (ev.kind !== 'frame') {
        outcome ??= { kind: ev.kind };
        break;
      }
      const f: PeerFrame = ev.frame;
      if (f.type === T.GOAWAY && f.errorCode !== E.NO_ERROR) outcome ??= { kind: 'goaway', code: f.errorCode! };
      else if (f.type === T.RST_STREAM && f.streamId === 1) outcome ??= { kind: 'reset', code: f.errorCode! };
      else if (f.type === T.HEADERS && f.streamId === 1) outcome ??= { kind: 'status', status: f.headers?.find(([n]) => n === ':status')?.[1] ?? '?' };
      else if (f.type === T.HEADERS && f.streamId === 3) followUp = f.headers?.find(([n]) => n === ':status')?.[1] ?? '?';
    }
    return { outcome: outcome ?? { kind: 'timeout' }, followUp, log: c.log };
  } finally {
    c.close();
  }
}

const CONFIGS: [string, SessionOptions | undefined][] = [
  ['the core validating headers', undefined],
  ['the core not validating headers', { config: { validateInboundHeaders: false } }],
];

for (const [configName, session] of CONFIGS) {
  Target(`hostile request targets through serve() over TCP, ${configName}: malformed ones are reset before the handler, the rest arrive exactly as sent`, async () => {
    const seen = new Map<string, { url: string; method: string; host: string | null }>();
    const server: HttpServer = serve(
      (request) => {
        seen.set(request.headers.get('x-case') ?? '?', { url: request.url, method: request.method, host: request.headers.get('host') });
        return new Response('ok');
      },
      // Malformed cases end in the core's GOAWAY on purpose, many from 127.0.0.1: no abuse guard.
      { port: 0, hostname: '127.0.0.1', abuse: false, onListen: () => undefined, ...(session !== undefined ? { session } : {}) },
    );
    const { port } = await server.listening;
    try {
      const results = await inBatches(CASES.map((tc, i) => () => runCase(port, tc, i)), 6);
      const failures: string[] = [];
      CASES.forEach((tc, i) => {
        const { outcome, followUp, log } = results[i]!;
        const got = JSON.stringify(outcome);
        const handled = seen.get(String(i));
        const fail = (why: string): void => void failures.push(`${tc.name}: ${why} (got ${got}, handler saw ${JSON.stringify(handled)})\n    ${log.join('\n    ')}`);
        if ('reset' in tc.expect) {
          if (handled !== undefined) fail('the handler saw a malformed request');
          const reset = outcome.kind === 'reset' && outcome.code === E.PROTOCOL_ERROR;
          const goaway = outcome.kind === 'goaway' && outcome.code === E.PROTOCOL_ERROR;
          // The core answers the cases it validates with GOAWAY (h2's behaviour) when its validation is on.
          if (!(reset || (goaway && tc.expect.core === true && session === undefined))) fail('expected RST_STREAM PROTOCOL_ERROR');
          if (reset && followUp !== '200') fail(`the connection did not serve the next request (${followUp})`);
        } else {
          if (outcome.kind !== 'status' || outcome.status !== String(tc.expect.status)) fail(`expected status ${tc.expect.status}`);
          if (tc.expect.status === 200) {
            if (handled?.url !== tc.expect.url) fail(`expected the handler to see ${tc.expect.url}`);
            if (handled?.host?.toLowerCase() !== new URL(tc.expect.url!).host) fail('the host field and the URL disagree');
          } else if (handled !== undefined) fail('the handler saw a request the fetch API cannot represent');
        }
      });
      assert.equal(failures, []);
    } finally {
      await server.shutdown();
    }
  });
}

Target.run();
