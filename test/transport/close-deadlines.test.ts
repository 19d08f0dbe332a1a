/**
 * listen().close() and serve().shutdown() settle even when a peer reads everything and never answers
 * the graceful close's PING: the session's shutdown deadline (on a TestClock) ends its connection.
 * Loopback TCP with a raw client; the only real waits are for socket I/O.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { listen, serve } from '../../src/transport/node';
import { TestPeer, T } from '../support/peer';
import { TestClock } from '../support/test-clock';

/** A raw client that completes the handshake, reads and parses every frame, and never sends another. */
async function silentClient(port: number): Promise<{ socket: Socket; peer: TestPeer; closed: Promise<unknown> }> {
  const socket = connect({ port, host: '127.0.0.1' });
  await once(socket, 'connect');
  const peer = new TestPeer('client');
  socket.on('data', (chunk: Uint8Array) => peer.read(chunk));
  const closed = once(socket, 'close');
  socket.write(peer.concat(peer.greeting(), peer.settingsAck()));
  return { socket, peer, closed };
}

/** Waits (on socket I/O) until the peer has received a frame of `type`. */
async function until(peer: TestPeer, type: number, seen: { frames: number[] }): Promise<void> {
  for (;;) {
    for (const f of peer.drain()) seen.frames.push(f.type);
    if (seen.frames.includes(type)) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('listen().close() settles when a peer never acknowledges the shutdown PING', async () => {
  const clock = new TestClock();
  const server = await listen({ session: { clock } });
  const accepted = server.accepted.getReader().read();
  const client = await silentClient(server.address.port);
  await accepted;
  const closing = server.close();
  const seen = { frames: [] as number[] };
  await until(client.peer, T.PING, seen);
  assert.ok(seen.frames.includes(T.GOAWAY));
  clock.advance(5000);
  await closing;
  await client.closed;
  assert.is(clock.pending, 0, 'no timer outlives the sessions');
});

test('serve().shutdown() settles when a peer never acknowledges the shutdown PING', async () => {
  const clock = new TestClock();
  const server = serve(() => new Response('x'), { port: 0, hostname: '127.0.0.1', onListen: () => undefined, session: { clock } });
  const { port } = await server.listening;
  const client = await silentClient(port);
  const seen = { frames: [] as number[] };
  await until(client.peer, T.SETTINGS, seen);
  const shutdown = server.shutdown();
  await until(client.peer, T.PING, seen);
  clock.advance(5000);
  await shutdown;
  await server.finished;
  await client.closed;
});

test.run();
