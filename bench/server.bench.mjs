// Server throughput: h2load against h2flow's Node server and node:http2's, each in its own child process,
// serving the same handler: GET / → 12 bytes of text, GET /bulk → 256 MiB from one in-memory 1 MiB buffer.
// Small: `h2load -c4 -m32 -n N /` (req/s). Bulk: `h2load -n8 -c1 -m1 /bulk` (MB/s), each after a warm-up
// run as long. Best of three rounds, every server once per round (see measureAll), each ratio printed
// with its spread over the rounds.
// h2flow runs twice: its session API (listen + stream.respond) against node:http2's core `stream` API, and
// its fetch API (serve(handler) with Request/Response, and with h2flow's opt-in LightResponse) against
// node:http2's compat API; the session API also
// runs on web-streams-polyfill (the session's `streams` option) next to Node's built-in streams.
// Over TLS (ALPN h2, a throwaway P-256 certificate): serve() with Response and with LightResponse, and
// node:http2's compat and core APIs, small responses only (the `-tls` servers).
// Then scaling: serve() with 1 and 2 workers (node:cluster) under h2load -c8, and `h2flow serve` with its
// access log against -q. `node bench/server.bench.mjs --deploy` runs only that part.
// `node bench/server.bench.mjs --serve=NAME` runs one server alone (prints its port; exits on SIGINT), e.g.
// under `node --cpu-prof` for profiling.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { h2load, processCpuSeconds, serveIfChild, startProcess } from './_h2load.mjs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { report } from './_report.mjs';

// 100,000 requests per run: at 60–160k req/s a run of 20,000 lasted 0.13–0.4 s, and h2load's own connection
// start-up and ramp weighed on the fastest servers most (the session API read 68–83k req/s, 144–166k in
// longer runs of the same server).
const SMALL_REQUESTS = Number(process.env.H2FLOW_BENCH_REQUESTS ?? 100_000);
const ROUNDS = Number(process.env.H2FLOW_BENCH_ROUNDS ?? 3);
// H2FLOW_BENCH_PIN=1 (with taskset and two CPUs or more): each server on CPU 0, h2load on CPU 1, so that
// neither takes the other's core (the scaling part, which needs every core, is never pinned).
const PIN = process.env.H2FLOW_BENCH_PIN === '1' && availableParallelism() >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const BULK_SIZE = 256 * 1024 * 1024;
const CHUNK = new Uint8Array(1024 * 1024).fill(0x61);
const HELLO = 'hello world\n';

async function serveH2flowSession(session = {}) {
  const { listen } = await import('../dist/node.mjs');
  const server = await listen({ port: 0, host: '127.0.0.1', session });
  void (async () => {
    for await (const session of server) {
      void (async () => {
        for await (const stream of session) {
          const path = stream.headers.find(([n]) => n === ':path')?.[1];
          if (path !== '/bulk') {
            stream.respond([[':status', '200'], ['content-type', 'text/plain']], { body: HELLO });
            continue;
          }
          stream.respond([[':status', '200'], ['content-type', 'application/octet-stream'], ['content-length', String(BULK_SIZE)]]);
          const writer = stream.writable.getWriter();
          void (async () => {
            for (let sent = 0; sent < BULK_SIZE; sent += CHUNK.length) {
              await writer.ready;
              void writer.write(CHUNK).catch(() => undefined);
            }
            await writer.close();
          })().catch(() => undefined);
        }
      })().catch(() => undefined);
    }
  })();
  return server.address.port;
}

/**
 * The TLS options of a `-tls` server: the PEM files the parent made (H2FLOW_BENCH_CERT / _KEY), read as
 * { cert, key }.
 */
function tlsFiles() {
  ensureCertificate();
  return { cert: readFileSync(process.env.H2FLOW_BENCH_CERT, 'utf8'), key: readFileSync(process.env.H2FLOW_BENCH_KEY, 'utf8') };
}

/** Makes a throwaway self-signed certificate for the `-tls` servers unless the environment names one. */
function ensureCertificate() {
  if (process.env.H2FLOW_BENCH_CERT !== undefined) return;
  const dir = mkdtempSync(join(tmpdir(), 'h2flow-bench-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  process.env.H2FLOW_BENCH_CERT = cert;
  process.env.H2FLOW_BENCH_KEY = key;
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
}

async function serveH2flowFetch(workers = 1, light = false, tls = false) {
  const { serve } = await import('../dist/node.mjs');
  const { LightResponse } = await import('../dist/index-node.mjs');
  const Small = light ? LightResponse : Response;
  const server = serve(
    (request) => {
      if (new URL(request.url).pathname !== '/bulk') return new Small(HELLO, { headers: { 'content-type': 'text/plain' } });
      let sent = 0;
      const body = new ReadableStream({
        pull(controller) {
          controller.enqueue(CHUNK);
          sent += CHUNK.length;
          if (sent >= BULK_SIZE) controller.close();
        },
      });
      return new Response(body, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(BULK_SIZE) } });
    },
    { port: 0, hostname: '127.0.0.1', onListen: () => undefined, workers, ...(tls ? { tls: tlsFiles() } : {}) },
  );
  return (await server.listening).port;
}

async function listenNode(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server.address().port;
}

function writeBulk(out, end) {
  let sent = 0;
  const more = () => {
    while (sent < BULK_SIZE) {
      sent += CHUNK.length;
      if (!out.write(CHUNK)) return void out.once('drain', more);
    }
    end();
  };
  more();
}

async function serveNodeCore(tls = false) {
  const http2 = await import('node:http2');
  const server = tls ? http2.createSecureServer(tlsFiles()) : http2.createServer();
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    if (headers[':path'] !== '/bulk') {
      stream.respond({ ':status': 200, 'content-type': 'text/plain' });
      stream.end(HELLO);
      return;
    }
    stream.respond({ ':status': 200, 'content-type': 'application/octet-stream', 'content-length': String(BULK_SIZE) });
    writeBulk(stream, () => stream.end());
  });
  return listenNode(server);
}

async function serveNodeCompat(tls = false) {
  const http2 = await import('node:http2');
  const handler = (req, res) => {
    res.on('error', () => undefined);
    if (req.url !== '/bulk') {
      res.setHeader('content-type', 'text/plain');
      res.end(HELLO);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(BULK_SIZE) });
    writeBulk(res, () => res.end());
  };
  const server = tls ? http2.createSecureServer(tlsFiles(), handler) : http2.createServer(handler);
  return listenNode(server);
}

const SERVERS = {
  'h2flow-session': () => serveH2flowSession(),
  'h2flow-session-polyfill': async () => serveH2flowSession({ streams: await import('web-streams-polyfill') }),
  'h2flow-fetch': () => serveH2flowFetch(1),
  'h2flow-fetch-2-workers': () => serveH2flowFetch(2),
  'h2flow-fetch-light': () => serveH2flowFetch(1, true),
  'node-core': () => serveNodeCore(),
  'node-compat': () => serveNodeCompat(),
  'h2flow-fetch-tls': () => serveH2flowFetch(1, false, true),
  'h2flow-fetch-light-tls': () => serveH2flowFetch(1, true, true),
  'node-core-tls': () => serveNodeCore(true),
  'node-compat-tls': () => serveNodeCompat(true),
};

/** The servers measured over TLS (small responses only). */
const TLS_SERVERS = ['h2flow-fetch-tls', 'h2flow-fetch-light-tls', 'node-compat-tls', 'node-core-tls'];

/** Starts one server in a child process (on CPU 0 when `pin`); resolves with { port, stop }. */
function startServer(name, pin = false) {
  return startProcess(name, [new URL(import.meta.url).pathname, `--serve=${name}`], /port (\d+)/, pin);
}

/**
 * One round of one server: a fresh process, a warm-up and one small-response run, then (h2c) a bulk
 * warm-up and one bulk run.
 * `pin`: the server on CPU 0 and h2load on CPU 1 (see PIN).
 */
async function measureOnce(name, pin) {
  const server = await startServer(name, pin);
  const tls = TLS_SERVERS.includes(name);
  try {
    const origin = `${tls ? 'https' : 'http'}://127.0.0.1:${server.port}`;
    // Warm-up as long as the measured run: each round is a fresh process, and a 2,000-request warm-up left
    // the heavier paths (the runtime's Response) measured before the JIT had settled.
    h2load(['-n', String(SMALL_REQUESTS), '-c', '4', '-m', '32', `${origin}/`], pin);
    const small = h2load(['-n', String(SMALL_REQUESTS), '-c', '4', '-m', '32', `${origin}/`], pin);
    // The bulk path gets its own warm-up as long as its run, for the same reason: its per-frame code is
    // not the small path's, and in a fresh process the JIT was still compiling it during the measured run
    // (TurboFan still took 17% of h2flow's samples in a bulk run after 4 transfers of warm-up, 7% after 32).
    if (!tls) h2load(['-n', '8', '-c', '1', '-m', '1', `${origin}/bulk`], pin);
    const before = tls ? null : processCpuSeconds(server.pid);
    const bulk = tls ? null : h2load(['-n', '8', '-c', '1', '-m', '1', `${origin}/bulk`], pin);
    const after = tls ? null : processCpuSeconds(server.pid);
    for (const [what, r] of [['small', small], ['bulk', bulk]]) {
      if (r !== null && r.succeeded !== r.total) throw new Error(`${name} ${what}: only ${r.succeeded} of ${r.total} requests succeeded`);
    }
    // Bulk MB per second of the server's own CPU time: what the server spends per byte, whichever side
    // limited the run's throughput (on 2 cores, h2load's parsing and reads saturate its core first).
    const serverCpu = before === null || after === null ? null : after - before;
    return {
      small: small.reqPerSec,
      bulk: bulk?.mbPerSec ?? null,
      bulkPerCpu: serverCpu === null || serverCpu <= 0 ? null : (bulk.mbPerSec * bulk.seconds) / serverCpu,
      bulkServerBusy: serverCpu === null || bulk.seconds === null ? null : serverCpu / bulk.seconds,
      bulkClientBusy: bulk?.cpuSeconds == null || bulk.seconds === null ? null : bulk.cpuSeconds / bulk.seconds,
    };
  } finally {
    await server.stop();
  }
}

/**
 * Every server, ROUNDS times, interleaved (round 1 of each, then round 2 of each, ...): the machine's speed
 * drifts over minutes (other tenants), and measuring one server's runs back to back and the other's later
 * turned that drift into ratio. Per server: the best round (the one least disturbed), and every round
 * kept, so each ratio is printed with its spread over the rounds (ratio of round i to round i).
 */
async function measureAll(names, pin) {
  const rounds = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) {
      const r = await measureOnce(name, pin);
      rounds[name].push(r);
      const busy = r.bulkServerBusy === null ? '' : `; bulk busy: server ${pct(r.bulkServerBusy)}, h2load ${pct(r.bulkClientBusy)} of its run`;
      console.log(`${name} (round ${round + 1}): ${Math.round(r.small)} req/s (small)${r.bulk === null ? '' : `, ${Math.round(r.bulk)} MB/s (bulk)`}${busy}`);
    }
  }
  const best = (list, key) => (list[0][key] === null ? null : Math.max(...list.map((r) => r[key] ?? 0)));
  return Object.fromEntries(names.map((n) => [n, { small: best(rounds[n], 'small'), bulk: best(rounds[n], 'bulk'), bulkPerCpu: best(rounds[n], 'bulkPerCpu'), rounds: rounds[n] }]));
}

const pct = (x) => (x == null ? '?' : `${Math.round(x * 100)}%`);

/** The ratio's spread over the rounds (`lo–hi`), printed after the JSON line of the best-of ratio. */
function spread(results, ours, theirs, key) {
  const ratios = results[ours].rounds.map((r, i) => r[key] / results[theirs].rounds[i][key]);
  console.log(`  per round: ${ratios.map((x) => x.toFixed(2)).join(', ')} (spread ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`);
}

/** Small-response req/s of an already started server: a warm-up, then the best of three h2load runs. */
function smallRate(port, name, connections = 4) {
  const url = `http://127.0.0.1:${port}/`;
  h2load(['-n', '2000', '-c', String(connections), '-m', '32', url]);
  const runs = [0, 1, 2].map(() => h2load(['-n', String(SMALL_REQUESTS), '-c', String(connections), '-m', '32', url]));
  for (const r of runs) if (r.succeeded !== r.total) throw new Error(`${name}: only ${r.succeeded} of ${r.total} requests succeeded`);
  const best = Math.max(...runs.map((r) => r.reqPerSec));
  console.log(`${name}: ${Math.round(best)} req/s (small, -c${connections})`);
  return best;
}

/**
 * Scaling over cores: serve() with 1 and with 2 workers (node:cluster), and the CLI's access log (one line
 * per request, written asynchronously to a pipe this process drains) against -q. h2load itself needs a
 * core: on a 2-core machine the 2-worker figure shares the cores with it.
 */
async function measureDeployment() {
  const rates = {};
  for (const name of ['h2flow-fetch', 'h2flow-fetch-2-workers']) {
    const server = await startServer(name);
    try {
      rates[name] = smallRate(server.port, name, 8);
    } finally {
      await server.stop();
    }
  }
  // The CLI's stdout goes to a log file, as in production: h2load runs synchronously here, so a pipe to
  // this process would not be read meanwhile.
  const cli = new URL('../dist/cli.mjs', import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), 'h2flow-bench-'));
  try {
    for (const [name, extra] of [['cli-quiet', ['-q']], ['cli-access-log', []]]) {
      const log = join(dir, `${name}.log`);
      const fd = openSync(log, 'w');
      const child = spawn(process.execPath, [cli, 'serve', '--port', '0', ...extra], { stdio: ['ignore', fd, 'inherit'] });
      closeSync(fd);
      let port = null;
      while (port === null) {
        await new Promise((r) => setTimeout(r, 50));
        const m = /on http:\/\/127\.0\.0\.1:(\d+)\//.exec(readFileSync(log, 'utf8'));
        if (m) port = Number(m[1]);
        if (child.exitCode !== null) throw new Error(`${name} exited before listening`);
      }
      try {
        rates[name] = smallRate(port, name);
      } finally {
        await new Promise((r) => (child.once('exit', r), child.kill('SIGINT')));
      }
      const lines = readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('"GET / HTTP/2.0" 200')).length;
      if (name === 'cli-access-log') console.log(`${name}: ${lines} access log lines written`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rates;
}

if (!(await serveIfChild(SERVERS))) {
  const results = {};
  const only = process.argv.includes('--deploy');
  ensureCertificate(); // the -tls children read it through the environment
  if (!only) Object.assign(results, await measureAll(Object.keys(SERVERS).filter((n) => n !== 'h2flow-fetch-2-workers'), PIN));
  const deploy = await measureDeployment();
  report('server small responses, serve() with 2 workers vs 1 (h2load -c8 on the same machine)', 'req/s', deploy['h2flow-fetch-2-workers'], 'serve() 1 worker', deploy['h2flow-fetch']);
  report('h2flow serve small responses, access log on vs -q', 'req/s', deploy['cli-access-log'], 'h2flow serve -q', deploy['cli-quiet']);
  if (only) process.exit(0);
  console.log(`(small: best of ${ROUNDS} interleaved rounds of h2load -c4 -m32 -n ${SMALL_REQUESTS}; ${PIN ? 'servers on CPU 0, h2load on CPU 1' : 'not pinned'})`);
  const compare = (label, unit, ours, peerLabel, theirs, key) => {
    report(label, unit, results[ours][key], peerLabel, results[theirs][key]);
    spread(results, ours, theirs, key);
  };
  compare('server small responses (session API vs core API)', 'req/s', 'h2flow-session', 'node:http2 core', 'node-core', 'small');
  compare('server small responses (fetch API vs compat API)', 'req/s', 'h2flow-fetch', 'node:http2 compat', 'node-compat', 'small');
  compare('server small responses (fetch API with LightResponse vs compat API)', 'req/s', 'h2flow-fetch-light', 'node:http2 compat', 'node-compat', 'small');
  compare('server small responses (session API vs compat API)', 'req/s', 'h2flow-session', 'node:http2 compat', 'node-compat', 'small');
  compare('server small responses (session API on web-streams-polyfill vs core API)', 'req/s', 'h2flow-session-polyfill', 'node:http2 core', 'node-core', 'small');
  compare('server bulk 8×256 MiB (session API vs core API)', 'MB/s', 'h2flow-session', 'node:http2 core', 'node-core', 'bulk');
  compare('server bulk 8×256 MiB (session API on web-streams-polyfill vs core API)', 'MB/s', 'h2flow-session-polyfill', 'node:http2 core', 'node-core', 'bulk');
  if (results['h2flow-session'].bulkPerCpu !== null) {
    compare('server bulk 8×256 MiB, MB sent per second of server CPU (session API vs core API)', 'MB/CPU-s', 'h2flow-session', 'node:http2 core', 'node-core', 'bulkPerCpu');
    compare('server bulk 8×256 MiB, MB sent per second of server CPU (fetch API vs compat API)', 'MB/CPU-s', 'h2flow-fetch', 'node:http2 compat', 'node-compat', 'bulkPerCpu');
  }
  compare('server small responses over TLS (fetch API vs compat API)', 'req/s', 'h2flow-fetch-tls', 'node:http2 compat', 'node-compat-tls', 'small');
  compare('server small responses over TLS (fetch API with LightResponse vs compat API)', 'req/s', 'h2flow-fetch-light-tls', 'node:http2 compat', 'node-compat-tls', 'small');
  compare('server small responses over TLS (fetch API vs core API)', 'req/s', 'h2flow-fetch-tls', 'node:http2 core', 'node-core-tls', 'small');
  compare('server bulk 8×256 MiB (fetch API vs compat API)', 'MB/s', 'h2flow-fetch', 'node:http2 compat', 'node-compat', 'bulk');
}
