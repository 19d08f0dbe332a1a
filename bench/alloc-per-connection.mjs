// Bytes allocated per connection set-up, garbage included (not a bench: run it by hand).
//   node bench/alloc-per-connection.mjs [serve|session|node] [CONNECTIONS=1000] [profile.heapprofile] [STREAMS=0]
// The RSS a burst of connections leaves depends on what each set-up allocates, not only on what it keeps:
// garbage makes scavenges, and what is alive at each one counts towards V8 growing its young generation.
// A server (child process) runs with a young generation large enough (128 MiB semi-spaces) that no GC
// runs during a burst of CONNECTIONS idle h2c connections (preface, SETTINGS, ACK; the same as
// bench/memory.bench.mjs, 50 at a time) after a warm-up burst; V8's used heap before and after the burst,
// divided by CONNECTIONS, is what each set-up allocated (the count of GCs during the burst is printed and
// should be 0), and after a full GC what each kept. A byte count: machine load does not change it.
// With STREAMS, the same per request instead: CONNECTIONS connections are opened first (not measured),
// then STREAMS requests on each (HEADERS without END_STREAM, held unanswered, as in the memory bench),
// and the bytes are divided by CONNECTIONS × STREAMS (a warm-up of 20 requests per connection first).
// With a file name, the server also records a sampling heap profile of the burst (every allocation,
// collected or not: open it in Chrome DevTools' Memory tab) to find where the bytes come from.
// Needs dist/ (npm run build).
import { startHeldServer } from './_held-server.mjs';
import { fork } from 'node:child_process';
import { childReplies, heldRequests, openIdleMany } from './_raw-h2c.mjs';
import { writeFileSync } from 'node:fs';

if (process.argv[2] === '--serve') {
  const kind = process.argv[3];
  const profile = process.argv[4] !== '';
  const v8 = await import('node:v8');
  const { PerformanceObserver } = await import('node:perf_hooks');
  const held = [];
  const port = await startHeldServer(kind, held);
  let inspector = null;
  if (profile) {
    const { Session } = await import('node:inspector');
    inspector = new Session();
    inspector.connect();
  }
  const post = (method, params) => new Promise((resolve, reject) => inspector.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
  let gcs = 0;
  new PerformanceObserver((list) => (gcs += list.getEntries().length)).observe({ entryTypes: ['gc'] });
  process.on('message', async ({ op, file }) => {
    if (op === 'before') {
      for (let i = 0; i < 4; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); }
      gcs = 0;
      if (inspector) await post('HeapProfiler.startSampling', { samplingInterval: 64, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    } else if (op === 'after' && inspector) {
      // Read before stopping: the profile itself allocates.
      const used = v8.getHeapStatistics().used_heap_size;
      const { profile: p } = await post('HeapProfiler.stopSampling');
      writeFileSync(file, JSON.stringify(p));
      process.send({ used, gcs });
      return;
    } else if (op === 'kept') {
      for (let i = 0; i < 4; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); }
    }
    if (op === 'held') process.send({ held: held.length });
    else process.send({ used: v8.getHeapStatistics().used_heap_size, gcs });
  });
  process.send({ port });
} else {
  const kind = process.argv[2] ?? 'serve';
  const N = Number(process.argv[3] ?? 1000);
  const file = process.argv[4] ?? '';
  const STREAMS = Number(process.argv[5] ?? 0);
  const child = fork(new URL(import.meta.url).pathname, ['--serve', kind, file], {
    execArgv: ['--expose-gc', '--min-semi-space-size=128', '--max-semi-space-size=128'],
  });
  const { next, ask } = childReplies(child);
  const pause = (ms) => new Promise((r) => setTimeout(r, ms));
  const { port } = await next();
  const burst = async (n) => {
    const sockets = await openIdleMany(port, n);
    await pause(300);
    return sockets;
  };
  const heldAtLeast = async (n) => { while ((await ask({ op: 'held' })).held < n) await pause(20); };
  if (STREAMS > 0) {
    const sockets = await burst(N);
    const WARM = 20;
    for (const s of sockets) s.write(heldRequests(0, WARM));
    await heldAtLeast(N * WARM);
    await pause(300);
    const before = await ask({ op: 'before' });
    for (const s of sockets) s.write(heldRequests(WARM, STREAMS));
    await heldAtLeast(N * (WARM + STREAMS));
    await pause(300);
    const after = await ask({ op: 'after', file });
    const kept = await ask({ op: 'kept' });
    const per = (x) => ((x - before.used) / (N * STREAMS)).toFixed(0);
    console.log(`${kind}: ${per(after.used)} B allocated per request (GCs meanwhile: ${after.gcs}), ${per(kept.used)} B kept per held request${file ? `; profile in ${file}` : ''}`);
    for (const s of sockets) s.destroy();
    child.kill();
    process.exit(0);
  }
  // A warm-up burst first, so that what is measured is not the JIT compiling the set-up path.
  for (const s of await burst(200)) s.destroy();
  await pause(500);
  const before = await ask({ op: 'before' });
  const sockets = await burst(N);
  const after = await ask({ op: 'after', file });
  const kept = await ask({ op: 'kept' });
  const per = (x) => ((x - before.used) / N).toFixed(0);
  console.log(`${kind}: ${per(after.used)} B allocated per connection set-up (GCs during the burst: ${after.gcs}), ${per(kept.used)} B kept per idle connection${file ? `; profile in ${file}` : ''}`);
  for (const s of sockets) s.destroy();
  child.kill();
}
