/** Encoder specifics: table size updates, never-indexed fields, input shapes and representation choice. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Decoder, Encoder, HeaderTuple, NeverIndexedHeaderTuple } from '../../src/hpack/index';
import { hex as toHex } from '../support/bytes';
import { tableEntries } from '../support/hpack';

const Enc = suite('hpack encoder');

Enc('a table size change is emitted once, at the start of the next block only', () => {
  const encoder = new Encoder();
  encoder.headerTableSize = 256;
  assert.is(toHex(encoder.encode([[':method', 'GET']])), '3fe101' + '82');
  assert.is(toHex(encoder.encode([[':method', 'GET']])), '82');
});

Enc('setting the current size again queues nothing', () => {
  const encoder = new Encoder();
  encoder.headerTableSize = 4096;
  assert.is(toHex(encoder.encode([[':method', 'GET']])), '82');
  encoder.headerTableSize = 100;
  encoder.headerTableSize = 100;
  assert.is(toHex(encoder.encode([[':method', 'GET']])), '3f45' + '82');
});

Enc('a table that shrank then grew signals the minimum, then the final size (RFC 7541 §4.2)', () => {
  const encoder = new Encoder();
  encoder.encode([['x-a', 'b']]);
  assert.is(encoder.headerTable.length, 1);
  encoder.headerTableSize = 0;
  assert.is(encoder.headerTable.length, 0, 'shrinking evicts at once');
  encoder.headerTableSize = 300;
  encoder.headerTableSize = 2000;
  const block = encoder.encode([[':method', 'GET']]);
  assert.is(toHex(block), '20' + '3fb10f' + '82');
  const decoder = new Decoder();
  decoder.decode(Uint8Array.of(0x40, 0x03, 0x78, 0x2d, 0x61, 0x01, 0x62));
  assert.equal(decoder.decode(block), [[':method', 'GET']]);
  assert.is(decoder.headerTableSize, 2000);
  assert.is(decoder.headerTable.length, 0);
});

Enc('a size that grew only is signalled once, with its final value', () => {
  const encoder = new Encoder();
  encoder.headerTableSize = 200;
  encoder.headerTableSize = 100;
  encoder.headerTableSize = 150;
  assert.is(toHex(encoder.encode([])), '3f45' + '3f77');
});

Enc('NeverIndexedHeaderTuple is emitted with the 0x10 prefix and decodes as NeverIndexedHeaderTuple', () => {
  const encoder = new Encoder();
  const block = encoder.encode([new NeverIndexedHeaderTuple('authorization', 'secret'), new NeverIndexedHeaderTuple('x-token', 'abc')], { huffman: false });
  // authorization is static index 23: 0001 + 15, then 8; x-token has a literal name.
  assert.is(toHex(block), '1f08' + '06736563726574' + '10' + '07782d746f6b656e' + '03616263');
  const fields = new Decoder().decode(block);
  assert.equal(fields.map((f) => [...f]), [['authorization', 'secret'], ['x-token', 'abc']]);
  for (const f of fields) {
    assert.ok(f instanceof NeverIndexedHeaderTuple);
    assert.is((f as NeverIndexedHeaderTuple).indexable, false);
  }
});

Enc('sensitive values are not entered into the dynamic table', () => {
  const encoder = new Encoder();
  encoder.encode([new NeverIndexedHeaderTuple('cookie', 'session=1'), new NeverIndexedHeaderTuple('x-secret', 'v')]);
  assert.is(encoder.headerTable.length, 0);
  encoder.encode([['cookie', 'session=1']]);
  assert.equal(tableEntries(encoder.headerTable), [['cookie', 'session=1']]);
  // Even an exact table match stays a never-indexed literal (name from entry 62: 0x1f + 47).
  assert.is(toHex(encoder.encode([new NeverIndexedHeaderTuple('cookie', 'session=1')], { huffman: false })), '1f2f' + '0973657373696f6e3d31');
  assert.is(encoder.headerTable.length, 1);
});

Enc('indexed, name-indexed and literal representations are chosen as hpack chooses them', () => {
  const encoder = new Encoder();
  const block = encoder.encode([[':path', '/'], [':path', '/x'], ['x-y', 'z'], ['x-y', 'w'], ['x-y', 'z']], { huffman: false });
  // :path / static 4; :path /x static name 4 (lowest); x-y z new; x-y w name of entry 62; x-y z now entry 63.
  assert.is(toHex(block), '84' + '4402' + '2f78' + '4003782d7901' + '7a' + '7e0177' + 'bf');
  assert.equal(tableEntries(encoder.headerTable), [['x-y', 'w'], ['x-y', 'z'], [':path', '/x']]);
});

Enc('an empty static value is matched exactly', () => {
  assert.is(toHex(new Encoder().encode([[':authority', ''], ['accept', '']])), '81' + '93');
});

Enc('names and values may be octets, HeaderTuples or a plain object with pseudo-headers first', () => {
  const bytes = new Encoder().encode([[Uint8Array.of(0x78), Uint8Array.of(0xff, 0x00)]], { huffman: false });
  assert.is(toHex(bytes), '40017802ff00');
  assert.equal(new Decoder().decode(bytes), [['x', '\xff\x00']]);
  const tuple = new HeaderTuple('x', 'y');
  assert.is(tuple.length, 2);
  assert.is(tuple.indexable, true);
  assert.equal([...tuple.map((s) => s)], ['x', 'y']);
  assert.equal(new Decoder().decode(new Encoder().encode([['content-length', 42 as unknown as string]])), [['content-length', '42']]);
  const fromObject = new Decoder().decode(new Encoder().encode({ 'user-agent': 'u', ':method': 'GET', accept: '*/*', ':path': '/' }));
  assert.equal(fromObject, [[':method', 'GET'], [':path', '/'], ['user-agent', 'u'], ['accept', '*/*']]);
});

Enc('a string is a ByteString: one octet per char up to U+00FF, a wider char is a TypeError (never a UTF-8 mix)', () => {
  const block = new Encoder().encode([['x-name', 'é\xff']], { huffman: false });
  assert.equal(Array.from(block.subarray(-3)), [2, 0xe9, 0xff]);
  assert.equal(new Decoder().decode(block), [['x-name', 'é\xff']]);
  for (const field of [['x-name', 'é€'], ['x-€', 'v'], ['x-name', '日本']]) {
    const encoder = new Encoder();
    assert.throws(() => encoder.encode([field as [string, string]]), (e: unknown) => e instanceof TypeError, field[1]);
    // Nothing of the refused block entered the table.
    assert.is(encoder.headerTable.length, 0);
  }
});

Enc('Huffman is used unless it is longer than the raw octets', () => {
  assert.is(toHex(new Encoder().encode([['x', 'aaaa']])), '40' + '81' + 'f3' + '83' + '18c63f');
  // 0x00 has a 13-bit code: Huffman would be longer, so the raw octet is sent.
  assert.is(toHex(new Encoder().encode([['x', '\x00']])), '40' + '81' + 'f3' + '01' + '00');
});

Enc('a Huffman string of 127 octets or more gets a multi-octet length prefix', () => {
  const value = 'a'.repeat(300); // 300 × 5 bits = 188 octets = 127 + 61
  const block = new Encoder().encode([['x', value]]);
  assert.is(toHex(block.subarray(0, 5)), '4081f3' + 'ff3d');
  assert.is(block.length, 5 + 188);
  assert.equal(new Decoder().decode(block), [['x', value]]);
});

Enc('a header table size outside 0..2^32-1 is refused', () => {
  const encoder = new Encoder();
  assert.throws(() => (encoder.headerTableSize = -1), RangeError);
  assert.throws(() => (encoder.headerTableSize = 1.5), RangeError);
});

Enc('fresh encoders and decoders start empty whatever others added: the first indexed block grows only its own table', () => {
  const a = new Encoder();
  const da = new Decoder();
  // A block of static fields only, then one that indexes a literal, then one that refers to it.
  assert.is(toHex(a.encode([[':method', 'GET'], [':path', '/']], { huffman: false })), '8284');
  assert.equal(da.decode(a.encode([[':method', 'GET']])), [[':method', 'GET']]);
  assert.is(da.headerTable.length, 0);
  const first = a.encode([['x-one', '1']], { huffman: false });
  assert.is(toHex(first), '4005782d6f6e650131');
  assert.equal(da.decode(first), [['x-one', '1']]);
  assert.is(toHex(a.encode([['x-one', '1']])), 'be');
  assert.equal(da.decode(Uint8Array.of(0xbe)), [['x-one', '1']]);
  assert.equal(tableEntries(a.headerTable), [['x-one', '1']]);
  assert.equal(tableEntries(da.headerTable), [['x-one', '1']]);
  // New ones made after that know nothing of it.
  const b = new Encoder();
  const db = new Decoder();
  assert.is(toHex(b.encode([['x-one', '1']], { huffman: false })), '4005782d6f6e650131');
  assert.throws(() => new Decoder().decode(Uint8Array.of(0xbe)));
  assert.equal(db.decode(Uint8Array.of(0x3f, 0xe1, 0x01)), [], 'a size update alone');
  assert.equal([db.headerTableSize, new Decoder().headerTableSize, new Encoder().headerTableSize], [256, 4096, 4096]);
  const c = new Encoder();
  c.headerTableSize = 100;
  assert.equal([c.headerTableSize, new Encoder().headerTableSize, b.headerTableSize], [100, 4096, 4096]);
  assert.is(toHex(c.encode([[':method', 'GET']])), '3f4582');
});

Enc.run();
