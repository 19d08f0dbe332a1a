/** RFC 7541 Appendix C.2–C.6, byte for byte, in both directions, with the dynamic table after each step. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Decoder, Encoder, NeverIndexedHeaderTuple } from '../../src/hpack/index';
import { hex as toHex, unhex as fromHex } from '../support/bytes';
import { tableEntries } from '../support/hpack';

const Examples = suite('RFC 7541 Appendix C examples');

type Pair = [string, string];
interface Step { hex: string; headers: Pair[]; table: Pair[]; size: number }
interface Sequence { name: string; huffman: boolean; tableSize: number; steps: Step[] }

const AUTH: Pair = [':authority', 'www.example.com'];
const REQ1: Pair[] = [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], AUTH];
const REQ2: Pair[] = [...REQ1, ['cache-control', 'no-cache']];
const REQ3: Pair[] = [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], AUTH, ['custom-key', 'custom-value']];
const PRIVATE: Pair = ['cache-control', 'private'];
const DATE1: Pair = ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'];
const DATE2: Pair = ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'];
const LOCATION: Pair = ['location', 'https://www.example.com'];
const GZIP: Pair = ['content-encoding', 'gzip'];
const COOKIE: Pair = ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1'];
const RES1: Pair[] = [[':status', '302'], PRIVATE, DATE1, LOCATION];
const RES2: Pair[] = [[':status', '307'], PRIVATE, DATE1, LOCATION];
const RES3: Pair[] = [[':status', '200'], PRIVATE, DATE2, LOCATION, GZIP, COOKIE];

function requests(huffman: boolean, hex: [string, string, string]): Sequence {
  return {
    name: huffman ? 'C.4 requests with Huffman' : 'C.3 requests without Huffman',
    huffman,
    tableSize: 4096,
    steps: [
      { hex: hex[0], headers: REQ1, table: [AUTH], size: 57 },
      { hex: hex[1], headers: REQ2, table: [['cache-control', 'no-cache'], AUTH], size: 110 },
      { hex: hex[2], headers: REQ3, table: [['custom-key', 'custom-value'], ['cache-control', 'no-cache'], AUTH], size: 164 },
    ],
  };
}

function responses(huffman: boolean, hex: [string, string, string]): Sequence {
  return {
    name: huffman ? 'C.6 responses with Huffman' : 'C.5 responses without Huffman',
    huffman,
    tableSize: 256,
    steps: [
      { hex: hex[0], headers: RES1, table: [LOCATION, DATE1, PRIVATE, [':status', '302']], size: 222 },
      { hex: hex[1], headers: RES2, table: [[':status', '307'], LOCATION, DATE1, PRIVATE], size: 222 },
      { hex: hex[2], headers: RES3, table: [COOKIE, GZIP, DATE2], size: 215 },
    ],
  };
}

const SEQUENCES: Sequence[] = [
  requests(false, [
    '828684410f7777772e6578616d706c652e636f6d',
    '828684be58086e6f2d6361636865',
    '828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565',
  ]),
  requests(true, ['828684418cf1e3c2e5f23a6ba0ab90f4ff', '828684be5886a8eb10649cbf', '828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf']),
  responses(false, [
    '4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d',
    '4803333037c1c0bf',
    '88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31',
  ]),
  responses(true, [
    '488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3',
    '4883640effc1c0bf',
    '88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007',
  ]),
];

/** The Dynamic Table Size Update our encoder emits before the first block after setting 256. */
const SIZE_UPDATE_256 = '3fe101';

for (const seq of SEQUENCES) {
  Examples(`${seq.name}: each block decodes to the RFC's headers and dynamic table`, () => {
    const decoder = new Decoder();
    decoder.headerTableSize = seq.tableSize;
    seq.steps.forEach((step, i) => {
      assert.equal(decoder.decode(fromHex(step.hex)), step.headers, `block ${i + 1}`);
      assert.equal(tableEntries(decoder.headerTable), step.table, `table after block ${i + 1}`);
      assert.is(decoder.headerTable.size, step.size, `table size after block ${i + 1}`);
    });
  });

  Examples(`${seq.name}: encoding the headers gives the RFC's bytes and dynamic table`, () => {
    const encoder = new Encoder();
    const resized = seq.tableSize !== encoder.headerTableSize;
    encoder.headerTableSize = seq.tableSize;
    seq.steps.forEach((step, i) => {
      let hex = toHex(encoder.encode(step.headers, { huffman: seq.huffman }));
      if (i === 0 && resized) {
        assert.is(hex.slice(0, 6), SIZE_UPDATE_256, 'a size update opens the first block');
        hex = hex.slice(6);
      }
      assert.is(hex, step.hex, `block ${i + 1}`);
      assert.equal(tableEntries(encoder.headerTable), step.table, `table after block ${i + 1}`);
      assert.is(encoder.headerTable.size, step.size, `table size after block ${i + 1}`);
    });
  });
}

Examples('C.2.1 literal with indexing round-trips and enters the table', () => {
  const hex = '400a637573746f6d2d6b65790d637573746f6d2d686561646572';
  const decoder = new Decoder();
  assert.equal(decoder.decode(fromHex(hex)), [['custom-key', 'custom-header']]);
  assert.equal(tableEntries(decoder.headerTable), [['custom-key', 'custom-header']]);
  assert.is(decoder.headerTable.size, 55);
  const encoder = new Encoder();
  assert.is(toHex(encoder.encode([['custom-key', 'custom-header']], { huffman: false })), hex);
  assert.is(encoder.headerTable.size, 55);
});

// C.2.2 is tested in one direction only, by design: like python hpack (h2-reference §2), the encoder
// never emits "without indexing" (0000xxxx) and has no option for it. A field is either indexable
// (incremental indexing, 01xxxxxx) or sensitive (NeverIndexedHeaderTuple, never indexed, 0001xxxx).
Examples('C.2.2 literal without indexing decodes and leaves the table empty; our encoder indexes that field instead', () => {
  const decoder = new Decoder();
  assert.equal(decoder.decode(fromHex('040c2f73616d706c652f70617468')), [[':path', '/sample/path']]);
  assert.is(decoder.headerTable.length, 0);
  assert.is(decoder.headerTable.size, 0);
  const encoder = new Encoder();
  assert.is(toHex(encoder.encode([[':path', '/sample/path']], { huffman: false })), '440c2f73616d706c652f70617468');
  assert.equal(tableEntries(encoder.headerTable), [[':path', '/sample/path']]);
});

Examples('C.2.3 never-indexed literal round-trips as NeverIndexedHeaderTuple and stays out of the table', () => {
  const hex = '100870617373776f726406736563726574';
  const decoder = new Decoder();
  const [field] = decoder.decode(fromHex(hex));
  assert.ok(field instanceof NeverIndexedHeaderTuple);
  assert.equal([...field!], ['password', 'secret']);
  assert.is(decoder.headerTable.length, 0);
  const encoder = new Encoder();
  assert.is(toHex(encoder.encode([new NeverIndexedHeaderTuple('password', 'secret')], { huffman: false })), hex);
  assert.is(encoder.headerTable.length, 0);
});

Examples('C.2.4 indexed field round-trips and leaves the table empty', () => {
  const decoder = new Decoder();
  assert.equal(decoder.decode(fromHex('82')), [[':method', 'GET']]);
  assert.is(decoder.headerTable.length, 0);
  const encoder = new Encoder();
  assert.is(toHex(encoder.encode([[':method', 'GET']])), '82');
  assert.is(encoder.headerTable.length, 0);
});

Examples('sharedStatic: a field indexed into the static table is one frozen pair per entry; other fields are new pairs', () => {
  // C.3.1: :method GET, :scheme http, :path / indexed (static); :authority literal with indexing.
  const block = fromHex('828684410f7777772e6578616d706c652e636f6d');
  const first = new Decoder().decode(block, { sharedStatic: true });
  const second = new Decoder().decode(block, { sharedStatic: true });
  assert.equal(first, REQ1);
  for (let i = 0; i < 3; i++) {
    assert.is(first[i], second[i], 'the same pair for the same static entry');
    assert.ok(Object.isFrozen(first[i]));
  }
  assert.is.not(first[3], second[3], 'a literal is a pair of its own');
  assert.not.ok(Object.isFrozen(first[3]));
  const plain = new Decoder().decode(block);
  assert.equal(plain, REQ1);
  assert.not.ok(Object.isFrozen(plain[0]), 'without the option every pair is a new array (hpack)');
  assert.equal(new Decoder().decode(block, { sharedStatic: true, raw: true }).length, 4, 'raw: fresh octets as before');
});

Examples('sharedStatic: a field indexed into the dynamic table is one frozen pair per entry while it stays; a new entry in its slot is a new pair', () => {
  const encoder = new Encoder();
  const decoder = new Decoder();
  const request = (ua: string): Pair[] => [[':method', 'GET'], ['user-agent', ua], ['accept', 'text/html']];
  const first = decoder.decode(encoder.encode(request('a')), { sharedStatic: true });
  assert.not.ok(Object.isFrozen(first[1]), 'a literal entering the table is a pair of its own');
  const second = decoder.decode(encoder.encode(request('a')), { sharedStatic: true });
  const third = decoder.decode(encoder.encode(request('a')), { sharedStatic: true });
  assert.equal(second, request('a'));
  assert.is(second[1], third[1], 'the same pair for the same dynamic entry');
  assert.is(second[2], third[2]);
  assert.ok(Object.isFrozen(second[1]));
  assert.is.not(second[1], second[2]);
  assert.not.ok(Object.isFrozen(new Decoder().decode(new Encoder().encode(request('a')))[1]), 'without the option every pair is a new array');
  // Fill the table past its 4096 octets: the first entries are evicted and their slots reused.
  const held: Pair[][] = [];
  for (let k = 0; k < 40; k++) {
    const fields: Pair[] = [[`x-${k}`, String(k).repeat(100)]];
    decoder.decode(encoder.encode(fields), { sharedStatic: true });
    held.push(decoder.decode(encoder.encode(fields), { sharedStatic: true }));
  }
  for (let k = 0; k < 40; k++) assert.equal(held[k], [[`x-${k}`, String(k).repeat(100)]], `entry ${k} as it was when decoded`);
  assert.is(second[1]![1], 'a', 'an evicted entry leaves the lists holding its pair unchanged');
  const again = decoder.decode(encoder.encode(request('c')), { sharedStatic: true });
  const reused = decoder.decode(encoder.encode(request('c')), { sharedStatic: true });
  assert.equal(reused, request('c'));
  assert.is.not(reused[1], second[1], 'a new entry is a new pair');
  assert.is(decoder.decode(encoder.encode(request('c')), { sharedStatic: true })[1], reused[1]);
  assert.ok(again.length === 3);
});

Examples('sharedStatic: a pair stays the same object when the ring grows, and a cleared table gives new ones', () => {
  const encoder = new Encoder();
  const decoder = new Decoder();
  const pairs = new Map<number, unknown>();
  // 16 small entries fill the first ring; the next ones make it grow.
  for (let k = 0; k < 40; k++) {
    const fields: Pair[] = [[`y-${k}`, 'v']];
    decoder.decode(encoder.encode(fields), { sharedStatic: true });
    if (k < 12) pairs.set(k, decoder.decode(encoder.encode(fields), { sharedStatic: true })[0]);
  }
  for (let k = 0; k < 12; k++) {
    const list = decoder.decode(encoder.encode([[`y-${k}`, 'v']]), { sharedStatic: true });
    assert.is(list[0], pairs.get(k), `entry ${k}: the same pair after the ring grew`);
  }
  // A size update to 0 empties the table (RFC 7541 §4.3); entries added after it are new pairs.
  encoder.headerTableSize = 0;
  decoder.decode(encoder.encode([]), { sharedStatic: true });
  encoder.headerTableSize = 4096;
  decoder.decode(encoder.encode([['y-0', 'v']]), { sharedStatic: true });
  const after = decoder.decode(encoder.encode([['y-0', 'v']]), { sharedStatic: true })[0];
  assert.equal(after, ['y-0', 'v']);
  assert.is.not(after, pairs.get(0));
});

Examples('each decoded list is its own: a later block, or a block that fails, leaves an earlier list as it was', () => {
  const decoder = new Decoder();
  const first = decoder.decode(fromHex('828684410f7777772e6578616d706c652e636f6d'));
  const second = decoder.decode(fromHex('8286'));
  assert.throws(() => decoder.decode(fromHex('82ff')));
  assert.is.not(first, second);
  assert.equal(first, REQ1);
  assert.equal(second, [[':method', 'GET'], [':scheme', 'http']]);
});

Examples.run();
