/**
 * How a client session ends and what it tolerates while ending, as a scripted server sees it: one
 * GOAWAY (last stream id: the last pushed stream, or 0) and no PING round trip, and a server's DATA on
 * a stream it ended is a connection error STREAM_CLOSED also while the client is closing.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes } from '../../src/core';
import { H2Session, H2SessionError, type H2Settings } from '../../src/streams';
import { duplexPair, rejection, settle } from '../support/duplex-pair';
import { WirePeer } from '../support/wire-peer';

const Close = suite('client close');

const GET: [string, string][] = [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'example.com']];
const OK: [string, string][] = [[':status', '200']];

/** A client session facing a scripted server, past the SETTINGS exchange. */
async function clientFacingServer(settings: H2Settings = {}) {
  const [a, b] = duplexPair();
  const client = new H2Session(a, { role: 'client', settings });
  const wire = new WirePeer(b, 'server');
  await wire.send(wire.peer.settings(), wire.peer.settingsAck());
  await settle();
  wire.peer.drain();
  return { client, wire, peer: wire.peer };
}

Close('a client that is done sends one GOAWAY with last stream id 0 and closes, without a PING', async () => {
  const { client, wire, peer } = await clientFacingServer({ enablePush: false });
  const stream = await client.request(GET, { endStream: true });
  await wire.send(peer.headers(1, OK, { endStream: true }));
  await stream.closed;
  // The peer answers nothing: the close must not wait for a round trip.
  await client.close();
  await client.closed;
  await settle();
  const frames = peer.drain();
  assert.equal(frames.map((f) => f.typeName), ['HEADERS', 'GOAWAY']);
  assert.is(frames[1]!.lastStreamId, 0);
  assert.is(frames[1]!.errorCode, ErrorCodes.NO_ERROR);
  assert.ok(wire.eof);
});

Close('a client closing with a request in flight sends GOAWAY at once, then waits for the response only', async () => {
  const { client, wire, peer } = await clientFacingServer({ enablePush: false });
  const stream = await client.request(GET, { endStream: true });
  const closing = client.close();
  await settle();
  assert.equal(peer.drain().map((f) => f.typeName), ['HEADERS', 'GOAWAY']);
  assert.not.ok(wire.eof);
  await wire.send(peer.headers(1, OK), peer.data(1, 'done', { endStream: true }));
  assert.is(new TextDecoder().decode(new Uint8Array(await new Response(stream.readable).arrayBuffer())), 'done');
  await closing;
  await settle();
  assert.not.ok(peer.drain().some((f) => f.typeName === 'PING' || f.typeName === 'GOAWAY'));
  assert.ok(wire.eof);
});

Close("a client's GOAWAY names the last pushed stream it took", async () => {
  const { client, wire, peer } = await clientFacingServer({ enablePush: true });
  const stream = await client.request(GET, { endStream: true });
  await wire.send(peer.pushPromise(1, 2, [...GET.slice(0, 2), [':path', '/pushed'], GET[3]!]), peer.headers(1, OK, { endStream: true }));
  const reader = client.incoming.getReader();
  const pushed = (await reader.read()).value!;
  assert.is(pushed.id, 2);
  await wire.send(peer.headers(2, OK, { endStream: true }));
  await stream.closed;
  await pushed.closed;
  await client.close();
  await settle();
  const goaway = peer.drain().filter((f) => f.typeName === 'GOAWAY');
  assert.is(goaway.length, 1);
  assert.is(goaway[0]!.lastStreamId, 2);
});

Close('DATA on a stream the server ended is a connection error STREAM_CLOSED, also while the client is closing', async () => {
  for (const closing of [false, true]) {
    const { client, wire, peer } = await clientFacingServer({ enablePush: false });
    const done = await client.request(GET, { endStream: true });
    await wire.send(peer.headers(1, OK, { endStream: true }));
    await done.closed;
    // A second request keeps a graceful close waiting.
    const open = await client.request(GET, { endStream: true });
    const openClosed = rejection(open.closed);
    const closed = rejection(client.closed);
    if (closing) void client.close();
    await settle();
    peer.drain();
    await wire.send(peer.data(1, 'late'));
    const err = (await closed) as H2SessionError;
    assert.instance(err, H2SessionError);
    assert.is(err.code, ErrorCodes.STREAM_CLOSED);
    assert.instance(await openClosed, H2SessionError);
    await settle();
    const goaway = peer.drain().filter((f) => f.typeName === 'GOAWAY');
    assert.is(goaway[goaway.length - 1]!.errorCode, ErrorCodes.STREAM_CLOSED);
  }
});

Close('RST_STREAM on an idle stream is a connection error PROTOCOL_ERROR for a client session', async () => {
  const { client, wire, peer } = await clientFacingServer({ enablePush: false });
  const stream = await client.request(GET, { endStream: true });
  const failed = rejection(stream.closed);
  await wire.send(peer.rstStream(3, ErrorCodes.CANCEL));
  const err = (await rejection(client.closed)) as H2SessionError;
  assert.is(err.code, ErrorCodes.PROTOCOL_ERROR);
  assert.instance(await failed, H2SessionError);
  await settle();
  const goaway = peer.drain().filter((f) => f.typeName === 'GOAWAY');
  assert.is(goaway[0]!.errorCode, ErrorCodes.PROTOCOL_ERROR);
});

Close.run();
