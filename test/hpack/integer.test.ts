/** HPACK prefixed integers: RFC 7541 C.1 examples, bounds and the run-away guard. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HPACKDecodingError } from '../../src/hpack/index';
import { decodeInteger, encodeInteger, MAX_INTEGER } from '../../src/hpack/integer';

const Integers = suite('hpack integers');

function encode(value: number, prefixBits: number, flags = 0): number[] {
  const out = new Uint8Array(8);
  return [...out.subarray(0, encodeInteger(out, 0, value, prefixBits, flags))];
}

Integers('RFC 7541 C.1 examples encode and decode', () => {
  assert.equal(encode(10, 5), [0x0a]);
  assert.equal(encode(1337, 5), [0x1f, 0x9a, 0x0a]);
  assert.equal(encode(42, 8), [0x2a]);
  const cursor = { pos: 0 };
  assert.is(decodeInteger(Uint8Array.of(0xea), cursor, 5), 10);
  assert.is(cursor.pos, 1);
  cursor.pos = 0;
  assert.is(decodeInteger(Uint8Array.of(0xff, 0x9a, 0x0a, 0x55), cursor, 5), 1337);
  assert.is(cursor.pos, 3);
});

Integers('flags are kept in the prefix octet and a value equal to the prefix maximum continues', () => {
  assert.equal(encode(31, 5, 0x20), [0x3f, 0x00]);
  assert.equal(encode(126, 7, 0x80), [0xfe]);
  assert.equal(encode(127, 7, 0x80), [0xff, 0x00]);
});

Integers('every prefix size round-trips values up to 2^32-1', () => {
  for (let prefix = 1; prefix <= 8; prefix++) {
    for (const v of [0, 1, (1 << prefix) - 2, (1 << prefix) - 1, 1 << prefix, 127, 128, 16383, 16384, 2 ** 31, MAX_INTEGER]) {
      const bytes = Uint8Array.from(encode(v, prefix));
      const cursor = { pos: 0 };
      assert.is(decodeInteger(bytes, cursor, prefix), v, `${v} with ${prefix}-bit prefix`);
      assert.is(cursor.pos, bytes.length);
    }
  }
});

Integers('decoding rejects truncation, overflow and over-long encodings', () => {
  const bad = [[], [0x1f], [0x1f, 0x80], [0x1f, 0xe1, 0xff, 0xff, 0xff, 0x0f], [0x1f, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]];
  for (const bytes of bad) {
    assert.throws(() => decodeInteger(Uint8Array.from(bytes), { pos: 0 }, 5), (e: unknown) => e instanceof HPACKDecodingError, JSON.stringify(bytes));
  }
});

Integers.run();
