/** The transport tap: the observer sees every chunk both ways, and the wrapped pair still carries them. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tapTransport } from '../../src/transport/tap';

const Tap = suite('transport tap');

Tap('every chunk written and read passes through unchanged and is shown to the observer', async () => {
  const written: Uint8Array[] = [];
  const inner = {
    readable: new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array([1, 2]));
        c.enqueue(new Uint8Array([3]));
        c.close();
      },
    }),
    writable: new WritableStream<Uint8Array>({ write: (chunk) => void written.push(chunk) }),
  };
  const seen: string[] = [];
  const pair = tapTransport(inner, { sent: (b) => seen.push(`sent ${b.join(',')}`), received: (b) => seen.push(`recv ${b.join(',')}`) });
  const writer = pair.writable.getWriter();
  await writer.write(new Uint8Array([9, 9]));
  await writer.close();
  const got: number[] = [];
  for await (const chunk of pair.readable) got.push(...chunk);
  assert.equal(got, [1, 2, 3]);
  assert.equal(written.map((c) => [...c]), [[9, 9]]);
  assert.equal(seen, ['sent 9,9', 'recv 1,2', 'recv 3']);
});

Tap('the tap reads nothing ahead of its consumer', async () => {
  let pulls = 0;
  const inner = {
    readable: new ReadableStream<Uint8Array>({ pull: (c) => void (pulls++, c.enqueue(new Uint8Array(1))) }, { highWaterMark: 0 }),
    writable: new WritableStream<Uint8Array>(),
  };
  const pair = tapTransport(inner, {});
  await new Promise((r) => setImmediate(r));
  assert.is(pulls, 0);
  await pair.readable.getReader().read();
  assert.is(pulls, 1);
});

Tap('aborting the tapped writable aborts the inner one at once, even while a write is stuck in it', async () => {
  let innerAborted: unknown = null;
  const inner = {
    readable: new ReadableStream<Uint8Array>(),
    writable: new WritableStream<Uint8Array>({
      start(controller) {
        const { signal } = controller as WritableStreamDefaultController & { readonly signal: AbortSignal };
        signal.addEventListener('abort', () => (innerAborted = signal.reason));
      },
      write: () => new Promise<void>(() => undefined),
    }),
  };
  const writer = tapTransport(inner, {}).writable.getWriter();
  void writer.write(new Uint8Array(1)).catch(() => undefined);
  await new Promise((r) => setImmediate(r));
  const reason = new Error('peer stopped reading');
  void writer.abort(reason).catch(() => undefined);
  await new Promise((r) => setImmediate(r));
  assert.is(innerAborted, reason);
});

Tap.run();
