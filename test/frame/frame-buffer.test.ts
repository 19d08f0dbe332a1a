/** FrameBuffer: framing across reads, zero-copy views, size limits, header-block joining, the CONTINUATION flood and the preface. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CONNECTION_PREFACE,
  ContinuationError,
  ContinuationFrame,
  DataFrame,
  ExtensionFrame,
  FrameBuffer,
  FrameTooLargeError,
  GoAwayFrame,
  HeaderBlockTooLargeError,
  HeadersFrame,
  InvalidPaddingError,
  PingFrame,
  PrefaceError,
  PushPromiseFrame,
  SettingsFrame,
  WindowUpdateFrame,
} from '../../src/frame/index';
import type { Frame } from '../../src/frame/index';
import { bytes } from '../support/bytes';
import { errorOf, throwsNothingBut } from '../support/assert-throws';
import { mulberry32 } from '../support/prng';

const Buffer_ = suite('FrameBuffer');

function drain(buffer: FrameBuffer): Frame[] {
  return [...buffer];
}

const headers = (streamId: number, data: Uint8Array, flags: ('END_HEADERS' | 'END_STREAM')[] = []) => new HeadersFrame(streamId, { data, flags }).serialize();
const continuation = (streamId: number, data: Uint8Array, end = false) => new ContinuationFrame(streamId, { data, flags: end ? ['END_HEADERS'] : [] }).serialize();

Buffer_('frames in one received chunk come out as views of that chunk', () => {
  const body = bytes('hello', new Uint8Array(200));
  const chunk = bytes(new DataFrame(1, { data: body }).serialize(), new PingFrame(0, { opaqueData: bytes('abcdefgh') }).serialize());
  const buffer = new FrameBuffer();
  buffer.addData(chunk);
  const [data, ping] = drain(buffer) as [DataFrame, PingFrame];
  assert.equal(data.data, body);
  chunk[9] = 0x4a;
  assert.is(data.data[0], 0x4a, 'mutating the source shows through: no copy was made');
  assert.is(ping.opaqueData.buffer, chunk.buffer);
  assert.is(buffer.bufferedBytes, 0);
});

Buffer_('reads under 128 bytes are coalesced into a staging block (one copy) instead of queued one by one', () => {
  const wire = new DataFrame(1, { data: bytes('tiny') }).serialize();
  const buffer = new FrameBuffer();
  buffer.addData(wire);
  wire[9] = 0x4a;
  assert.equal((buffer.next() as DataFrame).data, bytes('tiny'));
});

Buffer_('a frame split across reads is assembled once complete', () => {
  const wire = new DataFrame(1, { data: bytes('split me'), flags: ['END_STREAM'] }).serialize();
  const buffer = new FrameBuffer();
  buffer.addData(wire.subarray(0, 4));
  assert.is(buffer.next(), null, 'half a header yields nothing');
  buffer.addData(wire.subarray(4, 12));
  assert.is(buffer.next(), null, 'a header without its payload yields nothing');
  buffer.addData(wire.subarray(12));
  const f = buffer.next() as DataFrame;
  assert.equal([f.data, f.flags.has('END_STREAM')], [bytes('split me'), true]);
  assert.is(buffer.next(), null);
});

Buffer_('a truncated frame at the end of input is never emitted and stays counted in bufferedBytes', () => {
  const buffer = new FrameBuffer();
  const wire = new DataFrame(1, { data: bytes('abcdef') }).serialize();
  buffer.addData(wire.subarray(0, wire.length - 1));
  assert.equal(drain(buffer), []);
  assert.is(buffer.bufferedBytes, wire.length - 1 - 9);
});

Buffer_('a 16 MiB frame announced under a 16 KiB limit fails from its 9-byte header alone', () => {
  const buffer = new FrameBuffer({ maxFrameSize: 16384 });
  buffer.addData(bytes(0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 1));
  const err = errorOf(() => buffer.next());
  assert.instance(err, FrameTooLargeError);
  assert.is(err.errorCode, 6);
  assert.is((err as FrameTooLargeError).length, 0xffffff);
});

Buffer_('maxFrameSize is mutable and a frame of exactly the limit passes', () => {
  const big = new DataFrame(1, { data: new Uint8Array(20000) }).serialize();
  const buffer = new FrameBuffer();
  buffer.maxFrameSize = 20000;
  buffer.addData(big);
  assert.is((buffer.next() as DataFrame).data.length, 20000);
  const small = new FrameBuffer({ maxFrameSize: 19999 });
  small.addData(big);
  assert.instance(errorOf(() => small.next()), FrameTooLargeError);
});

Buffer_('HEADERS + CONTINUATIONs come out as one HEADERS frame holding the whole block with END_HEADERS', () => {
  const first = new HeadersFrame(3, { data: bytes('ab'), flags: ['END_STREAM', 'PADDED', 'PRIORITY'], padLength: 2, dependsOn: 1, streamWeight: 9 }).serialize();
  const buffer = new FrameBuffer();
  buffer.addData(bytes(first, continuation(3, bytes('cd')), continuation(3, bytes('')), continuation(3, bytes('ef'), true)));
  const frames = drain(buffer);
  assert.is(frames.length, 1);
  const h = frames[0] as HeadersFrame;
  assert.instance(h, HeadersFrame);
  assert.equal(h.data, bytes('abcdef'));
  assert.equal([...h.flags].sort(), ['END_HEADERS', 'END_STREAM', 'PADDED', 'PRIORITY']);
  assert.equal([h.dependsOn, h.streamWeight], [1, 9]);
  assert.is(buffer.bufferedBytes, 0);
});

Buffer_('PUSH_PROMISE + CONTINUATION are joined too, and frames after the block flow again', () => {
  const pp = new PushPromiseFrame(1, { promisedStreamId: 2, data: bytes('x') }).serialize();
  const buffer = new FrameBuffer();
  buffer.addData(bytes(pp, continuation(1, bytes('yz'), true), new WindowUpdateFrame(0, { windowIncrement: 1 }).serialize()));
  const [p, w] = drain(buffer) as [PushPromiseFrame, WindowUpdateFrame];
  assert.equal([p.promisedStreamId, p.data, p.flags.has('END_HEADERS')], [2, bytes('xyz'), true]);
  assert.instance(w, WindowUpdateFrame);
});

Buffer_('a CONTINUATION on another stream is a ContinuationError (PROTOCOL_ERROR)', () => {
  const buffer = new FrameBuffer();
  buffer.addData(bytes(headers(1, bytes('a')), continuation(3, bytes('b'), true)));
  const err = errorOf(() => drain(buffer));
  assert.instance(err, ContinuationError);
  assert.is(err.errorCode, 1);
});

Buffer_('a CONTINUATION without an open header block is a ContinuationError', () => {
  const buffer = new FrameBuffer();
  buffer.addData(bytes(headers(1, bytes('a'), ['END_HEADERS']), continuation(1, bytes('b'), true)));
  assert.instance(buffer.next(), HeadersFrame);
  assert.instance(errorOf(() => buffer.next()), ContinuationError);
});

for (const [name, frame] of [
  ['DATA', new DataFrame(1, { data: bytes('d') })],
  ['PING', new PingFrame(0)],
  ['unknown-type', new ExtensionFrame(1, { type: 0xfa })],
  ['HEADERS', new HeadersFrame(1, { flags: ['END_HEADERS'] })],
] as const) {
  Buffer_(`a ${name} frame inside a header block is a ContinuationError`, () => {
    const buffer = new FrameBuffer();
    buffer.addData(bytes(headers(1, bytes('a')), frame.serialize(), continuation(1, bytes('b'), true)));
    assert.instance(errorOf(() => drain(buffer)), ContinuationError);
  });
}

Buffer_('a flood of 10 000 empty CONTINUATIONs stops at the frame limit with a bounded buffer', () => {
  const buffer = new FrameBuffer();
  buffer.addData(headers(1, bytes('abc')));
  assert.equal(drain(buffer), []);
  const empty = continuation(1, new Uint8Array(0));
  let accepted = 0;
  let maxBuffered = 0;
  let err: HeaderBlockTooLargeError | undefined;
  for (let i = 0; i < 10_000 && err === undefined; i++) {
    buffer.addData(empty);
    err = throwsNothingBut(() => assert.equal(drain(buffer), []), HeaderBlockTooLargeError, `CONTINUATION ${i + 1}`);
    if (err === undefined) accepted++;
    maxBuffered = Math.max(maxBuffered, buffer.bufferedBytes);
  }
  assert.instance(err, HeaderBlockTooLargeError);
  assert.is(err!.errorCode, 1);
  assert.is(accepted, 63, 'HEADERS + 63 CONTINUATIONs fill the 64-frame block, as h2 counts');
  assert.ok(maxBuffered <= 3 + 9, `held ${maxBuffered} bytes`);
});

Buffer_('a flood delivered in one read fails at the same frame, whatever follows', () => {
  const flood = bytes(headers(1, bytes('abc')), ...Array.from({ length: 10_000 }, () => continuation(1, new Uint8Array(0))));
  const buffer = new FrameBuffer({ maxContinuationFrames: 5 });
  buffer.addData(flood);
  assert.instance(errorOf(() => drain(buffer)), HeaderBlockTooLargeError);
  // Consumed: HEADERS (9 + 3) and 4 empty CONTINUATIONs; the block holds 3 bytes; the 5th header is refused unread.
  assert.is(buffer.bufferedBytes, flood.length - 12 - 4 * 9 + 3);
});

Buffer_('a CONTINUATION announcing more than the header block budget fails before its payload arrives', () => {
  const buffer = new FrameBuffer({ maxHeaderBlockSize: 1000 });
  buffer.addData(headers(1, new Uint8Array(600)));
  buffer.addData(continuation(1, new Uint8Array(400)));
  assert.equal(drain(buffer), [], 'exactly the budget is fine');
  buffer.addData(continuation(1, new Uint8Array(1)).subarray(0, 9));
  const err = errorOf(() => buffer.next());
  assert.instance(err, HeaderBlockTooLargeError);
  assert.is(err.errorCode, 1);
});

Buffer_('an open HEADERS fragment larger than the header block budget fails', () => {
  const buffer = new FrameBuffer({ maxHeaderBlockSize: 100, maxFrameSize: 1000 });
  buffer.addData(headers(1, new Uint8Array(101)).subarray(0, 9));
  assert.instance(errorOf(() => buffer.next()), HeaderBlockTooLargeError);
});

Buffer_('the server accepts the client preface split into single bytes', () => {
  const buffer = new FrameBuffer({ server: true });
  for (const b of CONNECTION_PREFACE) buffer.addData(Uint8Array.of(b));
  buffer.addData(new SettingsFrame(0).serialize());
  assert.instance(buffer.next(), SettingsFrame);
});

Buffer_('a wrong preface fails at the first mismatching byte, before 24 bytes arrive', () => {
  const buffer = new FrameBuffer({ server: true });
  buffer.addData(CONNECTION_PREFACE.subarray(0, 10));
  const err = errorOf(() => buffer.addData(bytes('X')));
  assert.instance(err, PrefaceError);
  assert.is(err.errorCode, 1);
  const http1 = new FrameBuffer({ server: true });
  assert.instance(errorOf(() => http1.addData(bytes('GET / HTTP/1.1\r\n'))), PrefaceError);
});

Buffer_('a client-side buffer expects no preface: its bytes read as an oversized frame header', () => {
  const buffer = new FrameBuffer();
  buffer.addData(CONNECTION_PREFACE);
  assert.instance(errorOf(() => buffer.next()), FrameTooLargeError);
});

Buffer_('frame payload errors surface as their typed errors, and the buffer stays failed', () => {
  const buffer = new FrameBuffer();
  buffer.addData(bytes(0, 0, 4, 0, 0x08, 0, 0, 0, 1, 4, 0, 0, 0));
  const err = errorOf(() => buffer.next());
  assert.instance(err, InvalidPaddingError);
  assert.is(errorOf(() => buffer.next()), err);
  assert.is(errorOf(() => buffer.addData(bytes(0))), err);
});

Buffer_('unknown frame types come out as ExtensionFrames', () => {
  const buffer = new FrameBuffer();
  buffer.addData(bytes(0, 0, 2, 0xfa, 0x3, 0, 0, 0, 5, 'hi'));
  const f = buffer.next() as ExtensionFrame;
  assert.instance(f, ExtensionFrame);
  assert.equal([f.type, f.flagByte, f.streamId, f.body], [0xfa, 3, 5, bytes('hi')]);
});

/** 100 000 small frames of mixed kinds, as one wire. */
function smallFrames(): Uint8Array {
  const rng = mulberry32(42);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < 100_000; i++) {
    const k = rng.int(4);
    if (k === 0) parts.push(new WindowUpdateFrame(rng.int(10), { windowIncrement: 1 + rng.int(1000) }).serialize());
    else if (k === 1) parts.push(new PingFrame(0, { opaqueData: rng.bytes(8) }).serialize());
    else if (k === 2) parts.push(new DataFrame(1 + rng.int(9), { data: rng.bytes(rng.int(12)) }).serialize());
    else parts.push(new GoAwayFrame(0, { lastStreamId: rng.int(99), additionalData: rng.bytes(rng.int(4)) }).serialize());
  }
  return bytes(...parts);
}

Buffer_('100 000 small frames fed one byte at a time or in one block give the same frames', () => {
  const wire = smallFrames();
  const whole = new FrameBuffer();
  whole.addData(wire);
  const a = drain(whole);
  assert.is(a.length, 100_000);
  const bytewise = new FrameBuffer();
  const b: Frame[] = [];
  for (let i = 0; i < wire.length; i++) {
    bytewise.addData(wire.subarray(i, i + 1));
    for (const f of bytewise) b.push(f);
  }
  assert.is(b.length, a.length);
  assert.equal(bytes(...b.map((f) => f.serialize())), wire);
  assert.equal(bytes(...a.map((f) => f.serialize())), wire);
  assert.is(bytewise.bufferedBytes, 0);
});

Buffer_('the chunk list is compacted: 10 000 reads of 200 bytes never leave more than ~2 000 slots', () => {
  // A 150-byte frame, then 300-byte frames: frame ends (150 + 300k) never meet read ends (200k), so
  // the buffer always holds a partial frame and never empties; only compaction drops consumed slots.
  const reads = 10_000;
  const wire = new Uint8Array(reads * 200 + 300);
  let at = new DataFrame(1, { data: new Uint8Array(141) }).serializeInto(wire, 0);
  let frames = 1;
  for (; at < reads * 200; frames++) {
    at += new DataFrame(3, { data: new Uint8Array(291).fill(frames & 0xff) }).serializeInto(wire, at);
  }
  frames--; // the last one is cut off by the final read
  const buffer = new FrameBuffer();
  let got = 0;
  let maxSlots = 0;
  for (let i = 0; i < reads; i++) {
    buffer.addData(wire.subarray(i * 200, (i + 1) * 200));
    for (const f of buffer) {
      if (got > 0) assert.is((f as DataFrame).data[290], got & 0xff);
      got++;
    }
    assert.ok(buffer.bufferedBytes > 0);
    maxSlots = Math.max(maxSlots, buffer.chunkSlots);
  }
  assert.is(got, frames);
  assert.ok(maxSlots <= 2048, `the chunk list grew to ${maxSlots} slots`);
});

Buffer_('a frame trickled in small views of large read buffers does not keep those buffers alive', () => {
  // A peer sends one 16 KiB DATA frame in 128-octet reads, each a view of its own 64 KiB buffer (a
  // pooled read): the buffer must retain about the frame's bytes, not 128 × 64 KiB of read buffers.
  const payload = new Uint8Array(16_384).map((_, i) => (i * 7) & 0xff);
  const wire = new DataFrame(1, { data: payload }).serialize();
  const buffer = new FrameBuffer();
  const piece = 128;
  let frame: Frame | null = null;
  for (let at = 0; at < wire.length; at += piece) {
    const backing = new Uint8Array(65_536);
    const n = Math.min(piece, wire.length - at);
    backing.set(wire.subarray(at, at + n), 1000);
    buffer.addData(backing.subarray(1000, 1000 + n));
    frame = buffer.next();
    if (frame === null) assert.ok(buffer.retainedBackingBytes <= 2 * wire.length + 65_536, `retains ${buffer.retainedBackingBytes} octets of buffers`);
  }
  assert.ok(frame instanceof DataFrame);
  assert.equal((frame as DataFrame).data, payload);
  // Every byte was consumed: once it waits for input, nothing stays, not even the last small read's staging block.
  assert.is(buffer.next(), null);
  assert.is(buffer.retainedBackingBytes, 0);
});

Buffer_('a quiet connection holds no staging block once every byte was consumed', () => {
  const buffer = new FrameBuffer();
  const ping = new PingFrame(0, { opaqueData: new Uint8Array(8).fill(1) }).serialize();
  buffer.addData(ping.subarray(0, 5));
  assert.is(buffer.next(), null);
  assert.is(buffer.retainedBackingBytes, 4096, 'a partial frame waits in the staging block');
  buffer.addData(ping.subarray(5));
  assert.ok(buffer.next() instanceof PingFrame);
  assert.is(buffer.next(), null);
  assert.is(buffer.retainedBackingBytes, 0);
  buffer.addData(ping);
  assert.ok(buffer.next() instanceof PingFrame, 'small reads go on after the block was let go');
});

Buffer_('frames wholly inside a large read stay zero-copy views even when a partial frame follows', () => {
  const first = new DataFrame(1, { data: new Uint8Array(300).fill(9) }).serialize();
  const backing = new Uint8Array(65_536);
  backing.set(first, 0);
  backing.set(new DataFrame(3, { data: new Uint8Array(1000) }).serialize().subarray(0, 500), first.length);
  const buffer = new FrameBuffer();
  buffer.addData(backing.subarray(0, first.length + 500));
  const got = buffer.next() as DataFrame;
  assert.is(got.data.buffer, backing.buffer);
  assert.is(buffer.next(), null);
  // The unread 500 octets were copied out of the 64 KiB read buffer.
  assert.ok(buffer.retainedBackingBytes < 4096);
});

Buffer_('random read sizes give the same frames as one block', () => {
  const rng = mulberry32(7);
  const wire = smallFrames().subarray(0, 200_000);
  const whole = new FrameBuffer();
  whole.addData(wire);
  const expected = drain(whole).map((f) => f.toString());
  const pieces = new FrameBuffer();
  const got: string[] = [];
  for (let i = 0; i < wire.length; ) {
    const n = 1 + rng.int(rng.int(2) === 0 ? 7 : 3000);
    pieces.addData(wire.subarray(i, i + n));
    i += n;
    for (const f of pieces) got.push(f.toString());
  }
  assert.equal(got, expected);
});

Buffer_('after every byte is consumed (staged or not), frames split over the next reads are assembled whole', () => {
  const big = new DataFrame(3, { data: new Uint8Array(500).fill(9) }).serialize();
  const small = new PingFrame(0, { opaqueData: bytes('abcdefgh') }).serialize();
  const buffer = new FrameBuffer();
  for (let round = 0; round < 3; round++) {
    // A large read consumed whole, then a small (staged) one consumed whole: the buffer is empty.
    buffer.addData(big);
    assert.is((buffer.next() as DataFrame).data.length, 500);
    buffer.addData(small);
    assert.equal((buffer.next() as PingFrame).opaqueData, bytes('abcdefgh'));
    assert.is(buffer.next(), null);
    assert.equal([buffer.bufferedBytes, buffer.chunkSlots], [0, 0]);
    // Then each frame split: the large one across a large and a small read, the small one byte by byte.
    buffer.addData(big.subarray(0, 300));
    assert.is(buffer.next(), null);
    buffer.addData(big.subarray(300));
    assert.equal((buffer.next() as DataFrame).data, new Uint8Array(500).fill(9));
    for (const b of small) buffer.addData(Uint8Array.of(b));
    assert.equal((buffer.next() as PingFrame).opaqueData, bytes('abcdefgh'));
    assert.is(buffer.next(), null);
  }
});

Buffer_.run();
