// Builds h2flow. `node esbuild.mjs` → dist/ (one ESM bundle per entry + .d.ts from tsc, with relative
// specifiers made explicit so they resolve under NodeNext, Node16, Bundler and Deno);
// `--test [substring ...]` → build/test/**/*.test.mjs (one bundle per test file; with substrings, only
// the matching test files, leaving the others in place); `--bench` → dist/ only, no .d.ts.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';

const argv = process.argv.slice(2);
const args = new Set(argv.filter((a) => a.startsWith('--')));
const filters = argv.filter((a) => !a.startsWith('--'));

// Public entry points: dist/<name>.mjs. Runtime-neutral layers are built for the neutral platform.
const ENTRIES = [
  { name: 'index', src: 'src/index.ts', platform: 'neutral' },
  { name: 'index-node', src: 'src/index-node.ts', platform: 'node' },
  { name: 'hpack', src: 'src/hpack/index.ts', platform: 'neutral' },
  { name: 'frame', src: 'src/frame/index.ts', platform: 'neutral' },
  { name: 'core', src: 'src/core/index.ts', platform: 'neutral' },
  { name: 'streams', src: 'src/streams/index.ts', platform: 'neutral' },
  { name: 'fetch', src: 'src/fetch/index.ts', platform: 'neutral' },
  { name: 'node', src: 'src/transport/node.ts', platform: 'node' },
  // Deno's and Bun's entries: h2flow/deno serves TLS through Deno's node:tls, so both keep node: imports external.
  { name: 'index-deno', src: 'src/index-deno.ts', platform: 'node' },
  { name: 'index-bun', src: 'src/index-bun.ts', platform: 'node' },
  { name: 'deno', src: 'src/transport/deno.ts', platform: 'node' },
  { name: 'bun', src: 'src/transport/bun.ts', platform: 'node' },
  { name: 'index-browser', src: 'src/index-browser.ts', platform: 'browser' },
  { name: 'websocket', src: 'src/transport/websocket.ts', platform: 'browser' },
  // The Deno QUIC server in it uses only the Deno global: no node: import, so one build serves browsers too.
  { name: 'webtransport', src: 'src/transport/webtransport.ts', platform: 'browser' },
  { name: 'cli', src: 'src/cli/main.ts', platform: 'node', banner: '#!/usr/bin/env node' },
].filter((e) => existsSync(e.src));

// keepNames: bundling renames colliding or self-referencing classes (`FrameTooLargeError2`,
// `_RemoteSettingsChanged`); users see `.name` in logs and `err.name`. write: false lets
// keepCheapNames() post-process every output before it is written.
const common = { bundle: true, format: 'esm', target: 'es2022', sourcemap: true, logLevel: 'warning', legalComments: 'none', keepNames: true, write: false };

// The line of esbuild's keepNames helper (`var __name = (target, value) => __defProp(target, "name", …)`;
// its parameters are renamed when a module has a top-level `target`).
const NAME_HELPER = /^var __name = \(.*\) => __defProp\(.*\);$/m;
// `__anon` is as long as `__name`, so swapping one for the other keeps the source map's columns; it is
// defined on the helper's own line, so no line moves.
const ANON_HELPER = ' var __anon = (fn) => fn;';
// On an indented line (inside a function or class body): `/* @__PURE__ */ __name(() => …, "f")` and
// `__name(f, "f");` after a nested function declaration; not a class's `static { __name(this, "C"); }`.
const NESTED_NAME = /^([ \t]+.*?)\b__name\((?!this,)/gm;

/**
 * keepNames wraps every named function in `__name(fn, "name")`, an Object.defineProperty. For classes
 * and top-level functions that runs once, at load; for a closure created inside a function (an abort
 * listener per request, the FrameBuffer iterator per received chunk) it would run every time, ~300 ns
 * each on Node 20 (and the wrapper already hides the name the closure would have by inference). Those
 * names are cosmetic, so in nested code (esbuild indents it) the wrapper becomes the identity `__anon`,
 * which V8 inlines away. Class names (`static { __name(this, …) }`) and top-level declarations keep
 * the real helper.
 */
function keepCheapNames(text) {
  if (!text.includes('__name(')) return text;
  if (!NAME_HELPER.test(text)) throw new Error('esbuild keepNames helper changed: update NAME_HELPER in esbuild.mjs');
  let out = text.replace(NAME_HELPER, (line) => line + ANON_HELPER);
  // A line may hold several nested wrappers: repeat until none is left on an indented line.
  for (let prev = ''; prev !== out; ) {
    prev = out;
    out = out.replace(NESTED_NAME, '$1__anon(');
  }
  return out;
}

async function buildAndWrite(options) {
  const result = await build(options);
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.path.endsWith('.mjs') ? keepCheapNames(file.text) : file.contents);
  }
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/**
 * tsc emits declarations with the sources' specifiers (`from './connection.ts'`, and extensionless
 * ones a contributor may write: `from '../core'`), which only Bundler resolution accepts: NodeNext and Node16 reject them
 * (TS2834/TS2835, or every import silently `any` under skipLibCheck), and so does Deno. Each relative
 * specifier becomes the `.js` path of the file it names (`./connection.js`, `../core/index.js`); a
 * `.d.ts` is found for it under every resolution mode. The specifiers name declaration files only,
 * so no per-module `.js` is needed next to them (esbuild ships one bundle per entry).
 */
const RELATIVE_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+|\bexport\s*\*\s*from\s*)(['"])(\.\.?(?:\/[^'"\n]*)?)\2/gm;

function explicitSpecifiers(dir) {
  for (const file of walk(dir).filter((p) => p.endsWith('.d.ts'))) {
    const text = readFileSync(file, 'utf8');
    const fixed = text.replace(RELATIVE_SPECIFIER, (all, lead, quote, spec) => {
      if (spec.endsWith('.js')) return all;
      // The sources name their .ts files (JSR resolves no other way); a declaration names the .js.
      if (spec.endsWith('.ts')) spec = spec.slice(0, -3);
      const target = resolve(dirname(file), spec);
      const trimmed = spec.replace(/\/$/, '');
      let explicit;
      if (existsSync(`${target}.d.ts`)) explicit = `${trimmed}.js`;
      else if (existsSync(join(target, 'index.d.ts'))) explicit = `${trimmed}/index.js`;
      else throw new Error(`${file}: no declaration file for ${spec}`);
      return `${lead}${quote}${explicit}${quote}`;
    });
    if (fixed !== text) writeFileSync(file, fixed);
  }
}

async function buildDist({ types }) {
  await Promise.all(
    ENTRIES.map((e) =>
      buildAndWrite({
        ...common,
        entryPoints: { [e.name]: e.src },
        outdir: 'dist',
        outExtension: { '.js': '.mjs' },
        platform: e.platform,
        packages: 'external',
        ...(e.banner ? { banner: { js: e.banner } } : {}),
      }),
    ),
  );
  if (types) {
    // A clean directory: declarations of deleted sources must not linger and ship.
    rmSync('dist/types', { recursive: true, force: true });
    execFileSync('npx', ['tsc', '-p', 'src/tsconfig.build.json'], { stdio: 'inherit' });
    explicitSpecifiers('dist/types');
  }
}

async function buildTests() {
  if (filters.length === 0) rmSync('build/test', { recursive: true, force: true });
  const entryPoints = walk('test').filter((p) => p.endsWith('.test.ts') && (filters.length === 0 || filters.some((f) => p.includes(f))));
  if (entryPoints.length === 0) throw new Error(`no test files match ${filters.join(', ')}`);
  await buildAndWrite({
    ...common,
    entryPoints,
    outbase: 'test',
    outdir: 'build/test',
    outExtension: { '.js': '.mjs' },
    platform: 'node',
    packages: 'external',
    // Bundled tests may use require() for CommonJS-only dev dependencies.
    banner: { js: "import { createRequire as __h2flowCreateRequire } from 'node:module'; const require = __h2flowCreateRequire(import.meta.url);" },
  });
}

if (args.has('--test')) await buildTests();
else await buildDist({ types: !args.has('--bench') });
