/**
 * serve() as a process uses it (scripts importing the built dist/node.mjs, run as children): signal
 * handling only when asked (`signals: true`), and `workers: 2` serving from two processes (node:cluster),
 * replaced by `restart()` and stopped by `shutdown()`.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { once } from 'node:events';
import { daemon, run, tempDir } from '../support/peers';

const Proc = suite('serve() in a process');
const dir = tempDir('h2flow-serve-proc-');
Proc.after(() => dir.cleanup());

const NODE_MJS = pathToFileURL(resolve('dist/node.mjs')).href;

/** Writes a script that serves a handler answering with its process id, with `options` and a `tail`. */
function script(name: string, options: string, tail = ''): string {
  const file = join(dir.path, `${name}.mjs`);
  writeFileSync(
    file,
    `import { serve } from ${JSON.stringify(NODE_MJS)};
const server = serve(async (req) => {
  if (new URL(req.url).pathname === '/slow') {
    console.log('slow request started');
    await new Promise((r) => setTimeout(r, 300));
  }
  return new Response(String(process.pid));
}, { port: 0, hostname: '127.0.0.1', onListen: (a) => console.log('port ' + a.port), ${options} });
${tail}
`,
  );
  return file;
}

const exitOf = (child: import('node:child_process').ChildProcess): Promise<number | null> =>
  child.exitCode !== null ? Promise.resolve(child.exitCode) : once(child, 'exit').then(([code]) => code as number | null);

const get = async (url: string, mode = '--http1.1'): Promise<string> => (await run('curl', ['-sS', mode, url])).stdout.toString();

Proc('signals: true drains on SIGTERM (a request in flight completes) and exits 0', async () => {
  const d = daemon(process.execPath, [script('signals', 'signals: true')]);
  try {
    const port = (await d.waitFor(/port (\d+)/))[1]!;
    const slow = get(`http://127.0.0.1:${port}/slow`, '--http2-prior-knowledge');
    await d.waitFor(/slow request started/);
    d.child.kill('SIGTERM');
    assert.match(await slow, /^\d+$/);
    assert.is(await exitOf(d.child), 0);
  } finally {
    await d.stop();
  }
});

Proc('without signals, SIGTERM stays the host application\'s', async () => {
  const d = daemon(process.execPath, [script('host', '', "process.on('SIGTERM', () => { console.log('host got SIGTERM'); void server.shutdown(); });")]);
  try {
    await d.waitFor(/port (\d+)/);
    d.child.kill('SIGTERM');
    await d.waitFor(/host got SIGTERM/);
    assert.is(await exitOf(d.child), 0);
  } finally {
    await d.stop();
  }
});

Proc('workers: 2 serves from two processes; restart() replaces both; shutdown() stops them all', async () => {
  const tail = `process.on('SIGUSR2', () => void server.restart().then(() => console.log('restarted')));
process.on('SIGTERM', () => void server.shutdown().then(() => console.log('stopped')));`;
  const d = daemon(process.execPath, [script('workers', 'workers: 2', tail)]);
  try {
    const port = (await d.waitFor(/port (\d+)/, 30_000))[1]!;
    const origin = `http://127.0.0.1:${port}/`;
    const before = new Set<string>();
    for (let i = 0; i < 8; i++) before.add(await get(origin, i % 2 === 0 ? '--http1.1' : '--http2-prior-knowledge'));
    assert.is(before.size, 2, [...before].join(' '));
    assert.not.ok(before.has(String(d.child.pid)), 'the primary does not serve');
    d.child.kill('SIGUSR2');
    await d.waitFor(/restarted/, 30_000);
    const after = new Set<string>();
    for (let i = 0; i < 8; i++) after.add(await get(origin));
    assert.is(after.size, 2);
    for (const pid of after) assert.not.ok(before.has(pid), `worker ${pid} survived the restart`);
    d.child.kill('SIGTERM');
    await d.waitFor(/stopped/, 30_000);
    assert.is(await exitOf(d.child), 0);
    for (const pid of [...before, ...after]) {
      let alive = true;
      try {
        process.kill(Number(pid), 0);
      } catch {
        alive = false;
      }
      assert.not.ok(alive, `worker ${pid} still running`);
    }
  } finally {
    await d.stop();
  }
});

Proc.run();
