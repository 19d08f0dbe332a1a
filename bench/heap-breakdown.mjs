// Heap breakdown per connection and per open stream, from V8 heap snapshots (not a bench: run it by hand).
//   node bench/heap-breakdown.mjs [serve|session|node] [CONNECTIONS=1000] [STREAMS=0] [TOP=40]
// A server (child process, --expose-gc) writes a snapshot with no connection, one with CONNECTIONS idle
// h2c connections (preface, SETTINGS, ACK) and, with STREAMS, one more after STREAMS requests on each
// (held unanswered). Printed: self size per connection (then per stream) by constructor, each internal
// object (arrays, contexts, property stores) counted under the first JS object found referring to it.
// Compiled code and script sources are left out. Snapshots go to the OS temp directory (removed after).
// Needs dist/ (npm run build).
import { startHeldServer } from './_held-server.mjs';
import { fork } from 'node:child_process';
import { childReplies, heldRequests, openIdle } from './_raw-h2c.mjs';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';

if (process.argv[2] === '--serve') {
  const kind = process.argv[3];
  const held = [];
  const port = await startHeldServer(kind, held);
  process.on('message', async (file) => {
    for (let i = 0; i < 4; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); }
    writeHeapSnapshot(file);
    process.send({ held: held.length });
  });
  process.send({ port });
} else {
  const kind = process.argv[2] ?? 'serve';
  const N = Number(process.argv[3] ?? 1000);
  const M = Number(process.argv[4] ?? 0);
  const TOP = Number(process.argv[5] ?? 40);
  const child = fork(new URL(import.meta.url).pathname, ['--serve', kind], { execArgv: ['--expose-gc'] });
  const { next } = childReplies(child);
  const pause = (ms) => new Promise((r) => setTimeout(r, ms));
  const files = [0, 1, 2].map((i) => join(tmpdir(), `h2flow-heap-${process.pid}-${i}.heapsnapshot`));
  const snapshot = async (i) => { await pause(500); child.send(files[i]); return next(); };
  const { port } = await next();
  await snapshot(0);
  const sockets = [];
  for (let i = 0; i < N; i++) sockets.push(await openIdle(port));
  await snapshot(1);
  if (M > 0) {
    const requests = heldRequests(0, M);
    for (const s of sockets) s.write(requests);
    await pause(1000);
    console.log(`${kind}: ${(await snapshot(2)).held} requests held`);
  }
  for (const s of sockets) s.destroy();
  child.kill();
  print(`${kind}: per idle connection`, files[0], files[1], N);
  if (M > 0) print(`${kind}: per open stream`, files[1], files[2], N * M);
  for (const f of files) rmSync(f, { force: true });

  function print(title, before, after, n) {
    const a = byOwner(before);
    const b = byOwner(after);
    const rows = [...b].map(([k, v]) => [k, (v.size - (a.get(k)?.size ?? 0)) / n, (v.count - (a.get(k)?.count ?? 0)) / n]);
    rows.sort((x, y) => y[1] - x[1]);
    console.log(`\n${title}: ${rows.reduce((t, r) => t + r[1], 0).toFixed(0)} B self size in all`);
    for (const [k, size, count] of rows.slice(0, TOP)) console.log(`${size.toFixed(0).padStart(7)} B ${count.toFixed(2).padStart(7)}×  ${k}`);
  }
}

/** Self size and count by owner: JS objects by constructor, closures by source position, internals under their first JS referrer. */
function byOwner(file) {
  const s = JSON.parse(readFileSync(file, 'utf8'));
  const meta = s.snapshot.meta;
  const nf = meta.node_fields.length, types = meta.node_types[0];
  const [iT, iN, iS, iE] = ['type', 'name', 'self_size', 'edge_count'].map((x) => meta.node_fields.indexOf(x));
  const enf = meta.edge_fields.length, eT = meta.edge_fields.indexOf('type'), eTo = meta.edge_fields.indexOf('to_node');
  const weak = meta.edge_types[0].indexOf('weak');
  const { nodes, edges, strings } = s;
  const count = nodes.length / nf;
  const owner = new Int32Array(count).fill(-1);
  for (let i = 0, e = 0; i < count; i++) {
    for (let k = nodes[i * nf + iE]; k > 0; k--, e += enf) {
      const to = edges[e + eTo] / nf;
      if (edges[e + eT] !== weak && owner[to] === -1) owner[to] = i;
    }
  }
  const loc = new Map();
  const lf = meta.location_fields.length;
  for (let i = 0; i < s.locations.length; i += lf) loc.set(s.locations[i] / nf, `${s.locations[i + 2] + 1}:${s.locations[i + 3]}`);
  const GENERIC = new Set(['system / Context', 'Object', 'Array', 'Map', 'Set', 'Promise']);
  const isOwner = (i) => {
    const t = types[nodes[i * nf + iT]];
    return (t === 'object' && !GENERIC.has(strings[nodes[i * nf + iN]])) || (t === 'closure' && loc.has(i));
  };
  const label = (i) => (types[nodes[i * nf + iT]] === 'closure' ? `closure ${strings[nodes[i * nf + iN]] || '(anonymous)'} at ${loc.get(i)}` : strings[nodes[i * nf + iN]]);
  const out = new Map();
  const code = types.indexOf('code');
  for (let i = 0; i < count; i++) {
    // Compiled code and script sources are the program's, not a connection's (they change as it warms up).
    if (nodes[i * nf + iT] === code || nodes[i * nf + iS] > 65536) continue;
    let o = i;
    for (let hops = 0; o !== -1 && !isOwner(o) && hops < 6; hops++) o = owner[o];
    const key = o === -1 || !isOwner(o) ? '(other)' : label(o);
    const e = out.get(key) ?? { size: 0, count: 0 };
    e.size += nodes[i * nf + iS];
    if (i === o) e.count++;
    out.set(key, e);
  }
  return out;
}
