/**
 * A stream's `response`, `trailers` and `closed` are made when first read (a stream held open costs none
 * of them): read only after the stream ended or failed, each settles as it would have had it been read
 * from the start. Client side, against a scripted peer; no test sleeps.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes } from '../../src/core';
import { H2StreamError, type H2Stream } from '../../src/streams';
import { settle } from '../support/duplex-pair';
import { facingPeer, GET, OK, POST, track } from '../support/session-fixtures';

const TRAILERS: [string, string][] = [['x-checksum', 'abc']];

test('read after a complete exchange: response is the final header block, trailers null, closed fulfilled', async () => {
  const { session, wire, peer } = await facingPeer('client');
  const stream = await session.request(GET, { endStream: true });
  await wire.send(peer.headers(stream.id, OK, { endStream: true }));
  await settle();
  assert.equal(await stream.response, OK);
  assert.is(await stream.trailers, null);
  await stream.closed;
  await session.close();
});

test('read after trailers arrived: trailers are the trailing block', async () => {
  const { session, wire, peer } = await facingPeer('client');
  const stream = await session.request(GET, { endStream: true });
  await wire.send(peer.headers(stream.id, OK), peer.headers(stream.id, TRAILERS, { endStream: true }));
  await settle();
  assert.equal(await stream.trailers, TRAILERS);
  await stream.closed;
  await session.close();
});

test('read after the peer reset the stream before answering: all three reject with its reset', async () => {
  const { session, wire, peer } = await facingPeer('client');
  const stream = await session.request(GET, { endStream: true });
  await wire.send(peer.rstStream(stream.id, ErrorCodes.REFUSED_STREAM));
  await settle();
  const outcomes = [track(stream.response), track(stream.trailers), track(stream.closed)];
  await settle();
  for (const o of outcomes) {
    assert.instance(o.failed, H2StreamError);
    assert.is((o.failed as H2StreamError).code, ErrorCodes.REFUSED_STREAM);
  }
  await session.close();
});

test('read after the peer ended its side and the stream then failed: response and trailers kept, closed rejects', async () => {
  const { session, wire, peer } = await facingPeer('client');
  const stream = await session.request(POST);
  await wire.send(peer.headers(stream.id, OK, { endStream: true }));
  await settle();
  stream.reset(ErrorCodes.CANCEL);
  await settle();
  assert.equal(await stream.response, OK);
  assert.is(await stream.trailers, null, 'the peer ended without trailers before the failure');
  const closed = track(stream.closed);
  await settle();
  assert.instance(closed.failed, H2StreamError);
  await session.close();
});

test('read while the stream is open: pending until the peer answers, then settled', async () => {
  const { session, wire, peer } = await facingPeer('client');
  const stream = await session.request(GET, { endStream: true });
  const response = track(stream.response);
  const closed = track(stream.closed);
  await settle();
  assert.is(response.done, false);
  await wire.send(peer.headers(stream.id, OK, { endStream: true }));
  await settle();
  assert.is(response.done, true);
  assert.is(closed.done, true);
  assert.is(closed.failed, undefined);
  await session.close();
});

/** A server stream for a GET the peer sent, POST (body still open) when `post`. */
async function serverStream(post = false) {
  const fixture = await facingPeer('server');
  await fixture.wire.send(fixture.peer.headers(1, post ? POST : GET, { endStream: !post }));
  const { value } = await fixture.session.incoming.getReader().read();
  return { ...fixture, stream: value as H2Stream };
}

test('server: response read after respond() is the block sent, also once the stream failed; a second respond() or a 1xx throws', async () => {
  const { session, wire, peer, stream } = await serverStream(true);
  const sent: [string, string][] = [[':status', '201'], ['x-a', '1']];
  stream.respond(sent);
  assert.throws(() => stream.respond(OK), /already called/);
  assert.throws(() => stream.informational([[':status', '103']]), /after the final response/);
  await wire.send(peer.rstStream(stream.id, ErrorCodes.CANCEL));
  await settle();
  assert.instance(stream.error, H2StreamError);
  assert.is(await stream.response, sent, 'the very list respond() sent');
  await session.close({ graceful: false });
});

test('server: response read before respond() waits for it; read after a failure without one rejects', async () => {
  const first = await serverStream();
  const response = track(first.stream.response);
  await settle();
  assert.is(response.done, false);
  first.stream.respond(OK, { endStream: true });
  await settle();
  assert.is(response.done, true);
  assert.is(response.failed, undefined);
  await first.session.close({ graceful: false });
  const second = await serverStream(true);
  await second.wire.send(second.peer.rstStream(second.stream.id, ErrorCodes.CANCEL));
  await settle();
  const late = track(second.stream.response);
  await settle();
  assert.instance(late.failed, H2StreamError);
  await second.session.close({ graceful: false });
});

test.run();
