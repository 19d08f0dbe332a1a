/**
 * sendResponse reads an in-memory Response's body through the runtime's internal slots, found by probing
 * fresh objects once: a runtime where the probe finds nothing (here: a ReadableStream without Node's
 * state slot) gets that answer cached too, not a probe (four ReadableStreams) per response.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sendResponse } from '../../src/fetch/send-response';
import type { H2Stream } from '../../src/streams/stream';

test('a failed probe for the ReadableStream state slot is made once, not per response', () => {
  const sent: unknown[] = [];
  // The one part of H2Stream an in-memory response uses: one respond with its whole body.
  const stream = { respond: (_headers: unknown, options: { body?: Uint8Array }) => void sent.push(options.body) } as unknown as H2Stream;
  // Made with the runtime's own streams, before the probe sees a ReadableStream without state slots.
  const responses = [new Response('one'), new Response('two'), new Response('three')];
  const Real = globalThis.ReadableStream;
  let made = 0;
  class SlotlessStream {
    constructor() {
      made++;
    }
    getReader(): object {
      return {};
    }
    cancel(): Promise<void> {
      return Promise.resolve();
    }
  }
  globalThis.ReadableStream = SlotlessStream as unknown as typeof ReadableStream;
  const madeAfter: number[] = [];
  try {
    for (const response of responses) {
      sendResponse(stream, response, false);
      madeAfter.push(made);
    }
  } finally {
    globalThis.ReadableStream = Real;
  }
  assert.is(sent.length, 3, 'each response was sent whole from memory (through the public getters)');
  assert.equal(
    madeAfter.map((n) => n - madeAfter[0]!),
    [0, 0, 0],
    `streams made by the probe after each response: ${madeAfter.join(', ')}`,
  );
});

test.run();
