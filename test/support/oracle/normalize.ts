/**
 * Normal forms shared by both sides of the differential oracle: events (type + fields), exceptions
 * (class + error code) and emitted frames (parsed from the bytes, header blocks decoded per direction).
 * The python driver (driver.py) produces the same shapes from h2's objects.
 */
import { FrameReader, type PeerFrame } from '../peer';
import { hex, unhex } from '../bytes';

/** The fields each event carries, as h2 names them (snake_case); camelCase on our side. */
export const EVENT_FIELDS: Record<string, readonly string[]> = {
  RequestReceived: ['stream_id', 'headers', 'stream_ended', 'priority_updated'],
  ResponseReceived: ['stream_id', 'headers', 'stream_ended', 'priority_updated'],
  TrailersReceived: ['stream_id', 'headers', 'stream_ended', 'priority_updated'],
  InformationalResponseReceived: ['stream_id', 'headers', 'priority_updated'],
  DataReceived: ['stream_id', 'data', 'flow_controlled_length', 'stream_ended'],
  WindowUpdated: ['stream_id', 'delta'],
  RemoteSettingsChanged: ['changed_settings'],
  PingReceived: ['ping_data'],
  PingAckReceived: ['ping_data'],
  StreamEnded: ['stream_id'],
  StreamReset: ['stream_id', 'error_code', 'remote_reset'],
  PushedStreamReceived: ['pushed_stream_id', 'parent_stream_id', 'headers'],
  SettingsAcknowledged: ['changed_settings'],
  PriorityUpdated: ['stream_id', 'weight', 'depends_on', 'exclusive'],
  ConnectionTerminated: ['error_code', 'last_stream_id', 'additional_data'],
  AlternativeServiceAvailable: ['origin', 'field_value'],
  UnknownFrameReceived: ['frame'],
};

/** A JSON value in a normal form. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * A normalized exception: class name, whether it is one of h2's classes, and its error code; python's
 * also carry the message (`msg`), which tells a malformed message from other PROTOCOL_ERRORs.
 */
export interface NormError {
  cls: string;
  h2: boolean;
  code: number | null;
  msg?: string;
}

/** What one step produced. `out` is the raw hex of dataToSend(); `frames` is filled by {@link parseOut}. */
export interface StepRecord {
  out: string;
  ev?: Json[];
  err?: NormError;
  res?: Json;
  frames?: Json[];
}

/** The recorded run of one scenario. */
export interface ScenarioRecord {
  name: string;
  steps: StepRecord[];
  /**
   * h2flow only: what a PING received after the last step produced (is the connection alive?), checked
   * after a `malformed-stream-error` step (compare.ts).
   */
  probe?: StepRecord;
}

const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The 15 h2 exception class names (our port must use the same names). */
export const H2_EXCEPTIONS = new Set([
  'H2Error', 'ProtocolError', 'FrameTooLargeError', 'FrameDataMissingError', 'TooManyStreamsError', 'FlowControlError',
  'StreamIDTooLowError', 'NoAvailableStreamIDError', 'NoSuchStreamError', 'StreamClosedError', 'InvalidSettingsValueError',
  'InvalidBodyLengthError', 'UnsupportedFrameError', 'RFC1122Error', 'DenialOfServiceError',
]);

type Loose = Record<string, unknown>;

function latin1Of(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) {
    let s = '';
    for (const b of v) s += String.fromCharCode(b);
    return s;
  }
  throw new TypeError(`not a header string: ${String(v)}`);
}

function normHeaders(headers: unknown): Json {
  const out: Json[] = [];
  for (const h of headers as Iterable<unknown>) {
    const pair = h as unknown[] & { indexable?: boolean };
    const row: Json[] = [latin1Of(pair[0]), latin1Of(pair[1])];
    if (pair.indexable === false) row.push(1);
    out.push(row);
  }
  return out;
}

function normChangedSettings(v: unknown): Json {
  const values: unknown[] = v instanceof Map ? [...v.values()] : Object.values(v as Loose);
  return values
    .map((c) => {
      const cs = c as Loose;
      return [Number(cs['setting']), (cs['originalValue'] ?? null) as Json, (cs['newValue'] ?? null) as Json];
    })
    .sort((a, b) => (a[0] as number) - (b[0] as number));
}

function normValue(key: string, v: unknown): Json {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean' || typeof v === 'number') return v;
  if (key === 'headers') return normHeaders(v);
  if (key === 'changed_settings') return normChangedSettings(v);
  if (key === 'frame') {
    const f = v as Loose;
    return { type: Number(f['type']), streamId: Number(f['streamId']) };
  }
  if (v instanceof Uint8Array) return hex(v);
  if (typeof v === 'string') return key === 'origin' || key === 'field_value' ? hex(Uint8Array.from(v, (c) => c.charCodeAt(0))) : v;
  if (typeof v === 'object' && typeof (v as Loose)['type'] === 'string') return normEvent(v);
  throw new TypeError(`cannot normalise ${key}=${String(v)}`);
}

/** Our event → `{ type, ...camelCase fields }` in the same shape as the python driver's. */
export function normEvent(ev: unknown): Json {
  const e = ev as Loose;
  const type = String(e['type'] ?? (ev as object).constructor.name);
  const fields = EVENT_FIELDS[type];
  if (!fields) throw new TypeError(`unknown event ${type}`);
  const out: { [k: string]: Json } = { type };
  for (const f of fields) {
    // The brief names AlternativeServiceAvailable's value `field`; h2 names it `field_value`.
    const value = f === 'field_value' && !('fieldValue' in e) ? e['field'] : e[camel(f)];
    out[camel(f)] = normValue(f, value);
  }
  return out;
}

/** Our exception → `{ cls, h2, code }`. */
export function normError(err: unknown): NormError {
  const e = err as Loose;
  const cls = String(e['name'] && e['name'] !== 'Error' ? e['name'] : (err as object).constructor.name);
  const code = e['errorCode'];
  return { cls, h2: H2_EXCEPTIONS.has(cls), code: typeof code === 'number' ? code : null };
}

/** One emitted frame in normal form. HEADERS/PUSH_PROMISE are joined with their CONTINUATIONs. */
export function normFrame(f: PeerFrame): Json {
  const flags = f.flagNames.filter((n) => n !== 'END_HEADERS');
  const o: { [k: string]: Json } = { t: f.typeName, s: f.streamId };
  if (flags.length) o['f'] = flags.join('|');
  if (f.padLength !== undefined) o['pad'] = f.padLength;
  if (f.data) o['data'] = hex(f.data);
  if (f.headers) o['h'] = f.headers.map(([n, v], i) => (f.neverIndexed![i] ? [n, v, 1] : [n, v]));
  if (f.headerError !== undefined) o['h'] = `undecodable: ${f.headerError}`;
  if (f.priority) o['prio'] = [f.priority.dependsOn, f.priority.weight, f.priority.exclusive];
  if (f.errorCode !== undefined) o['code'] = f.errorCode;
  if (f.settings) o['settings'] = f.settings;
  if (f.opaqueData) o['ping'] = hex(f.opaqueData);
  if (f.lastStreamId !== undefined) o['last'] = f.lastStreamId;
  if (f.additionalData) o['extra'] = hex(f.additionalData);
  if (f.windowIncrement !== undefined) o['inc'] = f.windowIncrement;
  if (f.promisedStreamId !== undefined) o['promised'] = f.promisedStreamId;
  if (f.origin !== undefined) o['origin'] = f.origin;
  if (f.field !== undefined) o['field'] = f.field;
  if (f.typeName.startsWith('UNKNOWN')) o['payload'] = hex(f.payload);
  return o;
}

/**
 * Parses each step's `out` hex into normal-form frames with one reader (one HPACK decoder) for the
 * whole scenario, as a real peer would. `clientSide`: the writer is a client (starts with the preface).
 */
export function parseOut(record: ScenarioRecord, clientSide: boolean): void {
  const reader = new FrameReader(clientSide, undefined, { lenient: true });
  for (const step of record.probe ? [...record.steps, record.probe] : record.steps) {
    try {
      step.frames = reader.push(unhex(step.out)).map(normFrame);
    } catch (e) {
      step.frames = [`unparseable output: ${(e as Error).message}`];
    }
  }
}
