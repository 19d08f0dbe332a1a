/**
 * Bundling must not rename what users see: esbuild renames a class whose name collides with another
 * module's (`FrameTooLargeError` is in both frame and core → `FrameTooLargeError2`) or that refers to
 * itself (`_RemoteSettingsChanged`); `keepNames` in esbuild.mjs restores the source names. Every class
 * and function exported by every built entry keeps the name it is exported under.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const Names = suite('names in dist/');

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, unknown> };

/** Every bundle the exports map points at, under any condition. */
function bundles(entry: unknown): string[] {
  if (typeof entry === 'string') return entry.endsWith('.mjs') ? [entry] : [];
  return Object.entries(entry as Record<string, unknown>).flatMap(([k, v]) => (k === 'types' ? [] : bundles(v)));
}

for (const bundle of [...new Set(bundles(pkg.exports))]) {
  Names(`every class and function exported by ${bundle} has its own name (.name)`, async () => {
    const mod = (await import(pathToFileURL(resolve(bundle)).href)) as Record<string, unknown>;
    const functions = Object.entries(mod).filter(([, v]) => typeof v === 'function') as [string, { name: string }][];
    assert.ok(functions.length > 0, `${bundle} exports classes or functions`);
    for (const [exported, value] of functions) assert.is(value.name, exported, `${bundle}: ${exported}.name`);
  });
}

Names('closures created inside functions do not pay for keepNames (no nested __name(fn) call)', () => {
  // esbuild.mjs turns nested `__name(fn, "f")` (an Object.defineProperty per closure created, ~300 ns:
  // per request, per received chunk) into the identity `__anon`; classes keep `static { __name(this, …) }`.
  for (const bundle of [...new Set(bundles(pkg.exports))]) {
    const nested = readFileSync(bundle, 'utf8').split('\n').filter((line) => /^\s+.*\b__name\((?!this,)/.test(line));
    assert.equal(nested, [], `${bundle} names closures at run time`);
  }
});

Names('the classes that bundling renamed keep their names', async () => {
  const core = (await import(pathToFileURL(resolve('dist/core.mjs')).href)) as Record<string, { name: string }>;
  const streams = (await import(pathToFileURL(resolve('dist/streams.mjs')).href)) as Record<string, { name: string }>;
  assert.is(core.RemoteSettingsChanged!.name, 'RemoteSettingsChanged');
  assert.is(core.FrameTooLargeError!.name, 'FrameTooLargeError');
  assert.is(streams.H2Stream!.name, 'H2Stream');
});

Names.run();
