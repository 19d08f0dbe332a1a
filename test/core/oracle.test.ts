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
import type { ScenarioRecord } from '../support/oracle/normalize';
import { compareScenario, runsToLastStep } from '../support/oracle/compare';
import { ALLOWED_DIFFERENCES, DIFFERENCES, ORACLE_CONFIG, TAGGED_DIFFERENCES } from '../support/oracle/differences';

const Oracle = suite('differential oracle (python h2 4.1.0)');

/** Fixed seed: the random corpus is the same on every run. */
const RANDOM_SEED = 0x0c0ffee;
const RANDOM_COUNT = 300;
/** Flow-control walks: long bodies both ways, random acknowledgements and window changes. */
const FLOW_COUNT = 100;

/** At least this share of the random scenarios must run to their last step (no connection error before it). */
const MIN_ALIVE_SHARE = 0.8;

const handWritten = handWrittenScenarios();
const random = randomScenarios(RANDOM_COUNT, RANDOM_SEED);
const scenarios = [...handWritten, ...random, ...randomFlowScenarios(FLOW_COUNT, RANDOM_SEED + 1)];
const python = runOracle(scenarios);
/** The `allowed` differences some comparison actually used (each must be, or its excuse is stale). */
const used = new Set<string>();

const factory = (clientSide: boolean, config: Record<string, unknown>): OracleConnection =>
  new H2Connection(new H2Configuration({ ...ORACLE_CONFIG, ...config, clientSide })) as unknown as OracleConnection;

Oracle('the corpus has at least 200 hand-written, 300 seeded random and 100 flow-control scenarios, all tags documented', () => {
  assert.ok(handWritten.length >= 200, `only ${handWritten.length} hand-written scenarios`);
  assert.is(scenarios.length - handWritten.length, RANDOM_COUNT + FLOW_COUNT);
  assert.is(python.length, scenarios.length);
  for (const s of scenarios) if (s.differs) assert.ok(TAGGED_DIFFERENCES.has(s.differs), `${s.name}: unknown difference ${s.differs}`);
  for (const s of scenarios) for (const id of s.allows ?? []) assert.ok(ALLOWED_DIFFERENCES.has(id), `${s.name}: allows ${id}, not an 'allowed' difference`);
  for (const d of DIFFERENCES) assert.ok(d.oracle && d.ours && d.why, `difference ${d.id} is incomplete`);
  for (const d of DIFFERENCES) assert.is(d.excuses !== undefined, d.scope === 'allowed', `difference ${d.id}: excuses go with scope 'allowed'`);
  assert.is(new Set(DIFFERENCES.map((d) => d.id)).size, DIFFERENCES.length, 'duplicate difference ids');
});

Oracle(`at least ${MIN_ALIVE_SHARE * 100}% of the random scenarios run to their last step`, () => {
  const alive = random.filter((sc, i) => runsToLastStep(sc, python[handWritten.length + i]!)).length;
  const share = alive / random.length;
  console.log(`  oracle: ${alive} of ${random.length} random scenarios (${(share * 100).toFixed(1)}%) run to their last step`);
  assert.ok(share >= MIN_ALIVE_SHARE, `only ${alive} of ${random.length} random scenarios run to their last step`);
});

Oracle('a JS error stands for a python built-in error only where an allowed difference names that call and class', () => {
  const i = scenarios.findIndex((s) => s.name === 'misc: ping with 7 bytes [client]');
  const sc = scenarios[i]!;
  assert.equal(sc.allows, ['builtin-exceptions']);
  const py = python[i]!;
  const last = py.steps.length - 1;
  assert.is(py.steps[last]!.err?.cls, 'ValueError');
  const ours = (cls: string) => {
    const r = structuredClone(py);
    r.steps[last]!.err = { cls, h2: false, code: null };
    return r;
  };
  assert.equal(compareScenario(sc, py, ours('TypeError')), []);
  // Another JS class (a crash, say), the excuse out of scope, or a call it does not name: all fail.
  assert.match(compareScenario(sc, py, ours('ReferenceError')).join('\n'), 'exception:');
  assert.match(compareScenario({ ...sc, allows: [] }, py, ours('TypeError')).join('\n'), 'exception:');
  const renamed = { ...sc, steps: sc.steps.map((st, j) => (j === last ? { ...st, op: 'sendData' } : st)) };
  assert.match(compareScenario(renamed, py, ours('TypeError')).join('\n'), 'exception:');
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

Oracle('a malformed message python ends the connection for must be exactly a stream reset on h2flow, and the connection must live on', () => {
  const check = (name: string, mutate: (ours: ScenarioRecord, last: number) => void, expect: string) => {
    const i = scenarios.findIndex((s) => s.name === name);
    const sc = scenarios[i]!;
    const ours = runH2flow(sc, factory);
    assert.equal(compareScenario(sc, python[i]!, ours), [], `${name} agrees as is`);
    const last = ours.steps.length - 1;
    const changed = structuredClone(ours);
    mutate(changed, last);
    assert.match(compareScenario(sc, python[i]!, changed).join('\n'), expect);
  };
  type F = { t: string; s?: number; code?: number };
  const frames = (r: ScenarioRecord, i: number) => r.steps[i]!.frames as F[];
  const request = 'inbound headers: request with an uppercase name [server]';
  // A GOAWAY as well, another error code, another stream, or a reset that is missing.
  check(request, (r, i) => void frames(r, i).push({ t: 'GOAWAY', s: 0, code: 1 }), 'also sent GOAWAY');
  check(request, (r, i) => void (frames(r, i).find((f) => f.t === 'RST_STREAM')!.code = 3), 'reset a stream of the received message');
  check(request, (r, i) => void (frames(r, i).find((f) => f.t === 'RST_STREAM')!.s = 3), 'reset a stream of the received message');
  check(request, (r, i) => void (r.steps[i]!.frames = []), 'reset a stream of the received message');
  // The connection must answer the PING fed after the last step.
  check(request, (r) => void (r.probe = { out: '', ev: [], frames: [] }), 'connection must go on');
  // A refused request must never reach the handler: a RequestReceived for it, even with the reset.
  check(request, (r, i) => void r.steps[i]!.ev!.push({ type: 'RequestReceived', streamId: 1, headers: [] }), 'must never have reported it');
  const response = 'inbound headers: response with a connection header [client]';
  check(response, (r, i) => void ((r.steps[i]!.ev![0] as { errorCode: number }).errorCode = 8), 'StreamReset must carry code 1');
  check(response, (r, i) => void r.steps[i]!.ev!.push({ type: 'StreamEnded', streamId: 1 }), 'events on stream 1 after its reset');
});

Oracle('only a malformed message passes as a stream error: another PROTOCOL_ERROR python ends the connection for must stay a connection error', () => {
  type Sc = Parameters<typeof compareScenario>[0];
  type Rec = Parameters<typeof compareScenario>[1];
  // A HEADERS frame on stream 2 (a server receives it: a client may not open even streams).
  const sc = { name: 'even', role: 'server', config: {}, steps: [{ op: 'receive', hex: '000000010400000002' }] } as unknown as Sc;
  const py = (msg: string) => ({ name: 'even', steps: [{ out: '', err: { cls: 'ProtocolError', h2: true, code: 1, msg }, frames: [{ t: 'GOAWAY', s: 0, code: 1 }] }] }) as unknown as Rec;
  const reset = { name: 'even', steps: [{ out: '', ev: [], frames: [{ t: 'RST_STREAM', s: 2, code: 1 }] }], probe: { out: '', ev: [{ type: 'PingReceived' }], frames: [{ t: 'PING' }] } } as unknown as Rec;
  assert.equal(compareScenario(sc, py("Received uppercase header name b'X'."), reset), []);
  // RFC 9113 §5.1.1: a stream ID of the wrong parity is a connection error, never a stream reset.
  assert.match(compareScenario(sc, py('Invalid stream ID for peer.'), reset).join('\n'), 'exception:');
});

/** How many scenarios each difference adjusted (logged at the end). */
const usedBy = new Map<string, number>();

scenarios.forEach((sc, i) => {
  Oracle(`h2flow agrees with h2 on: ${sc.name}`, () => {
    const ours = runH2flow(sc, factory);
    const mine = new Set<string>();
    const problems = compareScenario(sc, python[i]!, ours, mine);
    for (const id of mine) {
      used.add(id);
      usedBy.set(id, (usedBy.get(id) ?? 0) + 1);
    }
    if (problems.length) assert.unreachable(`${sc.name}\n${problems.join('\n')}`);
  });
});

Oracle('every allowed difference excuses at least one step of the corpus (none is stale)', () => {
  for (const id of ALLOWED_DIFFERENCES) assert.ok(used.has(id), `allowed difference ${id} excused nothing: drop it or its scenario`);
  for (const id of ['malformed-stream-error', 'stream-flow-control-error', 'priority-length-stream-error']) assert.ok(used.has(id), `no scenario exercised ${id}`);
  console.log(`  oracle: differences used by ${[...usedBy].map(([id, n]) => `${id} ×${n}`).join(', ')}`);
});

Oracle.run();
