/**
 * A raw TCP client that asks for an endless body and never reads: the server session fails after its
 * write timeout (on a TestClock) and the server's socket is destroyed, even though a Web Streams write
 * stuck in flight cannot be aborted, so no fd or buffer outlives the session.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { once } from 'node:events';
import * as polyfill from 'web-streams-polyfill';
import { H2Session, H2SessionError, type H2Stream, type StreamConstructors } from '../../src/streams';
import { socketToPair } from '../../src/transport/socket-pair';
import { rejection } from '../support/duplex-pair';
import { S, TestPeer } from '../support/peer';
import { TestClock } from '../support/test-clock';

const DeafPeer = suite('a peer that stops reading');

const GET: [string, string][] = [[':method', 'GET'], [':scheme', 'http'], [':path', '/big'], [':authority', 'example.com']];
/** The socket pair's write mark: plain writes resolve until this much waits unsent in the socket. */
const WRITE_MARK = 256 * 1024;
const WRITE_TIMEOUT = 1000;
const MAX_WINDOW = 2 ** 31 - 1;

/**
 * A server session over loopback TCP answering `/big` with an endless body to a client that opened every
 * window and never reads. Returns once the server's socket holds a full write mark it cannot send.
 */
async function endlessBodyToDeafClient(streams: StreamConstructors | undefined) {
  const clock = new TestClock();
  const listener = createServer({ allowHalfOpen: true });
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const accepted = once(listener, 'connection');
  const client = connect({ port: (listener.address() as AddressInfo).port, host: '127.0.0.1', allowHalfOpen: true });
  await once(client, 'connect');
  client.pause();
  const [socket] = (await accepted) as [Socket];
  const streamsOption = streams === undefined ? {} : { streams };
  const session = new H2Session(socketToPair(socket, { writableHighWaterMark: WRITE_MARK, ...streamsOption }), {
    role: 'server',
    clock,
    timeouts: { settingsAck: 0, write: WRITE_TIMEOUT },
    ...streamsOption,
  });
  const peer = new TestPeer('client');
  client.write(peer.concat(peer.greeting({ [S.INITIAL_WINDOW_SIZE]: MAX_WINDOW }), peer.windowUpdate(0, MAX_WINDOW - 65535), peer.headers(1, GET, { endStream: true })));
  const { value } = await session.incoming.getReader().read();
  const stream = value as H2Stream;
  stream.respond([[':status', '200']]);
  const writer = stream.writable.getWriter();
  const chunk = new Uint8Array(64 * 1024);
  void (async () => {
    for (;;) await writer.write(chunk);
  })().catch(() => undefined);
  // Full kernel buffers: bytes wait unsent in the socket and stay there. Plain writes pile up to the write
  // mark; a vectored write (the body's own chunks) waits alone in the socket until the kernel takes it.
  for (let stuck = 0; stuck < 5; ) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    stuck = socket.writableLength > 0 ? stuck + 1 : 0;
  }
  return {
    clock,
    client,
    socket,
    session,
    stream,
    close() {
      client.destroy();
      socket.destroy();
      listener.close();
    },
  };
}

const IMPLEMENTATIONS: [string, StreamConstructors | undefined][] = [
  ['native', undefined],
  ['web-streams-polyfill', polyfill as unknown as StreamConstructors],
];

for (const [name, streams] of IMPLEMENTATIONS) {
  DeafPeer(`the session fails after the write timeout and the server's socket is destroyed (${name})`, async () => {
    const t = await endlessBodyToDeafClient(streams);
    try {
      t.clock.advance(WRITE_TIMEOUT);
      t.clock.advance(WRITE_TIMEOUT);
      const err = await rejection(t.session.closed);
      assert.instance(err, H2SessionError);
      assert.is(await rejection(t.stream.closed), err);
      assert.ok(t.socket.destroyed, 'the socket, its fd and its unsent buffers are released');
      assert.is(t.clock.pending, 0, 'no timer outlives the session');
    } finally {
      t.close();
    }
  });

  DeafPeer(`a client that half-closes and never reads cannot hold the closing session's socket: the write timeout destroys it (${name})`, async () => {
    const t = await endlessBodyToDeafClient(streams);
    try {
      t.client.end();
      assert.instance(await rejection(t.stream.closed), H2SessionError, 'the transport ended with the stream open');
      assert.is(t.socket.destroyed, false, 'the session is still trying to deliver its last frames');
      t.clock.advance(WRITE_TIMEOUT);
      t.clock.advance(WRITE_TIMEOUT);
      assert.instance(await rejection(t.session.closed), H2SessionError);
      assert.ok(t.socket.destroyed, 'the write stuck in flight no longer pins the socket');
      assert.is(t.clock.pending, 0, 'no timer outlives the session');
    } finally {
      t.close();
    }
  });
}

DeafPeer.run();
