/**
 * `info.completed` tells the truth: it resolves once the response was completely handed to the
 * connection and rejects (with the stream's H2StreamError) when the client reset the stream first,
 * whatever the shape of the response. Over an in-memory pair against the scripted TestPeer.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes } from '../../src/core';
import { H2StreamError } from '../../src/streams';
import { serveSession, withTrailers, type FetchHandlerInfo } from '../../src/fetch/fetch-server';
import { settle } from '../support/duplex-pair';
import { facingPeer, GET, track } from '../support/session-fixtures';

/** A response body that yields `chunks` one macrotask apart (not in-memory: headers go out first). */
function slowBody(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const next = chunks.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(encoder.encode(next));
    },
  });
}

const SHAPES: [string, () => Response][] = [
  ['no body', () => new Response(null, { status: 204 })],
  ['an in-memory body', () => new Response('hello')],
  ['a streamed body', () => new Response(slowBody(['a', 'b']))],
  ['trailers and no body', () => withTrailers(new Response(null), { 'x-checksum': 'abc' })],
  ['a body with trailers', () => withTrailers(new Response('hello'), { 'x-checksum': 'abc' })],
];

for (const [shape, makeResponse] of SHAPES) {
  test(`info.completed rejects when the client reset the stream before a response with ${shape} went out`, async () => {
    const { session, wire, peer } = await facingPeer('server');
    let info: FetchHandlerInfo | null = null;
    void serveSession(session, async (_request, i) => {
      info = i;
      // Answer only once the client gave up on the request.
      await i.stream!.closed.catch(() => undefined);
      return makeResponse();
    });
    await wire.send(peer.headers(1, GET, { endStream: true }));
    await settle();
    const completed = track(info!.completed);
    await wire.send(peer.rstStream(1, ErrorCodes.CANCEL));
    await settle(6);
    assert.is(completed.done, true, 'completed settled');
    assert.instance(completed.failed, H2StreamError);
    assert.is((completed.failed as H2StreamError).code, ErrorCodes.CANCEL);
    assert.equal(peer.drain().filter((f) => f.typeName === 'HEADERS' || f.typeName === 'DATA'), [], 'nothing was sent on the reset stream');
  });

  test(`info.completed resolves once a response with ${shape} was handed to the connection`, async () => {
    const { session, wire, peer } = await facingPeer('server');
    let completed: ReturnType<typeof track> | null = null;
    void serveSession(session, (_request, i) => {
      completed = track(i.completed);
      return makeResponse();
    });
    await wire.send(peer.headers(1, GET, { endStream: true }));
    await settle(6);
    assert.is(completed!.done, true);
    assert.is(completed!.failed, undefined);
  });
}

test.run();
