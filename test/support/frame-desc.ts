/**
 * Frames as plain JSON descriptions (hyperframe's snake_case kwargs, bytes as hex), so that h2flow's
 * frames and python hyperframe's can be built from and compared to the same data; plus a seeded
 * generator of random frame descriptions. Test support for test/frame.
 */
import {
  AltSvcFrame,
  ContinuationFrame,
  DataFrame,
  ExtensionFrame,
  Frame,
  GoAwayFrame,
  HeadersFrame,
  PingFrame,
  PriorityFrame,
  PriorityUpdateFrame,
  PushPromiseFrame,
  RstStreamFrame,
  SettingsFrame,
  WindowUpdateFrame,
} from '../../src/frame/index';
import type { FlagName } from '../../src/frame/index';
import type { Prng } from './prng';
import { hex as toHex, unhex as fromHex } from './bytes';

/** A frame as JSON: `kind` is the class name; other keys are hyperframe's constructor kwargs. */
export interface FrameDesc {
  kind: string;
  stream_id: number;
  flags: string[];
  [field: string]: unknown;
}

const hex = (v: unknown): Uint8Array => fromHex(v as string);
const num = (v: unknown): number => v as number;
const flagsOf = (d: FrameDesc): FlagName[] => d.flags as FlagName[];

/** Builds an h2flow frame from a description. */
export function buildFrame(d: FrameDesc): Frame {
  const s = d.stream_id;
  const flags = flagsOf(d);
  switch (d.kind) {
    case 'DataFrame':
      return new DataFrame(s, { data: hex(d.data), padLength: num(d.pad_length), flags });
    case 'HeadersFrame':
      return new HeadersFrame(s, {
        data: hex(d.data),
        padLength: num(d.pad_length),
        dependsOn: num(d.depends_on),
        streamWeight: num(d.stream_weight),
        exclusive: d.exclusive as boolean,
        flags,
      });
    case 'PriorityFrame':
      return new PriorityFrame(s, { dependsOn: num(d.depends_on), streamWeight: num(d.stream_weight), exclusive: d.exclusive as boolean });
    case 'RstStreamFrame':
      return new RstStreamFrame(s, { errorCode: num(d.error_code) });
    case 'SettingsFrame':
      return new SettingsFrame(s, { settings: new Map(d.settings as [number, number][]), flags });
    case 'PushPromiseFrame':
      return new PushPromiseFrame(s, { promisedStreamId: num(d.promised_stream_id), data: hex(d.data), padLength: num(d.pad_length), flags });
    case 'PingFrame':
      return new PingFrame(s, { opaqueData: hex(d.opaque_data), flags });
    case 'GoAwayFrame':
      return new GoAwayFrame(s, { lastStreamId: num(d.last_stream_id), errorCode: num(d.error_code), additionalData: hex(d.additional_data) });
    case 'WindowUpdateFrame':
      return new WindowUpdateFrame(s, { windowIncrement: num(d.window_increment) });
    case 'ContinuationFrame':
      return new ContinuationFrame(s, { data: hex(d.data), flags });
    case 'AltSvcFrame':
      return new AltSvcFrame(s, { origin: hex(d.origin), field: hex(d.field) });
    case 'PriorityUpdateFrame':
      return new PriorityUpdateFrame(s, { prioritizedStreamId: num(d.prioritized_stream_id), priorityFieldValue: hex(d.priority_field_value) });
    case 'ExtensionFrame':
      return new ExtensionFrame(s, { type: num(d.type), flagByte: num(d.flag_byte), body: hex(d.body) });
    default:
      throw new Error(`unknown frame kind ${d.kind}`);
  }
}

/** Describes an h2flow frame (the inverse of {@link buildFrame}). */
export function describeFrame(f: Frame): FrameDesc {
  const d: FrameDesc = { kind: '', stream_id: f.streamId, flags: [...f.flags].sort() };
  if (f instanceof DataFrame) Object.assign(d, { kind: 'DataFrame', pad_length: f.padLength, data: toHex(f.data) });
  else if (f instanceof HeadersFrame) {
    Object.assign(d, { kind: 'HeadersFrame', pad_length: f.padLength, data: toHex(f.data) });
    Object.assign(d, { depends_on: f.dependsOn, stream_weight: f.streamWeight, exclusive: f.exclusive });
  } else if (f instanceof PriorityFrame) Object.assign(d, { kind: 'PriorityFrame', depends_on: f.dependsOn, stream_weight: f.streamWeight, exclusive: f.exclusive });
  else if (f instanceof RstStreamFrame) Object.assign(d, { kind: 'RstStreamFrame', error_code: f.errorCode });
  else if (f instanceof SettingsFrame) Object.assign(d, { kind: 'SettingsFrame', settings: [...f.settings] });
  else if (f instanceof PushPromiseFrame) {
    Object.assign(d, { kind: 'PushPromiseFrame', pad_length: f.padLength, data: toHex(f.data), promised_stream_id: f.promisedStreamId });
  } else if (f instanceof PingFrame) Object.assign(d, { kind: 'PingFrame', opaque_data: toHex(f.opaqueData) });
  else if (f instanceof GoAwayFrame) {
    Object.assign(d, { kind: 'GoAwayFrame', last_stream_id: f.lastStreamId, error_code: f.errorCode, additional_data: toHex(f.additionalData) });
  } else if (f instanceof WindowUpdateFrame) Object.assign(d, { kind: 'WindowUpdateFrame', window_increment: f.windowIncrement });
  else if (f instanceof ContinuationFrame) Object.assign(d, { kind: 'ContinuationFrame', data: toHex(f.data) });
  else if (f instanceof AltSvcFrame) Object.assign(d, { kind: 'AltSvcFrame', origin: toHex(f.origin), field: toHex(f.field) });
  else if (f instanceof PriorityUpdateFrame) {
    Object.assign(d, { kind: 'PriorityUpdateFrame', prioritized_stream_id: f.prioritizedStreamId, priority_field_value: toHex(f.priorityFieldValue) });
  } else if (f instanceof ExtensionFrame) Object.assign(d, { kind: 'ExtensionFrame', type: f.type, flag_byte: f.flagByte, body: toHex(f.body) });
  return d;
}

/** Options of {@link randomFrameDesc}. */
export interface RandomFrameOptions {
  /**
   * Only frames Debian's hyperframe 6.0 handles the same way: no PRIORITY_UPDATE, SETTINGS codes
   * below 256, WINDOW_UPDATE increments ≥ 1, no padded HEADERS with an empty fragment.
   */
  pythonCompatible?: boolean;
}

const KINDS = [
  'DataFrame',
  'HeadersFrame',
  'PriorityFrame',
  'RstStreamFrame',
  'SettingsFrame',
  'PushPromiseFrame',
  'PingFrame',
  'GoAwayFrame',
  'WindowUpdateFrame',
  'ContinuationFrame',
  'AltSvcFrame',
  'PriorityUpdateFrame',
  'ExtensionFrame',
] as const;

/** Unknown type octets for ExtensionFrame: none of 0x0–0xa or 0x10. */
const EXTENSION_TYPES = [0xb, 0xc, 0xf, 0x11, 0x20, 0x7f, 0xfe, 0xff];

/** Every frame kind a random description may have. */
export const FRAME_KINDS: readonly string[] = KINDS;

/** A random description of the given kind (or a random kind), always serializable and parseable. */
export function randomFrameDesc(rng: Prng, options: RandomFrameOptions = {}, kind?: string): FrameDesc {
  const py = options.pythonCompatible === true;
  const kinds = py ? KINDS.filter((k) => k !== 'PriorityUpdateFrame') : KINDS;
  const k = kind ?? rng.pick(kinds);
  const u31 = () => (rng.int(4) === 0 ? 0x7fffffff - rng.int(3) : rng.int(1000));
  const u32 = () => (rng.int(4) === 0 ? 0xffffffff - rng.int(3) : rng.int(20));
  const streamId = () => 1 + (rng.int(4) === 0 ? 0x7ffffffe - rng.int(3) : rng.int(1000));
  const anyStream = () => (rng.int(2) === 0 ? 0 : streamId());
  const blob = (min = 0) => toHex(rng.bytes(min + (rng.int(8) === 0 ? rng.int(3000) : rng.int(40))));
  const pick = (...names: string[]) => names.filter(() => rng.int(2) === 0).sort();
  const pad = (flags: string[]) => (flags.includes('PADDED') ? (rng.int(3) === 0 ? 255 - rng.int(2) : rng.int(20)) : 0);
  switch (k) {
    case 'DataFrame': {
      const flags = pick('END_STREAM', 'PADDED');
      return { kind: k, stream_id: streamId(), flags, data: blob(), pad_length: pad(flags) };
    }
    case 'HeadersFrame': {
      const flags = pick('END_STREAM', 'END_HEADERS', 'PADDED', 'PRIORITY');
      const prio = flags.includes('PRIORITY');
      // hyperframe 6.0 wrongly refuses padding equal to the rest of an unprioritized HEADERS payload.
      const data = blob(py && flags.includes('PADDED') && !prio ? 1 : 0);
      return {
        kind: k,
        stream_id: streamId(),
        flags,
        data,
        pad_length: pad(flags),
        depends_on: prio ? u31() : 0,
        stream_weight: prio ? rng.int(256) : 0,
        exclusive: prio ? rng.int(2) === 0 : false,
      };
    }
    case 'PriorityFrame':
      return { kind: k, stream_id: streamId(), flags: [], depends_on: u31(), stream_weight: rng.int(256), exclusive: rng.int(2) === 0 };
    case 'RstStreamFrame':
      return { kind: k, stream_id: streamId(), flags: [], error_code: u32() };
    case 'SettingsFrame': {
      if (rng.int(5) === 0) return { kind: k, stream_id: 0, flags: ['ACK'], settings: [] };
      const codes = new Set<number>();
      for (let n = rng.int(8); n > 0; n--) codes.add(py ? rng.int(256) : rng.int(0x10000));
      return { kind: k, stream_id: 0, flags: [], settings: [...codes].map((c) => [c, u32()]) };
    }
    case 'PushPromiseFrame': {
      const flags = pick('END_HEADERS', 'PADDED');
      return { kind: k, stream_id: streamId(), flags, promised_stream_id: 2 * (1 + rng.int(0x3ffffffe)), data: blob(), pad_length: pad(flags) };
    }
    case 'PingFrame':
      return { kind: k, stream_id: 0, flags: pick('ACK'), opaque_data: toHex(rng.bytes(8)) };
    case 'GoAwayFrame':
      return { kind: k, stream_id: 0, flags: [], last_stream_id: u31(), error_code: u32(), additional_data: blob() };
    case 'WindowUpdateFrame':
      return { kind: k, stream_id: anyStream(), flags: [], window_increment: py ? 1 + rng.int(0x7ffffffe) : u31() };
    case 'ContinuationFrame':
      return { kind: k, stream_id: streamId(), flags: pick('END_HEADERS'), data: blob() };
    case 'AltSvcFrame':
      return { kind: k, stream_id: anyStream(), flags: [], origin: blob(), field: blob() };
    case 'PriorityUpdateFrame':
      return { kind: k, stream_id: 0, flags: [], prioritized_stream_id: streamId(), priority_field_value: toHex(new TextEncoder().encode(rng.pick(['u=1', 'u=3, i', 'i', '']))) };
    default:
      return { kind: k, stream_id: anyStream(), flags: [], type: rng.pick(EXTENSION_TYPES), flag_byte: rng.int(256), body: blob() };
  }
}
