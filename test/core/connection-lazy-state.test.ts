/**
 * The state an idle connection does not allocate until it is needed (the streams map, the memory of how
 * forgotten streams closed, the settings lists shared between connections, queued control frames, the
 * HPACK tables): each lazy path behaves exactly as it would have with the state made up front.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { H2Configuration, H2Connection, ProtocolError, SettingCodes, Settings, StreamClosedError } from '../../src/core';
import type { RemoteSettingsChanged, RequestReceived } from '../../src/core';
import { E, S } from '../support/peer';
import { REQUEST, RESPONSE, serverPair, throwsError, types } from '../support/h2-connection';

const Lazy = suite('lazily allocated connection state');

Lazy('the streams map read on an idle connection is the live map the first stream enters', () => {
  const { conn, peer } = serverPair();
  const streams = conn.streams;
  assert.is(streams.size, 0);
  const events = conn.receiveData(peer.headers(1, REQUEST));
  assert.equal(types(events), ['RequestReceived']);
  assert.is((events[0] as RequestReceived).streamId, 1);
  assert.is(streams.size, 1);
  assert.is(streams.get(1), conn.streams.get(1));
  assert.is(conn.openInboundStreams, 1);
});

Lazy('the first stream after an idle period (peer SETTINGS changing the window first) gets the new window', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.settings({ [S.INITIAL_WINDOW_SIZE]: 100, [S.MAX_FRAME_SIZE]: 20000 }));
  conn.receiveData(peer.headers(1, REQUEST));
  assert.is(conn.localFlowControlWindow(1), 100);
  assert.is(conn.streams.get(1)?.maxOutboundFrameSize, 20000);
});

Lazy('the first stream to close is remembered once forgotten: its HEADERS are a STREAM_CLOSED error', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
  conn.sendHeaders(1, RESPONSE, { endStream: true });
  conn.dataToSend();
  assert.is(conn.openInboundStreams, 0);
  assert.is(conn.streams.size, 0);
  const err = throwsError(() => conn.receiveData(peer.headers(1, REQUEST)), ProtocolError);
  assert.is(err.errorCode, E.STREAM_CLOSED);
});

Lazy('a stream reset first, then forgotten, is remembered as reset: its DATA get RST_STREAM STREAM_CLOSED', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  conn.resetStream(1);
  peer.read(conn.dataToSend()).expectRstStream(1, E.NO_ERROR).expectNone();
  assert.is(conn.openInboundStreams, 0);
  assert.equal(conn.receiveData(peer.data(1, 'late')), []);
  peer.read(conn.dataToSend()).expectRstStream(1, E.STREAM_CLOSED).expectNone();
});

Lazy('a stream refused before any stream opened is remembered as reset by us', () => {
  const { conn, peer } = serverPair({ maxConcurrentStreams: 0 });
  assert.equal(conn.receiveData(peer.headers(1, REQUEST)), []);
  peer.read(conn.dataToSend()).expectRstStream(1, E.REFUSED_STREAM).expectNone();
  assert.is(conn.streams.size, 0);
  assert.equal(conn.receiveData(peer.data(1, 'late')), []);
  peer.read(conn.dataToSend()).expectRstStream(1, E.STREAM_CLOSED).expectNone();
  throwsError(() => conn.sendData(1, new Uint8Array(1)), StreamClosedError);
});

Lazy('settings built from the same initial values change independently', () => {
  const a = new Settings(false, { [SettingCodes.MAX_CONCURRENT_STREAMS]: 50 });
  const b = new Settings(false, { [SettingCodes.MAX_CONCURRENT_STREAMS]: 50 });
  a.set(SettingCodes.MAX_CONCURRENT_STREAMS, 10);
  a.acknowledge();
  a.delete(SettingCodes.ENABLE_PUSH);
  assert.is(a.maxConcurrentStreams, 10);
  assert.is(a.get(SettingCodes.ENABLE_PUSH), undefined);
  assert.is(b.maxConcurrentStreams, 50);
  assert.is(b.get(SettingCodes.ENABLE_PUSH), 0);
  assert.ok(b.equals(new Settings(false, { [SettingCodes.MAX_CONCURRENT_STREAMS]: 50 })));
});

Lazy('connections with the same configuration keep their own settings, before and after the peer acknowledges', () => {
  const config = { maxConcurrentStreams: 7 };
  const one = serverPair(config);
  const two = serverPair(config);
  one.conn.updateSettings({ [S.MAX_CONCURRENT_STREAMS]: 3 });
  assert.is(one.conn.localSettings.maxConcurrentStreams, 7);
  one.conn.receiveData(one.peer.settingsAck());
  assert.is(one.conn.localSettings.maxConcurrentStreams, 3);
  assert.is(two.conn.localSettings.maxConcurrentStreams, 7);
  // The peer's settings: read before and after the peer's SETTINGS, each connection its own.
  assert.is(one.conn.remoteSettings.initialWindowSize, 65535);
  one.conn.receiveData(one.peer.settings({ [S.INITIAL_WINDOW_SIZE]: 1000 }));
  assert.is(one.conn.remoteSettings.initialWindowSize, 1000);
  assert.is(two.conn.remoteSettings.initialWindowSize, 65535);
  assert.is(new H2Connection(new H2Configuration({ clientSide: false, maxConcurrentStreams: 7 })).localSettings.maxConcurrentStreams, 7);
});

Lazy('configurations with the same limits keep their own options; different limits stay apart', () => {
  const a = new H2Configuration({ clientSide: false, maxConcurrentStreams: 9, oversizedRequestStatus: 431 });
  const b = new H2Configuration({ clientSide: false, maxConcurrentStreams: 9, oversizedRequestStatus: 431 });
  a.clientSide = true;
  a.splitOutboundCookies = true;
  a.validateInboundHeaders = false;
  assert.equal([a.clientSide, a.splitOutboundCookies, a.validateInboundHeaders, a.normalizeInboundHeaders], [true, true, false, true]);
  assert.equal([b.clientSide, b.splitOutboundCookies, b.validateInboundHeaders, b.normalizeInboundHeaders], [false, false, true, true]);
  assert.equal([a.maxConcurrentStreams, a.oversizedRequestStatus, a.maxHeaderBlockSize], [9, 431, 131072]);
  const c = new H2Configuration({ maxConcurrentStreams: 10, maxHeaderListSize: 1000 });
  assert.equal([c.maxConcurrentStreams, c.oversizedRequestStatus, c.maxHeaderBlockSize, b.maxConcurrentStreams], [10, null, 2000, 9]);
  // Limits are read-only: they were read when a connection was built.
  throwsError(() => ((a as unknown as { maxConcurrentStreams: number }).maxConcurrentStreams = 1), TypeError);
  assert.is(b.maxConcurrentStreams, 9);
});

Lazy('a configuration without a logger logs nothing; one given a logger later logs', () => {
  const lines: string[] = [];
  const quiet = new H2Configuration({ clientSide: false });
  assert.is(quiet.hasLogger, false);
  quiet.logger = { debug: (m: string) => lines.push(m), trace: () => undefined };
  assert.is(quiet.hasLogger, true);
  assert.is(new H2Configuration().hasLogger, false);
  new H2Connection(quiet).initiateConnection();
  assert.ok(lines.length > 0);
});

Lazy('a stream\'s receive window before and after its first DATA, an increment, or a change of our INITIAL_WINDOW_SIZE', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.concat(peer.headers(1, REQUEST), peer.headers(3, REQUEST), peer.headers(5, REQUEST)));
  assert.is(conn.streams.get(1)?.inboundFlowControlWindow, 65535);
  // Stream 1: a manual increment before any DATA.
  conn.incrementFlowControlWindow(1000, { streamId: 1 });
  peer.read(conn.dataToSend()).expectWindowUpdate(1, 1000).expectNone();
  assert.is(conn.streams.get(1)?.inboundFlowControlWindow, 66535);
  // Our INITIAL_WINDOW_SIZE lowered (applied on the ACK) before any DATA on streams 3 and 5.
  conn.updateSettings({ [S.INITIAL_WINDOW_SIZE]: 100 });
  peer.read(conn.dataToSend()).expectSettings({ [S.INITIAL_WINDOW_SIZE]: 100 }).expectNone();
  conn.receiveData(peer.settingsAck());
  assert.equal([1, 3, 5].map((id) => conn.streams.get(id)?.inboundFlowControlWindow), [66535 - 65435, 100, 100]);
  // Stream 3: its first DATA consumes the window, the acknowledgement hands it back.
  const events = conn.receiveData(peer.data(3, new Uint8Array(60)));
  assert.equal(types(events), ['DataReceived']);
  assert.is(conn.remoteFlowControlWindow(3), 40);
  conn.acknowledgeReceivedData(60, 3);
  peer.read(conn.dataToSend()).expectWindowUpdate(3, 60).expectNone();
  assert.is(conn.streams.get(3)?.inboundFlowControlWindow, 100);
  // Stream 5: a first DATA past the window is a stream error FLOW_CONTROL_ERROR.
  conn.receiveData(peer.data(5, new Uint8Array(101)));
  peer.read(conn.dataToSend()).expectRstStream(5, E.FLOW_CONTROL_ERROR);
});

Lazy('control frames queued after every earlier one was taken count from zero toward the limit again', () => {
  const { conn, peer } = serverPair({ maxQueuedControlFrames: 3 });
  for (let round = 0; round < 3; round++) {
    conn.receiveData(peer.concat(peer.ping(), peer.ping(), peer.ping()));
    // Part of the output taken: the first PING ACK (17 octets) is out, two remain queued.
    assert.is(conn.dataToSend(17).length, 17);
    conn.receiveData(peer.ping());
    peer.read(conn.dataToSend()).expectPing({ ack: true }).expectPing({ ack: true }).expectPing({ ack: true }).expectNone();
  }
  conn.receiveData(peer.concat(peer.ping(), peer.ping(), peer.ping()));
  const err = throwsError(() => conn.receiveData(peer.ping()), ProtocolError);
  assert.is(err.errorCode, E.ENHANCE_YOUR_CALM);
});

Lazy('the connection\'s receive window before and after an increment and its first DATA', () => {
  const { conn, peer } = serverPair();
  assert.is(conn.inboundFlowControlWindow, 65535);
  conn.incrementFlowControlWindow(100);
  peer.read(conn.dataToSend()).expectWindowUpdate(0, 100).expectNone();
  assert.is(conn.inboundFlowControlWindow, 65635);
  const { conn: other, peer: otherPeer } = serverPair();
  other.receiveData(otherPeer.headers(1, REQUEST));
  other.receiveData(otherPeer.concat(otherPeer.data(1, new Uint8Array(16_000)), otherPeer.data(1, new Uint8Array(16_000)), otherPeer.data(1, new Uint8Array(8_000))));
  assert.equal([other.inboundFlowControlWindow, other.remoteFlowControlWindow(1)], [25535, 25535]);
  other.acknowledgeReceivedData(40_000, 1);
  otherPeer.read(other.dataToSend()).expectWindowUpdate(0, 40_000).expectWindowUpdate(1, 40_000).expectNone();
  assert.is(other.inboundFlowControlWindow, 65535);
});

Lazy('a peer\'s first setting changes only its own connection: others keep the RFC defaults they share', () => {
  // Server side: a client peer that sent no setting allows push (ENABLE_PUSH defaults to 1).
  const quiet = serverPair();
  const strict = serverPair({}, { [S.ENABLE_PUSH]: 0, [S.INITIAL_WINDOW_SIZE]: 10 });
  const fresh = serverPair();
  for (const { conn, peer } of [quiet, strict, fresh]) conn.receiveData(peer.headers(1, REQUEST));
  quiet.conn.pushStream(1, 2, REQUEST);
  fresh.conn.pushStream(1, 2, REQUEST);
  throwsError(() => strict.conn.pushStream(1, 2, REQUEST), ProtocolError);
  assert.equal([quiet, strict, fresh].map(({ conn }) => conn.localFlowControlWindow(1)), [65535, 10, 65535]);
  // The first change reports the default it replaced.
  const events = quiet.conn.receiveData(quiet.peer.settings({ [S.MAX_FRAME_SIZE]: 20000 }));
  assert.equal(types(events), ['RemoteSettingsChanged']);
  const changed = (events[0] as RemoteSettingsChanged).changedSettings.get(S.MAX_FRAME_SIZE);
  assert.equal([changed?.originalValue, changed?.newValue], [16384, 20000]);
  assert.equal([quiet.conn.maxOutboundFrameSize, fresh.conn.maxOutboundFrameSize], [20000, 16384]);
  // Read from outside before the peer sent any: its own object, changed by the peer's SETTINGS later.
  const client = new H2Connection(new H2Configuration({ clientSide: true }));
  const seen = client.remoteSettings;
  assert.is(seen.enablePush, 0);
  client.initiateConnection();
  client.receiveData(quiet.peer.settings({ [S.MAX_CONCURRENT_STREAMS]: 5 }));
  assert.is(seen.maxConcurrentStreams, 5);
  assert.is(new H2Connection(new H2Configuration({ clientSide: true })).remoteSettings.maxConcurrentStreams, 2 ** 32 + 1);
});

Lazy('a receive window opened before any DATA keeps the larger target its WINDOW_UPDATE heuristic uses', () => {
  const { conn, peer } = serverPair();
  conn.incrementFlowControlWindow(100_000);
  conn.receiveData(peer.headers(1, REQUEST));
  conn.incrementFlowControlWindow(100_000, { streamId: 1 });
  peer.read(conn.dataToSend()).expectWindowUpdate(0, 100_000).expectWindowUpdate(1, 100_000).expectNone();
  conn.receiveData(peer.concat(peer.data(1, new Uint8Array(16_000)), peer.data(1, new Uint8Array(16_000)), peer.data(1, new Uint8Array(8_000))));
  assert.equal([conn.inboundFlowControlWindow, conn.remoteFlowControlWindow(1)], [125_535, 125_535]);
  // 40 000 processed is less than half of either target (165 535): no WINDOW_UPDATE yet.
  conn.acknowledgeReceivedData(40_000, 1);
  peer.read(conn.dataToSend()).expectNone();
  conn.receiveData(peer.data(1, new Uint8Array(16_000)));
  conn.receiveData(peer.data(1, new Uint8Array(16_000)));
  conn.receiveData(peer.data(1, new Uint8Array(16_000)));
  conn.acknowledgeReceivedData(48_000, 1);
  peer.read(conn.dataToSend()).expectWindowUpdate(0, 88_000).expectWindowUpdate(1, 88_000).expectNone();
});

Lazy.run();
