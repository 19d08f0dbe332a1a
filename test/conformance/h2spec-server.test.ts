/**
 * h2spec's server conformance cases (http2 §3.5–§8, generic, hpack), one uvu test each, named with h2spec's
 * ID and description, run against a real h2flow server over loopback TCP by a raw frame-level client.
 * All 146 default cases pass; see h2spec-cases.ts for where h2flow answers stricter than the RFC asks.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { E } from '../support/peer';
import { H2SPEC_CASES, H2SPEC_STRICT_CASES, describeVerdict, runCases, startTarget, type CaseResult, type H2SpecCase } from './h2spec-cases';

const H2Spec = suite('h2spec server conformance');

let target: Awaited<ReturnType<typeof startTarget>> | null = null;
let results = new Map<string, CaseResult>();

H2Spec.before(async () => {
  target = await startTarget();
  results = new Map((await runCases([...H2SPEC_CASES, ...H2SPEC_STRICT_CASES], target.port)).map((r) => [r.case.id, r]));
});

H2Spec.after(async () => {
  await target?.stop();
});

H2Spec('the suite holds all 146 default h2spec server cases, each ID once', () => {
  assert.is(H2SPEC_CASES.length, 146);
  assert.is(new Set(H2SPEC_CASES.map((c) => c.id)).size, 146);
});

H2Spec('the verdicts fail a server that does not give the expected answer', async () => {
  const controls: H2SpecCase[] = [
    {
      id: 'control/1',
      desc: 'a PING answered with its ACK is no connection error',
      handshake: true,
      run: async (c) => {
        c.send(c.peer.ping());
        return c.connectionError(E.PROTOCOL_ERROR);
      },
    },
    {
      id: 'control/2',
      desc: 'a valid GET answered with 200 is no stream error',
      handshake: true,
      run: async (c) => {
        c.send(c.peer.headers(1, [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'localhost']], { endStream: true }));
        return c.streamError(E.PROTOCOL_ERROR);
      },
    },
  ];
  for (const r of await runCases(controls, target!.port, { timeoutMs: 300 })) {
    assert.ok('ok' in r.verdict && !r.verdict.ok, `${r.case.desc}: ${describeVerdict(r)}`);
  }
});

for (const tc of [...H2SPEC_CASES, ...H2SPEC_STRICT_CASES]) {
  H2Spec(`${tc.id}: ${tc.desc}${H2SPEC_STRICT_CASES.includes(tc) ? ' (strict)' : ''}`, () => {
    const r = results.get(tc.id);
    assert.ok(r, 'the case ran');
    assert.ok('ok' in r.verdict && r.verdict.ok, `${tc.id}: ${describeVerdict(r)}`);
  });
}

H2Spec.run();
