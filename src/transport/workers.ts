/**
 * `serve({ workers })`: one port served by several processes through `node:cluster` (the primary accepts
 * and hands connections round-robin to workers on Linux). The primary forks the workers, replaces any
 * that die, replaces them all one at a time on `restart()`, and stops them gracefully on `shutdown()`.
 * Layer: transport (Node).
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism, cpus } from 'node:os';
import type { NetAddr } from '../fetch/fetch-server.ts';
import type { HttpServer, ServeOptions } from './serve.ts';

/** How many processes serve: a count, or `'auto'` (one per CPU). */
export type ServeWorkers = number | 'auto';

/** The number of workers `value` asks for (at least 1). */
export function workerCount(value: ServeWorkers | undefined): number {
  if (value === undefined) return 1;
  if (value === 'auto') return Math.max(1, typeof availableParallelism === 'function' ? availableParallelism() : cpus().length);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`h2flow: workers must be a positive integer or 'auto', got ${String(value)}`);
  return value;
}

/** A worker that died within this long of starting is restarted only after this delay (crash loops). */
const RESTART_BACKOFF_MS = 1000;

/** Runs the cluster's primary: forks `count` workers of this same script and manages them. */
export function runPrimary(count: number, options: ServeOptions): HttpServer {
  const live = new Set<Worker>();
  /** Workers asked to stop (not restarted when they exit). */
  const retiring = new WeakSet<Worker>();
  let stopping = false;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let resolveListening!: (addr: NetAddr) => void;
  let rejectListening!: (error: unknown) => void;
  const listening = new Promise<NetAddr>((resolve, reject) => {
    resolveListening = resolve;
    rejectListening = reject;
  });
  let listened = 0;
  let address: NetAddr | null = null;

  const fork = (): Promise<Worker> => {
    const worker = cluster.fork();
    const started = Date.now();
    live.add(worker);
    const ready = new Promise<Worker>((resolve, reject) => {
      worker.once('listening', (addr: { address: string; port: number }) => {
        address ??= { transport: 'tcp', hostname: addr.address, port: addr.port };
        resolve(worker);
      });
      worker.once('exit', (code) => reject(new Error(`h2flow: worker ${worker.process.pid} exited (${String(code)}) before listening`)));
    });
    ready.catch(() => undefined);
    worker.once('exit', () => {
      live.delete(worker);
      if (stopping && live.size === 0) finish();
      if (stopping || retiring.has(worker)) return;
      // Died on its own: replace it (after a pause if it died young, so a crash loop does not spin).
      const delay = Date.now() - started < RESTART_BACKOFF_MS ? RESTART_BACKOFF_MS : 0;
      setTimeout(() => {
        if (!stopping) void fork().catch(() => undefined);
      }, delay).unref();
    });
    return ready;
  };

  const stopWorker = (worker: Worker): Promise<void> => {
    retiring.add(worker);
    return new Promise<void>((resolve) => {
      if (worker.isDead()) return resolve();
      worker.once('exit', () => resolve());
      // The worker drains (GOAWAY, its own gracefulTimeout) and exits; kill it if it has not by then.
      worker.send({ h2flow: 'shutdown' }, () => undefined);
      setTimeout(() => worker.process.kill('SIGKILL'), (options.gracefulTimeout ?? 10_000) + 5000).unref();
    });
  };

  for (let i = 0; i < count; i++) {
    fork().then(
      () => {
        if (++listened === count && address !== null) {
          resolveListening(address);
          const scheme = options.tls !== undefined ? 'https' : 'http';
          if (options.onListen !== undefined) options.onListen(address);
          else console.log(`Listening on ${scheme}://${address.hostname}:${address.port}/ (${count} workers)`);
        }
      },
      (error: unknown) => {
        // A worker that cannot listen (address in use, bad certificate): none will; stop them all.
        if (listened < count && !stopping) {
          stopping = true;
          for (const w of live) w.process.kill();
          if (live.size === 0) finish();
        }
        rejectListening(error);
      },
    );
  }
  let shuttingDown: Promise<void> | null = null;
  const shutdown = (): Promise<void> => {
    shuttingDown ??= (async () => {
      stopping = true;
      if (live.size === 0) finish();
      await Promise.all([...live].map(stopWorker));
      await finished;
    })();
    return shuttingDown;
  };
  const restart = async (): Promise<void> => {
    for (const old of [...live]) {
      if (stopping) return;
      // The replacement listens first, so the port always has a worker to hand connections to.
      await fork();
      await stopWorker(old);
    }
  };
  options.signal?.addEventListener('abort', () => void shutdown(), { once: true });
  return { listening, finished, shutdown, restart };
}
