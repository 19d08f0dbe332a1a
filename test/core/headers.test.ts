/**
 * Header utilities, normalisation and validation (RFC 9113 §8.2, §8.3, RFC 8441 §4).
 * Ports h2's tests/test_utility_functions.py (header parts), the header-rule parts of
 * test_invalid_headers.py, test_header_indexing.py and test_connect_*.py, at the module level.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Header } from '../../src/core/events';
import { FlowControlError, ProtocolError } from '../../src/core/exceptions';
import {
  authorityFromHeaders,
  decodeHeaders,
  extractMethodHeader,
  guardIncrementWindow,
  type HeaderValidationFlags,
  isInformationalResponse,
  isNormalizedOutboundHeaderList,
  normalizeInboundHeaders,
  normalizeOutboundHeaders,
  encodeOutboundHeaders,
} from '../../src/core/headers';
import { headerCodec } from '../../src/core/header-encoding';
import { validateHeaders, validateOutboundHeaders } from '../../src/core/header-validation';
import { HeaderTuple, NeverIndexedHeaderTuple } from '../../src/hpack/index';
import { mulberry32 } from '../support/prng';

const Headers = suite('headers');

const flags = (isClient: boolean, isTrailer: boolean, isResponseHeader: boolean, isPushPromise: boolean): HeaderValidationFlags => ({
  isClient,
  isTrailer,
  isResponseHeader,
  isPushPromise,
});
const ALL_FLAGS: HeaderValidationFlags[] = [];
for (let i = 0; i < 16; i++) ALL_FLAGS.push(flags(!!(i & 8), !!(i & 4), !!(i & 2), !!(i & 1)));
const REQUEST_FLAGS = ALL_FLAGS.filter((f) => !f.isTrailer && !f.isResponseHeader);
const RESPONSE_FLAGS = ALL_FLAGS.filter((f) => f.isResponseHeader);
const REQUEST = flags(false, false, false, false);
const RESPONSE = flags(true, false, true, false);
const TRAILER = flags(false, true, false, false);
const VALIDATORS = [
  ['validateHeaders', validateHeaders],
  ['validateOutboundHeaders', validateOutboundHeaders],
] as const;

const isProtocolError = (e: unknown): boolean => e instanceof ProtocolError;

const BASE_REQUEST: Header[] = [
  [':authority', 'example.com'],
  [':path', '/'],
  [':scheme', 'https'],
  [':method', 'GET'],
  ['user-agent', 'someua/0.0.1'],
];
const without = (name: string): Header[] => BASE_REQUEST.filter((h) => h[0] !== name);

// h2: test_invalid_headers.py::TestInvalidFrameSequences.base_invalid_header_blocks
const INVALID_INBOUND: [string, Header[]][] = [
  ['an uppercase name', [...BASE_REQUEST, ['Uppercase', 'name']]],
  ['a pseudo-header after a regular one', [...BASE_REQUEST, [':late', 'pseudo-header']]],
  ['a duplicate pseudo-header', [[':path', 'duplicate-pseudo-header'], ...BASE_REQUEST]],
  ['connection', [...BASE_REQUEST, ['connection', 'close']]],
  ['proxy-connection', [...BASE_REQUEST, ['proxy-connection', 'close']]],
  ['keep-alive', [...BASE_REQUEST, ['keep-alive', 'close']]],
  ['transfer-encoding', [...BASE_REQUEST, ['transfer-encoding', 'gzip']]],
  ['upgrade', [...BASE_REQUEST, ['upgrade', 'super-protocol/1.1']]],
  ['te other than trailers', [...BASE_REQUEST, ['te', 'chunked']]],
  ['two host fields', [...BASE_REQUEST, ['host', 'example.com'], ['host', 'evil.example.com']]],
  ['a host that differs from :authority', [...BASE_REQUEST, ['host', 'notexample.com']]],
  ['a name with a leading space', [...BASE_REQUEST, [' name', 'name with leading space']]],
  ['a name with a trailing space', [...BASE_REQUEST, ['name ', 'name with trailing space']]],
  ['a value with a leading space', [...BASE_REQUEST, ['name', ' value with leading space']]],
  ['a value with a trailing space', [...BASE_REQUEST, ['name', 'value with trailing space ']]],
  ['a value with a leading tab', [...BASE_REQUEST, ['name', '\tvalue']]],
  ['a colon inside a name', [...BASE_REQUEST, ['illegal:characters', 'value']]],
  ['CR in a name', [...BASE_REQUEST, ['illegal-\r-characters', 'value']]],
  ['LF in a name', [...BASE_REQUEST, ['illegal-\n-characters', 'value']]],
  ['NUL in a name', [...BASE_REQUEST, ['illegal-\x00-characters', 'value']]],
  ['0x01 in a name', [...BASE_REQUEST, ['illegal-\x01-characters', 'value']]],
  ['DEL in a name', [...BASE_REQUEST, ['illegal-\x7f-characters', 'value']]],
  ['a non-ASCII octet in a name', [...BASE_REQUEST, ['caf\xe9', 'value']]],
  ['CR in a value', [...BASE_REQUEST, ['illegal-characters', 'some \r value']]],
  ['LF in a value', [...BASE_REQUEST, ['illegal-characters', 'some \n value']]],
  ['NUL in a value', [...BASE_REQUEST, ['illegal-characters', 'some \x00 value']]],
  ['no :authority and no host', without(':authority')],
  [':protocol without CONNECT', [[':protocol', 'websocket'], ...BASE_REQUEST]],
  ['an empty name', [...BASE_REQUEST, ['', 'value']]],
];

for (const [what, block] of INVALID_INBOUND) {
  Headers(`a received request with ${JSON.stringify(what)} is a ProtocolError`, () => {
    assert.throws(() => validateHeaders(block, REQUEST), isProtocolError);
  });
}

Headers('a valid received request passes through unchanged (the same list)', () => {
  const block = [...BASE_REQUEST, ['te', 'trailers'], ['x-empty', ''], ['x-inner', 'a\tb c'], ['x-vt', '\x0bvalue'], ['x-del', 'v\x7f\xff']] as Header[];
  assert.is(validateHeaders(block, REQUEST), block);
  assert.is(validateOutboundHeaders(block, REQUEST), block);
});

Headers('te is checked case-insensitively against "trailers", and only by exact name', () => {
  assert.not.throws(() => validateHeaders([...BASE_REQUEST, ['te', 'TraiLers']], REQUEST));
  assert.throws(() => validateHeaders([...BASE_REQUEST, ['te', 'trailers, deflate']], REQUEST), /Invalid value for TE header/);
  assert.throws(() => validateOutboundHeaders([...BASE_REQUEST, ['te', 'chunked']], REQUEST), /Invalid value for TE header/);
});

Headers('uppercase names are named in the error, illegal characters too', () => {
  assert.throws(() => validateHeaders([...BASE_REQUEST, ['Uppercase', 'x']], REQUEST), /Received uppercase header name b'Uppercase'\./);
  assert.throws(() => validateHeaders([...BASE_REQUEST, ['a\x01b', 'x']], REQUEST), /Illegal character '\x01' in header name: b'a\\x01b'/);
  assert.throws(() => validateHeaders([...BASE_REQUEST, ['x', 'a\rb']], REQUEST), /Illegal character '\r' in header value/);
  assert.throws(() => validateHeaders([...BASE_REQUEST, ['x', 'ab ']], REQUEST), /surrounded by whitespace/);
});

// h2: test_invalid_headers.py::TestSendingInvalidFrameSequences.invalid_header_blocks
const INVALID_OUTBOUND: [string, Header[]][] = [
  ['a pseudo-header after a regular one', [...BASE_REQUEST, [':late', 'pseudo-header']]],
  ['a duplicate pseudo-header', [[':path', 'duplicate-pseudo-header'], ...BASE_REQUEST]],
  ['te other than trailers', [...BASE_REQUEST, ['te', 'chunked']]],
  ['a host that differs from :authority', [...BASE_REQUEST, ['host', 'notexample.com']]],
  ['no :authority and no host', without(':authority')],
  ['a connection-specific field (normalisation off)', [...BASE_REQUEST, ['connection', 'close']]],
  ['two host fields', [...BASE_REQUEST, ['host', 'example.com'], ['host', 'example.com']]],
  ['an empty name', [...BASE_REQUEST, ['', 'value']]],
];
for (const [what, block] of INVALID_OUTBOUND) {
  Headers(`sending a request with ${JSON.stringify(what)} is a ProtocolError`, () => {
    assert.throws(() => validateOutboundHeaders(block, REQUEST), isProtocolError);
  });
}

Headers('outbound validation does not check characters (h2 validates them only inbound)', () => {
  const block = [...BASE_REQUEST, ['Uppercase', ' spaced '], ['x', 'a\x00b']] as Header[];
  assert.is(validateOutboundHeaders(block, REQUEST), block);
});

Headers('a custom pseudo-header is refused under every combination of flags', () => {
  for (const f of ALL_FLAGS) {
    for (const [, validate] of VALIDATORS) assert.throws(() => validate([[':custom', 'value']], f), /custom pseudo-header/);
  }
});

Headers('an empty received header name is refused under every combination of flags', () => {
  for (const f of ALL_FLAGS) assert.throws(() => validateHeaders([['', 'foobar']], f), /Received header name with zero length\./);
});

Headers('matching :authority and host pass through both validators for every request flag combination', () => {
  const block: Header[] = [[':authority', 'example.com'], [':path', '/'], [':scheme', 'https'], [':method', 'GET'], ['host', 'example.com']];
  for (const f of REQUEST_FLAGS) for (const [, validate] of VALIDATORS) assert.is(validate(block, f), block);
});

Headers('a host field alone stands in for :authority', () => {
  const block: Header[] = [...without(':authority'), ['host', 'example.com']];
  for (const [, validate] of VALIDATORS) assert.is(validate(block, REQUEST), block);
});

Headers('a response without :status is refused for every response flag combination', () => {
  for (const f of RESPONSE_FLAGS) for (const [, validate] of VALIDATORS) assert.throws(() => validate([['content-length', '42']], f), /missing mandatory b':status'/);
});

// h2: TestFilter.invalid_request_header_blocks_bytes
const MISSING_PSEUDO: Header[][] = [
  [[':authority', 'google.com'], [':path', '/'], [':scheme', 'https']],
  [[':authority', 'google.com'], [':method', 'GET'], [':scheme', 'https']],
  [[':authority', 'google.com'], [':method', 'GET'], [':path', '/']],
  [[':authority', 'google.com'], [':method', 'GET'], [':scheme', 'https'], [':path', '']],
];
Headers('requests missing :method, :path or :scheme, or with an empty :path, are refused both ways', () => {
  for (const f of REQUEST_FLAGS) {
    for (const block of MISSING_PSEUDO) for (const [, validate] of VALIDATORS) assert.throws(() => validate(block, f), isProtocolError);
  }
});

Headers(':status in a request and request pseudo-headers in a response are refused both ways', () => {
  const request: Header[] = [[':path', '/'], [':scheme', 'https'], [':authority', 'google.com'], [':method', 'GET'], [':status', 'some value']];
  for (const f of REQUEST_FLAGS) for (const [, validate] of VALIDATORS) assert.throws(() => validate(request, f), /response-only headers/);
  for (const name of [':path', ':scheme', ':authority', ':method', ':protocol']) {
    for (const f of RESPONSE_FLAGS) {
      for (const [, validate] of VALIDATORS) assert.throws(() => validate([[':status', '200'], [name, 'some value']], f), f.isTrailer ? /pseudo-header in trailer/ : /request-only headers/);
    }
  }
});

Headers('trailers carry no pseudo-headers and need no :authority', () => {
  assert.throws(() => validateHeaders([[':path', '/'], ['extra', 'value']], TRAILER), /pseudo-header in trailer/);
  assert.throws(() => validateOutboundHeaders([[':status', '200']], TRAILER), /pseudo-header in trailer/);
  const trailers: Header[] = [['grpc-status', '0']];
  for (const [, validate] of VALIDATORS) assert.is(validate(trailers, TRAILER), trailers);
});

Headers('a response needs only :status: no :authority, :path or host rules apply', () => {
  const block: Header[] = [[':status', '204'], ['server', 'x']];
  for (const [, validate] of VALIDATORS) assert.is(validate(block, RESPONSE), block);
});

// h2: test_connect_pseudo_headers.py and test_connect_roundtrip_and_edges.py (RFC 9113 §8.5, RFC 8441 §4)
Headers('an ordinary CONNECT carries only :method and :authority', () => {
  const ok: Header[] = [[':method', 'CONNECT'], [':authority', 'example.com:443']];
  for (const [, validate] of VALIDATORS) assert.is(validate(ok, REQUEST), ok);
  for (const extra of [[':path', '/'], [':scheme', 'https']] as Header[]) {
    for (const [, validate] of VALIDATORS) assert.throws(() => validate([...ok, extra], REQUEST), /Ordinary CONNECT MUST NOT include :scheme or :path/);
  }
  for (const [, validate] of VALIDATORS) assert.throws(() => validate([[':method', 'CONNECT']], REQUEST), /:authority or Host/);
});

Headers('an extended CONNECT (:protocol) needs :scheme and :path as well', () => {
  const ok: Header[] = [[':method', 'CONNECT'], [':protocol', 'websocket'], [':scheme', 'https'], [':path', '/chat?room=1'], [':authority', 'ws.example.com']];
  for (const [, validate] of VALIDATORS) assert.is(validate(ok, REQUEST), ok);
  for (const drop of [':scheme', ':path']) {
    const block = ok.filter((h) => h[0] !== drop);
    for (const [, validate] of VALIDATORS) assert.throws(() => validate(block, REQUEST), new RegExp(`missing mandatory b'${drop}'`));
  }
});

Headers(':protocol is refused on any method but CONNECT, and a non-CONNECT request still needs :scheme and :path', () => {
  assert.throws(() => validateOutboundHeaders([...BASE_REQUEST.slice(0, 4), [':protocol', 'websocket']], REQUEST), /connect-request-only/);
  assert.throws(() => validateOutboundHeaders([[':method', 'GET'], [':authority', 'example.com']], REQUEST), /missing mandatory/);
  assert.throws(() => validateOutboundHeaders([[':method', 'connect'], [':authority', 'example.com']], REQUEST), /missing mandatory/);
});

Headers('the validators either return the list unchanged or throw ProtocolError, for random header lists', () => {
  const rng = mulberry32(0x5eed);
  const names = [':method', ':path', ':scheme', ':authority', ':status', ':protocol', ':x', 'host', 'te', 'cookie', 'connection', 'a', 'B', ''];
  const values = ['', 'GET', 'CONNECT', '/', 'trailers', ' x', 'x ', 'a\x00b', 'example.com', '100', '200'];
  const randomString = (): string => String.fromCharCode(...Array.from(rng.bytes(rng.int(6))));
  for (let round = 0; round < 3000; round++) {
    const block: Header[] = [];
    const n = rng.int(8);
    for (let i = 0; i < n; i++) {
      block.push([rng.int(4) === 0 ? randomString() : rng.pick(names), rng.int(4) === 0 ? randomString() : rng.pick(values)]);
    }
    const copy = block.map((h) => [h[0], h[1]]);
    const f = rng.pick(ALL_FLAGS);
    for (const [, validate] of VALIDATORS) {
      try {
        assert.is(validate(block, f), block);
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
      }
      assert.equal(block.map((h) => [h[0], h[1]]), copy);
    }
  }
});

// --- normalisation ---

Headers('outbound names are ASCII-lowercased only (latin-1 letters stay as they are)', () => {
  const out = normalizeOutboundHeaders([[':Method', 'GET'], ['X-Custom-\xc0', 'V']], null);
  assert.equal(out.map((h) => [h[0], h[1]]), [[':method', 'GET'], ['x-custom-\xc0', 'V']]);
});

Headers('outbound names and values lose surrounding ASCII whitespace', () => {
  const out = normalizeOutboundHeaders([[' \tx-a\r\n', '\x0b\x0cvalue \t'], ['x-b', ' inner space ']], null);
  assert.equal(out.map((h) => [h[0], h[1]]), [['x-a', 'value'], ['x-b', 'inner space']]);
});

Headers('connection-specific fields are dropped from outbound headers, after lowercasing and stripping', () => {
  const out = normalizeOutboundHeaders(
    [...BASE_REQUEST, ['Connection', 'close'], [' proxy-connection', 'x'], ['keep-alive', 'x'], ['Transfer-Encoding', 'gzip'], ['upgrade', 'h2c']],
    null,
  );
  assert.equal(out.map((h) => [h[0], h[1]]), BASE_REQUEST);
});

Headers('authorization, proxy-authorization and short cookies become never-indexed; long cookies and others do not', () => {
  const longCookie = 'session=0123456789abcdef';
  const out = normalizeOutboundHeaders(
    [['Authorization', 'Basic abc'], ['proxy-authorization', 'x'], ['cookie', 'a=b'], ['cookie', longCookie], ['x-plain', 'v']],
    null,
  );
  assert.equal(out.map((h) => h instanceof NeverIndexedHeaderTuple), [true, true, true, false, false]);
  assert.equal(out.map((h) => [h[0], h[1]]), [['authorization', 'Basic abc'], ['proxy-authorization', 'x'], ['cookie', 'a=b'], ['cookie', longCookie], ['x-plain', 'v']]);
});

Headers('a cookie of exactly 20 bytes stays indexable, 19 bytes does not', () => {
  const out = normalizeOutboundHeaders([['cookie', 'a'.repeat(20)], ['cookie', 'a'.repeat(19)]], null);
  assert.equal(out.map((h) => h instanceof NeverIndexedHeaderTuple), [false, true]);
});

Headers('outbound normalisation keeps the HeaderTuple class of each field', () => {
  const out = normalizeOutboundHeaders([new NeverIndexedHeaderTuple('X-Secret', 'v'), new HeaderTuple('X-Indexed', 'v'), ['X-Plain', 'v']] as Header[], null);
  assert.ok(out[0] instanceof NeverIndexedHeaderTuple);
  assert.ok(out[1] instanceof HeaderTuple && !(out[1] instanceof NeverIndexedHeaderTuple));
  assert.not.ok(out[2] instanceof HeaderTuple);
  assert.equal(out.map((h) => h[0]), ['x-secret', 'x-indexed', 'x-plain']);
});

Headers('outbound cookies are split on "; " only when asked, each crumb judged for indexing alone', () => {
  const cookie: Header = ['cookie', 'a=1; b=2;c=3; long-crumb-value=0123456789'];
  assert.equal(normalizeOutboundHeaders([cookie], null).map((h) => h[1]), [cookie[1]]);
  const split = normalizeOutboundHeaders([cookie], null, true);
  assert.equal(split.map((h) => h[1]), ['a=1', 'b=2;c=3', 'long-crumb-value=0123456789']);
  assert.equal(split.map((h) => h instanceof NeverIndexedHeaderTuple), [true, true, false]);
});

Headers('inbound cookies are joined with "; " into one never-indexed field at the end', () => {
  const block: Header[] = [['cookie', 'a=1'], [':method', 'GET'], ['cookie', 'b=2'], ['x', 'y']];
  const out = normalizeInboundHeaders(block, null);
  assert.equal(out.map((h) => [h[0], h[1]]), [[':method', 'GET'], ['x', 'y'], ['cookie', 'a=1; b=2']]);
  assert.ok(out[2] instanceof NeverIndexedHeaderTuple);
  const single = normalizeInboundHeaders([['cookie', 'only'], ['x', 'y']], null);
  assert.equal(single.map((h) => h[0]), ['x', 'cookie']);
  const none: Header[] = [['x', 'y']];
  assert.is(normalizeInboundHeaders(none, null), none);
});

Headers('joining cookies first lets a cookie placed before the pseudo-headers validate', () => {
  const block: Header[] = [['cookie', 'a=1'], ...BASE_REQUEST];
  assert.throws(() => validateHeaders(block, REQUEST), /out of sequence/);
  assert.not.throws(() => validateHeaders(normalizeInboundHeaders(block, null), REQUEST));
});

// h2: test_header_indexing.py::TestSecureHeaders, at the normalisation level
const bytes = (t: string): Uint8Array => Uint8Array.from(t, (c) => c.charCodeAt(0));
const text = (v: string | Uint8Array): string => (typeof v === 'string' ? v : String.fromCharCode(...v));
type AnyField = readonly [string | Uint8Array, string | Uint8Array];
function variants(name: string, value: string, neverIndexed = true): AnyField[] {
  const out: AnyField[] = [];
  for (const n of [name, name[0]!.toUpperCase() + name.slice(1)]) {
    out.push([n, value], [bytes(n), bytes(value)], new HeaderTuple(n, value), new HeaderTuple(bytes(n), bytes(value)));
    if (neverIndexed) out.push(new NeverIndexedHeaderTuple(n, value), new NeverIndexedHeaderTuple(bytes(n), bytes(value)));
  }
  return out;
}
const outbound = (field: AnyField): Header => {
  const all = normalizeOutboundHeaders(encodeOutboundHeaders([...BASE_REQUEST, field]), REQUEST);
  return all[all.length - 1]!;
};

Headers('authorization and proxy-authorization are never indexed, whatever their form or case', () => {
  const fields = [...variants('authorization', 'test'), ...variants('authorization', 'really long test'), ...variants('proxy-authorization', 'test')];
  for (const field of fields) {
    const h = outbound(field);
    assert.ok(h instanceof NeverIndexedHeaderTuple, String(field));
    assert.equal([h[0], h[1]], [text(field[0]).toLowerCase(), text(field[1])]);
  }
});

Headers('cookies under 20 bytes (and manually secured ones) are never indexed; 20 bytes or more may be', () => {
  for (const field of [...variants('cookie', 'short'), ...variants('cookie', 'nineteen byte cooki'), new NeverIndexedHeaderTuple('cookie', 'longer manually secured cookie')]) {
    assert.ok(outbound(field) instanceof NeverIndexedHeaderTuple, String(field));
  }
  for (const field of [...variants('cookie', 'twenty byte cookie!!', false), ...variants('cookie', 'substantially longer than 20 byte cookie', false)]) {
    const h = outbound(field);
    assert.not.ok(h instanceof NeverIndexedHeaderTuple, String(field));
    assert.equal([h[0], h[1]], ['cookie', text(field[1])]);
  }
});

Headers('names that merely resemble cookie stay indexable', () => {
  for (const name of ['cook', 'okie', 'oo', 'cooki', 'ookie']) {
    for (const field of [[name, 'short'], new HeaderTuple(bytes(name), bytes('short'))] as AnyField[]) {
      assert.not.ok(outbound(field) instanceof NeverIndexedHeaderTuple, name);
    }
  }
});

// --- encoding ---

Headers('outbound ByteStrings are kept, Uint8Array become ByteStrings, and wider strings are a TypeError', () => {
  const out = encodeOutboundHeaders([
    [':path', '/caf\xe9'],
    [new Uint8Array([0x78, 0x2d, 0x62]), new Uint8Array([0xff, 0x00])],
  ]);
  assert.equal(out.map((h) => [h[0], h[1]]), [
    [':path', '/caf\xe9'],
    ['x-b', '\xff\x00'],
  ]);
  assert.throws(() => encodeOutboundHeaders([['x-utf8', 'caf\u00e9\u20ac']]), (e: unknown) => e instanceof TypeError);
});

Headers('outbound strings are UTF-8 encoded under the utf-8 codec, ASCII ones kept as the same objects', () => {
  const field: [string, string] = ['x-a', 'plain'];
  const out = encodeOutboundHeaders([field, ['x-utf8', 'caf\u00e9\u20ac']], headerCodec('utf-8'));
  assert.ok(out[0] === field);
  assert.equal([out[1]![0], out[1]![1]], ['x-utf8', 'caf\xc3\xa9\xe2\x82\xac']);
});

Headers('outbound encoding keeps never-indexed fields never-indexed and accepts a record', () => {
  const out = encodeOutboundHeaders([new NeverIndexedHeaderTuple(new Uint8Array([0x61]), new Uint8Array([0x62]))]);
  assert.ok(out[0] instanceof NeverIndexedHeaderTuple);
  assert.equal([out[0]![0], out[0]![1]], ['a', 'b']);
  assert.equal(encodeOutboundHeaders({ ':method': 'GET', 'x-a': '\u20ac' }, headerCodec('utf-8')).map((h) => [h[0], h[1]]), [[':method', 'GET'], ['x-a', '\xe2\x82\xac']]);
});

Headers('outbound fields that are not string or Uint8Array pairs are a TypeError', () => {
  assert.throws(() => encodeOutboundHeaders([[':method', 5 as unknown as string]]), (e: unknown) => e instanceof TypeError);
  assert.throws(() => encodeOutboundHeaders(['ab' as unknown as [string, string]]), (e: unknown) => e instanceof TypeError);
});

Headers('received headers decode as UTF-8 when asked, keeping their class; bad UTF-8 is a ProtocolError', () => {
  const out = decodeHeaders([new NeverIndexedHeaderTuple('cookie', 'caf\xc3\xa9'), ['x', '\xf0\x9f\x98\x80']] as Header[], 'utf-8');
  assert.ok(out[0] instanceof NeverIndexedHeaderTuple);
  assert.equal(out.map((h) => h[1]), ['café', '\u{1f600}']);
  for (const bad of ['\xff', '\xc3', '\xc0\xaf', '\xed\xa0\x80', '\xf4\x90\x80\x80']) {
    assert.throws(() => decodeHeaders([['x', bad]], 'UTF-8'), isProtocolError, JSON.stringify(bad));
  }
  assert.equal(decodeHeaders([['x', '\xe9']], 'latin-1').map((h) => h[1]), ['\xe9']);
  assert.throws(() => decodeHeaders([['x', '\xe9']], 'ascii'), isProtocolError);
  assert.throws(() => decodeHeaders([['x', 'y']], 'koi8-r'), (e: unknown) => e instanceof RangeError);
});

// --- utility functions (h2: test_utility_functions.py::TestExtractHeader and friends) ---

Headers('extractMethodHeader finds :method and nothing that merely resembles it', () => {
  assert.is(extractMethodHeader(BASE_REQUEST), 'GET');
  assert.is(extractMethodHeader([[':authority', 'example.com'], [':path', '/'], [':scheme', 'https'], [':me', 'GET']]), null);
});

Headers('isInformationalResponse reads :status among the leading pseudo-headers only', () => {
  assert.ok(isInformationalResponse([[':status', '100'], ['server', 'x']]));
  assert.ok(isInformationalResponse([[':x', 'y'], [':status', '103']]));
  assert.not.ok(isInformationalResponse([[':status', '200']]));
  assert.not.ok(isInformationalResponse([['server', 'x'], [':status', '100']]));
  assert.not.ok(isInformationalResponse([]));
});

Headers('authorityFromHeaders returns the :authority value or null', () => {
  assert.is(authorityFromHeaders(BASE_REQUEST), 'example.com');
  assert.is(authorityFromHeaders(without(':authority')), null);
});

Headers('guardIncrementWindow adds up to 2^31-1 and refuses to go past it', () => {
  assert.is(guardIncrementWindow(65535, 10), 65545);
  assert.is(guardIncrementWindow(2 ** 31 - 2, 1), 2 ** 31 - 1);
  assert.throws(() => guardIncrementWindow(2 ** 31 - 1, 1), (e: unknown) => e instanceof FlowControlError);
});

Headers('a list the outbound fast path accepts comes out of encoding and normalising unchanged', () => {
  const rand = mulberry32(77);
  const names = ['x-a', 'X-A', ' x-a', 'x-a ', 'cookie', 'authorization', 'proxy-authorization', 'connection', 'te', ':path', 'caf\u00e9', 'k\u20ac', ''];
  const values = ['v', ' v', 'v\t', '', 'trailers', 'caf\u00e9', '\u20ac', 'a; b', 'x'.repeat(30)];
  let accepted = 0;
  for (let i = 0; i < 3000; i++) {
    const list: [string, string][] = [];
    for (let n = rand.int(4); n > 0; n--) list.push([rand.pick(names), rand.pick(values)]);
    const codec = headerCodec(rand.pick([null, 'utf-8', 'latin-1', 'ascii']));
    if (!isNormalizedOutboundHeaderList(list, codec)) continue;
    accepted++;
    for (const split of [false, true]) {
      const out = normalizeOutboundHeaders(encodeOutboundHeaders(list, codec), null, split);
      assert.is(out.length, list.length);
      out.forEach((h, j) => assert.ok(h === list[j]));
    }
  }
  assert.ok(accepted > 100);
});

Headers('the outbound fast path leaves to the normaliser what it would change', () => {
  for (const list of [
    [['X-A', 'v']],
    [['x-a', ' v']],
    [['x-a', 'v\r']],
    [['cookie', 'a=b']],
    [['authorization', 'secret']],
    [['connection', 'close']],
    [['x-\u20ac', 'v']],
    [['x-a', '\u20ac']],
    [['x-a', 'v', 'extra']],
    [[new Uint8Array([0x61]), 'v']],
    { 'x-a': 'v' },
  ]) {
    assert.not.ok(isNormalizedOutboundHeaderList(list as never), JSON.stringify(list));
  }
  assert.ok(isNormalizedOutboundHeaderList([[':status', '200'], ['content-type', 'text/plain']]));
  // Under UTF-8 only ASCII goes out as it is; 'é' is two octets.
  assert.ok(isNormalizedOutboundHeaderList([['x-a', 'caf\xe9']]));
  assert.not.ok(isNormalizedOutboundHeaderList([['x-a', 'caf\xe9']], headerCodec('utf-8')));
  assert.not.ok(isNormalizedOutboundHeaderList([['x-\xe9', 'v']], headerCodec('utf-8')));
});

Headers.run();
