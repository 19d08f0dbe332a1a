// Shared by the server benches: h2load runs (parsed), server child processes, a process's CPU time.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Runs h2load (on CPU 1 when `pin`) and returns { reqPerSec, mbPerSec, succeeded, seconds, cpuSeconds }
 * from its summary; `cpuSeconds` is h2load's own user + system time (the shell's `times`), to tell a run
 * the client limited from one the server did.
 */
export function h2load(args, pin = false) {
  const sh = ['sh', '-c', 'h2load "$@"; times', 'sh', ...args];
  const r = pin ? spawnSync('taskset', ['-c', '1', ...sh], { encoding: 'utf8', timeout: 120_000 }) : spawnSync(sh[0], sh.slice(1), { encoding: 'utf8', timeout: 120_000 });
  const out = r.stdout ?? '';
  // `times`' second line: the children's user and system time, e.g. `0m0.230s 0m1.050s`.
  const times = [...out.matchAll(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/g)].at(-1);
  const cpuSeconds = times === undefined ? null : Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4]);
  const wall = /finished in ([\d.]+)(m?s)/.exec(out);
  const seconds = wall === null ? null : Number(wall[1]) / (wall[2] === 'ms' ? 1000 : 1);
  const finished = /finished in [\d.]+m?s, ([\d.]+) req\/s, ([\d.]+)([KMG]?)B\/s/.exec(out);
  const done = /requests: (\d+) total, \d+ started, \d+ done, (\d+) succeeded/.exec(out);
  if (finished === null || done === null) throw new Error(`h2load ${args.join(' ')} failed:\n${out}${r.stderr ?? ''}`);
  const scale = { '': 1e-6, K: 1e-3, M: 1, G: 1e3 }[finished[3]];
  return { reqPerSec: Number(finished[1]), mbPerSec: Number(finished[2]) * scale, total: Number(done[1]), succeeded: Number(done[2]), seconds, cpuSeconds };
}

/** A process's user + system CPU seconds from /proc (Linux), or null where there is none. */
export function processCpuSeconds(pid) {
  try {
    // Fields 14 and 15 of /proc/PID/stat (utime, stime) in clock ticks; the command name (field 2) may hold spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    return (Number(fields[11]) + Number(fields[12])) / ticks;
  } catch {
    return null;
  }
}

/** Starts `node ARGS` and resolves with { port, stop } once its output matches `portPattern`. */
export function startProcess(name, args, portPattern, pin = false) {
  const child = pin ? spawn('taskset', ['-c', '0', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] }) : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
      const m = portPattern.exec(text);
      if (m) resolve({ port: Number(m[1]), pid: child.pid, stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGINT'))) });
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening`)));
  });
}


/**
 * In a server child (`--serve=NAME` on the command line): starts `servers[NAME]()`, prints its port
 * (`NAME listening on port N`, what {@link startProcess} waits for), exits on SIGINT/SIGTERM, and returns
 * true. Returns false in the bench's own process.
 */
export async function serveIfChild(servers) {
  const serveArg = process.argv.find((a) => a.startsWith('--serve='));
  if (serveArg === undefined) return false;
  const name = serveArg.slice('--serve='.length);
  const port = await servers[name]();
  process.on('SIGINT', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  console.log(`${name} listening on port ${port}`);
  return true;
}
