/**
 * The SETTINGS a session opens with, as a scripted peer sees them on the wire: one SETTINGS frame
 * carrying the configured values precedes anything else, and the ACK of the peer's SETTINGS follows.
 * Peers that read the first SETTINGS as the endpoint's values (and conformance suites expecting the ACK
 * next) were confused by a second frame.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_LIMITS, SettingCodes as S } from '../../src/core';
import { H2Session, type H2Settings } from '../../src/streams';
import { duplexPair, settle } from '../support/duplex-pair';
import { WirePeer } from '../support/wire-peer';

const Initial = suite('initial SETTINGS');

const SETTINGS: H2Settings = { initialWindowSize: 1 << 20, maxConcurrentStreams: 10, maxFrameSize: 32768, headerTableSize: 8192 };

for (const role of ['client', 'server'] as const) {
  Initial(`a ${role} session sends exactly one SETTINGS frame, carrying its configured values, before anything else`, async () => {
    const [a, b] = duplexPair();
    const settings: H2Settings = role === 'client' ? { ...SETTINGS, enablePush: false } : SETTINGS;
    const session = new H2Session(a, { role, settings });
    const wire = new WirePeer(b, role === 'client' ? 'server' : 'client');
    await settle();
    const first = wire.peer.drain();
    assert.ok(first.length >= 1);
    assert.is(first[0]!.typeName, 'SETTINGS');
    assert.is(first[0]!.flags, 0);
    const values = new Map(first[0]!.settings);
    assert.is(values.get(S.INITIAL_WINDOW_SIZE), 1 << 20);
    assert.is(values.get(S.MAX_CONCURRENT_STREAMS), 10);
    assert.is(values.get(S.MAX_FRAME_SIZE), 32768);
    assert.is(values.get(S.HEADER_TABLE_SIZE), 8192);
    assert.is(values.get(S.MAX_HEADER_LIST_SIZE), DEFAULT_LIMITS.maxHeaderListSize);
    if (role === 'client') assert.is(values.get(S.ENABLE_PUSH), 0);
    // Nothing else the session sends before the peer's SETTINGS is a SETTINGS frame (the connection
    // window's WINDOW_UPDATE may follow).
    assert.equal(first.slice(1).map((f) => f.typeName), first.length > 1 ? ['WINDOW_UPDATE'] : []);
    // The peer's SETTINGS: the next frame is its ACK.
    await wire.send(wire.peer.greeting({ [S.MAX_CONCURRENT_STREAMS]: 5 }));
    await settle();
    wire.peer.expectSettingsAck().expectNone();
    // One ACK from the peer settles the one frame: a later update is acknowledged by the next ACK.
    await wire.send(wire.peer.settingsAck());
    await settle();
    assert.is(session.connection.localSettings.initialWindowSize, 1 << 20);
    const update = session.updateSettings({ maxConcurrentStreams: 20 });
    await settle();
    wire.peer.expectSettings({ [S.MAX_CONCURRENT_STREAMS]: 20 }).expectNone();
    await wire.send(wire.peer.settingsAck());
    await update;
    assert.is(session.connection.localSettings.maxConcurrentStreams, 20);
    await session.close({ graceful: false });
  });
}

Initial('a session without settings still sends one SETTINGS frame with the core defaults', async () => {
  const [a, b] = duplexPair();
  const session = new H2Session(a, { role: 'client' });
  const wire = new WirePeer(b, 'server');
  await settle();
  const frames = wire.peer.drain();
  assert.equal(frames.filter((f) => f.typeName === 'SETTINGS').length, 1);
  assert.is(new Map(frames[0]!.settings).get(S.MAX_CONCURRENT_STREAMS), DEFAULT_LIMITS.maxConcurrentStreams);
  await session.close({ graceful: false });
});

Initial.run();
