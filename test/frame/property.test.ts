/** Seeded properties: every frame type round-trips, batches survive any read split, and random bytes only raise frame errors. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FrameBuffer, FrameError, parseFrameHeader } from '../../src/frame/index';
import { mulberry32 } from '../support/prng';
import { throwsNothingBut } from '../support/assert-throws';
import { FRAME_KINDS, buildFrame, describeFrame, randomFrameDesc } from '../support/frame-desc';
import type { FrameDesc } from '../support/frame-desc';

const Property = suite('frame properties');

for (const kind of FRAME_KINDS) {
  Property(`random ${kind}s round-trip through serialize and parse`, () => {
    const rng = mulberry32(0xf4a3e + kind.length);
    for (let i = 0; i < 1000; i++) {
      const desc = randomFrameDesc(rng, {}, kind);
      const frame = buildFrame(desc);
      const wire = frame.serialize();
      assert.is(wire.length, frame.serializedLength);
      const [parsed, length] = parseFrameHeader(wire);
      assert.is(length, wire.length - 9);
      parsed.parseBody(wire.subarray(9));
      assert.equal(describeFrame(parsed), desc);
      assert.is(parsed.toString(), frame.toString());
    }
  });
}

/** A random frame that FrameBuffer yields as is: header blocks complete in one frame. */
function standalone(rng: ReturnType<typeof mulberry32>): FrameDesc {
  for (;;) {
    const d = randomFrameDesc(rng);
    if (d.kind === 'ContinuationFrame') continue;
    if ((d.kind === 'HeadersFrame' || d.kind === 'PushPromiseFrame') && !d.flags.includes('END_HEADERS')) d.flags.push('END_HEADERS');
    d.flags.sort();
    return d;
  }
}

Property('a batch written with serializeInto parses back frame by frame under any read split', () => {
  const rng = mulberry32(0xba7c4);
  for (let run = 0; run < 500; run++) {
    const descs = Array.from({ length: 1 + rng.int(30) }, () => standalone(rng));
    const frames = descs.map(buildFrame);
    const batch = new Uint8Array(frames.reduce((n, f) => n + f.serializedLength, 0));
    let at = 0;
    for (const f of frames) at += f.serializeInto(batch, at);
    assert.is(at, batch.length);
    const buffer = new FrameBuffer();
    const got: FrameDesc[] = [];
    for (let i = 0; i < batch.length; ) {
      const n = 1 + rng.int(rng.int(3) === 0 ? 5 : 2000);
      buffer.addData(batch.subarray(i, i + n));
      i += n;
      for (const f of buffer) got.push(describeFrame(f));
    }
    assert.equal(got, descs);
    assert.is(buffer.bufferedBytes, 0);
  }
});

Property('random and mutated bytes only ever raise frame errors, never crash', () => {
  const rng = mulberry32(0xf022);
  for (let i = 0; i < 20_000; i++) {
    let input: Uint8Array;
    if (rng.int(2) === 0) input = rng.bytes(rng.int(64));
    else {
      input = buildFrame(randomFrameDesc(rng)).serialize();
      for (let k = 1 + rng.int(4); k > 0; k--) input[rng.int(Math.min(input.length, 16))] = rng.int(256);
    }
    const buffer = new FrameBuffer({ server: rng.int(8) === 0, maxFrameSize: 1 << 14, maxContinuationFrames: 4, maxHeaderBlockSize: 4096 });
    const err = throwsNothingBut(
      () => {
        buffer.addData(input);
        for (const f of buffer) f.serialize();
      },
      FrameError,
      `input ${i}`,
    );
    if (err !== undefined) assert.ok(err.errorCode === 1 || err.errorCode === 6, `${err.name} code ${err.errorCode}`);
  }
});

Property.run();
