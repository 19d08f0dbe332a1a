// Builds h2flow. `node esbuild.mjs` → dist/ (one ESM bundle per entry + .d.ts from tsc);
// `--test [substring ...]` → build/test/**/*.test.mjs (one bundle per test file; with substrings, only
// the matching test files, leaving the others in place); `--bench` → dist/ only, no .d.ts.
import { build } from 'esbuild';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
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
  { name: 'cli', src: 'src/cli/main.ts', platform: 'node', banner: '#!/usr/bin/env node' },
].filter((e) => existsSync(e.src));

const common = { bundle: true, format: 'esm', target: 'es2022', sourcemap: true, logLevel: 'warning', legalComments: 'none' };

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

async function buildDist({ types }) {
  await Promise.all(
    ENTRIES.map((e) =>
      build({
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
  if (types) execFileSync('npx', ['tsc', '-p', 'src/tsconfig.build.json'], { stdio: 'inherit' });
}

async function buildTests() {
  if (filters.length === 0) rmSync('build/test', { recursive: true, force: true });
  const entryPoints = walk('test').filter((p) => p.endsWith('.test.ts') && (filters.length === 0 || filters.some((f) => p.includes(f))));
  if (entryPoints.length === 0) throw new Error(`no test files match ${filters.join(', ')}`);
  await build({
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
