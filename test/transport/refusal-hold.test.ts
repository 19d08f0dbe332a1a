import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RefusalHold } from '../../src/transport/refusal-hold';

test('RefusalHold closes a held connection after its time, forgets one released earlier, and holds none past its cap', async () => {
  const hold = new RefusalHold(20, 2);
  const closed: string[] = [];
  const a = {};
  const b = {};
  assert.ok(hold.hold(a, () => closed.push('a')));
  assert.ok(hold.hold(b, () => closed.push('b')));
  assert.not.ok(hold.hold({}, () => closed.push('c')), 'past the cap');
  assert.not.ok(hold.hold(a, () => closed.push('a again')), 'already held');
  hold.release(b);
  assert.is(hold.size, 1);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(closed, ['a'], 'a closed by its timer; b, released, never');
  assert.is(hold.size, 0);
});

test('RefusalHold.closeAll closes every held connection at once; a hold of 0 ms holds nothing', () => {
  const hold = new RefusalHold(600_000, 8);
  const closed: number[] = [];
  for (let i = 0; i < 3; i++) hold.hold({}, () => closed.push(i));
  hold.closeAll();
  assert.equal(closed, [0, 1, 2]);
  assert.is(hold.size, 0);
  assert.not.ok(new RefusalHold(0, 8).hold({}, () => undefined));
});

test.run();
