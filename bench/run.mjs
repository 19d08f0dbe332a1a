// `npm run bench -- NAME` runs bench/NAME.bench.mjs; with no name, every bench in turn.
// Each bench imports the built dist/ and prints, per comparison, one JSON line:
// {"bench":"…","unit":"…","h2flow":N,"peer":"…","theirs":N,"ratio":N}
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const names = process.argv.slice(2);
const all = readdirSync('bench').filter((f) => f.endsWith('.bench.mjs')).map((f) => f.slice(0, -'.bench.mjs'.length)).sort();
const chosen = names.length ? names : all;
let status = 0;
for (const name of chosen) {
  if (!all.includes(name)) { console.error(`no bench named ${name} (have: ${all.join(', ')})`); status = 1; continue; }
  console.log(`\n=== bench ${name}`);
  const r = spawnSync(process.execPath, [`bench/${name}.bench.mjs`], { stdio: 'inherit' });
  if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);
