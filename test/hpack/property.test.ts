/** Seeded property tests: random header lists round-trip; random and mutated blocks only raise HPACKErrors. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Decoder, Encoder, HPACKError, NeverIndexedHeaderTuple, STATIC_TABLE } from '../../src/hpack/index';
import { mulberry32, type Prng } from '../support/prng';
import { tableEntries } from '../support/hpack';
import { throwsNothingBut } from '../support/assert-throws';

const Property = suite('hpack properties');

const latin1 = (b: Uint8Array) => String.fromCharCode(...b);

function randomString(rng: Prng): string {
  const n = rng.int(4) === 0 ? rng.int(300) : rng.int(20);
  return rng.int(2) === 0 ? latin1(rng.bytes(n)) : latin1(Uint8Array.from({ length: n }, () => 0x61 + rng.int(26)));
}

function randomField(rng: Prng): [string, string, boolean] {
  const pick = rng.int(4);
  const [sName, sValue] = rng.pick(STATIC_TABLE);
  const name = pick === 0 ? randomString(rng) : sName;
  const value = pick === 1 ? sValue : randomString(rng);
  return [name, value, rng.int(8) === 0];
}

Property('string literals of every length around the short-string path decode exactly, raw and Huffman, one block after another', () => {
  const rng = mulberry32(0x1e9);
  for (const huffman of [false, true]) {
    const decoder = new Decoder(1 << 20);
    const encoder = new Encoder();
    // Two rounds of different strings of each length: a length's reused octet array holds the last one.
    for (let round = 0; round < 2; round++) {
      const fields: [string, string][] = [];
      for (let n = 0; n <= 80; n++) fields.push([`x-${n}`, round === 0 ? latin1(rng.bytes(n)) : 'v'.repeat(n)]);
      const out = decoder.decode(encoder.encode(fields.map((f) => new NeverIndexedHeaderTuple(f[0], f[1])), { huffman }));
      assert.equal(out.map((f) => [f[0], f[1]]), fields, `${huffman ? 'Huffman' : 'raw'} round ${round}`);
    }
  }
});

Property('sharedStatic decodes exactly what a plain decoder does, across eviction, slot reuse, ring growth, table size updates, oversized entries and truncation', () => {
  const rng = mulberry32(0x5a4ed);
  // A small pool, so that fields repeat (sent indexed into the dynamic table), and a few large entries
  // (bigger than a small table: adding one empties it).
  const pool = Array.from({ length: 60 }, (_, i) => [`x-${i % 23}`, latin1(Uint8Array.from({ length: 1 + ((i * 7) % 40) }, (_, k) => 0x61 + ((i + k) % 26)))] as [string, string]);
  const big: [string, string] = ['x-big', 'b'.repeat(900)];
  for (let run = 0; run < 40; run++) {
    const encoder = new Encoder();
    const plain = new Decoder(1 << 20);
    const shared = new Decoder(1 << 20);
    const truncate = run % 3 === 0;
    if (truncate) plain.maxHeaderListSize = shared.maxHeaderListSize = 600;
    const held: { readonly out: readonly (readonly [string, string])[]; readonly copy: [string, string][] }[] = [];
    for (let i = 0; i < 120; i++) {
      if (rng.int(6) === 0) encoder.headerTableSize = rng.pick([0, 40, 100, 512, 1000, 4096]);
      const fields = Array.from({ length: 1 + rng.int(14) }, () => (rng.int(30) === 0 ? big : rng.int(8) === 0 ? randomField(rng).slice(0, 2) as [string, string] : rng.pick(pool)));
      const block = encoder.encode(fields, { huffman: rng.int(2) === 0 });
      const options = truncate ? ({ oversized: 'truncate' } as const) : {};
      const expected = plain.decode(block, options).map((f) => [f[0], f[1]]);
      const out = shared.decode(block, { ...options, sharedStatic: true });
      assert.equal(out.map((f) => [f[0], f[1]]), expected, `run ${run} block ${i}`);
      if (!truncate) assert.equal(expected, fields, `run ${run} block ${i}: the plain decoder round-trips`);
      held.push({ out, copy: out.map((f) => [f[0], f[1]]) });
      assert.equal(tableEntries(shared.headerTable), tableEntries(plain.headerTable), `run ${run} tables after block ${i}`);
    }
    // A list decoded earlier still says what it said: no pair it holds was handed a later entry.
    for (const [k, h] of held.entries()) assert.equal(h.out.map((f) => [f[0], f[1]]), h.copy, `run ${run}: list ${k} unchanged`);
  }
});

Property('random header lists round-trip through encoder/decoder pairs across random table size changes', () => {
  const rng = mulberry32(0x5eed);
  let pair = { encoder: new Encoder(), decoder: new Decoder(1 << 20) };
  for (let i = 0; i < 2000; i++) {
    if (i % 50 === 0) pair = { encoder: new Encoder(), decoder: new Decoder(1 << 20) };
    const { encoder, decoder } = pair;
    for (let k = rng.int(3); k > 0 && rng.int(3) === 0; k--) encoder.headerTableSize = rng.pick([0, 1, 64, 256, 1000, 4096]);
    const fields = Array.from({ length: rng.int(12) }, () => randomField(rng));
    const input = fields.map(([n, v, s]) => (s ? new NeverIndexedHeaderTuple(n, v) : [n, v] as [string, string]));
    const out = decoder.decode(encoder.encode(input, { huffman: rng.int(2) === 0 }));
    assert.equal(out.map((f) => [f[0], f[1], f instanceof NeverIndexedHeaderTuple]), fields, `iteration ${i}`);
    assert.equal(tableEntries(decoder.headerTable), tableEntries(encoder.headerTable), `tables after iteration ${i}`);
  }
});

Property('random octet blocks never throw anything but HPACKError subclasses', () => {
  const rng = mulberry32(0xb10c);
  const decoder = new Decoder();
  for (let i = 0; i < 20_000; i++) {
    const block = rng.bytes(rng.int(64));
    const d = i % 2 ? decoder : new Decoder();
    throwsNothingBut(() => d.decode(block), HPACKError, `random block ${i}`);
  }
});

Property('mutated valid blocks never throw anything but HPACKError subclasses', () => {
  const rng = mulberry32(0x0dd);
  const encoder = new Encoder();
  const valid = Array.from({ length: 50 }, () =>
    encoder.encode(Array.from({ length: 1 + rng.int(8) }, () => randomField(rng).slice(0, 2) as [string, string]), { huffman: rng.int(3) > 0 }),
  );
  for (let i = 0; i < 20_000; i++) {
    const block = rng.pick(valid).slice();
    for (let m = 1 + rng.int(3); m > 0 && block.length > 0; m--) {
      const at = rng.int(block.length);
      const how = rng.int(3);
      if (how === 0) block[at] = rng.int(256);
      else if (how === 1) block[at]! ^= 1 << rng.int(8);
      else block[at] = rng.pick([0x00, 0x7f, 0x80, 0xff]);
    }
    const cut = rng.int(4) === 0 ? block.subarray(0, rng.int(block.length + 1)) : block;
    throwsNothingBut(() => new Decoder().decode(cut), HPACKError, `mutated block ${i}`);
  }
});

Property.run();
