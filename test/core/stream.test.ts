/** H2Stream: the frames it builds and the events it yields, as h2's connection drives it. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { H2Configuration, type H2ConfigurationOptions } from '../../src/core/config';
import { ErrorCodes } from '../../src/core/errors';
import type { H2Event, Header, StreamReset } from '../../src/core/events';
import { FlowControlError, InvalidBodyLengthError, ProtocolError, StreamClosedError } from '../../src/core/exceptions';
import { H2Stream } from '../../src/core/stream';
import { StreamClosedBy, StreamState } from '../../src/core/stream-state';
import { AltSvcFrame, ContinuationFrame, DataFrame, type Frame, HeadersFrame, PushPromiseFrame, RstStreamFrame, WindowUpdateFrame } from '../../src/frame/index';
import { Decoder, Encoder, NeverIndexedHeaderTuple } from '../../src/hpack/index';
import { H2Error } from '../../src/core/exceptions';
import { mulberry32 } from '../support/prng';
import { concat } from '../support/bytes';

const Stream = suite('H2Stream');

const REQUEST: Header[] = [
  [':method', 'GET'],
  [':scheme', 'https'],
  [':authority', 'example.com'],
  [':path', '/'],
];
const RESPONSE: Header[] = [[':status', '200'], ['server', 'h2flow']];
const enc = new TextEncoder();
const isA = (cls: abstract new (...args: never[]) => unknown) => (e: unknown): boolean => e instanceof cls;

function stream(id: number, options: H2ConfigurationOptions = {}, inbound = 65535, outbound = 65535): H2Stream {
  return new H2Stream(id, new H2Configuration(options), inbound, outbound);
}
/** A client stream that has sent a GET (optionally ending its side). */
function clientAfterRequest(options: H2ConfigurationOptions = {}, endStream = true): H2Stream {
  const s = stream(1, options);
  s.sendHeaders(REQUEST, new Encoder(), endStream);
  return s;
}
/** A server stream that has received a request. */
function serverAfterRequest(options: H2ConfigurationOptions = {}, endStream = false): H2Stream {
  const s = stream(1, { clientSide: false, ...options });
  s.receiveHeaders([...REQUEST], endStream, null);
  return s;
}
const flagsOf = (f: Frame): string[] => [...f.flags].sort();
/**
 * Asserts a receive method answered a malformed message (RFC 9113 §8.1.1): the stream is closed as
 * reset by us, RST_STREAM PROTOCOL_ERROR and one StreamReset(PROTOCOL_ERROR, local) replace its
 * events, and `receiveError` says why (`reason`).
 */
function assertMalformed(s: H2Stream, result: [Frame[], H2Event[]], reason: RegExp): void {
  const [frames, events] = result;
  assert.equal(frames.map((f) => [f.type, (f as RstStreamFrame).errorCode]), [[0x3, 1]]);
  assert.equal(events.map((e) => [e.type, (e as StreamReset).errorCode, (e as StreamReset).remoteReset]), [['StreamReset', 1, false]]);
  assert.ok(s.closed);
  assert.is(s.closedBy, StreamClosedBy.SEND_RST_STREAM);
  assert.match(s.receiveError ?? '', reason);
}

const block = (frames: Frame[]): Uint8Array => concat(...frames.map((f) => (f as HeadersFrame).data));

Stream('a client request is one HEADERS frame with END_HEADERS (and END_STREAM when asked) that decodes to the headers', () => {
  const s = stream(1);
  const frames = s.sendHeaders(REQUEST, new Encoder(), true);
  assert.is(frames.length, 1);
  assert.instance(frames[0], HeadersFrame);
  assert.equal(flagsOf(frames[0]!), ['END_HEADERS', 'END_STREAM']);
  assert.equal(new Decoder().decode(block(frames)).map((h) => [h[0], h[1]]), REQUEST);
  assert.is(s.stateMachine.state, StreamState.HALF_CLOSED_LOCAL);
  assert.is(s.requestMethod, 'GET');
  assert.ok(s.open);
  const open = stream(3);
  assert.equal(flagsOf(open.sendHeaders(REQUEST, new Encoder())[0]!), ['END_HEADERS']);
  assert.is(open.stateMachine.state, StreamState.OPEN);
});

Stream('a header block larger than the peer MAX_FRAME_SIZE continues in CONTINUATION frames', () => {
  const s = stream(1);
  s.maxOutboundFrameSize = 100;
  const headers: Header[] = [...REQUEST];
  for (let i = 0; i < 20; i++) headers.push([`x-header-${i}`, 'v'.repeat(30)]);
  const frames = s.sendHeaders(headers, new Encoder(), true);
  assert.ok(frames.length > 3);
  assert.instance(frames[0], HeadersFrame);
  assert.equal(flagsOf(frames[0]!), ['END_STREAM']);
  for (const f of frames.slice(1, -1)) assert.equal([f instanceof ContinuationFrame, flagsOf(f)], [true, []]);
  assert.equal(flagsOf(frames[frames.length - 1]!), ['END_HEADERS']);
  for (const f of frames) assert.ok((f as HeadersFrame).data.length <= 100);
  assert.equal(new Decoder().decode(block(frames)).map((h) => [h[0], h[1]]), headers);
});

Stream('outbound headers are normalised: lowercased, stripped, connection fields dropped, secrets never indexed', () => {
  const s = stream(1);
  const frames = s.sendHeaders([...REQUEST, ['X-Upper', ' v '], ['Connection', 'close'], ['authorization', 'Basic x']], new Encoder());
  const decoded = new Decoder().decode(block(frames));
  assert.equal(decoded.map((h) => [h[0], h[1]]), [...REQUEST, ['x-upper', 'v'], ['authorization', 'Basic x']]);
  assert.instance(decoded[5], NeverIndexedHeaderTuple);
});

Stream('normalisation and validation can each be switched off for outbound headers', () => {
  const raw: Header[] = [...REQUEST, ['X-Upper', 'v']];
  const s = stream(1, { normalizeOutboundHeaders: false });
  assert.equal(new Decoder().decode(block(s.sendHeaders(raw, new Encoder()))).map((h) => h[0]), [...REQUEST.map((h) => h[0]), 'X-Upper']);
  assert.throws(() => stream(1).sendHeaders([[':method', 'GET']], new Encoder()), isA(ProtocolError));
  assert.not.throws(() => stream(1, { validateOutboundHeaders: false }).sendHeaders([[':method', 'GET']], new Encoder()));
});

Stream('a server may send 1xx blocks, then the response, then trailers that must end the stream', () => {
  const s = serverAfterRequest();
  assert.throws(() => s.sendHeaders([[':status', '100']], new Encoder(), true), /Cannot set END_STREAM on informational responses/);
  const s2 = serverAfterRequest();
  s2.sendHeaders([[':status', '103'], ['link', '</a>']], new Encoder());
  s2.sendHeaders([[':status', '100']], new Encoder());
  s2.sendHeaders(RESPONSE, new Encoder());
  assert.throws(() => s2.sendHeaders([[':status', '100']], new Encoder()), /Information response after final response/);
  const s3 = serverAfterRequest();
  s3.sendHeaders(RESPONSE, new Encoder());
  assert.throws(() => s3.sendHeaders([['grpc-status', '0']], new Encoder()), /Trailers must have END_STREAM set/);
  const s4 = serverAfterRequest({}, true);
  s4.sendHeaders(RESPONSE, new Encoder());
  assert.throws(() => s4.sendHeaders([[':status', '200']], new Encoder(), true), /pseudo-header in trailer/);
  const s5 = serverAfterRequest({}, true);
  s5.sendHeaders(RESPONSE, new Encoder());
  const trailers = s5.sendHeaders([['grpc-status', '0']], new Encoder(), true);
  assert.ok(trailers[0]!.flags.has('END_STREAM'));
  assert.is(s5.stateMachine.state, StreamState.CLOSED);
  assert.is(s5.closedBy, StreamClosedBy.SEND_END_STREAM);
});

Stream('a received request yields RequestReceived with its headers, and StreamEnded attached and listed', () => {
  const s = stream(1, { clientSide: false });
  const [frames, events] = s.receiveHeaders([...REQUEST], true, null);
  assert.equal(frames, []);
  assert.equal(events.map((e) => e.type), ['RequestReceived', 'StreamEnded']);
  const req = events[0]!;
  assert.ok(req.type === 'RequestReceived');
  if (req.type !== 'RequestReceived') return;
  assert.equal(req.headers.map((h) => [h[0], h[1]]), REQUEST);
  assert.is(req.streamEnded, events[1]);
  assert.is(req.streamId, 1);
  assert.is(s.stateMachine.state, StreamState.HALF_CLOSED_REMOTE);
});

Stream('received headers are decoded as UTF-8 when the connection asks for it', () => {
  const s = stream(1, { clientSide: false });
  const [, events] = s.receiveHeaders([...REQUEST, ['x-name', 'caf\xc3\xa9']], false, 'utf-8');
  const req = events[0]!;
  if (req.type !== 'RequestReceived') throw new Error(req.type);
  assert.equal(req.headers[4], ['x-name', 'café']);
});

Stream('never-indexed received fields stay never-indexed in events, decoded or not (h2: header tuples are decoded)', () => {
  for (const encoding of [null, 'utf-8']) {
    const request = stream(1, { clientSide: false });
    const [, events] = request.receiveHeaders([...REQUEST, new NeverIndexedHeaderTuple('x-secret', 'caf\xc3\xa9') as Header], false, encoding);
    const req = events[0]!;
    if (req.type !== 'RequestReceived') throw new Error(req.type);
    assert.instance(req.headers[4], NeverIndexedHeaderTuple);
    assert.is(req.headers[4]![1], encoding === null ? 'caf\xc3\xa9' : 'café');
    const response = clientAfterRequest();
    const [, resEvents] = response.receiveHeaders([[':status', '200'], new NeverIndexedHeaderTuple('x-secret', 'v') as Header], false, encoding);
    const res = resEvents[0]!;
    if (res.type !== 'ResponseReceived') throw new Error(res.type);
    assert.instance(res.headers[1], NeverIndexedHeaderTuple);
  }
});

Stream('received cookies are joined and invalid received headers make the message malformed unless validation is off', () => {
  const [, events] = stream(1, { clientSide: false }).receiveHeaders([...REQUEST, ['cookie', 'a=1'], ['cookie', 'b=2']], false, null);
  const req = events[0]!;
  if (req.type !== 'RequestReceived') throw new Error(req.type);
  assert.equal([req.headers[4]![0], req.headers[4]![1]], ['cookie', 'a=1; b=2']);
  assert.instance(req.headers[4], NeverIndexedHeaderTuple);
  const bad = stream(1, { clientSide: false });
  assertMalformed(bad, bad.receiveHeaders([...REQUEST, ['Bad', 'x']], false, null), /uppercase/);
  const lax = stream(1, { clientSide: false, validateInboundHeaders: false });
  assert.equal(lax.receiveHeaders([...REQUEST, ['Bad', 'x']], false, null)[1].map((e) => e.type), ['RequestReceived']);
  assert.is(lax.receiveError, null);
});

Stream('a client receives 1xx, the response and trailers; a 1xx with END_STREAM and trailers without it are malformed', () => {
  const s = clientAfterRequest();
  const ended = clientAfterRequest();
  assertMalformed(ended, ended.receiveHeaders([[':status', '100']], true, null), /Cannot set END_STREAM on informational responses/);
  assert.equal(s.receiveHeaders([[':status', '100']], false, null)[1].map((e) => e.type), ['InformationalResponseReceived']);
  assert.equal(s.receiveHeaders([...RESPONSE], false, null)[1].map((e) => e.type), ['ResponseReceived']);
  const bad = clientAfterRequest();
  bad.receiveHeaders([...RESPONSE], false, null);
  assertMalformed(bad, bad.receiveHeaders([['grpc-status', '0']], false, null), /Trailers must have END_STREAM set/);
  const [, events] = s.receiveHeaders([['grpc-status', '0']], true, null);
  assert.equal(events.map((e) => e.type), ['TrailersReceived', 'StreamEnded']);
  assert.is(s.closedBy, StreamClosedBy.RECV_END_STREAM);
});

Stream('received DATA yields DataReceived with the payload and flow-controlled length, and shrinks the receive window', () => {
  const s = serverAfterRequest();
  const data = enc.encode('hello');
  const [frames, events] = s.receiveData(data, true, 10);
  assert.equal(frames, []);
  assert.equal(events.map((e) => e.type), ['DataReceived', 'StreamEnded']);
  const ev = events[0]!;
  if (ev.type !== 'DataReceived') throw new Error(ev.type);
  assert.is(ev.data, data);
  assert.is(ev.flowControlledLength, 10);
  assert.is(ev.streamEnded, events[1]);
  assert.is(s.inboundFlowControlWindow, 65525);
});

Stream('DATA beyond the stream receive window resets the stream with FLOW_CONTROL_ERROR (a stream error)', () => {
  const s = stream(1, { clientSide: false }, 10);
  s.receiveHeaders([...REQUEST], false, null);
  s.receiveData(new Uint8Array(10), false, 10);
  const [frames, events] = s.receiveData(new Uint8Array(1), false, 1);
  assert.equal(frames.map((f) => [f.type, (f as RstStreamFrame).errorCode]), [[0x3, ErrorCodes.FLOW_CONTROL_ERROR]]);
  assert.equal(events.map((e) => [e.type, (e as StreamReset).errorCode, (e as StreamReset).remoteReset]), [['StreamReset', ErrorCodes.FLOW_CONTROL_ERROR, false]]);
  assert.is(s.closedBy, StreamClosedBy.SEND_RST_STREAM);
  assert.match(s.receiveError ?? '', /stream window/);
});

Stream('the body must match content-length: not more at any time, and exactly at END_STREAM', () => {
  const over = stream(1, { clientSide: false });
  over.receiveHeaders([...REQUEST, ['content-length', '4']], false, null);
  over.receiveData(new Uint8Array(3), false, 3);
  assertMalformed(over, over.receiveData(new Uint8Array(2), false, 2), /Expected 4 bytes, received 5$/);
  const under = stream(1, { clientSide: false });
  under.receiveHeaders([...REQUEST, ['content-length', '4']], false, null);
  assertMalformed(under, under.receiveData(new Uint8Array(3), true, 3), /Expected 4 bytes, received 3$/);
  const exact = stream(1, { clientSide: false });
  exact.receiveHeaders([...REQUEST, ['content-length', '004'], ['content-length', '4']], false, null);
  assert.not.throws(() => exact.receiveData(new Uint8Array(4), true, 9));
  const none = serverAfterRequest();
  assert.not.throws(() => none.receiveData(new Uint8Array(1000), true, 1000));
});

Stream('content-length must be digits only, and repeated values must agree', () => {
  for (const bad of ['', '-1', '+1', '1.0', ' 1', '0x10', '１']) {
    const s = stream(1, { clientSide: false });
    assertMalformed(s, s.receiveHeaders([...REQUEST, ['content-length', bad]], false, null), /Invalid content-length header/);
  }
  const s = stream(1, { clientSide: false });
  assertMalformed(s, s.receiveHeaders([...REQUEST, ['content-length', '1'], ['content-length', '2']], false, null), /Conflicting content-length headers/);
});

Stream('after our own HEAD request the response body must be empty whatever content-length says', () => {
  const s = stream(1);
  s.sendHeaders([[':method', 'HEAD'], ...REQUEST.slice(1)], new Encoder(), true);
  s.receiveHeaders([[':status', '200'], ['content-length', '1000']], false, null);
  assertMalformed(s, s.receiveData(new Uint8Array(1), false, 1), /Expected 0 bytes, received 1$/);
  const ok = stream(3);
  ok.sendHeaders([[':method', 'HEAD'], ...REQUEST.slice(1)], new Encoder(), true);
  ok.receiveHeaders([[':status', '200'], ['content-length', '1000']], false, null);
  assert.equal(ok.receiveData(new Uint8Array(0), true, 0)[1].map((e) => e.type), ['DataReceived', 'StreamEnded']);
});

Stream('sending DATA charges the send window, padding included, and END_STREAM half-closes', () => {
  const s = clientAfterRequest({}, false);
  const [df] = s.sendData(enc.encode('abc'), true, 4) as [DataFrame];
  assert.instance(df, DataFrame);
  assert.equal(flagsOf(df), ['END_STREAM', 'PADDED']);
  assert.is(df.flowControlledLength, 8);
  assert.is(s.outboundFlowControlWindow, 65535 - 8);
  assert.is(s.stateMachine.state, StreamState.HALF_CLOSED_LOCAL);
  assert.throws(() => s.sendData(new Uint8Array(1)), isA(ProtocolError));
});

Stream('endStream sends an empty DATA frame with END_STREAM', () => {
  const s = clientAfterRequest({}, false);
  const [df] = s.endStream() as [DataFrame];
  assert.equal([df instanceof DataFrame, df.data.length, flagsOf(df)], [true, 0, ['END_STREAM']]);
  assert.throws(() => s.endStream(), isA(ProtocolError));
});

Stream('a WINDOW_UPDATE grows the send window and yields WindowUpdated', () => {
  const s = clientAfterRequest();
  const [frames, events] = s.receiveWindowUpdate(1000);
  assert.equal(frames, []);
  const ev = events[0]!;
  if (ev.type !== 'WindowUpdated') throw new Error(ev.type);
  assert.equal([ev.streamId, ev.delta], [1, 1000]);
  assert.is(s.outboundFlowControlWindow, 66535);
});

Stream('a WINDOW_UPDATE past 2^31-1 resets the stream with FLOW_CONTROL_ERROR instead', () => {
  const s = clientAfterRequest();
  const [frames, events] = s.receiveWindowUpdate(2 ** 31 - 1);
  assert.is(frames.length, 1);
  assert.instance(frames[0], RstStreamFrame);
  assert.is((frames[0] as RstStreamFrame).errorCode, ErrorCodes.FLOW_CONTROL_ERROR);
  const ev = events[0]!;
  if (ev.type !== 'StreamReset') throw new Error(ev.type);
  assert.equal([events.length, ev.errorCode, ev.remoteReset], [1, ErrorCodes.FLOW_CONTROL_ERROR, false]);
  assert.is(s.closedBy, StreamClosedBy.SEND_RST_STREAM);
});

Stream('acknowledging received data returns a WINDOW_UPDATE only once the heuristic says so', () => {
  const s = serverAfterRequest();
  s.receiveData(new Uint8Array(40000), false, 40000);
  assert.equal(s.acknowledgeReceivedData(100), []);
  const [wu] = s.acknowledgeReceivedData(39900) as [WindowUpdateFrame];
  assert.instance(wu, WindowUpdateFrame);
  assert.is(wu.windowIncrement, 40000);
  assert.is(s.inboundFlowControlWindow, 65535);
});

Stream('increasing the receive window sends WINDOW_UPDATE and cannot pass 2^31-1', () => {
  const s = serverAfterRequest();
  const [wu] = s.increaseFlowControlWindow(100) as [WindowUpdateFrame];
  assert.equal([wu.streamId, wu.windowIncrement], [1, 100]);
  assert.is(s.inboundFlowControlWindow, 65635);
  assert.throws(() => s.increaseFlowControlWindow(2 ** 31 - 1), isA(FlowControlError));
});

Stream('a change of our INITIAL_WINDOW_SIZE moves the stream receive window', () => {
  const s = serverAfterRequest();
  s.inboundFlowControlChangeFromSettings(-35535);
  assert.is(s.inboundFlowControlWindow, 30000);
  s.inboundFlowControlChangeFromSettings(70000);
  assert.is(s.inboundFlowControlWindow, 100000);
});

Stream('resetting locally sends RST_STREAM; a peer reset yields StreamReset once', () => {
  const s = clientAfterRequest();
  const [rst] = s.resetStream(ErrorCodes.CANCEL) as [RstStreamFrame];
  assert.equal([rst instanceof RstStreamFrame, rst.errorCode], [true, ErrorCodes.CANCEL]);
  assert.ok(s.closed);
  assert.is(s.closedBy, StreamClosedBy.SEND_RST_STREAM);
  assert.throws(() => s.resetStream(), isA(StreamClosedError));
  const r = clientAfterRequest();
  const [, events] = r.streamReset(new RstStreamFrame(1, { errorCode: 0x1234 }));
  const ev = events[0]!;
  if (ev.type !== 'StreamReset') throw new Error(ev.type);
  assert.equal([ev.errorCode, ev.remoteReset], [0x1234, true]);
  assert.is(r.closedBy, StreamClosedBy.RECV_RST_STREAM);
  assert.equal(r.streamReset(new RstStreamFrame(1, { errorCode: 8 }))[1], []);
});

Stream('the stream is its own state machine: stateMachine is the stream, whose state and sub-state follow its frames', () => {
  const s = stream(1);
  assert.is(s.stateMachine, s);
  assert.equal([s.state, s.client, s.headersSent, s.closedBy], [StreamState.IDLE, null, false, null]);
  s.sendHeaders(REQUEST, new Encoder());
  assert.equal([s.stateMachine.state, s.stateMachine.client, s.stateMachine.headersSent], [StreamState.OPEN, true, true]);
  assert.is(String(s), '<H2Stream id:1 state:<StreamState.OPEN: 3>>');
  s.streamReset(new RstStreamFrame(1, { errorCode: ErrorCodes.CANCEL }));
  assert.equal([s.stateMachine.state, s.stateMachine.streamClosedBy], [StreamState.CLOSED, StreamClosedBy.RECV_RST_STREAM]);
  const other = stream(3);
  assert.is(other.stateMachine.state, StreamState.IDLE, 'each stream has its own state');
});

Stream("the transitions' side effects are not part of a stream's API: only processInput moves its state", () => {
  const s = stream(1) as unknown as Record<string, unknown>;
  for (const name of ['requestSent', 'responseSent', 'requestReceived', 'responseReceived', 'dataReceived', 'windowUpdated', 'streamHalfClosed', 'streamEnded', 'sendEndStream', 'sendResetStream', 'resetStreamOnError', 'sendPushPromise', 'recvPushPromise', 'sendInformationalResponse', 'recvInformationalResponse', 'sendAltSvc', 'recvAltSvc', 'recvOnClosedStream', 'sendOnClosedStream']) {
    assert.not.ok(name in s, `${name} is not a member of a stream`);
  }
  assert.type(s['processInput'], 'function');
});

Stream('a CONTINUATION outside a header block is always an error', () => {
  assert.throws(() => clientAfterRequest().receiveContinuation(), (e: unknown) => e instanceof ProtocolError && !(e instanceof StreamClosedError));
  const closed = clientAfterRequest();
  closed.resetStream();
  assert.throws(() => closed.receiveContinuation(), isA(ProtocolError));
});

Stream('frames received after the peer ended the stream are stream errors carrying a StreamReset event', () => {
  const s = serverAfterRequest({}, true);
  try {
    s.receiveData(new Uint8Array(1), false, 1);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, StreamClosedError);
    assert.equal((err as StreamClosedError).streamEvents.map((e) => e.type), ['StreamReset']);
  }
});

Stream('a server pushes: PUSH_PROMISE on the parent, the promised stream goes RESERVED_LOCAL then HALF_CLOSED_REMOTE', () => {
  const parent = serverAfterRequest();
  const frames = parent.pushStreamInBand(2, REQUEST, new Encoder());
  assert.instance(frames[0], PushPromiseFrame);
  assert.equal([(frames[0] as PushPromiseFrame).promisedStreamId, flagsOf(frames[0]!)], [2, ['END_HEADERS']]);
  assert.throws(() => serverAfterRequest().pushStreamInBand(2, [[':method', 'GET']], new Encoder()), isA(ProtocolError));
  const pushed = stream(2, { clientSide: false });
  assert.equal(pushed.locallyPushed(), []);
  assert.is(pushed.stateMachine.state, StreamState.RESERVED_LOCAL);
  assert.not.ok(pushed.open);
  pushed.sendHeaders(RESPONSE, new Encoder());
  assert.is(pushed.stateMachine.state, StreamState.HALF_CLOSED_REMOTE);
});

Stream('a client receives a push: PushedStreamReceived on the parent, the promised stream is RESERVED_REMOTE', () => {
  const parent = clientAfterRequest();
  const result = parent.receivePushPromiseInBand(2, [...REQUEST], null);
  if (result === null) throw new Error('a valid promised request was refused');
  const ev = result[1][0]!;
  if (ev.type !== 'PushedStreamReceived') throw new Error(ev.type);
  assert.equal([ev.parentStreamId, ev.pushedStreamId], [1, 2]);
  assert.equal(ev.headers.map((h) => [h[0], h[1]]), REQUEST);
  // A malformed promised request is refused on the promised stream (null), not a connection error.
  assert.is(clientAfterRequest().receivePushPromiseInBand(2, [[':status', '200']], null), null);
  const pushed = stream(2);
  assert.equal(pushed.remotelyPushed(REQUEST), [[], []]);
  assert.is(pushed.stateMachine.state, StreamState.RESERVED_REMOTE);
  const [, altsvc] = pushed.receiveAltSvc(new AltSvcFrame(2, { field: enc.encode('h2=":8443"') }));
  const alt = altsvc[0]!;
  if (alt.type !== 'AlternativeServiceAvailable') throw new Error(alt.type);
  assert.equal([...alt.origin], [...enc.encode('example.com')]);
});

Stream('ALTSVC on a stream applies to its :authority; one carrying an origin is ignored', () => {
  const s = clientAfterRequest();
  const [, events] = s.receiveAltSvc(new AltSvcFrame(1, { field: enc.encode('h2=":8000"; ma=60') }));
  assert.is(String(events[0]), '<AlternativeServiceAvailable origin:example.com, field_value:h2=":8000"; ma=60>');
  assert.equal(s.receiveAltSvc(new AltSvcFrame(1, { origin: enc.encode('other.example'), field: enc.encode('x') })), [[], []]);
});

Stream('a server may advertise ALTSVC on a stream only before its response headers', () => {
  const s = serverAfterRequest();
  const [f] = s.advertiseAlternativeService(enc.encode('h2=":8000"')) as [AltSvcFrame];
  assert.equal([f instanceof AltSvcFrame, f.streamId], [true, 1]);
  s.sendHeaders(RESPONSE, new Encoder());
  assert.throws(() => s.advertiseAlternativeService(enc.encode('x')), /Cannot send ALTSVC after sending response headers/);
});

Stream('an upgraded stream 1 starts half-closed on the side that sent the HTTP/1.1 request', () => {
  const client = stream(1);
  client.upgrade(true);
  assert.is(client.stateMachine.state, StreamState.HALF_CLOSED_LOCAL);
  const server = stream(1, { clientSide: false });
  server.upgrade(false);
  assert.is(server.stateMachine.state, StreamState.HALF_CLOSED_REMOTE);
});

Stream('the debug form names the stream and its state as h2 does', () => {
  assert.is(String(clientAfterRequest()), '<H2Stream id:1 state:<StreamState.HALF_CLOSED_LOCAL: 5>>');
});

Stream('random sequences of stream operations only ever fail with the core\'s typed errors', () => {
  const rng = mulberry32(0xb10c);
  const names = [':method', ':path', ':scheme', ':authority', ':status', ':protocol', 'host', 'te', 'cookie', 'content-length', 'x', 'X', ''];
  const values = ['GET', 'HEAD', 'CONNECT', '/', '', 'https', 'example.com', '100', '200', '5', '-1', 'trailers', ' x', '\xff\xfe'];
  const randomHeaders = (): Header[] => {
    const hs: Header[] = rng.int(2) === 0 ? [...REQUEST] : rng.int(2) === 0 ? [...RESPONSE] : [];
    for (let i = rng.int(4); i > 0; i--) hs.splice(rng.int(hs.length + 1), 0, [rng.pick(names), rng.pick(values)]);
    return hs;
  };
  const encoder = new Encoder();
  let typed = 0;
  for (let round = 0; round < 1500; round++) {
    const s = stream(rng.int(2) === 0 ? 1 : 2, { clientSide: rng.int(2) === 0, headerEncoding: rng.pick([null, 'utf-8']) }, rng.pick([0, 10, 65535]), rng.pick([0, 10, 65535]));
    for (let step = 0; step < 12; step++) {
      const ops: (() => unknown)[] = [
        () => s.receiveHeaders(randomHeaders(), rng.int(2) === 0, s.config.headerEncoding),
        () => s.receiveData(rng.bytes(rng.int(20)), rng.int(3) === 0, rng.int(30)),
        () => s.receiveWindowUpdate(rng.pick([1, 100, 2 ** 31 - 1])),
        () => s.streamReset(new RstStreamFrame(s.streamId, { errorCode: rng.int(20) })),
        () => s.receiveAltSvc(new AltSvcFrame(s.streamId, { field: rng.bytes(3) })),
        () => s.receivePushPromiseInBand(4, randomHeaders(), null),
        () => s.remotelyPushed(randomHeaders()),
        () => s.receiveContinuation(),
        () => s.sendHeaders(randomHeaders(), encoder, rng.int(2) === 0),
        () => s.sendData(rng.bytes(rng.int(10)), rng.int(3) === 0, rng.int(3) === 0 ? rng.int(256) : null),
        () => s.endStream(),
        () => s.resetStream(rng.int(14)),
        () => s.acknowledgeReceivedData(rng.int(100)),
        () => s.increaseFlowControlWindow(rng.pick([1, 1000, 2 ** 31 - 1])),
        () => s.pushStreamInBand(4, randomHeaders(), encoder),
        () => s.advertiseAlternativeService(rng.bytes(4)),
        () => s.locallyPushed(),
      ];
      try {
        rng.pick(ops)();
      } catch (err) {
        if (!(err instanceof H2Error)) throw err;
        typed++;
      }
      assert.ok(s.stateMachine.state >= 0 && s.stateMachine.state <= 6);
      if (s.closed) assert.not.ok(s.open);
    }
  }
  assert.ok(typed > 1000, `only ${typed} typed errors`);
});

Stream.run();
