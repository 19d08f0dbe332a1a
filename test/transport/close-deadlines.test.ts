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
import { selfSignedCert, tempDir } from '../support/peers';

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

/** Waits (on socket I/O) until the peer has received `count` frames of `type`; throws if they never come. */
async function until(peer: TestPeer, type: number, seen: { frames: number[] }, count = 1): Promise<void> {
  for (let polls = 0; polls < 2000; polls++) {
    for (const f of peer.drain()) seen.frames.push(f.type);
    if (seen.frames.filter((t) => t === type).length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no ${type} frame arrived (saw ${seen.frames.join(', ')})`);
}

test('listen().close() settles when a peer never acknowledges the shutdown PING', async () => {
  const clock = new TestClock();
  const server = await listen({ session: { clock } });
  const accepted = server.accepted.getReader().read();
  const client = await silentClient(server.address.port);
  await accepted;
  const seen = { frames: [] as number[] };
  await until(client.peer, T.SETTINGS, seen, 2);
  const closing = server.close();
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
  await until(client.peer, T.SETTINGS, seen, 2);
  const shutdown = server.shutdown();
  await until(client.peer, T.PING, seen);
  clock.advance(5000);
  await shutdown;
  await server.finished;
  await client.closed;
});

test('connections idle-closed by a listen() server are released at the shutdown deadline even if their peers never answer (slow-loris)', async () => {
  const clock = new TestClock();
  const server = await listen({ session: { clock, timeouts: { idle: 180_000 } } });
  const accepted = server.accepted.getReader();
  const clients = [];
  const seen = [];
  for (let i = 0; i < 50; i++) {
    const client = await silentClient(server.address.port);
    await accepted.read();
    // Its SETTINGS and its ACK of ours, then the server's ACK: the handshake is complete on both sides.
    const frames = { frames: [] as number[] };
    await until(client.peer, T.SETTINGS, frames, 2);
    clients.push(client);
    seen.push(frames);
  }
  clock.advance(180_000);
  for (const [i, client] of clients.entries()) await until(client.peer, T.PING, seen[i]!);
  let open = clients.length;
  for (const client of clients) void client.closed.then(() => open--);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.is(open, 50, 'GOAWAY and PING sent, the connections wait for the ACK');
  clock.advance(5000);
  await Promise.all(clients.map((c) => c.closed));
  assert.is(open, 0);
  await server.close();
  assert.is(clock.pending, 0);
});

// A TCP connection that never starts its TLS handshake: Node's tls.Server would hold it (and close()) for 120 s.
const stalledHandshake = async (port: number): Promise<{ socket: Socket; closed: Promise<unknown> }> => {
  const socket = connect({ port, host: '127.0.0.1' });
  await once(socket, 'connect');
  return { socket, closed: once(socket, 'close') };
};
const certDir = tempDir('h2flow-close-tls-');
const cert = selfSignedCert(certDir.path);

test('a TLS listen() drops a connection that stalls its handshake after handshakeTimeout, so a graceful close() settles', async () => {
  const server = await listen({ tls: cert, handshakeTimeout: 200 });
  const client = await stalledHandshake(server.address.port);
  assert.is(server.connections, 0, 'not a session yet');
  await server.close();
  await client.closed;
});

test('close({ graceful: false }) destroys connections still handshaking or sniffing at once', async () => {
  // Deadlines far beyond the test's own: only the forced close can end these connections.
  const tls = await listen({ tls: cert, handshakeTimeout: 600_000 });
  const sniffing = await listen({ http1: { handler: () => new Response('x') }, sniffTimeout: 600_000 });
  const clients = [await stalledHandshake(tls.address.port), await stalledHandshake(sniffing.address.port)];
  // The accept has reached the server before it closes.
  await new Promise((resolve) => setTimeout(resolve, 50));
  await Promise.all([tls.close({ graceful: false }), sniffing.close({ graceful: false })]);
  await Promise.all(clients.map((c) => c.closed));
});

test.after(() => certDir.cleanup());

test.run();
