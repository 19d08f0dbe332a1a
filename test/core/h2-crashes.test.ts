/**
 * Where h2 4.4.1 crashes (IndexError, AssertionError) or half-applies a refused call, h2flow answers
 * cleanly (test/support/oracle/differences.ts: index-error-crashes, window-overflow-atomic,
 * update-settings-atomic, acknowledge-unknown-stream). Each refused call leaves nothing behind.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { H2Configuration } from '../../src/core/config';
import { FlowControlError, InvalidSettingsValueError, NoSuchStreamError, ProtocolError } from '../../src/core/exceptions';
import { SettingCodes } from '../../src/core/settings';
import { H2Stream } from '../../src/core/stream';
import { StreamState } from '../../src/core/stream-state';
import { Encoder } from '../../src/hpack/index';
import { LARGEST_FLOW_CONTROL_WINDOW } from '../../src/core/windows';
import { REQUEST, clientPair, serverPair, throwsError } from '../support/h2-connection';

const Crashes = suite('where h2 crashes');

Crashes('an empty encoded header block still goes out as one HEADERS frame', () => {
  const { conn, peer } = clientPair({ validateOutboundHeaders: false });
  conn.sendHeaders(1, [], { endStream: true });
  const frame = peer.read(conn.dataToSend()).nextHeaders({ streamId: 1, endStream: true });
  assert.equal(frame.headers, []);
  assert.is(peer.pending, 0);
});

Crashes('pushing on an idle parent stream is a ProtocolError that closes it', () => {
  const parent = new H2Stream(1, new H2Configuration({ clientSide: false }), 65535, 65535);
  throwsError(() => parent.pushStreamInBand(2, REQUEST, new Encoder()), ProtocolError);
  assert.is(parent.stateMachine.state, StreamState.CLOSED);
});

Crashes('a refused window increment leaves the window as it was', () => {
  const { conn } = serverPair();
  const before = conn.inboundFlowControlWindow;
  conn.incrementFlowControlWindow(LARGEST_FLOW_CONTROL_WINDOW - before);
  throwsError(() => conn.incrementFlowControlWindow(1), FlowControlError);
  assert.is(conn.inboundFlowControlWindow, LARGEST_FLOW_CONTROL_WINDOW);
});

Crashes('updateSettings with one invalid entry changes no setting and sends nothing', () => {
  const { conn } = clientPair();
  throwsError(() => conn.updateSettings({ [SettingCodes.MAX_CONCURRENT_STREAMS]: 5, [SettingCodes.ENABLE_PUSH]: 2 }), InvalidSettingsValueError);
  assert.is(conn.dataToSend().length, 0);
  assert.is(conn.localSettings.get(SettingCodes.MAX_CONCURRENT_STREAMS), 100);
});

Crashes('acknowledging data on a stream that never existed counts nothing against the connection window', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  for (let i = 0; i < 3; i++) conn.receiveData(peer.data(1, new Uint8Array(16000)));
  throwsError(() => conn.acknowledgeReceivedData(48000, 101), NoSuchStreamError);
  assert.is(conn.dataToSend().length, 0);
  // The bytes are still owed: acknowledged on their own stream, the connection window reopens by all of them.
  conn.acknowledgeReceivedData(48000, 1);
  const updates = peer.read(conn.dataToSend()).drain().filter((f) => f.typeName === 'WINDOW_UPDATE' && f.streamId === 0);
  assert.equal(updates.map((f) => f.windowIncrement), [48000]);
});

Crashes.run();
