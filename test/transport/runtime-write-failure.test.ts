/**
 * The socket write-failure sweep (test/support/socket-sweep.ts, the same points as the Node sockets' in
 * socket-write-failure.test.ts) over Deno's and Bun's real sockets: in each runtime, its own listener's
 * connections (Deno.listen through denoConnToPair, Bun.listen through BunSocketPair) and its `node:net`
 * sockets through socketToPair (h2flow/deno's default transport; h2flow/node's serve() in Bun), each
 * driven directly (vectored or not) and through the pair's Web Streams views. The client that resets the
 * connection is the runtime's `node:net` (`resetAndDestroy`: SO_LINGER 0, then close: RST); the cases
 * check that the reset really was one (the cause is ECONNRESET/EPIPE, or Deno's ConnectionReset/BrokenPipe).
 * Every point is produced in both runtimes: none is left out. Which side reports the reset is the
 * runtime's: in Deno the pending read mostly takes it (ConnectionReset, the write then gets BrokenPipe),
 * but at the client's-GOAWAY point the write takes it and the read ends as if the peer had closed (the
 * case that showed denoConnToPair reading that end as a clean one). Bun reads continuously and reports
 * every reset through its `close` handler (read ECONNRESET) before any write sees it, so a real reset
 * never reaches BunSocketPair's write-side failure (a write returning -1): the scripted BunSocketPair
 * tests in runtime-pairs.test.ts drive that path.
 *
 * One process per runtime runs all of that runtime's cases (test/runtimes/write-failure-sweep.ts) and
 * reports each as a `RESULT` JSON line; both run at once, and each test below reads its case's line. A
 * case that hangs is reported as failed by the runtime process's own per-case deadline (a wall clock,
 * not the session's, which never advances).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run, tempDir } from '../support/peers';
import { bundleFor, runArgs, runtimeBinary, type Runtime } from '../support/runtimes';
import { RUNTIME_SWEEP_DRIVES, SWEEP_POINTS } from '../support/socket-sweep';

interface CaseResult {
  readonly drive: string;
  readonly point: string;
  readonly ok: boolean;
  readonly error?: string;
}

interface Sweep {
  readonly results: CaseResult[];
  readonly code: number | null;
  readonly output: string;
}

const RUNTIMES: readonly Runtime[] = ['deno', 'bun'];
const dir = tempDir('h2flow-runtime-sweep-');
const sweeps = new Map<Runtime, Promise<Sweep>>();

async function sweepIn(runtime: Runtime): Promise<Sweep> {
  const script = await bundleFor(runtime, 'test/runtimes/write-failure-sweep.ts', dir.path);
  const r = await run(runtimeBinary(runtime), [...runArgs(runtime, script), runtime], { timeoutMs: 120_000 });
  const stdout = r.stdout.toString();
  const results = [...stdout.matchAll(/^RESULT (.*)$/gm)].map((m) => JSON.parse(m[1]!) as CaseResult);
  return { results, code: r.code, output: `${stdout}\n${r.stderr}`.slice(-4000) };
}

test.before(() => {
  for (const runtime of RUNTIMES) sweeps.set(runtime, sweepIn(runtime));
});
test.after(async () => {
  await Promise.allSettled(sweeps.values());
  dir.cleanup();
});

for (const runtime of RUNTIMES) {
  for (const drive of RUNTIME_SWEEP_DRIVES[runtime]) {
    for (const point of SWEEP_POINTS) {
      test(`${runtime}: a socket (${drive}) reset by the peer when ${point.name}: every promise settles, typed, and closed reports the socket's error once`, async () => {
        const sweep = await sweeps.get(runtime)!;
        const result = sweep.results.find((r) => r.drive === drive && r.point === point.name);
        assert.ok(result !== undefined, `the case reported no result:\n${sweep.output}`);
        assert.ok(result!.ok, result!.error);
      });
    }
  }
  test(`${runtime}: the sweep ran every case and its process exited on its own`, async () => {
    const sweep = await sweeps.get(runtime)!;
    assert.is(sweep.results.length, RUNTIME_SWEEP_DRIVES[runtime].length * SWEEP_POINTS.length, sweep.output);
    assert.match(sweep.output, /^DONE$/m);
    assert.is(sweep.code, 0, sweep.output);
  });
}

test.run();
