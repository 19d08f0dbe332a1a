/**
 * Events (fields, type tags, h2's reprs), exceptions (codes, hierarchy, messages) and error codes.
 * Ports h2's tests/test_events.py (Python ≥ 3.11 reprs) and tests/test_exceptions.py.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes, errorCodeName } from '../../src/core/errors';
import {
  AlternativeServiceAvailable,
  ConnectionTerminated,
  DataReceived,
  Event,
  fillEvent,
  type H2Event,
  type Header,
  InformationalResponseReceived,
  PingAckReceived,
  PingReceived,
  PriorityUpdated,
  PushedStreamReceived,
  RemoteSettingsChanged,
  RequestReceived,
  ResponseReceived,
  SettingsAcknowledged,
  StreamEnded,
  StreamReset,
  TrailersReceived,
  UnknownFrameReceived,
  WindowUpdated,
} from '../../src/core/events';
import {
  DenialOfServiceError,
  FlowControlError,
  FrameDataMissingError,
  FrameTooLargeError,
  H2Error,
  InvalidBodyLengthError,
  InvalidSettingsValueError,
  NoAvailableStreamIDError,
  NoSuchStreamError,
  ProtocolError,
  RFC1122Error,
  StreamClosedError,
  StreamIDTooLowError,
  TooManyStreamsError,
  UnsupportedFrameError,
} from '../../src/core/exceptions';
import { ChangedSetting } from '../../src/core/settings';
import { ExtensionFrame } from '../../src/frame/index';
import { mulberry32 } from '../support/prng';

const Events = suite('events and exceptions');
const enc = new TextEncoder();

const REQUEST_HEADERS: Header[] = [
  [':authority', 'example.com'],
  [':path', '/'],
  [':scheme', 'https'],
  [':method', 'GET'],
];
const INFORMATIONAL_HEADERS: Header[] = [
  [':status', '100'],
  ['server', 'fake-serv/0.1.0'],
];
const RESPONSE_HEADERS: Header[] = [
  [':status', '200'],
  ['server', 'fake-serv/0.1.0'],
];
const REQUEST_REPR = "[(':authority', 'example.com'), (':path', '/'), (':scheme', 'https'), (':method', 'GET')]";

// --- RemoteSettingsChanged.from_settings (h2: TestRemoteSettingsChanged, hypothesis → seeded) ---

function randomSettings(rng: ReturnType<typeof mulberry32>): Map<number, number> {
  const m = new Map<number, number>();
  const n = rng.int(8);
  for (let i = 0; i < n; i++) m.set(rng.int(2 ** 16), rng.int(2 ** 32));
  return m;
}

Events('settings missing from the old settings are reported with original value null', () => {
  const rng = mulberry32(1);
  for (let round = 0; round < 200; round++) {
    const fresh = randomSettings(rng);
    const e = RemoteSettingsChanged.fromSettings(new Map(), fresh);
    for (const [setting, value] of fresh) {
      const c = e.changedSettings.get(setting)!;
      assert.equal([c.setting, c.originalValue, c.newValue], [setting, null, value]);
    }
  }
});

Events('exactly the received settings are reported, each with its old and new value', () => {
  const rng = mulberry32(2);
  for (let round = 0; round < 200; round++) {
    const old = randomSettings(rng);
    const fresh = randomSettings(rng);
    if (round % 2 === 0) for (const k of [...old.keys()].slice(0, 2)) fresh.set(k, rng.int(100));
    const e = RemoteSettingsChanged.fromSettings(old, fresh);
    assert.equal([...e.changedSettings.keys()].sort(), [...fresh.keys()].sort());
    for (const [setting, value] of fresh) {
      const c = e.changedSettings.get(setting)!;
      assert.instance(c, ChangedSetting);
      assert.equal([c.originalValue, c.newValue], [old.get(setting) ?? null, value]);
    }
  }
});

Events('fromSettings also reads plain records', () => {
  const e = RemoteSettingsChanged.fromSettings({ 4: 65535 }, { 4: 100, 5: 16384 });
  assert.equal([...e.changedSettings.values()].map((c) => [c.setting, c.originalValue, c.newValue]), [[4, 65535, 100], [5, null, 16384]]);
});

// --- reprs (h2: TestEventReprs) ---

Events('RequestReceived, ResponseReceived, TrailersReceived and InformationalResponseReceived print their headers like h2', () => {
  assert.is(String(new RequestReceived({ streamId: 5, headers: REQUEST_HEADERS })), `<RequestReceived stream_id:5, headers:${REQUEST_REPR}>`);
  assert.is(
    String(new ResponseReceived({ streamId: 500, headers: RESPONSE_HEADERS })),
    "<ResponseReceived stream_id:500, headers:[(':status', '200'), ('server', 'fake-serv/0.1.0')]>",
  );
  assert.is(
    String(new TrailersReceived({ streamId: 62, headers: RESPONSE_HEADERS })),
    "<TrailersReceived stream_id:62, headers:[(':status', '200'), ('server', 'fake-serv/0.1.0')]>",
  );
  assert.is(
    String(new InformationalResponseReceived({ streamId: 62, headers: INFORMATIONAL_HEADERS })),
    "<InformationalResponseReceived stream_id:62, headers:[(':status', '100'), ('server', 'fake-serv/0.1.0')]>",
  );
});

Events('header reprs quote and escape like Python', () => {
  assert.is(String(new RequestReceived({ streamId: 1, headers: [["it's", 'a\\b\n\x01']] })), `<RequestReceived stream_id:1, headers:[("it's", 'a\\\\b\\n\\x01')]>`);
});

Events('DataReceived prints the hex of its first 20 bytes', () => {
  const e = new DataReceived({ streamId: 888, data: enc.encode('abcdefghijklmnopqrstuvwxyz'), flowControlledLength: 88 });
  assert.is(String(e), '<DataReceived stream_id:888, flow_controlled_length:88, data:6162636465666768696a6b6c6d6e6f7071727374>');
  assert.is(String(new DataReceived({ streamId: 1 })), '<DataReceived stream_id:1, flow_controlled_length:0, data:>');
});

Events('WindowUpdated, StreamEnded, StreamReset and PriorityUpdated print their fields like h2', () => {
  assert.is(String(new WindowUpdated({ streamId: 0, delta: 2 ** 16 })), '<WindowUpdated stream_id:0, delta:65536>');
  assert.is(String(new StreamEnded({ streamId: 99 })), '<StreamEnded stream_id:99>');
  assert.is(
    String(new StreamReset({ streamId: 919, errorCode: ErrorCodes.ENHANCE_YOUR_CALM, remoteReset: false })),
    '<StreamReset stream_id:919, error_code:11, remote_reset:False>',
  );
  assert.is(
    String(new PriorityUpdated({ streamId: 87, weight: 32, dependsOn: 8, exclusive: true })),
    '<PriorityUpdated stream_id:87, weight:32, depends_on:8, exclusive:True>',
  );
});

Events('the settings events print their ChangedSettings', () => {
  const changes = new Map([[4, new ChangedSetting(4, 2 ** 16, 2 ** 15)]]);
  const inner = String(changes.get(4));
  assert.match(inner, /^ChangedSetting\(setting=.*, original_value=65536, new_value=32768\)$/);
  assert.is(String(new RemoteSettingsChanged({ changedSettings: changes })), `<RemoteSettingsChanged changed_settings:{${inner}}>`);
  assert.is(String(new SettingsAcknowledged({ changedSettings: changes })), `<SettingsAcknowledged changed_settings:{${inner}}>`);
  assert.is(String(new SettingsAcknowledged()), '<SettingsAcknowledged changed_settings:{}>');
});

Events('the PING events print their data in hex', () => {
  assert.is(String(new PingReceived({ pingData: enc.encode('abcdefgh') })), '<PingReceived ping_data:6162636465666768>');
  assert.is(String(new PingAckReceived({ pingData: enc.encode('abcdefgh') })), '<PingAckReceived ping_data:6162636465666768>');
});

Events('PushedStreamReceived prints its stream IDs and headers', () => {
  const e = new PushedStreamReceived({ pushedStreamId: 50, parentStreamId: 11, headers: REQUEST_HEADERS });
  assert.is(String(e), `<PushedStreamReceived pushed_stream_id:50, parent_stream_id:11, headers:${REQUEST_REPR}>`);
});

Events('ConnectionTerminated prints None for empty debug data and hex otherwise', () => {
  for (const [data, repr] of [
    [null, 'None'],
    [new Uint8Array(0), 'None'],
    [enc.encode('some data'), '736f6d652064617461'],
  ] as const) {
    const e = new ConnectionTerminated({ errorCode: ErrorCodes.INADEQUATE_SECURITY, lastStreamId: 33, additionalData: data });
    assert.is(String(e), `<ConnectionTerminated error_code:12, last_stream_id:33, additional_data:${repr}>`);
  }
});

Events('AlternativeServiceAvailable prints origin and field value as text', () => {
  const e = new AlternativeServiceAvailable({ origin: enc.encode('example.com'), fieldValue: enc.encode('h2=":8000"; ma=60') });
  assert.is(String(e), '<AlternativeServiceAvailable origin:example.com, field_value:h2=":8000"; ma=60>');
  const bad = new AlternativeServiceAvailable({ origin: new Uint8Array([0x61, 0xff, 0x62, 0xc3]), fieldValue: new Uint8Array([0xe2, 0x82, 0xac]) });
  assert.is(String(bad), '<AlternativeServiceAvailable origin:ab, field_value:€>');
});

Events('UnknownFrameReceived prints no detail and carries the frame', () => {
  const frame = new ExtensionFrame(1, { type: 0xfa });
  const e = new UnknownFrameReceived({ frame });
  assert.is(String(e), '<UnknownFrameReceived>');
  assert.is(e.frame, frame);
});

// --- type tags ---

const ALL_EVENTS: H2Event[] = [
  new RequestReceived({ streamId: 1 }),
  new ResponseReceived({ streamId: 1 }),
  new TrailersReceived({ streamId: 1 }),
  new InformationalResponseReceived({ streamId: 1 }),
  new DataReceived({ streamId: 1 }),
  new WindowUpdated({ streamId: 1 }),
  new RemoteSettingsChanged(),
  new PingReceived({ pingData: new Uint8Array(8) }),
  new PingAckReceived({ pingData: new Uint8Array(8) }),
  new StreamEnded({ streamId: 1 }),
  new StreamReset({ streamId: 1 }),
  new PushedStreamReceived({ parentStreamId: 1 }),
  new SettingsAcknowledged(),
  new PriorityUpdated({ streamId: 1, weight: 16, dependsOn: 0, exclusive: false }),
  new ConnectionTerminated({ errorCode: 0, lastStreamId: 0 }),
  new AlternativeServiceAvailable(),
  new UnknownFrameReceived({ frame: new ExtensionFrame(0, { type: 0xfa }) }),
];

/** Narrows by `type`; the `never` default makes a missing case a compile error. */
function describe(e: H2Event): string {
  switch (e.type) {
    case 'RequestReceived':
    case 'ResponseReceived':
    case 'TrailersReceived':
    case 'InformationalResponseReceived':
      return `headers ${e.headers.length}`;
    case 'DataReceived':
      return `data ${e.flowControlledLength}`;
    case 'WindowUpdated':
      return `delta ${e.delta}`;
    case 'RemoteSettingsChanged':
    case 'SettingsAcknowledged':
      return `settings ${e.changedSettings.size}`;
    case 'PingReceived':
    case 'PingAckReceived':
      return `ping ${e.pingData.length}`;
    case 'StreamEnded':
      return `ended ${e.streamId}`;
    case 'StreamReset':
      return `reset ${e.errorCode} ${e.remoteReset}`;
    case 'PushedStreamReceived':
      return `push ${e.parentStreamId}`;
    case 'PriorityUpdated':
      return `priority ${e.weight}`;
    case 'ConnectionTerminated':
      return `goaway ${e.lastStreamId}`;
    case 'AlternativeServiceAvailable':
      return `altsvc ${e.fieldValue.length}`;
    case 'UnknownFrameReceived':
      return `unknown ${e.frame.type}`;
    default: {
      const never: never = e;
      return never;
    }
  }
}

Events('each of the 17 events is an Event whose type tag is its class name, and switch narrows on it', () => {
  assert.equal(ALL_EVENTS.map((e) => e.type), [
    'RequestReceived', 'ResponseReceived', 'TrailersReceived', 'InformationalResponseReceived', 'DataReceived',
    'WindowUpdated', 'RemoteSettingsChanged', 'PingReceived', 'PingAckReceived', 'StreamEnded', 'StreamReset',
    'PushedStreamReceived', 'SettingsAcknowledged', 'PriorityUpdated', 'ConnectionTerminated',
    'AlternativeServiceAvailable', 'UnknownFrameReceived',
  ]);
  for (const e of ALL_EVENTS) {
    assert.instance(e, Event);
    assert.type(describe(e), 'string');
  }
});

Events('events take h2 defaults for the fields the core fills later', () => {
  const r = new RequestReceived({ streamId: 3 });
  assert.equal([r.headers, r.streamEnded, r.priorityUpdated], [[], null, null]);
  const reset = new StreamReset({ streamId: 3 });
  assert.equal([reset.errorCode, reset.remoteReset], [0, true]);
  assert.is(new ConnectionTerminated({ errorCode: 0, lastStreamId: 0 }).additionalData, null);
});

Events('fillEvent sets lazily-known fields and related events', () => {
  const ended = new StreamEnded({ streamId: 3 });
  const priority = new PriorityUpdated({ streamId: 3, weight: 16, dependsOn: 0, exclusive: false });
  const r = fillEvent(new RequestReceived({ streamId: 3 }), { headers: REQUEST_HEADERS, streamEnded: ended, priorityUpdated: priority });
  assert.equal([r.headers, r.streamEnded, r.priorityUpdated], [REQUEST_HEADERS, ended, priority]);
});

// --- exceptions (h2: test_exceptions.py) and error codes ---

Events('StreamIDTooLowError prints like h2', () => {
  const x = new StreamIDTooLowError(5, 10);
  assert.is(String(x), 'StreamIDTooLowError: 5 is lower than 10');
  assert.equal([x.streamId, x.maxStreamId], [5, 10]);
});

Events('InvalidBodyLengthError prints like h2 and keeps both lengths', () => {
  const x = new InvalidBodyLengthError(10, 3);
  assert.is(String(x), 'InvalidBodyLengthError: Expected 10 bytes, received 3');
  assert.equal([x.expectedLength, x.actualLength], [10, 3]);
});

Events('every exception carries the error code h2 gives it', () => {
  const cases: [H2Error & { errorCode: number }, number][] = [
    [new ProtocolError(), ErrorCodes.PROTOCOL_ERROR],
    [new FrameTooLargeError(), ErrorCodes.FRAME_SIZE_ERROR],
    [new FrameDataMissingError(), ErrorCodes.FRAME_SIZE_ERROR],
    [new TooManyStreamsError(), ErrorCodes.PROTOCOL_ERROR],
    [new FlowControlError(), ErrorCodes.FLOW_CONTROL_ERROR],
    [new StreamIDTooLowError(1, 3), ErrorCodes.PROTOCOL_ERROR],
    [new NoAvailableStreamIDError(), ErrorCodes.PROTOCOL_ERROR],
    [new NoSuchStreamError(5), ErrorCodes.PROTOCOL_ERROR],
    [new StreamClosedError(5), ErrorCodes.STREAM_CLOSED],
    [new InvalidSettingsValueError('bad', ErrorCodes.FLOW_CONTROL_ERROR), ErrorCodes.FLOW_CONTROL_ERROR],
    [new InvalidBodyLengthError(1, 2), ErrorCodes.PROTOCOL_ERROR],
    [new UnsupportedFrameError(), ErrorCodes.PROTOCOL_ERROR],
    [new DenialOfServiceError(), ErrorCodes.ENHANCE_YOUR_CALM],
  ];
  assert.equal(cases.map(([err]) => err.name), [
    'ProtocolError', 'FrameTooLargeError', 'FrameDataMissingError', 'TooManyStreamsError', 'FlowControlError',
    'StreamIDTooLowError', 'NoAvailableStreamIDError', 'NoSuchStreamError', 'StreamClosedError',
    'InvalidSettingsValueError', 'InvalidBodyLengthError', 'UnsupportedFrameError', 'DenialOfServiceError',
  ]);
  for (const [err, code] of cases) {
    assert.is(err.errorCode, code, err.name);
    assert.instance(err, ProtocolError);
    assert.instance(err, H2Error);
    assert.instance(err, Error);
    assert.equal(err.events, []);
  }
});

Events('the exception hierarchy is h2s: StreamClosedError is a NoSuchStreamError, RFC1122Error is not a ProtocolError', () => {
  const closed = new StreamClosedError(7);
  assert.instance(closed, NoSuchStreamError);
  assert.equal([closed.streamId, closed.streamEvents], [7, []]);
  const rfc = new RFC1122Error('no priority from servers');
  assert.instance(rfc, H2Error);
  assert.not.instance(rfc, ProtocolError);
  assert.is(String(rfc), 'RFC1122Error: no priority from servers');
  assert.not.instance(new NoSuchStreamError(1), StreamClosedError);
});

Events('ErrorCodes holds the 14 RFC 9113 codes, numbered as the registry', () => {
  assert.equal(Object.values(ErrorCodes), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  assert.is(ErrorCodes.HTTP_1_1_REQUIRED, 0xd);
  assert.is(errorCodeName(0xb), 'ENHANCE_YOUR_CALM');
  assert.is(errorCodeName(0xe), undefined);
  assert.is(errorCodeName(-1), undefined);
});

Events.run();
