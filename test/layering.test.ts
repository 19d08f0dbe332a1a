/** Keeps the layers honest: imports point down only, and the sans-I/O core touches no runtime API. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const Layering = suite('layering');

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const files = walk('src');
const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function layerOf(path: string): string {
  const rel = relative('src', path).split(/[\\/]/);
  return rel.length > 1 ? rel[0]! : 'root';
}

/** The layer an import specifier points at: `../frame` (a directory index) is the frame layer. */
function targetLayer(from: string, spec: string): string {
  const abs = resolve(dirname(from), spec);
  const rel = relative(resolve('src'), abs).split(/[\\/]/);
  if (rel.length === 1 && existsSync(abs) && statSync(abs).isDirectory()) return rel[0]!;
  return rel.length > 1 ? rel[0]! : 'root';
}

// Which layers each layer may import. Anything else (including bare packages) is an upward or runtime import.
const ALLOWED: Record<string, string[]> = {
  hpack: ['hpack'],
  frame: ['frame'],
  core: ['core', 'frame', 'hpack'],
  streams: ['streams', 'core', 'frame', 'hpack'],
  fetch: ['fetch', 'streams', 'core', 'frame', 'hpack'],
  transport: ['transport', 'fetch', 'streams', 'core', 'frame', 'hpack'],
  cli: ['cli', 'transport', 'fetch', 'streams', 'core', 'frame', 'hpack'],
  root: ['root', 'hpack', 'frame', 'core', 'streams', 'fetch'],
};
const MAY_USE_NODE = new Set(['transport', 'cli']);
const RUNTIME_ENTRIES = new Set(['node', 'deno', 'bun', 'browser'].map((r) => join('src', `index-${r}.ts`)));

Layering('every source file imports only its own layer or the layers below it', () => {
  assert.ok(files.length > 0, 'no source files found');
  const bad: string[] = [];
  for (const f of files) {
    const layer = layerOf(f);
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) {
        const target = targetLayer(f, spec);
        // index-<runtime>.ts are the root entry's runtime conditions: the root files that may reach a transport.
        const allowed = RUNTIME_ENTRIES.has(f) ? [...ALLOWED.root!, 'transport'] : ALLOWED[layer] ?? [];
        if (!allowed.includes(target)) bad.push(`${f} (${layer}) imports ${spec} (${target})`);
      } else if (spec.startsWith('node:')) {
        if (!MAY_USE_NODE.has(layer)) bad.push(`${f} (${layer}) imports runtime module ${spec}`);
      } else {
        bad.push(`${f} imports package ${spec}: h2flow has no runtime dependencies`);
      }
    }
  }
  assert.equal(bad, []);
});

Layering('the sans-I/O core mentions no runtime API, timer or promise', () => {
  // `window`/`document` are left to src/tsconfig.core.json (no DOM lib, no runtime types), where
  // they cannot typecheck; this catches what ES2022 itself declares (Promise) or names a runtime.
  const RUNTIME = /\b(process|Buffer|Deno|Bun|setTimeout|setInterval|setImmediate|queueMicrotask|Promise|ReadableStream|WritableStream|TextEncoder|TextDecoder|atob|btoa)\b/;
  const bad: string[] = [];
  for (const f of files.filter((p) => ['hpack', 'frame', 'core'].includes(layerOf(p)))) {
    const code = readFileSync(f, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')) // block comments, keeping line numbers
      .replace(/\/\/.*$/gm, '')
      .replace(/'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g, "''");
    code.split('\n').forEach((line, i) => {
      if (RUNTIME.test(line)) bad.push(`${f}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.equal(bad, []);
});

Layering.run();
