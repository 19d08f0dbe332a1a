/**
 * The package's runtime conditions: `import 'h2flow'` resolves to the Deno, Bun, Node or browser build in
 * each (the real runtimes and esbuild's browser platform resolving the package by name), and the browser
 * build has no `node:` import. Needs dist/ (npm test builds it first).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run, tempDir } from './support/peers';
import { runArgs, runtimeBinary } from './support/runtimes';

const Conditions = suite('package conditions');
const dir = tempDir('h2flow-conditions-');
Conditions.before(() => {
  // A consumer project with h2flow installed (as a link to this checkout).
  mkdirSync(join(dir.path, 'node_modules'));
  symlinkSync(resolve('.'), join(dir.path, 'node_modules', 'h2flow'), 'dir');
  writeFileSync(join(dir.path, 'package.json'), JSON.stringify({ type: 'module', dependencies: { h2flow: '*' } }));
  writeFileSync(join(dir.path, 'main.mjs'), "import { serve, connect } from 'h2flow';\nconsole.log(import.meta.resolve('h2flow'), typeof serve, typeof connect);\n");
  writeFileSync(join(dir.path, 'browser.mjs'), "import { H2Session, H2Client, webSocketTransport } from 'h2flow';\nexport { H2Session, H2Client, webSocketTransport };\n");
});
Conditions.after(() => dir.cleanup());

/** Any static or dynamic import, export-from or require of a `node:` module. */
const NODE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']node:[^"']+["']/;

for (const [runtime, file] of [['node', 'dist/index-node.mjs'], ['deno', 'dist/index-deno.mjs'], ['bun', 'dist/index-bun.mjs']] as const) {
  Conditions(`import 'h2flow' in ${runtime} loads ${file}, with serve and connect`, async () => {
    const [bin, args] = runtime === 'node' ? [process.execPath, ['main.mjs']] : [runtimeBinary(runtime), runArgs(runtime, 'main.mjs')];
    const r = await run(bin, args, { cwd: dir.path, timeoutMs: 60_000 });
    assert.is(r.code, 0, r.stderr);
    const [url, serve, connect] = r.stdout.toString().trim().split(' ');
    assert.ok(url!.endsWith(`/${file}`), `${runtime} resolved ${url}`);
    assert.equal([serve, connect], ['function', 'function']);
  });
}

Conditions("a browser bundle of 'h2flow' takes the browser build, and it imports no node: module", async () => {
  const { build } = await import('esbuild');
  const result = await build({ entryPoints: [join(dir.path, 'browser.mjs')], bundle: true, write: false, format: 'esm', platform: 'browser', metafile: true, absWorkingDir: dir.path, logLevel: 'silent' });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.some((i) => i.endsWith('dist/index-browser.mjs')), inputs.join(', '));
  assert.not.match(result.outputFiles[0]!.text, NODE_IMPORT);
  // The published file itself, and the runtime-neutral entries next to it.
  for (const f of ['dist/index-browser.mjs', 'dist/websocket.mjs', 'dist/index.mjs', 'dist/streams.mjs', 'dist/fetch.mjs', 'dist/core.mjs', 'dist/hpack.mjs', 'dist/frame.mjs', 'dist/bun.mjs', 'dist/index-bun.mjs']) {
    assert.not.match(readFileSync(f, 'utf8'), NODE_IMPORT, `${f} imports a node: module`);
  }
  assert.match(readFileSync('dist/node.mjs', 'utf8'), NODE_IMPORT, 'the check finds node: imports where they are');
});

Conditions.run();
