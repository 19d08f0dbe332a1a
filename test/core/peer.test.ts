/** Proves the scripted test peer: golden bytes, a round trip between two peers, and failure logs. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { E, F, PeerExpectationError, S, T, TestPeer } from '../support/peer';
import { bytes, concat } from '../support/bytes';
import { DataFrame, FrameBuffer, GoAwayFrame, HeadersFrame, SettingsFrame, WindowUpdateFrame } from '../../src/frame';
import { Encoder } from '../../src/hpack';

const Peer = suite('test peer');

const GET: [string, string][] = [
  [':method', 'GET'],
  [':scheme', 'https'],
  [':authority', 'example.com'],
  [':path', '/'],
];

Peer('builders produce the golden wire bytes of RFC 9113 §4.1 frames', () => {
  const p = new TestPeer('client');
  assert.equal(p.data(1, 'hello', { endStream: true }), bytes(0, 0, 5, 0x0, 0x1, 0, 0, 0, 1, 'hello'));
  assert.equal(p.data(3, 'hi', { padLength: 2 }), bytes(0, 0, 5, 0x0, 0x8, 0, 0, 0, 3, 2, 'hi', 0, 0));
  assert.equal(p.windowUpdate(0, 65535), bytes(0, 0, 4, 0x8, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff));
  assert.equal(p.rstStream(5, E.REFUSED_STREAM), bytes(0, 0, 4, 0x3, 0, 0, 0, 0, 5, 0, 0, 0, 7));
  assert.equal(p.settings({ [S.MAX_CONCURRENT_STREAMS]: 10 }), bytes(0, 0, 6, 0x4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 10));
  assert.equal(p.settingsAck(), bytes(0, 0, 0, 0x4, 0x1, 0, 0, 0, 0));
  assert.equal(p.ping('abcdefgh', { ack: true }), bytes(0, 0, 8, 0x6, 0x1, 0, 0, 0, 0, 'abcdefgh'));
  assert.equal(p.goAway(7, E.ENHANCE_YOUR_CALM, 'x'), bytes(0, 0, 9, 0x7, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 11, 'x'));
  assert.equal(p.priority(3, { dependsOn: 1, weight: 256, exclusive: true }), bytes(0, 0, 5, 0x2, 0, 0, 0, 0, 3, 0x80, 0, 0, 1, 255));
  assert.equal(p.altSvc(0, 'a.com', 'h2=":443"'), bytes(0, 0, 16, 0xa, 0, 0, 0, 0, 0, 0, 5, 'a.com', 'h2=":443"'));
  assert.equal(p.raw(0x42, 0xff, 0x7fffffff, 'z'), bytes(0, 0, 1, 0x42, 0xff, 0x7f, 0xff, 0xff, 0xff, 'z'));
  assert.equal(p.preface(), bytes('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
});

Peer('a server peer reads what a client peer builds, CONTINUATIONs joined and header blocks decoded', () => {
  const client = new TestPeer('client');
  const server = new TestPeer('server');
  const wire = concat(
    client.preface(),
    client.settings({ [S.INITIAL_WINDOW_SIZE]: 100 }),
    client.headers(1, GET, { endStream: false, fragments: 3, priority: { dependsOn: 0, weight: 32 } }),
    client.data(1, 'body', { padLength: 3, endStream: true }),
    client.pushPromise(2, 4, GET, { padLength: 1 }),
    client.windowUpdate(1, 10),
    client.ping('12345678'),
    client.goAway(1, E.PROTOCOL_ERROR),
  );
  // Feed it in awkward pieces to prove partial frames and a split preface are buffered.
  for (let i = 0; i < wire.length; i += 7) server.read(wire.subarray(i, i + 7));
  server
    .expectSettings({ [S.INITIAL_WINDOW_SIZE]: 100 })
    .expectHeaders({ streamId: 1, endStream: false, headers: GET, priority: { weight: 32 } })
    .expectData(1, 'body', { endStream: true, padLength: 3 })
    .expectPushPromise({ streamId: 2, promisedStreamId: 4, headers: GET })
    .expectWindowUpdate(1, 10)
    .expectPing({ ack: false, data: '12345678' })
    .expectGoAway(1, E.PROTOCOL_ERROR)
    .expectNone();
});

Peer('never-indexed literals are reported per field', () => {
  const client = new TestPeer('client');
  const server = new TestPeer('server');
  const block = client.headerBlock([[':method', 'GET'], ['authorization', 'secret']]);
  // Rewrite the second field as never-indexed by hand: literal, new name (0x10).
  const nameless = concat(bytes(0x82), bytes(0x10, 13, 'authorization', 6, 'secret'));
  assert.ok(block.length > 0);
  server.read(concat(client.preface(), client.headersRaw(1, nameless)));
  const f = server.nextHeaders({ streamId: 1 });
  assert.equal(f.headers, [[':method', 'GET'], ['authorization', 'secret']]);
  assert.equal(f.neverIndexed, [false, true]);
});

Peer('a failed expectation names the frame it got and prints the frame log', () => {
  const client = new TestPeer('client');
  const server = new TestPeer('server');
  server.settings({ [S.MAX_FRAME_SIZE]: 32768 });
  server.read(concat(client.preface(), client.headers(1, GET, { endStream: true }), client.rstStream(1, E.CANCEL)));
  let message = '';
  try {
    server.expectHeaders({ streamId: 3 });
  } catch (e) {
    assert.instance(e, PeerExpectationError);
    message = (e as Error).message;
  }
  assert.match(message, 'expected HEADERS on stream 3, got HEADERS s=1 END_STREAM|END_HEADERS');
  assert.match(message, '→ SETTINGS s=0 MAX_FRAME_SIZE=32768');
  assert.match(message, '← HEADERS s=1 END_STREAM|END_HEADERS');
  assert.match(message, '← RST_STREAM s=1 CANCEL');
  assert.throws(() => server.expectNone(), /RST_STREAM s=1 CANCEL/);
  server.expectRstStream(1, E.CANCEL).expectNone();
});

Peer('expectNone fails while a frame is only partly received', () => {
  const client = new TestPeer('client');
  const server = new TestPeer('server');
  const ping = client.ping();
  server.read(concat(client.preface(), ping.subarray(0, 12)));
  assert.throws(() => server.expectNone(), /partial frame/);
  server.read(ping.subarray(12)).expectPing({ ack: false }).expectNone();
});

Peer('the reader rejects a frame interleaved in a header block, as RFC 9113 §6.10 requires', () => {
  const client = new TestPeer('client');
  const server = new TestPeer('server');
  const wire = concat(client.preface(), client.headers(1, GET, { endHeaders: false }), client.ping());
  assert.throws(() => server.read(wire), /PING s=0 interleaved in the header block of stream 1/);
});

Peer('a client peer refuses to read a server that sends the preface', () => {
  const server = new TestPeer('server');
  assert.throws(() => server.preface(), /only a client peer/);
  const client = new TestPeer('client');
  client.read(server.settings()).expectSettings().expectNone();
  assert.throws(() => new TestPeer('server').read(bytes('PRX')), /invalid client preface/);
});

Peer('flag and type constants match RFC 9113', () => {
  assert.is(T.CONTINUATION, 9);
  assert.is(T.PRIORITY_UPDATE, 0x10);
  assert.is(F.PRIORITY, 0x20);
  assert.is(E.HTTP_1_1_REQUIRED, 0xd);
});

Peer("the frame layer's FrameBuffer parses what the peer builds", () => {
  const client = new TestPeer('client');
  const wire = concat(
    client.preface(),
    client.settings({ [S.ENABLE_PUSH]: 0 }),
    client.headers(1, GET, { fragments: 2, endStream: true }),
    client.data(3, 'xyz', { padLength: 4 }),
    client.windowUpdate(0, 1000),
    client.goAway(3, E.NO_ERROR, 'bye'),
  );
  const buffer = new FrameBuffer({ server: true, maxFrameSize: 16384 });
  buffer.addData(wire);
  const frames = [...buffer];
  assert.equal(frames.map((f) => f.type), [T.SETTINGS, T.HEADERS, T.DATA, T.WINDOW_UPDATE, T.GOAWAY]);
  assert.equal([...(frames[0] as SettingsFrame).settings], [[S.ENABLE_PUSH, 0]]);
  const h = frames[1] as HeadersFrame;
  assert.ok(h.flags.has('END_STREAM') && h.flags.has('END_HEADERS'));
  assert.equal((frames[2] as DataFrame).data, bytes('xyz'));
  assert.is((frames[2] as DataFrame).padLength, 4);
  assert.is((frames[3] as WindowUpdateFrame).windowIncrement, 1000);
  assert.equal((frames[4] as GoAwayFrame).additionalData, bytes('bye'));
});

Peer('the peer reads frames the frame layer serializes', () => {
  const encoder = new Encoder();
  const block = encoder.encode([[':status', '200'], ['server', 'h2flow']]);
  const wire = concat(
    new SettingsFrame(0, { settings: { [S.MAX_FRAME_SIZE]: 20000 } }).serialize(),
    new HeadersFrame(1, { data: block, flags: ['END_HEADERS'] }).serialize(),
    new DataFrame(1, { data: bytes('ok'), flags: ['END_STREAM'] }).serialize(),
    new GoAwayFrame(0, { lastStreamId: 1, errorCode: E.ENHANCE_YOUR_CALM }).serialize(),
  );
  new TestPeer('client')
    .read(wire)
    .expectSettings({ [S.MAX_FRAME_SIZE]: 20000 })
    .expectHeaders({ streamId: 1, endStream: false, headers: [[':status', '200'], ['server', 'h2flow']] })
    .expectData(1, 'ok', { endStream: true })
    .expectGoAway(1, E.ENHANCE_YOUR_CALM)
    .expectNone();
});

Peer.run();
