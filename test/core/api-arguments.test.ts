/**
 * Plain-JavaScript callers (src/core/options-check.ts): every public method of H2Connection and
 * H2Configuration that takes an options object refuses anything else, and refuses unknown keys with
 * the camelCase name they probably meant; no refused call changes the connection.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { H2Configuration, H2Connection, OutputLogger, SettingCodes } from '../../src/core';
import type { H2ConfigurationOptions } from '../../src/core';
import { REQUEST, clientPair, serverPair, throwsError } from '../support/h2-connection';
import type { Pair } from '../support/h2-connection';

const Api = suite('api arguments');

/** One method taking an options object. */
interface Row {
  /** `Class.method`, as the error names it. */
  name: string;
  /** A connection in which a valid call succeeds. */
  pair: () => Pair;
  /** Calls the method with `options` in the options position. */
  call: (conn: H2Connection, options: unknown) => void;
  /** A key in h2's snake_case (or another case) and the option it means. */
  misspelt: [string, string];
}

const openServer = (): Pair => {
  const pair = serverPair();
  pair.conn.receiveData(pair.peer.headers(1, REQUEST));
  pair.conn.dataToSend();
  return pair;
};

const openClient = (): Pair => {
  const pair = clientPair();
  pair.conn.sendHeaders(1, REQUEST);
  pair.conn.dataToSend();
  return pair;
};

const ROWS: Row[] = [
  { name: 'H2Connection.sendHeaders', pair: clientPair, call: (c, o) => c.sendHeaders(1, REQUEST, o as never), misspelt: ['end_stream', 'endStream'] },
  { name: 'H2Connection.sendHeaders', pair: clientPair, call: (c, o) => c.sendHeaders(1, REQUEST, o as never), misspelt: ['priority_weight', 'priorityWeight'] },
  { name: 'H2Connection.sendData', pair: openClient, call: (c, o) => c.sendData(1, new Uint8Array(3), o as never), misspelt: ['pad_length', 'padLength'] },
  { name: 'H2Connection.sendData', pair: openClient, call: (c, o) => c.sendData(1, new Uint8Array(3), o as never), misspelt: ['endstream', 'endStream'] },
  { name: 'H2Connection.incrementFlowControlWindow', pair: openClient, call: (c, o) => c.incrementFlowControlWindow(500, o as never), misspelt: ['stream_id', 'streamId'] },
  { name: 'H2Connection.closeConnection', pair: clientPair, call: (c, o) => c.closeConnection(o as never), misspelt: ['error_code', 'errorCode'] },
  { name: 'H2Connection.closeConnection', pair: clientPair, call: (c, o) => c.closeConnection(o as never), misspelt: ['last_stream_id', 'lastStreamId'] },
  { name: 'H2Connection.closeConnection', pair: clientPair, call: (c, o) => c.closeConnection(o as never), misspelt: ['additional_data', 'additionalData'] },
  { name: 'H2Connection.advertiseAlternativeService', pair: openServer, call: (c, o) => c.advertiseAlternativeService('h2=":8000"', (o === undefined ? { streamId: 1 } : o) as never), misspelt: ['stream_id', 'streamId'] },
  { name: 'H2Connection.prioritize', pair: clientPair, call: (c, o) => c.prioritize(1, o as never), misspelt: ['depends_on', 'dependsOn'] },
];

/** What a plain-JS caller may put where an options object belongs by mistake. */
const NOT_OPTIONS: unknown[] = [true, false, 1, 11, 0, 'endStream', null, [], [['endStream', true]], () => ({})];

Api('every method that takes an options object refuses anything else with a TypeError naming it, and changes nothing', () => {
  let checked = 0;
  for (const row of ROWS) {
    for (const bad of NOT_OPTIONS) {
      const { conn, peer } = row.pair();
      const err = throwsError(() => row.call(conn, bad), TypeError);
      assert.ok(err.message.startsWith(row.name + ':'), `${row.name}(${String(bad)}): ${err.message}`);
      assert.is(conn.dataToSend().length, 0, `${row.name}(${String(bad)}) queued bytes`);
      row.call(conn, undefined); // the same call, well formed, still works
      assert.ok(peer.read(conn.dataToSend()).drain().length > 0);
      checked++;
    }
  }
  assert.is(checked, ROWS.length * NOT_OPTIONS.length);
});

Api('an unknown option key is a TypeError that suggests the camelCase name', () => {
  for (const row of ROWS) {
    const [key, meant] = row.misspelt;
    const { conn } = row.pair();
    const err = throwsError(() => row.call(conn, { [key]: 1 }), TypeError);
    assert.match(err.message, `${row.name}: unknown option "${key}"; did you mean ${meant}?`);
    assert.is(conn.dataToSend().length, 0);
  }
  const err = throwsError(() => clientPair().conn.closeConnection({ code: 1 } as never), TypeError);
  assert.match(err.message, 'known options: errorCode, additionalData, lastStreamId');
});

Api('the calls of the defect report are refused instead of misread', () => {
  const { conn } = openClient();
  throwsError(() => conn.incrementFlowControlWindow(500, 1 as never), TypeError);
  throwsError(() => conn.closeConnection(11 as never), TypeError);
  throwsError(() => clientPair().conn.sendHeaders(1, REQUEST, true as never), TypeError);
  const err = throwsError(() => new H2Configuration({ client_side: false } as never), TypeError);
  assert.match(err.message, 'did you mean clientSide?');
  assert.is(conn.dataToSend().length, 0);
});

Api('boolean options must be booleans: endStream "yes" does not mean false', () => {
  throwsError(() => clientPair().conn.sendHeaders(1, REQUEST, { endStream: 'yes' as never }), TypeError);
  throwsError(() => openClient().conn.sendData(1, new Uint8Array(1), { endStream: 1 as never }), TypeError);
  throwsError(() => new OutputLogger(() => {}, { traceLevel: 'yes' as never }), TypeError);
});

Api('H2Configuration refuses a non-object, and every h2 snake_case option name with its camelCase name', () => {
  for (const bad of [true, 1, 'client', null, []]) throwsError(() => new H2Configuration(bad as never), TypeError);
  // The options are the configuration's own fields and its accessors (the limits are read-only ones;
  // hasLogger is derived, not an option).
  const config = new H2Configuration();
  const accessors = Object.entries(Object.getOwnPropertyDescriptors(H2Configuration.prototype)).filter(([n, d]) => d.get !== undefined && n !== 'hasLogger');
  const names = [...Object.keys(config), ...accessors.map(([n]) => n)];
  assert.ok(names.length >= 20);
  for (const name of names) {
    const snake = name.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
    new H2Configuration({ [name]: undefined } as H2ConfigurationOptions); // the camelCase name is known
    if (snake === name) continue;
    const err = throwsError(() => new H2Configuration({ [snake]: undefined } as never), TypeError);
    assert.match(err.message, `H2Configuration: unknown option "${snake}"; did you mean ${name}?`);
  }
  throwsError(() => new OutputLogger(() => {}, { trace_level: true } as never), TypeError);
  throwsError(() => new OutputLogger(() => {}, 1 as never), TypeError);
});

Api('H2Configuration refuses a logger without debug() and trace()', () => {
  for (const bad of [{}, { debug() {} }, 'console', 1]) throwsError(() => new H2Configuration({ logger: bad as never }), TypeError);
  assert.ok(new H2Configuration({ logger: null }).logger);
});

Api('updateSettings refuses a non-record and names instead of setting codes, before queueing anything', () => {
  for (const bad of [5, 'x', null, true, []]) {
    const { conn } = clientPair();
    const err = throwsError(() => conn.updateSettings(bad as never), TypeError);
    assert.match(err.message, 'H2Connection.updateSettings');
    assert.is(conn.dataToSend().length, 0);
  }
  for (const key of ['maxConcurrentStreams', 'MAX_CONCURRENT_STREAMS', 'SETTINGS_MAX_CONCURRENT_STREAMS']) {
    const err = throwsError(() => clientPair().conn.updateSettings({ [key]: 5 } as never), TypeError);
    assert.match(err.message, 'did you mean [SettingCodes.MAX_CONCURRENT_STREAMS]?');
  }
  const { conn } = clientPair();
  conn.updateSettings({ [SettingCodes.MAX_CONCURRENT_STREAMS]: 5 });
  conn.updateSettings(new Map([[SettingCodes.MAX_CONCURRENT_STREAMS, 6]]));
  assert.ok(conn.dataToSend().length > 0);
});

Api('initiateUpgradeConnection refuses a settings header that is neither a string nor octets, before changing state', () => {
  const conn = new H2Connection(new H2Configuration({ clientSide: false }));
  throwsError(() => conn.initiateUpgradeConnection(123 as never), TypeError);
  assert.is(conn.dataToSend().length, 0);
  conn.initiateUpgradeConnection('AAMAAABkAAQAAP__');
  assert.ok(conn.dataToSend().length > 0);
});

Api('incrementFlowControlWindow checks its streamId option like every stream ID', () => {
  const { conn } = openClient();
  throwsError(() => conn.incrementFlowControlWindow(500, { streamId: '1' as never }), RangeError);
  throwsError(() => conn.incrementFlowControlWindow(500, { streamId: -1 }), RangeError);
  conn.incrementFlowControlWindow(500, { streamId: 1 });
  assert.ok(conn.dataToSend().length > 0);
});

Api('dataToSend(null) takes everything, as h2\'s None does, and a non-number amount is a TypeError', () => {
  const { conn } = clientPair();
  conn.ping(new Uint8Array(8));
  throwsError(() => conn.dataToSend('5' as never), TypeError);
  assert.is(conn.dataToSend(null).length, 17);
  assert.is(conn.dataToSend(null).length, 0);
});

Api.run();
