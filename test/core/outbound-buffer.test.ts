/** The connection's outbound byte queue: slab sharing between connections, views that stay valid, no idle slab. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { OutboundBuffer } from '../../src/core/outbound-buffer';
import { PingFrame } from '../../src/frame';

const Outbound = suite('outbound buffer');

const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);
const concat = (parts: Uint8Array[]): number[] => parts.flatMap((p) => [...p]);

Outbound('queues of two connections pushing in turn each take exactly their own bytes, in order', () => {
  const a = new OutboundBuffer();
  const b = new OutboundBuffer();
  const wantA: number[] = [];
  const wantB: number[] = [];
  for (let i = 0; i < 200; i++) {
    const x = bytes(1 + (i % 37), i & 0xff);
    const y = bytes(1 + ((i * 7) % 53), (255 - i) & 0xff);
    a.pushBytes(x);
    b.pushBytes(y);
    wantA.push(...x);
    wantB.push(...y);
  }
  assert.equal([...a.take()], wantA);
  assert.equal([...b.take()], wantB);
});

Outbound('a view handed out is never written again while other queues keep carving', () => {
  const a = new OutboundBuffer();
  const b = new OutboundBuffer();
  a.pushBytes(bytes(100, 1));
  const view = a.take();
  const copy = [...view];
  for (let i = 0; i < 5000; i++) {
    b.pushBytes(bytes(50, 2));
    a.pushBytes(bytes(30, 3));
    if (i % 3 === 0) b.take();
    if (i % 5 === 0) a.take();
  }
  assert.equal([...view], copy);
});

Outbound('a partly taken queue goes on after other queues carved past it', () => {
  const a = new OutboundBuffer();
  const b = new OutboundBuffer();
  a.pushBytes(Uint8Array.of(1, 2, 3, 4));
  const first = a.take(2);
  b.pushBytes(bytes(10, 9));
  a.pushBytes(Uint8Array.of(5, 6));
  assert.equal([...first], [1, 2]);
  assert.equal([...a.take()], [3, 4, 5, 6]);
  assert.equal([...b.take()], new Array(10).fill(9));
});

Outbound('frames and referenced payloads keep their order across a shared slab', () => {
  const a = new OutboundBuffer();
  const b = new OutboundBuffer();
  const ping = new PingFrame(0, { opaqueData: bytes(8, 7) });
  const payload = bytes(20_000, 5);
  a.pushFrame(ping);
  b.pushFrame(ping);
  a.pushDataReference(1, true, payload);
  a.pushFrame(ping);
  const out = a.takeVectored();
  const flat = concat(out);
  assert.equal(flat.slice(0, 17), [...ping.serialize()]);
  // DATA header: length 20000 (0x004e20), type 0, END_STREAM, stream 1.
  assert.equal(flat.slice(17, 26), [0x00, 0x4e, 0x20, 0x0, 0x1, 0, 0, 0, 1]);
  assert.is(out.includes(payload), true, 'the payload is handed out by reference');
  assert.equal(flat.slice(26 + 20_000), [...ping.serialize()]);
  assert.equal([...b.take()], [...ping.serialize()]);
});

Outbound('an idle queue keeps no slab of its own, even after a large batch', () => {
  const a = new OutboundBuffer();
  a.pushBytes(bytes(10, 1));
  assert.is(a.privateCapacity, 0, 'small batches are carved from the shared slab');
  a.take();
  a.pushBytes(bytes(300_000, 1));
  assert.ok(a.privateCapacity >= 300_000, 'a large batch gets its own slab');
  assert.is(a.take().length, 300_000);
  assert.is(a.privateCapacity, 0, 'and lets it go once taken');
  a.pushBytes(bytes(300_000, 1));
  a.pushDataReference(1, false, bytes(100, 2));
  assert.is(concat(a.takeVectored()).length, 300_000 + 9 + 100);
  assert.is(a.privateCapacity, 0);
  assert.is(a.length, 0);
});

Outbound('each takeVectored hands out a list of its own: changing one changes neither the queue nor a later list', () => {
  const a = new OutboundBuffer();
  assert.equal(a.takeVectored(), []);
  const first = a.takeVectored();
  first.push(bytes(3, 3));
  assert.is(a.length, 0, 'a list handed out for an empty queue is not the queue');
  for (let round = 0; round < 3; round++) {
    const payload = bytes(5000, round);
    a.pushDataReference(1, false, payload);
    const out = a.takeVectored();
    assert.ok(out.includes(payload));
    assert.is(concat(out).length, 9 + 5000);
    out.length = 0;
    a.pushDataFrames(1, round === 2, bytes(40_000, 4), 16384, 4096);
    const frames = a.takeVectored();
    assert.is(concat(frames).length, 40_000 + 3 * 9);
    assert.is(a.length, 0);
  }
  // A payload by reference, then take(): flattened into one copy, the queue empty again.
  a.pushDataReference(3, true, bytes(6000, 6));
  assert.is(a.take().length, 6009);
  assert.equal([a.length, a.takeVectored().length], [0, 0]);
});

Outbound.run();
