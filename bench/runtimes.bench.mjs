// h2flow on each runtime against that runtime's own HTTP/2 server, in one run: h2load over TLS (ALPN h2),
// `-c4 -m32`, GET / → 12 bytes, req/s (best of three); one comparison over h2c (see below). Servers (bench/runtimes-server.mjs, each in its own
// process): h2flow on Node vs node:http2; h2flow/deno vs Deno.serve, and Deno.listen vs h2flow's Node transport
// under Deno (which transport Deno should default to); h2flow/bun vs Bun.serve({ http2: true }). Deno and Bun are
// the npm dev dependencies' binaries. Figures taken while other work loads the machine are not reliable.
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

async function measure(runtime, kind, scheme = 'https') {
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
    let best = 0;
    for (let i = 0; i < 3; i++) {
      const r = spawnSync('h2load', ['-n', String(REQUESTS), '-c', '4', '-m', '32', `${scheme}://127.0.0.1:${port}/`], { encoding: 'utf8' });
      if (!/ 0 failed, 0 errored/.test(r.stdout)) throw new Error(`h2load against ${runtime} ${kind} failed:\n${r.stdout}${r.stderr}`);
      best = Math.max(best, Number(/finished in [^,]+, ([\d.]+) req\/s/.exec(r.stdout)?.[1] ?? 0));
    }
    return best;
  } finally {
    child.kill('SIGKILL');
  }
}

try {
  const nodeH2flow = await measure('node', 'h2flow');
  report('runtimes node: h2flow vs node:http2 (TLS, small GET)', 'req/s', nodeH2flow, 'node:http2', await measure('node', 'native'));
  const denoH2flow = await measure('deno', 'h2flow');
  report('runtimes deno: h2flow/deno vs Deno.serve (TLS, small GET)', 'req/s', denoH2flow, 'Deno.serve', await measure('deno', 'native'));
  // h2flow/deno serves TLS through Deno's node:tls (Deno.listenTls cannot turn Nagle off), so the two
  // transports differ only over h2c: Deno.listen against node:net in Deno.
  report('runtimes deno: h2flow/deno (Deno.listen) vs h2flow/node (node:net) under Deno (h2c, small GET)', 'req/s', await measure('deno', 'h2flow', 'http'), 'h2flow/node in Deno', await measure('deno', 'h2flow-node', 'http'));
  report('runtimes bun: h2flow/bun vs Bun.serve({ http2: true }) (TLS, small GET)', 'req/s', await measure('bun', 'h2flow'), 'Bun.serve', await measure('bun', 'native'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
