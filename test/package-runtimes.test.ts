/**
 * The package's runtime conditions: `import 'h2flow'` resolves to the Deno, Bun, Node or browser build in
 * each (the real runtimes and esbuild's browser platform resolving the package by name), and the browser
 * build has no `node:` import; the JSR package passes `deno publish --dry-run`. Needs dist/ (npm test builds
 * it first).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run, tempDir } from './support/peers';
import { runArgs, runtimeBinary } from './support/runtimes';

const Conditions = suite('package conditions');
const dir = tempDir('h2flow-conditions-');
Conditions.before(() => {
  // A consumer project with h2flow installed: the package's files copied in (Deno treats a symlink to a
  // directory outside node_modules as local code, not as an npm package).
  const installed = join(dir.path, 'node_modules', 'h2flow');
  mkdirSync(installed, { recursive: true });
  cpSync('dist', join(installed, 'dist'), { recursive: true });
  cpSync('package.json', join(installed, 'package.json'));
  writeFileSync(join(dir.path, 'package.json'), JSON.stringify({ type: 'module', dependencies: { h2flow: '*' } }));
  writeFileSync(join(dir.path, 'main.mjs'), "import { serve, connect } from 'h2flow';\nconsole.log(import.meta.resolve('h2flow'), typeof serve, typeof connect);\n");
  // Type-checked against each condition's .d.ts; the @ts-expect-error lines fail if the types went loose.
  writeFileSync(
    join(dir.path, 'check.ts'),
    [
      "import { serve, connect, type HttpServer } from 'h2flow';",
      "const server: HttpServer = serve({ port: 0, hostname: '127.0.0.1', fetch: (req: Request) => new Response(req.url) });",
      'const port: number = server.port;',
      '// @ts-expect-error: serve() needs a handler',
      'serve({ port: 0 });',
      '// @ts-expect-error: the port is a number',
      'const wrong: string = server.port;',
      'void connect; void port; void wrong;',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir.path, 'check-browser.ts'),
    [
      "import { H2Session, webSocketTransport } from 'h2flow';",
      "const session: H2Session = new H2Session(webSocketTransport(new WebSocket('ws://127.0.0.1:1/')), { role: 'client' });",
      '// @ts-expect-error: the browser build has no serve()',
      "import { serve } from 'h2flow';",
      'void session; void serve;',
      '',
    ].join('\n'),
  );
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
  for (const f of ['dist/index-browser.mjs', 'dist/websocket.mjs', 'dist/webtransport.mjs', 'dist/index.mjs', 'dist/streams.mjs', 'dist/fetch.mjs', 'dist/core.mjs', 'dist/hpack.mjs', 'dist/frame.mjs', 'dist/bun.mjs', 'dist/index-bun.mjs']) {
    assert.not.match(readFileSync(f, 'utf8'), NODE_IMPORT, `${f} imports a node: module`);
  }
  assert.match(readFileSync('dist/node.mjs', 'utf8'), NODE_IMPORT, 'the check finds node: imports where they are');
});

Conditions("Deno type-checks a consumer of 'h2flow' against the deno condition's declarations", async () => {
  const r = await run(runtimeBinary('deno'), ['check', '--quiet', 'check.ts'], { cwd: dir.path, timeoutMs: 120_000 });
  assert.is(r.code, 0, r.stderr + r.stdout.toString());
});

Conditions("tsc type-checks a consumer of 'h2flow' under the bun and browser conditions", async () => {
  for (const condition of ['bun', 'browser']) {
    const config = join(dir.path, `tsconfig.${condition}.json`);
    const compilerOptions = { module: 'esnext', moduleResolution: 'bundler', customConditions: [condition], strict: true, noEmit: true, lib: ['es2022', 'dom'], types: [], skipLibCheck: false };
    writeFileSync(config, JSON.stringify({ compilerOptions, files: [condition === 'browser' ? 'check-browser.ts' : 'check.ts'] }));
    const r = await run(process.execPath, [resolve('node_modules/typescript/bin/tsc'), '-p', config], { cwd: dir.path, timeoutMs: 120_000 });
    assert.is(r.code, 0, `${condition}: ${r.stdout.toString()}${r.stderr}`);
  }
});

Conditions('deno publish --dry-run accepts the JSR package (deno.json: the sources, h2flow/deno as its root) without sloppy imports', async () => {
  // JSR resolves only the specifiers it is given: every relative import in src/ names its .ts file.
  assert.not.match(readFileSync('deno.json', 'utf8'), /"sloppy-imports"/);
  const r = await run(runtimeBinary('deno'), ['publish', '--dry-run', '--allow-dirty'], { timeoutMs: 180_000 });
  // Deno colours its output when FORCE_COLOR is set at all (test/run.mjs sets it to 0).
  const out = (r.stdout.toString() + r.stderr).replace(/\x1b\[[0-9;]*m/g, '');
  assert.is(r.code, 0, out.slice(-3000));
  assert.match(out, /Success Dry run complete/);
});

Conditions.run();
