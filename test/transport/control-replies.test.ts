/**
 * Cheap answers to control-frame floods (issue 13, item 1): the PING ACKs and SETTINGS ACKs a burst of
 * PINGs and SETTINGS in one transport read provokes go out in that read's ONE transport write, not one
 * write per frame. Counted at a tap on the session's transport, in memory and over TCP.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { H2Session } from '../../src/streams';
import { socketToPair, tapTransport } from '../../src/transport/node';
import { duplexPair, settle } from '../support/duplex-pair';
import { WirePeer } from '../support/wire-peer';
import { T, TestPeer, type PeerFrame } from '../support/peer';

const Replies = suite('control replies are batched per read');

const PINGS = 100;
const SETTINGS = 10;

/** The flood: PINGs with distinct payloads and SETTINGS frames, in one buffer. */
function burst(peer: TestPeer): Uint8Array {
  const frames: Uint8Array[] = [];
  for (let i = 0; i < PINGS; i++) frames.push(peer.ping(new Uint8Array([0, 0, 0, 0, 0, 0, i >> 8, i & 0xff])));
  for (let i = 0; i < SETTINGS; i++) frames.push(peer.settings({ 0x3: 100 + i }));
  return peer.concat(...frames);
}

/** The replies in `frames`: every PING answered (ACK, same payload, in order) and every SETTINGS acknowledged. */
function expectReplies(frames: readonly PeerFrame[]): void {
  const acks = frames.filter((f) => f.type === T.PING && f.flagNames.includes('ACK'));
  assert.is(acks.length, PINGS);
  acks.forEach((f, i) => assert.equal([...f.opaqueData!], [0, 0, 0, 0, 0, 0, i >> 8, i & 0xff]));
  assert.is(frames.filter((f) => f.type === T.SETTINGS && f.flagNames.includes('ACK')).length, SETTINGS);
  assert.is(frames.length, PINGS + SETTINGS, `only the replies: ${frames.map((f) => f.typeName).join(' ')}`);
}

Replies(`${PINGS} PINGs and ${SETTINGS} SETTINGS in one read are answered in one transport write (in memory)`, async () => {
  const [a, b] = duplexPair();
  let writes = 0;
  const session = new H2Session(tapTransport(a, { sent: () => void writes++ }), { role: 'server' });
  const wire = new WirePeer(b, 'client');
  const peer = wire.peer;
  await wire.send(peer.greeting(), peer.settingsAck());
  await settle();
  peer.drain();
  const before = writes;
  await wire.send(burst(peer));
  await settle();
  expectReplies(peer.drain());
  assert.is(writes - before, 1, `${writes - before} transport writes for one read`);
  await session.close({ graceful: false });
});

Replies(`over TCP, each read's PING and SETTINGS ACKs go out in one socket write`, async () => {
  let writes = 0;
  let reads = 0;
  let session: H2Session | null = null;
  const server: Server = createServer((socket) => {
    session = new H2Session(tapTransport(socketToPair(socket), { sent: () => void writes++, received: () => void reads++ }), { role: 'server' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const peer = new TestPeer('client');
  const frames: PeerFrame[] = [];
  let wake: (() => void) | null = null;
  let closed = false;
  const socket: Socket = netConnect({ port, host: '127.0.0.1' });
  socket.on('data', (d: Buffer) => {
    frames.push(...peer.read(new Uint8Array(d)).drain());
    wake?.();
  });
  socket.on('close', () => {
    closed = true;
    wake?.();
  });
  /** Waits until `done()` holds (rejects if the connection closes first). */
  const waitUntil = async (done: () => boolean): Promise<void> => {
    while (!done()) {
      if (closed) throw new Error(`the connection closed; got ${frames.map((f) => f.typeName).join(' ')}`);
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  try {
    socket.write(peer.concat(peer.greeting(), peer.settingsAck()));
    // The server's SETTINGS (and connection WINDOW_UPDATE), then its ACK of ours.
    await waitUntil(() => frames.some((f) => f.type === T.SETTINGS && f.flagNames.includes('ACK')));
    frames.length = 0;
    const [writesBefore, readsBefore] = [writes, reads];
    socket.write(burst(peer));
    await waitUntil(() => frames.length >= PINGS + SETTINGS);
    expectReplies(frames);
    const burstReads = reads - readsBefore;
    // Loopback nearly always delivers the 1.8 KB burst in one read; however it was split, each read's
    // replies are one write.
    assert.ok(writes - writesBefore <= burstReads, `${writes - writesBefore} writes for ${burstReads} reads`);
  } finally {
    socket.destroy();
    await (session as H2Session | null)?.closed.catch(() => undefined);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

Replies.run();
