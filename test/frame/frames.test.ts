/** Frame classes: fields, flags, repr, serialization into batches, zero-copy parsing and every validation rule. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AltSvcFrame,
  ContinuationError,
  ContinuationFrame,
  DataFrame,
  ExtensionFrame,
  FrameError,
  FrameTooLargeError,
  FrameType,
  GoAwayFrame,
  HeaderBlockTooLargeError,
  HeadersFrame,
  InvalidDataError,
  InvalidFrameError,
  InvalidPaddingError,
  PingFrame,
  PrefaceError,
  PriorityFrame,
  PriorityUpdateFrame,
  PushPromiseFrame,
  RstStreamFrame,
  SettingsFrame,
  UnknownFrameError,
  WindowUpdateFrame,
  parseFrameHeader,
} from '../../src/frame/index';
import type { Frame } from '../../src/frame/index';
import { bytes } from '../support/bytes';
import { throwsWith } from '../support/assert-throws';

const Frames = suite('frames');

/** Parses one whole frame from `wire`. */
function parse(wire: Uint8Array): Frame {
  const [frame, length] = parseFrameHeader(wire);
  frame.parseBody(wire.subarray(9, 9 + length));
  return frame;
}

/** A frame header: 24-bit length, type, flags, 32-bit stream id. */
function header(length: number, type: number, flags: number, streamId: number): Uint8Array {
  return bytes(length >>> 16, (length >>> 8) & 0xff, length & 0xff, type, flags, streamId >>> 24, (streamId >>> 16) & 0xff, (streamId >>> 8) & 0xff, streamId & 0xff);
}

Frames('a DATA frame serializes as hyperframe does and reports its flow-controlled length', () => {
  const f = new DataFrame(1, { data: bytes('hello'), flags: ['END_STREAM', 'PADDED'], padLength: 3 });
  assert.equal(f.serialize(), bytes(header(9, 0, 0x09, 1), 3, 'hello', 0, 0, 0));
  assert.is(f.flowControlledLength, 9);
  assert.is(f.bodyLength, 9);
  assert.is(f.serializedLength, 18);
  assert.is(f.type, FrameType.DATA);
});

Frames('a payload over 64 KiB writes all three length octets and parses back', () => {
  const f = new DataFrame(1, { data: new Uint8Array(70_000).fill(1) });
  const wire = f.serialize();
  assert.equal([...wire.subarray(0, 3)], [0x01, 0x11, 0x70]);
  assert.is((parse(wire) as DataFrame).data.length, 70_000);
});

Frames('bodyLength follows the current fields (hyperframe only updates body_len on serialize)', () => {
  const f = new DataFrame(1);
  assert.is(f.bodyLength, 0);
  f.data = new Uint8Array(300);
  assert.is(f.bodyLength, 300);
  f.flags.add('PADDED');
  f.padLength = 10;
  assert.is(f.bodyLength, 311);
  assert.is(f.serialize().length, 9 + 311);
});

Frames('frames with an empty payload parse', () => {
  assert.is((parse(new DataFrame(1).serialize()) as DataFrame).data.length, 0);
  assert.is((parse(new HeadersFrame(1).serialize()) as HeadersFrame).data.length, 0);
  assert.is((parse(new ContinuationFrame(1).serialize()) as ContinuationFrame).data.length, 0);
  assert.is((parse(new PushPromiseFrame(1, { promisedStreamId: 2 }).serialize()) as PushPromiseFrame).data.length, 0);
  assert.is((parse(new SettingsFrame(0, { flags: ['ACK'] }).serialize()) as SettingsFrame).settings.size, 0);
});

Frames('padLength without the PADDED flag writes no padding', () => {
  const f = new DataFrame(1, { data: bytes('x'), padLength: 7 });
  assert.equal(f.serialize(), bytes(header(1, 0, 0, 1), 'x'));
  assert.is(f.flowControlledLength, 1);
});

Frames('parsed payloads are views of the received bytes, not copies', () => {
  const wire = bytes(header(5, 0, 0, 1), 'hello');
  const f = parse(wire) as DataFrame;
  wire[9] = 0x4a;
  assert.is(f.data[0], 0x4a);
  assert.is(f.data.buffer, wire.buffer);
  const h = parse(bytes(header(3, 1, 0x04, 1), 1, 2, 3)) as HeadersFrame;
  assert.is(h.data.byteOffset, 9);
});

Frames('serializeInto writes many frames into one batch buffer and returns the bytes written', () => {
  const frames = [new PingFrame(0, { opaqueData: bytes('12345678') }), new WindowUpdateFrame(0, { windowIncrement: 10 }), new DataFrame(3, { data: bytes('abc') })];
  const total = frames.reduce((n, f) => n + f.serializedLength, 0);
  const batch = new Uint8Array(total + 2).fill(0xee);
  let at = 1;
  for (const f of frames) at += f.serializeInto(batch, at);
  assert.is(at, total + 1);
  assert.equal(batch.subarray(1, at), bytes(...frames.map((f) => f.serialize())));
  assert.is(batch[0], 0xee);
  assert.is(batch[at], 0xee);
  assert.throws(() => frames[0]!.serializeInto(new Uint8Array(10), 0), RangeError);
});

Frames('flags are a set of the defined names only; undefined wire bits are dropped', () => {
  const f = new DataFrame(1, { flags: ['END_STREAM'] });
  assert.ok(f.flags.has('END_STREAM'));
  assert.not.ok(f.flags.has('ACK'));
  assert.throws(() => f.flags.add('ACK'), RangeError);
  assert.throws(() => new SettingsFrame(0, { flags: ['END_STREAM'] }), RangeError);
  f.flags.add('PADDED');
  assert.equal([...f.flags], ['END_STREAM', 'PADDED']);
  assert.ok(f.flags.delete('END_STREAM'));
  assert.is(f.flags.size, 1);
  f.flags = ['END_STREAM'];
  assert.equal([...f.flags], ['END_STREAM']);
  const [parsed] = parseFrameHeader(header(0, 0, 0xff, 1));
  assert.equal([...parsed.flags], ['END_STREAM', 'PADDED']);
  assert.is(parsed.flags.bits, 0x09);
  const ping = parse(bytes(header(8, 6, 0xfe, 0), 1, 2, 3, 4, 5, 6, 7, 8));
  assert.is(ping.flags.size, 0);
  assert.equal(ping.serialize()[4], 0);
});

Frames('toString matches hyperframe repr', () => {
  assert.is(new DataFrame(1, { data: bytes('hello'), flags: ['END_STREAM'] }).toString(), "DataFrame(stream_id=1, flags=['END_STREAM']): <hex:68656c6c6f>");
  assert.is(new DataFrame(1).toString(), 'DataFrame(stream_id=1, flags=[]): None');
  assert.is(new DataFrame(1, { data: new Uint8Array(11) }).toString(), 'DataFrame(stream_id=1, flags=[]): <hex:00000000000000000000...>');
  assert.is(new PriorityFrame(3, { dependsOn: 1, streamWeight: 16, exclusive: true }).toString(), 'PriorityFrame(stream_id=3, flags=[]): exclusive=True, depends_on=1, stream_weight=16');
  assert.is(new SettingsFrame(0, { settings: { 1: 4096, 4: 65535 } }).toString(), 'SettingsFrame(stream_id=0, flags=[]): settings={1: 4096, 4: 65535}');
  assert.is(new PingFrame(0, { opaqueData: bytes("'", 0, 'A\\') }).toString(), `PingFrame(stream_id=0, flags=[]): opaque_data=b"'\\x00A\\\\"`);
  assert.is(new GoAwayFrame(0, { additionalData: bytes('x\n') }).toString(), "GoAwayFrame(stream_id=0, flags=[]): last_stream_id=0, error_code=0, additional_data=b'x\\n'");
  assert.is(new ExtensionFrame(3, { type: 0x20, flagByte: 5, body: bytes('abc') }).toString(), 'ExtensionFrame(stream_id=3, flags=[]): type=32, flag_byte=5, body=<hex:616263>');
  assert.is(new WindowUpdateFrame(0, { windowIncrement: 5 }).toString(), 'WindowUpdateFrame(stream_id=0, flags=[]): window_increment=5');
});

Frames('settings accept a Map, a record or entries and keep wire order; a repeated code keeps its last value', () => {
  const fromRecord = new SettingsFrame(0, { settings: { 4: 10, 1: 20 } });
  assert.equal([...fromRecord.settings], [[1, 20], [4, 10]]);
  const fromEntries = new SettingsFrame(0, { settings: [[4, 10], [1, 20]] });
  assert.equal([...fromEntries.settings], [[4, 10], [1, 20]]);
  const wire = bytes(header(18, 4, 0, 0), 0, 1, 0, 0, 0, 1, 0xab, 0xcd, 0xff, 0xff, 0xff, 0xff, 0, 1, 0, 0, 0, 2);
  assert.equal([...(parse(wire) as SettingsFrame).settings], [[1, 2], [0xabcd, 0xffffffff]]);
  assert.equal(new SettingsFrame(0, { settings: new Map([[0xabcd, 0xffffffff]]) }).serialize().subarray(9), bytes(0xab, 0xcd, 0xff, 0xff, 0xff, 0xff));
});

Frames('a SETTINGS frame with ACK and settings cannot be built', () => {
  throwsWith(() => new SettingsFrame(0, { settings: { 1: 1 }, flags: ['ACK'] }), InvalidDataError, 1);
});

Frames('a PING with more than 8 bytes of data cannot be serialized; fewer are zero-padded', () => {
  throwsWith(() => new PingFrame(0, { opaqueData: new Uint8Array(9) }).serialize(), InvalidFrameError);
  assert.equal(new PingFrame(0, { opaqueData: bytes(1, 2) }).serialize().subarray(9), bytes(1, 2, 0, 0, 0, 0, 0, 0));
});

Frames('the reserved bit is ignored on read and cleared on write', () => {
  const f = parse(bytes(0, 0, 4, 8, 0, 0x80, 0, 0, 5, 0x80, 0, 0, 7)) as WindowUpdateFrame;
  assert.is(f.streamId, 5);
  assert.is(f.windowIncrement, 7);
  const g = parse(bytes(header(8, 7, 0, 0), 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1)) as GoAwayFrame;
  assert.is(g.lastStreamId, 0x7fffffff);
  const w = new WindowUpdateFrame(0x80000005, { windowIncrement: 0xffffffff });
  assert.equal(w.serialize(), bytes(header(4, 8, 0, 5), 0x7f, 0xff, 0xff, 0xff));
  assert.equal(new GoAwayFrame(0, { lastStreamId: 0xffffffff }).serialize().subarray(9, 13), bytes(0x7f, 0xff, 0xff, 0xff));
});

Frames('a zero WINDOW_UPDATE increment parses: the core decides between stream and connection error', () => {
  const f = parse(bytes(header(4, 8, 0, 1), 0, 0, 0, 0)) as WindowUpdateFrame;
  assert.is(f.windowIncrement, 0);
});

Frames('HEADERS with PRIORITY carries exclusive, dependency and weight', () => {
  const f = new HeadersFrame(3, { data: bytes('hb'), flags: ['END_HEADERS', 'PRIORITY'], dependsOn: 1, streamWeight: 255, exclusive: true });
  assert.equal(f.serialize(), bytes(header(7, 1, 0x24, 3), 0x80, 0, 0, 1, 255, 'hb'));
  const p = parse(f.serialize()) as HeadersFrame;
  assert.equal([p.dependsOn, p.streamWeight, p.exclusive, [...p.data]], [1, 255, true, [0x68, 0x62]]);
});

Frames('padded HEADERS may have an empty fragment when the padding fills the rest exactly', () => {
  const f = parse(bytes(header(5, 1, 0x0c, 1), 4, 0, 0, 0, 0)) as HeadersFrame;
  assert.is(f.data.length, 0);
  assert.is(f.padLength, 4);
});

Frames('ALTSVC, PRIORITY_UPDATE and unknown frames round-trip', () => {
  const a = parse(new AltSvcFrame(0, { origin: bytes('https://a'), field: bytes('h2=":443"') }).serialize()) as AltSvcFrame;
  assert.equal([a.origin, a.field], [bytes('https://a'), bytes('h2=":443"')]);
  const u = new PriorityUpdateFrame(0, { prioritizedStreamId: 5, priorityFieldValue: bytes('u=1, i') });
  assert.equal(u.serialize(), bytes(header(10, 0x10, 0, 0), 0, 0, 0, 5, 'u=1, i'));
  const pu = parse(u.serialize()) as PriorityUpdateFrame;
  assert.equal([pu.prioritizedStreamId, pu.priorityFieldValue], [5, bytes('u=1, i')]);
  const wire = bytes(header(3, 0xfa, 0xff, 7), 'xyz');
  const e = parse(wire) as ExtensionFrame;
  assert.instance(e, ExtensionFrame);
  assert.equal([e.type, e.flagByte, e.body, e.flags.size], [0xfa, 0xff, bytes('xyz'), 0]);
  assert.equal(e.serialize(), wire);
});

Frames('strict header parsing refuses unknown frame types', () => {
  throwsWith(() => parseFrameHeader(header(3, 0xfa, 0, 1), 0, { strict: true }), UnknownFrameError);
});

Frames('a frame header needs 9 bytes, read at the given offset', () => {
  throwsWith(() => parseFrameHeader(new Uint8Array(8)), InvalidFrameError, 6);
  const [f, length] = parseFrameHeader(bytes(0xaa, 0xbb, header(300, 0, 1, 9)), 2);
  assert.is(length, 300);
  assert.is(f.streamId, 9);
  assert.ok(f.flags.has('END_STREAM'));
});

// Stream association: one test per rule.
const STREAM_FRAMES: [string, number][] = [['DATA', 0], ['HEADERS', 1], ['PRIORITY', 2], ['RST_STREAM', 3], ['PUSH_PROMISE', 5], ['CONTINUATION', 9]];
for (const [name, type] of STREAM_FRAMES) {
  Frames(`a ${name} frame on stream 0 is an InvalidDataError (PROTOCOL_ERROR)`, () => {
    throwsWith(() => parseFrameHeader(header(0, type, 0, 0)), InvalidDataError, 1);
  });
}
const CONNECTION_FRAMES: [string, number][] = [['SETTINGS', 4], ['PING', 6], ['GOAWAY', 7], ['PRIORITY_UPDATE', 0x10]];
for (const [name, type] of CONNECTION_FRAMES) {
  Frames(`a ${name} frame on a non-zero stream is an InvalidDataError (PROTOCOL_ERROR)`, () => {
    throwsWith(() => parseFrameHeader(header(0, type, 0, 1)), InvalidDataError, 1);
  });
}
Frames('WINDOW_UPDATE, ALTSVC and unknown frames may use any stream', () => {
  for (const type of [8, 0xa, 0x42]) for (const s of [0, 1]) parseFrameHeader(header(0, type, 0, s));
  throwsWith(() => new DataFrame(0), InvalidDataError);
  throwsWith(() => new PingFrame(1), InvalidDataError);
});

// Length rules: one test each.
const LENGTH_RULES: [string, number, number, number][] = [
  ['PING of 7 bytes', 6, 0, 7],
  ['PING of 9 bytes', 6, 0, 9],
  ['PRIORITY of 4 bytes', 2, 1, 4],
  ['PRIORITY of 6 bytes', 2, 1, 6],
  ['RST_STREAM of 3 bytes', 3, 1, 3],
  ['RST_STREAM of 5 bytes', 3, 1, 5],
  ['WINDOW_UPDATE of 3 bytes', 8, 1, 3],
  ['WINDOW_UPDATE of 5 bytes', 8, 0, 5],
  ['SETTINGS of 7 bytes', 4, 0, 7],
  ['GOAWAY of 7 bytes', 7, 0, 7],
  ['PUSH_PROMISE of 3 bytes', 5, 1, 3],
  ['ALTSVC of 1 byte', 0xa, 0, 1],
  ['PRIORITY_UPDATE of 3 bytes', 0x10, 0, 3],
];
for (const [name, type, stream, length] of LENGTH_RULES) {
  Frames(`a ${name} is an InvalidFrameError (FRAME_SIZE_ERROR)`, () => {
    throwsWith(() => parse(bytes(header(length, type, 0, stream), new Uint8Array(length).fill(2))), InvalidFrameError, 6);
  });
}
Frames('a SETTINGS ACK with a payload is a FRAME_SIZE_ERROR', () => {
  throwsWith(() => parse(bytes(header(6, 4, 1, 0), 0, 1, 0, 0, 0, 1)), InvalidFrameError, 6);
});
Frames('an ALTSVC origin length past the payload is an InvalidFrameError', () => {
  throwsWith(() => parse(bytes(header(4, 0xa, 0, 0), 0, 3, 'ab')), InvalidFrameError, 6);
});
Frames('a padded frame with no room for the pad length octet is an InvalidFrameError', () => {
  throwsWith(() => parse(bytes(header(0, 0, 0x08, 1))), InvalidFrameError, 6);
});
Frames('a HEADERS frame with PRIORITY but under 5 bytes of priority data is an InvalidFrameError', () => {
  throwsWith(() => parse(bytes(header(4, 1, 0x20, 1), 0, 0, 0, 1)), InvalidFrameError, 6);
});

// Padding rules: one test each.
Frames('DATA padding as long as the payload is an InvalidPaddingError (PROTOCOL_ERROR)', () => {
  throwsWith(() => parse(bytes(header(4, 0, 0x08, 1), 4, 0, 0, 0)), InvalidPaddingError, 1);
  assert.is((parse(bytes(header(4, 0, 0x08, 1), 3, 0, 0, 0)) as DataFrame).data.length, 0);
});
Frames('HEADERS padding past the room left after priority data is an InvalidPaddingError', () => {
  throwsWith(() => parse(bytes(header(10, 1, 0x28, 1), 5, 0, 0, 0, 0, 16, 0, 0, 0, 0)), InvalidPaddingError, 1);
});
Frames('PUSH_PROMISE padding past the room left after the promised id is an InvalidPaddingError', () => {
  throwsWith(() => parse(bytes(header(6, 5, 0x08, 1), 2, 0, 0, 0, 2, 0)), InvalidPaddingError, 1);
});

Frames('a zero or odd promised stream id is an InvalidDataError', () => {
  throwsWith(() => parse(bytes(header(4, 5, 0, 1), 0, 0, 0, 0)), InvalidDataError, 1);
  throwsWith(() => parse(bytes(header(4, 5, 0, 1), 0, 0, 0, 3)), InvalidDataError, 1);
});
Frames('a PRIORITY_UPDATE for stream 0 is an InvalidDataError', () => {
  throwsWith(() => parse(bytes(header(4, 0x10, 0, 0), 0, 0, 0, 0)), InvalidDataError, 1);
});
Frames('an ALTSVC origin that is not bytes is refused at construction', () => {
  throwsWith(() => new AltSvcFrame(0, { origin: 'x' as unknown as Uint8Array }), InvalidDataError);
});

Frames('out-of-range fields refuse to serialize instead of writing a corrupt frame', () => {
  assert.throws(() => new DataFrame(1, { flags: ['PADDED'], padLength: 256 }).serialize(), RangeError);
  assert.throws(() => new PriorityFrame(1, { streamWeight: 256 }).serialize(), RangeError);
  assert.throws(() => new AltSvcFrame(0, { origin: new Uint8Array(0x10000) }).serialize(), RangeError);
});

Frames('CONTINUATION and RST_STREAM carry their fields', () => {
  const c = parse(new ContinuationFrame(1, { data: bytes('abc'), flags: ['END_HEADERS'] }).serialize()) as ContinuationFrame;
  assert.equal([c.data, c.flags.has('END_HEADERS')], [bytes('abc'), true]);
  const r = parse(new RstStreamFrame(1, { errorCode: 0xffffffff }).serialize()) as RstStreamFrame;
  assert.is(r.errorCode, 0xffffffff);
  const pp = parse(new PushPromiseFrame(1, { promisedStreamId: 2, data: bytes('z') }).serialize()) as PushPromiseFrame;
  assert.equal([pp.promisedStreamId, pp.data], [2, bytes('z')]);
});

Frames('each frame error carries the RFC 9113 code its fault calls for and names its class', () => {
  const cases: [FrameError, string, number][] = [
    [new InvalidPaddingError('x'), 'InvalidPaddingError', 1],
    [new InvalidDataError('x'), 'InvalidDataError', 1],
    [new InvalidFrameError('x'), 'InvalidFrameError', 6],
    [new UnknownFrameError(0xfa, 3), 'UnknownFrameError', 1],
    [new PrefaceError(), 'PrefaceError', 1],
    [new ContinuationError('x'), 'ContinuationError', 1],
    [new HeaderBlockTooLargeError('x'), 'HeaderBlockTooLargeError', 1],
    [new FrameTooLargeError(20_000, 16_384), 'FrameTooLargeError', 6],
  ];
  for (const [err, name, code] of cases) {
    assert.instance(err, FrameError);
    assert.is(err.name, name);
    assert.is(err.errorCode, code, name);
  }
});

Frames.run();
