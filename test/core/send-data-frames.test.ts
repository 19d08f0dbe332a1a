/**
 * `sendDataFrames()` (beyond h2) and sendData's unpadded path, which write DATA frame headers straight
 * into the outbound buffer instead of building frame objects: the bytes must be exactly what the frame
 * layer serializes for the same frames (parsed back here with the frame layer's own FrameBuffer), and a
 * run must leave the state and windows that sendData on each slice leaves. Padding keeps the frame
 * layer. The oracle tests (oracle.test.ts) compare sendData's bytes with python h2.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FlowControlError, StreamClosedError } from '../../src/core';
import type { H2Connection } from '../../src/core';
import { DataFrame, FrameBuffer } from '../../src/frame';
import type { Frame } from '../../src/frame';
import { REQUEST, RESPONSE, serverPair, throwsError } from '../support/h2-connection';
import { S } from '../support/peer';
import type { TestPeer } from '../support/peer';
import { concat } from '../support/bytes';

const Run = suite('sendDataFrames');

/** A server with request 1 received and its response headers sent and drained; `vectored` turns references on. */
function responding(vectored: boolean, peerSettings: Record<number, number> = {}): { conn: H2Connection; peer: TestPeer } {
  const { conn, peer } = serverPair({}, peerSettings);
  conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
  conn.sendHeaders(1, RESPONSE);
  if (vectored) conn.dataToSendVectored();
  else conn.dataToSend();
  return { conn, peer };
}

/** Everything queued, in one array (through the vectored or the copying form). */
function drain(conn: H2Connection, vectored: boolean): Uint8Array {
  return vectored ? concat(...conn.dataToSendVectored()) : conn.dataToSend();
}

/** The frames in `wire`, parsed by the frame layer. */
function parse(wire: Uint8Array, maxFrameSize = 16384): Frame[] {
  const buffer = new FrameBuffer({ maxFrameSize });
  buffer.addData(wire);
  return [...buffer];
}

/** What the frame layer serializes for `data` split at `max`, END_STREAM on the last when `end`. */
function reference(streamId: number, data: Uint8Array, max: number, end: boolean): Uint8Array {
  const frames: Uint8Array[] = [];
  let o = 0;
  do {
    const n = Math.min(max, data.length - o);
    const last = o + n === data.length;
    frames.push(new DataFrame(streamId, { data: data.slice(o, o + n), flags: end && last ? ['END_STREAM'] : [] }).serialize());
    o += n;
  } while (o < data.length);
  return concat(...frames);
}

/** Bytes whose value tells their offset, so a misplaced slice shows. */
function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >>> 8)) & 0xff;
  return b;
}

const SIZES = [0, 1, 4095, 4096, 16383, 16384, 16385, 32768, 40000, 65535];

Run('a run is the frame layer\'s DATA frames split at the max frame size, END_STREAM on the last only, referenced or copied', () => {
  for (const vectored of [false, true]) {
    for (const size of SIZES) {
      for (const end of [false, true]) {
        const { conn } = responding(vectored);
        const data = pattern(size);
        const count = conn.sendDataFrames(1, data, end);
        const wire = drain(conn, vectored);
        const what = `${vectored ? 'vectored' : 'copying'} ${size} bytes${end ? ', END_STREAM' : ''}`;
        assert.equal(wire, reference(1, data, 16384, end), what);
        const frames = parse(wire) as DataFrame[];
        assert.is(frames.length, count, what);
        assert.is(count, Math.max(1, Math.ceil(size / 16384)), what);
        assert.equal(concat(...frames.map((f) => f.data)), data, what);
        frames.forEach((f, i) => {
          assert.is(f.streamId, 1);
          assert.ok(f.data.length <= 16384);
          assert.is(f.flags.has('END_STREAM'), end && i === frames.length - 1, `${what}: END_STREAM on frame ${i}`);
          assert.not.ok(f.flags.has('PADDED'));
        });
      }
    }
  }
});

Run('a run leaves the bytes, windows and stream state that sendData on each slice leaves', () => {
  for (const vectored of [false, true]) {
    const data = pattern(50000);
    const a = responding(vectored);
    const b = responding(vectored);
    const streamA = a.conn.streams.get(1);
    const streamB = b.conn.streams.get(1);
    a.conn.sendDataFrames(1, data.subarray(0, 20000));
    for (let o = 0; o < 20000; o += 16384) b.conn.sendData(1, data.subarray(o, Math.min(20000, o + 16384)));
    assert.is(streamA?.stateMachine.state, streamB?.stateMachine.state);
    assert.ok(streamA?.open, 'still open after a run without END_STREAM');
    a.conn.sendDataFrames(1, data.subarray(20000), true);
    for (let o = 20000; o < data.length; o += 16384) b.conn.sendData(1, data.subarray(o, Math.min(data.length, o + 16384)), { endStream: o + 16384 >= data.length });
    assert.equal(drain(a.conn, vectored), drain(b.conn, vectored));
    assert.is(a.conn.outboundFlowControlWindow, b.conn.outboundFlowControlWindow);
    assert.is(a.conn.outboundFlowControlWindow, 65535 - 50000);
    assert.is(streamA?.outboundFlowControlWindow, streamB?.outboundFlowControlWindow);
    assert.is(streamA?.stateMachine.state, streamB?.stateMachine.state);
    assert.ok(streamA?.closed, 'END_STREAM on a half-closed (remote) stream closes it');
    assert.is(a.conn.openOutboundStreams + a.conn.openInboundStreams, b.conn.openOutboundStreams + b.conn.openInboundStreams);
    // Both closed their side: more DATA is refused the same way.
    throwsError(() => a.conn.sendDataFrames(1, pattern(1)), StreamClosedError);
    throwsError(() => b.conn.sendData(1, pattern(1)), StreamClosedError);
  }
});

Run('padded DATA still goes through the frame layer, in order between runs', () => {
  for (const vectored of [false, true]) {
    const { conn } = responding(vectored);
    const first = pattern(20000);
    const padded = pattern(5000);
    const last = pattern(3);
    conn.sendDataFrames(1, first);
    conn.sendData(1, padded, { padLength: 7 });
    conn.sendDataFrames(1, last, true);
    const wire = drain(conn, vectored);
    const expected = concat(
      reference(1, first, 16384, false),
      new DataFrame(1, { data: padded, flags: ['PADDED'], padLength: 7 }).serialize(),
      reference(1, last, 16384, true),
    );
    assert.equal(wire, expected);
    const frames = parse(wire) as DataFrame[];
    assert.equal(frames.map((f) => f.padLength), [0, 0, 7, 0]);
    // Padding counts against flow control (RFC 9113 §6.9.1): 20000 + 5000 + 8 + 3.
    assert.is(conn.outboundFlowControlWindow, 65535 - 25011);
  }
});

Run('a run past the window is refused whole: nothing queued, no window or state charged', () => {
  for (const vectored of [false, true]) {
    const { conn } = responding(vectored, { [S.INITIAL_WINDOW_SIZE]: 20000 });
    const before = conn.bufferedAmount;
    throwsError(() => conn.sendDataFrames(1, pattern(20001), true), FlowControlError);
    assert.is(conn.bufferedAmount, before);
    assert.is(conn.localFlowControlWindow(1), 20000);
    assert.is(conn.sendDataFrames(1, pattern(20000)), 2, 'exactly the window, in two frames');
    assert.is(conn.localFlowControlWindow(1), 0);
    throwsError(() => conn.sendDataFrames(1, pattern(1)), FlowControlError);
    // An empty run fits a closed window (as sendData with no bytes does): it can end the stream.
    assert.is(conn.sendDataFrames(1, new Uint8Array(0), true), 1);
    const frames = parse(drain(conn, vectored)) as DataFrame[];
    assert.equal(frames.map((f) => [f.data.length, f.flags.has('END_STREAM')]), [[16384, false], [3616, false], [0, true]]);
  }
});

Run('a new SETTINGS_MAX_FRAME_SIZE from the peer splits the next run at the new size', () => {
  for (const vectored of [false, true]) {
    const { conn, peer } = responding(vectored, { [S.INITIAL_WINDOW_SIZE]: 1 << 20 });
    conn.receiveData(peer.windowUpdate(0, 1 << 20));
    conn.sendDataFrames(1, pattern(40000));
    conn.receiveData(peer.settings({ [S.MAX_FRAME_SIZE]: 30000 }));
    const data = pattern(70000);
    conn.sendDataFrames(1, data, true);
    const frames = parse(drain(conn, vectored), 30000).filter((f) => f.type === 0x0) as DataFrame[];
    assert.equal(frames.map((f) => f.data.length), [16384, 16384, 7232, 30000, 30000, 10000]);
    assert.equal(concat(...frames.slice(3).map((f) => f.data)), data);
    assert.equal(frames.map((f) => f.flags.has('END_STREAM')), [false, false, false, false, false, true]);
  }
});

Run('a stream reset by the peer refuses further runs; what was queued before the reset stays in order', () => {
  for (const vectored of [false, true]) {
    const { conn, peer } = responding(vectored);
    const data = pattern(30000);
    conn.sendDataFrames(1, data);
    conn.receiveData(peer.rstStream(1));
    throwsError(() => conn.sendDataFrames(1, pattern(10)), StreamClosedError);
    const frames = parse(drain(conn, vectored)) as DataFrame[];
    assert.equal(concat(...frames.map((f) => f.data)), data);
    // The bytes sent before the reset stay charged to the connection window (the peer counts them too).
    assert.is(conn.outboundFlowControlWindow, 65535 - 30000);
  }
});

Run('vectored: full frames of a run reference the caller\'s bytes, and a whole-frame run is the very array', () => {
  const { conn } = responding(true);
  const whole = pattern(16384);
  conn.sendDataFrames(1, whole);
  const big = pattern(40000);
  conn.sendDataFrames(1, big);
  const pieces = conn.dataToSendVectored();
  assert.ok(pieces.includes(whole), 'one full frame: the array itself');
  const views = pieces.filter((p) => p.buffer === big.buffer);
  assert.equal(views.map((v) => [v.byteOffset, v.length]), [[0, 16384], [16384, 16384], [32768, 7232]]);
  big.fill(0);
  assert.ok(concat(...pieces).subarray(9 + 16384 + 9, 9 + 16384 + 9 + 16384).every((b) => b === 0), 'referenced, not copied');
});

Run('vectored with a view factory: every piece made by it except a caller\'s whole array, the bytes unchanged', () => {
  class Tagged extends Uint8Array {}
  const made: Tagged[] = [];
  const makeView = (buffer: ArrayBufferLike, byteOffset: number, length: number): Uint8Array => {
    const view = new Tagged(buffer as ArrayBuffer, byteOffset, length);
    made.push(view);
    return view;
  };
  for (const sizes of [[], [100], [40000], [16384, 40000], [100, 16384 * 2 + 5000, 4096, 5000], [16384 * 3]]) {
    const what = `runs of ${sizes.join(', ')} bytes`;
    const plain = responding(true).conn;
    const viewed = responding(true).conn;
    viewed.dataToSendVectored(makeView);
    made.length = 0;
    const runs = sizes.map(pattern);
    for (const data of runs) {
      plain.sendDataFrames(1, data);
      viewed.sendDataFrames(1, data);
    }
    // A control frame after the runs: the slab's live bytes are sealed into a piece of their own.
    plain.ping(new Uint8Array(8));
    viewed.ping(new Uint8Array(8));
    const expected = concat(...plain.dataToSendVectored());
    const pieces = viewed.dataToSendVectored(makeView);
    assert.equal(concat(...pieces), expected, what);
    for (const piece of pieces) {
      if (runs.includes(piece)) continue;
      assert.ok(piece instanceof Tagged, `${what}: a piece of ${piece.length} bytes made by the factory`);
    }
    assert.ok(made.length >= pieces.length - runs.length, what);
  }
});

Run('sendDataFrames checks its arguments', () => {
  const { conn } = responding(false);
  throwsError(() => conn.sendDataFrames(1, 'abc' as never), TypeError);
  throwsError(() => conn.sendDataFrames(1, new Uint8Array(1), 1 as never), TypeError);
  assert.is(conn.bufferedAmount, 0);
});

Run.run();
