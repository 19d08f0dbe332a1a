/**
 * CheckedStrings, the bounded memo of strings that passed a character check, and the header checks
 * that use it: a remembered string must never change a verdict.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CheckedStrings } from '../../src/core/checked-strings';
import type { HeaderValidationFlags } from '../../src/core/headers';
import { isNormalizedOutboundHeaderList } from '../../src/core/headers';
import { validateHeaders } from '../../src/core/header-validation';
import { mulberry32 } from '../support/prng';

const Checked = suite('checked strings');

Checked('remembers strings up to maxLength, and starts over when full', () => {
  const set = new CheckedStrings(3, 4);
  set.add('a');
  set.add('bb');
  set.add('toolong');
  assert.ok(set.has('a') && set.has('bb'));
  assert.not.ok(set.has('toolong'));
  set.add('c');
  assert.ok(set.has('c'));
  set.add('d');
  assert.ok(set.has('d'));
  assert.not.ok(set.has('a'), 'a full set starts over');
});

const TRAILER: HeaderValidationFlags = { isClient: false, isTrailer: true, isResponseHeader: false, isPushPromise: false };

/** The error message of validating one trailer field, or `null` when it passes. */
function verdict(name: string, value: string): string | null {
  try {
    validateHeaders([[name, value]], TRAILER);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

Checked('received fields get the same verdict the first time and every time after', () => {
  const rand = mulberry32(99);
  const chars = ['a', 'z', '-', 'A', ' ', '\t', ':', '\0', '\r', '\n', '\x7f', '\xe9', '1'];
  const word = (): string => Array.from({ length: 1 + rand.int(5) }, () => rand.pick(chars)).join('');
  const fields = Array.from({ length: 400 }, () => [word(), word()] as const);
  const first = fields.map(([n, v]) => verdict(n, v));
  assert.ok(first.some((v) => v === null) && first.some((v) => v !== null));
  for (let round = 0; round < 3; round++) {
    fields.forEach(([n, v], i) => assert.is(verdict(n, v), first[i], JSON.stringify([n, v])));
  }
});

Checked('outbound lists get the same fast-path verdict the first time and every time after', () => {
  const rand = mulberry32(5);
  const parts = ['x-a', 'X-A', ' v', 'v', 'cookie', 'te', '\u20ac', ''];
  const lists = Array.from({ length: 300 }, () => [[rand.pick(parts), rand.pick(parts)]] as [string, string][]);
  const first = lists.map((l) => isNormalizedOutboundHeaderList(l));
  for (let round = 0; round < 3; round++) lists.forEach((l, i) => assert.is(isNormalizedOutboundHeaderList(l), first[i]));
});

Checked.run();
