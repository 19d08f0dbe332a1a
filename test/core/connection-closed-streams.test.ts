/**
 * Frames on closed streams, resets and illegal frame sequences: StreamClosedBy deciding stream vs
 * connection errors exactly as h2, lazy forgetting of closed streams, CONTINUATION sequencing, push
 * on closed or pushed streams, open-stream counting. Ports h2's test_closed_streams,
 * test_stream_reset, test_invalid_frame_sequences and test_complex_logic topics.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes, FrameDataMissingError, H2Error, ProtocolError, StreamClosedError } from '../../src/core';
import type { H2Connection } from '../../src/core';
import { mulberry32 } from '../support/prng';
import type { PushedStreamReceived, RequestReceived, ResponseReceived, StreamReset } from '../../src/core';
import { E } from '../support/peer';
import { REQUEST, RESPONSE, clientPair, expectMalformed, serverPair, throwsError, types } from '../support/h2-connection';
import { bytes, concat, latin1 } from '../support/bytes';

const Closed = suite('closed streams and frame sequences');

Closed('several RST_STREAMs for one stream are all accepted, the first one reported', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  const events = conn.receiveData(concat(peer.rstStream(1), peer.rstStream(1), peer.rstStream(1)));
  assert.equal(types(events), ['StreamReset']);
  assert.is(conn.dataToSend().length, 0);
});

Closed('closed streams leave the streams map the next time open streams are counted', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  conn.pushStream(1, 2, REQUEST);
  conn.resetStream(1);
  conn.receiveData(peer.rstStream(2));
  assert.is(conn.streams.size, 2);
  assert.is(conn.openOutboundStreams, 0);
  assert.is(conn.streams.size, 0);
});

Closed('WINDOW_UPDATE and RST_STREAM after we ended a stream are ignored', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
  conn.sendHeaders(1, RESPONSE, { endStream: true });
  conn.dataToSend();
  for (const forget of [false, true]) {
    if (forget) assert.is(conn.openInboundStreams, 0);
    assert.equal(conn.receiveData(concat(peer.windowUpdate(1, 5), peer.rstStream(1))), []);
    assert.is(conn.dataToSend().length, 0);
  }
});

for (const forget of [false, true]) {
  const when = forget ? 'once forgotten' : 'while remembered';
  Closed(`HEADERS after a stream ended both ways are a STREAM_CLOSED connection error (${when})`, () => {
    for (const endStream of [true, false]) {
      const { conn, peer } = serverPair();
      conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
      conn.sendHeaders(1, RESPONSE, { endStream: true });
      if (forget) assert.is(conn.openInboundStreams, 0);
      conn.dataToSend();
      const err = throwsError(() => conn.receiveData(peer.headers(1, REQUEST, { endStream })), ProtocolError);
      assert.is(err.errorCode, ErrorCodes.STREAM_CLOSED);
      peer.read(conn.dataToSend()).expectGoAway(1, E.STREAM_CLOSED).expectNone();
    }
  });

  // RFC 9113 §5.1 (closed): the peer ended the stream itself, so its DATA is no race but a violation.
  // h2 answers with RST_STREAM only (differences.ts, data-after-end-stream).
  for (const role of ['client', 'server'] as const) {
    Closed(`a ${role} treats DATA on a stream ended both ways as a connection error STREAM_CLOSED (${when})`, () => {
      for (const closing of [false, true]) {
        const { conn, peer } = role === 'client' ? clientPair() : serverPair();
        if (role === 'client') {
          conn.sendHeaders(1, REQUEST, { endStream: true });
          conn.receiveData(peer.headers(1, RESPONSE, { endStream: true }));
        } else {
          conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
          conn.sendHeaders(1, RESPONSE, { endStream: true });
        }
        if (forget) assert.is(role === 'client' ? conn.openOutboundStreams : conn.openInboundStreams, 0);
        // Also while the connection is closing (our graceful GOAWAY sent).
        if (closing) conn.closeConnection();
        conn.dataToSend();
        const err = throwsError(() => conn.receiveData(peer.data(1, 'x', { endStream: true })), StreamClosedError);
        assert.is(err.errorCode, ErrorCodes.STREAM_CLOSED);
        peer.read(conn.dataToSend()).expectGoAway(undefined, E.STREAM_CLOSED).expectNone();
      }
    });
  }

  Closed(`DATA in half-closed (remote) stays a stream error STREAM_CLOSED (${when})`, () => {
    const { conn, peer } = serverPair();
    conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
    if (forget) assert.is(conn.openInboundStreams, 1);
    conn.dataToSend();
    conn.receiveData(peer.data(1, 'x'));
    peer.read(conn.dataToSend()).expectRstStream(1, E.STREAM_CLOSED).expectNone();
  });

  Closed(`frames after the peer reset a stream get RST_STREAM STREAM_CLOSED (${when})`, () => {
    const { conn, peer } = clientPair();
    conn.sendHeaders(1, REQUEST, { endStream: true });
    conn.receiveData(peer.rstStream(1, E.CANCEL));
    if (forget) assert.is(conn.openOutboundStreams, 0);
    conn.dataToSend();
    assert.equal(conn.receiveData(concat(peer.headers(1, RESPONSE), peer.data(1, 'x'))), []);
    peer.read(conn.dataToSend()).expectRstStream(1, E.STREAM_CLOSED).expectRstStream(1, E.STREAM_CLOSED).expectNone();
  });

  Closed(`frames after we reset a stream get RST_STREAM STREAM_CLOSED (${when})`, () => {
    const { conn, peer } = serverPair();
    conn.receiveData(peer.headers(1, REQUEST));
    conn.resetStream(1, ErrorCodes.INTERNAL_ERROR);
    if (forget) assert.is(conn.openInboundStreams, 0);
    conn.dataToSend();
    assert.equal(conn.receiveData(concat(peer.data(1, 'x'), peer.headers(1, [['trailer', '1']], { endStream: true }))), []);
    peer.read(conn.dataToSend()).expectRstStream(1, E.STREAM_CLOSED).expectRstStream(1, E.STREAM_CLOSED).expectNone();
  });
}

Closed('a stream closed implicitly by a higher ID is a PROTOCOL_ERROR when reused', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(3, REQUEST));
  throwsError(() => conn.receiveData(peer.headers(1, REQUEST)), ProtocolError);
  peer.read(conn.dataToSend()).expectGoAway(3, E.PROTOCOL_ERROR).expectNone();
});

Closed('a reset stream still feeds the HPACK decoder', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST);
  conn.resetStream(1);
  conn.sendHeaders(3, REQUEST);
  conn.dataToSend();
  assert.equal(conn.receiveData(peer.headers(1, [...RESPONSE, ['x-indexed', 'value']])), []);
  peer.read(conn.dataToSend()).expectRstStream(1, E.STREAM_CLOSED).expectNone();
  const ev = conn.receiveData(peer.headers(3, [...RESPONSE, ['x-indexed', 'value']]))[0] as ResponseReceived;
  assert.equal(ev.headers, [...RESPONSE, ['x-indexed', 'value']]);
});

for (const [closeId, otherId] of [[1, 3], [3, 1]] as const) {
  Closed(`DATA on reset stream ${closeId} still counts against the connection window seen by stream ${otherId}`, () => {
    const { conn, peer } = clientPair();
    conn.sendHeaders(1, REQUEST);
    conn.sendHeaders(3, REQUEST);
    const before = conn.remoteFlowControlWindow(otherId);
    conn.receiveData(peer.headers(closeId, RESPONSE));
    conn.resetStream(closeId);
    conn.dataToSend();
    conn.receiveData(peer.data(closeId, 'some data'));
    peer.read(conn.dataToSend()).expectRstStream(closeId, E.STREAM_CLOSED).expectNone();
    assert.is(conn.remoteFlowControlWindow(otherId), before - 9);
  });
}

for (const forget of [false, true]) {
  Closed(`a PUSH_PROMISE on a stream we reset is refused (${forget ? 'once forgotten' : 'while remembered'})`, () => {
    const { conn, peer } = clientPair();
    conn.sendHeaders(1, REQUEST);
    conn.resetStream(1);
    conn.dataToSend();
    if (forget) assert.is(conn.openOutboundStreams, 0);
    assert.equal(conn.receiveData(peer.pushPromise(1, 2, REQUEST)), []);
    peer.read(conn.dataToSend()).expectRstStream(2, E.REFUSED_STREAM).expectNone();
  });

  Closed(`a PUSH_PROMISE on a stream that ended naturally is a PROTOCOL_ERROR (${forget ? 'once forgotten' : 'while remembered'})`, () => {
    const { conn, peer } = clientPair();
    conn.sendHeaders(1, REQUEST, { endStream: true });
    conn.receiveData(peer.headers(1, RESPONSE, { endStream: true }));
    if (forget) assert.is(conn.openOutboundStreams, 0);
    conn.dataToSend();
    throwsError(() => conn.receiveData(peer.pushPromise(1, 2, REQUEST)), ProtocolError);
    peer.read(conn.dataToSend()).expectGoAway(0).expectNone();
  });
}

Closed('a PUSH_PROMISE on a stream the server already ended (half-closed) refuses the promised stream', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST);
  conn.receiveData(peer.headers(1, RESPONSE, { endStream: true }));
  conn.dataToSend();
  assert.equal(conn.receiveData(peer.pushPromise(1, 2, REQUEST)), []);
  peer.read(conn.dataToSend()).expectRstStream(2, E.REFUSED_STREAM).expectNone();
});

Closed('a push on a pushed stream is a PROTOCOL_ERROR, either way', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST, { endStream: true });
  conn.receiveData(concat(peer.pushPromise(1, 2, REQUEST), peer.headers(2, RESPONSE)));
  throwsError(() => conn.receiveData(peer.pushPromise(2, 4, REQUEST)), ProtocolError);
});

Closed('a client rejects a push promising an odd stream', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST, { endStream: true });
  throwsError(() => conn.receiveData(peer.pushPromise(1, 3, REQUEST)), ProtocolError);
});

Closed('an automatic reset is reported once; later frames only get RST_STREAM', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
  const bad = peer.data(1, 'some data');
  const events = conn.receiveData(concat(bad, bad, bad, bad, bad));
  assert.equal(types(events), ['StreamReset']);
  const reset = events[0] as StreamReset;
  assert.is(reset.errorCode, ErrorCodes.STREAM_CLOSED);
  assert.not.ok(reset.remoteReset);
  assert.is(peer.read(conn.dataToSend()).drain().filter((f) => f.typeName === 'RST_STREAM').length, 5);
});

Closed('DATA before the response HEADERS is a malformed response: that stream is reset with PROTOCOL_ERROR', () => {
  const pair = clientPair();
  const { conn, peer } = pair;
  conn.sendHeaders(1, REQUEST);
  conn.sendHeaders(3, REQUEST, { endStream: true });
  peer.read(conn.dataToSend()).expectHeaders().expectHeaders().expectNone();
  // RFC 9113 §8.1: a response is HEADERS, then DATA (§8.1.1 malformed: a stream error).
  expectMalformed(pair, conn.receiveData(peer.data(1, 'x')), 1);
  assert.equal(types(conn.receiveData(peer.headers(3, RESPONSE, { endStream: true }))), ['ResponseReceived', 'StreamEnded']);
});

Closed('a frame with a payload too short for its type is a FRAME_SIZE_ERROR', () => {
  const { conn, peer } = serverPair();
  const err = throwsError(() => conn.receiveData(peer.raw(0x8, 0, 0, bytes(0, 0, 1))), FrameDataMissingError);
  assert.is(err.errorCode, ErrorCodes.FRAME_SIZE_ERROR);
  peer.read(conn.dataToSend()).expectGoAway(0, E.FRAME_SIZE_ERROR).expectNone();
});

Closed('a stream frame on stream 0 is a PROTOCOL_ERROR', () => {
  const { conn, peer } = serverPair();
  throwsError(() => conn.receiveData(peer.raw(0x0, 0, 0, 'x')), ProtocolError);
  peer.read(conn.dataToSend()).expectGoAway(0, E.PROTOCOL_ERROR).expectNone();
});

Closed('a header block split over CONTINUATION frames is decoded as one', () => {
  const { conn, peer } = serverPair();
  const events = conn.receiveData(peer.headers(1, REQUEST, { fragments: 5, endStream: true }));
  assert.equal(types(events), ['RequestReceived', 'StreamEnded']);
  assert.equal((events[0] as RequestReceived).headers, REQUEST);
  const more = conn.receiveData(peer.headers(3, REQUEST, { fragments: 3 }));
  assert.equal(types(more), ['RequestReceived']);
});

Closed('a PUSH_PROMISE split over CONTINUATION frames is decoded as one, several times', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST);
  for (const promised of [2, 4, 6]) {
    const ev = conn.receiveData(peer.pushPromise(1, promised, REQUEST, { fragments: 3 }))[0] as PushedStreamReceived;
    assert.is(ev.pushedStreamId, promised);
    assert.equal(ev.headers, REQUEST);
  }
});

for (const [name, interloper] of [
  ['HEADERS', (p: ReturnType<typeof serverPair>['peer']) => p.headers(3, REQUEST)],
  ['DATA', (p: ReturnType<typeof serverPair>['peer']) => p.data(1, 'x')],
  ['an unknown frame', (p: ReturnType<typeof serverPair>['peer']) => p.raw(0x42, 0, 0, 'x')],
  ['PING', (p: ReturnType<typeof serverPair>['peer']) => p.ping()],
] as const) {
  Closed(`${name} inside a header block is a PROTOCOL_ERROR`, () => {
    const { conn, peer } = serverPair();
    const block = peer.headerBlock(REQUEST);
    const wire = concat(peer.headersRaw(1, block.subarray(0, 5), { endHeaders: false }), interloper(peer), peer.continuation(1, block.subarray(5)));
    throwsError(() => conn.receiveData(wire), ProtocolError);
    peer.read(conn.dataToSend()).expectGoAway(undefined, E.PROTOCOL_ERROR).expectNone();
  });
}

Closed('a CONTINUATION with no header block open is a PROTOCOL_ERROR', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST));
  throwsError(() => conn.receiveData(peer.continuation(1, peer.headerBlock([['x', 'y']]))), ProtocolError);
  peer.read(conn.dataToSend()).expectGoAway(1, E.PROTOCOL_ERROR).expectNone();
});

Closed('open streams are counted per side as they open, half-close and close', () => {
  const { conn, peer } = serverPair();
  conn.receiveData(concat(peer.headers(1, REQUEST, { endStream: true }), peer.headers(3, REQUEST), peer.headers(5, REQUEST)));
  assert.is(conn.openInboundStreams, 3);
  assert.is(conn.openOutboundStreams, 0);
  conn.pushStream(1, 2, REQUEST);
  assert.is(conn.openOutboundStreams, 0);
  conn.sendHeaders(2, RESPONSE);
  assert.is(conn.openOutboundStreams, 1);
  conn.sendHeaders(1, RESPONSE, { endStream: true });
  assert.is(conn.openInboundStreams, 2);
  conn.receiveData(peer.rstStream(3));
  conn.resetStream(5);
  assert.is(conn.openInboundStreams, 0);
  conn.sendData(2, latin1('x'), { endStream: true });
  assert.is(conn.openOutboundStreams, 0);
  assert.is(conn.streams.size, 0);
});

Closed('a client counts its streams and the pushed ones separately', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST, { endStream: true });
  conn.sendHeaders(3, REQUEST);
  conn.receiveData(concat(peer.pushPromise(1, 2, REQUEST), peer.pushPromise(1, 4, REQUEST)));
  assert.is(conn.openOutboundStreams, 2);
  assert.is(conn.openInboundStreams, 0);
  conn.receiveData(peer.headers(2, RESPONSE));
  assert.is(conn.openInboundStreams, 1);
  conn.receiveData(peer.data(2, '', { endStream: true }));
  assert.is(conn.openInboundStreams, 0);
  conn.receiveData(peer.headers(1, RESPONSE, { endStream: true }));
  assert.is(conn.openOutboundStreams, 1);
});

Closed('sending on a closed stream is StreamClosedError', () => {
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST, { endStream: true });
  conn.receiveData(peer.headers(1, RESPONSE, { endStream: true }));
  throwsError(() => conn.sendData(1, latin1('x')), StreamClosedError);
  throwsError(() => conn.resetStream(1), StreamClosedError);
  assert.is(conn.openOutboundStreams, 0);
  throwsError(() => conn.sendHeaders(1, REQUEST), ProtocolError);
});

/** Open streams per side counted the way h2 does it: a scan of every live stream. */
function scanOpen(conn: H2Connection): [outbound: number, inbound: number] {
  let outbound = 0;
  let inbound = 0;
  for (const [id, stream] of conn.streams) {
    if (!stream.open) continue;
    if ((id % 2 === 1) === conn.config.clientSide) outbound++;
    else inbound++;
  }
  return [outbound, inbound];
}

Closed('the kept open-stream counters always equal h2\'s scan, over seeded random traffic', () => {
  const rand = mulberry32(2026);
  for (let run = 0; run < 300; run++) {
    const server = run % 2 === 0;
    const { conn, peer } = server ? serverPair({ maxConcurrentStreams: 4 }) : clientPair({ maxConcurrentStreams: 4 });
    const ids = server ? [1, 3, 5, 7, 9, 2, 4] : [1, 3, 5, 7, 2, 4, 6];
    for (let step = 0; step < 40; step++) {
      const id = rand.pick(ids);
      const action = rand.int(13);
      try {
        if (action === 0) conn.receiveData(peer.headers(id, server ? REQUEST : RESPONSE, { endStream: rand.int(2) === 0 }));
        else if (action === 1) conn.receiveData(peer.data(id, 'x'.repeat(rand.int(20)), { endStream: rand.int(2) === 0 }));
        else if (action === 2) conn.receiveData(peer.rstStream(id, rand.int(9)));
        else if (action === 3) conn.receiveData(peer.windowUpdate(id, rand.int(3)));
        else if (action === 4) conn.receiveData(peer.pushPromise(rand.pick([1, 3]), rand.pick([2, 4, 6]), REQUEST));
        else if (action === 5) conn.receiveData(peer.goAway(rand.pick([1, 3, 5]), rand.pick([0, 0, 2])));
        else if (action === 6) conn.sendHeaders(id, server ? RESPONSE : REQUEST, { endStream: rand.int(2) === 0 });
        else if (action === 7) conn.sendData(id, new Uint8Array(rand.int(10)), { endStream: rand.int(2) === 0 });
        else if (action === 8) conn.resetStream(id, rand.int(9));
        else if (action === 9) conn.endStream(id);
        else if (action === 10) conn.pushStream(id, rand.pick([2, 4, 6]), REQUEST);
        else if (action === 11) conn.acknowledgeReceivedData(rand.int(30), id);
        else conn.closeConnection({ errorCode: rand.pick([0, 0, 2]) });
      } catch (e) {
        assert.instance(e, H2Error);
      }
      conn.dataToSend();
      const [outbound, inbound] = scanOpen(conn);
      assert.is(conn.openOutboundStreams, outbound, `run ${run} step ${step}`);
      assert.is(conn.openInboundStreams, inbound, `run ${run} step ${step}`);
    }
  }
});

Closed('DATA or HEADERS after trailers: a stream error STREAM_CLOSED while our side is open, a connection error once both sides ended (RFC 9113 §5.1)', () => {
  // Server: the request's trailers half-closed it (remote); more DATA or HEADERS reset only that stream.
  for (const extra of ['data', 'headers'] as const) {
    const { conn, peer } = serverPair();
    conn.receiveData(concat(peer.headers(1, REQUEST), peer.data(1, 'abc'), peer.headers(1, [['x-t', '1']], { endStream: true }), peer.headers(3, REQUEST)));
    const more = extra === 'data' ? peer.data(1, 'x') : peer.headers(1, [['x-u', '2']], { endStream: true });
    const events = conn.receiveData(more);
    assert.equal(events.map((e) => [e.type, (e as StreamReset).errorCode]), [['StreamReset', E.STREAM_CLOSED]], extra);
    peer.read(conn.dataToSend()).expectRstStream(1, E.STREAM_CLOSED).expectNone();
    assert.equal(types(conn.receiveData(peer.data(3, 'ok', { endStream: true }))), ['DataReceived', 'StreamEnded'], `${extra}: stream 3 goes on`);
  }
  // Client: trailers ended a response to a complete request: the stream is closed both ways.
  const { conn, peer } = clientPair();
  conn.sendHeaders(1, REQUEST, { endStream: true });
  conn.receiveData(concat(peer.headers(1, RESPONSE), peer.headers(1, [['x-t', '1']], { endStream: true })));
  peer.read(conn.dataToSend()).expectHeaders().expectNone();
  throwsError(() => conn.receiveData(peer.data(1, 'x')), StreamClosedError);
  peer.read(conn.dataToSend()).expectGoAway(0, E.STREAM_CLOSED).expectNone();
});

Closed.run();
