/**
 * A stream whose DATA the peer's flow-control window has kept out for `timeouts.streamStall` is reset
 * with CANCEL: a client that opens many streams and never reads cannot hold the server's handlers and
 * buffers forever. Streams with nothing to send, or that keep moving however slowly, are left alone.
 * Driven by the TestClock; no test sleeps.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes, SettingCodes } from '../../src/core';
import { H2StreamError, type H2Stream } from '../../src/streams';
import { settle } from '../support/duplex-pair';
import { facingPeer, GET, OK, POST, track } from '../support/session-fixtures';
import { TestClock } from '../support/test-clock';

const bytes = (n: number): Uint8Array => new Uint8Array(n).fill(0x63);

/** A server facing a client that advertised `window` bytes of stream window, with `requests` GETs open. */
async function serverWithRequests(window: number, requests: number, streamStall?: number) {
  const clock = new TestClock();
  const timeouts = streamStall === undefined ? {} : { streamStall };
  const fixture = await facingPeer('server', { clock, timeouts: { idle: 0, ...timeouts } }, { [SettingCodes.INITIAL_WINDOW_SIZE]: window });
  const { session, wire, peer } = fixture;
  const frames: Uint8Array[] = [];
  for (let i = 0; i < requests; i++) frames.push(peer.headers(2 * i + 1, GET, { endStream: true }));
  await wire.send(...frames);
  const incoming = session.incoming.getReader();
  const streams: H2Stream[] = [];
  for (let i = 0; i < requests; i++) streams.push((await incoming.read()).value as H2Stream);
  return { ...fixture, clock, streams };
}

function resets(frames: readonly { typeName: string; streamId: number; errorCode?: number }[]): [number, number | undefined][] {
  return frames.filter((f) => f.typeName === 'RST_STREAM').map((f) => [f.streamId, f.errorCode]);
}

test('a response the peer never opens its window for is reset with CANCEL at the stream-stall deadline', async () => {
  const { clock, streams, peer, session } = await serverWithRequests(4, 1, 2000);
  const stream = streams[0]!;
  stream.respond(OK, { body: bytes(10) });
  const closed = track(stream.closed);
  await settle();
  peer.drain();
  clock.advance(1999);
  await settle();
  assert.equal(resets(peer.drain()), [], 'not yet');
  clock.advance(1);
  await settle();
  assert.equal(resets(peer.drain()), [[1, ErrorCodes.CANCEL]]);
  assert.instance(closed.failed, H2StreamError);
  assert.is((closed.failed as H2StreamError).code, ErrorCodes.CANCEL);
  assert.is((closed.failed as H2StreamError).remote, false);
  const pinged = track(session.ping());
  await settle();
  assert.is(pinged.done, false, 'the session is still up (the PING awaits its ACK)');
});

test('a client that opens many streams and never reads has every one reset, and nothing stays queued', async () => {
  const { clock, streams, peer } = await serverWithRequests(0, 50, 2000);
  const ends = streams.map((s) => {
    s.respond(OK);
    return track(s.end(bytes(16_384)));
  });
  await settle();
  peer.drain();
  clock.advance(3000);
  await settle();
  const reset = resets(peer.drain());
  assert.is(reset.length, 50);
  assert.ok(reset.every(([, code]) => code === ErrorCodes.CANCEL));
  assert.ok(ends.every((e) => e.failed instanceof H2StreamError), 'every end() rejected');
  clock.advance(100_000);
  await settle();
  assert.is(clock.pending, 0, 'no stall check stays armed with nothing blocked');
});

test('a stream blocked by the connection window alone is reset too', async () => {
  const { clock, streams, peer } = await serverWithRequests(1 << 20, 1, 2000);
  const stream = streams[0]!;
  // More than the connection's initial 65 535-byte window, which this peer never raises.
  stream.respond(OK, { body: bytes(100_000) });
  await settle();
  peer.drain();
  clock.advance(3000);
  await settle();
  assert.equal(resets(peer.drain()), [[1, ErrorCodes.CANCEL]]);
});

test('a stream the peer keeps reading, however slowly, is never reset', async () => {
  const { clock, streams, peer, wire } = await serverWithRequests(4, 1, 2000);
  const stream = streams[0]!;
  stream.respond(OK, { body: bytes(40) });
  const closed = track(stream.closed);
  for (let i = 0; i < 9; i++) {
    clock.advance(1500);
    await wire.send(peer.windowUpdate(1, 4), peer.windowUpdate(0, 4));
    await settle();
  }
  assert.equal(resets(peer.drain()), []);
  assert.is(closed.done, true, 'the body finished');
  assert.is(closed.failed, undefined);
});

test('a stream with nothing to send is not reset, however long it stays open', async () => {
  const { clock, streams, peer } = await serverWithRequests(0, 1, 2000);
  streams[0]!.respond(OK);
  await settle();
  clock.advance(60_000);
  await settle();
  assert.equal(resets(peer.drain()), []);
});

test('the stream-stall deadline is 60 s by default and 0 turns it off', async () => {
  const byDefault = await serverWithRequests(0, 1);
  byDefault.streams[0]!.respond(OK, { body: bytes(10) });
  await settle();
  byDefault.clock.advance(59_999);
  await settle();
  assert.equal(resets(byDefault.peer.drain()), []);
  byDefault.clock.advance(30_000);
  await settle();
  assert.equal(resets(byDefault.peer.drain()), [[1, ErrorCodes.CANCEL]]);

  const off = await serverWithRequests(0, 1, 0);
  off.streams[0]!.respond(OK, { body: bytes(10) });
  await settle();
  off.clock.advance(600_000);
  await settle();
  assert.equal(resets(off.peer.drain()), []);
});

test('a client upload the server never reads is reset at the stream-stall deadline', async () => {
  const clock = new TestClock();
  const { session, peer } = await facingPeer('client', { clock, timeouts: { streamStall: 2000 } }, { [SettingCodes.INITIAL_WINDOW_SIZE]: 0 });
  const stream = await session.request(POST);
  const write = track(stream.writable.getWriter().write(bytes(10)));
  await settle();
  peer.drain();
  clock.advance(3000);
  await settle();
  assert.equal(resets(peer.drain()), [[stream.id, ErrorCodes.CANCEL]]);
  assert.instance(write.failed, H2StreamError);
});

test.run();
