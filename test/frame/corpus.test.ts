/** The http2-frame-test-case corpus: valid cases parse to their fields and serialize to their wire; error cases fail with one of their codes. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  ContinuationFrame,
  DataFrame,
  FrameBuffer,
  FrameError,
  GoAwayFrame,
  HeadersFrame,
  PingFrame,
  PriorityFrame,
  PushPromiseFrame,
  RstStreamFrame,
  SettingsFrame,
  WindowUpdateFrame,
  parseFrameHeader,
} from '../../src/frame/index';
import type { Frame } from '../../src/frame/index';
import { unhex } from '../support/bytes';
import { throwsWith } from '../support/assert-throws';

const Corpus = suite('http2-frame-test-case corpus');
const ROOT = '../shared/http2-frame-test-case';

interface CorpusCase {
  error: number[] | null;
  wire: string;
  frame: { length: number; type: number; flags: number; stream_identifier: number; frame_payload: Record<string, unknown> } | null;
  description: string;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.json')) out.push(p);
  }
  return out;
}

const cases = walk(ROOT).map((path) => ({ path: path.slice(ROOT.length + 1), c: JSON.parse(readFileSync(path, 'utf8')) as CorpusCase }));
const latin1 = (b: Uint8Array): string => String.fromCharCode(...b);
const octets = (s: unknown): Uint8Array => Uint8Array.from(s as string, (ch) => ch.charCodeAt(0));

/** The corpus payload object for a parsed frame (padding content is not kept, see below). */
function payloadOf(f: Frame): Record<string, unknown> {
  const padded = f.flags.has('PADDED');
  if (f instanceof DataFrame) return { data: latin1(f.data), padding_length: f.padLength };
  if (f instanceof HeadersFrame) {
    const prio = f.flags.has('PRIORITY');
    return {
      stream_dependency: prio ? f.dependsOn : null,
      weight: prio ? f.streamWeight + 1 : null,
      header_block_fragment: latin1(f.data),
      padding_length: padded ? f.padLength : null,
      exclusive: prio ? f.exclusive : null,
    };
  }
  if (f instanceof PriorityFrame) return { stream_dependency: f.dependsOn, weight: f.streamWeight + 1, exclusive: f.exclusive, padding_length: null };
  if (f instanceof RstStreamFrame) return { error_code: f.errorCode };
  if (f instanceof SettingsFrame) return { settings: [...f.settings] };
  if (f instanceof PushPromiseFrame) return { header_block_fragment: latin1(f.data), padding_length: f.padLength, promised_stream_id: f.promisedStreamId };
  if (f instanceof PingFrame) return { opaque_data: latin1(f.opaqueData) };
  if (f instanceof GoAwayFrame) return { error_code: f.errorCode, additional_debug_data: latin1(f.additionalData), last_stream_id: f.lastStreamId };
  if (f instanceof WindowUpdateFrame) return { window_size_increment: f.windowIncrement };
  if (f instanceof ContinuationFrame) return { header_block_fragment: latin1(f.data) };
  throw new Error(`unexpected frame ${f.toString()}`);
}

/** Builds the frame the corpus describes, through the public constructors. */
function buildFrom(desc: NonNullable<CorpusCase['frame']>): Frame {
  const p = desc.frame_payload;
  const s = desc.stream_identifier;
  const [frame] = parseFrameHeader(Uint8Array.of(0, 0, 0, desc.type, desc.flags, s >>> 24, (s >>> 16) & 0xff, (s >>> 8) & 0xff, s & 0xff));
  const flags = [...frame.flags];
  const padLength = (p.padding_length as number | null) ?? 0;
  switch (desc.type) {
    case 0:
      return new DataFrame(s, { data: octets(p.data), padLength, flags });
    case 1:
      return new HeadersFrame(s, {
        data: octets(p.header_block_fragment),
        padLength,
        dependsOn: (p.stream_dependency as number | null) ?? 0,
        streamWeight: ((p.weight as number | null) ?? 1) - 1,
        exclusive: (p.exclusive as boolean | null) ?? false,
        flags,
      });
    case 2:
      return new PriorityFrame(s, { dependsOn: p.stream_dependency as number, streamWeight: (p.weight as number) - 1, exclusive: p.exclusive as boolean });
    case 3:
      return new RstStreamFrame(s, { errorCode: p.error_code as number });
    case 4:
      return new SettingsFrame(s, { settings: new Map(p.settings as [number, number][]), flags });
    case 5:
      return new PushPromiseFrame(s, { promisedStreamId: p.promised_stream_id as number, data: octets(p.header_block_fragment), padLength, flags });
    case 6:
      return new PingFrame(s, { opaqueData: octets(p.opaque_data), flags });
    case 7:
      return new GoAwayFrame(s, { lastStreamId: p.last_stream_id as number, errorCode: p.error_code as number, additionalData: octets(p.additional_debug_data) });
    case 8:
      return new WindowUpdateFrame(s, { windowIncrement: p.window_size_increment as number });
    default:
      return new ContinuationFrame(s, { data: octets(p.header_block_fragment), flags });
  }
}

const valid = cases.filter(({ c }) => c.error === null);
const invalid = cases.filter(({ c }) => c.error !== null);

Corpus('the corpus is present: 12 valid and 22 error cases', () => {
  assert.is(valid.length, 12);
  assert.is(invalid.length, 22);
});

for (const { path, c } of valid) {
  Corpus(`${path} (${c.description}) parses to the described frame`, () => {
    const wire = unhex(c.wire);
    const [frame, length] = parseFrameHeader(wire);
    frame.parseBody(wire.subarray(9, 9 + length));
    const expected = c.frame!;
    assert.is(length, expected.length);
    assert.is(frame.type, expected.type);
    assert.is(frame.flags.bits, expected.flags);
    assert.is(frame.streamId, expected.stream_identifier);
    // Padding octets are not kept (only their count): compare everything else.
    const { padding: _padding, ...payload } = expected.frame_payload;
    assert.equal(payloadOf(frame), payload);
  });

  Corpus(`${path} serializes back to its wire octets (padding written as zeros)`, () => {
    const wire = unhex(c.wire);
    const desc = c.frame!;
    // RFC 9113 §6.1: "Padding octets MUST be set to zero when sending." The corpus pads with text, so
    // the expected octets are the wire with its padding zeroed.
    const padding = (desc.frame_payload.padding as string | null | undefined) ?? '';
    const expected = wire.slice();
    expected.fill(0, wire.length - padding.length);
    assert.equal(buildFrom(desc).serialize(), expected);
  });
}

for (const { path, c } of invalid) {
  if (path === 'error/window_update-frame-increment.json') {
    Corpus(`${path}: a zero WINDOW_UPDATE increment is left to the core (stream vs connection error)`, () => {
      const buffer = new FrameBuffer();
      buffer.addData(unhex(c.wire));
      const frame = buffer.next();
      assert.instance(frame, WindowUpdateFrame);
      assert.is((frame as WindowUpdateFrame).windowIncrement, 0);
    });
    continue;
  }
  if (path === 'error/priority-frame-size.json') {
    Corpus(`${path}: a PRIORITY of the wrong length is left to the core (stream vs connection error, RFC 9113 §6.3), marked with its length`, () => {
      const buffer = new FrameBuffer();
      const wire = unhex(c.wire);
      buffer.addData(wire);
      const frame = buffer.next();
      assert.instance(frame, PriorityFrame);
      assert.is((frame as PriorityFrame).invalidLength, wire.length - 9);
      assert.is.not(wire.length - 9, 5);
      assert.is(buffer.next(), null);
    });
    continue;
  }
  Corpus(`${path} (${c.description}) fails with error code ${c.error!.join(' or ')}`, () => {
    const buffer = new FrameBuffer({ maxFrameSize: 16384 });
    const err = throwsWith(() => {
      buffer.addData(unhex(c.wire));
      for (const f of buffer) throw new Error(`parsed ${f.toString()}`);
    }, FrameError);
    assert.ok(c.error!.includes(err.errorCode), `${err.name} code ${err.errorCode}`);
  });
}

Corpus.run();
