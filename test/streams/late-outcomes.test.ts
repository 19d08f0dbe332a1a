/**
 * A stream's `response`, `trailers` and `closed` are made when first read (a stream held open costs none
 * of them): read only after the stream ended or failed, each settles as it would have had it been read
 * from the start. Client side, against a scripted peer; no test sleeps.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes } from '../../src/core';
import { H2StreamError } from '../../src/streams';
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

test.run();
