/**
 * What the connection reports and emits for ordinary traffic: related events (StreamEnded and
 * PriorityUpdated attached to the header/data events), header encodings, outbound normalization,
 * cookies, padding, error codes, frame sizes and drip-fed input. Ports h2's test_related_events and
 * the remaining test_basic_logic topics.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes, H2Configuration, H2Connection, InvalidBodyLengthError, ProtocolError, StreamIDTooLowError } from '../../src/core';
import type { DataReceived, InformationalResponseReceived, PushedStreamReceived, RequestReceived, ResponseReceived, StreamReset, TrailersReceived } from '../../src/core';
import { E, S, TestPeer } from '../support/peer';
import { REQUEST, RESPONSE, clientPair, expectMalformed, serverPair, throwsError, types } from '../support/h2-connection';
import { concat, latin1 } from '../support/bytes';

const Events = suite('connection events and output');

const PRIORITY = { dependsOn: 0, weight: 8, exclusive: true };

Events('a request with END_STREAM and priority relates both events', () => {
  const { conn, peer } = serverPair();
  const events = conn.receiveData(peer.headers(1, REQUEST, { endStream: true, priority: PRIORITY }));
  assert.equal(types(events), ['RequestReceived', 'StreamEnded', 'PriorityUpdated']);
  const r = events[0] as RequestReceived;
  assert.is(r.streamEnded, events[1]);
  assert.is(r.priorityUpdated, events[2]);
});

Events('a request with only priority relates no StreamEnded', () => {
  const { conn, peer } = serverPair();
  const events = conn.receiveData(peer.headers(1, REQUEST, { priority: PRIORITY }));
  assert.equal(types(events), ['RequestReceived', 'PriorityUpdated']);
  assert.is((events[0] as RequestReceived).streamEnded, null);
  assert.is((events[0] as RequestReceived).priorityUpdated, events[1]);
});

Events('responses relate nothing, StreamEnded, PriorityUpdated or both', () => {
  for (const [endStream, priority] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    const { conn, peer } = clientPair();
    conn.sendHeaders(1, REQUEST, { endStream: true });
    const events = conn.receiveData(peer.headers(1, RESPONSE, { endStream, ...(priority ? { priority: PRIORITY } : {}) }));
    const r = events[0] as ResponseReceived;
    assert.is(r.type, 'ResponseReceived');
    assert.is(r.streamEnded, endStream ? events[1] : null);
    assert.is(r.priorityUpdated, priority ? events[events.length - 1] : null);
    assert.is(events.length, 1 + (endStream ? 1 : 0) + (priority ? 1 : 0));
  }
});

Events('trailers relate StreamEnded, and PriorityUpdated when present', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST, { endStream: true });
  conn.receiveData(peer.headers(1, RESPONSE));
  const events = conn.receiveData(peer.headers(1, [['grpc-status', '0']], { endStream: true, priority: PRIORITY }));
  assert.equal(types(events), ['TrailersReceived', 'StreamEnded', 'PriorityUpdated']);
  const t = events[0] as TrailersReceived;
  assert.is(t.streamEnded, events[1]);
  assert.is(t.priorityUpdated, events[2]);
});

Events('informational responses relate only priority', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST, { endStream: true });
  const plain = conn.receiveData(peer.headers(1, [[':status', '100']]));
  assert.is((plain[0] as InformationalResponseReceived).priorityUpdated, null);
  const events = conn.receiveData(peer.headers(1, [[':status', '103']], { priority: PRIORITY }));
  assert.equal(types(events), ['InformationalResponseReceived', 'PriorityUpdated']);
  assert.is((events[0] as InformationalResponseReceived).priorityUpdated, events[1]);
});

Events('DATA relates StreamEnded only when it ends the stream', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  const plain = conn.receiveData(peer.data(1, 'a'));
  assert.is((plain[0] as DataReceived).streamEnded, null);
  const last = conn.receiveData(peer.data(1, 'b', { endStream: true }));
  assert.equal(types(last), ['DataReceived', 'StreamEnded']);
  assert.is((last[0] as DataReceived).streamEnded, last[1]);
});

Events('headerEncoding can change between header blocks', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST, { endStream: true });
  conn.sendHeaders(3, REQUEST, { endStream: true });
  const headers: [string, string][] = [[':status', '200'], ['x-text', '\xe2\x9c\x93']];
  const raw = conn.receiveData(peer.headers(1, headers))[0] as ResponseReceived;
  assert.equal(raw.headers[1], ['x-text', '\xe2\x9c\x93']);
  conn.config.headerEncoding = 'utf-8';
  const text = conn.receiveData(peer.headers(3, headers))[0] as ResponseReceived;
  assert.equal(text.headers[1], ['x-text', '✓']);
});

Events('outbound header names are lower-cased and connection headers dropped', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, [...REQUEST, ['X-Custom', 'Value'], ['connection', 'keep-alive']]);
  peer.read(conn.dataToSend()).expectHeaders({ headers: [...REQUEST, ['x-custom', 'Value']] }).expectNone();
});

Events('outbound cookies are split only with splitOutboundCookies', () => {
  const cookie: [string, string] = ['cookie', 'a=1; b=2; c=3'];
  const plain = clientPair();
  plain.conn.sendHeaders(1, [...REQUEST, cookie]);
  plain.peer.read(plain.conn.dataToSend()).expectHeaders({ headers: [...REQUEST, cookie] });
  const split = clientPair({ splitOutboundCookies: true });
  split.conn.sendHeaders(1, [...REQUEST, cookie]);
  split.peer.read(split.conn.dataToSend()).expectHeaders({ headers: [...REQUEST, ['cookie', 'a=1'], ['cookie', 'b=2'], ['cookie', 'c=3']] });
});

Events('cookies in a pushed request are joined; without inbound normalization they are not', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST, { endStream: true });
  const pushed: (readonly [string, string])[] = [...REQUEST, ['cookie', 'a=1'], ['cookie', 'b=2']];
  const ev = conn.receiveData(peer.pushPromise(1, 2, pushed))[0] as PushedStreamReceived;
  assert.equal(ev.headers.filter((h) => h[0] === 'cookie').map((h) => [...h]), [['cookie', 'a=1; b=2']]);
  const raw = serverPair({ normalizeInboundHeaders: false });
  const req = raw.conn.receiveData(raw.peer.headers(1, pushed))[0] as RequestReceived;
  assert.equal(req.headers.filter((h) => h[0] === 'cookie').map((h) => [...h]), [['cookie', 'a=1'], ['cookie', 'b=2']]);
});

Events('padLength 0 sets PADDED and costs one window octet', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST);
  conn.sendData(1, latin1('abc'), { padLength: 0 });
  assert.is(conn.localFlowControlWindow(1), 65535 - 4);
  peer.read(conn.dataToSend()).expectHeaders().expectData(1, 'abc', { padLength: 0 }).expectNone();
});

Events('a client cannot reuse a lower stream ID for a new request', () => {
  const { conn } = clientPair();
  conn.sendHeaders(3, REQUEST);
  const err = throwsError(() => conn.sendHeaders(1, REQUEST), StreamIDTooLowError);
  assert.is(err.maxStreamId, 3);
});

Events('a response with no body ends the stream at once', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST, { endStream: true });
  const events = conn.receiveData(peer.headers(1, [[':status', '204']], { endStream: true }));
  assert.equal(types(events), ['ResponseReceived', 'StreamEnded']);
  assert.is(conn.openOutboundStreams, 0);
});

Events('a reset with an unknown error code is reported as that number', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST);
  const ev = conn.receiveData(peer.rstStream(1, 0xfa))[0] as StreamReset;
  assert.is(ev.errorCode, 0xfa);
});

Events('resetStream and closeConnection send any error code, known or not', () => {
  for (const code of [ErrorCodes.NO_ERROR, ErrorCodes.CANCEL, ErrorCodes.HTTP_1_1_REQUIRED, 0xfa]) {
    const { conn, peer } = serverPair();
    conn.receiveData(peer.headers(1, REQUEST));
    conn.resetStream(1, code);
    conn.closeConnection({ errorCode: code, lastStreamId: 1 });
    peer.read(conn.dataToSend()).expectRstStream(1, code).expectGoAway(1, code).expectNone();
  }
});

Events('the peer ending its side of a stream is StreamEnded; we can still respond', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  const events = conn.receiveData(peer.data(1, 'body', { endStream: true }));
  assert.equal(types(events), ['DataReceived', 'StreamEnded']);
  conn.sendHeaders(1, RESPONSE, { endStream: true });
  peer.read(conn.dataToSend()).expectHeaders({ endStream: true }).expectNone();
});

Events('a smaller peer MAX_FRAME_SIZE splits our header blocks into CONTINUATIONs', () => {
  const { conn, peer } = clientPair();
  conn.receiveData(peer.settings({ [S.MAX_FRAME_SIZE]: 16384 }));
  conn.dataToSend();
  const big: (readonly [string, string])[] = [...REQUEST, ['x-big', 'q'.repeat(30000)]];
  conn.sendHeaders(1, big);
  const f = peer.read(conn.dataToSend()).nextHeaders({ streamId: 1 });
  assert.ok((f.continuations ?? 0) >= 1);
  assert.equal(f.headers, big);
});

Events('a larger peer MAX_FRAME_SIZE lets larger DATA frames out, also on open streams', () => {
  const { conn, peer } = clientPair({}, { [S.INITIAL_WINDOW_SIZE]: 100000 });
  conn.sendHeaders(1, REQUEST);
  conn.receiveData(concat(peer.settings({ [S.MAX_FRAME_SIZE]: 32768 }), peer.windowUpdate(0, 100000)));
  assert.is(conn.streams.get(1)!.maxOutboundFrameSize, 32768);
  conn.sendData(1, new Uint8Array(32768));
  assert.ok(peer.read(conn.dataToSend()).drain().some((f) => f.typeName === 'DATA' && f.length === 32768));
});

Events('a server takes the client preface one octet at a time', () => {
  const conn = new H2Connection(new H2Configuration({ clientSide: false }));
  conn.initiateConnection();
  const peer = new TestPeer('client');
  const wire = concat(peer.greeting(), peer.headers(1, REQUEST, { endStream: true }));
  const events = [];
  for (let i = 0; i < wire.length; i++) events.push(...conn.receiveData(wire.subarray(i, i + 1)));
  assert.equal(types(events), ['RemoteSettingsChanged', 'RequestReceived', 'StreamEnded']);
});

Events('unknown frame types of every unassigned code are ignored', () => {
  const { conn, peer } = serverPair();
  for (const type of [0xb, 0xc, 0xf, 0x11, 0x42, 0xff]) {
    const events = conn.receiveData(peer.raw(type, 0, 0, 'x'));
    assert.equal(types(events), ['UnknownFrameReceived'], `type ${type}`);
  }
  assert.is(conn.dataToSend().length, 0);
});

Events('GOAWAY reports the peer debug data and error code', () => {
  const { conn, peer } = clientPair();
  const events = conn.receiveData(peer.goAway(0, E.ENHANCE_YOUR_CALM, 'calm down'));
  assert.equal(types(events), ['ConnectionTerminated']);
});

const HEAD: [string, string][] = [[':method', 'HEAD'], [':path', '/'], [':authority', 'example.com'], [':scheme', 'https']];

Events('a response to HEAD with a content-length may not carry a body: that stream is reset with PROTOCOL_ERROR', () => {
  const pair = clientPair();
  const { conn, peer } = pair;
  conn.sendHeaders(1, HEAD);
  peer.read(conn.dataToSend()).expectHeaders().expectNone();
  conn.receiveData(peer.headers(1, [[':status', '200'], ['content-length', '1']]));
  expectMalformed(pair, conn.receiveData(peer.data(1, '\x01')), 1);
});

Events('duplicate content-length fields that agree are accepted', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, [...REQUEST, ['content-length', '3'], ['content-length', '3']]));
  assert.equal(types(conn.receiveData(peer.data(1, 'abc', { endStream: true }))), ['DataReceived', 'StreamEnded']);
});

Events('duplicate content-length fields that disagree make the request malformed: refused with PROTOCOL_ERROR', () => {
  const pair = serverPair();
  expectMalformed(pair, pair.conn.receiveData(pair.peer.headers(1, [...REQUEST, ['content-length', '3'], ['content-length', '4']])), 1, { reported: false });
});

Events('content-length must be digits only (RFC 9110 §8.6), else the request is refused with PROTOCOL_ERROR', () => {
  for (const value of ['-1', '+1', '1.0', '0x10', 'abc', '']) {
    const pair = serverPair();
    expectMalformed(pair, pair.conn.receiveData(pair.peer.headers(1, [...REQUEST, ['content-length', value]])), 1, { reported: false });
  }
});

Events('an empty END_STREAM DATA before the announced length resets that stream with PROTOCOL_ERROR', () => {
  const pair = serverPair();
  const { conn, peer } = pair;
  conn.receiveData(concat(peer.headers(1, [...REQUEST, ['content-length', '5']]), peer.data(1, 'abc')));
  expectMalformed(pair, conn.receiveData(peer.data(1, '', { endStream: true })), 1);
});

Events('a body that trailers end short of content-length, or a request HEADERS that end it announcing one, is malformed (h2 accepts both)', () => {
  const pair = serverPair();
  const { conn, peer } = pair;
  conn.receiveData(concat(peer.headers(1, [...REQUEST, ['content-length', '5']]), peer.data(1, 'abc')));
  expectMalformed(pair, conn.receiveData(peer.headers(1, [['x-checksum', '1']], { endStream: true })), 1);
  expectMalformed(pair, conn.receiveData(peer.headers(3, [...REQUEST, ['content-length', '5']], { endStream: true })), 3, { reported: false });
  // Trailers that end an exact body pass, whatever content-length they carry themselves.
  conn.receiveData(concat(peer.headers(5, [...REQUEST, ['content-length', '3']]), peer.data(5, 'abc')));
  assert.equal(types(conn.receiveData(peer.headers(5, [['content-length', '9']], { endStream: true }))), ['TrailersReceived', 'StreamEnded']);
  // A response ended by its HEADERS may announce a length (a 304, or the answer to HEAD).
  const client = clientPair();
  client.conn.sendHeaders(1, REQUEST, { endStream: true });
  assert.equal(types(client.conn.receiveData(client.peer.headers(1, [[':status', '304'], ['content-length', '9']], { endStream: true }))), ['ResponseReceived', 'StreamEnded']);
});

Events('a final response whose HEADERS end it announcing a content-length is malformed, unless it has no content (204, 304, an answer to HEAD)', () => {
  // RFC 9113 §8.1.1: content-length must equal the DATA payloads; "A response that is defined to have
  // no content ... MAY have a non-zero content-length" (RFC 9110 §6.4.1: 204, 304, HEAD).
  const pair = clientPair();
  const { conn, peer } = pair;
  conn.sendHeaders(1, REQUEST, { endStream: true });
  conn.sendHeaders(3, REQUEST, { endStream: true });
  conn.sendHeaders(5, [[':method', 'HEAD'], ...REQUEST.slice(1)], { endStream: true });
  conn.dataToSend();
  expectMalformed(pair, conn.receiveData(peer.headers(1, [[':status', '200'], ['content-length', '5']], { endStream: true })), 1);
  assert.equal(types(conn.receiveData(peer.headers(3, [[':status', '204'], ['content-length', '5']], { endStream: true }))), ['ResponseReceived', 'StreamEnded']);
  assert.equal(types(conn.receiveData(peer.headers(5, [[':status', '200'], ['content-length', '5']], { endStream: true }))), ['ResponseReceived', 'StreamEnded']);
});

Events('an informational response after the final one is a malformed response for the client: that stream is reset', () => {
  for (const endStream of [false, true]) {
    const pair = clientPair();
    const { conn, peer } = pair;
    conn.sendHeaders(1, REQUEST, { endStream: true });
    conn.receiveData(peer.headers(1, RESPONSE));
    peer.read(conn.dataToSend()).expectHeaders().expectNone();
    expectMalformed(pair, conn.receiveData(peer.headers(1, [[':status', '100']], { endStream })), 1);
  }
});

Events('several informational responses, then the response and its body, reach the client in order', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST, { endStream: true });
  const events = conn.receiveData(concat(
    peer.headers(1, [[':status', '100']]),
    peer.headers(1, [[':status', '102']]),
    peer.headers(1, [[':status', '103'], ['link', '</a.css>; rel=preload']]),
    peer.headers(1, RESPONSE),
    peer.data(1, 'body', { endStream: true }),
  ));
  assert.equal(types(events), ['InformationalResponseReceived', 'InformationalResponseReceived', 'InformationalResponseReceived', 'ResponseReceived', 'DataReceived', 'StreamEnded']);
});

Events('a server sends informational responses before the final one and trailers after the body', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
  conn.sendHeaders(1, [[':status', '100']]);
  conn.sendHeaders(1, RESPONSE);
  conn.sendData(1, latin1('body'));
  conn.sendHeaders(1, [['grpc-status', '0']], { endStream: true });
  peer.read(conn.dataToSend()).expectHeaders({ headers: [[':status', '100']] }).expectHeaders({ headers: RESPONSE }).expectData(1, 'body').expectHeaders({ endStream: true, headers: [['grpc-status', '0']] }).expectNone();
  assert.is(conn.openInboundStreams, 0);
});

Events('a PRIORITY frame of length 4 resets only its stream (FRAME_SIZE_ERROR, RFC 9113 §6.3): the connection and its other streams go on', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(concat(peer.headers(1, REQUEST), peer.headers(3, REQUEST)));
  conn.dataToSend();
  const events = conn.receiveData(peer.raw(0x2, 0, 1, new Uint8Array(4)));
  assert.equal(types(events), ['StreamReset']);
  const reset = events[0] as StreamReset;
  assert.is(reset.streamId, 1);
  assert.is(reset.errorCode, ErrorCodes.FRAME_SIZE_ERROR);
  assert.is(reset.remoteReset, false);
  peer.read(conn.dataToSend()).expectRstStream(1, E.FRAME_SIZE_ERROR).expectNone();
  // On the closed stream: RST_STREAM again, no event.
  assert.equal(conn.receiveData(peer.raw(0x2, 0, 1, new Uint8Array(6))), []);
  peer.read(conn.dataToSend()).expectRstStream(1, E.FRAME_SIZE_ERROR).expectNone();
  // Stream 3 is untouched.
  assert.equal(types(conn.receiveData(peer.data(3, 'body', { endStream: true }))), ['DataReceived', 'StreamEnded']);
  conn.sendHeaders(3, RESPONSE, { endStream: true });
  peer.read(conn.dataToSend()).expectHeaders({ streamId: 3, endStream: true }).expectNone();
});

Events.run();
