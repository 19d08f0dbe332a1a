// Frame layer throughput against python hyperframe + h2's FrameBuffer (Debian's system python, timed
// inside python, on the same input bytes): parse and serialize rates for 16 KiB DATA frames (MB/s) and
// for small frames (frames/s), and FrameBuffer linearity: the per-frame cost of 100 000 frames against
// 20 000, in one block and in 1-byte reads (a ratio of about 1 is linear; a quadratic buffer gives ~5).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataFrame, FrameBuffer, HeadersFrame, PingFrame, WindowUpdateFrame } from '../dist/frame.mjs';
import { report } from './_report.mjs';

const BUDGET_MS = 500;
const ROUNDS = 5;
const DATA_FRAMES = 512;
const SMALL_FRAMES = 20_000;
const LINEAR_FRAMES = 20_000;
const LINEAR_FRAMES_LONG = 100_000;
const READ = 65_536;

const payload16k = new Uint8Array(16_384).map((_, i) => i & 0xff);
const block20 = new Uint8Array(20).map((_, i) => 0x80 + i);
const opaque = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);

const SMALL = {
  HEADERS: (i) => new HeadersFrame(1 + 2 * (i & 1023), { data: block20, flags: ['END_HEADERS'] }),
  WINDOW_UPDATE: (i) => new WindowUpdateFrame(i & 7, { windowIncrement: 1 + i }),
  PING: () => new PingFrame(0, { opaqueData: opaque }),
};

function concat(frames) {
  const out = new Uint8Array(frames.reduce((n, f) => n + f.serializedLength, 0));
  let at = 0;
  for (const f of frames) at += f.serializeInto(out, at);
  return out;
}

function split(wire, size) {
  const chunks = [];
  for (let i = 0; i < wire.length; i += size) chunks.push(wire.subarray(i, i + size));
  return chunks;
}

/**
 * Units per second of `fn()` (which returns the units it handled): after a warm-up, the best of
 * ROUNDS windows of BUDGET_MS / ROUNDS each, so a burst of load from other processes counts less.
 */
function rate(fn) {
  fn();
  let best = 0;
  for (let r = 0; r < ROUNDS; r++) {
    let units = 0;
    const t0 = performance.now();
    let t = t0;
    do {
      units += fn();
      t = performance.now();
    } while (t - t0 < BUDGET_MS / ROUNDS);
    best = Math.max(best, units / ((t - t0) / 1000));
  }
  return best;
}

/** Feeds `wire` to a fresh FrameBuffer in `size`-byte reads (0: one block), draining after each; returns the frame count. */
function parseSplit(wire, size, expected) {
  const buffer = new FrameBuffer({ maxFrameSize: 16_384 });
  const step = size === 0 ? wire.length : size;
  let n = 0;
  for (let i = 0; i < wire.length; i += step) {
    buffer.addData(wire.subarray(i, i + step));
    for (let f = buffer.next(); f !== null; f = buffer.next()) n++;
  }
  if (n !== expected) throw new Error(`parsed ${n} frames, expected ${expected}`);
  return n;
}

/** Feeds `chunks` to a fresh FrameBuffer, draining after each read; returns the frame count. */
function parseChunks(chunks, expected) {
  const buffer = new FrameBuffer({ maxFrameSize: 16_384 });
  let n = 0;
  for (const c of chunks) {
    buffer.addData(c);
    for (let f = buffer.next(); f !== null; f = buffer.next()) n++;
  }
  if (n !== expected) throw new Error(`parsed ${n} frames, expected ${expected}`);
  return n;
}

// Inputs, shared with python through files.
const dir = mkdtempSync(join(tmpdir(), 'h2flow-frame-bench-'));
const dataWire = concat(Array.from({ length: DATA_FRAMES }, () => new DataFrame(1, { data: payload16k })));
const smallWires = Object.fromEntries(Object.entries(SMALL).map(([k, make]) => [k, concat(Array.from({ length: SMALL_FRAMES }, (_, i) => make(i)))]));
const kinds = Object.values(SMALL);
const linearFramesLong = Array.from({ length: LINEAR_FRAMES_LONG }, (_, i) => kinds[i % 3](i));
const linearFrames = linearFramesLong.slice(0, LINEAR_FRAMES);
const linearWire = concat(linearFrames);
const linearWireLong = concat(linearFramesLong);
const files = { data: join(dir, 'data.bin'), linear: join(dir, 'linear.bin') };
writeFileSync(files.data, dataWire);
writeFileSync(files.linear, linearWire);
for (const [k, w] of Object.entries(smallWires)) writeFileSync((files[k] = join(dir, `${k}.bin`)), w);

// h2flow.
const ours = {};
const dataChunks = split(dataWire, READ);
ours.dataParse = (rate(() => parseChunks(dataChunks, DATA_FRAMES)) * dataWire.length) / DATA_FRAMES / 1e6;
ours.dataSerialize = (rate(() => {
  let bytes = 0;
  for (let i = 0; i < DATA_FRAMES; i++) bytes += new DataFrame(1, { data: payload16k }).serialize().length;
  return bytes;
})) / 1e6;
// The path the core takes: serializeInto one outbound buffer, no allocation per frame.
const dataOut = new Uint8Array(9 + payload16k.length);
ours.dataSerializeInto = (rate(() => {
  let bytes = 0;
  for (let i = 0; i < DATA_FRAMES; i++) bytes += new DataFrame(1, { data: payload16k }).serializeInto(dataOut, 0);
  return bytes;
})) / 1e6;
for (const [k, make] of Object.entries(SMALL)) {
  const chunks = split(smallWires[k], READ);
  ours[`${k}Parse`] = rate(() => parseChunks(chunks, SMALL_FRAMES));
  ours[`${k}Serialize`] = rate(() => {
    for (let i = 0; i < SMALL_FRAMES; i++) make(i).serialize();
    return SMALL_FRAMES;
  });
}
for (const size of [0, 7, 1]) {
  const chunks = size === 0 ? [linearWire] : split(linearWire, size);
  ours[`linear${size}`] = rate(() => parseChunks(chunks, LINEAR_FRAMES));
}
// Linearity: the same mixed frames, 20 000 then 100 000 of them, reads cut while feeding (no pre-split).
for (const size of [0, 1]) {
  ours[`short${size}`] = rate(() => parseSplit(linearWire, size, LINEAR_FRAMES));
  ours[`long${size}`] = rate(() => parseSplit(linearWireLong, size, LINEAR_FRAMES_LONG));
}
// One outbound batch: the mixed small frames written with serializeInto into one buffer.
ours.batch = rate(() => {
  const out = new Uint8Array(linearWire.length);
  let at = 0;
  for (const f of linearFrames) at += f.serializeInto(out, at);
  if (at !== out.length) throw new Error('batch length mismatch');
  return LINEAR_FRAMES;
});

// python hyperframe + h2 FrameBuffer.
const PYTHON = String.raw`
import json, sys, time
from hyperframe.frame import DataFrame, HeadersFrame, WindowUpdateFrame, PingFrame
from h2.frame_buffer import FrameBuffer
import h2
cfg = json.load(sys.stdin)
budget = cfg['budget']
def rate(fn):
    fn()
    best = 0
    for _ in range(cfg['rounds']):
        units, t0 = 0, time.perf_counter()
        while True:
            units += fn()
            t = time.perf_counter()
            if t - t0 >= budget / cfg['rounds']:
                break
        best = max(best, units / (t - t0))
    return best
def load(name):
    with open(cfg['files'][name], 'rb') as f:
        return f.read()
def split(wire, size):
    return [wire[i:i + size] for i in range(0, len(wire), size)]
def parse_chunks(chunks, expected):
    buf = FrameBuffer(server=False)
    buf.max_frame_size = 16384
    n = 0
    for c in chunks:
        buf.add_data(c)
        for _ in buf:
            n += 1
    assert n == expected, (n, expected)
    return n
out = {'version': h2.__version__}
data = load('data')
n = cfg['dataFrames']
out['dataParse'] = rate(lambda: parse_chunks(split(data, cfg['read']), n)) * len(data) / n / 1e6
payload = bytes(i & 0xff for i in range(16384))
def ser_data():
    b = 0
    for _ in range(n):
        b += len(DataFrame(1, data=payload).serialize())
    return b
out['dataSerialize'] = rate(ser_data) / 1e6
block20 = bytes(0x80 + i for i in range(20))
opaque = bytes([1, 2, 3, 4, 5, 6, 7, 8])
small = {
    'HEADERS': lambda i: HeadersFrame(1 + 2 * (i & 1023), data=block20, flags=['END_HEADERS']),
    'WINDOW_UPDATE': lambda i: WindowUpdateFrame(i & 7, window_increment=1 + i),
    'PING': lambda i: PingFrame(0, opaque_data=opaque),
}
m = cfg['smallFrames']
for k, make in small.items():
    chunks = split(load(k), cfg['read'])
    out[k + 'Parse'] = rate(lambda: parse_chunks(chunks, m))
    def ser(make=make):
        for i in range(m):
            make(i).serialize()
        return m
    out[k + 'Serialize'] = rate(ser)
frames = [list(small.values())[i % 3](i) for i in range(cfg['linearFrames'])]
def batch():
    out = b''.join(f.serialize() for f in frames)
    return len(frames)
out['batch'] = rate(batch)
linear = load('linear')
for size in (0, 7, 1):
    chunks = [linear] if size == 0 else split(linear, size)
    out['linear%d' % size] = rate(lambda: parse_chunks(chunks, cfg['linearFrames']))
print(json.dumps(out))
`;

let theirs = null;
if (!existsSync('/usr/bin/python3')) console.log('python hyperframe: skipped (no /usr/bin/python3)');
else {
  const input = { files, budget: BUDGET_MS / 1000, rounds: ROUNDS, dataFrames: DATA_FRAMES, smallFrames: SMALL_FRAMES, linearFrames: LINEAR_FRAMES, read: READ };
  const r = spawnSync('/usr/bin/python3', ['-c', PYTHON], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) console.log(`python hyperframe: skipped (${(r.stderr || 'python3 failed').trim().split('\n').pop()})`);
  else theirs = JSON.parse(r.stdout);
}
rmSync(dir, { recursive: true, force: true });

const peer = theirs ? `python hyperframe + h2 ${theirs.version} FrameBuffer` : null;
const line = (bench, unit, key) => (peer ? report(bench, unit, ours[key], peer, theirs[key]) : console.log(`${bench}: h2flow ${Math.round(ours[key])} ${unit}`));
line('frame parse 16 KiB DATA (64 KiB reads)', 'MB/s', 'dataParse');
line('frame serialize 16 KiB DATA', 'MB/s', 'dataSerialize');
if (peer) report('frame serializeInto a reused buffer, 16 KiB DATA (vs python serialize)', 'MB/s', ours.dataSerializeInto, peer, theirs.dataSerialize);
for (const k of Object.keys(SMALL)) {
  const what = k === 'HEADERS' ? 'HEADERS (20-byte block)' : k;
  line(`frame parse ${what} (64 KiB reads)`, 'frames/s', `${k}Parse`);
  line(`frame serialize ${what}`, 'frames/s', `${k}Serialize`);
}
line('frame serialize mixed small frames into one batch buffer', 'frames/s', 'batch');
line('FrameBuffer, mixed small frames in one block', 'frames/s', 'linear0');
line('FrameBuffer, mixed small frames in 7-byte reads', 'frames/s', 'linear7');
line('FrameBuffer, mixed small frames in 1-byte reads', 'frames/s', 'linear1');
// Linearity: 5× the frames cost 5× the time, so the per-frame cost ratio is about 1, in one block and in 1-byte reads.
const long = `h2flow at ${LINEAR_FRAMES / 1000}k frames`;
report(`FrameBuffer per-frame cost, one block, ${LINEAR_FRAMES_LONG / 1000}k vs ${LINEAR_FRAMES / 1000}k frames`, 'ns/frame', 1e9 / ours.long0, long, 1e9 / ours.short0);
report(`FrameBuffer per-frame cost, 1-byte reads, ${LINEAR_FRAMES_LONG / 1000}k vs ${LINEAR_FRAMES / 1000}k frames`, 'ns/frame', 1e9 / ours.long1, long, 1e9 / ours.short1);
// Small reads cost a constant factor more, not a collapse.
report('FrameBuffer, 1-byte reads vs one block (20k frames)', 'frames/s', ours.linear1, 'h2flow one block', ours.linear0);
if (theirs) console.log(`FrameBuffer linearity of ${peer}: 1-byte reads ${Math.round(theirs.linear1)} frames/s vs one block ${Math.round(theirs.linear0)} frames/s`);
