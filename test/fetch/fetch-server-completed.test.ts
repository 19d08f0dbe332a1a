/**
 * `info.completed` tells the truth: it resolves once the response was completely handed to the
 * connection and rejects (with the stream's H2StreamError) when the client reset the stream first,
 * whatever the shape of the response. Over an in-memory pair against the scripted TestPeer.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes, SettingCodes } from '../../src/core';
import { H2StreamError } from '../../src/streams';
import { serveSession, withTrailers, type FetchHandlerInfo, type RequestTrailers } from '../../src/fetch/fetch-server';
import { settle } from '../support/duplex-pair';
import { facingPeer, GET, POST, track } from '../support/session-fixtures';
import { TestClock } from '../support/test-clock';

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

/** A server whose handler answers one GET with an in-memory response; the handler's info, once it ran. */
async function answeredInMemory(settings: Record<number, number> = {}): Promise<{ info: FetchHandlerInfo; wire: Awaited<ReturnType<typeof facingPeer>>['wire']; peer: Awaited<ReturnType<typeof facingPeer>>['peer'] }> {
  const { session, wire, peer } = await facingPeer('server', {}, settings);
  let info: FetchHandlerInfo | null = null;
  void serveSession(session, (_request, i) => {
    info = i;
    return new Response('hello');
  });
  await wire.send(peer.headers(1, GET, { endStream: true }));
  await settle(6);
  return { info: info!, wire, peer };
}

test('info.completed first read after the handler returned an in-memory response still resolves', async () => {
  const { info } = await answeredInMemory();
  const completed = track(info.completed);
  await settle();
  assert.is(completed.done, true);
  assert.is(completed.failed, undefined);
});

test('info.completed first read after the client reset a stream whose in-memory response waited for the window rejects', async () => {
  // The client's window is 0: the DATA cannot leave, so the end never reaches the connection.
  const { info, wire, peer } = await answeredInMemory({ [SettingCodes.INITIAL_WINDOW_SIZE]: 0 });
  await wire.send(peer.rstStream(1, ErrorCodes.CANCEL));
  await settle();
  const completed = track(info.completed);
  await settle();
  assert.is(completed.done, true);
  assert.instance(completed.failed, H2StreamError);
  assert.is((completed.failed as H2StreamError).code, ErrorCodes.CANCEL);
});

/** Ways a response being streamed can be cut short. */
const ENDINGS: [string, (f: Awaited<ReturnType<typeof facingPeer>>, clock: TestClock) => Promise<void>][] = [
  ['the client resets the stream', (f) => f.wire.send(f.peer.rstStream(1, ErrorCodes.CANCEL))],
  ['the client sends GOAWAY with an error', (f) => f.wire.send(f.peer.goAway(1, ErrorCodes.PROTOCOL_ERROR))],
  ['the transport fails', async (f) => f.end.destroy(new Error('ECONNRESET'))],
  ['the transport ends', (f) => f.wire.close()],
  ['the server closes abortively', async (f) => void f.session.close({ graceful: false })],
  [
    'a graceful close runs into its drain deadline',
    async (f, clock) => {
      void f.session.close();
      for (let i = 0; i < 10; i++) {
        await settle();
        clock.advance(10_000);
      }
    },
  ],
];

for (const [ending, end] of ENDINGS) {
  test(`info.completed rejects when ${ending} while the response body waits on the window`, async () => {
    const clock = new TestClock();
    const f = await facingPeer('server', { clock }, { [SettingCodes.INITIAL_WINDOW_SIZE]: 4 });
    let completed: ReturnType<typeof track> | null = null;
    void serveSession(f.session, (_request, i) => {
      completed = track(i.completed);
      return new Response(slowBody(['0123456789', 'abcdef']));
    });
    await f.wire.send(f.peer.headers(1, GET, { endStream: true }));
    await settle(6);
    assert.is(completed!.done, false, 'the body waits for the client to open its window');
    await end(f, clock);
    await settle(6);
    assert.is(completed!.done, true, 'completed settled');
    assert.ok(completed!.failed !== undefined, 'completed rejected: the response did not go out');
  });
}

/** A response body whose reads never settle (a long poll, an idle event stream); records its cancel. */
function silentBody(state: { cancelled: unknown }): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    pull: () => new Promise<void>(() => undefined),
    cancel(reason) {
      state.cancelled = reason ?? new Error('cancelled without a reason');
    },
  });
}

/** A response body that never ends, a chunk one macrotask apart (an event stream); counts its pulls. */
function endlessBody(state: { cancelled: unknown; pulls: number }): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      state.pulls++;
      await new Promise<void>((resolve) => setImmediate(resolve));
      controller.enqueue(new Uint8Array(8));
    },
    cancel(reason) {
      state.cancelled = reason ?? new Error('cancelled without a reason');
    },
  });
}

for (const [ending, end] of ENDINGS) {
  test(`a streamed response body whose read never settles is cancelled, and info.completed rejects, when ${ending}`, async () => {
    const clock = new TestClock();
    const f = await facingPeer('server', { clock });
    const state = { cancelled: undefined as unknown };
    let completed: ReturnType<typeof track> | null = null;
    void serveSession(f.session, (_request, i) => {
      completed = track(i.completed);
      return new Response(silentBody(state));
    });
    await f.wire.send(f.peer.headers(1, GET, { endStream: true }));
    await settle(6);
    assert.is(completed!.done, false, 'the body has not ended');
    await end(f, clock);
    await settle(6);
    assert.ok(state.cancelled !== undefined, "the handler's body was cancelled");
    assert.is(completed!.done, true, 'completed settled');
    assert.ok(completed!.failed !== undefined, 'completed rejected: the response did not go out');
  });

  test(`an endless streamed response body is cancelled and no longer pulled when ${ending}`, async () => {
    const clock = new TestClock();
    const f = await facingPeer('server', { clock });
    const state = { cancelled: undefined as unknown, pulls: 0 };
    void serveSession(f.session, () => new Response(endlessBody(state)));
    await f.wire.send(f.peer.headers(1, GET, { endStream: true }));
    await settle(6);
    await end(f, clock);
    await settle(6);
    assert.ok(state.cancelled !== undefined, "the handler's body was cancelled");
    const pulls = state.pulls;
    await settle(20);
    assert.is(state.pulls, pulls, 'no pull after the cancel');
  });
}

/** Responses whose trailers promise rejects and is never awaited: the body or the method means none are sent. */
const DROPPED_TRAILERS: [string, [string, string][], () => Response][] = [
  ['a HEAD response', [[':method', 'HEAD'], [':scheme', 'http'], [':path', '/'], [':authority', 'example.com']], () => new Response('body')],
  ['a response whose body errors first', GET, () => new Response(new ReadableStream({ pull: (c) => c.error(new Error('body failed')) }))],
  [
    'a response whose body is already locked',
    GET,
    () => {
      const response = new Response(new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(1)) }));
      response.body!.getReader();
      return response;
    },
  ],
];

for (const [name, request, makeResponse] of DROPPED_TRAILERS) {
  test(`the rejected trailers promise of ${name} is not left unhandled`, async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { session, wire, peer } = await facingPeer('server');
      void serveSession(session, () => withTrailers(makeResponse(), Promise.reject(new Error('no trailers'))));
      await wire.send(peer.headers(1, request, { endStream: true }));
      await settle(6);
      assert.equal(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
}

for (const [shape, body] of [['no body', () => null], ['a streamed body', () => slowBody(['a'])]] as const) {
  test(`info.completed rejects when the client resets the stream while a response with ${shape} waits for trailers that never come`, async () => {
    const { session, wire, peer } = await facingPeer('server');
    let completed: ReturnType<typeof track> | null = null;
    void serveSession(session, (_request, i) => {
      completed = track(i.completed);
      return withTrailers(new Response(body()), new Promise<Record<string, string>>(() => undefined));
    });
    await wire.send(peer.headers(1, GET, { endStream: true }));
    await settle(6);
    assert.is(completed!.done, false, 'the response waits for its trailers');
    await wire.send(peer.rstStream(1, ErrorCodes.CANCEL));
    await settle(6);
    assert.is(completed!.done, true, 'completed settled');
    assert.instance(completed!.failed, H2StreamError);
  });
}

test('a handler that took request.trailers, then failed reading the body the client reset, leaves no unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const { session, wire, peer } = await facingPeer('server');
    let failed: unknown = null;
    void serveSession(
      session,
      async (request) => {
        const trailers = (request as Request & RequestTrailers).trailers;
        const body = await request.text();
        return new Response(`${body} ${(await trailers)?.get('x-sum')}`);
      },
      { onError: (error) => ((failed = error), new Response(null, { status: 500 })) },
    );
    await wire.send(peer.concat(peer.headers(1, POST), peer.data(1, 'partial')));
    await settle();
    await wire.send(peer.rstStream(1, ErrorCodes.CANCEL));
    await settle(6);
    assert.instance(failed, H2StreamError, 'the body read failed');
    assert.equal(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test.run();
