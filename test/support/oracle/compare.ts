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

/**
 * The streams a `receive` step's bytes carry a message on: those of its HEADERS, DATA and
 * CONTINUATION frames, and the promised stream of each PUSH_PROMISE.
 */
export function receivedMessageStreams(step: Step): Set<number> {
  const ids = new Set<number>();
  if (step.op !== 'receive') return ids;
  const bytes = unhex(String(step['hex']));
  let i = bytes.length >= 24 && bytes[0] === 0x50 && bytes[1] === 0x52 && bytes[2] === 0x49 ? 24 : 0;
  while (i + 9 <= bytes.length) {
    const length = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    const type = bytes[i + 3]!;
    const sid = (((bytes[i + 5]! & 0x7f) << 24) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 8) | bytes[i + 8]!) >>> 0;
    if (type === 0x0 || type === 0x1 || type === 0x9) ids.add(sid);
    if (type === 0x5) {
      const p = i + 9 + ((bytes[i + 4]! & 0x8) !== 0 ? 1 : 0);
      if (p + 4 <= bytes.length) ids.add((((bytes[p]! & 0x7f) << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!) >>> 0);
    }
    i += 9 + length;
  }
  return ids;
}

type FrameJson = { t?: string; s?: number; code?: number };

/**
 * h2's ProtocolError messages for a malformed message (RFC 9113 §8.1.1): header validation
 * (h2/utilities.py), content-length, trailers, 1xx rules, DATA before headers. Any other
 * ProtocolError (stream IDs, frame sequencing, pushes, ...) stays a connection error, so it never
 * passes as a stream error.
 */
const MALFORMED_MESSAGE = new RegExp(
  '^(Received (uppercase header name|header name with zero length|header (name|value) surrounded by whitespace|' +
    'custom pseudo-header field|duplicate pseudo-header field|pseudo-header field out of sequence|pseudo-header in trailer)|' +
    'Connection-specific header field present|Encountered (connect-request|request|response)-only headers|' +
    'Header block missing mandatory|An empty :path header is forbidden|Invalid value for TE header|' +
    'Request header block (does not have an :authority|has mismatched :authority)|Invalid content-length header|' +
    'Trailers must have END_STREAM set|Cannot set END_STREAM on informational responses|' +
    'Informational response after final response|cannot receive data before headers)',
);

/**
 * The connection errors h2 raises on received bytes that h2flow answers as stream errors of the same
 * code instead (differences.ts): python's classes for each code, and the difference id it stands for.
 */
const STREAM_ERROR_INSTEAD: Readonly<
  Record<number, { python: readonly string[]; id: string; messages?: Readonly<Record<string, RegExp>>; streams?: (step: Step) => Set<number> }>
> = {
  1: { python: ['ProtocolError', 'InvalidBodyLengthError'], id: 'malformed-stream-error', messages: { ProtocolError: MALFORMED_MESSAGE } },
  3: { python: ['FlowControlError'], id: 'stream-flow-control-error' },
  // hyperframe's InvalidFrameError, which h2 raises as FrameDataMissingError; h2flow answers only a
  // PRIORITY of the wrong length on a stream that is not idle so (any other frame stays a connection error).
  6: { python: ['FrameDataMissingError'], id: 'priority-length-stream-error', streams: (step) => receivedFrameStreams(step, 0x2) },
};

/** The streams of a `receive` step's frames of `type`. */
function receivedFrameStreams(step: Step, type: number): Set<number> {
  const ids = new Set<number>();
  if (step.op !== 'receive') return ids;
  const bytes = unhex(String(step['hex']));
  let i = bytes.length >= 24 && bytes[0] === 0x50 && bytes[1] === 0x52 && bytes[2] === 0x49 ? 24 : 0;
  while (i + 9 <= bytes.length) {
    if (bytes[i + 3] === type) ids.add((((bytes[i + 5]! & 0x7f) << 24) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 8) | bytes[i + 8]!) >>> 0);
    i += 9 + ((bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!);
  }
  return ids;
}

/**
 * `malformed-stream-error`, `stream-flow-control-error`: where python answered received bytes with a
 * connection error (PROTOCOL_ERROR: InvalidBodyLengthError, or ProtocolError for a malformed message,
 * {@link MALFORMED_MESSAGE}; FLOW_CONTROL_ERROR:
 * FlowControlError) and h2flow raised nothing, h2flow must have answered with a stream error of that
 * code: its frames are python's up to the GOAWAY, then (a WINDOW_UPDATE crediting the connection window
 * for refused DATA, then) RST_STREAM with python's code on a stream the bytes carried a message on, and
 * no GOAWAY at all (frames after it answer later frames of the same read, which python never
 * processed); its events reset that stream only as `StreamReset(code, remoteReset: false)`, with
 * nothing after it on that stream, or (a stream refused unreported) never name it at all. Returns
 * the difference id and why not (empty when it holds), or `null` when the step is not such a case.
 */
export function streamErrorInstead(step: Step, py: StepRecord, ours: StepRecord): { id: string; lines: string[] } | null {
  if (step.op !== 'receive' || ours.err || !py.err || py.err.code === null) return null;
  const code = py.err.code;
  const kind = STREAM_ERROR_INSTEAD[code];
  if (kind === undefined || !kind.python.includes(py.err.cls)) return null;
  const pattern = kind.messages?.[py.err.cls];
  if (pattern !== undefined && !pattern.test(py.err.msg ?? '')) return null;
  const pyFrames = (py.frames ?? []) as FrameJson[];
  const goaway = pyFrames.findIndex((f) => f.t === 'GOAWAY');
  if (goaway < 0 || pyFrames[goaway]!.code !== code) return null;
  const lines: string[] = [];
  const result = { id: kind.id, lines };
  const frames = (ours.frames ?? []) as FrameJson[];
  const prefix = pyFrames.slice(0, goaway);
  if (!same(frames.slice(0, prefix.length), prefix)) lines.push(`  ${kind.id}: h2flow's frames before its RST_STREAM differ from python's before its GOAWAY: python ${show(prefix)} h2flow ${show(frames)}`);
  let k = prefix.length;
  if (frames[k]?.t === 'WINDOW_UPDATE' && frames[k]?.s === 0) k++;
  const rst = frames[k];
  const streams = kind.streams?.(step) ?? receivedMessageStreams(step);
  if (rst?.t !== 'RST_STREAM' || rst.code !== code || !streams.has(rst.s!)) {
    lines.push(`  ${kind.id}: python ended the connection (GOAWAY ${code}), so h2flow must reset a stream of the received message (${show([...streams])}) with code ${code}; got ${show(frames)}`);
    return result;
  }
  if (frames.some((f) => f.t === 'GOAWAY')) lines.push(`  ${kind.id}: h2flow reset stream ${rst.s} but also sent GOAWAY: ${show(frames)}`);
  const evs = (ours.ev ?? []) as { type: string; streamId?: number; pushedStreamId?: number; errorCode?: number; remoteReset?: boolean }[];
  const reset = evs.findIndex((e) => e.type === 'StreamReset' && e.streamId === rst.s);
  if (reset < 0) {
    // No StreamReset: a new request or promised stream refused before it was ever reported. Then no
    // event may name it, or a handler would see a malformed request (or a push that never exists).
    const named = evs.filter((e) => e.streamId === rst.s || e.pushedStreamId === rst.s);
    if (named.length > 0) lines.push(`  ${kind.id}: h2flow reset stream ${rst.s} without a StreamReset, so it must never have reported it: ${show(named)}`);
  } else {
    const e = evs[reset]!;
    if (e.errorCode !== code || e.remoteReset !== false) lines.push(`  ${kind.id}: h2flow's StreamReset must carry code ${code}, remoteReset false: ${show(e)}`);
    if (evs.slice(reset + 1).some((x) => x.streamId === rst.s)) lines.push(`  ${kind.id}: events on stream ${rst.s} after its reset: ${show(evs)}`);
  }
  return result;
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
 * After a step {@link streamErrorInstead} accepted, python's connection is dead and h2flow's goes on: later steps
 * cannot be compared with python's. They may raise h2 errors (e.g. on the stream h2flow reset), never
 * a JS error (a crash); and the connection must still answer a PING afterwards ({@link probeAnswered}).
 */
function compareAfterMalformed(step: Step, ours: StepRecord): string[] {
  if (ours.err && !ours.err.h2) return [`  after a stream error where python ended the connection, h2flow must go on without a crash, got ${show(ours.err)}`];
  return [];
}

/** Whether h2flow answered the PING that run.ts feeds after the last step (the connection lives). */
function probeAnswered(ours: ScenarioRecord): boolean {
  const p = ours.probe;
  return p !== undefined && (p.ev ?? []).some((e) => (e as { type?: string }).type === 'PingReceived') && (p.frames ?? []).some((f) => (f as FrameJson).t === 'PING');
}

/** Whether a step's frames include a GOAWAY. */
const sentGoaway = (r: StepRecord): boolean => (r.frames ?? []).some((f) => (f as FrameJson).t === 'GOAWAY');

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
  /** A {@link streamErrorInstead} step happened: python's connection died there, ours went on. */
  let malformed = false;
  let oursEnded = false;
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
    } else if (malformed) {
      lines = compareAfterMalformed(step, ours.steps[i]!);
    } else if (fatal) {
      lines = compareAfterFatal(step, py.steps[i]!, ours.steps[i]!, excuses, used);
    } else if (desync) {
      // Only python's encoder is out of step: a failed send must never leave ours ahead of the peer.
      lines = compareStep(step, withoutHeaders(py.steps[i]!), withoutHeaders(ours.steps[i]!), excuses, used);
      if (isDesync(ours.steps[i]!)) lines.push(`  h2flow sent an undecodable header block: ${show(ours.steps[i]!.frames)}`);
    } else {
      const instead = streamErrorInstead(step, py.steps[i]!, ours.steps[i]!);
      if (instead !== null) {
        lines = instead.lines;
        malformed = true;
        used.add(instead.id);
      } else {
        lines = compareStep(step, py.steps[i]!, ours.steps[i]!, excuses, used);
      }
    }
    if (malformed) oursEnded ||= sentGoaway(ours.steps[i]!) || (step.op === 'closeConnection' && !ours.steps[i]!.err);
    fatal ||= isFatal(step, py.steps[i]!);
    if (lines.length && diverging++ === 0) problems.push(label, ...lines);
  });
  if (diverging > 1) problems.push(`(${diverging - 1} later step(s) differ too)`);
  if (malformed && !oursEnded && !probeAnswered(ours)) {
    problems.push(`after a stream error where python ended the connection, h2flow's connection must go on: a PING got ${show(ours.probe)}`);
  }
  return problems;
}
