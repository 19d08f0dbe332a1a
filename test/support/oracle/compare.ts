/**
 * Compares a scenario's python record with h2flow's, step by step, applying exactly the adjustments
 * differences.ts lists (`builtin-exceptions`; `differs`-tagged last steps), with a readable diff.
 */
import type { Json, NormError, ScenarioRecord, StepRecord } from './normalize';
import type { LastStepExpectation, Scenario, Step } from './script';

const show = (v: unknown): string => (v === undefined ? '—' : JSON.stringify(v));

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Whether the python error and ours agree, with the adjustments of differences.ts. */
function sameError(p: NormError | undefined, o: NormError | undefined): boolean {
  if (!p || !o) return !p && !o;
  // builtin-exceptions: a python built-in error only requires a non-h2 error on our side;
  // keyerror-lookups: h2's bare `self.streams[id]` KeyErrors may be our typed stream errors.
  if (!p.h2) return !o.h2 || (p.cls === 'KeyError' && (o.cls === 'NoSuchStreamError' || o.cls === 'StreamClosedError'));
  if (o.cls === p.cls && o.code === p.code) return true;
  // hpack-compression-error: h2 answers HPACK failures with PROTOCOL_ERROR, we with COMPRESSION_ERROR.
  if (p.cls === 'ProtocolError' && p.code === 1 && o.cls === 'ProtocolError' && o.code === 9) return true;
  // naked-continuation: h2 looks the stream up first (NoSuchStreamError/StreamClosedError), our frame buffer rejects it.
  return (p.cls === 'NoSuchStreamError' || p.cls === 'StreamClosedError') && o.cls === 'ProtocolError' && o.code === 1;
}

/** Our frames with the GOAWAY code mapped back as `hpack-compression-error` allows (only when we raised code 9). */
function framesForComparison(ours: StepRecord, py: StepRecord): Json[] | undefined {
  if (!(ours.err?.code === 9 && py.err?.code === 1)) return ours.frames;
  return ours.frames?.map((f) => {
    const o = f as { t?: string; code?: number };
    return o.t === 'GOAWAY' && o.code === 9 ? { ...(f as object), code: 1 } : f;
  }) as Json[];
}

/** Differences between one python step and one h2flow step, as lines (empty when they agree). */
export function compareStep(py: StepRecord, ours: StepRecord): string[] {
  const lines: string[] = [];
  if (!sameError(py.err, ours.err)) lines.push(`  exception: python ${show(py.err)}  h2flow ${show(ours.err)}`);
  if (!same(py.res, ours.res)) lines.push(`  result:    python ${show(py.res)}  h2flow ${show(ours.res)}`);
  if (!same(py.ev, ours.ev)) lines.push(`  events:    python ${show(py.ev)}\n             h2flow ${show(ours.ev)}`);
  if (!same(py.frames, framesForComparison(ours, py))) lines.push(`  frames:    python ${show(py.frames)}\n             h2flow ${show(ours.frames)}`);
  return lines;
}

/**
 * `after-fatal-error`: once the oracle has answered received bytes with a connection error, h2flow
 * discards all later input (no events, no frames), and may have freed stream state; API calls must
 * still fail when h2's fail, and may queue nothing, or what h2 queues (h2 still queues e.g. the
 * WINDOW_UPDATEs of acknowledgeReceivedData after its GOAWAY).
 */
function compareAfterFatal(step: Step, py: StepRecord, ours: StepRecord): string[] {
  const lines: string[] = [];
  if (step.op === 'receive') {
    if ((ours.ev ?? []).length || (ours.frames ?? []).length) lines.push(`  after a connection error h2flow must discard input, got events ${show(ours.ev)} frames ${show(ours.frames)}`);
    return lines;
  }
  if (py.err && !ours.err) lines.push(`  exception: python ${show(py.err)}  h2flow —`);
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
export function compareScenario(sc: Scenario, py: ScenarioRecord, ours: ScenarioRecord): string[] {
  const problems: string[] = [];
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
      lines = compareAfterFatal(step, py.steps[i]!, ours.steps[i]!);
    } else if (desync) {
      // Only python's encoder is out of step: a failed send must never leave ours ahead of the peer.
      lines = compareStep(withoutHeaders(py.steps[i]!), withoutHeaders(ours.steps[i]!));
      if (isDesync(ours.steps[i]!)) lines.push(`  h2flow sent an undecodable header block: ${show(ours.steps[i]!.frames)}`);
    } else {
      lines = compareStep(py.steps[i]!, ours.steps[i]!);
    }
    fatal ||= isFatal(step, py.steps[i]!);
    if (lines.length && diverging++ === 0) problems.push(label, ...lines);
  });
  if (diverging > 1) problems.push(`(${diverging - 1} later step(s) differ too)`);
  return problems;
}
