/** Huffman coding: all 256 octets round-trip, RFC 7541 Appendix C strings, and python hpack agrees. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { huffmanDecode, huffmanEncode } from '../../src/hpack/index';
import { runPython } from '../support/python';
import { hex as toHex, unhex as fromHex } from '../support/bytes';

const Huffman = suite('hpack huffman');

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

// Strings Huffman-coded in RFC 7541 C.4 and C.6.
const RFC_STRINGS: [string, string][] = [
  ['www.example.com', 'f1e3c2e5f23a6ba0ab90f4ff'],
  ['no-cache', 'a8eb10649cbf'],
  ['custom-key', '25a849e95ba97d7f'],
  ['custom-value', '25a849e95bb8e8b4bf'],
  ['302', '6402'],
  ['307', '640eff'],
  ['private', 'aec3771a4b'],
  ['Mon, 21 Oct 2013 20:13:21 GMT', 'd07abe941054d444a8200595040b8166e082a62d1bff'],
  ['https://www.example.com', '9d29ad171863c78f0b97c8e9ae82ae43d3'],
  ['gzip', '9bd9ab'],
  ['foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1', '94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007'],
];

Huffman('the RFC 7541 Appendix C strings encode and decode byte for byte', () => {
  for (const [text, hex] of RFC_STRINGS) {
    assert.is(toHex(huffmanEncode(bytes(text))), hex, text);
    assert.equal(huffmanDecode(fromHex(hex)), bytes(text), text);
  }
});

Huffman('every octet value round-trips, alone and all together', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.equal(huffmanDecode(huffmanEncode(all)), all);
  for (let i = 0; i < 256; i++) {
    const one = Uint8Array.of(i, 255 - i, i);
    assert.equal(huffmanDecode(huffmanEncode(one)), one, `octet ${i}`);
  }
  assert.equal(huffmanEncode(new Uint8Array(0)), new Uint8Array(0));
  assert.equal(huffmanDecode(new Uint8Array(0)), new Uint8Array(0));
});

Huffman('python hpack produces the same Huffman coding for every octet value', () => {
  const inputs = Array.from({ length: 256 }, (_, i) => toHex(Uint8Array.of(i, i, (i * 7) & 0xff)));
  const theirs = runPython<string[]>(
    'import json, sys\nfrom hpack.huffman import HuffmanEncoder\nfrom hpack.huffman_constants import REQUEST_CODES, REQUEST_CODES_LENGTH\n' +
      'e = HuffmanEncoder(REQUEST_CODES, REQUEST_CODES_LENGTH)\nprint(json.dumps([e.encode(bytes.fromhex(h)).hex() for h in json.load(sys.stdin)]))',
    inputs,
  );
  assert.equal(inputs.map((h) => toHex(huffmanEncode(fromHex(h)))), theirs);
});

Huffman.run();
