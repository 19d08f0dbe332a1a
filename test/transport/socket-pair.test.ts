/** The Node socket ↔ `{ readable, writable }` adapter over real loopback TCP: bytes, backpressure, half-close, errors. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, connect, type Server, type Socket, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import * as polyfill from 'web-streams-polyfill';
import { socketToPair } from '../../src/transport/socket-pair';
import type { StreamConstructors } from '../../src/streams/types';
import { H2Session } from '../../src/streams';
import { TestPeer } from '../support/peer';

const SocketPair = suite('socket pair');

interface Loopback {
  server: Server;
  client: Socket;
  peer: Socket;
  close(): void;
}

/** A connected loopback pair: `client` is what we wrap, `peer` is the raw other end. */
async function loopback(): Promise<Loopback> {
  const server = createServer({ allowHalfOpen: true });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const accepted = once(server, 'connection');
  const client = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  await once(client, 'connect');
  const [peer] = (await accepted) as [Socket];
  return {
    server,
    client,
    peer,
    close() {
      client.destroy();
      peer.destroy();
      server.close();
    },
  };
}

async function readAll(readable: ReadableStream<Uint8Array>): Promise<number> {
  const reader = readable.getReader();
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return total;
    total += value.byteLength;
  }
}

const IMPLEMENTATIONS: [string, StreamConstructors | undefined][] = [
  ['native', undefined],
  ['web-streams-polyfill', polyfill as unknown as StreamConstructors],
];

SocketPair('wrapping a socket turns on TCP_NODELAY, so small frames are not held back by Nagle', async () => {
  const lb = await loopback();
  const calls: unknown[][] = [];
  const original = lb.client.setNoDelay.bind(lb.client);
  lb.client.setNoDelay = (...args: unknown[]) => {
    calls.push(args);
    return original(...(args as [boolean]));
  };
  try {
    socketToPair(lb.client);
    assert.equal(calls, [[true]]);
  } finally {
    lb.close();
  }
});

for (const [name, streams] of IMPLEMENTATIONS) {
  const opts = streams === undefined ? {} : { streams };

  SocketPair(`bytes written to the pair reach the peer and the peer's bytes come out of it (${name})`, async () => {
    const lb = await loopback();
    try {
      const { readable, writable } = socketToPair(lb.client, opts);
      lb.peer.on('data', (d: Buffer) => lb.peer.write(d.toString().toUpperCase()));
      const writer = writable.getWriter();
      await writer.write(new TextEncoder().encode('hello'));
      const reader = readable.getReader();
      const { value } = await reader.read();
      assert.is(new TextDecoder().decode(value), 'HELLO');
    } finally {
      lb.close();
    }
  });

  SocketPair(`the socket is paused while nobody reads the readable side, and resumes when read (${name})`, async () => {
    const lb = await loopback();
    try {
      const { readable } = socketToPair(lb.client, { ...opts, readableHighWaterMark: 64 * 1024 });
      const total = 8 * 1024 * 1024;
      lb.peer.end(Buffer.alloc(total, 7));
      await once(lb.client, 'pause');
      assert.ok(lb.client.bytesRead < 1024 * 1024, `read ${lb.client.bytesRead} bytes while nobody consumed`);
      assert.is(await readAll(readable), total);
    } finally {
      lb.close();
    }
  });

  SocketPair(`a write waits for 'drain' while the peer does not read (${name})`, async () => {
    const lb = await loopback();
    try {
      const { writable } = socketToPair(lb.client, opts);
      lb.peer.pause();
      const writer = writable.getWriter();
      let settled = false;
      const big = new Uint8Array(32 * 1024 * 1024);
      const write = writer.write(big).then(() => (settled = true));
      await new Promise((r) => setImmediate(r));
      assert.is(settled, false);
      assert.ok(lb.client.writableNeedDrain, 'socket buffer should be over its mark');
      let received = 0;
      lb.peer.on('data', (d: Buffer) => (received += d.length));
      lb.peer.resume();
      await write;
      assert.ok(settled);
      await writer.close();
      await once(lb.peer, 'end');
      assert.is(received, big.byteLength);
    } finally {
      lb.close();
    }
  });

  SocketPair(`aborting the writable while a write waits for 'drain' destroys the socket and fails that write (${name})`, async () => {
    const lb = await loopback();
    try {
      const { writable } = socketToPair(lb.client, opts);
      lb.peer.pause();
      const writer = writable.getWriter();
      const write = writer.write(new Uint8Array(32 * 1024 * 1024)).then(
        () => null,
        (e: unknown) => e,
      );
      await new Promise((r) => setImmediate(r));
      assert.ok(lb.client.writableNeedDrain, 'the write is stuck behind the peer');
      void writer.abort(new Error('peer stopped reading')).catch(() => undefined);
      assert.ok(lb.client.destroyed, 'destroyed at once, not after the stuck write');
      assert.ok((await write) !== null, 'the stuck write fails');
    } finally {
      lb.close();
    }
  });

  SocketPair(`closing the writable half-closes the socket and the peer can still answer (${name})`, async () => {
    const lb = await loopback();
    try {
      const { readable, writable } = socketToPair(lb.client, opts);
      lb.peer.on('end', () => lb.peer.end('bye'));
      lb.peer.resume();
      await writable.getWriter().close();
      const reader = readable.getReader();
      const first = await reader.read();
      assert.is(new TextDecoder().decode(first.value), 'bye');
      assert.is((await reader.read()).done, true);
    } finally {
      lb.close();
    }
  });

  SocketPair(`a connection reset errors the readable with the socket's error code (${name})`, async () => {
    const lb = await loopback();
    try {
      const { readable, writable } = socketToPair(lb.client, opts);
      lb.peer.resetAndDestroy();
      const err = await readable.getReader().read().then(
        () => null,
        (e: unknown) => e,
      );
      assert.is((err as { code?: string } | null)?.code, 'ECONNRESET');
      const writeErr = await writable.getWriter().write(new Uint8Array(1)).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(writeErr !== null, 'writes after a reset fail');
    } finally {
      lb.close();
    }
  });

  SocketPair(`cancelling the readable after our FIN drains the peer until it closes instead of resetting (${name})`, async () => {
    const lb = await loopback();
    try {
      const { readable, writable } = socketToPair(lb.client, opts);
      await writable.getWriter().close();
      await readable.cancel();
      assert.is(lb.client.destroyed, false, 'a socket with unread input would answer RST');
      lb.peer.write(Buffer.alloc(256 * 1024));
      lb.peer.end();
      await once(lb.client, 'close');
      assert.ok(lb.client.bytesRead >= 256 * 1024);
    } finally {
      lb.close();
    }
  });

  SocketPair(`cancelling the readable destroys the socket (${name})`, async () => {
    const lb = await loopback();
    try {
      const { readable } = socketToPair(lb.client, opts);
      await readable.cancel();
      assert.ok(lb.client.destroyed);
      lb.peer.resume();
      await once(lb.peer, 'end');
    } finally {
      lb.close();
    }
  });
}

SocketPair('a socket already wrapped is refused a second pair (two readers of one byte stream), and the first keeps working', async () => {
  const lb = await loopback();
  const pair = socketToPair(lb.client);
  assert.throws(() => socketToPair(lb.client), (e: unknown) => e instanceof TypeError && /already has a pair/.test((e as Error).message));
  const writer = pair.writable.getWriter();
  await writer.write(new Uint8Array([1, 2, 3]));
  const [got] = (await once(lb.peer, 'data')) as [Buffer];
  assert.equal([...got], [1, 2, 3]);
  lb.peer.write(new Uint8Array([4, 5]));
  const { value } = await pair.readable.getReader().read();
  assert.equal([...(value as Uint8Array)], [4, 5]);
  lb.close();
});

SocketPair('a session drives the socket through `direct`, and the pair then offers no Web Streams views', async () => {
  const lb = await loopback();
  try {
    const pair = socketToPair(lb.client);
    assert.ok(pair.direct !== undefined);
    const session = new H2Session(pair, { role: 'client', timeouts: { settingsAck: 0 } });
    assert.throws(() => pair.readable, TypeError);
    assert.throws(() => pair.writable, TypeError);
    // The session's preface went out through it.
    const [first] = (await once(lb.peer, 'data')) as [Buffer];
    assert.is(first.subarray(0, 3).toString('latin1'), 'PRI');
    lb.peer.end();
    await session.closed;
  } finally {
    lb.close();
  }
});

SocketPair('a pair whose streams were taken offers no `direct`: a session then uses the streams', async () => {
  const lb = await loopback();
  try {
    const pair = socketToPair(lb.client);
    void pair.readable;
    assert.is(pair.direct, undefined);
  } finally {
    lb.close();
  }
});

SocketPair('through `direct`, a session stops reading the socket while its output backs up, and reads again once it drains', async () => {
  const lb = await loopback();
  try {
    // Small marks: the PING ACKs of a peer that does not read back up after a few KiB.
    const pair = socketToPair(lb.client, { writableHighWaterMark: 1024 });
    const session = new H2Session(pair, { role: 'server', config: { outboundBufferSize: 16 * 1024, maxQueuedControlFrames: 1_000_000 }, timeouts: { settingsAck: 0 } });
    session.closed.catch(() => undefined);
    const peer = new TestPeer('client');
    lb.peer.on('error', () => undefined);
    lb.peer.pause();
    const paused = once(lb.client, 'pause');
    const pings = Array.from({ length: 200 }, () => peer.ping());
    let sent = 0;
    // PINGs until the server pauses (each ACK is 17 bytes the peer leaves unread in the kernel buffers).
    const flood = setInterval(() => {
      lb.peer.write(peer.concat(...(sent === 0 ? [peer.greeting()] : []), ...pings));
      sent++;
    }, 1);
    await paused;
    clearInterval(flood);
    assert.ok(lb.client.isPaused());
    const resumed = once(lb.client, 'resume');
    lb.peer.resume();
    await resumed;
    await session.close({ graceful: false });
  } finally {
    lb.close();
  }
});

SocketPair('a session\'s vectored writes hand the socket Buffers (none converted per piece), and the peer gets the body unchanged', async () => {
  const lb = await loopback();
  try {
    const pair = socketToPair(lb.client);
    const chunks: unknown[] = [];
    const write = lb.client.write.bind(lb.client) as (...args: unknown[]) => boolean;
    lb.client.write = ((...args: unknown[]) => (chunks.push(args[0]), write(...args))) as typeof lb.client.write;
    const session = new H2Session(pair, { role: 'server', timeouts: { settingsAck: 0 } });
    session.closed.catch(() => undefined);
    const peer = new TestPeer('client');
    const received: Buffer[] = [];
    lb.peer.on('data', (d: Buffer) => received.push(d));
    lb.peer.write(peer.concat(peer.greeting({ 0x4: 1 << 20 }), peer.windowUpdate(0, 1 << 20), peer.headers(1, [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'a']], { endStream: true })));
    const reader = session.incoming.getReader();
    const { value: stream } = await reader.read();
    reader.releaseLock();
    const body = new Uint8Array(100_000).map((_, i) => (i * 7) % 251);
    stream!.respond([[':status', '200']], { body });
    await stream!.closed;
    await session.close();
    await once(lb.peer, 'end');
    peer.read(Buffer.concat(received));
    const got: Uint8Array[] = [];
    for (const frame of peer.drain()) if (frame.type === 0x0 && frame.streamId === 1) got.push(frame.payload);
    assert.equal(Buffer.concat(got), Buffer.from(body));
    assert.ok(chunks.length > 10, `${chunks.length} writes: the body went out as pieces`);
    const notBuffers = chunks.filter((c) => !Buffer.isBuffer(c));
    assert.is(notBuffers.length, 0, `${notBuffers.length} of ${chunks.length} pieces were plain Uint8Arrays`);
  } finally {
    lb.close();
  }
});

SocketPair.run();
