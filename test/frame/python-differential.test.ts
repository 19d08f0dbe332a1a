/** Differential test against Debian's python hyperframe: same frames, same bytes, same fields, same repr. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFrameHeader } from '../../src/frame/index';
import { mulberry32 } from '../support/prng';
import { hex } from '../support/bytes';
import { runPython } from '../support/python';
import { buildFrame, describeFrame, randomFrameDesc } from '../support/frame-desc';
import type { FrameDesc } from '../support/frame-desc';

const Differential = suite('frames vs python hyperframe');

/** Builds, serializes, reprs and re-parses each description with hyperframe; also parses our bytes. */
const SCRIPT = String.raw`
import json, sys
import hyperframe.frame as hf

BYTES = {'data', 'opaque_data', 'additional_data', 'origin', 'field', 'body'}

def build(d):
    if d['kind'] == 'ExtensionFrame':
        f = hf.ExtensionFrame(type=d['type'], stream_id=d['stream_id'], flag_byte=d['flag_byte'], body=bytes.fromhex(d['body']))
        # hyperframe writes body_len, which only parse_body sets: a built ExtensionFrame would say 0.
        f.body_len = len(f.body)
        return f
    kw = {}
    for k, v in d.items():
        if k in ('kind', 'stream_id'):
            continue
        if k in BYTES:
            v = bytes.fromhex(v)
        if k == 'settings':
            v = {c: x for c, x in v}
        kw[k] = v
    return getattr(hf, d['kind'])(d['stream_id'], **kw)

def describe(f):
    n = type(f).__name__
    d = {'kind': n, 'stream_id': f.stream_id, 'flags': sorted(f.flags)}
    if n in ('DataFrame', 'HeadersFrame', 'PushPromiseFrame'):
        d['pad_length'] = f.pad_length
    if n in ('DataFrame', 'HeadersFrame', 'PushPromiseFrame', 'ContinuationFrame'):
        d['data'] = f.data.hex()
    if n in ('HeadersFrame', 'PriorityFrame'):
        d.update(depends_on=f.depends_on, stream_weight=f.stream_weight, exclusive=f.exclusive)
    if n in ('RstStreamFrame', 'GoAwayFrame'):
        d['error_code'] = f.error_code
    if n == 'SettingsFrame':
        d['settings'] = [[k, v] for k, v in f.settings.items()]
    if n == 'PushPromiseFrame':
        d['promised_stream_id'] = f.promised_stream_id
    if n == 'PingFrame':
        d['opaque_data'] = f.opaque_data.hex()
    if n == 'GoAwayFrame':
        d.update(last_stream_id=f.last_stream_id, additional_data=f.additional_data.hex())
    if n == 'WindowUpdateFrame':
        d['window_increment'] = f.window_increment
    if n == 'AltSvcFrame':
        d.update(origin=f.origin.hex(), field=f.field.hex())
    if n == 'ExtensionFrame':
        d.update(type=f.type, flag_byte=f.flag_byte, body=f.body.hex())
    return d

def parse(wire):
    frame, length = hf.Frame.parse_frame_header(memoryview(wire[:9]))
    frame.parse_body(memoryview(wire[9:9 + length]))
    return frame

out = []
for case in json.load(sys.stdin):
    f = build(case['desc'])
    theirs = f.serialize()
    ours = parse(bytes.fromhex(case['ours']))
    out.append({'wire': theirs.hex(), 'repr': repr(f), 'parsed': describe(ours), 'parsedRepr': repr(ours)})
print(json.dumps(out))
`;

interface PyResult {
  wire: string;
  repr: string;
  parsed: FrameDesc;
  parsedRepr: string;
}

Differential('400 random frames: hyperframe and h2flow write the same bytes and read each other alike', () => {
  const rng = mulberry32(0xd1ff);
  const descs = Array.from({ length: 400 }, () => randomFrameDesc(rng, { pythonCompatible: true }));
  const frames = descs.map(buildFrame);
  const results = runPython<PyResult[]>(SCRIPT, descs.map((desc, i) => ({ desc, ours: hex(frames[i]!.serialize()) })));
  assert.is(results.length, descs.length);
  const kinds = new Set<string>();
  results.forEach((r, i) => {
    const frame = frames[i]!;
    const label = `${descs[i]!.kind} #${i}`;
    kinds.add(descs[i]!.kind);
    assert.is(hex(frame.serialize()), r.wire, `${label}: serialized bytes differ`);
    assert.is(frame.toString(), r.repr, `${label}: repr differs`);
    assert.equal(r.parsed, descs[i], `${label}: python parses our bytes differently`);
    const wire = frame.serialize();
    const [ours, length] = parseFrameHeader(wire);
    ours.parseBody(wire.subarray(9, 9 + length));
    assert.equal(describeFrame(ours), r.parsed, `${label}: we parse differently from python`);
    assert.is(ours.toString(), r.parsedRepr, `${label}: parsed repr differs`);
  });
  assert.is(kinds.size, 12, 'every kind hyperframe knows, plus extension frames, was exercised');
});

Differential.run();
