/**
 * Graceful shutdown (beyond h2, issue #1181; RFC 9113 §6.8) on both sides: the two-step GOAWAY with
 * a PING, draining streams at or below the last stream ID, refusing newer ones, and a received
 * NO_ERROR GOAWAY that lets our streams finish.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionState, ErrorCodes, H2Configuration, H2Connection, ProtocolError } from '../../src/core';
import type { ConnectionTerminated, H2Event, StreamReset } from '../../src/core';
import { E } from '../support/peer';
import type { TestPeer } from '../support/peer';
import { REQUEST, RESPONSE, clientPair, serverPair, throwsError, types } from '../support/h2-connection';
import { concat, latin1 } from '../support/bytes';

const Shutdown = suite('graceful shutdown');

/** The opaque data of the PING the connection sends with its first GOAWAY. */
function gracefulPingData(peer: TestPeer, out: Uint8Array): Uint8Array {
  const frames = peer.read(out).drain();
  assert.equal(frames.map((f) => f.typeName), ['GOAWAY', 'PING']);
  assert.is(frames[0]!.lastStreamId, 2 ** 31 - 1);
  assert.is(frames[0]!.errorCode, E.NO_ERROR);
  return frames[1]!.opaqueData!;
}

Shutdown('startGracefulShutdown sends GOAWAY(2^31-1, NO_ERROR) then a PING', () => {
  const { conn, peer } = serverPair();
  conn.startGracefulShutdown();
  gracefulPingData(peer, conn.dataToSend());
  assert.is.not(conn.state, ConnectionState.CLOSED);
});

Shutdown('the PING ACK triggers the second GOAWAY with the real last stream ID and no event', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
  conn.startGracefulShutdown();
  const data = gracefulPingData(peer, conn.dataToSend());
  conn.receiveData(peer.headers(3, REQUEST, { endStream: true }));
  const events = conn.receiveData(peer.ping(data, { ack: true }));
  assert.equal(events, []);
  peer.read(conn.dataToSend()).expectGoAway(3, E.NO_ERROR).expectNone();
});

Shutdown('streams at or below the last ID finish; newer ones are refused with REFUSED_STREAM', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
  conn.startGracefulShutdown();
  const data = gracefulPingData(peer, conn.dataToSend());
  conn.receiveData(peer.ping(data, { ack: true }));
  peer.read(conn.dataToSend()).expectGoAway(1, E.NO_ERROR).expectNone();
  const events = conn.receiveData(concat(peer.headers(3, REQUEST, { endStream: true }), peer.data(3, 'in flight')));
  assert.equal(events, []);
  peer.read(conn.dataToSend()).expectRstStream(3, E.REFUSED_STREAM).expectRstStream(3, E.STREAM_CLOSED).expectNone();
  conn.sendHeaders(1, RESPONSE);
  conn.sendData(1, latin1('done'), { endStream: true });
  peer.read(conn.dataToSend()).expectHeaders({ streamId: 1 }).expectData(1, 'done', { endStream: true }).expectNone();
  assert.is(conn.openInboundStreams, 0);
});

Shutdown('a PING ACK with other data is reported normally during the shutdown', () => {
  const { conn, peer } = serverPair();
  conn.startGracefulShutdown();
  conn.dataToSend();
  assert.equal(types(conn.receiveData(peer.ping('otherdat', { ack: true }))), ['PingAckReceived']);
  assert.is(conn.dataToSend().length, 0);
});

Shutdown('closeConnection with NO_ERROR drains: open streams continue, newer ones are refused', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  conn.closeConnection();
  peer.read(conn.dataToSend()).expectGoAway(1, E.NO_ERROR).expectNone();
  assert.equal(types(conn.receiveData(peer.data(1, 'body', { endStream: true }))), ['DataReceived', 'StreamEnded']);
  conn.receiveData(peer.headers(3, REQUEST));
  conn.sendHeaders(1, RESPONSE, { endStream: true });
  peer.read(conn.dataToSend()).expectRstStream(3, E.REFUSED_STREAM).expectHeaders({ streamId: 1 }).expectNone();
  assert.not.ok(conn.streams.has(3));
});

Shutdown("after a client's graceful GOAWAY, pushes above its last stream ID are refused; the request still completes", () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST, { endStream: true });
  conn.closeConnection();
  peer.read(conn.dataToSend()).expectHeaders({ streamId: 1 }).expectGoAway(0, E.NO_ERROR).expectNone();
  const events = conn.receiveData(concat(peer.pushPromise(1, 2, REQUEST), peer.headers(1, RESPONSE, { endStream: true })));
  assert.equal(types(events), ['ResponseReceived', 'StreamEnded']);
  peer.read(conn.dataToSend()).expectRstStream(2, E.REFUSED_STREAM).expectNone();
  // The refused push's frames in flight are answered as for any stream we reset.
  assert.equal(conn.receiveData(peer.headers(2, RESPONSE, { endStream: true })), []);
});

Shutdown('the last stream ID of a graceful GOAWAY may only go down', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(5, REQUEST));
  conn.closeConnection({ lastStreamId: 3 });
  throwsError(() => conn.closeConnection({ lastStreamId: 5 }), ProtocolError);
  conn.closeConnection();
  peer.read(conn.dataToSend()).expectGoAway(3).expectGoAway(3).expectNone();
});

Shutdown('closeConnection with an error code closes at once, as in h2', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  conn.closeConnection({ errorCode: ErrorCodes.PROTOCOL_ERROR });
  assert.is(conn.state, ConnectionState.CLOSED);
  throwsError(() => conn.sendHeaders(1, RESPONSE), ProtocolError);
  throwsError(() => conn.receiveData(peer.data(1, 'x')), ProtocolError);
});

Shutdown('a NO_ERROR GOAWAY lets our streams up to its last ID finish and refuses the others', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST, { endStream: true });
  conn.sendHeaders(3, REQUEST, { endStream: true });
  conn.sendHeaders(5, REQUEST);
  conn.ping(latin1('stillhre'));
  const events = conn.receiveData(peer.goAway(1));
  assert.equal(types(events), ['ConnectionTerminated', 'StreamReset', 'StreamReset']);
  assert.is((events[0] as ConnectionTerminated).lastStreamId, 1);
  assert.equal(events.slice(1).map((e) => [(e as StreamReset).streamId, (e as StreamReset).errorCode]), [[3, E.REFUSED_STREAM], [5, E.REFUSED_STREAM]]);
  // Output queued before the GOAWAY is kept: the connection still works for stream 1.
  peer.read(conn.dataToSend()).expectHeaders().expectHeaders().expectHeaders().expectPing().expectNone();
  assert.equal(types(conn.receiveData(peer.headers(1, RESPONSE, { endStream: true }))), ['ResponseReceived', 'StreamEnded']);
  assert.is(conn.openOutboundStreams, 0);
});

Shutdown('a NO_ERROR GOAWAY passes over a stream whose request was never built', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST, { endStream: true });
  throwsError(() => conn.sendHeaders(3, [[':method', 5 as unknown as string]]), TypeError);
  conn.dataToSend();
  assert.equal(types(conn.receiveData(peer.goAway(1))), ['ConnectionTerminated']);
});

Shutdown('after a NO_ERROR GOAWAY no new stream may be opened or pushed', () => {
  const { conn, peer } = clientPair();
  conn.receiveData(peer.goAway(0));
  throwsError(() => conn.sendHeaders(1, REQUEST), ProtocolError);
  const server = serverPair();
  server.conn.receiveData(server.peer.headers(1, REQUEST, { endStream: true }));
  server.conn.receiveData(server.peer.goAway(1));
  throwsError(() => server.conn.pushStream(1, 2, REQUEST), ProtocolError);
  server.conn.sendHeaders(1, RESPONSE, { endStream: true });
});

Shutdown('a GOAWAY with an error code after a graceful one still closes the connection', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST);
  conn.receiveData(peer.goAway(1));
  conn.receiveData(peer.goAway(1, E.INTERNAL_ERROR));
  assert.is(conn.state, ConnectionState.CLOSED);
  assert.is(conn.dataToSend().length, 0);
});

Shutdown('two connections finish a request in flight across a graceful shutdown', () => {
  const client = new H2Connection();
  const server = new H2Connection(new H2Configuration({ clientSide: false }));
  const clientEvents: H2Event[] = [];
  const serverEvents: H2Event[] = [];
  const pump = (): void => {
    for (let moved = true; moved; ) {
      const up = client.dataToSend();
      if (up.length > 0) serverEvents.push(...server.receiveData(up));
      const down = server.dataToSend();
      if (down.length > 0) clientEvents.push(...client.receiveData(down));
      moved = up.length > 0 || down.length > 0;
    }
  };
  client.initiateConnection();
  server.initiateConnection();
  client.sendHeaders(1, REQUEST);
  pump();
  server.startGracefulShutdown();
  pump();
  const goaways = clientEvents.filter((e): e is ConnectionTerminated => e.type === 'ConnectionTerminated');
  assert.equal(goaways.map((e) => e.lastStreamId), [2 ** 31 - 1, 1]);
  assert.not.ok(serverEvents.some((e) => e.type === 'PingAckReceived'));
  client.sendData(1, latin1('body'), { endStream: true });
  pump();
  assert.equal(types(serverEvents.slice(-2)), ['DataReceived', 'StreamEnded']);
  server.sendHeaders(1, RESPONSE, { endStream: true });
  pump();
  assert.equal(types(clientEvents.slice(-2)), ['ResponseReceived', 'StreamEnded']);
  throwsError(() => client.sendHeaders(3, REQUEST), ProtocolError);
  assert.is(server.openInboundStreams, 0);
});

Shutdown.run();
