/**
 * Bulk bodies over a vectored transport: a body that is the only one ready goes to the core in whole
 * batches (`sendDataFrames`, up to the outbound high-water mark and the windows) instead of frame by
 * frame. The session's output is parsed back with the frame layer's FrameBuffer. Covered: 16 KiB frames
 * with END_STREAM on the last only, round robin between bodies, window exhaustion mid-batch, a
 * MAX_FRAME_SIZE change mid-stream, a reset while data is queued and in flight, and the transport
 * failing or ending mid-batch (every write settles, the window a reset body never used goes to others).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { H2Session } from '../../src/streams';
import type { H2DirectTransport, H2Stream, H2TransportSink } from '../../src/streams';
import { DataFrame, FrameBuffer, type Frame } from '../../src/frame';
import { E, S, TestPeer } from '../support/peer';
import { concat } from '../support/bytes';
import { settle } from '../support/duplex-pair';
import { GET, OK, track } from '../support/session-fixtures';

const Bulk = suite('bulk batches');

/** A vectored direct transport whose writes are parsed as they come and complete when the test says. */
class VectoredWire implements H2DirectTransport {
  readonly peer = new TestPeer('client');
  readonly #frames = new FrameBuffer({ maxFrameSize: (1 << 24) - 1 });
  /** Every frame the session wrote, in order. */
  readonly frames: Frame[] = [];
  /** Pieces per transport write. */
  readonly writes: number[] = [];
  /** While true, writes stay pending until `complete()` or `fail()`. */
  hold = false;
  readonly #pending: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  #sink: H2TransportSink | null = null;

  start(sink: H2TransportSink): void {
    this.#sink = sink;
  }
  pause(): void {}
  resume(): void {}
  cancel(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  abort(reason: unknown): void {
    this.fail(reason);
  }

  write(chunk: Uint8Array | Uint8Array[]): Promise<void> | undefined {
    const pieces = Array.isArray(chunk) ? chunk : [chunk];
    // Copied: the session may let the bodies reuse their buffers once the write completed.
    for (const p of pieces) this.#frames.addData(p.slice());
    this.frames.push(...this.#frames);
    this.writes.push(pieces.length);
    if (!this.hold) return undefined;
    return new Promise((resolve, reject) => this.#pending.push({ resolve, reject }));
  }

  /** Completes the writes waiting. */
  complete(): void {
    for (const p of this.#pending.splice(0)) p.resolve();
  }

  /** Fails the writes waiting. */
  fail(error: unknown): void {
    for (const p of this.#pending.splice(0)) p.reject(error);
  }

  get pendingWrites(): number {
    return this.#pending.length;
  }

  /** Delivers peer frames to the session. */
  send(...chunks: Uint8Array[]): void {
    this.#sink?.data(concat(...chunks));
  }

  /** The peer ends its side. */
  end(): void {
    this.#sink?.end();
  }

  /** The DATA frames written so far on `streamId` (all streams without it), consumed. */
  data(streamId?: number): DataFrame[] {
    const out = this.frames.filter((f): f is DataFrame => f.type === 0x0 && (streamId === undefined || f.streamId === streamId));
    return out;
  }

  /** Forgets the frames seen so far. */
  clear(): void {
    this.frames.length = 0;
    this.writes.length = 0;
  }
}

/** A server session over a VectoredWire past the SETTINGS exchange, the peer's settings given. */
async function serverOverWire(peerSettings: Record<number, number> = {}, options: { outboundHighWaterMark?: number } = {}) {
  const wire = new VectoredWire();
  const session = new H2Session({ readable: null as never, writable: null as never, vectored: true, direct: wire }, { role: 'server', ...options });
  wire.send(wire.peer.greeting(peerSettings));
  await settle();
  wire.send(wire.peer.settingsAck());
  await settle();
  const incoming = session.incoming.getReader();
  const open = async (id: number): Promise<H2Stream> => {
    wire.send(wire.peer.headers(id, GET, { endStream: true }));
    const { value } = await incoming.read();
    const stream = value as H2Stream;
    stream.respond(OK);
    return stream;
  };
  wire.clear();
  return { wire, session, open };
}

function pattern(n: number, seed = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 13 + seed + (i >>> 9)) & 0xff;
  return b;
}

const bodyOf = (frames: DataFrame[]): Uint8Array => concat(...frames.map((f) => f.data));
const sizes = (frames: DataFrame[]): number[] => frames.map((f) => f.data.length);
const BIG = { [S.INITIAL_WINDOW_SIZE]: 2 ** 31 - 1 };

Bulk('a lone body leaves in high-water-mark batches of 16 KiB frames, END_STREAM on the last frame only', async () => {
  const { wire, open } = await serverOverWire(BIG);
  wire.send(wire.peer.windowUpdate(0, 2 ** 31 - 1 - 65535));
  const stream = await open(1);
  wire.hold = true;
  const body = pattern(3 * 1048576 + 1000);
  const writer = stream.writable.getWriter();
  const wrote = track(writer.write(body));
  const closed = track(writer.close());
  await settle();
  // One batch in flight: the high-water mark (1 MiB over a vectored transport), 64 frames in one write.
  assert.is(wire.pendingWrites, 1);
  assert.is(bodyOf(wire.data(1)).length, 1048576);
  for (let i = 0; i < 3 && wire.pendingWrites > 0; i++) {
    wire.complete();
    await settle();
  }
  wire.complete();
  await settle();
  assert.ok(wrote.done && closed.done && wrote.failed === undefined && closed.failed === undefined, 'the write and the close resolved');
  const frames = wire.data(1);
  assert.equal(bodyOf(frames), body);
  // The close reaches the sink once the write resolved (held until written): END_STREAM comes alone.
  assert.equal(sizes(frames).slice(-2), [1000, 0]);
  assert.ok(sizes(frames).slice(0, -2).every((n) => n === 16384), 'full frames until the last');
  assert.equal(frames.map((f) => f.flags.has('END_STREAM')).lastIndexOf(true), frames.length - 1);
  assert.is(frames.filter((f) => f.flags.has('END_STREAM')).length, 1);
  assert.ok(wire.writes.every((n) => n <= 2 * 65 + 1), 'each write is one batch: a header and a payload per frame');
});

Bulk('two ready bodies still share the connection frame by frame', async () => {
  const { wire, open } = await serverOverWire(BIG);
  const a = await open(1);
  const b = await open(3);
  const wa = a.writable.getWriter();
  const wb = b.writable.getWriter();
  // Stream 1 alone takes the connection window (65535) in one batch; then both wait for more.
  void wa.write(pattern(65535, 0)).catch(() => undefined);
  await settle();
  void wa.write(pattern(65536, 1)).catch(() => undefined);
  void wb.write(pattern(65536, 2)).catch(() => undefined);
  await settle();
  wire.clear();
  wire.send(wire.peer.windowUpdate(0, 1 << 20));
  await settle();
  const order = wire.data().map((f) => f.streamId);
  assert.equal(order, [1, 3, 1, 3, 1, 3, 1, 3], JSON.stringify(order));
  assert.equal(bodyOf(wire.data(1)), pattern(65536, 1));
  assert.equal(bodyOf(wire.data(3)), pattern(65536, 2));
});

Bulk('a batch stops at the window mid-batch and goes on, frame sizes intact, after each WINDOW_UPDATE', async () => {
  const { wire, open } = await serverOverWire({ [S.INITIAL_WINDOW_SIZE]: 40000 });
  const stream = await open(1);
  const body = pattern(100000);
  const writer = stream.writable.getWriter();
  const wrote = track(writer.write(body));
  await settle();
  assert.equal(sizes(wire.data(1)), [16384, 16384, 7232], 'exactly the stream window');
  assert.not.ok(wrote.settled);
  wire.clear();
  wire.send(wire.peer.windowUpdate(1, 30000));
  await settle();
  assert.equal(sizes(wire.data(1)), [16384, 9151], 'the rest of the connection window (65535 - 40000)');
  wire.clear();
  wire.send(wire.peer.windowUpdate(0, 1 << 20));
  await settle();
  assert.equal(sizes(wire.data(1)), [4465], 'the rest of the stream window');
  wire.clear();
  wire.send(wire.peer.windowUpdate(1, 1 << 20));
  await settle();
  assert.equal(sizes(wire.data(1)), [16384, 13616]);
  assert.ok(wrote.done && wrote.failed === undefined);
  const closed = track(writer.close());
  await settle();
  assert.ok(closed.done && closed.failed === undefined);
  const last = wire.data(1).at(-1);
  assert.ok(last !== undefined && last.data.length === 0 && last.flags.has('END_STREAM'));
});

Bulk('a MAX_FRAME_SIZE raised mid-stream is used from the next batch on', async () => {
  const { wire, open } = await serverOverWire(BIG);
  wire.send(wire.peer.windowUpdate(0, 1 << 24));
  const stream = await open(1);
  wire.hold = true;
  const body = pattern(1048576 + 200000);
  const writer = stream.writable.getWriter();
  const wrote = track(writer.write(body));
  void writer.close().catch(() => undefined);
  await settle();
  assert.ok(sizes(wire.data(1)).every((n) => n === 16384));
  wire.send(wire.peer.settings({ [S.MAX_FRAME_SIZE]: 65536 }));
  await settle();
  wire.complete();
  await settle();
  wire.complete();
  await settle();
  assert.ok(wrote.done && wrote.failed === undefined);
  const later = sizes(wire.data(1)).slice(64);
  assert.equal(later, [65536, 65536, 65536, 3392, 0]);
  assert.equal(bodyOf(wire.data(1)), body);
});

Bulk('a stream reset while its data is queued and in flight: its writes reject, and the window it never used goes to another stream', async () => {
  const { wire, open } = await serverOverWire({ [S.INITIAL_WINDOW_SIZE]: 1 << 20 });
  const a = await open(1);
  const b = await open(3);
  wire.hold = true;
  const wa = a.writable.getWriter();
  const first = track(wa.write(pattern(200000, 1)));
  await settle();
  assert.is(bodyOf(wire.data(1)).length, 65535, 'stream 1 took the whole connection window; the write is in flight');
  const wb = b.writable.getWriter();
  const other = track(wb.write(pattern(1000, 2)));
  await settle();
  assert.is(wire.data(3).length, 0, 'stream 3 waits for the connection window');
  wire.send(wire.peer.rstStream(1, E.CANCEL));
  await settle();
  assert.ok(first.settled && first.failed !== undefined, 'the reset stream\'s write rejected');
  const aClosed = track(wa.closed);
  await settle();
  assert.ok(aClosed.settled && aClosed.failed !== undefined, 'its writable errored');
  wire.complete();
  wire.send(wire.peer.windowUpdate(0, 1000));
  await settle();
  wire.complete();
  await settle();
  assert.equal(bodyOf(wire.data(3)), pattern(1000, 2), 'stream 3 got the window back');
  assert.ok(other.done && other.failed === undefined);
  assert.is(bodyOf(wire.data(1)).length, 65535, 'nothing more of stream 1 after the reset');
});

for (const [what, cut] of [
  ['the transport fails', (wire: VectoredWire) => wire.fail(new Error('connection reset'))],
  ['the peer ends the transport', (wire: VectoredWire) => wire.end()],
] as const) {
  Bulk(`${what} mid-batch: every write, close and stream promise settles`, async () => {
    const { wire, session, open } = await serverOverWire(BIG);
    wire.send(wire.peer.windowUpdate(0, 1 << 24));
    const a = await open(1);
    const b = await open(3);
    wire.hold = true;
    const wa = a.writable.getWriter();
    const wb = b.writable.getWriter();
    const promises = [wa.write(pattern(3 * 1048576)), wa.close(), wb.write(pattern(500000)), wb.close(), a.closed, b.closed, session.closed].map(track);
    await settle();
    assert.ok(wire.pendingWrites > 0, 'a batch is in flight');
    cut(wire);
    await settle(6);
    wire.fail(new Error('late'));
    await settle(6);
    promises.forEach((p, i) => assert.ok(p.settled, `promise ${i} settled`));
    assert.ok(promises.slice(0, 4).every((p) => p.failed !== undefined), 'the unfinished bodies failed');
  });
}

Bulk.run();
