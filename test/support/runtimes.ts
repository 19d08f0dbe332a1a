/**
 * Deno and Bun for the runtime tests: their binaries as installed from npm (the `deno`/`bun` dev
 * dependencies ship per-platform packages; their postinstall scripts only link the binary, so when npm
 * skipped them the platform package's binary is used directly), and esbuild bundles of test programs
 * to run in them.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type Runtime = 'deno' | 'bun';

const CANDIDATES: Record<Runtime, string[]> = {
  deno: ['node_modules/@deno/linux-x64-glibc/deno', 'node_modules/@deno/linux-arm64-glibc/deno', 'node_modules/deno/deno'],
  bun: ['node_modules/@oven/bun-linux-x64/bin/bun', 'node_modules/@oven/bun-linux-aarch64/bin/bun', 'node_modules/bun/bin/bun.exe'],
};

/** The runtime's binary; throws (failing the test) if npm installed none: the runtimes are dev dependencies. */
export function runtimeBinary(runtime: Runtime): string {
  // The bun package's own bin/bun.exe is a small placeholder until its postinstall replaced it.
  const found = CANDIDATES[runtime].map((p) => resolve(p)).find((p) => existsSync(p) && statSync(p).size > 1 << 20);
  if (found === undefined) throw new Error(`no ${runtime} binary under node_modules (tried ${CANDIDATES[runtime].join(', ')}): run npm ci`);
  return found;
}

/** Arguments that run a script with all permissions. */
export function runArgs(runtime: Runtime, script: string): string[] {
  return runtime === 'deno' ? ['run', '-A', '--quiet', script] : ['run', script];
}

/**
 * Bundles `entry` (a TypeScript file importing h2flow's sources) into `dir` as one ESM file for the runtime;
 * node: builtins stay imports (Deno and Bun provide them), everything else (uvu too) is bundled.
 */
export async function bundleFor(runtime: Runtime, entry: string, dir: string): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(dir, `${runtime}-${entry.replace(/[^a-z0-9]+/gi, '-')}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    logLevel: 'warning',
    conditions: [runtime],
  });
  return outfile;
}
