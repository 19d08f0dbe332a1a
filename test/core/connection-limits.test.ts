/**
 * The connection's resource limits (config.ts, limits.ts): advertised defaults, refused streams,
 * the reset / empty-frame / priority budgets, queued control frames, SETTINGS size, the closed-stream
 * memory, header-block limits and the outbound high-water mark. The attack-sized versions live in the
 * attack tests; these check each limit's boundary.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionState, DenialOfServiceError, ErrorCodes, H2Configuration, H2Connection, ProtocolError, StreamIDTooLowError } from '../../src/core';
import type { RequestReceived, StreamReset } from '../../src/core';
import { E, S, TestPeer } from '../support/peer';
import { REQUEST, RESPONSE, clientPair, serverPair, throwsError, types } from '../support/h2-connection';
import { concat } from '../support/bytes';

const Limits = suite('connection limits');

Limits('a server advertises MAX_CONCURRENT_STREAMS 100 and MAX_HEADER_LIST_SIZE 65536 by default', () => {
  const conn = new H2Connection(new H2Configuration({ clientSide: false }));
  conn.initiateConnection();
  new TestPeer('client').read(conn.dataToSend()).expectSettings({ [S.MAX_CONCURRENT_STREAMS]: 100, [S.MAX_HEADER_LIST_SIZE]: 65536 }).expectNone();
});

Limits('a server refuses a stream past MAX_CONCURRENT_STREAMS with REFUSED_STREAM and stays usable', () => {
  const { conn, peer } = serverPair({ maxConcurrentStreams: 2 });
  conn.receiveData(concat(peer.headers(1, REQUEST), peer.headers(3, REQUEST)));
  const events = conn.receiveData(peer.headers(5, REQUEST));
  assert.equal(events, []);
  peer.read(conn.dataToSend()).expectRstStream(5, E.REFUSED_STREAM).expectNone();
  assert.is(conn.openInboundStreams, 2);
  assert.is(conn.highestInboundStreamId, 5);
  // The refused stream's body in flight: RST_STREAM STREAM_CLOSED, and the connection window is credited.
  conn.receiveData(peer.data(5, new Uint8Array(16384)));
  conn.receiveData(peer.data(5, new Uint8Array(16384)));
  peer.read(conn.dataToSend()).expectRstStream(5, E.STREAM_CLOSED).expectWindowUpdate(0, 32768).expectRstStream(5, E.STREAM_CLOSED).expectNone();
  // A freed slot admits the next stream.
  conn.sendHeaders(1, RESPONSE, { endStream: true });
  conn.receiveData(peer.data(1, '', { endStream: true }));
  assert.equal(types(conn.receiveData(peer.headers(7, REQUEST))), ['RequestReceived']);
  conn.dataToSend();
  // Trailers on the refused stream: it counts as reset by us, so a stream error.
  conn.receiveData(peer.headers(5, [['x-trailer', '1']], { endStream: true }));
  peer.read(conn.dataToSend()).expectRstStream(5, E.STREAM_CLOSED).expectNone();
});

Limits('the peer resetting its own streams exhausts maxResetStreams: GOAWAY ENHANCE_YOUR_CALM', () => {
  const { conn, peer } = serverPair({ maxResetStreams: 10 });
  for (let i = 0; i < 10; i++) {
    const id = 2 * i + 1;
    conn.receiveData(concat(peer.headers(id, REQUEST, { endStream: true }), peer.rstStream(id, E.CANCEL)));
  }
  conn.dataToSend();
  const err = throwsError(() => conn.receiveData(concat(peer.headers(21, REQUEST, { endStream: true }), peer.rstStream(21, E.CANCEL))), DenialOfServiceError);
  assert.is(err.errorCode, ErrorCodes.ENHANCE_YOUR_CALM);
  assert.equal(types(err.events), ['RequestReceived', 'StreamEnded']);
  peer.read(conn.dataToSend()).expectGoAway(21, E.ENHANCE_YOUR_CALM).expectNone();
});

Limits('a body in flight on streams we reset spends no reset budget: refused uploads do not end the connection', () => {
  const { conn, peer } = serverPair({ maxResetStreams: 5, maxConcurrentStreams: 1 });
  conn.receiveData(peer.headers(1, REQUEST)); // holds the one slot
  conn.dataToSend();
  // Twenty uploads refused (REFUSED_STREAM spends one token each: five would end the connection)...
  // ...are too many for a budget of 5, so only their bodies are tested here: two refused streams, each
  // followed by a window's worth of DATA frames (64 × 1 KiB) that were in flight.
  for (const id of [3, 5]) {
    conn.receiveData(peer.headers(id, REQUEST));
    for (let i = 0; i < 64; i++) conn.receiveData(peer.data(id, new Uint8Array(1024)));
  }
  assert.is.not(conn.state, ConnectionState.CLOSED);
  const frames = peer.read(conn.dataToSend()).drain();
  assert.equal(frames.filter((f) => f.typeName === 'GOAWAY'), []);
  assert.is(frames.filter((f) => f.typeName === 'RST_STREAM').length, 2 + 128, 'each refusal, then STREAM_CLOSED per frame (as h2)');
  // Budget left: 5 − 2 refusals. Three more refusals are absorbed, a fourth is not.
  for (const id of [7, 9, 11]) conn.receiveData(peer.headers(id, REQUEST));
  throwsError(() => conn.receiveData(peer.headers(13, REQUEST)), DenialOfServiceError);
});

Limits('DATA on a stream the peer reset still spends the reset budget', () => {
  const { conn, peer } = serverPair({ maxResetStreams: 3 });
  conn.receiveData(concat(peer.headers(1, REQUEST), peer.rstStream(1, E.CANCEL)));
  conn.dataToSend();
  conn.receiveData(peer.data(1, new Uint8Array(10)));
  conn.receiveData(peer.data(1, new Uint8Array(10)));
  throwsError(() => conn.receiveData(peer.data(1, new Uint8Array(10))), DenialOfServiceError);
});

Limits('streams that complete give reset budget back, so a busy honest client never trips it', () => {
  const { conn, peer } = serverPair({ maxResetStreams: 3 });
  let id = 1;
  for (let round = 0; round < 50; round++) {
    conn.receiveData(concat(peer.headers(id, REQUEST, { endStream: true }), peer.rstStream(id, E.CANCEL)));
    id += 2;
    conn.receiveData(peer.headers(id, REQUEST, { endStream: true }));
    conn.sendHeaders(id, RESPONSE, { endStream: true });
    id += 2;
  }
  // 50 resets against a budget of 3: only the 50 completed streams giving tokens back keep it open.
  assert.is.not(conn.state, ConnectionState.CLOSED);
  const frames = peer.read(conn.dataToSend()).drain();
  assert.equal(frames.filter((f) => f.typeName === 'GOAWAY'), []);
  assert.is(frames.filter((f) => f.typeName === 'HEADERS').length, 50);
  // The budget is still there: three more resets are absorbed, the next one is not.
  for (let i = 0; i < 3; i++, id += 2) conn.receiveData(concat(peer.headers(id, REQUEST, { endStream: true }), peer.rstStream(id, E.CANCEL)));
  throwsError(() => conn.receiveData(concat(peer.headers(id, REQUEST, { endStream: true }), peer.rstStream(id, E.CANCEL))), DenialOfServiceError);
});

Limits('resets the peer makes us send spend the same budget (MadeYouReset)', () => {
  const { conn, peer } = serverPair({ maxResetStreams: 5 });
  for (let i = 0; i < 5; i++) {
    const id = 2 * i + 1;
    conn.receiveData(concat(peer.headers(id, REQUEST, { endStream: true }), peer.data(id, 'x')));
  }
  conn.dataToSend();
  throwsError(() => conn.receiveData(concat(peer.headers(11, REQUEST, { endStream: true }), peer.windowUpdate(11, 0))), DenialOfServiceError);
  peer.read(conn.dataToSend()).expectGoAway(11, E.ENHANCE_YOUR_CALM).expectNone();
});

Limits('more queued control frames than maxQueuedControlFrames drops the output and sends GOAWAY ENHANCE_YOUR_CALM', () => {
  const { conn, peer } = serverPair({ maxQueuedControlFrames: 5 });
  conn.receiveData(concat(...Array.from({ length: 5 }, () => peer.ping())));
  const err = throwsError(() => conn.receiveData(peer.ping()), DenialOfServiceError);
  assert.is(err.errorCode, ErrorCodes.ENHANCE_YOUR_CALM);
  peer.read(conn.dataToSend()).expectGoAway(0, E.ENHANCE_YOUR_CALM).expectNone();
});

Limits('control frames taken by dataToSend no longer count, even when taken in part', () => {
  const { conn, peer } = serverPair({ maxQueuedControlFrames: 2 });
  for (let i = 0; i < 100; i++) {
    conn.receiveData(concat(peer.ping(), peer.settings()));
    conn.dataToSend();
  }
  conn.receiveData(concat(peer.ping(), peer.ping()));
  conn.dataToSend(17);
  conn.receiveData(peer.ping());
  throwsError(() => conn.receiveData(peer.ping()), DenialOfServiceError);
});

Limits('empty DATA frames without END_STREAM exhaust maxEmptyFrames: GOAWAY ENHANCE_YOUR_CALM', () => {
  const { conn, peer } = serverPair({ maxEmptyFrames: 3 });
  conn.receiveData(peer.headers(1, REQUEST));
  conn.receiveData(concat(peer.data(1, ''), peer.data(1, ''), peer.data(1, '')));
  throwsError(() => conn.receiveData(peer.data(1, '')), DenialOfServiceError);
  peer.read(conn.dataToSend()).expectGoAway(1, E.ENHANCE_YOUR_CALM).expectNone();
  const ok = serverPair({ maxEmptyFrames: 1 });
  ok.conn.receiveData(concat(ok.peer.headers(1, REQUEST), ok.peer.data(1, 'x'), ok.peer.data(1, '', { endStream: true })));
  ok.conn.receiveData(concat(ok.peer.headers(3, REQUEST), ok.peer.data(3, '', { endStream: true })));
});

Limits('empty header blocks without END_STREAM spend the same budget', () => {
  const { conn, peer } = serverPair({ maxEmptyFrames: 2, validateInboundHeaders: false });
  conn.receiveData(concat(peer.headersRaw(1, new Uint8Array(0)), peer.headersRaw(3, new Uint8Array(0))));
  throwsError(() => conn.receiveData(peer.headersRaw(5, new Uint8Array(0))), DenialOfServiceError);
  peer.read(conn.dataToSend()).expectGoAway(3, E.ENHANCE_YOUR_CALM).expectNone();
});

Limits('PRIORITY and PRIORITY_UPDATE frames exhaust maxPriorityFrames: GOAWAY ENHANCE_YOUR_CALM', () => {
  const { conn, peer } = serverPair({ maxPriorityFrames: 3 });
  conn.receiveData(concat(peer.priority(1), peer.priority(3), peer.priorityUpdate(1, 'u=1')));
  throwsError(() => conn.receiveData(peer.priority(5)), DenialOfServiceError);
  peer.read(conn.dataToSend()).expectGoAway(0, E.ENHANCE_YOUR_CALM).expectNone();
});

Limits('a SETTINGS frame with more than maxSettingsEntries entries is ENHANCE_YOUR_CALM', () => {
  const entries = (n: number): [number, number][] => Array.from({ length: n }, (_, i) => [0x100 + i, i] as [number, number]);
  const ok = serverPair();
  ok.conn.receiveData(ok.peer.settings(entries(32)));
  const { conn, peer } = serverPair();
  throwsError(() => conn.receiveData(peer.settings(entries(33))), DenialOfServiceError);
  peer.read(conn.dataToSend()).expectGoAway(0, E.ENHANCE_YOUR_CALM).expectNone();
});

Limits('outboundBufferFull turns true at outboundBufferSize and false once drained', () => {
  const { conn, peer } = serverPair({ outboundBufferSize: 1000 }, { [S.INITIAL_WINDOW_SIZE]: 100000 });
  conn.receiveData(peer.headers(1, REQUEST));
  conn.sendHeaders(1, RESPONSE);
  conn.sendData(1, new Uint8Array(900));
  assert.not.ok(conn.outboundBufferFull);
  conn.sendData(1, new Uint8Array(200));
  assert.ok(conn.outboundBufferFull);
  assert.ok(conn.bufferedAmount >= 1000);
  conn.dataToSend(500);
  assert.not.ok(conn.outboundBufferFull);
});

Limits('closed-stream memory is bounded by maxClosedStreams, oldest forgotten first', () => {
  const { conn, peer } = serverPair({ maxClosedStreams: 1 });
  conn.receiveData(concat(peer.headers(1, REQUEST), peer.headers(3, REQUEST)));
  conn.resetStream(1);
  conn.resetStream(3);
  assert.is(conn.openInboundStreams, 0);
  assert.is(conn.streams.size, 0);
  conn.dataToSend();
  // Stream 3 is remembered as reset by us: late trailers are a stream error.
  conn.receiveData(peer.headers(3, [['x-trailer', '1']], { endStream: true }));
  peer.read(conn.dataToSend()).expectRstStream(3, E.STREAM_CLOSED).expectNone();
  // Stream 1 was forgotten: late trailers can no longer be told from a violation.
  throwsError(() => conn.receiveData(peer.headers(1, [['x-trailer', '1']], { endStream: true })), StreamIDTooLowError);
});

Limits('a smaller maxHeaderListSize is advertised and enforced: the request past it is refused, the others go on', () => {
  const { conn, peer } = serverPair({ maxHeaderListSize: 200 });
  conn.receiveData(peer.headers(1, REQUEST));
  assert.equal(conn.receiveData(peer.headers(3, [...REQUEST, ['x-long', 'y'.repeat(100)]])), []);
  peer.read(conn.dataToSend()).expectRstStream(3, E.ENHANCE_YOUR_CALM).expectNone();
  assert.is(conn.openInboundStreams, 1);
  assert.equal(types(conn.receiveData(peer.data(1, 'body', { endStream: true }))), ['DataReceived', 'StreamEnded']);
});

Limits('a block past maxHeaderListSize keeps HPACK in sync: entries it adds are usable by the next block', () => {
  const { conn, peer } = serverPair({ maxHeaderListSize: 300 });
  // The peer's encoder indexes x-a (small) and x-b (past the limit) in the refused block.
  assert.equal(conn.receiveData(peer.headers(1, [...REQUEST, ['x-a', 'kept'], ['x-b', 'z'.repeat(400)]], { endStream: true })), []);
  peer.read(conn.dataToSend()).expectRstStream(1, E.ENHANCE_YOUR_CALM).expectNone();
  // The next block refers to x-a by index: decoded correctly only if the table followed.
  const events = conn.receiveData(peer.headers(3, [...REQUEST, ['x-a', 'kept']], { endStream: true }));
  assert.equal(types(events), ['RequestReceived', 'StreamEnded']);
  assert.equal((events[0] as RequestReceived).headers.slice(-1), [['x-a', 'kept']]);
  assert.ok(conn.decoder.headerTable.length >= 1);
});

Limits('a server with oversizedRequestStatus answers a request past the limits with that status and serves the next', () => {
  const { conn, peer } = serverPair({ maxHeaderListSize: 200, maxHeaderFields: 10, oversizedRequestStatus: 431 });
  conn.receiveData(peer.headers(1, REQUEST));
  // Ended request: a bodiless 431 with END_STREAM.
  assert.equal(conn.receiveData(peer.headers(3, [...REQUEST, ['cookie', 'c'.repeat(300)]], { endStream: true })), []);
  peer.read(conn.dataToSend()).expectHeaders({ streamId: 3, endStream: true, headers: [[':status', '431']] }).expectNone();
  // A request still sending its body: 431, then RST_STREAM NO_ERROR (RFC 9113 §8.1); too many fields count too.
  assert.equal(conn.receiveData(peer.headers(5, [...REQUEST, ...fields(11 - REQUEST.length)])), []);
  peer.read(conn.dataToSend()).expectHeaders({ streamId: 5, endStream: true, headers: [[':status', '431']] }).expectRstStream(5, E.NO_ERROR).expectNone();
  // Its body in flight is answered as for any stream we reset.
  conn.receiveData(peer.data(5, 'x'));
  peer.read(conn.dataToSend()).expectRstStream(5, E.STREAM_CLOSED).expectNone();
  assert.is(conn.openInboundStreams, 1);
  assert.equal(types(conn.receiveData(peer.data(1, '', { endStream: true }))), ['DataReceived', 'StreamEnded']);
  assert.equal(types(conn.receiveData(peer.headers(7, REQUEST, { endStream: true }))), ['RequestReceived', 'StreamEnded']);
});

Limits('a peer sending only oversized requests spends the reset budget: GOAWAY ENHANCE_YOUR_CALM', () => {
  for (const oversizedRequestStatus of [null, 431]) {
    const { conn, peer } = serverPair({ maxHeaderListSize: 200, maxResetStreams: 5, oversizedRequestStatus });
    for (let i = 0; i < 5; i++) conn.receiveData(peer.headers(2 * i + 1, [...REQUEST, ['x-long', 'y'.repeat(300)]], { endStream: true }));
    conn.dataToSend();
    throwsError(() => conn.receiveData(peer.headers(11, [...REQUEST, ['x-long', 'y'.repeat(300)]], { endStream: true })), DenialOfServiceError);
    peer.read(conn.dataToSend()).expectGoAway(undefined, E.ENHANCE_YOUR_CALM).expectNone();
  }
});

Limits('trailers, responses and promised requests past maxHeaderListSize are stream errors', () => {
  {
    const { conn, peer } = serverPair({ maxHeaderListSize: 200 });
    conn.receiveData(peer.headers(1, REQUEST));
    const events = conn.receiveData(peer.headers(1, [['x-trailer', 't'.repeat(300)]], { endStream: true }));
    assert.equal(types(events), ['StreamReset']);
    peer.read(conn.dataToSend()).expectRstStream(1, E.ENHANCE_YOUR_CALM).expectNone();
  }
  {
    const { conn, peer } = clientPair({ maxHeaderListSize: 200 });
    conn.sendHeaders(1, REQUEST, { endStream: true });
    conn.sendHeaders(3, REQUEST, { endStream: true });
    conn.dataToSend();
    assert.equal(types(conn.receiveData(peer.pushPromise(1, 2, [...REQUEST, ['x-p', 'p'.repeat(300)]]))), []);
    peer.read(conn.dataToSend()).expectRstStream(2, E.ENHANCE_YOUR_CALM).expectNone();
    assert.equal(types(conn.receiveData(peer.headers(1, [...RESPONSE, ['x-r', 'r'.repeat(300)]]))), ['StreamReset']);
    peer.read(conn.dataToSend()).expectRstStream(1, E.ENHANCE_YOUR_CALM).expectNone();
    assert.equal(types(conn.receiveData(peer.headers(3, RESPONSE, { endStream: true }))), ['ResponseReceived', 'StreamEnded']);
  }
});

Limits('a header block spanning more than maxContinuationFrames frames is a connection error', () => {
  const ok = serverPair({ maxContinuationFrames: 4 });
  assert.equal(types(ok.conn.receiveData(ok.peer.headers(1, REQUEST, { fragments: 4 }))), ['RequestReceived']);
  const { conn, peer } = serverPair({ maxContinuationFrames: 4 });
  throwsError(() => conn.receiveData(peer.headers(1, REQUEST, { fragments: 5 })), ProtocolError);
  const frames = peer.read(conn.dataToSend()).drain();
  assert.equal(frames.map((f) => f.typeName), ['GOAWAY']);
});

Limits('a header block larger than maxHeaderBlockSize is a connection error before it is decoded', () => {
  const { conn, peer } = serverPair({ maxHeaderBlockSize: 100 });
  const block = peer.headerBlock([...REQUEST, ['x-pad', 'z'.repeat(200)]], { huffman: false });
  throwsError(() => conn.receiveData(concat(peer.headersRaw(1, block.subarray(0, 60), { endHeaders: false }), peer.continuation(1, block.subarray(60)))), ProtocolError);
});

Limits('a client refuses pushes past MAX_CONCURRENT_STREAMS reserved streams', () => {
  const { conn, peer } = clientPair({ maxConcurrentStreams: 2 });
  conn.sendHeaders(1, REQUEST, { endStream: true });
  conn.dataToSend();
  const events = conn.receiveData(concat(peer.pushPromise(1, 2, REQUEST), peer.pushPromise(1, 4, REQUEST), peer.pushPromise(1, 6, REQUEST)));
  assert.equal(types(events), ['PushedStreamReceived', 'PushedStreamReceived']);
  peer.read(conn.dataToSend()).expectRstStream(6, E.REFUSED_STREAM).expectNone();
  // Once a reserved stream is answered and done, a new push fits again.
  conn.receiveData(peer.headers(2, RESPONSE, { endStream: true }));
  assert.equal(types(conn.receiveData(peer.pushPromise(1, 8, REQUEST))), ['PushedStreamReceived']);
  // The refused stream's response is answered with RST_STREAM, not a connection error.
  conn.receiveData(peer.headers(6, RESPONSE, { endStream: true }));
  peer.read(conn.dataToSend()).expectRstStream(6, E.STREAM_CLOSED).expectNone();
});

/** `n` fields `x-f-<i>: v` (indexed by the peer's encoder after the first use, so tiny on the wire). */
function fields(n: number): [string, string][] {
  return Array.from({ length: n }, (_, i) => [`x-f-${i % 8}`, 'v'] as [string, string]);
}

Limits('a request with maxHeaderFields fields is accepted; one more field is RST_STREAM ENHANCE_YOUR_CALM', () => {
  const { conn, peer } = serverPair({ maxHeaderFields: 10 });
  assert.equal(types(conn.receiveData(peer.headers(1, [...REQUEST, ...fields(10 - REQUEST.length)], { endStream: true }))), ['RequestReceived', 'StreamEnded']);
  assert.equal(conn.receiveData(peer.headers(3, [...REQUEST, ...fields(11 - REQUEST.length)], { endStream: true })), []);
  peer.read(conn.dataToSend()).expectRstStream(3, E.ENHANCE_YOUR_CALM).expectNone();
  assert.not.ok(conn.streams.has(3));
  // The refused stream counts as reset by us: its DATA in flight is a stream error, not a connection error.
  conn.receiveData(peer.data(3, 'x'));
  peer.read(conn.dataToSend()).expectRstStream(3, E.STREAM_CLOSED).expectNone();
  assert.equal(types(conn.receiveData(peer.headers(5, REQUEST, { endStream: true }))), ['RequestReceived', 'StreamEnded']);
});

Limits('trailers past maxHeaderFields reset the open stream with ENHANCE_YOUR_CALM and report it', () => {
  const { conn, peer } = serverPair({ maxHeaderFields: 10 });
  conn.receiveData(peer.headers(1, REQUEST));
  const events = conn.receiveData(peer.headers(1, fields(11), { endStream: true }));
  assert.equal(types(events), ['StreamReset']);
  assert.is((events[0] as StreamReset).errorCode, ErrorCodes.ENHANCE_YOUR_CALM);
  assert.not.ok((events[0] as StreamReset).remoteReset);
  peer.read(conn.dataToSend()).expectRstStream(1, E.ENHANCE_YOUR_CALM).expectNone();
  assert.is(conn.openInboundStreams, 0);
});

Limits('a client resets a response past maxHeaderFields, and refuses a push promising one', () => {
  const { conn, peer } = clientPair({ maxHeaderFields: 10 });
  conn.sendHeaders(1, REQUEST, { endStream: true });
  conn.dataToSend();
  assert.equal(types(conn.receiveData(peer.pushPromise(1, 2, [...REQUEST, ...fields(7)]))), []);
  peer.read(conn.dataToSend()).expectRstStream(2, E.ENHANCE_YOUR_CALM).expectNone();
  const events = conn.receiveData(peer.headers(1, [...RESPONSE, ...fields(10)]));
  assert.equal(types(events), ['StreamReset']);
  peer.read(conn.dataToSend()).expectRstStream(1, E.ENHANCE_YOUR_CALM).expectNone();
});

Limits('a client resets a pushed response past maxHeaderFields', () => {
  const { conn, peer } = clientPair({ maxHeaderFields: 10 });
  conn.sendHeaders(1, REQUEST);
  conn.dataToSend();
  assert.equal(types(conn.receiveData(peer.pushPromise(1, 2, REQUEST))), ['PushedStreamReceived']);
  assert.equal(types(conn.receiveData(peer.headers(2, [...RESPONSE, ...fields(10)]))), ['StreamReset']);
  peer.read(conn.dataToSend()).expectRstStream(2, E.ENHANCE_YOUR_CALM).expectNone();
  assert.equal(types(conn.receiveData(peer.headers(1, RESPONSE, { endStream: true }))), ['ResponseReceived', 'StreamEnded']);
});

Limits('frames of unknown type exhaust maxUnknownFrames: GOAWAY ENHANCE_YOUR_CALM; completed streams give budget back', () => {
  const { conn, peer } = serverPair({ maxUnknownFrames: 3 });
  assert.equal(types(conn.receiveData(concat(peer.raw(0xfa, 0, 0, 'a'), peer.raw(0xfb, 0, 1, 'b')))), ['UnknownFrameReceived', 'UnknownFrameReceived']);
  conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
  conn.sendHeaders(1, RESPONSE, { endStream: true });
  conn.dataToSend();
  assert.equal(types(conn.receiveData(concat(peer.raw(0xfa, 0, 0), peer.raw(0xfa, 0, 0)))), ['UnknownFrameReceived', 'UnknownFrameReceived']);
  const err = throwsError(() => conn.receiveData(peer.raw(0xfa, 0, 0)), DenialOfServiceError);
  assert.is(err.errorCode, ErrorCodes.ENHANCE_YOUR_CALM);
  peer.read(conn.dataToSend()).expectGoAway(1, E.ENHANCE_YOUR_CALM).expectNone();
});

Limits('ALTSVC frames sent to a server spend maxUnknownFrames; a client receives them freely', () => {
  const { conn, peer } = serverPair({ maxUnknownFrames: 2 });
  conn.receiveData(peer.headers(1, REQUEST));
  conn.receiveData(concat(peer.altSvc(0, 'https://example.com', 'h2=":443"'), peer.altSvc(1, '', 'h2=":443"')));
  throwsError(() => conn.receiveData(peer.altSvc(0, 'https://example.com', 'h2=":443"')), DenialOfServiceError);
  const client = clientPair({ maxUnknownFrames: 2 });
  for (let i = 0; i < 5; i++) {
    assert.equal(types(client.conn.receiveData(client.peer.altSvc(0, 'https://example.com', 'h2=":443"'))), ['AlternativeServiceAvailable']);
  }
});

Limits.run();
