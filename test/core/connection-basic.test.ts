/**
 * H2Connection basics, client and server: preface and SETTINGS, requests and responses, PING,
 * GOAWAY, RST_STREAM, stream IDs, trailers, 1xx, HEAD and content-length, header errors, the
 * outbound buffer. Ports h2's test_basic_logic, test_informational_responses, test_head_request,
 * test_invalid_content_lengths, test_related_events and test_utility_functions topics.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ConnectionState,
  DataReceived,
  DenialOfServiceError,
  ErrorCodes,
  FlowControlError,
  FrameTooLargeError,
  H2Configuration,
  H2Connection,
  InformationalResponseReceived,
  InvalidBodyLengthError,
  NoAvailableStreamIDError,
  NoSuchStreamError,
  PingAckReceived,
  PingReceived,
  ProtocolError,
  RemoteSettingsChanged,
  RequestReceived,
  ResponseReceived,
  SettingCodes,
  SettingsAcknowledged,
  StreamClosedError,
  StreamEnded,
  StreamIDTooLowError,
  StreamReset,
  TooManyStreamsError,
  TrailersReceived,
  UnknownFrameReceived,
} from '../../src/core';
import type { ConnectionTerminated } from '../../src/core';
import { E, S, TestPeer, type HeaderPair } from '../support/peer';
import { REQUEST, RESPONSE, clientPair, expectMalformed, serverPair, throwsError, types } from '../support/h2-connection';
import { bytes, concat, latin1 } from '../support/bytes';
import { mulberry32 } from '../support/prng';

const Basic = suite('connection basics');

Basic('a client sends the preface and then SETTINGS with h2 defaults in h2 order', () => {
  const conn = new H2Connection();
  conn.initiateConnection();
  const out = conn.dataToSend();
  assert.equal(out.subarray(0, 24), latin1('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
  const peer = new TestPeer('server');
  const frames = peer.read(out).drain();
  assert.is(frames.length, 1);
  assert.equal(frames[0]!.settings, [
    [S.HEADER_TABLE_SIZE, 4096],
    [S.ENABLE_PUSH, 1],
    [S.INITIAL_WINDOW_SIZE, 65535],
    [S.MAX_FRAME_SIZE, 16384],
    [S.ENABLE_CONNECT_PROTOCOL, 0],
    [S.MAX_CONCURRENT_STREAMS, 100],
    [S.MAX_HEADER_LIST_SIZE, 65536],
  ]);
});

Basic('a server sends SETTINGS with ENABLE_PUSH 0 and no preface', () => {
  const conn = new H2Connection(new H2Configuration({ clientSide: false }));
  conn.initiateConnection();
  new TestPeer('client').read(conn.dataToSend()).expectSettings({ [S.ENABLE_PUSH]: 0 }).expectNone();
});

Basic('the next available stream ID starts at 1 (client) or 2 (server) and advances only when used', () => {
  const { conn } = clientPair();
  assert.is(conn.getNextAvailableStreamId(), 1);
  assert.is(conn.getNextAvailableStreamId(), 1);
  conn.sendHeaders(1, REQUEST);
  assert.is(conn.getNextAvailableStreamId(), 3);
  conn.sendHeaders(7, REQUEST);
  assert.is(conn.getNextAvailableStreamId(), 9);
  const server = serverPair().conn;
  assert.is(server.getNextAvailableStreamId(), 2);
});

Basic('stream IDs run out at 2^31-1', () => {
  const { conn } = clientPair();
  conn.sendHeaders(2 ** 31 - 1, REQUEST);
  throwsError(() => conn.getNextAvailableStreamId(), NoAvailableStreamIDError);
});

Basic('a client request and the server response surface as events in order', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST, { endStream: true });
  peer.read(conn.dataToSend()).expectHeaders({ streamId: 1, endStream: true, headers: REQUEST }).expectNone();
  const events = conn.receiveData(concat(peer.headers(1, RESPONSE), peer.data(1, 'hello', { endStream: true })));
  assert.equal(types(events), ['ResponseReceived', 'DataReceived', 'StreamEnded']);
  const response = events[0] as ResponseReceived;
  assert.equal(response.headers, RESPONSE);
  assert.is(response.streamId, 1);
  const data = events[1] as DataReceived;
  assert.equal(data.data, latin1('hello'));
  assert.is(data.flowControlledLength, 5);
  assert.is(data.streamEnded, events[2]);
  assert.is(conn.openOutboundStreams, 0);
});

Basic('a server receives a request as RequestReceived with the related StreamEnded', () => {
  const { conn, peer } = serverPair();
  const events = conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
  assert.equal(types(events), ['RequestReceived', 'StreamEnded']);
  const request = events[0] as RequestReceived;
  assert.equal(request.headers, REQUEST);
  assert.is(request.streamEnded, events[1] as StreamEnded);
  assert.is(request.priorityUpdated, null);
  assert.is(conn.openInboundStreams, 1);
  conn.sendHeaders(1, RESPONSE);
  conn.sendData(1, latin1('body'), { endStream: true });
  peer.read(conn.dataToSend()).expectHeaders({ streamId: 1, endStream: false }).expectData(1, 'body', { endStream: true }).expectNone();
  assert.is(conn.openInboundStreams, 0);
});

Basic('a server cannot open a stream by sending headers', () => {
  const { conn } = serverPair();
  throwsError(() => conn.sendHeaders(2, RESPONSE), ProtocolError);
});

Basic('SETTINGS from the peer are acknowledged and reported with their old values', () => {
  const { conn, peer } = clientPair();
  const events = conn.receiveData(peer.settings({ [S.MAX_CONCURRENT_STREAMS]: 5, [S.INITIAL_WINDOW_SIZE]: 1000 }));
  assert.equal(types(events), ['RemoteSettingsChanged']);
  const changed = (events[0] as RemoteSettingsChanged).changedSettings;
  assert.is(changed.get(SettingCodes.MAX_CONCURRENT_STREAMS)?.originalValue, null);
  assert.is(changed.get(SettingCodes.MAX_CONCURRENT_STREAMS)?.newValue, 5);
  assert.is(changed.get(SettingCodes.INITIAL_WINDOW_SIZE)?.originalValue, 65535);
  assert.is(conn.remoteSettings.maxConcurrentStreams, 5);
  peer.read(conn.dataToSend()).expectSettingsAck().expectNone();
});

Basic('the SETTINGS ACK reports our settings as acknowledged', () => {
  const conn = new H2Connection();
  conn.initiateConnection();
  conn.dataToSend();
  const peer = new TestPeer('server');
  const events = conn.receiveData(peer.settingsAck());
  assert.equal(types(events), ['SettingsAcknowledged']);
  assert.is((events[0] as SettingsAcknowledged).changedSettings.size, 0);
  conn.updateSettings({ [S.MAX_CONCURRENT_STREAMS]: 7 });
  const ack = conn.receiveData(peer.settingsAck())[0] as SettingsAcknowledged;
  assert.is(ack.changedSettings.get(S.MAX_CONCURRENT_STREAMS)?.newValue, 7);
  assert.is(conn.localSettings.maxConcurrentStreams, 7);
});

Basic('a PING is answered with an ACK carrying the same octets; a PING ACK is reported', () => {
  const { conn, peer } = serverPair();
  const events = conn.receiveData(peer.ping('abcdefgh'));
  assert.equal(types(events), ['PingReceived']);
  assert.equal((events[0] as PingReceived).pingData, latin1('abcdefgh'));
  peer.read(conn.dataToSend()).expectPing({ ack: true, data: 'abcdefgh' }).expectNone();
  conn.ping(latin1('12345678'));
  peer.read(conn.dataToSend()).expectPing({ ack: false, data: '12345678' }).expectNone();
  const ack = conn.receiveData(peer.ping('12345678', { ack: true }));
  assert.instance(ack[0], PingAckReceived);
  assert.equal(conn.dataToSend().length, 0);
});

Basic('ping() accepts exactly 8 octets', () => {
  const { conn } = clientPair();
  throwsError(() => conn.ping(latin1('1234567')), TypeError);
  throwsError(() => conn.ping('12345678' as unknown as Uint8Array), TypeError);
});

Basic('sendData refuses more than the flow-control window and more than the frame size', () => {
  const { conn } = clientPair({}, { [S.INITIAL_WINDOW_SIZE]: 100 });
  conn.sendHeaders(1, REQUEST);
  conn.dataToSend();
  throwsError(() => conn.sendData(1, new Uint8Array(101)), FlowControlError);
  const big = clientPair({}, { [S.INITIAL_WINDOW_SIZE]: 1 << 20 }).conn;
  big.sendHeaders(1, REQUEST);
  throwsError(() => big.sendData(1, new Uint8Array(16385)), FrameTooLargeError);
  big.sendData(1, new Uint8Array(16384));
});

Basic('padding costs padLength + 1 window octets and is range-checked', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST);
  conn.sendData(1, latin1('abc'), { padLength: 10 });
  assert.is(conn.localFlowControlWindow(1), 65535 - 14);
  peer.read(conn.dataToSend()).expectHeaders().expectData(1, 'abc', { padLength: 10 }).expectNone();
  throwsError(() => conn.sendData(1, latin1('x'), { padLength: 256 }), RangeError);
  throwsError(() => conn.sendData(1, latin1('x'), { padLength: 1.5 }), TypeError);
});

Basic('endStream sends an empty DATA with END_STREAM; unknown streams are NoSuchStreamError', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST);
  conn.endStream(1);
  peer.read(conn.dataToSend()).expectHeaders().expectData(1, '', { endStream: true }).expectNone();
  throwsError(() => conn.endStream(3), NoSuchStreamError);
  conn.receiveData(peer.headers(1, RESPONSE, { endStream: true }));
  throwsError(() => conn.endStream(1), StreamClosedError);
});

Basic('a client may send trailers, which must end the stream', () => {
  const { conn } = clientPair();
  conn.sendHeaders(1, REQUEST);
  conn.sendData(1, latin1('x'));
  throwsError(() => conn.sendHeaders(1, [['trailer', 'yes']]), ProtocolError);
  const again = clientPair();
  again.conn.sendHeaders(1, REQUEST);
  again.conn.sendHeaders(1, [['trailer', 'yes']], { endStream: true });
  again.peer.read(again.conn.dataToSend()).expectHeaders().expectHeaders({ endStream: true, headers: [['trailer', 'yes']] }).expectNone();
});

Basic('trailers refused for lacking END_STREAM never reach the HPACK table: the next request still decodes at the peer', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST);
  peer.read(conn.dataToSend()).expectHeaders({ streamId: 1 }).expectNone();
  throwsError(() => conn.sendHeaders(1, [['x-trailer', 'y']]), ProtocolError);
  assert.is(conn.bufferedAmount, 0);
  conn.sendHeaders(3, [...REQUEST, ['x-trailer', 'y']], { endStream: true });
  peer.read(conn.dataToSend()).expectHeaders({ streamId: 3, endStream: true, headers: [...REQUEST, ['x-trailer', 'y']] }).expectNone();
});

Basic('priority arguments that are not a stream ID or a boolean throw before anything is encoded, opened or queued', () => {
  const { conn, peer } = clientPair();
  const headers: HeaderPair[] = [...REQUEST, ['x-custom', 'hello']];
  throwsError(() => conn.sendHeaders(1, headers, { priorityDependsOn: 2 ** 32 }), RangeError);
  throwsError(() => conn.sendHeaders(1, headers, { priorityDependsOn: -1 }), RangeError);
  throwsError(() => conn.sendHeaders(1, headers, { priorityDependsOn: 1.5 }), RangeError);
  throwsError(() => conn.sendHeaders(1, headers, { priorityExclusive: 'yes' as unknown as boolean }), TypeError);
  throwsError(() => conn.prioritize(1, { dependsOn: 2 ** 31 }), RangeError);
  throwsError(() => conn.prioritize(1, { exclusive: 1 as unknown as boolean }), TypeError);
  assert.is(conn.openOutboundStreams, 0);
  assert.is(conn.getNextAvailableStreamId(), 1);
  assert.is(conn.bufferedAmount, 0);
  conn.sendHeaders(1, headers, { endStream: true, priorityDependsOn: 2 ** 31 - 1 });
  peer.read(conn.dataToSend()).expectHeaders({ streamId: 1, endStream: true, headers }).expectNone();
});

Basic('received trailers are TrailersReceived with a related StreamEnded; trailers without END_STREAM are malformed: that stream is reset', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(concat(peer.headers(1, REQUEST), peer.data(1, 'abc')));
  const events = conn.receiveData(peer.headers(1, [['grpc-status', '0']], { endStream: true }));
  assert.equal(types(events), ['TrailersReceived', 'StreamEnded']);
  assert.is((events[0] as TrailersReceived).streamEnded, events[1]);
  const other = serverPair();
  other.conn.receiveData(other.peer.headers(1, REQUEST));
  // RFC 9113 §8.1: trailers must end the stream, else the message is malformed (§8.1.1).
  expectMalformed(other, other.conn.receiveData(other.peer.headers(1, [['grpc-status', '0']])), 1);
});

Basic('a GOAWAY with an error code is reported, closes the connection and drops queued output', () => {
  const { conn, peer } = serverPair();
  conn.ping(latin1('queued!!'));
  const events = conn.receiveData(peer.goAway(5, E.SETTINGS_TIMEOUT, 'debug data'));
  assert.equal(types(events), ['ConnectionTerminated']);
  const ev = events[0] as ConnectionTerminated;
  assert.is(ev.errorCode, ErrorCodes.SETTINGS_TIMEOUT);
  assert.is(ev.lastStreamId, 5);
  assert.equal(ev.additionalData, latin1('debug data'));
  assert.is(conn.state, ConnectionState.CLOSED);
  assert.is(conn.dataToSend().length, 0);
  throwsError(() => conn.ping(latin1('12345678')), ProtocolError);
});

Basic('an unknown error code in GOAWAY is reported as a number and empty debug data as null', () => {
  const { conn, peer } = serverPair();
  const ev = conn.receiveData(peer.goAway(0, 0xfa))[0] as ConnectionTerminated;
  assert.is(ev.errorCode, 250);
  assert.is(ev.additionalData, null);
});

Basic('every GOAWAY received is reported', () => {
  const { conn, peer } = serverPair();
  const events = conn.receiveData(concat(peer.goAway(0), peer.goAway(0), peer.goAway(0)));
  assert.equal(types(events), ['ConnectionTerminated', 'ConnectionTerminated', 'ConnectionTerminated']);
});

Basic('closeConnection sends GOAWAY with the highest peer stream, the code and the debug data, as often as asked', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(3, REQUEST));
  conn.closeConnection({ errorCode: ErrorCodes.INTERNAL_ERROR, additionalData: latin1('bye') });
  conn.closeConnection({ errorCode: ErrorCodes.INTERNAL_ERROR, lastStreamId: 1 });
  const frames = peer.read(conn.dataToSend()).drain();
  assert.equal(frames.map((f) => [f.lastStreamId, f.errorCode]), [[3, 2], [1, 2]]);
  assert.equal(frames[0]!.additionalData, latin1('bye'));
  assert.is(conn.state, ConnectionState.CLOSED);
});

Basic('resetStream sends RST_STREAM and emits nothing; the peer resetting a stream is a remote StreamReset', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST);
  conn.sendHeaders(3, REQUEST);
  conn.resetStream(1, ErrorCodes.CANCEL);
  peer.read(conn.dataToSend()).expectHeaders().expectHeaders().expectRstStream(1, E.CANCEL).expectNone();
  const events = conn.receiveData(peer.rstStream(3, E.REFUSED_STREAM));
  assert.equal(types(events), ['StreamReset']);
  const reset = events[0] as StreamReset;
  assert.is(reset.errorCode, ErrorCodes.REFUSED_STREAM);
  assert.ok(reset.remoteReset);
  assert.is(conn.openOutboundStreams, 0);
  throwsError(() => conn.resetStream(5), NoSuchStreamError);
});

// RFC 9113 §6.4; h2 ignores it (differences.ts, rst-stream-idle).
for (const [role, pair, idle] of [['server', serverPair, [3, 9, 2]], ['client', clientPair, [3, 2, 4]]] as const) {
  Basic(`a ${role} treats RST_STREAM on an idle stream as a connection error PROTOCOL_ERROR`, () => {
    for (const id of idle) {
      const { conn, peer } = pair();
      if (role === 'server') conn.receiveData(peer.headers(1, REQUEST));
      else conn.sendHeaders(1, REQUEST, { endStream: true });
      conn.dataToSend();
      const err = throwsError(() => conn.receiveData(peer.rstStream(id)), ProtocolError);
      assert.is(err.errorCode, ErrorCodes.PROTOCOL_ERROR);
      peer.read(conn.dataToSend()).expectGoAway(undefined, E.PROTOCOL_ERROR).expectNone();
    }
  });
}

Basic('RST_STREAM on a stream that closed and was forgotten is ignored', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST, { endStream: true });
  conn.sendHeaders(3, REQUEST, { endStream: true });
  conn.receiveData(peer.headers(1, RESPONSE, { endStream: true }));
  assert.is(conn.openOutboundStreams, 1);
  conn.dataToSend();
  assert.equal(conn.receiveData(peer.rstStream(1)), []);
  assert.is(conn.dataToSend().length, 0);
});

Basic('unknown frame types are reported as UnknownFrameReceived and ignored', () => {
  const { conn, peer } = serverPair();
  const events = conn.receiveData(peer.raw(0xfa, 0x3, 1, 'whatever'));
  assert.equal(types(events), ['UnknownFrameReceived']);
  assert.is((events[0] as UnknownFrameReceived).frame.type, 0xfa);
  assert.is(conn.dataToSend().length, 0);
});

Basic('headerEncoding utf-8 decodes header values as text', () => {
  const { conn, peer } = serverPair({ headerEncoding: 'utf-8' });
  const req = [...REQUEST, ['x-name', '\xc3\xa9t\xc3\xa9'] as const];
  const ev = conn.receiveData(peer.headers(1, req))[0] as RequestReceived;
  assert.equal(ev.headers[4], ['x-name', 'été']);
});

Basic('several cookie fields are joined into one', () => {
  const { conn, peer } = serverPair();
  const ev = conn.receiveData(peer.headers(1, [...REQUEST, ['cookie', 'a=1'], ['cookie', 'b=2']]))[0] as RequestReceived;
  assert.equal(ev.headers.filter((h) => h[0] === 'cookie').map((h) => [...h]), [['cookie', 'a=1; b=2']]);
});

Basic('a new stream ID below the highest seen is StreamIDTooLowError and GOAWAY PROTOCOL_ERROR', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(3, REQUEST));
  const err = throwsError(() => conn.receiveData(peer.headers(1, REQUEST)), StreamIDTooLowError);
  assert.is(err.streamId, 1);
  assert.is(err.maxStreamId, 3);
  peer.read(conn.dataToSend()).expectGoAway(3, E.PROTOCOL_ERROR).expectNone();
});

Basic('a client opening an even stream is a connection error', () => {
  const { conn, peer } = serverPair();
  throwsError(() => conn.receiveData(peer.headers(2, REQUEST)), ProtocolError);
  peer.read(conn.dataToSend()).expectGoAway(0, E.PROTOCOL_ERROR).expectNone();
});

Basic('DATA before any stream, or on an idle stream, is a connection error', () => {
  const { conn, peer } = serverPair();
  throwsError(() => conn.receiveData(peer.data(1, 'x')), ProtocolError);
  peer.read(conn.dataToSend()).expectGoAway(0, E.PROTOCOL_ERROR).expectNone();
  const other = serverPair();
  other.conn.receiveData(other.peer.headers(1, REQUEST));
  throwsError(() => other.conn.receiveData(other.peer.data(3, 'x')), NoSuchStreamError);
  other.peer.read(other.conn.dataToSend()).expectGoAway(1, E.PROTOCOL_ERROR).expectNone();
});

Basic('sending past the peer MAX_CONCURRENT_STREAMS is TooManyStreamsError', () => {
  const { conn } = clientPair({}, { [S.MAX_CONCURRENT_STREAMS]: 1 });
  conn.sendHeaders(1, REQUEST);
  throwsError(() => conn.sendHeaders(3, REQUEST), TooManyStreamsError);
});

Basic('receiveData takes any view and frames split across calls', () => {
  const { conn, peer } = serverPair();
  const wire = concat(new Uint8Array(5), peer.headers(1, REQUEST, { endStream: true }), new Uint8Array(3));
  const view = wire.subarray(5, wire.length - 3);
  const events = [];
  for (let i = 0; i < view.length; i += 4) events.push(...conn.receiveData(view.subarray(i, i + 4)));
  assert.equal(types(events), ['RequestReceived', 'StreamEnded']);
});

Basic('dataToSend(amount) returns a prefix and keeps the rest; bufferedAmount tracks it', () => {
  const { conn, peer } = serverPair();
  conn.ping(latin1('12345678'));
  conn.ping(latin1('abcdefgh'));
  assert.is(conn.bufferedAmount, 34);
  const first = conn.dataToSend(20);
  assert.is(first.length, 20);
  assert.is(conn.bufferedAmount, 14);
  peer.read(concat(first, conn.dataToSend())).expectPing({ data: '12345678' }).expectPing({ data: 'abcdefgh' }).expectNone();
  assert.is(conn.bufferedAmount, 0);
  assert.is(conn.dataToSend().length, 0);
});

Basic('bytes handed out by dataToSend are never overwritten by later frames', () => {
  const { conn } = serverPair();
  conn.ping(latin1('12345678'));
  const first = conn.dataToSend();
  const copy = first.slice();
  for (let i = 0; i < 100; i++) conn.ping(latin1('abcdefgh'));
  conn.dataToSend();
  assert.equal(first, copy);
});

Basic('views from dataToSend stay intact and in order across slabs, partial takes and batches of any size', () => {
  const rand = mulberry32(2024);
  const client = new H2Connection(new H2Configuration({ clientSide: true }));
  const server = new H2Connection(new H2Configuration({ clientSide: false }));
  client.initiateConnection();
  server.initiateConnection();
  server.updateSettings({ [SettingCodes.INITIAL_WINDOW_SIZE]: 2 ** 31 - 1 });
  server.incrementFlowControlWindow(2 ** 31 - 1 - 65535);
  client.receiveData(server.dataToSend());
  server.receiveData(client.dataToSend());
  client.receiveData(server.dataToSend());
  client.sendHeaders(1, REQUEST);
  const views: Uint8Array[] = [];
  const copies: Uint8Array[] = [];
  const sent: Uint8Array[] = [];
  for (let round = 0; round < 300; round++) {
    // Up to 100 frames of up to 16 KiB: some batches fit a slab's remainder, some need a bigger slab.
    const frames = rand.int(100);
    for (let i = 0; i < frames; i++) {
      const chunk = new Uint8Array(1 + (rand.int(3) === 0 ? rand.int(16384) : rand.int(100))).fill(rand.int(256));
      client.sendData(1, chunk);
      sent.push(chunk);
    }
    views.push(rand.int(2) === 0 ? client.dataToSend() : client.dataToSend(rand.int(300000)));
    copies.push((views[views.length - 1] as Uint8Array).slice());
  }
  views.push(client.dataToSend());
  copies.push((views[views.length - 1] as Uint8Array).slice());
  const received: Uint8Array[] = [];
  for (const view of views) {
    for (const ev of server.receiveData(view)) if (ev instanceof DataReceived) received.push(ev.data.slice());
  }
  views.forEach((view, i) => assert.equal(view, copies[i]));
  assert.equal(concat(...received), concat(...sent));
});

Basic('API misuse with the wrong argument types throws TypeError or RangeError', () => {
  const { conn } = clientPair();
  conn.sendHeaders(1, REQUEST);
  throwsError(() => conn.receiveData('bytes' as unknown as Uint8Array), TypeError);
  throwsError(() => conn.sendData(1, 'text' as unknown as Uint8Array), TypeError);
  throwsError(() => conn.dataToSend(-1), RangeError);
  throwsError(() => conn.dataToSend(Number.NaN), RangeError);
  throwsError(() => conn.sendHeaders(2 ** 31, REQUEST), RangeError);
  assert.ok(conn.dataToSend(0).length === 0 && conn.bufferedAmount > 0);
});

Basic('clearOutboundDataBuffer discards queued output', () => {
  const { conn } = serverPair();
  conn.ping(latin1('12345678'));
  conn.clearOutboundDataBuffer();
  assert.is(conn.bufferedAmount, 0);
  assert.is(conn.dataToSend().length, 0);
});

Basic('events decoded before a connection error travel on the error', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  const err = throwsError(() => conn.receiveData(concat(peer.ping('12345678'), peer.data(3, 'x'))), NoSuchStreamError);
  assert.equal(types(err.events), ['PingReceived']);
});

Basic('after a connection error further input is discarded', () => {
  const { conn, peer } = serverPair();
  throwsError(() => conn.receiveData(peer.data(1, 'x')), ProtocolError);
  conn.dataToSend();
  assert.equal(conn.receiveData(peer.ping('12345678')), []);
  assert.is(conn.dataToSend().length, 0);
});

Basic('a server rejects a bad client preface without GOAWAY', () => {
  const conn = new H2Connection(new H2Configuration({ clientSide: false }));
  conn.initiateConnection();
  conn.dataToSend();
  throwsError(() => conn.receiveData(latin1('GET / HTTP/1.1\r\n\r\n')), ProtocolError);
  assert.is(conn.dataToSend().length, 0);
});

Basic('informational responses may precede the final response, both ways', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
  conn.sendHeaders(1, [[':status', '100']]);
  conn.sendHeaders(1, [[':status', '103'], ['link', '</s.css>']]);
  conn.sendHeaders(1, RESPONSE, { endStream: true });
  peer.read(conn.dataToSend()).expectHeaders({ headers: [[':status', '100']] }).expectHeaders().expectHeaders({ endStream: true }).expectNone();

  const client = clientPair();
  client.conn.sendHeaders(1, REQUEST, { endStream: true });
  const events = client.conn.receiveData(concat(client.peer.headers(1, [[':status', '100']]), client.peer.headers(1, RESPONSE, { endStream: true })));
  assert.equal(types(events), ['InformationalResponseReceived', 'ResponseReceived', 'StreamEnded']);
  assert.equal((events[0] as InformationalResponseReceived).headers, [[':status', '100']]);
});

Basic('an informational response may not end the stream, either way', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
  throwsError(() => conn.sendHeaders(1, [[':status', '100']], { endStream: true }), ProtocolError);
  const client = clientPair();
  client.conn.sendHeaders(1, REQUEST, { endStream: true });
  client.peer.read(client.conn.dataToSend()).expectHeaders().expectNone();
  // RFC 9113 §8.1: a 1xx with END_STREAM is malformed, a stream error (§8.1.1).
  expectMalformed(client, client.conn.receiveData(client.peer.headers(1, [[':status', '100']], { endStream: true })), 1);
});

Basic('an informational response after the final response is rejected', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
  conn.sendHeaders(1, RESPONSE);
  throwsError(() => conn.sendHeaders(1, [[':status', '100']]), ProtocolError);
});

Basic('a response to HEAD may announce a content-length and carry no body', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, [[':method', 'HEAD'], [':path', '/'], [':authority', 'example.com'], [':scheme', 'https']], { endStream: true });
  const events = conn.receiveData(peer.headers(1, [[':status', '200'], ['content-length', '1000']], { endStream: true }));
  assert.equal(types(events), ['ResponseReceived', 'StreamEnded']);
});

Basic('more body than content-length resets that stream with PROTOCOL_ERROR, its DATA unreported and credited to the connection window', () => {
  const pair = serverPair();
  const { conn, peer } = pair;
  conn.receiveData(concat(peer.headers(1, [...REQUEST, ['content-length', '3']]), peer.headers(3, REQUEST)));
  const events = conn.receiveData(peer.data(1, 'a'.repeat(16384)));
  assert.equal(types(events), ['StreamReset']);
  expectMalformed(pair, events, 1);
  // The other stream goes on; the refused 16 KiB count as processed: acknowledging 16 KiB more
  // reaches half the window, and the connection WINDOW_UPDATE gives back both.
  assert.equal(types(conn.receiveData(peer.data(3, 'b'.repeat(16384), { endStream: true }))), ['DataReceived', 'StreamEnded']);
  conn.acknowledgeReceivedData(16384, 3);
  peer.read(conn.dataToSend()).expectWindowUpdate(0, 32768).expectNone();
});

Basic('less body than content-length at END_STREAM resets that stream with PROTOCOL_ERROR', () => {
  const pair = serverPair();
  const { conn, peer } = pair;
  conn.receiveData(peer.headers(1, [...REQUEST, ['content-length', '10']]));
  assert.equal(types(conn.receiveData(peer.data(1, 'abc'))), ['DataReceived']);
  expectMalformed(pair, conn.receiveData(peer.data(1, 'def', { endStream: true })), 1);
});

Basic('a non-numeric content-length makes the request malformed: refused with PROTOCOL_ERROR, never reported', () => {
  const pair = serverPair();
  expectMalformed(pair, pair.conn.receiveData(pair.peer.headers(1, [...REQUEST, ['content-length', '1x']])), 1, { reported: false });
  // HPACK stayed in sync: the next request (same fields, now indexed) decodes.
  assert.equal(types(pair.conn.receiveData(pair.peer.headers(3, [...REQUEST, ['content-length', '0']], { endStream: true }))), ['RequestReceived', 'StreamEnded']);
});

Basic('a request over MAX_HEADER_LIST_SIZE is refused with RST_STREAM ENHANCE_YOUR_CALM; the connection goes on (RFC 9113 §10.5.1)', () => {
  const { conn, peer } = serverPair();
  assert.equal(conn.receiveData(peer.headers(1, [...REQUEST, ['x-big', 'a'.repeat(70000)]], { fragments: 6 })), []);
  peer.read(conn.dataToSend()).expectRstStream(1, E.ENHANCE_YOUR_CALM).expectNone();
  assert.equal(types(conn.receiveData(peer.headers(3, REQUEST, { endStream: true }))), ['RequestReceived', 'StreamEnded']);
});

Basic('an undecodable header block is a COMPRESSION_ERROR (RFC 9113 §4.3)', () => {
  const { conn, peer } = serverPair();
  const err = throwsError(() => conn.receiveData(peer.headersRaw(1, bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f))), ProtocolError);
  assert.is(err.errorCode, ErrorCodes.COMPRESSION_ERROR);
  peer.read(conn.dataToSend()).expectGoAway(0, E.COMPRESSION_ERROR).expectNone();
});

Basic('a frame over our MAX_FRAME_SIZE is FrameTooLargeError with FRAME_SIZE_ERROR', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  const err = throwsError(() => conn.receiveData(peer.data(1, new Uint8Array(16385))), FrameTooLargeError);
  assert.is(err.errorCode, ErrorCodes.FRAME_SIZE_ERROR);
  peer.read(conn.dataToSend()).expectGoAway(1, E.FRAME_SIZE_ERROR).expectNone();
});

Basic('invalid padding is a PROTOCOL_ERROR', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  throwsError(() => conn.receiveData(peer.raw(0x0, 0x8, 1, bytes(10, 'abc'))), ProtocolError);
  peer.read(conn.dataToSend()).expectGoAway(1, E.PROTOCOL_ERROR).expectNone();
});

Basic('a server pushes a stream and the client receives PushedStreamReceived then the response', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
  const pushed: [string, string][] = [[':method', 'GET'], [':path', '/style.css'], [':authority', 'example.com'], [':scheme', 'https']];
  conn.pushStream(1, 2, pushed);
  conn.sendHeaders(2, RESPONSE, { endStream: true });
  conn.sendHeaders(1, RESPONSE, { endStream: true });
  peer.read(conn.dataToSend()).expectPushPromise({ streamId: 1, promisedStreamId: 2, headers: pushed }).expectHeaders({ streamId: 2 }).expectHeaders({ streamId: 1 }).expectNone();

  const client = clientPair();
  client.conn.sendHeaders(1, REQUEST, { endStream: true });
  const events = client.conn.receiveData(concat(
    client.peer.pushPromise(1, 2, pushed),
    client.peer.headers(2, RESPONSE, { endStream: true }),
  ));
  assert.equal(types(events), ['PushedStreamReceived', 'ResponseReceived', 'StreamEnded']);
  const push = events[0] as unknown as { pushedStreamId: number; parentStreamId: number; headers: unknown };
  assert.is(push.pushedStreamId, 2);
  assert.is(push.parentStreamId, 1);
  assert.equal(push.headers, pushed);
});

Basic('a client that disabled push rejects PUSH_PROMISE; a server cannot push when the client disabled it', () => {
  const { conn, peer } = clientPair();
  conn.updateSettings({ [S.ENABLE_PUSH]: 0 });
  conn.receiveData(peer.settingsAck());
  conn.sendHeaders(1, REQUEST, { endStream: true });
  throwsError(() => conn.receiveData(peer.pushPromise(1, 2, REQUEST)), ProtocolError);

  const server = serverPair({}, { [S.ENABLE_PUSH]: 0 });
  server.conn.receiveData(server.peer.headers(1, REQUEST, { endStream: true }));
  throwsError(() => server.conn.pushStream(1, 2, REQUEST), ProtocolError);
});

Basic('a pushed stream cannot itself be the parent of a push', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
  conn.pushStream(1, 2, REQUEST);
  conn.sendHeaders(2, RESPONSE);
  throwsError(() => conn.pushStream(2, 4, REQUEST), ProtocolError);
});

Basic('a client cannot push', () => {
  const { conn } = clientPair();
  conn.sendHeaders(1, REQUEST);
  throwsError(() => conn.pushStream(1, 2, REQUEST), ProtocolError);
});

Basic('a PUSH_PROMISE of a malformed request refuses the promised stream with PROTOCOL_ERROR, unreported; the parent stream goes on (RFC 9113 §8.4)', () => {
  const pair = clientPair();
  const { conn, peer } = pair;
  conn.sendHeaders(1, REQUEST, { endStream: true });
  peer.read(conn.dataToSend()).expectHeaders().expectNone();
  expectMalformed(pair, conn.receiveData(peer.pushPromise(1, 2, [...REQUEST, ['Bad', 'x']])), 2, { reported: false });
  // The refused promise's ID counts as used: a valid push on stream 4 is accepted.
  assert.equal(types(conn.receiveData(peer.pushPromise(1, 4, REQUEST))), ['PushedStreamReceived']);
  assert.equal(types(conn.receiveData(peer.headers(1, RESPONSE, { endStream: true }))), ['ResponseReceived', 'StreamEnded']);
});

Basic('a request carrying a 1xx :status is a malformed request to a server, not an informational response: refused with PROTOCOL_ERROR', () => {
  const pair = serverPair();
  expectMalformed(pair, pair.conn.receiveData(pair.peer.headers(1, [[':status', '100'], ...REQUEST])), 1, { reported: false });
  assert.equal(types(pair.conn.receiveData(pair.peer.headers(3, REQUEST, { endStream: true }))), ['RequestReceived', 'StreamEnded']);
});

Basic.run();
