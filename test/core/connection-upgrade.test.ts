/**
 * h2c upgrade (RFC 7540 §3.2) on both sides, and the base64url codec of the HTTP2-Settings header.
 * Ports h2's test_h2_upgrade topics.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { H2Configuration, H2Connection, ProtocolError, StreamClosedError, StreamState } from '../../src/core';
import type { ResponseReceived } from '../../src/core';
import { base64urlDecode, base64urlEncode } from '../../src/core/base64url';
import { SettingsFrame } from '../../src/frame';
import { E, S, TestPeer } from '../support/peer';
import { REQUEST, RESPONSE, throwsError, types } from '../support/h2-connection';
import { concat, latin1 } from '../support/bytes';
import { mulberry32 } from '../support/prng';

const Upgrade = suite('h2c upgrade');

function upgradedClient(): { conn: H2Connection; header: string; peer: TestPeer } {
  const conn = new H2Connection(new H2Configuration({ clientSide: true }));
  const header = conn.initiateUpgradeConnection()!;
  return { conn, header, peer: new TestPeer('server') };
}

function upgradedServer(header?: string): { conn: H2Connection; peer: TestPeer } {
  const conn = new H2Connection(new H2Configuration({ clientSide: false }));
  assert.is(conn.initiateUpgradeConnection(header), null);
  return { conn, peer: new TestPeer('client') };
}

Upgrade('base64url round-trips every length, without padding, and accepts padding on input', () => {
  const rand = mulberry32(7);
  for (let n = 0; n < 40; n++) {
    const data = rand.bytes(n);
    const text = base64urlEncode(data);
    assert.not.ok(/[=+/]/.test(text));
    assert.equal(base64urlDecode(text), data);
    const padded = text + '='.repeat((4 - (text.length % 4)) % 4);
    assert.equal(base64urlDecode(padded), data);
  }
  assert.is(base64urlEncode(latin1('\xfb\xff')), '-_8');
  assert.is(base64urlDecode('a'), null);
  assert.is(base64urlDecode('ab+c'), null);
  assert.is(base64urlDecode('ab=c'), null);
});

Upgrade('a client returns its SETTINGS payload as base64url for the HTTP2-Settings header', () => {
  const { conn, header } = upgradedClient();
  const payload = base64urlDecode(header)!;
  const f = new SettingsFrame(0);
  f.parseBody(payload);
  assert.equal([...f.settings], [...conn.localSettings]);
});

Upgrade('a client emits the preface and SETTINGS after the upgrade', () => {
  const { conn } = upgradedClient();
  const out = conn.dataToSend();
  assert.equal(out.subarray(0, 24), latin1('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
  new TestPeer('server').read(out).expectSettings().expectNone();
});

Upgrade('an upgraded client has stream 1 half-closed (local) and receives the response on it', () => {
  const { conn, peer } = upgradedClient();
  conn.dataToSend();
  assert.is(conn.streams.get(1)!.stateMachine.state, StreamState.HALF_CLOSED_LOCAL);
  const events = conn.receiveData(concat(peer.settings(), peer.headers(1, RESPONSE), peer.data(1, 'ok', { endStream: true })));
  assert.equal(types(events), ['RemoteSettingsChanged', 'ResponseReceived', 'DataReceived', 'StreamEnded']);
  assert.equal((events[1] as ResponseReceived).headers, RESPONSE);
  assert.is(conn.getNextAvailableStreamId(), 3);
});

Upgrade('an upgraded client can receive a push on stream 1', () => {
  const { conn, peer } = upgradedClient();
  const events = conn.receiveData(peer.pushPromise(1, 2, REQUEST));
  assert.equal(types(events), ['PushedStreamReceived']);
});

Upgrade('an upgraded client cannot send headers or data on stream 1', () => {
  const { conn } = upgradedClient();
  throwsError(() => conn.sendHeaders(1, REQUEST), ProtocolError);
  const other = upgradedClient().conn;
  throwsError(() => other.sendData(1, latin1('x')), ProtocolError);
});

Upgrade('a server applies the client settings of the header without acknowledging them', () => {
  const client = new H2Connection(new H2Configuration({ clientSide: true }));
  client.updateSettings({ [S.MAX_FRAME_SIZE]: 20000 });
  const header = base64urlEncode(new SettingsFrame(0, { settings: { [S.MAX_FRAME_SIZE]: 20000, [S.ENABLE_PUSH]: 0 } }).serialize().subarray(9));
  const { conn, peer } = upgradedServer(header);
  assert.is(conn.remoteSettings.maxFrameSize, 20000);
  assert.is(conn.maxOutboundFrameSize, 20000);
  assert.is(conn.remoteSettings.enablePush, 0);
  peer.read(conn.dataToSend()).expectSettings().expectNone();
});

Upgrade('a server accepts a padded header and one given as octets', () => {
  const payload = new SettingsFrame(0, { settings: { [S.INITIAL_WINDOW_SIZE]: 1000 } }).serialize().subarray(9);
  const text = base64urlEncode(payload);
  const { conn } = upgradedServer(text + '='.repeat((4 - (text.length % 4)) % 4));
  assert.is(conn.remoteSettings.initialWindowSize, 1000);
  const bytes = new H2Connection(new H2Configuration({ clientSide: false }));
  bytes.initiateUpgradeConnection(latin1(text));
  assert.is(bytes.remoteSettings.initialWindowSize, 1000);
});

Upgrade('a server rejects an HTTP2-Settings header that is not base64url or not SETTINGS', () => {
  const a = new H2Connection(new H2Configuration({ clientSide: false }));
  throwsError(() => a.initiateUpgradeConnection('!!!!'), ProtocolError);
  const b = new H2Connection(new H2Configuration({ clientSide: false }));
  throwsError(() => b.initiateUpgradeConnection(base64urlEncode(latin1('12345'))), ProtocolError);
});

Upgrade('an upgraded server has stream 1 half-closed (remote) and responds on it', () => {
  const { conn, peer } = upgradedServer();
  conn.receiveData(peer.greeting());
  conn.dataToSend();
  assert.is(conn.streams.get(1)!.stateMachine.state, StreamState.HALF_CLOSED_REMOTE);
  conn.sendHeaders(1, RESPONSE);
  conn.sendData(1, latin1('hi'), { endStream: true });
  peer.read(conn.dataToSend()).expectHeaders({ streamId: 1, headers: RESPONSE }).expectData(1, 'hi', { endStream: true }).expectNone();
  assert.is(conn.openInboundStreams, 0);
});

Upgrade('an upgraded server can push on stream 1', () => {
  const { conn, peer } = upgradedServer();
  conn.receiveData(peer.greeting());
  conn.dataToSend();
  conn.pushStream(1, 2, REQUEST);
  peer.read(conn.dataToSend()).expectPushPromise({ streamId: 1, promisedStreamId: 2 }).expectNone();
});

Upgrade('an upgraded server answers headers or data on stream 1 with RST_STREAM STREAM_CLOSED', () => {
  const { conn, peer } = upgradedServer();
  conn.receiveData(peer.greeting());
  conn.dataToSend();
  conn.receiveData(peer.headers(1, REQUEST));
  peer.read(conn.dataToSend()).expectRstStream(1, E.STREAM_CLOSED).expectNone();
  const other = upgradedServer();
  other.conn.receiveData(other.peer.greeting());
  other.conn.dataToSend();
  other.conn.receiveData(other.peer.data(1, 'x'));
  other.peer.read(other.conn.dataToSend()).expectRstStream(1, E.STREAM_CLOSED).expectNone();
  throwsError(() => other.conn.sendHeaders(1, RESPONSE), StreamClosedError);
});

Upgrade.run();
