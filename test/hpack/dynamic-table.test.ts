/** The dynamic table: RFC 7541 §4 size accounting, eviction order, oversize entries and resizing. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DynamicTable, entrySize } from '../../src/hpack/index';
import { tableEntries } from '../support/hpack';
import { mulberry32 } from '../support/prng';

const Table = suite('hpack dynamic table');

Table('an entry costs name + value + 32 octets', () => {
  const t = new DynamicTable();
  assert.is(entrySize('ab', 'cde'), 37);
  t.add('ab', 'cde');
  assert.is(t.size, 37);
  assert.is(t.length, 1);
});

Table('the oldest entries are evicted first, newest is index 0', () => {
  const t = new DynamicTable(3 * 34);
  t.add('a', '1');
  t.add('b', '2');
  t.add('c', '3');
  assert.equal(tableEntries(t), [['c', '3'], ['b', '2'], ['a', '1']]);
  t.add('d', '4');
  assert.equal(tableEntries(t), [['d', '4'], ['c', '3'], ['b', '2']]);
  t.add('e', '55');
  assert.equal(tableEntries(t), [['e', '55'], ['d', '4']]);
  assert.is(t.size, 35 + 34);
});

Table('an entry larger than the table empties it', () => {
  const t = new DynamicTable(64);
  t.add('a', '1');
  t.add('x'.repeat(20), 'y'.repeat(20));
  assert.is(t.length, 0);
  assert.is(t.size, 0);
});

Table('resizing to 0 empties the table and shrinking evicts from the end', () => {
  const t = new DynamicTable();
  for (let i = 0; i < 10; i++) t.add(`n${i}`, `v${i}`);
  t.maxSize = 36 * 3;
  assert.equal(tableEntries(t), [['n9', 'v9'], ['n8', 'v8'], ['n7', 'v7']]);
  t.maxSize = 0;
  assert.is(t.length, 0);
  assert.is(t.size, 0);
  t.add('a', '1');
  assert.is(t.length, 0);
});

Table('the ring buffer grows past its initial capacity and keeps order through wrap-around', () => {
  const t = new DynamicTable(4096);
  for (let i = 0; i < 300; i++) t.add(`n${i}`, `v${i}`);
  // Each entry is 32 + 2..4 + 2..4 octets; the newest fill 4096.
  assert.is(t.name(0), 'n299');
  assert.ok(t.size <= 4096);
  const entries = tableEntries(t);
  entries.forEach(([n, v], i) => {
    assert.is(n, `n${299 - i}`);
    assert.is(v, `v${299 - i}`);
  });
  assert.is(t.size, entries.reduce((s, [n, v]) => s + entrySize(n, v), 0));
  assert.is(t.find('n299', 'v299'), 1);
  assert.is(t.find('n298', 'zz'), -2);
  assert.is(t.find('nope', 'v1'), 0);
});

Table('an indexed table finds what a scan finds, through duplicates, evictions, resizes and clears', () => {
  const rnd = mulberry32(0x5eed7ab1);
  const scanned = new DynamicTable(4096);
  const indexed = new DynamicTable(4096, true);
  const names = ['a', 'b', 'c', 'etag', 'x-long'];
  const values = ['', '1', '2', 'v'.repeat(40), 'w'.repeat(200)];
  for (let step = 0; step < 20000; step++) {
    const op = rnd.int(100);
    if (op < 2) {
      const size = rnd.pick([0, 64, 300, 2048, 4096, 4096]);
      scanned.maxSize = size;
      indexed.maxSize = size;
    } else if (op < 60) {
      const name = rnd.pick(names);
      const value = rnd.pick(values);
      scanned.add(name, value);
      indexed.add(name, value);
    }
    const name = rnd.pick(names);
    const value = rnd.pick(values);
    assert.is(indexed.find(name, value), scanned.find(name, value), `step ${step}: find(${name}, ${value.slice(0, 4)})`);
  }
  assert.equal(tableEntries(indexed), tableEntries(scanned));
});

Table.run();
