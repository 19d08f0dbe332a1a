/**
 * `headerEncoding` both ways (src/core/header-encoding.ts): strings to send are encoded with it
 * (UTF-8 as UTF-8, never a mix of latin-1 and UTF-8), and are ByteStrings without it; an h2flow client
 * and server agreeing on UTF-8 exchange text unchanged.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { H2Configuration, H2Connection, ProtocolError, RequestReceived, ResponseReceived } from '../../src/core';
import type { H2ConfigurationOptions, H2Event, Header } from '../../src/core';
import type { HeaderPair, TestPeer } from '../support/peer';
import { REQUEST, RESPONSE, clientPair, expectMalformed, serverPair, throwsError } from '../support/h2-connection';

const Encoding = suite('header encoding');

/** Moves everything `from` queued into `to`, returning `to`'s events. */
function pump(from: H2Connection, to: H2Connection): H2Event[] {
  return to.receiveData(from.dataToSend());
}

/** An h2flow client and server past the handshake, both with `options`. */
function connected(options: H2ConfigurationOptions): { client: H2Connection; server: H2Connection } {
  const client = new H2Connection(new H2Configuration({ ...options, clientSide: true }));
  const server = new H2Connection(new H2Configuration({ ...options, clientSide: false }));
  client.initiateConnection();
  server.initiateConnection();
  pump(client, server);
  pump(server, client);
  pump(client, server);
  return { client, server };
}

/** The UTF-8 octets of `s` as a ByteString, as a peer decodes them. */
const utf8 = (s: string): string => String.fromCharCode(...new TextEncoder().encode(s));

/** The header fields of the HEADERS frame `conn` queued, as the peer decodes them (ByteStrings). */
function sent(pair: { conn: H2Connection; peer: TestPeer }): HeaderPair[] {
  return pair.peer.read(pair.conn.dataToSend()).nextHeaders().headers!;
}

Encoding("with headerEncoding 'utf-8' every string is sent as UTF-8, whatever its highest char", () => {
  const pair = clientPair({ headerEncoding: 'utf-8' });
  pair.conn.sendHeaders(1, [...REQUEST, ['x-a', 'héllo'], ['x-b', '日本é'], ['x-é', 'v']], { endStream: true });
  assert.equal(sent(pair).slice(4), [['x-a', utf8('héllo')], ['x-b', utf8('日本é')], [utf8('x-é'), 'v']]);
});

Encoding('an h2flow client and server both set to UTF-8 exchange text headers unchanged', () => {
  const { client, server } = connected({ headerEncoding: 'utf-8' });
  const text: Header[] = [['x-latin', 'héllo'], ['x-cjk', '日本é'], ['x-emoji', '\u{1f600}'], ['x-ascii', 'plain']];
  client.sendHeaders(1, [...REQUEST, ...text], { endStream: true });
  const request = pump(client, server).find((e) => e instanceof RequestReceived) as RequestReceived;
  assert.equal(request.headers.slice(4).map((h) => [h[0], h[1]]), text);
  server.sendHeaders(1, [[':status', '200'], ...text], { endStream: true });
  const response = pump(server, client).find((e) => e instanceof ResponseReceived) as ResponseReceived;
  assert.equal(response.headers.slice(1).map((h) => [h[0], h[1]]), text);
});

Encoding('without headerEncoding a string with a char above U+00FF is a TypeError, and nothing is sent', () => {
  for (const field of [['x-a', '日本'], ['x-日', 'v'], ['x-a', 'é\u0100']] as Header[]) {
    for (const headers of [[...REQUEST, field], Object.fromEntries([...REQUEST, field])]) {
      const pair = clientPair();
      const err = throwsError(() => pair.conn.sendHeaders(1, headers, { endStream: true }), TypeError);
      assert.match(err.message, /ByteString/);
      // Nothing queued, and the encoder is untouched: the same stream can still be opened.
      pair.conn.sendHeaders(1, REQUEST, { endStream: true });
      assert.equal(sent(pair), REQUEST);
      assert.is(pair.peer.pending, 0);
    }
  }
});

Encoding('without headerEncoding a ByteString is sent as its octets, one per char', () => {
  const pair = clientPair();
  pair.conn.sendHeaders(1, [...REQUEST, ['x-a', 'h\xe9llo\xff']], { endStream: true });
  assert.equal(sent(pair)[4], ['x-a', 'h\xe9llo\xff']);
});

Encoding('headers delivered with an encoding can be sent back unchanged under it', () => {
  for (const headerEncoding of ['utf-8', 'latin-1', 'ascii', null]) {
    const { client, server } = connected({ headerEncoding });
    const value = headerEncoding === 'utf-8' ? 'caf\xc3\xa9' : 'cafe';
    const { peer, conn } = serverPair({ headerEncoding });
    const received = conn.receiveData(peer.headers(1, [...REQUEST, ['x-echo', value]]))[0] as RequestReceived;
    client.sendHeaders(1, received.headers, { endStream: true });
    const again = pump(client, server).find((e) => e instanceof RequestReceived) as RequestReceived;
    assert.equal(again.headers.map((h) => [h[0], h[1]]), received.headers.map((h) => [h[0], h[1]]), String(headerEncoding));
  }
});

Encoding("with headerEncoding 'ascii' or 'latin-1' a string the encoding cannot hold is a TypeError", () => {
  throwsError(() => clientPair({ headerEncoding: 'ascii' }).conn.sendHeaders(1, [...REQUEST, ['x-a', 'é']]), TypeError);
  throwsError(() => clientPair({ headerEncoding: 'latin-1' }).conn.sendHeaders(1, [...REQUEST, ['x-a', '\u0100']]), TypeError);
  const pair = clientPair({ headerEncoding: 'latin-1' });
  pair.conn.sendHeaders(1, [...REQUEST, ['x-a', 'é']], { endStream: true });
  assert.equal(sent(pair)[4], ['x-a', '\xe9']);
});

Encoding('a PUSH_PROMISE whose headers the encoding cannot send is a TypeError that leaves the parent stream open', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
  throwsError(() => conn.pushStream(1, 2, [[':method', 'GET'], [':path', '/日本'], [':authority', 'example.com'], [':scheme', 'https']]), TypeError);
  conn.sendHeaders(1, [[':status', '200']], { endStream: true });
  assert.ok(conn.dataToSend().length > 0);
});

Encoding('an encoding the core cannot apply is refused when configured, not when the first header block arrives', () => {
  throwsError(() => new H2Configuration({ headerEncoding: 'utf-16' }), RangeError);
  const config = new H2Configuration();
  throwsError(() => {
    config.headerEncoding = 'koi8-r';
  }, RangeError);
  assert.is(config.headerEncoding, null);
  assert.is(new H2Configuration({ headerEncoding: 'UTF-8' }).headerEncoding, 'UTF-8');
  // '' means no encoding, as in h2 (a falsy header_encoding).
  const { conn, peer } = serverPair({ headerEncoding: '' });
  const ev = conn.receiveData(peer.headers(1, [...REQUEST, ['x-a', '\xc3\xa9']]))[0] as RequestReceived;
  assert.equal(ev.headers[4], ['x-a', '\xc3\xa9']);
});

Encoding('received octets that are not valid in the encoding make the message malformed: that stream is refused with PROTOCOL_ERROR', () => {
  const pair = serverPair({ headerEncoding: 'utf-8' });
  expectMalformed(pair, pair.conn.receiveData(pair.peer.headers(1, [...REQUEST, ['x-a', '\xff']])), 1, { reported: false });
  const client = clientPair({ headerEncoding: 'utf-8' });
  client.conn.sendHeaders(1, REQUEST, { endStream: true });
  client.peer.read(client.conn.dataToSend()).expectHeaders().expectNone();
  expectMalformed(client, client.conn.receiveData(client.peer.headers(1, [...RESPONSE, ['x-a', '\xc3']])), 1);
});

Encoding.run();
