/**
 * Settings and configuration: the Settings store (current vs pending values, validation, equality),
 * SETTINGS exchange on a connection, and H2Configuration's options. Ports h2's test_settings and
 * test_config topics.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ChangedSetting,
  DEFAULT_LIMITS,
  DummyLogger,
  ErrorCodes,
  H2Configuration,
  H2Connection,
  InvalidSettingsValueError,
  OutputLogger,
  ProtocolError,
  RemoteSettingsChanged,
  SettingCodes,
  SettingsAcknowledged,
  Settings,
} from '../../src/core';
import { E, S, TestPeer } from '../support/peer';
import { REQUEST, clientPair, serverPair, throwsError, types } from '../support/h2-connection';
import { concat } from '../support/bytes';
import { mulberry32 } from '../support/prng';

const Config = suite('settings and configuration');

Config('Settings start at the RFC defaults; ENABLE_PUSH follows the role', () => {
  const client = new Settings(true);
  assert.is(client.headerTableSize, 4096);
  assert.is(client.enablePush, 1);
  assert.is(client.initialWindowSize, 65535);
  assert.is(client.maxFrameSize, 16384);
  assert.is(client.enableConnectProtocol, 0);
  assert.is(client.maxConcurrentStreams, 2 ** 32 + 1);
  assert.is(client.maxHeaderListSize, null);
  assert.is(new Settings(false).enablePush, 0);
  assert.equal([...client.keys()], [1, 2, 4, 5, 8]);
});

Config('initial values become current values and are validated', () => {
  const s = new Settings(true, { [SettingCodes.MAX_CONCURRENT_STREAMS]: 50, [SettingCodes.MAX_FRAME_SIZE]: 32768 });
  assert.is(s.maxConcurrentStreams, 50);
  assert.is(s.maxFrameSize, 32768);
  const err = throwsError(() => new Settings(true, { [SettingCodes.MAX_FRAME_SIZE]: 1 }), InvalidSettingsValueError);
  assert.is(err.errorCode, ErrorCodes.PROTOCOL_ERROR);
});

Config('a new value is pending until acknowledged, then reported as a ChangedSetting', () => {
  const s = new Settings();
  s.initialWindowSize = 100;
  s.set(SettingCodes.MAX_CONCURRENT_STREAMS, 7);
  assert.is(s.initialWindowSize, 65535);
  assert.is(s.get(SettingCodes.MAX_CONCURRENT_STREAMS), undefined);
  const changes = s.acknowledge();
  assert.is(changes.size, 2);
  const iws = changes.get(SettingCodes.INITIAL_WINDOW_SIZE)!;
  assert.instance(iws, ChangedSetting);
  assert.is(iws.originalValue, 65535);
  assert.is(iws.newValue, 100);
  assert.is(changes.get(SettingCodes.MAX_CONCURRENT_STREAMS)!.originalValue, null);
  assert.is(s.initialWindowSize, 100);
  assert.is(s.acknowledge().size, 0);
});

Config('newestMap holds what newestEntries yields, in the same order: the newest pending value, else the current one', () => {
  const s = new Settings(false, { [SettingCodes.MAX_CONCURRENT_STREAMS]: 50 });
  s.headerTableSize = 1000;
  s.headerTableSize = 2000;
  s.set(SettingCodes.ENABLE_CONNECT_PROTOCOL, 1);
  const map = s.newestMap();
  assert.equal([...map], [...s.newestEntries()]);
  assert.is(map.get(SettingCodes.HEADER_TABLE_SIZE), 2000);
  assert.is(map.get(SettingCodes.MAX_CONCURRENT_STREAMS), 50);
  assert.is(map.get(SettingCodes.ENABLE_CONNECT_PROTOCOL), 1);
  assert.is.not(s.newestMap(), map, 'a new map each time (the frame owns it)');
});

Config('connections made with one configuration each have their own local settings, from its values', () => {
  const config = new H2Configuration({ clientSide: false, maxConcurrentStreams: 7, maxHeaderListSize: 12345 });
  const a = new H2Connection(config);
  const b = new H2Connection(config);
  assert.is.not(a.localSettings, b.localSettings);
  a.localSettings.initialWindowSize = 1000;
  a.localSettings.acknowledge();
  assert.is(a.localSettings.initialWindowSize, 1000);
  assert.is(b.localSettings.initialWindowSize, 65535, 'a change on one connection reaches no other');
  const c = new H2Connection(config);
  assert.is(c.localSettings.initialWindowSize, 65535, 'nor a later one');
  for (const conn of [a, b, c]) {
    assert.is(conn.localSettings.maxConcurrentStreams, 7);
    assert.is(conn.localSettings.maxHeaderListSize, 12345);
    assert.is(conn.localSettings.enablePush, 0, 'a server\'s defaults');
  }
  // Another configuration's values are its own.
  const d = new H2Connection(new H2Configuration({ clientSide: true, maxConcurrentStreams: 3 }));
  assert.is(d.localSettings.maxConcurrentStreams, 3);
  assert.is(d.localSettings.enablePush, 1);
  assert.is(new H2Connection(config).localSettings.maxConcurrentStreams, 7);
});

Config('a configuration whose side changed gives later connections that side\'s defaults', () => {
  const config = new H2Configuration({ clientSide: false, maxConcurrentStreams: 7 });
  assert.is(new H2Connection(config).localSettings.enablePush, 0);
  config.clientSide = true;
  const client = new H2Connection(config).localSettings;
  assert.is(client.enablePush, 1);
  assert.is(client.maxConcurrentStreams, 7);
});

Config('past the shared-list cache, connections of one configuration still have independent local settings', () => {
  // More distinct configurations than the cache of shared lists holds: the later ones' lists are unshared.
  const configs = Array.from({ length: 80 }, (_, i) => new H2Configuration({ clientSide: false, maxConcurrentStreams: 1000 + i }));
  for (const config of configs) new H2Connection(config);
  const last = configs[configs.length - 1]!;
  const a = new H2Connection(last);
  const b = new H2Connection(last);
  a.localSettings.maxFrameSize = 32768;
  a.localSettings.acknowledge();
  assert.is(a.localSettings.maxFrameSize, 32768);
  assert.is(b.localSettings.maxFrameSize, 16384);
  assert.is(new H2Connection(last).localSettings.maxFrameSize, 16384);
  assert.is(b.localSettings.maxConcurrentStreams, 1079);
});

Config('several pending values of one setting are applied one acknowledgement at a time', () => {
  const s = new Settings();
  s.headerTableSize = 1000;
  s.headerTableSize = 2000;
  s.acknowledge();
  assert.is(s.headerTableSize, 1000);
  s.acknowledge();
  assert.is(s.headerTableSize, 2000);
});

Config('invalid values are rejected with the error code the RFC gives them', () => {
  const s = new Settings();
  const cases: [number, number, number][] = [
    [SettingCodes.ENABLE_PUSH, 2, ErrorCodes.PROTOCOL_ERROR],
    [SettingCodes.INITIAL_WINDOW_SIZE, 2 ** 31, ErrorCodes.FLOW_CONTROL_ERROR],
    [SettingCodes.MAX_FRAME_SIZE, 16383, ErrorCodes.PROTOCOL_ERROR],
    [SettingCodes.MAX_FRAME_SIZE, 2 ** 24, ErrorCodes.PROTOCOL_ERROR],
    [SettingCodes.MAX_HEADER_LIST_SIZE, -1, ErrorCodes.PROTOCOL_ERROR],
    [SettingCodes.ENABLE_CONNECT_PROTOCOL, 2, ErrorCodes.PROTOCOL_ERROR],
  ];
  for (const [code, value, errorCode] of cases) {
    const err = throwsError(() => s.set(code, value), InvalidSettingsValueError);
    assert.is(err.errorCode, errorCode, `setting ${code} = ${value}`);
  }
  s.set(SettingCodes.MAX_FRAME_SIZE, 16777215);
  s.set(0x99, 12345);
  s.set(SettingCodes.HEADER_TABLE_SIZE, 2 ** 32 - 1);
});

Config('a server may only send ENABLE_PUSH 0', () => {
  const fromServer = new Settings(false);
  throwsError(() => fromServer.validateReceivedSetting(SettingCodes.ENABLE_PUSH, 1), InvalidSettingsValueError);
  fromServer.validateReceivedSetting(SettingCodes.ENABLE_PUSH, 0);
  new Settings(true).validateReceivedSetting(SettingCodes.ENABLE_PUSH, 1);
});

Config('Settings compare equal on current and pending values', () => {
  const a = new Settings();
  const b = new Settings();
  assert.ok(a.equals(b));
  a.maxFrameSize = 20000;
  assert.not.ok(a.equals(b));
  b.maxFrameSize = 20000;
  assert.ok(a.equals(b));
  assert.not.ok(new Settings(true).equals(new Settings(false)));
});

Config('current values read back as a model of set, acknowledge and delete predicts, for known and unknown codes', () => {
  const rand = mulberry32(6);
  const codes = [1, 2, 3, 4, 5, 6, 8, 9, 15, 16, 0x20, 0xffff];
  const valid = (code: number): number => (code === 2 || code === 8 ? rand.int(2) : code === 5 ? 16384 + rand.int(1000) : rand.int(100000));
  const s = new Settings(true);
  const model = new Map<number, (number | null)[]>([[1, [4096]], [2, [1]], [4, [65535]], [5, [16384]], [8, [0]]]);
  for (let i = 0; i < 3000; i++) {
    const code = rand.pick(codes);
    const op = rand.int(10);
    if (op < 5) {
      const value = valid(code);
      s.set(code, value);
      const q = model.get(code);
      if (q === undefined) model.set(code, [null, value]);
      else q.push(value);
    } else if (op < 8) {
      s.acknowledge();
      for (const q of model.values()) if (q.length > 1) q.shift();
    } else if (op === 8) {
      s.delete(code);
      model.delete(code);
    }
    for (const c of codes) {
      const expected = model.get(c)?.[0] ?? undefined;
      assert.is(s.get(c), expected === null ? undefined : expected, `code ${c} after step ${i}`);
      assert.is(s.has(c), expected !== null && expected !== undefined);
    }
  }
});

Config('ChangedSetting prints like h2', () => {
  assert.is(String(new ChangedSetting(SettingCodes.MAX_FRAME_SIZE, 16384, 32768)), 'ChangedSetting(setting=SettingCodes.MAX_FRAME_SIZE, original_value=16384, new_value=32768)');
  assert.is(String(new ChangedSetting(0x99, null, 1)), 'ChangedSetting(setting=153, original_value=null, new_value=1)');
});

Config('updateSettings sends only the new values, which apply when the peer acknowledges', () => {
  const { conn, peer } = clientPair();
  conn.updateSettings({ [S.MAX_FRAME_SIZE]: 32768, [S.HEADER_TABLE_SIZE]: 1024 });
  const frames = peer.read(conn.dataToSend()).drain();
  assert.equal(frames[0]!.settings, [[S.HEADER_TABLE_SIZE, 1024], [S.MAX_FRAME_SIZE, 32768]]);
  assert.is(conn.maxInboundFrameSize, 16384);
  conn.receiveData(peer.settingsAck());
  assert.is(conn.maxInboundFrameSize, 32768);
  assert.is(conn.localSettings.headerTableSize, 1024);
  assert.is(conn.decoder.maxAllowedTableSize, 1024);
});

Config('a larger acknowledged MAX_FRAME_SIZE lets larger frames in', () => {
  const { conn, peer } = serverPair();
  conn.updateSettings({ [S.MAX_FRAME_SIZE]: 32768 });
  conn.receiveData(concat(peer.settingsAck(), peer.headers(1, REQUEST)));
  const events = conn.receiveData(peer.data(1, new Uint8Array(20000)));
  assert.equal(types(events), ['DataReceived']);
});

Config('an invalid value from updateSettings throws, sends nothing and queues none of the values', () => {
  const { conn, peer } = clientPair();
  throwsError(() => conn.updateSettings({ [S.MAX_CONCURRENT_STREAMS]: 5, [S.ENABLE_PUSH]: 3 }), InvalidSettingsValueError);
  assert.is(conn.dataToSend().length, 0);
  conn.updateSettings({ [S.HEADER_TABLE_SIZE]: 100 });
  const ack = conn.receiveData(peer.settingsAck())[0] as SettingsAcknowledged;
  assert.equal([...ack.changedSettings.keys()], [S.HEADER_TABLE_SIZE]);
  assert.is(conn.localSettings.maxConcurrentStreams, 100);
});

Config('the peer MAX_FRAME_SIZE and HEADER_TABLE_SIZE apply to what we send', () => {
  const { conn, peer } = clientPair({}, { [S.MAX_FRAME_SIZE]: 20000, [S.HEADER_TABLE_SIZE]: 0 });
  assert.is(conn.maxOutboundFrameSize, 20000);
  assert.is(conn.encoder.headerTableSize, 0);
  conn.sendHeaders(1, REQUEST);
  conn.sendData(1, new Uint8Array(20000));
  peer.read(conn.dataToSend()).expectHeaders().expectData(1).expectNone();
});

Config('an invalid setting from the peer is a connection error with that setting\'s code', () => {
  const { conn, peer } = clientPair();
  const err = throwsError(() => conn.receiveData(peer.settings({ [S.MAX_FRAME_SIZE]: 100 })), InvalidSettingsValueError);
  assert.is(err.errorCode, ErrorCodes.PROTOCOL_ERROR);
  peer.read(conn.dataToSend()).expectGoAway(0, E.PROTOCOL_ERROR).expectNone();
  const server = serverPair();
  throwsError(() => server.conn.receiveData(server.peer.settings({ [S.ENABLE_PUSH]: 7 })), ProtocolError);
  const client = clientPair();
  throwsError(() => client.conn.receiveData(client.peer.settings({ [S.ENABLE_PUSH]: 1 })), InvalidSettingsValueError);
});

Config('unknown settings are accepted, reported and acknowledged', () => {
  const { conn, peer } = serverPair();
  const events = conn.receiveData(peer.settings({ 0x99: 5 }));
  const ev = events[0] as RemoteSettingsChanged;
  assert.is(ev.changedSettings.get(0x99)?.newValue, 5);
  assert.is(conn.remoteSettings.get(0x99), 5);
  peer.read(conn.dataToSend()).expectSettingsAck().expectNone();
});

Config('an empty SETTINGS is acknowledged with an empty change list', () => {
  const { conn, peer } = serverPair();
  const ev = conn.receiveData(peer.settings())[0] as RemoteSettingsChanged;
  assert.is(ev.changedSettings.size, 0);
  peer.read(conn.dataToSend()).expectSettingsAck().expectNone();
});

Config('H2Configuration defaults to h2 options and the documented limits', () => {
  const c = new H2Configuration();
  assert.ok(c.clientSide);
  assert.is(c.headerEncoding, null);
  assert.ok(c.validateOutboundHeaders);
  assert.ok(c.normalizeOutboundHeaders);
  assert.not.ok(c.splitOutboundCookies);
  assert.ok(c.validateInboundHeaders);
  assert.ok(c.normalizeInboundHeaders);
  assert.instance(c.logger, DummyLogger);
  assert.not.ok(c.hasLogger);
  assert.is(c.maxHeaderListSize, DEFAULT_LIMITS.maxHeaderListSize);
  assert.is(c.maxHeaderBlockSize, 2 * DEFAULT_LIMITS.maxHeaderListSize);
  assert.is(c.maxConcurrentStreams, 100);
  assert.is(c.maxClosedStreams, 65536);
  assert.is(c.maxContinuationFrames, 64);
  assert.is(c.maxQueuedControlFrames, 1000);
  assert.is(c.maxResetStreams, 1000);
  assert.is(c.maxEmptyFrames, 1000);
  assert.is(c.maxPriorityFrames, 10000);
  assert.is(c.maxUnknownFrames, 1000);
  assert.is(c.maxHeaderFields, 128);
  assert.is(c.maxSettingsEntries, 32);
  assert.is(c.outboundBufferSize, 1048576);
  assert.is(new H2Configuration({ maxHeaderListSize: 1000 }).maxHeaderBlockSize, 2000);
});

Config('boolean options reject non-booleans, at construction and on assignment', () => {
  for (const name of ['clientSide', 'validateOutboundHeaders', 'normalizeOutboundHeaders', 'splitOutboundCookies', 'validateInboundHeaders', 'normalizeInboundHeaders'] as const) {
    throwsError(() => new H2Configuration({ [name]: 'yes' as unknown as boolean }), TypeError);
    const c = new H2Configuration();
    throwsError(() => {
      (c as unknown as Record<string, unknown>)[name] = 1;
    }, TypeError);
    c[name] = false;
    assert.is(c[name], false);
  }
});

Config('headerEncoding accepts a name, false or null, and rejects true', () => {
  assert.is(new H2Configuration({ headerEncoding: 'utf-8' }).headerEncoding, 'utf-8');
  assert.is(new H2Configuration({ headerEncoding: false }).headerEncoding, false);
  throwsError(() => new H2Configuration({ headerEncoding: true as unknown as string }), TypeError);
  throwsError(() => new H2Configuration({ headerEncoding: 5 as unknown as string }), TypeError);
});

Config('limits must be non-negative integers', () => {
  throwsError(() => new H2Configuration({ maxConcurrentStreams: -1 }), RangeError);
  throwsError(() => new H2Configuration({ maxQueuedControlFrames: 1.5 }), RangeError);
  throwsError(() => new H2Configuration({ outboundBufferSize: Number.NaN }), RangeError);
  throwsError(() => new H2Configuration({ maxHeaderFields: 0 }), RangeError);
  throwsError(() => new H2Configuration({ maxUnknownFrames: 0 }), RangeError);
});

Config('a given logger receives debug and trace calls; the default builds nothing', () => {
  const lines: string[] = [];
  const logger = { debug: (m: string) => lines.push(`debug ${m}`), trace: (m: string) => lines.push(`trace ${m}`) };
  const config = new H2Configuration({ clientSide: false, logger });
  assert.ok(config.hasLogger);
  const conn = new H2Connection(config);
  conn.initiateConnection();
  const peer = new TestPeer('client');
  conn.receiveData(concat(peer.greeting(), peer.headers(1, REQUEST), peer.data(1, 'x', { endStream: true })));
  assert.ok(lines.some((l) => l.startsWith('debug')));
  assert.ok(lines.some((l) => l.startsWith('trace')));
  assert.ok(lines.some((l) => l.startsWith('debug Receive data on')), 'streams log through the same logger');
});

Config('the connection advertises and enforces configured limits in its first SETTINGS', () => {
  const conn = new H2Connection(new H2Configuration({ clientSide: false, maxConcurrentStreams: 7, maxHeaderListSize: 4096 }));
  conn.initiateConnection();
  new TestPeer('client').read(conn.dataToSend()).expectSettings({ [S.MAX_CONCURRENT_STREAMS]: 7, [S.MAX_HEADER_LIST_SIZE]: 4096 }).expectNone();
  assert.is(conn.decoder.maxHeaderListSize, 4096);
  assert.is(conn.localSettings.maxConcurrentStreams, 7);
});

Config('updateSettings rejects codes and values that would wrap on the wire, before queueing or changing anything', () => {
  const { conn, peer } = clientPair();
  const before = [...conn.localSettings.entries()];
  throwsError(() => conn.updateSettings({ [S.HEADER_TABLE_SIZE]: 2 ** 32 + 5 }), RangeError);
  throwsError(() => conn.updateSettings({ [S.MAX_CONCURRENT_STREAMS]: -1 }), RangeError);
  throwsError(() => conn.updateSettings({ [S.MAX_HEADER_LIST_SIZE]: 1.5 }), RangeError);
  throwsError(() => conn.updateSettings({ [0x10000]: 1 }), RangeError);
  throwsError(() => conn.updateSettings(new Map([[-1, 1]])), RangeError);
  // A value a known setting forbids keeps h2's InvalidSettingsValueError, with the RFC's code.
  const err = throwsError(() => conn.updateSettings({ [S.MAX_CONCURRENT_STREAMS]: 1, [S.INITIAL_WINDOW_SIZE]: 2 ** 32 }), InvalidSettingsValueError);
  assert.is(err.errorCode, E.FLOW_CONTROL_ERROR);
  assert.is(conn.bufferedAmount, 0);
  conn.receiveData(peer.settingsAck());
  assert.equal([...conn.localSettings.entries()], before);
  conn.updateSettings({ [S.HEADER_TABLE_SIZE]: 0xffffffff, [S.MAX_CONCURRENT_STREAMS]: 0 });
  const frame = peer.read(conn.dataToSend()).drain()[0]!;
  assert.equal(frame.settings, [[S.HEADER_TABLE_SIZE, 0xffffffff], [S.MAX_CONCURRENT_STREAMS, 0]]);
});

Config('OutputLogger writes h2-style debug lines to its sink, and trace lines only with traceLevel', () => {
  const lines: string[] = [];
  const logger = new OutputLogger((line) => lines.push(line));
  const conn = new H2Connection(new H2Configuration({ logger }));
  conn.initiateConnection();
  conn.sendHeaders(1, REQUEST);
  assert.ok(lines.includes('h2 (debug): Send headers on stream ID 1'), lines.join('\n'));
  assert.not.ok(lines.some((l) => l.startsWith('h2 (trace)')));
  logger.trace('frame %s of %d bytes, 100%%', 'DATA', 12.7);
  assert.is(lines.length, lines.filter((l) => l.startsWith('h2 (debug)')).length);
  logger.traceLevel = true;
  logger.trace('frame %s of %d bytes, 100%%', 'DATA', 12.7);
  logger.debug('missing %s and %d');
  assert.equal(lines.slice(-2), ['h2 (trace): frame DATA of 12 bytes, 100%', 'h2 (debug): missing %s and %d']);
  throwsError(() => new OutputLogger(undefined as unknown as (line: string) => void), TypeError);
});

Config("H2Connection carries h2's class constants with h2's values", () => {
  assert.is(H2Connection.HIGHEST_ALLOWED_STREAM_ID, 2 ** 31 - 1);
  assert.is(H2Connection.MAX_WINDOW_INCREMENT, 2 ** 31 - 1);
  assert.is(H2Connection.DEFAULT_MAX_HEADER_LIST_SIZE, 2 ** 16);
  assert.is(H2Connection.MAX_CLOSED_STREAMS, 2 ** 16);
  assert.is(H2Connection.DEFAULT_MAX_OUTBOUND_FRAME_SIZE, 65535);
  assert.is(H2Connection.DEFAULT_MAX_INBOUND_FRAME_SIZE, 2 ** 24);
  assert.is(DEFAULT_LIMITS.maxHeaderListSize, H2Connection.DEFAULT_MAX_HEADER_LIST_SIZE);
  assert.is(DEFAULT_LIMITS.maxClosedStreams, H2Connection.MAX_CLOSED_STREAMS);
});

Config('a setting with only a pending value reads as undefined (h2 raises KeyError for settings[key])', () => {
  const settings = new Settings(true);
  settings.set(0x99, 7);
  assert.is(settings.get(0x99), undefined);
  assert.not.ok(settings.has(0x99));
  settings.acknowledge();
  assert.is(settings.get(0x99), 7);
});

for (const clientSide of [true, false]) {
  const role = clientSide ? 'client' : 'server';
  Config(`settings set before initiateConnection go out in the one initial SETTINGS frame and apply on its ACK (${role})`, () => {
    const conn = new H2Connection(new H2Configuration({ clientSide }));
    conn.localSettings.update({ [S.INITIAL_WINDOW_SIZE]: 1000, [S.MAX_CONCURRENT_STREAMS]: 7 });
    // Set twice: only the newest value is advertised, and the one ACK applies it.
    conn.localSettings.update({ [S.MAX_FRAME_SIZE]: 20000 });
    conn.localSettings.update({ [S.MAX_FRAME_SIZE]: 32768 });
    conn.initiateConnection();
    const peer = new TestPeer(clientSide ? 'server' : 'client');
    const frames = peer.read(conn.dataToSend()).drain();
    assert.is(frames.length, 1);
    const sent = new Map(frames[0]!.settings);
    assert.is(sent.get(S.INITIAL_WINDOW_SIZE), 1000);
    assert.is(sent.get(S.MAX_CONCURRENT_STREAMS), 7);
    assert.is(sent.get(S.MAX_FRAME_SIZE), 32768);
    assert.is(sent.get(S.MAX_HEADER_LIST_SIZE), DEFAULT_LIMITS.maxHeaderListSize);
    // Until the peer acknowledges, our old values hold (RFC 9113 §6.5.3).
    assert.is(conn.localSettings.initialWindowSize, 65535);
    const events = conn.receiveData(concat(clientSide ? new Uint8Array(0) : peer.greeting(), peer.settings(), peer.settingsAck()));
    const acked = events.find((e) => e instanceof SettingsAcknowledged) as SettingsAcknowledged;
    assert.ok(acked !== undefined);
    assert.is(conn.localSettings.initialWindowSize, 1000);
    assert.is(conn.localSettings.maxConcurrentStreams, 7);
    assert.is(conn.localSettings.maxFrameSize, 32768);
    assert.is(conn.maxInboundFrameSize, 32768);
    assert.equal([...acked.changedSettings.keys()].sort(), [S.MAX_CONCURRENT_STREAMS, S.INITIAL_WINDOW_SIZE, S.MAX_FRAME_SIZE].sort());
  });
}

Config('initiateUpgradeConnection advertises settings set before it in HTTP2-Settings', () => {
  const conn = new H2Connection(new H2Configuration({ clientSide: true }));
  conn.localSettings.update({ [S.ENABLE_PUSH]: 0 });
  const header = conn.initiateUpgradeConnection() as string;
  const server = new H2Connection(new H2Configuration({ clientSide: false }));
  server.initiateUpgradeConnection(header);
  assert.is(server.remoteSettings.enablePush, 0);
});

Config.run();
