/**
 * Extensions and priority: ALTSVC (RFC 7838) both ways, extended CONNECT (RFC 8441), RFC 7540
 * priority (PRIORITY frames and HEADERS priority), PRIORITY_UPDATE (RFC 9218) and unknown frames.
 * Ports h2's test_rfc7838, test_rfc8441 and test_priority topics.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AlternativeServiceAvailable,
  H2Configuration,
  H2Connection,
  NoSuchStreamError,
  PriorityUpdated,
  ProtocolError,
  RFC1122Error,
  RequestReceived,
  StreamClosedError,
  UnknownFrameReceived,
} from '../../src/core';
import { PriorityUpdateFrame } from '../../src/frame';
import { E, S } from '../support/peer';
import { REQUEST, RESPONSE, clientPair, serverPair, throwsError, types } from '../support/h2-connection';
import { concat, fromLatin1, latin1 } from '../support/bytes';

const Ext = suite('connection extensions and priority');

Ext('a client reports ALTSVC on stream 0 with its origin', () => {
  const { conn, peer } = clientPair();
  const events = conn.receiveData(peer.altSvc(0, 'example.com', 'h2=":8000"; ma=60'));
  assert.equal(types(events), ['AlternativeServiceAvailable']);
  const ev = events[0] as AlternativeServiceAvailable;
  assert.is(fromLatin1(ev.origin), 'example.com');
  assert.is(fromLatin1(ev.fieldValue), 'h2=":8000"; ma=60');
  assert.is(conn.dataToSend().length, 0);
});

Ext('ALTSVC on stream 0 without an origin is ignored', () => {
  const { conn, peer } = clientPair();
  assert.equal(conn.receiveData(peer.altSvc(0, '', 'h2=":8000"')), []);
});

Ext('ALTSVC on an open stream takes its origin from the request authority', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST, { endStream: true });
  const ev = conn.receiveData(peer.altSvc(1, '', 'h2=":8000"'))[0] as AlternativeServiceAvailable;
  assert.is(fromLatin1(ev.origin), 'example.com');
});

Ext('ALTSVC on a stream is ignored with an origin, on idle or closed streams, and after the response', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST, { endStream: true });
  conn.dataToSend();
  assert.equal(conn.receiveData(peer.altSvc(1, 'other.com', 'h2=":8000"')), []);
  assert.equal(conn.receiveData(peer.altSvc(3, '', 'h2=":8000"')), []);
  conn.receiveData(peer.headers(1, RESPONSE));
  assert.equal(conn.receiveData(peer.altSvc(1, '', 'h2=":8000"')), []);
  conn.receiveData(peer.data(1, '', { endStream: true }));
  assert.equal(conn.receiveData(peer.altSvc(1, '', 'h2=":8000"')), []);
  assert.is(conn.dataToSend().length, 0);
});

Ext('a server ignores ALTSVC it receives', () => {
  const { conn, peer } = serverPair();
  assert.equal(conn.receiveData(peer.altSvc(0, 'example.com', 'h2=":8000"')), []);
  conn.receiveData(peer.headers(1, REQUEST));
  assert.equal(conn.receiveData(peer.altSvc(1, '', 'h2=":8000"')), []);
});

Ext('a server advertises an alternative service explicitly on stream 0', () => {
  const { conn, peer } = serverPair();
  conn.advertiseAlternativeService(latin1('h2=":8000"'), { origin: 'example.com' });
  peer.read(conn.dataToSend()).expectAltSvc(0, 'example.com', 'h2=":8000"').expectNone();
});

Ext('a server advertises implicitly on a request stream before its response, not after', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
  conn.advertiseAlternativeService('h2=":8000"', { streamId: 1 });
  peer.read(conn.dataToSend()).expectAltSvc(1, '', 'h2=":8000"').expectNone();
  conn.sendHeaders(1, RESPONSE);
  throwsError(() => conn.advertiseAlternativeService('h2=":8000"', { streamId: 1 }), ProtocolError);
  throwsError(() => conn.advertiseAlternativeService('h2=":8000"', { streamId: 3 }), NoSuchStreamError);
  throwsError(() => conn.advertiseAlternativeService('h2=":8000"'), NoSuchStreamError);
});

Ext('advertising takes an origin or a stream, not both, and octet strings only', () => {
  const { conn } = serverPair();
  throwsError(() => conn.advertiseAlternativeService('h2=":8000"', { origin: 'example.com', streamId: 1 }), TypeError);
  throwsError(() => conn.advertiseAlternativeService('h2="\u0100"', { origin: 'example.com' }), TypeError);
});

Ext('a client cannot advertise an alternative service', () => {
  const { conn } = clientPair();
  conn.sendHeaders(1, REQUEST);
  throwsError(() => conn.advertiseAlternativeService('h2=":8000"', { origin: 'example.com' }), ProtocolError);
  throwsError(() => conn.advertiseAlternativeService('h2=":8000"', { streamId: 1 }), ProtocolError);
});

Ext('an extended CONNECT request (RFC 8441) travels from client to server', () => {
  const server = new H2Connection(new H2Configuration({ clientSide: false }));
  server.initiateConnection();
  server.updateSettings({ [S.ENABLE_CONNECT_PROTOCOL]: 1 });
  const client = new H2Connection();
  client.initiateConnection();
  client.receiveData(server.dataToSend());
  assert.is(client.remoteSettings.enableConnectProtocol, 1);
  const headers: [string, string][] = [
    [':method', 'CONNECT'],
    [':protocol', 'websocket'],
    [':scheme', 'https'],
    [':path', '/chat'],
    [':authority', 'example.com'],
    ['sec-websocket-version', '13'],
  ];
  client.sendHeaders(1, headers);
  const events = server.receiveData(client.dataToSend());
  const request = events.find((e) => e instanceof RequestReceived) as RequestReceived;
  assert.equal(request.headers, headers);
  assert.is(request.streamEnded, null);
});

Ext('a PRIORITY frame is reported as PriorityUpdated with weight 1–256', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  const events = conn.receiveData(peer.priority(3, { dependsOn: 1, weight: 256, exclusive: true }));
  assert.equal(types(events), ['PriorityUpdated']);
  const p = events[0] as PriorityUpdated;
  assert.equal([p.streamId, p.weight, p.dependsOn, p.exclusive], [3, 256, 1, true]);
  assert.is(conn.dataToSend().length, 0);
  assert.not.ok(conn.streams.has(3));
});

Ext('HEADERS with priority report PriorityUpdated last and as the related event', () => {
  const { conn, peer } = serverPair();
  const events = conn.receiveData(peer.headers(1, REQUEST, { endStream: true, priority: { dependsOn: 0, weight: 32, exclusive: false } }));
  assert.equal(types(events), ['RequestReceived', 'StreamEnded', 'PriorityUpdated']);
  const request = events[0] as RequestReceived;
  assert.is(request.priorityUpdated, events[2]);
  assert.is((events[2] as PriorityUpdated).weight, 32);
});

Ext('a stream depending on itself is a PROTOCOL_ERROR, in PRIORITY or HEADERS', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  throwsError(() => conn.receiveData(peer.priority(1, { dependsOn: 1 })), ProtocolError);
  peer.read(conn.dataToSend()).expectGoAway(1, E.PROTOCOL_ERROR).expectNone();
  const other = serverPair();
  throwsError(() => other.conn.receiveData(other.peer.headers(1, REQUEST, { priority: { dependsOn: 1 } })), ProtocolError);
});

Ext('a client prioritizes any stream with a PRIORITY frame; defaults are weight 16 on stream 0', () => {
  const { conn, peer } = clientPair();
  conn.prioritize(1);
  conn.prioritize(3, { weight: 200, dependsOn: 1, exclusive: true });
  peer.read(conn.dataToSend()).expectPriority(1, { weight: 16, dependsOn: 0, exclusive: false }).expectPriority(3, { weight: 200, dependsOn: 1, exclusive: true }).expectNone();
  assert.not.ok(conn.streams.has(1));
});

Ext('a client sends priority on HEADERS when any priority option is given', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST, { priorityWeight: 42 });
  conn.sendHeaders(3, REQUEST, { priorityExclusive: true, priorityDependsOn: 1 });
  conn.sendHeaders(5, REQUEST);
  peer
    .read(conn.dataToSend())
    .expectHeaders({ streamId: 1, priority: { weight: 42, dependsOn: 0, exclusive: false } })
    .expectHeaders({ streamId: 3, priority: { weight: 16, dependsOn: 1, exclusive: true } })
    .expectHeaders({ streamId: 5 })
    .expectNone();
});

Ext('priority weights must be 1–256 and a stream may not depend on itself', () => {
  const { conn } = clientPair();
  for (const weight of [0, 257, -1, 1.5]) {
    throwsError(() => conn.prioritize(1, { weight }), ProtocolError);
    throwsError(() => conn.sendHeaders(1, REQUEST, { priorityWeight: weight }), ProtocolError);
  }
  throwsError(() => conn.prioritize(1, { dependsOn: 1 }), ProtocolError);
  throwsError(() => conn.sendHeaders(1, REQUEST, { priorityDependsOn: 1 }), ProtocolError);
  assert.is(conn.dataToSend().length, 0);
  conn.sendHeaders(1, REQUEST);
});

Ext('servers may not send priority', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  throwsError(() => conn.prioritize(1), RFC1122Error);
  throwsError(() => conn.sendHeaders(1, RESPONSE, { priorityWeight: 10 }), RFC1122Error);
  conn.sendHeaders(1, RESPONSE);
});

Ext('HEADERS with priority that no longer fit one frame move their tail to a CONTINUATION', () => {
  const { conn, peer } = clientPair();
  const big: (readonly [string, string])[] = [...REQUEST, ['x-fill', 'a'.repeat(40000)]];
  conn.sendHeaders(1, big, { priorityWeight: 10 });
  const out = conn.dataToSend();
  const f = peer.read(out).nextHeaders({ streamId: 1, priority: { weight: 10 } });
  assert.ok((f.continuations ?? 0) >= 1);
  assert.equal(f.headers, big);
  let offset = 0;
  while (offset < out.length) {
    const length = (out[offset]! << 16) | (out[offset + 1]! << 8) | out[offset + 2]!;
    assert.ok(length <= 16384, `frame of ${length} octets`);
    offset += 9 + length;
  }
});

Ext('PRIORITY_UPDATE (RFC 9218) is reported as UnknownFrameReceived carrying the parsed frame', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  const events = conn.receiveData(peer.priorityUpdate(1, 'u=1, i'));
  assert.equal(types(events), ['UnknownFrameReceived']);
  const frame = (events[0] as UnknownFrameReceived).frame as PriorityUpdateFrame;
  assert.instance(frame, PriorityUpdateFrame);
  assert.is(frame.prioritizedStreamId, 1);
  assert.is(fromLatin1(frame.priorityFieldValue), 'u=1, i');
});

Ext('unknown frames are reported in any connection state, even after GOAWAY', () => {
  const { conn, peer } = serverPair();
  conn.closeConnection({ errorCode: 2 });
  assert.equal(types(conn.receiveData(peer.raw(0x42, 0, 0, 'abc'))), ['UnknownFrameReceived']);
});

Ext('frames on a reset stream are answered with RST_STREAM, not a connection error', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST, { endStream: true });
  conn.resetStream(1);
  conn.dataToSend();
  conn.receiveData(concat(peer.headers(1, RESPONSE), peer.data(1, 'x')));
  peer.read(conn.dataToSend()).expectRstStream(1, E.STREAM_CLOSED).expectRstStream(1, E.STREAM_CLOSED).expectNone();
  throwsError(() => conn.sendData(1, latin1('x')), StreamClosedError);
});

Ext('ALTSVC on a pushed stream takes its origin from the pushed request', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST);
  conn.receiveData(peer.pushPromise(1, 2, REQUEST));
  conn.dataToSend();
  const events = conn.receiveData(peer.altSvc(2, '', 'h2=":8000"; ma=60'));
  assert.equal(types(events), ['AlternativeServiceAvailable']);
  assert.is(fromLatin1((events[0] as AlternativeServiceAvailable).origin), 'example.com');
  assert.is(conn.dataToSend().length, 0);
});

Ext('a server may advertise on a pushed stream before its response', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
  conn.pushStream(1, 2, REQUEST);
  conn.advertiseAlternativeService('h2=":8000"', { streamId: 2 });
  peer.read(conn.dataToSend()).expectPushPromise({ promisedStreamId: 2 }).expectAltSvc(2, '', 'h2=":8000"').expectNone();
});

Ext('priority options default to weight 16, no dependency, not exclusive, whichever one is given', () => {
  for (const given of [{ priorityWeight: 16 }, { priorityDependsOn: 0 }, { priorityExclusive: false }]) {
    const { conn, peer } = clientPair();
    conn.sendHeaders(1, REQUEST, given);
    peer.read(conn.dataToSend()).expectHeaders({ priority: { weight: 16, dependsOn: 0, exclusive: false } }).expectNone();
  }
});

Ext('prioritize works for streams that are closed or not yet open', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST, { endStream: true });
  conn.receiveData(peer.headers(1, RESPONSE, { endStream: true }));
  assert.is(conn.openOutboundStreams, 0);
  conn.dataToSend();
  conn.prioritize(1, { weight: 1 });
  conn.prioritize(101, { weight: 256, dependsOn: 1 });
  peer.read(conn.dataToSend()).expectPriority(1, { weight: 1 }).expectPriority(101, { weight: 256, dependsOn: 1 }).expectNone();
});

Ext.run();
