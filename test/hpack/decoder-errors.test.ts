/** Malformed header blocks: each ends in the exact HPACKError subclass hpack raises, and bombs stop early. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Decoder,
  Encoder,
  HPACKDecodingError,
  HPACKError,
  InvalidTableIndexError,
  InvalidTableSizeError,
  OversizedHeaderListError,
  huffmanDecode,
  huffmanEncode,
} from '../../src/hpack/index';
import { encodeInteger } from '../../src/hpack/integer';
import { throwsExactly } from '../support/assert-throws';

const Errors = suite('hpack decoder errors');

const decode = (...bytes: number[]) => () => new Decoder().decode(Uint8Array.from(bytes));

Errors('a truncated integer is an HPACKDecodingError', () => {
  throwsExactly(decode(0xff), HPACKDecodingError);
  throwsExactly(decode(0xff, 0x80, 0x80), HPACKDecodingError);
});

Errors('an integer past 2^32-1 is an HPACKDecodingError', () => {
  throwsExactly(decode(0xff, 0xff, 0xff, 0xff, 0xff, 0x0f), HPACKDecodingError);
});

Errors('an integer with more than 5 continuation octets is an HPACKDecodingError', () => {
  throwsExactly(decode(0xff, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), HPACKDecodingError);
});

Errors('index 0 is an InvalidTableIndexError', () => {
  throwsExactly(decode(0x80), InvalidTableIndexError);
});

Errors('an index past the table is an InvalidTableIndexError, for fields and for literal names', () => {
  throwsExactly(decode(0xbe), InvalidTableIndexError);
  throwsExactly(decode(0x7e, 0x00), InvalidTableIndexError);
  throwsExactly(decode(0x1f, 0x2f, 0x00), InvalidTableIndexError);
});

Errors('a size update above maxAllowedTableSize is an InvalidTableSizeError', () => {
  // 0x3f 0xe1 0x3f = size update to 8192 (31 + 8161).
  throwsExactly(decode(0x3f, 0xe1, 0x3f), InvalidTableSizeError);
  const decoder = new Decoder();
  decoder.maxAllowedTableSize = 8192;
  assert.equal(decoder.decode(Uint8Array.of(0x3f, 0xe1, 0x3f, 0x82)), [[':method', 'GET']]);
  assert.is(decoder.headerTableSize, 8192);
});

Errors('a block that leaves the table above a lowered maximum is an InvalidTableSizeError', () => {
  const decoder = new Decoder();
  decoder.maxAllowedTableSize = 100;
  throwsExactly(() => decoder.decode(Uint8Array.of(0x82)), InvalidTableSizeError);
  assert.equal(decoder.decode(Uint8Array.of(0x3f, 0x45, 0x82)), [[':method', 'GET']]);
});

Errors('a size update after the first field is an HPACKDecodingError', () => {
  throwsExactly(decode(0x82, 0x20), HPACKDecodingError);
  assert.equal(new Decoder().decode(Uint8Array.of(0x20, 0x3f, 0xe1, 0x1f, 0x82)), [[':method', 'GET']]);
});

Errors('a Huffman string containing EOS is an HPACKDecodingError', () => {
  throwsExactly(decode(0x00, 0x01, 0x61, 0x84, 0xff, 0xff, 0xff, 0xff), HPACKDecodingError);
  throwsExactly(() => huffmanDecode(Uint8Array.of(0xff, 0xff, 0xff, 0xfc)), HPACKDecodingError);
});

Errors('Huffman padding that is not all ones is an HPACKDecodingError', () => {
  // 'a' is 00011; the 3 padding bits must be 111 (0x1f), not 000 (0x18).
  assert.equal(huffmanDecode(Uint8Array.of(0x1f)), Uint8Array.of(0x61));
  throwsExactly(decode(0x00, 0x01, 0x61, 0x81, 0x18), HPACKDecodingError);
});

Errors('Huffman padding longer than 7 bits is an HPACKDecodingError', () => {
  throwsExactly(decode(0x00, 0x01, 0x61, 0x82, 0x1f, 0xff), HPACKDecodingError);
  throwsExactly(() => huffmanDecode(Uint8Array.of(0xff)), HPACKDecodingError);
});

Errors('a string length past the end of the block is an HPACKDecodingError', () => {
  throwsExactly(decode(0x00, 0x05, 0x61), HPACKDecodingError);
  throwsExactly(decode(0x00, 0x01, 0x61), HPACKDecodingError);
  throwsExactly(decode(0x40), HPACKDecodingError);
});

Errors('a header list past maxHeaderListSize is an OversizedHeaderListError', () => {
  const decoder = new Decoder(100);
  assert.is(decoder.maxHeaderListSize, 100);
  // 32 + 1 + 60 = 93 fits; a second such field does not.
  const field = [0x00, 0x01, 0x78, 0x3c, ...new Array<number>(60).fill(0x61)];
  assert.is(decoder.decode(Uint8Array.from(field)).length, 1);
  throwsExactly(() => decoder.decode(Uint8Array.from([...field, ...field])), OversizedHeaderListError);
});

Errors('an HPACK bomb stops at the limit, before the rest of the block is even read', () => {
  // One 4,000-octet entry, then 10,000 references to it (40 MB expanded), then index 0. A decoder that
  // built the whole list first would fail on index 0 (InvalidTableIndexError) or run out of memory.
  const value = new Array<number>(4000).fill(0x61);
  const literal = [0x40, 0x01, 0x78, 0x7f, 0xa1, 0x1e, ...value]; // length 4000 = 127 + 3873
  const block = Uint8Array.from([...literal, ...new Array<number>(10_000).fill(0xbe), 0x80]);
  throwsExactly(() => new Decoder().decode(block), OversizedHeaderListError);
});

Errors('a literal longer than the remaining budget fails before its string is built', () => {
  // Name 'x', then a 1 MiB raw value against an 80-octet limit: rejected on its declared length.
  const len = 1 << 20;
  const block = new Uint8Array(16 + len);
  block.set([0x00, 0x01, 0x78]);
  const end = encodeInteger(block, 3, len, 7, 0x00);
  throwsExactly(() => new Decoder(80).decode(block.subarray(0, end + len)), OversizedHeaderListError);
});

Errors('an indexed literal over the remaining budget fails before it enters the dynamic table, raw or Huffman', () => {
  // Name 'x' (1 + 32 overhead) leaves 47 of 80 octets; the 100-octet value must be refused on its
  // declared (raw) or decoded (Huffman) length, before the field is built and added to the table.
  const value = new Array<number>(100).fill(0x61);
  const raw = Uint8Array.from([0x40, 0x01, 0x78, 0x64, ...value]);
  // 'a' is the 5-bit code 00011: 100 of them fill 500 bits, 63 octets with the EOS-prefix padding.
  const huffman = Uint8Array.from([0x40, 0x01, 0x78, 0x80 | 63, ...huffmanEncode(Uint8Array.from(value))]);
  assert.is(huffman.length, 4 + 63);
  for (const block of [raw, huffman]) {
    const decoder = new Decoder(80);
    throwsExactly(() => decoder.decode(block), OversizedHeaderListError);
    assert.is(decoder.headerTable.length, 0, 'nothing was added to the table');
    assert.is(new Decoder(1000).decode(block)[0]![1], 'a'.repeat(100), 'the block itself is valid');
  }
});

Errors("oversized: 'truncate' decodes the whole block, keeps only the fields within the limit and flags it", () => {
  const field = [0x00, 0x01, 0x78, 0x3c, ...new Array<number>(60).fill(0x61)]; // 93 octets by RFC 7541 §4.1
  const decoder = new Decoder(100);
  const headers = decoder.decode(Uint8Array.from([...field, ...field, 0x82]), { oversized: 'truncate' });
  assert.equal(headers, [['x', 'a'.repeat(60)]]);
  assert.ok(decoder.lastBlockOversized);
  // The flag is per block, and the decoder stays usable.
  assert.equal(decoder.decode(Uint8Array.from([0x82]), { oversized: 'truncate' }), [[':method', 'GET']]);
  assert.not.ok(decoder.lastBlockOversized);
});

Errors("truncating keeps the dynamic table in sync: entries past the limit still enter it, huge ones empty it", () => {
  const value = new Array<number>(100).fill(0x61);
  const indexed = (name: number) => [0x40, 0x01, name, 0x64, ...value]; // literal with indexing, 133 octets
  const huffman = [0x40, 0x01, 0x7a, 0x80 | 63, ...huffmanEncode(Uint8Array.from(value))];
  const decoder = new Decoder(150);
  // x fits; y and z (Huffman) are past the list limit but fit in the 4 KiB table.
  const headers = decoder.decode(Uint8Array.from([...indexed(0x78), ...indexed(0x79), ...huffman]), { oversized: 'truncate' });
  assert.equal(headers.map(([n]) => n), ['x']);
  assert.ok(decoder.lastBlockOversized);
  assert.equal([0, 1, 2].map((i) => decoder.headerTable.name(i)), ['z', 'y', 'x']);
  // An entry larger than the table is never built, and empties it (RFC 7541 §4.4).
  const len = 5000;
  const big = new Uint8Array(8 + len);
  big.set([0x40, 0x01, 0x77]);
  const end = encodeInteger(big, 3, len, 7, 0x00);
  assert.equal(decoder.decode(big.subarray(0, end + len), { oversized: 'truncate' }), []);
  assert.is(decoder.headerTable.length, 0);
});

Errors("truncating still rejects malformed input past the limit: a bad Huffman string or table index", () => {
  const field = [0x00, 0x01, 0x78, 0x3c, ...new Array<number>(60).fill(0x61)];
  throwsExactly(() => new Decoder(50).decode(Uint8Array.from([...field, 0x00, 0x01, 0x78, 0x81, 0xff]), { oversized: 'truncate' }), HPACKDecodingError);
  throwsExactly(() => new Decoder(50).decode(Uint8Array.from([...field, 0xfe]), { oversized: 'truncate' }), InvalidTableIndexError);
});

Errors('decoder size settings outside their range are API misuse (RangeError), and leave the decoder unchanged', () => {
  const decoder = new Decoder();
  for (const bad of [Number.NaN, -1, 1.5, 2 ** 32, Infinity]) {
    assert.throws(() => (decoder.headerTableSize = bad), RangeError, `headerTableSize = ${bad}`);
    assert.throws(() => (decoder.maxAllowedTableSize = bad), RangeError, `maxAllowedTableSize = ${bad}`);
  }
  // The list size is a local bound, not a wire value: any non-negative safe integer.
  for (const bad of [Number.NaN, -1, 1.5, 2 ** 53, Infinity]) {
    assert.throws(() => (decoder.maxHeaderListSize = bad), RangeError, `maxHeaderListSize = ${bad}`);
    assert.throws(() => new Decoder(bad), RangeError, `new Decoder(${bad})`);
  }
  assert.equal([decoder.headerTableSize, decoder.maxAllowedTableSize, decoder.maxHeaderListSize], [4096, 4096, 65536]);
  decoder.headerTableSize = 0;
  decoder.maxAllowedTableSize = 2 ** 32 - 1;
  decoder.maxHeaderListSize = 0;
  assert.equal([decoder.headerTableSize, decoder.maxAllowedTableSize, decoder.maxHeaderListSize], [0, 2 ** 32 - 1, 0]);
});

Errors('every error class names itself, so err.name survives minification', () => {
  for (const cls of [HPACKError, HPACKDecodingError, InvalidTableIndexError, OversizedHeaderListError, InvalidTableSizeError]) {
    const err = new cls('x');
    assert.is(err.name, cls.name);
    assert.is(Object.getOwnPropertyDescriptor(err, 'name')?.value, cls.name, `${cls.name} sets its name as a literal`);
    assert.is(err.errorCode, 9);
  }
});

Errors('raw decoding returns fresh octets, never views of the input block', () => {
  const block = Uint8Array.of(0x00, 0x01, 0x78, 0x01, 0x79);
  const [field] = new Decoder().decode(block, { raw: true });
  assert.equal(field, [Uint8Array.of(0x78), Uint8Array.of(0x79)]);
  block[2] = 0;
  assert.is(field![0][0], 0x78);
});

Errors('decoders used in turn, one failing mid-block, each decode their own blocks from the start', () => {
  const encA = new Encoder();
  const encB = new Encoder();
  const a = new Decoder();
  const b = new Decoder();
  for (let i = 0; i < 4; i++) {
    const blockA = encA.encode([['x-a', `value ${i}`], [':path', `/a/${i}`]]);
    const blockB = encB.encode([['x-b', 'b'.repeat(i * 40)], [':method', 'GET']]);
    // A truncated block (a literal whose string is cut) fails after part of it was read.
    throwsExactly(() => a.decode(Uint8Array.of(0x40, 0x05, 0x61)), HPACKDecodingError);
    assert.equal(b.decode(blockB), [['x-b', 'b'.repeat(i * 40)], [':method', 'GET']]);
    assert.equal(a.decode(blockA), [['x-a', `value ${i}`], [':path', `/a/${i}`]]);
  }
});

Errors.run();
