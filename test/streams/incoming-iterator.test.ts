/**
 * `for await` over `session.incoming` (and `events`) takes items from the session's queue through an
 * iterator of its own (queue-readable.ts): it must behave as the standard ReadableStream iterator does —
 * the stream locked while iterating and released at the end, `break` cancelling it unless
 * `preventCancel`, `next()` calls answered in order, nothing left pending.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes } from '../../src/core';
import { H2StreamError } from '../../src/streams';
import { settle } from '../support/duplex-pair';
import { GET, giveUpARead, OK, sessionPair, track } from '../support/session-fixtures';

test('incoming is a ReadableStream, locked while iterated and released when the session ends', async () => {
  const { server, client } = sessionPair();
  assert.instance(server.incoming, ReadableStream);
  const ids: number[] = [];
  const done = (async () => {
    for await (const stream of server.incoming) {
      ids.push(stream.id);
      stream.respond(OK, { body: 'ok' });
    }
  })();
  await settle();
  assert.is(server.incoming.locked, true);
  assert.throws(() => server.incoming.getReader(), TypeError);
  for (let i = 0; i < 3; i++) {
    const stream = await client.request(GET, { endStream: true });
    await stream.response;
  }
  await client.close();
  await done;
  assert.equal(ids, [1, 3, 5]);
  assert.is(server.incoming.locked, false);
});

test('breaking out refuses later requests; with preventCancel the next loop gets them', async () => {
  const { server, client } = sessionPair();
  const first = client.request(GET, { endStream: true });
  for await (const stream of server.incoming.values({ preventCancel: true })) {
    assert.is(stream.id, 1);
    stream.respond(OK, { body: 'one' });
    break;
  }
  assert.is(server.incoming.locked, false, 'released by the break');
  await (await first).response;
  const second = await client.request(GET, { endStream: true });
  for await (const stream of server.incoming) {
    assert.is(stream.id, 3, 'not cancelled: the next loop gets the next request');
    stream.respond(OK, { body: 'two' });
    break;
  }
  await second.response;
  const third = await client.request(GET, { endStream: true });
  const response = track(third.response);
  await settle();
  assert.instance(response.failed, H2StreamError);
  assert.is((response.failed as H2StreamError).code, ErrorCodes.REFUSED_STREAM);
  await client.close({ graceful: false });
});

test('a request arriving after a read of incoming was given up (its reader released) is refused when incoming is cancelled, not left open', async () => {
  const { server, client } = sessionPair();
  const reader = server.incoming.getReader();
  const read = reader.read();
  await settle();
  reader.releaseLock();
  await read.catch(() => undefined);
  const stream = await client.request(GET, { endStream: true });
  const response = track(stream.response);
  await settle();
  await server.incoming.cancel();
  await settle();
  assert.instance(response.failed, H2StreamError);
  assert.is((response.failed as H2StreamError).code, ErrorCodes.REFUSED_STREAM);
  await client.close({ graceful: false });
});

test('next() calls made at once are answered in order, and return() ends one still waiting', async () => {
  const { server, client } = sessionPair();
  const it = server.incoming[Symbol.asyncIterator]();
  const a = it.next();
  const b = it.next();
  const c = track(it.next());
  await client.request(GET, { endStream: true });
  await client.request(GET, { endStream: true });
  assert.is((await a).value!.id, 1);
  assert.is((await b).value!.id, 3);
  await settle();
  assert.is(c.done, false, 'waits for a third request');
  const ended = await it.return!();
  assert.is(ended.done, true);
  await settle();
  assert.is(c.done, true, 'the waiting next() ended too');
  assert.equal(await it.next(), { value: undefined, done: true });
  assert.is(server.incoming.locked, false);
  await client.close({ graceful: false });
});

test('a loop waiting on an idle session ends when the session closes', async () => {
  const { server } = sessionPair();
  const loop = track(
    (async () => {
      for await (const _ of server.incoming) assert.unreachable('no request was sent');
    })(),
  );
  await settle();
  assert.is(loop.done, false);
  await server.close({ graceful: false });
  await settle();
  assert.is(loop.done, true);
  assert.is(loop.failed, undefined);
});

test('a request handed to a read given up (its reader released) reaches the next for await', async () => {
  const { server, client } = sessionPair();
  await giveUpARead(server);
  await client.request(GET, { endStream: true });
  await settle();
  const it = server.incoming[Symbol.asyncIterator]();
  const next = it.next();
  const first = track(next);
  await settle();
  assert.is(first.done, true, 'the request that arrived meanwhile is taken, not waited past');
  assert.is((await next).value!.id, 1);
  await it.return!();
  await client.close({ graceful: false });
});

test('events can be iterated with for await too', async () => {
  const { server, client } = sessionPair();
  const types: string[] = [];
  const done = (async () => {
    for await (const event of server.events) {
      types.push(event.type);
      if (event.type === 'RequestReceived') break;
    }
  })();
  const stream = await client.request(GET, { endStream: true });
  await done;
  assert.ok(types.includes('RequestReceived'));
  assert.is(server.events.locked, false);
  void stream;
  await client.close({ graceful: false });
});

test.run();
