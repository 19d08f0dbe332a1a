// HPACK encode+decode throughput (blocks/s) of one realistic 7-field request block, warm tables (one
// encoder/decoder pair reused) and fresh tables (a new pair per block), against hpack.js (its
// compressor/decompressor streams, driven synchronously) and Python's hpack (timed inside python).
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Encoder, Decoder } from '../dist/hpack.mjs';
import { report } from './_report.mjs';

const require = createRequire(import.meta.url);
const hpackJs = require('hpack.js');

const HEADERS = [
  [':method', 'GET'],
  [':scheme', 'https'],
  [':authority', 'www.example.com'],
  [':path', '/index.html?q=1'],
  ['user-agent', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36'],
  ['accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7'],
  ['accept-encoding', 'gzip, deflate, br'],
];
const WARM = 100_000;
const FRESH = 20_000;

/** Runs `fn(n)` once to warm up, then times it; returns blocks per second. */
function measure(n, fn) {
  fn(Math.min(n, 5_000));
  const t0 = process.hrtime.bigint();
  fn(n);
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

function h2flowRun(n, fresh) {
  let enc = new Encoder();
  let dec = new Decoder();
  let fields = 0;
  for (let i = 0; i < n; i++) {
    if (fresh) { enc = new Encoder(); dec = new Decoder(); }
    fields += dec.decode(enc.encode(HEADERS)).length;
  }
  if (fields !== n * HEADERS.length) throw new Error('h2flow decoded the wrong number of fields');
}

const HPACKJS_HEADERS = HEADERS.map(([name, value]) => ({ name, value }));
function hpackJsPair() {
  return [hpackJs.compressor.create({ table: { size: 4096 } }), hpackJs.decompressor.create({ table: { size: 4096 } })];
}
function hpackJsRun(n, fresh) {
  let [comp, decomp] = hpackJsPair();
  let fields = 0;
  for (let i = 0; i < n; i++) {
    if (fresh) [comp, decomp] = hpackJsPair();
    comp.write(HPACKJS_HEADERS);
    decomp.write(comp.read());
    decomp.execute();
    while (decomp.read() !== null) fields++;
  }
  if (fields !== n * HEADERS.length) throw new Error('hpack.js decoded the wrong number of fields');
}

const PYTHON = `
import json, sys, time
from hpack import Encoder, Decoder
cfg = json.load(sys.stdin)
headers = [(n.encode(), v.encode()) for n, v in cfg['headers']]
def run(n, fresh):
    e, d = Encoder(), Decoder()
    t0 = time.perf_counter()
    for _ in range(n):
        if fresh:
            e, d = Encoder(), Decoder()
        d.decode(e.encode(headers), raw=True)
    return n / (time.perf_counter() - t0)
run(500, False)
print(json.dumps({'warm': run(cfg['warm'], False), 'fresh': run(cfg['fresh'], True)}))
`;
function pythonRates() {
  if (!existsSync('/usr/bin/python3')) { console.log('python hpack: skipped (no /usr/bin/python3)'); return null; }
  // The same block counts as the other peers (the 100k warm / 20k fresh): a few seconds of python.
  const r = spawnSync('/usr/bin/python3', ['-c', PYTHON], { input: JSON.stringify({ headers: HEADERS, warm: WARM, fresh: FRESH }), encoding: 'utf8' });
  if (r.status !== 0) { console.log(`python hpack: skipped (${(r.stderr || 'python3 failed').trim().split('\n').pop()})`); return null; }
  return JSON.parse(r.stdout);
}

console.log(`blocks per run: ${WARM} warm, ${FRESH} fresh, for h2flow, hpack.js and python hpack alike`);
const ours = { warm: measure(WARM, (n) => h2flowRun(n, false)), fresh: measure(FRESH, (n) => h2flowRun(n, true)) };
const theirs = { warm: measure(WARM, (n) => hpackJsRun(n, false)), fresh: measure(FRESH, (n) => hpackJsRun(n, true)) };
report('hpack encode+decode, warm tables', 'blocks/s', ours.warm, 'hpack.js', theirs.warm);
report('hpack encode+decode, fresh tables', 'blocks/s', ours.fresh, 'hpack.js', theirs.fresh);
const py = pythonRates();
if (py) {
  report('hpack encode+decode, warm tables', 'blocks/s', ours.warm, 'python hpack', py.warm);
  report('hpack encode+decode, fresh tables', 'blocks/s', ours.fresh, 'python hpack', py.fresh);
}
