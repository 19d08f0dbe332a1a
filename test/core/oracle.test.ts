/**
 * Differential oracle: the same scripted scenarios run through python h2 (Debian's 4.1.0, system
 * python3) and through h2flow's H2Connection; normalized events, exceptions and frames must agree,
 * except for the differences listed in test/support/oracle/differences.ts.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { H2Configuration, H2Connection } from '../../src/core';
import { handWrittenScenarios } from '../support/oracle/scenarios';
import { randomFlowScenarios, randomScenarios } from '../support/oracle/random';
import { runH2flow, runOracle, type OracleConnection } from '../support/oracle/run';
import { compareScenario } from '../support/oracle/compare';
import { DIFFERENCES, ORACLE_CONFIG, TAGGED_DIFFERENCES } from '../support/oracle/differences';

const Oracle = suite('differential oracle (python h2 4.1.0)');

/** Fixed seed: the random corpus is the same on every run. */
const RANDOM_SEED = 0x0c0ffee;
const RANDOM_COUNT = 300;
/** Flow-control walks: long bodies both ways, random acknowledgements and window changes. */
const FLOW_COUNT = 100;

const handWritten = handWrittenScenarios();
const scenarios = [...handWritten, ...randomScenarios(RANDOM_COUNT, RANDOM_SEED), ...randomFlowScenarios(FLOW_COUNT, RANDOM_SEED + 1)];
const python = runOracle(scenarios);

const factory = (clientSide: boolean, config: Record<string, unknown>): OracleConnection =>
  new H2Connection(new H2Configuration({ ...ORACLE_CONFIG, ...config, clientSide })) as unknown as OracleConnection;

Oracle('the corpus has at least 200 hand-written, 300 seeded random and 100 flow-control scenarios, all tags documented', () => {
  assert.ok(handWritten.length >= 200, `only ${handWritten.length} hand-written scenarios`);
  assert.is(scenarios.length - handWritten.length, RANDOM_COUNT + FLOW_COUNT);
  assert.is(python.length, scenarios.length);
  for (const s of scenarios) if (s.differs) assert.ok(TAGGED_DIFFERENCES.has(s.differs), `${s.name}: unknown difference ${s.differs}`);
  for (const d of DIFFERENCES) assert.ok(d.oracle && d.ours && d.why, `difference ${d.id} is incomplete`);
});

Oracle('the comparison itself catches a changed event field, a missing frame and a different exception', () => {
  const i = scenarios.findIndex((s) => s.name === 'exchange: POST with one DATA, response with body [client]');
  const sc = scenarios[i]!;
  const py = python[i]!;
  assert.equal(compareScenario(sc, py, structuredClone(py)), []);
  const withEvent = structuredClone(py);
  const step = withEvent.steps.find((st) => (st.ev ?? []).length > 0)!;
  (step.ev![0] as Record<string, unknown>)['streamId'] = 99;
  assert.match(compareScenario(sc, py, withEvent).join('\n'), 'events:');
  const withoutFrame = structuredClone(py);
  withoutFrame.steps.find((st) => (st.frames ?? []).length > 0)!.frames = [];
  assert.match(compareScenario(sc, py, withoutFrame).join('\n'), 'frames:');
  const withError = structuredClone(py);
  withError.steps[0]!.err = { cls: 'ProtocolError', h2: true, code: 1 };
  assert.match(compareScenario(sc, py, withError).join('\n'), 'exception:');
});

Oracle('after a failed send desynchronises python, an undecodable header block from h2flow still fails the comparison', () => {
  const sc = { name: 'desync', role: 'client', config: {}, steps: [{ op: 'sendHeaders' }, { op: 'sendHeaders' }] } as unknown as Parameters<typeof compareScenario>[0];
  const failed = { out: '', err: { cls: 'ProtocolError', h2: true, code: 1 } };
  const record = (h: unknown) => ({ name: 'desync', steps: [failed, { out: '', frames: [{ t: 'HEADERS', sid: 3, h }] }] }) as unknown as Parameters<typeof compareScenario>[1];
  const py = record('undecodable: Invalid table index 62');
  assert.equal(compareScenario(sc, py, record([[':method', 'GET']])), []);
  assert.match(compareScenario(sc, py, record('undecodable: Invalid table index 62')).join('\n'), 'h2flow sent an undecodable header block');
});

scenarios.forEach((sc, i) => {
  Oracle(`h2flow agrees with h2 on: ${sc.name}`, () => {
    const ours = runH2flow(sc, factory);
    const problems = compareScenario(sc, python[i]!, ours);
    if (problems.length) assert.unreachable(`${sc.name}\n${problems.join('\n')}`);
  });
});

Oracle.run();
