/**
 * H2Connection flow control: send and receive windows at stream and connection level, WINDOW_UPDATE
 * in both directions, SETTINGS_INITIAL_WINDOW_SIZE changes, automatic acknowledgement, DATA on
 * closed streams. Ports h2's test_flow_control_window topics.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes, FlowControlError, NoSuchStreamError, ProtocolError, StreamClosedError } from '../../src/core';
import { mulberry32 } from '../support/prng';
import type { StreamReset, WindowUpdated } from '../../src/core';
import { E, S } from '../support/peer';
import { REQUEST, RESPONSE, clientPair, serverPair, throwsError, types } from '../support/h2-connection';
import { concat } from '../support/bytes';

const Flow = suite('connection flow control');

Flow('windows start at 65535 in both directions', () => {
  const { conn } = clientPair();
  conn.sendHeaders(1, REQUEST);
  assert.is(conn.localFlowControlWindow(1), 65535);
  assert.is(conn.remoteFlowControlWindow(1), 65535);
  assert.is(conn.outboundFlowControlWindow, 65535);
  assert.is(conn.inboundFlowControlWindow, 65535);
});

Flow('sending DATA shrinks the stream and connection send windows', () => {
  const { conn } = clientPair();
  conn.sendHeaders(1, REQUEST);
  conn.sendHeaders(3, REQUEST);
  conn.sendData(1, new Uint8Array(1000));
  assert.is(conn.localFlowControlWindow(1), 64535);
  assert.is(conn.localFlowControlWindow(3), 64535);
  assert.is(conn.outboundFlowControlWindow, 64535);
  assert.is(conn.streams.get(3)!.outboundFlowControlWindow, 65535);
});

Flow('a stream WINDOW_UPDATE grows the stream window and is reported', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST);
  conn.sendData(1, new Uint8Array(1000));
  const events = conn.receiveData(peer.windowUpdate(1, 500));
  assert.equal(types(events), ['WindowUpdated']);
  assert.is((events[0] as WindowUpdated).streamId, 1);
  assert.is((events[0] as WindowUpdated).delta, 500);
  assert.is(conn.streams.get(1)!.outboundFlowControlWindow, 65035);
  assert.is(conn.localFlowControlWindow(1), 64535);
});

Flow('a connection WINDOW_UPDATE grows the connection window and is reported on stream 0', () => {
  const { conn, peer } = clientPair();
  const events = conn.receiveData(peer.windowUpdate(0, 1000));
  assert.is((events[0] as WindowUpdated).streamId, 0);
  assert.is(conn.outboundFlowControlWindow, 66535);
});

Flow('a connection WINDOW_UPDATE past 2^31-1 is a FLOW_CONTROL_ERROR', () => {
  const { conn, peer } = serverPair();
  throwsError(() => conn.receiveData(peer.windowUpdate(0, 2 ** 31 - 1)), FlowControlError);
  peer.read(conn.dataToSend()).expectGoAway(0, E.FLOW_CONTROL_ERROR).expectNone();
});

Flow('a stream WINDOW_UPDATE past 2^31-1 resets only that stream', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  const events = conn.receiveData(peer.windowUpdate(1, 2 ** 31 - 1));
  assert.equal(types(events), ['StreamReset']);
  const reset = events[0] as StreamReset;
  assert.is(reset.errorCode, ErrorCodes.FLOW_CONTROL_ERROR);
  assert.not.ok(reset.remoteReset);
  peer.read(conn.dataToSend()).expectRstStream(1, E.FLOW_CONTROL_ERROR).expectNone();
});

Flow('a connection WINDOW_UPDATE with increment 0 is a connection PROTOCOL_ERROR', () => {
  const { conn, peer } = serverPair();
  throwsError(() => conn.receiveData(peer.windowUpdate(0, 0)), ProtocolError);
  peer.read(conn.dataToSend()).expectGoAway(0, E.PROTOCOL_ERROR).expectNone();
});

Flow('a stream WINDOW_UPDATE with increment 0 resets that stream with PROTOCOL_ERROR (RFC 9113 §6.9)', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  const events = conn.receiveData(peer.windowUpdate(1, 0));
  assert.equal(types(events), ['StreamReset']);
  assert.is((events[0] as StreamReset).errorCode, ErrorCodes.PROTOCOL_ERROR);
  assert.not.ok((events[0] as StreamReset).remoteReset);
  peer.read(conn.dataToSend()).expectRstStream(1, E.PROTOCOL_ERROR).expectNone();
  assert.is(conn.openInboundStreams, 0);
});

Flow('WINDOW_UPDATE for an idle stream is a connection error, for a closed one it is ignored', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
  conn.sendHeaders(1, RESPONSE, { endStream: true });
  conn.dataToSend();
  assert.equal(conn.receiveData(peer.windowUpdate(1, 10)), []);
  assert.is(conn.dataToSend().length, 0);
  throwsError(() => conn.receiveData(peer.windowUpdate(3, 10)), ProtocolError);
});

Flow('the peer INITIAL_WINDOW_SIZE moves every stream send window by the delta, not the connection window', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST);
  conn.sendData(1, new Uint8Array(1000));
  conn.receiveData(peer.settings({ [S.INITIAL_WINDOW_SIZE]: 100 }));
  assert.is(conn.streams.get(1)!.outboundFlowControlWindow, 100 - 1000);
  assert.is(conn.localFlowControlWindow(1), -900);
  assert.is(conn.outboundFlowControlWindow, 64535);
  conn.sendHeaders(3, REQUEST);
  assert.is(conn.localFlowControlWindow(3), 100);
});

Flow('an empty DATA with END_STREAM can be sent on a negative window', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST);
  conn.sendData(1, new Uint8Array(1000));
  conn.receiveData(peer.settings({ [S.INITIAL_WINDOW_SIZE]: 0 }));
  throwsError(() => conn.sendData(1, new Uint8Array(1)), FlowControlError);
  conn.sendData(1, new Uint8Array(0), { endStream: true });
});

Flow('an INITIAL_WINDOW_SIZE that pushes a stream window past 2^31-1 is a FLOW_CONTROL_ERROR', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST);
  conn.receiveData(peer.windowUpdate(1, 2 ** 31 - 1 - 65535));
  throwsError(() => conn.receiveData(peer.settings({ [S.INITIAL_WINDOW_SIZE]: 65536 })), FlowControlError);
  peer.read(conn.dataToSend()).expectHeaders().expectGoAway(0, E.FLOW_CONTROL_ERROR).expectNone();
});

Flow('an INITIAL_WINDOW_SIZE above 2^31-1 is rejected with FLOW_CONTROL_ERROR', () => {
  const { conn, peer } = clientPair();
  const err = throwsError(() => conn.receiveData(peer.settings({ [S.INITIAL_WINDOW_SIZE]: 2 ** 31 })), ProtocolError);
  assert.is(err.errorCode, ErrorCodes.FLOW_CONTROL_ERROR);
});

Flow('received DATA shrinks the receive windows, padding included', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  const events = conn.receiveData(peer.data(1, 'abcde', { padLength: 10 }));
  assert.is((events[0] as { flowControlledLength: number }).flowControlledLength, 16);
  assert.is(conn.remoteFlowControlWindow(1), 65535 - 16);
  assert.is(conn.inboundFlowControlWindow, 65535 - 16);
});

Flow('DATA past a stream receive window resets that stream with FLOW_CONTROL_ERROR; the connection and its other streams go on', () => {
  const pair = serverPair();
  const { conn, peer } = pair;
  conn.incrementFlowControlWindow(65535);
  peer.read(conn.dataToSend()).expectWindowUpdate(0, 65535).expectNone();
  conn.receiveData(concat(peer.headers(1, REQUEST), peer.headers(3, REQUEST)));
  const chunk = new Uint8Array(16384);
  conn.receiveData(concat(peer.data(1, chunk), peer.data(1, chunk), peer.data(1, chunk), peer.data(1, chunk.subarray(0, 16383))));
  assert.is(conn.remoteFlowControlWindow(1), 0);
  // RFC 9113 §6.9.1 allows a stream error: the connection window (131070) still had room.
  const events = conn.receiveData(peer.data(1, 'xx'));
  assert.equal(events.map((e) => [e.type, (e as StreamReset).errorCode, (e as StreamReset).remoteReset]), [['StreamReset', E.FLOW_CONTROL_ERROR, false]]);
  peer.read(conn.dataToSend()).expectRstStream(1, E.FLOW_CONTROL_ERROR).expectNone();
  assert.equal(types(conn.receiveData(peer.data(3, 'ok', { endStream: true }))), ['DataReceived', 'StreamEnded']);
});

Flow('DATA past the connection receive window is a FLOW_CONTROL_ERROR for the connection', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  const chunk = new Uint8Array(16384);
  conn.receiveData(concat(peer.data(1, chunk), peer.data(1, chunk), peer.data(1, chunk), peer.data(1, chunk.subarray(0, 16383))));
  assert.is(conn.inboundFlowControlWindow, 0);
  throwsError(() => conn.receiveData(peer.data(1, 'xx')), FlowControlError);
  peer.read(conn.dataToSend()).expectGoAway(1, E.FLOW_CONTROL_ERROR).expectNone();
});

Flow('incrementFlowControlWindow sends WINDOW_UPDATE for the connection or a stream', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  conn.incrementFlowControlWindow(1000);
  conn.incrementFlowControlWindow(2000, { streamId: 1 });
  peer.read(conn.dataToSend()).expectWindowUpdate(0, 1000).expectWindowUpdate(1, 2000).expectNone();
  assert.is(conn.inboundFlowControlWindow, 66535);
  assert.is(conn.remoteFlowControlWindow(1), 66535);
});

Flow('incrementFlowControlWindow accepts only 1 … 2^31-1 and never past the maximum window', () => {
  const { conn } = serverPair();
  throwsError(() => conn.incrementFlowControlWindow(0), RangeError);
  throwsError(() => conn.incrementFlowControlWindow(2 ** 31), RangeError);
  throwsError(() => conn.incrementFlowControlWindow(2 ** 31 - 1), FlowControlError);
});

Flow('acknowledging half the window sends WINDOW_UPDATEs for the stream and the connection', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  const chunk = new Uint8Array(16384);
  conn.receiveData(concat(peer.data(1, chunk), peer.data(1, chunk)));
  conn.acknowledgeReceivedData(16384, 1);
  assert.is(conn.dataToSend().length, 0);
  conn.acknowledgeReceivedData(16384, 1);
  peer.read(conn.dataToSend()).expectWindowUpdate(0, 32768).expectWindowUpdate(1, 32768).expectNone();
  assert.is(conn.remoteFlowControlWindow(1), 65535);
});

Flow('acknowledging data of a closed stream updates only the connection window', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  const chunk = new Uint8Array(16384);
  conn.receiveData(concat(peer.data(1, chunk), peer.data(1, chunk, { endStream: true })));
  conn.sendHeaders(1, RESPONSE, { endStream: true });
  conn.dataToSend();
  conn.acknowledgeReceivedData(32768, 1);
  peer.read(conn.dataToSend()).expectWindowUpdate(0, 32768).expectNone();
});

Flow('acknowledging data of a closed and forgotten stream updates only the connection window', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  const chunk = new Uint8Array(16384);
  conn.receiveData(concat(peer.data(1, chunk), peer.data(1, chunk), peer.data(1, chunk.subarray(0, 7232), { endStream: true })));
  conn.sendHeaders(1, RESPONSE, { endStream: true });
  assert.is(conn.openInboundStreams, 0);
  assert.not.ok(conn.streams.has(1));
  conn.dataToSend();
  conn.acknowledgeReceivedData(40000, 1);
  peer.read(conn.dataToSend()).expectWindowUpdate(0, 40000).expectNone();
});

Flow('acknowledgeReceivedData checks its arguments', () => {
  const { conn } = serverPair();
  throwsError(() => conn.acknowledgeReceivedData(10, 0), RangeError);
  throwsError(() => conn.acknowledgeReceivedData(-1, 1), RangeError);
});

Flow('DATA on a stream we reset still opens the connection window (h2 #1210)', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  conn.resetStream(1, ErrorCodes.CANCEL);
  conn.dataToSend();
  const chunk = new Uint8Array(16384);
  conn.receiveData(concat(peer.data(1, chunk), peer.data(1, chunk)));
  peer.read(conn.dataToSend()).expectRstStream(1, E.STREAM_CLOSED).expectWindowUpdate(0, 32768).expectRstStream(1, E.STREAM_CLOSED).expectNone();
  assert.is(conn.inboundFlowControlWindow, 65535);
});

Flow('DATA on a half-closed (remote) stream resets it with STREAM_CLOSED and reports the reset once', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
  const events = conn.receiveData(peer.data(1, 'late'));
  assert.equal(types(events), ['StreamReset']);
  assert.is((events[0] as StreamReset).errorCode, ErrorCodes.STREAM_CLOSED);
  peer.read(conn.dataToSend()).expectRstStream(1, E.STREAM_CLOSED).expectNone();
  assert.equal(types(conn.receiveData(peer.data(1, 'later'))), []);
  peer.read(conn.dataToSend()).expectRstStream(1, E.STREAM_CLOSED).expectNone();
});

Flow('our INITIAL_WINDOW_SIZE applies to stream receive windows once acknowledged', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  conn.updateSettings({ [S.INITIAL_WINDOW_SIZE]: 1000 });
  assert.is(conn.remoteFlowControlWindow(1), 65535);
  conn.receiveData(peer.settingsAck());
  assert.is(conn.remoteFlowControlWindow(1), 1000);
  conn.receiveData(peer.headers(3, REQUEST));
  assert.is(conn.remoteFlowControlWindow(3), 1000);
  assert.is(conn.inboundFlowControlWindow, 65535);
});

Flow('window queries on forgotten streams are StreamClosedError', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
  conn.sendHeaders(1, RESPONSE, { endStream: true });
  assert.is(conn.openInboundStreams, 0);
  throwsError(() => conn.localFlowControlWindow(1), StreamClosedError);
  throwsError(() => conn.remoteFlowControlWindow(1), StreamClosedError);
});

/** A server with stream 1 open whose receive windows (stream and connection) were emptied by DATA. */
function emptiedWindow(): ReturnType<typeof serverPair> {
  const pair = serverPair();
  pair.conn.receiveData(pair.peer.headers(1, REQUEST));
  const chunk = new Uint8Array(16384);
  pair.conn.receiveData(concat(pair.peer.data(1, chunk), pair.peer.data(1, chunk), pair.peer.data(1, chunk), pair.peer.data(1, chunk.subarray(0, 16383))));
  assert.is(pair.conn.remoteFlowControlWindow(1), 0);
  pair.conn.dataToSend();
  return pair;
}

Flow('acknowledging small chunks, or nothing, sends no WINDOW_UPDATE', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(concat(peer.headers(1, REQUEST), peer.data(1, new Uint8Array(1000))));
  conn.acknowledgeReceivedData(0, 1);
  for (let i = 0; i < 10; i++) conn.acknowledgeReceivedData(100, 1);
  assert.is(conn.dataToSend().length, 0);
});

Flow('acknowledging data on a stream never seen is NoSuchStreamError', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  const chunk = new Uint8Array(16384);
  conn.receiveData(concat(peer.data(1, chunk), peer.data(1, chunk), peer.data(1, chunk.subarray(0, 7232))));
  throwsError(() => conn.acknowledgeReceivedData(40000, 101), NoSuchStreamError);
  // As in h2, nothing is queued: the error is raised before the connection's WINDOW_UPDATE.
  assert.is(conn.dataToSend().length, 0);
});

Flow('with the windows empty, acknowledging more than 1024 octets reopens both at once', () => {
  const rand = mulberry32(1025);
  for (let i = 0; i < 12; i++) {
    const increment = 1025 + rand.int(65535 - 1025);
    const { conn, peer } = emptiedWindow();
    conn.acknowledgeReceivedData(increment, 1);
    peer.read(conn.dataToSend()).expectWindowUpdate(0, increment).expectWindowUpdate(1, increment).expectNone();
  }
});

Flow('with only the connection window empty, acknowledging reopens only the connection', () => {
  const rand = mulberry32(4);
  for (let i = 0; i < 8; i++) {
    const increment = 1025 + rand.int(16383 - 1025);
    const { conn, peer } = serverPair();
    conn.receiveData(concat(peer.headers(1, REQUEST), peer.headers(3, REQUEST), peer.headers(5, REQUEST), peer.headers(7, REQUEST)));
    const quarter = new Uint8Array(16383);
    conn.receiveData(concat(peer.data(1, quarter), peer.data(3, quarter), peer.data(5, quarter), peer.data(7, quarter), peer.data(7, new Uint8Array(3))));
    assert.is(conn.inboundFlowControlWindow, 0);
    conn.dataToSend();
    conn.acknowledgeReceivedData(increment, 1);
    peer.read(conn.dataToSend()).expectWindowUpdate(0, increment).expectNone();
  }
});

Flow('after a manual connection increment, acknowledging reopens only the stream', () => {
  const rand = mulberry32(937);
  for (let i = 0; i < 8; i++) {
    const increment = 1025 + rand.int(65535 - 1025);
    const { conn, peer } = emptiedWindow();
    conn.incrementFlowControlWindow(65535);
    conn.dataToSend();
    conn.acknowledgeReceivedData(increment, 1);
    peer.read(conn.dataToSend()).expectWindowUpdate(1, increment).expectNone();
  }
});

Flow('DATA on a reset stream is credited in batches, as h2 does (test_send_update_on_closed_streams)', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST);
  conn.resetStream(1);
  conn.dataToSend();
  assert.is(conn.openOutboundStreams, 0);
  const body = peer.data(1, new Uint8Array(13500));
  assert.equal(conn.receiveData(concat(body, body, body)), []);
  peer.read(conn.dataToSend()).expectRstStream(1, E.STREAM_CLOSED).expectRstStream(1, E.STREAM_CLOSED).expectWindowUpdate(0, 40500).expectRstStream(1, E.STREAM_CLOSED).expectNone();
  assert.equal(conn.receiveData(peer.data(1, '')), []);
  peer.read(conn.dataToSend()).expectRstStream(1, E.STREAM_CLOSED).expectNone();
});

Flow('a connection WINDOW_UPDATE lets a blocked sender continue', () => {
  const { conn, peer } = clientPair({}, { [S.INITIAL_WINDOW_SIZE]: 100000 });
  conn.sendHeaders(1, REQUEST);
  const chunk = new Uint8Array(16384);
  for (let i = 0; i < 3; i++) conn.sendData(1, chunk);
  conn.sendData(1, chunk.subarray(0, 16383));
  assert.is(conn.localFlowControlWindow(1), 0);
  throwsError(() => conn.sendData(1, new Uint8Array(1)), FlowControlError);
  conn.receiveData(peer.windowUpdate(0, 10));
  assert.is(conn.localFlowControlWindow(1), 10);
  conn.sendData(1, new Uint8Array(10));
});

Flow('a stream WINDOW_UPDATE lets a blocked stream continue', () => {
  const { conn, peer } = clientPair({}, { [S.INITIAL_WINDOW_SIZE]: 10 });
  conn.sendHeaders(1, REQUEST);
  conn.sendData(1, new Uint8Array(10));
  throwsError(() => conn.sendData(1, new Uint8Array(1)), FlowControlError);
  conn.receiveData(peer.windowUpdate(1, 5));
  conn.sendData(1, new Uint8Array(5));
  assert.is(conn.localFlowControlWindow(1), 0);
});

Flow('a larger peer INITIAL_WINDOW_SIZE grows stream windows but the connection window still caps sending', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST);
  conn.receiveData(peer.settings({ [S.INITIAL_WINDOW_SIZE]: 200000 }));
  assert.is(conn.streams.get(1)!.outboundFlowControlWindow, 200000);
  assert.is(conn.localFlowControlWindow(1), 65535);
});

Flow('incrementing a stream receive window past 2^31-1 is a FlowControlError', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  throwsError(() => conn.incrementFlowControlWindow(2 ** 31 - 1, { streamId: 1 }), FlowControlError);
});

Flow('a refused window increment leaves the window unchanged, and acknowledgeReceivedData rejects what is not a size', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  conn.dataToSend();
  throwsError(() => conn.incrementFlowControlWindow(2 ** 31 - 1), FlowControlError);
  assert.is(conn.inboundFlowControlWindow, 65535);
  throwsError(() => conn.incrementFlowControlWindow(2 ** 31 - 1, { streamId: 1 }), FlowControlError);
  assert.is(conn.remoteFlowControlWindow(1), 65535);
  assert.is(conn.bufferedAmount, 0);
  const nan = throwsError(() => conn.acknowledgeReceivedData(Number.NaN, 1), RangeError);
  assert.match(nan.message, 'integer');
  throwsError(() => conn.acknowledgeReceivedData(1.5, 1), RangeError);
  assert.match(throwsError(() => conn.acknowledgeReceivedData(-1, 1), RangeError).message, 'negative');
  throwsError(() => conn.acknowledgeReceivedData(65535, 99), NoSuchStreamError);
  conn.acknowledgeReceivedData(1, 1);
  assert.is(conn.bufferedAmount, 0);
});

Flow('resetStream and closeConnection reject error codes outside 0 … 2^32-1 instead of wrapping them', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST);
  conn.dataToSend();
  for (const code of [2 ** 32, -1, 1.5, Number.NaN]) {
    throwsError(() => conn.resetStream(1, code), RangeError);
    throwsError(() => conn.closeConnection({ errorCode: code }), RangeError);
  }
  assert.is(conn.bufferedAmount, 0);
  conn.resetStream(1, 0xffffffff);
  peer.read(conn.dataToSend()).expectRstStream(1, 0xffffffff).expectNone();
});

Flow.run();
