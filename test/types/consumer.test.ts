/**
 * The shipped declarations work for a consumer: the package as `npm pack` builds it, installed in a
 * temporary node_modules, imported by name through its `exports`, type-checked strictly (noImplicitAny)
 * and without skipLibCheck by the repository's `tsc` under every module resolution a project may use,
 * and by `deno check`. The consumer files (test/types/consumer/) hold `@ts-expect-error` misuses that
 * are errors only if h2flow's types really resolved: an import silently `any` fails the compile too.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const Consumer = suite('declarations, as a consumer sees them');

const ROOT = resolve('.');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const DENO = join(ROOT, 'node_modules/deno/bin.cjs');
let dir = '';

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { status: number | null; output: string } {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 120_000, ...options });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

Consumer.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'h2flow-consumer-'));
  // The package exactly as published (package.json `files`), unpacked where a consumer's would be.
  const pack = run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: ROOT });
  assert.is(pack.status, 0, pack.output);
  const tarball = join(dir, pack.output.trim().split('\n').pop()!);
  mkdirSync(join(dir, 'node_modules/h2flow'), { recursive: true });
  const untar = run('tar', ['-xzf', tarball, '-C', join(dir, 'node_modules/h2flow'), '--strip-components=1']);
  assert.is(untar.status, 0, untar.output);
  symlinkSync(join(ROOT, 'node_modules/@types'), join(dir, 'node_modules/@types'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', dependencies: { h2flow: '*', '@types/node': '*' } }));
  cpSync('test/types/consumer', join(dir, 'src'), { recursive: true });
});

Consumer.after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** Compiles `files` (in test/types/consumer/) with tsc under `options`; returns tsc's diagnostics. */
function typecheck(name: string, files: string[], options: Record<string, unknown>): void {
  const config = join(dir, `tsconfig.${name}.json`);
  const compilerOptions = {
    target: 'ES2022',
    lib: ['ES2022'],
    types: ['node'],
    strict: true,
    noImplicitAny: true,
    skipLibCheck: false,
    noEmit: true,
    ...options,
  };
  writeFileSync(config, JSON.stringify({ compilerOptions, files: files.map((f) => `src/${f}`) }, null, 2));
  const r = run(process.execPath, [TSC, '-p', config], { cwd: dir });
  assert.is(r.status, 0, `tsc (${name}) reported:\n${r.output}`);
}

const NODE_NEXT = { module: 'NodeNext', moduleResolution: 'NodeNext' };
const NODE_16 = { module: 'Node16', moduleResolution: 'Node16' };
const BUNDLER = { module: 'ESNext', moduleResolution: 'Bundler' };

Consumer('every entry type-checks for a NodeNext consumer (node condition)', () => {
  typecheck('nodenext', ['entries.ts', 'node.ts'], NODE_NEXT);
});

Consumer('every entry type-checks for a Node16 consumer (node condition)', () => {
  typecheck('node16', ['entries.ts', 'node.ts'], NODE_16);
});

Consumer('every runtime-neutral entry type-checks for a Bundler consumer', () => {
  typecheck('bundler', ['entries.ts'], BUNDLER);
});

Consumer('every entry type-checks for a Bundler consumer with the node condition', () => {
  typecheck('bundler-node', ['entries.ts', 'node.ts'], { ...BUNDLER, customConditions: ['node'] });
});

Consumer('the runtime-neutral entries type-check for a browser consumer (DOM, no Node types)', () => {
  typecheck('browser', ['entries.ts'], { ...BUNDLER, lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [] });
});

Consumer('Settings has no index access: settings[code] is a compile error, get(code) is the way', () => {
  typecheck('settings-nodenext', ['settings.ts'], NODE_NEXT);
  typecheck('settings-bundler', ['settings.ts'], BUNDLER);
});

Consumer('deno check accepts a consumer of every entry', () => {
  assert.ok(existsSync(DENO), 'the deno dev dependency is installed');
  writeFileSync(join(dir, 'deno.json'), JSON.stringify({ nodeModulesDir: 'manual' }));
  const env = { ...process.env, DENO_DIR: join(dir, '.deno'), NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' };
  const r = run(process.execPath, [DENO, 'check', 'src/entries.ts', 'src/node.ts', 'src/settings.ts'], { cwd: dir, env });
  assert.is(r.status, 0, `deno check reported:\n${r.output}`);
});

Consumer.run();
