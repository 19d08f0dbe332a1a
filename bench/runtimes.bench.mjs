// h2flow on each runtime against that runtime's own HTTP/2 server, in one run: h2load over TLS (ALPN h2),
// `-c4 -m32`, GET / → 12 bytes, req/s (best of three); each runtime's two listeners over h2c; and bulk, h2load
// `-n8 -c1 -m1` of a 256 MiB response over h2c, MB/s (best of two). Servers (bench/runtimes-server.mjs, each
// in its own process): h2flow on Node vs node:http2; h2flow/deno vs Deno.serve, and node:net vs Deno.listen
// under h2flow/deno (which listener Deno defaults to); h2flow/bun vs Bun.serve({ http2: true }), and h2flow/bun
// (Bun.listen) vs h2flow/node in Bun (node:net); on Bun also the session API and serve() with LightResponse
// against Bun.serve. Deno and Bun are the npm dev dependencies' binaries. Figures taken while other
// work loads the machine are not reliable.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { report } from './_report.mjs';

const REQUESTS = Number(process.env.H2FLOW_BENCH_REQUESTS ?? 20_000);
const binary = (candidates) => candidates.map((p) => resolve(p)).find((p) => existsSync(p) && statSync(p).size > 1 << 20);
const RUNTIMES = {
  node: [process.execPath],
  deno: [binary(['node_modules/@deno/linux-x64-glibc/deno', 'node_modules/@deno/linux-arm64-glibc/deno', 'node_modules/deno/deno']), 'run', '-A'],
  bun: [binary(['node_modules/@oven/bun-linux-x64/bin/bun', 'node_modules/@oven/bun-linux-aarch64/bin/bun', 'node_modules/bun/bin/bun.exe']), 'run'],
};

const dir = mkdtempSync(join(tmpdir(), 'h2flow-bench-'));
const certFile = join(dir, 'cert.pem');
const keyFile = join(dir, 'key.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });

/** h2load's result: req/s for the small GET, MB/s for the bulk one (h2load's own figure, 10^6 bytes). */
function h2load(args, what) {
  // A deadline: a server that stalls (one did, on a streamed bulk body) fails the row instead of hanging the run.
  const r = spawnSync('h2load', args, { encoding: 'utf8', maxBuffer: 1 << 24, timeout: 300_000 });
  if (!/ 0 failed, 0 errored/.test(r.stdout)) throw new Error(`h2load against ${what} failed:\n${r.stdout}${r.stderr}`);
  const m = /finished in [^,]+, ([\d.]+) req\/s, ([\d.]+)([KMG]?)B\/s/.exec(r.stdout);
  const scale = { '': 1e-6, K: 1e-3, M: 1, G: 1e3 };
  return { reqPerSec: Number(m?.[1] ?? 0), mbPerSec: Number(m?.[2] ?? 0) * scale[m?.[3] ?? 'M'] };
}

/**
 * Starts `runtime`'s server of `kind` and measures it: `small` (h2load -c4 -m32, GET / → 12 bytes, req/s,
 * best of three) or `bulk` (h2load -n8 -c1 -m1, GET `bulkPath` → 256 MiB each, MB/s, best of two).
 */
async function measure(runtime, kind, scheme = 'https', load = 'small', bulkPath = '/bulk') {
  const [bin, ...args] = RUNTIMES[runtime];
  if (bin === undefined) throw new Error(`no ${runtime} binary: npm ci`);
  const child = spawn(bin, [...args, 'bench/runtimes-server.mjs', kind, scheme, certFile, keyFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise((res, rej) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /PORT (\d+)/.exec(out);
        if (m) res(Number(m[1]));
      });
      child.once('exit', (code) => rej(new Error(`${runtime} ${kind} exited (${code}) before listening`)));
    });
    const origin = `${scheme}://127.0.0.1:${port}`;
    let best = 0;
    if (load === 'bulk') {
      for (let i = 0; i < 2; i++) best = Math.max(best, h2load(['-n', '8', '-c', '1', '-m', '1', `${origin}${bulkPath}`], `${runtime} ${kind}`).mbPerSec);
    } else {
      for (let i = 0; i < 3; i++) best = Math.max(best, h2load(['-n', String(REQUESTS), '-c', '4', '-m', '32', `${origin}/`], `${runtime} ${kind}`).reqPerSec);
    }
    return best;
  } finally {
    child.kill('SIGKILL');
  }
}

// H2FLOW_BENCH_ONLY=substring runs only the rows whose name contains it (e.g. `bulk`, `deno`).
const ONLY = process.env.H2FLOW_BENCH_ONLY ?? '';
/** Measures and reports one row: h2flow's figure against the peer's, each from its own server process. */
async function row(name, unit, ours, peer, theirs) {
  if (!name.includes(ONLY)) return;
  report(name, unit, await ours(), peer, await theirs());
}

try {
  await row('runtimes node: h2flow vs node:http2 (TLS, small GET)', 'req/s', () => measure('node', 'h2flow'), 'node:http2', () => measure('node', 'native'));
  await row('runtimes deno: h2flow/deno vs Deno.serve (TLS, small GET)', 'req/s', () => measure('deno', 'h2flow'), 'Deno.serve', () => measure('deno', 'native'));
  // The other Deno targets: the session API (listen + respond) against Deno.serve, and both over h2c.
  await row('runtimes deno: h2flow/deno session API vs Deno.serve (TLS, small GET)', 'req/s', () => measure('deno', 'h2flow-session'), 'Deno.serve', () => measure('deno', 'native'));
  await row('runtimes deno: h2flow/deno vs Deno.serve (h2c, small GET)', 'req/s', () => measure('deno', 'h2flow', 'http'), 'Deno.serve', () => measure('deno', 'native', 'http'));
  // h2flow/deno serves TLS through Deno's node:tls (Deno.listenTls cannot turn Nagle off), so its two
  // listeners differ only over h2c: node:net (the default) against Deno.listen (transport: 'deno').
  await row("runtimes deno: h2flow/deno node:net (default) vs Deno.listen (transport: 'deno') (h2c, small GET)", 'req/s', () => measure('deno', 'h2flow', 'http'), 'Deno.listen', () => measure('deno', 'h2flow-alt', 'http'));
  await row('runtimes bun: h2flow/bun vs Bun.serve({ http2: true }) (TLS, small GET)', 'req/s', () => measure('bun', 'h2flow'), 'Bun.serve', () => measure('bun', 'native'));
  // The other Bun targets: the session API (listen + respond) and serve() with LightResponse.
  await row('runtimes bun: h2flow/bun session API vs Bun.serve({ http2: true }) (TLS, small GET)', 'req/s', () => measure('bun', 'h2flow-session'), 'Bun.serve', () => measure('bun', 'native'));
  await row('runtimes bun: h2flow/bun serve() with LightResponse vs Bun.serve({ http2: true }) (TLS, small GET)', 'req/s', () => measure('bun', 'h2flow-light'), 'Bun.serve', () => measure('bun', 'native'));
  // Bun's two ways to run h2flow: h2flow/bun (Bun.listen, HTTP/2 only) against h2flow/node over Bun's node:net
  // (which also answers HTTP/1.1 on the port).
  await row('runtimes bun: h2flow/bun (Bun.listen) vs h2flow/node in Bun (node:net) (h2c, small GET)', 'req/s', () => measure('bun', 'h2flow', 'http'), 'h2flow/node in Bun', () => measure('bun', 'h2flow-node', 'http'));
  // Bulk over h2c (both native servers speak it), the 8 × 256 MiB target (≥ 0.8×): a streamed body on
  // Deno (as the server bench), one in-memory Uint8Array on Bun (Bun.serve stalled on the streamed one).
  await row('runtimes deno: h2flow/deno vs Deno.serve (h2c, bulk 8×256 MiB streamed)', 'MB/s', () => measure('deno', 'h2flow', 'http', 'bulk'), 'Deno.serve', () => measure('deno', 'native', 'http', 'bulk'));
  await row('runtimes bun: h2flow/bun vs Bun.serve({ http2: true }) (h2c, bulk 8×256 MiB in-memory bytes)', 'MB/s', () => measure('bun', 'h2flow', 'http', 'bulk', '/bulk-bytes'), 'Bun.serve', () => measure('bun', 'native', 'http', 'bulk', '/bulk-bytes'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
