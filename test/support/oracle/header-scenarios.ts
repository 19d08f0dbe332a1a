/**
 * Oracle scenarios for header blocks: every inbound and outbound header rule (RFC 9113 §8.2, §8.3,
 * h2's utilities.py), normalization with each option on and off, and ordinary/extended CONNECT.
 * Part of the hand-written corpus listed by scenarios.ts.
 */
import { E, S } from '../peer';
import { POST, REQ, ROLES, Script, bodyOf, type Scenario, type ScenarioHeader } from './script';

/** A family of scenarios. */
export type Family = () => Scenario[];

/**
 * The last step of a scenario whose message h2 4.4 refuses as malformed (with GOAWAY PROTOCOL_ERROR)
 * and h2flow resets with RST_STREAM PROTOCOL_ERROR (`malformed-stream-error`): a new request is
 * refused unreported; a response (the client knows its stream) yields StreamReset.
 */
export const MALFORMED_REQUEST = { err: null, events: [], frames: [`RST_STREAM:${E.PROTOCOL_ERROR}`] };
/** See {@link MALFORMED_REQUEST}: a malformed response or trailers on a stream the client knows. */
export const MALFORMED_RESPONSE = { err: null, events: ['StreamReset'], frames: [`RST_STREAM:${E.PROTOCOL_ERROR}`] };

/** Extended CONNECT (RFC 8441) and ordinary CONNECT (RFC 9113 §8.5). */
export const connect: Family = () => {
  const out: Scenario[] = [];
  const WS: ScenarioHeader[] = [[':method', 'CONNECT'], [':protocol', 'websocket'], [':scheme', 'https'], [':authority', 'example.com'], [':path', '/chat']];
  const ORDINARY: ScenarioHeader[] = [[':method', 'CONNECT'], [':authority', 'example.com:443']];
  const ORDINARY_WITH_PATH: ScenarioHeader[] = [[':method', 'CONNECT'], [':scheme', 'https'], [':authority', 'example.com:443'], [':path', '/']];
  for (const role of ROLES) {
    const mk = (name: string) => {
      const s = new Script(`connect: ${name} [${role}]`, role).open({ [S.ENABLE_CONNECT_PROTOCOL]: 1 });
      if (role === 'server') s.do('updateSettings', { settings: [[S.ENABLE_CONNECT_PROTOCOL, 1]] }).recv(s.peer.settingsAck());
      return s;
    };
    out.push(mk('extended CONNECT for websocket').request(1, WS, false).respond(1).clientBody(1, 'ping').serverBody(1, 'pong').build());
    out.push(mk('extended CONNECT without :path').request(1, WS.filter(([n]) => n !== ':path'), false).build());
    out.push(mk(':protocol on a GET').request(1, [...REQ.slice(0, 1), [':protocol', 'websocket'], ...REQ.slice(1)], true).build());
    const differ = role === 'server' ? { err: null, events: ['RequestReceived'] } : { err: null, frames: ['HEADERS'] };
    out.push(mk('ordinary CONNECT with :authority only').request(1, ORDINARY, false).differ('ordinary-connect', differ).build());
    out.push(mk('ordinary CONNECT with :scheme and :path').request(1, ORDINARY_WITH_PATH, false).differ('ordinary-connect', role === 'server' ? MALFORMED_REQUEST : { err: 'ProtocolError', frames: [] }).build());
  }
  return out;
};

/** Inbound header rules: each rule on requests (server) and responses/trailers/pushes (client). */
export const inboundHeaderRules: Family = () => {
  const out: Scenario[] = [];
  const req = (extra: ScenarioHeader[], base: ScenarioHeader[] = REQ): ScenarioHeader[] => [...base, ...extra];
  // [name, request headers, difference tag?, 4.4 expectation]
  const requestRules: [string, ScenarioHeader[], string?][] = [
    ['an uppercase name', req([['X-Foo', '1']])],
    ['an empty name', req([['', 'x']])],
    ['te: gzip', req([['te', 'gzip']])],
    ['te: trailers', req([['te', 'trailers']])],
    ['te: Trailers', req([['te', 'Trailers']])],
    ['connection', req([['connection', 'close']])],
    ['keep-alive', req([['keep-alive', '1']])],
    ['proxy-connection', req([['proxy-connection', 'x']])],
    ['transfer-encoding', req([['transfer-encoding', 'chunked']])],
    ['upgrade', req([['upgrade', 'h2c']])],
    ['a duplicated :path', req([[':path', '/again']])],
    ['a pseudo-header after a regular one', [...REQ.slice(0, 3), ['accept', '*/*'], [':path', '/']]],
    ['a custom pseudo-header', [[':foo', 'bar'], ...REQ]],
    ['no :method', REQ.filter(([n]) => n !== ':method')],
    ['no :scheme', REQ.filter(([n]) => n !== ':scheme')],
    ['no :path', REQ.filter(([n]) => n !== ':path')],
    ['an empty :path', REQ.map(([n, v]) => [n, n === ':path' ? '' : v] as ScenarioHeader)],
    [':status in a request', [[':status', '200'], ...REQ]],
    ['no :authority and no host', REQ.filter(([n]) => n !== ':authority')],
    ['host only', [...REQ.filter(([n]) => n !== ':authority'), ['host', 'example.com']]],
    ['host equal to :authority', req([['host', 'example.com']])],
    ['host different from :authority', req([['host', 'other.com']])],
    ['a value with a leading space', req([['x', ' v']])],
    ['a value with a trailing tab', req([['x', 'v\t']])],
    ['an empty value', req([['x', '']])],
    ['a name with a leading space', req([[' x', 'v']])],
    ['a value ending in CR', req([['x', 'v\r']])],
    ['content-length that is not a number', req([['content-length', 'abc']])],
    ['two cookies (joined)', req([['cookie', 'a=1'], ['cookie', 'b=2']])],
    ['one long cookie', req([['cookie', 'session=0123456789abcdefghijkl']])],
    ['a never-indexed field', req([['x-secret', 'v', 1]])],
    ['a value with obs-text', req([['x', 'caf\xe9']])],
  ];
  // Rules h2 4.3+ added or changed; `endStream` false keeps content-length from being checked at END_STREAM.
  const diffRules: [string, ScenarioHeader[], string, boolean][] = [
    ['a NUL in a value', req([['x', 'a\x00b']]), 'illegal-characters', true],
    ['a LF inside a value', req([['x', 'a\nb']]), 'illegal-characters', true],
    ['a CR inside a value', req([['x', 'a\rb']]), 'illegal-characters', true],
    ['a colon inside a name', req([['a:b', 'v']]), 'illegal-characters', true],
    ['DEL in a name', req([['a\x7fb', 'v']]), 'illegal-characters', true],
    ['a control char in a name', req([['a\x01b', 'v']]), 'illegal-characters', true],
    ['a space inside a name', req([['a b', 'v']]), 'illegal-characters', true],
    ['two host headers', req([['host', 'example.com'], ['host', 'example.com']]), 'duplicate-host', true],
    ['content-length +5', req([['content-length', '+5']]), 'content-length-grammar', false],
    ['content-length 5_0', req([['content-length', '5_0']]), 'content-length-grammar', false],
    ['two different content-lengths', req([['content-length', '5'], ['content-length', '6']]), 'content-length-grammar', false],
  ];
  for (const validate of [true, false]) {
    const cfg = validate ? {} : { validateInboundHeaders: false };
    const tag = validate ? '' : ' (inbound validation off)';
    for (const [name, headers] of requestRules) {
      const s = new Script(`inbound headers: request with ${name}${tag} [server]`, 'server');
      s.config = cfg;
      s.open().request(1, headers, true);
      out.push(s.build());
    }
    for (const [name, headers, diff, endStream] of diffRules) {
      const s = new Script(`inbound headers: request with ${name}${tag} [server]`, 'server');
      s.config = cfg;
      s.open().request(1, headers, endStream);
      // With validation off only the content-length rules (checked regardless) still differ.
      if (validate || diff === 'content-length-grammar') s.differ(diff, MALFORMED_REQUEST);
      out.push(s.build());
    }
  }
  // Responses, trailers and pushes received by a client.
  const respRules: [string, ScenarioHeader[]][] = [
    ['no :status', [['server', 'x']]],
    ['a request pseudo-header', [[':status', '200'], [':path', '/']]],
    ['an uppercase name', [[':status', '200'], ['Server', 'x']]],
    ['a connection header', [[':status', '200'], ['connection', 'close']]],
    ['a duplicated :status', [[':status', '200'], [':status', '204']]],
    ['a custom pseudo-header', [[':status', '200'], [':x', '1']]],
    ['te: trailers', [[':status', '200'], ['te', 'trailers']]],
    ['set-cookie fields (not joined)', [[':status', '200'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']]],
  ];
  for (const [name, headers] of respRules) {
    const s = new Script(`inbound headers: response with ${name} [client]`, 'client').open().request(1);
    out.push(s.respond(1, headers, true).build());
  }
  for (const [name, headers] of [
    ['a pseudo-header', [[':status', '200']]],
    ['an uppercase name', [['X-T', '1']]],
    ['an empty name', [['', '1']]],
  ] as [string, ScenarioHeader[]][]) {
    for (const role of ROLES) {
      const s = new Script(`inbound headers: trailers with ${name} [${role}]`, role).open();
      if (role === 'server') out.push(s.request(1, POST, false).request(1, headers, true).build());
      else out.push(s.request(1).respond(1).respond(1, headers, true).build());
    }
  }
  return out;
};

/** Outbound header rules and normalization, with validation/normalization on and off. */
export const outboundHeaderRules: Family = () => {
  const out: Scenario[] = [];
  const requestCases: [string, ScenarioHeader[]][] = [
    ['uppercase names (lower-cased)', [...REQ, ['X-Upper', 'v']]],
    ['surrounding whitespace (stripped)', [...REQ, ['  x-pad ', '  v  ']]],
    ['connection headers (dropped)', [...REQ, ['connection', 'keep-alive'], ['keep-alive', '5'], ['transfer-encoding', 'chunked']]],
    ['te: gzip', [...REQ, ['te', 'gzip']]],
    ['te: trailers', [...REQ, ['te', 'trailers']]],
    ['authorization (never indexed)', [...REQ, ['authorization', 'Bearer abc']]],
    ['proxy-authorization (never indexed)', [...REQ, ['proxy-authorization', 'Basic x']]],
    ['a short cookie (never indexed)', [...REQ, ['cookie', 'a=1']]],
    ['a long cookie (indexed)', [...REQ, ['cookie', 'session=0123456789abcdefghij']]],
    ['a cookie with several pairs', [...REQ, ['cookie', 'a=1; b=2; c=3']]],
    ['a caller never-indexed field', [...REQ, ['x-token', 'v', 1]]],
    ['no :method', REQ.slice(1)],
    ['no :path', REQ.filter(([n]) => n !== ':path')],
    ['an empty :path', REQ.map(([n, v]) => [n, n === ':path' ? '' : v] as ScenarioHeader)],
    ['no :authority but host', [...REQ.filter(([n]) => n !== ':authority'), ['host', 'example.com']]],
    ['neither :authority nor host', REQ.filter(([n]) => n !== ':authority')],
    ['host different from :authority', [...REQ, ['host', 'other']]],
    ['a duplicated pseudo-header', [...REQ, [':method', 'GET']]],
    ['a pseudo-header after a regular one', [...REQ.slice(0, 3), ['accept', '*/*'], [':path', '/']]],
    ['a custom pseudo-header', [[':foo', 'x'], ...REQ]],
    [':status in a request', [[':status', '200'], ...REQ]],
    ['many headers split into CONTINUATIONs', [...REQ, ...Array.from({ length: 40 }, (_, i) => [`x-h${i}`, bodyOf(500, String.fromCharCode(97 + (i % 26)))] as ScenarioHeader)]],
  ];
  const configs: [string, Record<string, unknown>][] = [
    ['', {}],
    [' (no normalization)', { normalizeOutboundHeaders: false }],
    [' (no validation)', { validateOutboundHeaders: false }],
  ];
  for (const [tag, config] of configs) {
    for (const [name, headers] of requestCases) {
      if (tag && name.startsWith('many')) continue;
      const s = new Script(`outbound headers: request with ${name}${tag} [client]`, 'client');
      s.config = config;
      out.push(s.open().request(1, headers, true).build());
    }
  }
  const responseCases: [string, ScenarioHeader[]][] = [
    ['no :status', [['server', 'x']]],
    ['a request pseudo-header', [[':status', '200'], [':path', '/']]],
    ['set-cookie', [[':status', '200'], ['set-cookie', 'id=1; Path=/']]],
    ['uppercase names', [[':status', '200'], ['Server', 'X']]],
    ['a te header', [[':status', '200'], ['te', 'gzip']]],
  ];
  for (const [tag, config] of configs) {
    for (const [name, headers] of responseCases) {
      const s = new Script(`outbound headers: response with ${name}${tag} [server]`, 'server');
      s.config = config;
      out.push(s.open().request(1).respond(1, headers, true).build());
    }
  }
  {
    const s = new Script('outbound headers: trailers with a pseudo-header [server]', 'server').open().request(1).respond(1);
    out.push(s.respond(1, [[':status', '200']], true).build());
  }
  {
    const s = new Script('outbound headers: utf-8 header encoding on events [server]', 'server');
    s.config = { headerEncoding: 'utf-8' };
    out.push(s.open().request(1, [...REQ, ['x-name', 'caf\xc3\xa9']], true).build());
  }
  return out;
};
