/**
 * Fuzz regressions: every finding a campaign saved under test/fuzz/findings/ (minimised input, hex) is
 * replayed against the server core and must now end without an exception that is not an h2 error. Also
 * checks the harness's own tools: the minimiser and the INTERNAL_ERROR detector.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { driveCore, minimise, sawInternalError, type Finding } from './campaign';
import { TestPeer, E } from '../support/peer';

const Regressions = suite('fuzz regressions');
const DIR = 'test/fuzz/findings';

Regressions('the minimiser keeps exactly the octets a failure needs', () => {
  const input = Uint8Array.from({ length: 500 }, (_, i) => i & 0xff);
  const fails = (b: Uint8Array): boolean => b.includes(7) && b.includes(300 & 0xff) && b.length > 0;
  const small = minimise(input, fails);
  assert.ok(fails(small));
  assert.equal([...small].sort((a, b) => a - b), [7, 44]);
});

Regressions('the INTERNAL_ERROR detector finds a GOAWAY INTERNAL_ERROR among other frames, and only that', () => {
  const peer = new TestPeer('server');
  assert.ok(sawInternalError(peer.concat(peer.settings({}), peer.ping(), peer.goAway(3, E.INTERNAL_ERROR))));
  assert.not.ok(sawInternalError(peer.concat(peer.settings({}), peer.goAway(3, E.PROTOCOL_ERROR), peer.rstStream(1, E.INTERNAL_ERROR))));
});

Regressions('a valid exchange drives the core without an error (the replay can tell success from failure)', () => {
  const peer = new TestPeer('client');
  assert.is(driveCore([peer.concat(peer.greeting(), peer.headers(1, [[':method', 'GET'], [':scheme', 'http'], [':authority', 'x'], [':path', '/']], { endStream: true }))]), null);
});

for (const name of existsSync(DIR) ? readdirSync(DIR).filter((n) => n.endsWith('.json')).sort() : []) {
  const finding = JSON.parse(readFileSync(join(DIR, name), 'utf8')) as Finding;
  if (finding.kind !== 'core-exception' || finding.hex === '') continue;
  Regressions(`fuzz finding ${name} (${finding.message.split('\n')[0]}) no longer throws`, () => {
    const err = driveCore([Uint8Array.from(Buffer.from(finding.hex, 'hex'))]);
    assert.is(err, null, String(err?.stack));
  });
}

Regressions.run();
