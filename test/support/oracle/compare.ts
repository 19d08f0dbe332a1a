/**
 * Compares a scenario's python record with h2flow's, step by step, applying exactly the adjustments
 * differences.ts lists, each only where it is scoped: `differs`-tagged last steps; the `excuses` of an
 * `allowed` difference only in scenarios that list it in `allows`, only at the ops, exception classes
 * (and received frame types) it names; `state` differences only from the state they describe on.
 * Anything else must match exactly: a JS error where python raised a built-in one is a failure unless
 * an excuse names that op and class, so an internal crash (a TypeError from a bug) cannot pass.
 */
import { DIFFERENCES, type Excuse } from './differences';
import type { Json, NormError, ScenarioRecord, StepRecord } from './normalize';
import type { LastStepExpectation, Scenario, Step } from './script';
import { unhex } from '../bytes';

const show = (v: unknown): string => (v === undefined ? '—' : JSON.stringify(v));

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The excuses a scenario may use: those of the `allowed` differences it lists in `allows`. */
function excusesOf(sc: Scenario): { id: string; excuse: Excuse }[] {
  const out: { id: string; excuse: Excuse }[] = [];
  for (const id of sc.allows ?? []) {
    const d = DIFFERENCES.find((x) => x.id === id);
    if (d?.scope !== 'allowed') throw new Error(`${sc.name}: allows ${id}, which is not an 'allowed' difference`);
    for (const excuse of d.excuses ?? []) out.push({ id, excuse });
  }
  return out;
}

/** The frame types in a `receive` step's bytes (after the client preface, if any). */
export function receivedFrameTypes(step: Step): number[] {
  if (step.op !== 'receive') return [];
  const bytes = unhex(String(step['hex']));
  let i = bytes.length >= 24 && bytes[0] === 0x50 && bytes[1] === 0x52 && bytes[2] === 0x49 ? 24 : 0;
  const types: number[] = [];
  while (i + 9 <= bytes.length) {
    types.push(bytes[i + 3]!);
    i += 9 + ((bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!);
  }
  return types;
}

/** The excuse (and its difference id) that lets our error stand for python's at this step, if any. */
function excuseFor(step: Step, p: NormError, o: NormError, excuses: readonly { id: string; excuse: Excuse }[]): { id: string; excuse: Excuse } | undefined {
  return excuses.find(({ excuse: e }) =>
    e.ops.includes(step.op) &&
    e.python.includes(p.cls) &&
    e.ours.includes(o.cls) &&
    (e.pythonCode === undefined || e.pythonCode === p.code) &&
    (e.oursCode === undefined || e.oursCode === o.code) &&
    (e.frameTypes === undefined || receivedFrameTypes(step).some((t) => e.frameTypes!.includes(t))),
  );
}

/**
 * Whether the python error and ours agree: the same class and code, or an excuse in scope. Records
 * the difference used in `used`.
 */
function sameError(step: Step, p: NormError | undefined, o: NormError | undefined, excuses: readonly { id: string; excuse: Excuse }[], used: Set<string>): { ok: boolean; excuse?: Excuse } {
  if (!p || !o) return { ok: !p && !o };
  if (o.cls === p.cls && o.code === p.code) return { ok: true };
  const found = excuseFor(step, p, o, excuses);
  if (found === undefined) return { ok: false };
  used.add(found.id);
  return { ok: true, excuse: found.excuse };
}

/** Our frames with GOAWAY codes mapped back as the excuse says (`hpack-compression-error`). */
function framesForComparison(ours: StepRecord, excuse: Excuse | undefined): Json[] | undefined {
  const map = excuse?.goawayCode;
  if (map === undefined) return ours.frames;
  return ours.frames?.map((f) => {
    const o = f as { t?: string; code?: number };
    return o.t === 'GOAWAY' && o.code === map[1] ? { ...(f as object), code: map[0] } : f;
  }) as Json[];
}

/** Differences between one python step and one h2flow step, as lines (empty when they agree). */
export function compareStep(step: Step, py: StepRecord, ours: StepRecord, excuses: readonly { id: string; excuse: Excuse }[] = [], used = new Set<string>()): string[] {
  const lines: string[] = [];
  const err = sameError(step, py.err, ours.err, excuses, used);
  if (!err.ok) lines.push(`  exception: python ${show(py.err)}  h2flow ${show(ours.err)}`);
  if (!same(py.res, ours.res)) lines.push(`  result:    python ${show(py.res)}  h2flow ${show(ours.res)}`);
  if (!same(py.ev, ours.ev)) lines.push(`  events:    python ${show(py.ev)}\n             h2flow ${show(ours.ev)}`);
  if (!same(py.frames, framesForComparison(ours, err.excuse))) lines.push(`  frames:    python ${show(py.frames)}\n             h2flow ${show(ours.frames)}`);
  return lines;
}

/**
 * `after-fatal-error`: once the oracle has answered received bytes with a connection error, h2flow
 * discards all later input (no events, no frames), and may have freed stream state; API calls must
 * still fail when h2's fail, and may queue nothing, or what h2 queues (h2 still queues e.g. the
 * WINDOW_UPDATEs of acknowledgeReceivedData after its GOAWAY).
 */
function compareAfterFatal(step: Step, py: StepRecord, ours: StepRecord, excuses: readonly { id: string; excuse: Excuse }[], used: Set<string>): string[] {
  const lines: string[] = [];
  if (step.op === 'receive') {
    if (ours.err) lines.push(`  after a connection error h2flow must discard input silently, got ${show(ours.err)}`);
    if ((ours.ev ?? []).length || (ours.frames ?? []).length) lines.push(`  after a connection error h2flow must discard input, got events ${show(ours.ev)} frames ${show(ours.frames)}`);
    return lines;
  }
  if (py.err && !ours.err) lines.push(`  exception: python ${show(py.err)}  h2flow —`);
  // Our state may be freed (a typed h2 error where h2 still answers), but a JS error must be python's
  // own (or excused): never a crash.
  if (ours.err && !ours.err.h2 && !(py.err && sameError(step, py.err, ours.err, excuses, used).ok)) {
    lines.push(`  exception: python ${show(py.err)}  h2flow ${show(ours.err)} (after a connection error only h2 errors may differ)`);
  }
  if ((ours.frames ?? []).length && !same(py.frames, ours.frames)) lines.push(`  frames:    python ${show(py.frames)}\n             h2flow ${show(ours.frames)}`);
  return lines;
}

/**
 * `encoder-desync`: h2 encodes outbound headers while validating them, so a send that fails
 * validation leaves entries in its HPACK table that no peer saw; its later blocks are undecodable.
 * Header lists are then compared no more, but h2flow's own blocks must still decode.
 */
const isDesync = (py: StepRecord): boolean => (py.frames ?? []).some((f) => typeof (f as { h?: unknown }).h === 'string');

const withoutHeaders = (r: StepRecord): StepRecord => (r.frames ? { ...r, frames: r.frames.map((f) => ({ ...(f as object), h: null }) as Json) } : r);

const isFatal = (step: Step, py: StepRecord): boolean =>
  step.op === 'receive' && py.err !== undefined && (py.frames ?? []).some((f) => (f as { t?: string }).t === 'GOAWAY');

/**
 * Whether the oracle ran the scenario to its last step: no connection error before it. After one,
 * later steps only check that nothing more is emitted, so random scenarios should mostly run through.
 */
export function runsToLastStep(sc: Scenario, py: ScenarioRecord): boolean {
  const fatal = sc.steps.findIndex((step, i) => isFatal(step, py.steps[i]!));
  return fatal < 0 || fatal === sc.steps.length - 1;
}

function frameSummary(frames: Json[] | undefined): string[] {
  return (frames ?? []).map((f) => {
    const o = f as { t: string; code?: number };
    return o.code !== undefined && (o.t === 'RST_STREAM' || o.t === 'GOAWAY') ? `${o.t}:${o.code}` : o.t;
  });
}

/** Why `rec` does not satisfy `exp` (empty when it does). */
export function unmetExpectation(rec: StepRecord, exp: LastStepExpectation): string[] {
  const lines: string[] = [];
  if (exp.err !== undefined && (exp.err === null ? rec.err !== undefined : rec.err?.cls !== exp.err)) lines.push(`  exception: expected ${show(exp.err)}, got ${show(rec.err)}`);
  if (exp.code !== undefined && rec.err?.code !== exp.code) lines.push(`  error code: expected ${exp.code}, got ${show(rec.err?.code)}`);
  if (exp.frames && !same(frameSummary(rec.frames), exp.frames)) lines.push(`  frames: expected ${show(exp.frames)}, got ${show(frameSummary(rec.frames))}`);
  if (exp.events && !same((rec.ev ?? []).map((e) => (e as { type: string }).type), exp.events)) lines.push(`  events: expected ${show(exp.events)}, got ${show(rec.ev)}`);
  return lines;
}

/**
 * The full comparison of one scenario: an empty array when h2flow agrees with the oracle (as adjusted).
 * Only the first diverging step is shown in full (later steps usually follow from it).
 */
export function compareScenario(sc: Scenario, py: ScenarioRecord, ours: ScenarioRecord, used = new Set<string>()): string[] {
  const problems: string[] = [];
  const excuses = excusesOf(sc);
  let diverging = 0;
  let fatal = false;
  let desync = false;
  const failedSend = (i: number): boolean => sc.steps.slice(0, i).some((st, j) => (st.op === 'sendHeaders' || st.op === 'pushStream') && py.steps[j]!.err !== undefined);
  const last = sc.steps.length - 1;
  sc.steps.forEach((step, i) => {
    const label = `step ${i} ${step.op}${step.op === 'receive' ? ' ' + String(step['hex']).slice(0, 80) : ' ' + JSON.stringify(step).slice(0, 160)}`;
    let lines: string[];
    desync ||= isDesync(py.steps[i]!) && failedSend(i);
    if (sc.differs && i === last) {
      lines = unmetExpectation(ours.steps[i]!, sc.expectLast!).map((l) => `${l} (differs: ${sc.differs})`);
      if (unmetExpectation(py.steps[i]!, sc.expectLast!).length === 0) {
        lines.push(`  tagged '${sc.differs}' but the oracle already answers ${show(sc.expectLast)}: the tag is stale`);
      }
    } else if (fatal) {
      lines = compareAfterFatal(step, py.steps[i]!, ours.steps[i]!, excuses, used);
    } else if (desync) {
      // Only python's encoder is out of step: a failed send must never leave ours ahead of the peer.
      lines = compareStep(step, withoutHeaders(py.steps[i]!), withoutHeaders(ours.steps[i]!), excuses, used);
      if (isDesync(ours.steps[i]!)) lines.push(`  h2flow sent an undecodable header block: ${show(ours.steps[i]!.frames)}`);
    } else {
      lines = compareStep(step, py.steps[i]!, ours.steps[i]!, excuses, used);
    }
    fatal ||= isFatal(step, py.steps[i]!);
    if (lines.length && diverging++ === 0) problems.push(label, ...lines);
  });
  if (diverging > 1) problems.push(`(${diverging - 1} later step(s) differ too)`);
  return problems;
}
