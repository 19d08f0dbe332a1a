// Static files: h2load against `h2flow serve DIR -q` and a node:http2 server answering with
// `respondWithFile`, in one run, for a 100-byte and a 1 MiB file; nghttpd serving the same directory is
// printed as the ceiling. Each server runs in its own process; best of three runs per server and size.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { report } from './_report.mjs';

const dir = mkdtempSync(join(tmpdir(), 'h2flow-static-bench-'));
writeFileSync(join(dir, 'small.txt'), 'x'.repeat(99) + '\n');
writeFileSync(join(dir, 'large.bin'), new Uint8Array(1024 * 1024).fill(0x61));

const CASES = [
  { name: '100 B', path: '/small.txt', args: ['-n', String(Number(process.env.H2FLOW_BENCH_REQUESTS ?? 20_000)), '-c', '4', '-m', '32'] },
  { name: '1 MiB', path: '/large.bin', args: ['-n', '2000', '-c', '4', '-m', '8'] },
];

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Spawns `command` and resolves once `ready` matches its output (returns the match), with a stop(). */
function start(command, args, ready) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let text = '';
    const look = (d) => {
      text += d;
      const m = ready.exec(text);
      if (m) resolve({ match: m, stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGKILL'))) });
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}) before listening:\n${text}`)));
  });
}

const NODE_SERVER = `
const http2 = require('node:http2');
const { join } = require('node:path');
const dir = process.argv[1];
const types = { '.txt': 'text/plain; charset=utf-8', '.bin': 'application/octet-stream' };
const server = http2.createServer();
server.on('stream', (stream, headers) => {
  stream.on('error', () => {});
  const path = headers[':path'];
  stream.respondWithFile(join(dir, path), { 'content-type': types[path.slice(path.lastIndexOf('.'))] }, {
    onError: () => { try { stream.respond({ ':status': 404 }); stream.end(); } catch {} },
  });
});
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
`;

const SERVERS = {
  h2flow: async () => start(process.execPath, ['dist/cli.mjs', 'serve', dir, '-q', '--port', '0'], /127\.0\.0\.1:(\d+)\//),
  'node:http2 respondWithFile': async () => start(process.execPath, ['-e', NODE_SERVER, dir], /port (\d+)/),
  nghttpd: async () => {
    // nghttpd prints nothing when it listens: wait until its port accepts a connection.
    const port = await freePort();
    const child = spawn('nghttpd', ['--no-tls', '-d', dir, '-a', '127.0.0.1', String(port)], { stdio: 'ignore' });
    child.once('error', () => undefined);
    for (let i = 0; i < 100; i++) {
      const up = await new Promise((resolve) => {
        const s = connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
        s.once('error', () => resolve(false));
      });
      if (up) return { match: [String(port), String(port)], stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGKILL'))) };
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    return null;
  },
};

function h2load(args) {
  const r = spawnSync('h2load', args, { encoding: 'utf8', timeout: 120_000 });
  const out = r.stdout ?? '';
  const finished = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out);
  const done = /requests: (\d+) total, \d+ started, \d+ done, (\d+) succeeded/.exec(out);
  if (finished === null || done === null) throw new Error(`h2load ${args.join(' ')} failed:\n${out}${r.stderr ?? ''}`);
  if (done[1] !== done[2]) throw new Error(`h2load ${args.join(' ')}: only ${done[2]} of ${done[1]} succeeded`);
  return Number(finished[1]);
}

const results = {};
try {
  for (const [name, launch] of Object.entries(SERVERS)) {
    const server = await launch();
    if (server === null) {
      console.log(`${name}: not available`);
      continue;
    }
    try {
      const origin = `http://127.0.0.1:${server.match[1]}`;
      for (const c of CASES) {
        h2load(['-n', '500', '-c', '4', '-m', '8', origin + c.path]); // warm-up
        const rates = [0, 1, 2].map(() => h2load([...c.args, origin + c.path]));
        const best = Math.max(...rates);
        (results[c.name] ??= {})[name] = best;
        console.log(`${name} ${c.name}: ${Math.round(best)} req/s (runs: ${rates.map(Math.round).join(', ')})`);
      }
    } finally {
      await server.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
for (const c of CASES) {
  const r = results[c.name];
  report(`static file ${c.name} (h2flow serve vs respondWithFile)`, 'req/s', r.h2flow, 'node:http2 respondWithFile', r['node:http2 respondWithFile']);
  if (r.nghttpd !== undefined) report(`static file ${c.name} (h2flow serve vs nghttpd, the ceiling)`, 'req/s', r.h2flow, 'nghttpd', r.nghttpd);
}
