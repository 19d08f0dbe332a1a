/**
 * Using a stream after its end fails at once with a clear error instead of hanging or passing silently:
 * writes after `end()`, and header blocks, trailers or bodies on a stream that was reset or whose session
 * failed. Native Web Streams over an in-memory pair; no test sleeps.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes } from '../../src/core';
import { H2SessionError, H2StreamError, type H2Stream } from '../../src/streams';
import { settle } from '../support/duplex-pair';
import { facingPeer, GET, OK, POST, track } from '../support/session-fixtures';

const bytes = (n: number): Uint8Array => new Uint8Array(n).fill(0x61);

/** A server stream for a request the peer sent (without ending its body when `post`). */
async function serverStream(post = false) {
  const fixture = await facingPeer('server');
  const { session, wire, peer } = fixture;
  await wire.send(peer.headers(1, post ? POST : GET, { endStream: !post }));
  const { value } = await session.incoming.getReader().read();
  return { ...fixture, stream: value as H2Stream };
}

/** A server stream the peer reset with CANCEL. */
async function resetServerStream() {
  const fixture = await serverStream();
  await fixture.wire.send(fixture.peer.rstStream(1, ErrorCodes.CANCEL));
  await settle();
  fixture.peer.drain();
  return fixture;
}

/** How `promise` fails, asserting it settled within a few turns (a hang fails the test, not the run). */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  const tracked = track(promise);
  await settle();
  assert.is(tracked.done, true, 'settled at once');
  assert.ok(tracked.failed !== undefined, 'rejected');
  return tracked.failed;
}

function assertReset(err: unknown): void {
  assert.instance(err, H2StreamError);
  assert.is((err as H2StreamError).code, ErrorCodes.CANCEL);
  assert.is((err as H2StreamError).remote, true);
}

test('a write on the open writable after end() rejects at once instead of hanging', async () => {
  const { stream, peer } = await serverStream();
  const writer = stream.writable.getWriter();
  stream.respond(OK);
  await stream.end('done');
  const write = track(writer.write(bytes(3)));
  await settle();
  assert.is(write.done, true, 'the write settled');
  assert.instance(write.failed, TypeError);
  const data = peer.drain().filter((f) => f.typeName === 'DATA');
  assert.equal(data.map((f) => f.data?.byteLength), [4], 'only the body end() sent went out');
});

test('a client write after end() on its request body rejects at once instead of hanging', async () => {
  const { session } = await facingPeer('client');
  const stream = await session.request(POST);
  const writer = stream.writable.getWriter();
  await stream.end();
  assert.instance(await failure(writer.write(bytes(1))), TypeError);
});

test('a write queued behind one waiting for the window when end() is called rejects instead of hanging', async () => {
  const { session, wire, peer } = await facingPeer('client', {}, { 0x4: 4 });
  const stream = await session.request(POST);
  const writer = stream.writable.getWriter();
  const first = track(writer.write(bytes(8)));
  const second = track(writer.write(bytes(2)));
  // The writable has handed `first` over (half of it waits for the window); `second` waits in its queue.
  await settle();
  const ended = track(stream.end());
  await settle();
  assert.is(second.done, false);
  await wire.send(peer.windowUpdate(stream.id, 100));
  await settle();
  assert.is(first.done, true);
  assert.is(first.failed, undefined);
  assert.is(ended.failed, undefined);
  assert.is(second.done, true, 'the write after the end settled');
  assert.instance(second.failed, TypeError);
});

test('respond() on a stream the peer reset throws its H2StreamError and sends nothing', async () => {
  const { stream, peer } = await resetServerStream();
  let thrown: unknown = null;
  try {
    stream.respond(OK, { body: 'too late' });
  } catch (err) {
    thrown = err;
  }
  assertReset(thrown);
  await settle();
  peer.expectNone();
});

test('informational() on a stream the peer reset throws its H2StreamError', async () => {
  const { stream } = await resetServerStream();
  assert.throws(() => stream.informational([[':status', '103']]), (err: unknown) => err instanceof H2StreamError && err.code === ErrorCodes.CANCEL);
});

test('sendTrailers() on a stream the peer reset throws its H2StreamError', async () => {
  const { stream } = await resetServerStream();
  assert.throws(() => stream.sendTrailers([['x-checksum', 'abc']]), (err: unknown) => err instanceof H2StreamError);
});

test('end() and push() on a stream the peer reset fail with its H2StreamError', async () => {
  const { stream } = await resetServerStream();
  assertReset(await failure(stream.end('late')));
  assertReset(await failure(stream.end()));
  assert.throws(() => stream.push(GET), (err: unknown) => err instanceof H2StreamError);
});

test('respond() on a stream whose session failed throws the session error', async () => {
  const { stream, end } = await serverStream();
  end.destroy(new Error('ECONNRESET'));
  await settle();
  assert.throws(() => stream.respond(OK), (err: unknown) => err instanceof H2SessionError);
});

test('respond() a second time throws instead of sending a second header block', async () => {
  const { stream, peer } = await serverStream(true);
  stream.respond(OK);
  assert.throws(() => stream.respond(OK), (err: unknown) => err instanceof TypeError && /already/.test(err.message));
  await settle();
  peer.expectHeaders({ streamId: 1 }).expectNone();
});

test('informational() after the final response throws', async () => {
  const { stream, peer } = await serverStream(true);
  stream.respond(OK);
  assert.throws(() => stream.informational([[':status', '103']]), (err: unknown) => err instanceof TypeError && /after the final response/.test(err.message));
  await settle();
  peer.expectHeaders({ streamId: 1 }).expectNone();
});

test('respond() on a stream that already completed throws', async () => {
  const { stream } = await serverStream();
  stream.respond(OK, { endStream: true });
  await stream.closed;
  assert.throws(() => stream.respond(OK), (err: unknown) => err instanceof TypeError && /ended the stream/.test(err.message));
});

test('end(body) after the body ended rejects with a TypeError instead of throwing', async () => {
  const { stream } = await serverStream();
  stream.respond(OK);
  await stream.end('first');
  let result: Promise<void> | null = null;
  assert.not.throws(() => (result = stream.end('second')));
  assert.instance(await failure(result!), TypeError);
});

test('push() on a stream this side already ended throws a TypeError', async () => {
  const { stream } = await serverStream(true);
  stream.respond(OK, { endStream: true });
  assert.throws(() => stream.push(GET), (err: unknown) => err instanceof TypeError && /ended the stream/.test(err.message));
});

test.run();
