/**
 * The fuzz harness as a test: a short seeded campaign (campaign.ts) finds nothing. Run a longer one with
 * `npm run fuzz -- --seconds N --seed S` (findings are then saved under test/fuzz/findings/).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCampaign } from './campaign';

const Fuzz = suite('fuzz');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) ? v : fallback;
}

const cli = process.argv.includes('--seconds');
const seconds = arg('seconds', 6);
const seed = arg('seed', 20261206);

Fuzz(`a seeded campaign (${seconds} s, seed ${seed}) finds no crash, hang or unbounded RSS`, async () => {
  const result = await runCampaign({
    seconds,
    seed,
    ...(cli ? { findingsDir: 'test/fuzz/findings', log: (line: string) => console.log(line) } : {}),
  });
  console.log(JSON.stringify({ fuzz: { seconds, seed, frames: result.frames, connections: result.connections, serverConnections: result.serverConnections, peakRssMiB: result.peakRssMiB, findings: result.findings.length } }));
  assert.ok(result.connections > 0 && result.serverConnections > 0, 'the campaign ran');
  assert.equal(result.findings.map((f) => `${f.kind} seed ${f.seed}: ${f.message.split('\n')[0]}`), []);
});

Fuzz.run();
