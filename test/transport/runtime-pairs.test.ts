/**
 * The Deno and Bun pairs' contracts, driven on Node with scripted connections (their code uses only the
 * connection objects it is given): TCP_NODELAY, partial writes continued, reads only while the queue has
 * room, half-close, clean and unclean ends, aborts. The real runtimes run them in deno.test.ts/bun.test.ts.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { denoConnToPair, type DenoConn } from '../../src/transport/deno-conn';
import { BunSocketPair, type BunSocket } from '../../src/transport/bun-socket';
import { SocketClosedError } from '../../src/transport/socket-closed-error';
import { settle } from '../support/duplex-pair';
import { getEventListeners } from 'node:events';
import { connect as denoConnect, connectSession as denoConnectSession } from '../../src/transport/deno';
import { connect as bunConnect } from '../../src/transport/bun';

/** A Deno connection whose peer the test plays: reads wait for `feed`, writes take at most `writeLimit` bytes. */
class ScriptedConn implements DenoConn {
  readonly remoteAddr = { transport: 'tcp', hostname: '127.0.0.1', port: 1 };
  readonly calls: string[] = [];
  readonly written: number[] = [];
  writeLimit = Infinity;
  reads = 0;
  closed = false;
  #waiting: ((r: { n: number | null } | { error: Error }) => void) | null = null;
  #buffer: (Uint8Array | null | Error)[] = [];
  #target: Uint8Array | null = null;
  setNoDelay(on?: boolean): void {
    this.calls.push(`setNoDelay(${String(on)})`);
  }
  read(p: Uint8Array): Promise<number | null> {
    this.reads++;
    const next = this.#buffer.shift();
    if (next !== undefined) return this.#deliver(p, next);
    this.#target = p;
    return new Promise((resolve, reject) => {
      this.#waiting = (r) => ('error' in r ? reject(r.error) : resolve(r.n));
    });
  }
  #deliver(p: Uint8Array, item: Uint8Array | null | Error): Promise<number | null> {
    if (item instanceof Error) return Promise.reject(item);
    if (item === null) return Promise.resolve(null);
    p.set(item);
    return Promise.resolve(item.byteLength);
  }
  /** The peer sends bytes (or ends: null, or fails: an Error). */
  feed(item: Uint8Array | null | Error): void {
    const waiting = this.#waiting;
    if (waiting === null) {
      this.#buffer.push(item);
      return;
    }
    this.#waiting = null;
    if (item instanceof Error) waiting({ error: item });
    else if (item === null) waiting({ n: null });
    else {
      this.#target!.set(item);
      waiting({ n: item.byteLength });
    }
  }
  /** What the next write fails with (the kernel's report of a reset), if anything. */
  writeError: Error | null = null;
  async write(p: Uint8Array): Promise<number> {
    if (this.closed) throw Object.assign(new Error('closed'), { name: 'BadResource' });
    if (this.writeError !== null) throw this.writeError;
    const n = Math.min(p.byteLength, this.writeLimit);
    this.written.push(n);
    return n;
  }
  async closeWrite(): Promise<void> {
    this.calls.push('closeWrite');
  }
  close(): void {
    this.calls.push('close');
    this.closed = true;
    this.#waiting?.({ error: Object.assign(new Error('closed'), { name: 'BadResource' }) });
    this.#waiting = null;
  }
}

const Deno = suite('denoConnToPair (scripted Deno.Conn)');

Deno('sets TCP_NODELAY, and continues a partial write until conn.write took all of it', async () => {
  const conn = new ScriptedConn();
  const pair = denoConnToPair(conn);
  assert.equal(conn.calls, ['setNoDelay(true)']);
  conn.writeLimit = 1000;
  const writer = pair.writable.getWriter();
  await writer.write(new Uint8Array(3500));
  assert.equal(conn.written, [1000, 1000, 1000, 500]);
});

Deno('reads only while the queue has room: a session that stops reading stops the reads', async () => {
  const conn = new ScriptedConn();
  const pair = denoConnToPair(conn, { readableHighWaterMark: 100_000 });
  for (let i = 0; i < 10; i++) conn.feed(new Uint8Array(40_000));
  await settle();
  // 3 × 40 000 bytes fill the 100 000-byte queue; the 4th read waits for the session.
  assert.is(conn.reads, 3);
  const reader = pair.readable.getReader();
  await reader.read();
  await settle();
  assert.is(conn.reads, 4);
});

Deno('a TLS peer that ends without close_notify (UnexpectedEof) ends the readable cleanly; other errors fail it', async () => {
  const conn = new ScriptedConn();
  const reader = denoConnToPair(conn).readable.getReader();
  conn.feed(new Uint8Array([1, 2]));
  conn.feed(Object.assign(new Error('peer closed connection without sending TLS close_notify'), { name: 'UnexpectedEof' }));
  assert.equal([...(await reader.read()).value!], [1, 2]);
  assert.ok((await reader.read()).done);

  const reset = new ScriptedConn();
  const r2 = denoConnToPair(reset).readable.getReader();
  const error = Object.assign(new Error('reset'), { name: 'ConnectionReset' });
  reset.feed(error);
  assert.is(await r2.read().then(() => null, (e: unknown) => e), error);
});

Deno('a read or a write that fails (the peer reset) fails both directions with its error and closes the connection', async () => {
  const reset = (): Error => Object.assign(new Error('connection reset'), { name: 'ConnectionReset' });
  const a = new ScriptedConn();
  const pa = denoConnToPair(a);
  const readerA = pa.readable.getReader();
  const writeFailure = (a.writeError = reset());
  assert.is(await pa.writable.getWriter().write(new Uint8Array(10)).then(() => null, (e: unknown) => e), writeFailure);
  assert.is(await readerA.read().then(() => null, (e: unknown) => e), writeFailure, 'the readable fails with the write\'s error');
  assert.ok(a.closed, 'the connection is closed (a Deno resource stays open until it is)');

  const b = new ScriptedConn();
  const pb = denoConnToPair(b);
  const readerB = pb.readable.getReader();
  const readFailure = reset();
  b.feed(readFailure);
  assert.is(await readerB.read().then(() => null, (e: unknown) => e), readFailure);
  assert.ok(b.closed, 'the connection is closed');
  assert.is(await pb.writable.getWriter().write(new Uint8Array(1)).then(() => null, (e: unknown) => e), readFailure, 'later writes fail with the same error');
});

Deno('closing the writable half-closes (closeWrite); the connection is closed once the peer ended too', async () => {
  const conn = new ScriptedConn();
  const pair = denoConnToPair(conn);
  const reader = pair.readable.getReader();
  await pair.writable.close();
  assert.equal(conn.calls, ['setNoDelay(true)', 'closeWrite']);
  conn.feed(null);
  assert.ok((await reader.read()).done);
  assert.equal(conn.calls, ['setNoDelay(true)', 'closeWrite', 'close']);
});

Deno('aborting the writable or cancelling the readable first closes at once; later writes fail with SocketClosedError', async () => {
  const a = new ScriptedConn();
  const pa = denoConnToPair(a);
  await pa.writable.abort(new Error('gave up'));
  assert.ok(a.closed);
  const b = new ScriptedConn();
  const pb = denoConnToPair(b);
  await pb.readable.cancel();
  assert.ok(b.closed);
  const err = await pb.writable.getWriter().write(new Uint8Array(1)).then(() => null, (e: unknown) => e);
  assert.instance(err, SocketClosedError);
});

Deno('aborting the writable fails a read waiting on the readable with SocketClosedError (as a Node pair does) instead of leaving it pending', async () => {
  const conn = new ScriptedConn();
  const pair = denoConnToPair(conn);
  const reader = pair.readable.getReader();
  let outcome: unknown = 'pending';
  reader.read().then(
    () => (outcome = 'fulfilled'),
    (e: unknown) => (outcome = e),
  );
  await settle();
  await pair.writable.abort(new Error('peer stopped reading'));
  await settle();
  assert.ok(conn.closed);
  assert.instance(outcome, SocketClosedError, 'the waiting read settled');
});

Deno("connectSession leaves nothing on the caller's AbortSignal once connected: one long-lived signal serves many connections", async () => {
  const conns: ScriptedConn[] = [];
  const g = globalThis as { Deno?: unknown };
  const saved = g.Deno;
  g.Deno = { connect: async () => (conns.push(new ScriptedConn()), conns.at(-1)!) };
  try {
    const signal = new AbortController().signal;
    for (let i = 0; i < 3; i++) {
      const session = await denoConnectSession('http://127.0.0.1:1/', { signal });
      session.close({ graceful: false }).catch(() => undefined);
    }
    assert.is(getEventListeners(signal, 'abort').length, 0, 'no abort listener left behind per connection');
  } finally {
    g.Deno = saved;
    for (const conn of conns) conn.close();
  }
});

Deno('connect() refuses a URL it cannot fetch from before connecting, in Deno and in Bun: no connection is left behind', () => {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  const saved = { Deno: g.Deno, Bun: g.Bun };
  let connects = 0;
  g.Deno = { connect: async () => void connects++, connectTls: async () => void connects++ };
  g.Bun = { connect: () => void connects++ };
  try {
    for (const url of ['ftp://127.0.0.1/', 'http://user:pw@127.0.0.1:1/']) {
      assert.throws(() => denoConnect(url), TypeError, url);
      assert.throws(() => bunConnect(url), TypeError, url);
    }
    assert.is(connects, 0);
  } finally {
    g.Deno = saved.Deno;
    g.Bun = saved.Bun;
  }
});

/** A Bun socket whose peer the test plays: `write` takes at most `writeLimit` bytes per call. */
class ScriptedSocket implements BunSocket {
  data: BunSocketPair | undefined;
  readonly remoteAddress = '127.0.0.1';
  readonly calls: string[] = [];
  readonly written: number[] = [];
  /** Every byte taken, in order. */
  readonly sent: number[] = [];
  writeLimit = Infinity;
  closed = false;
  write(data: Uint8Array): number {
    if (this.closed) return -1;
    const n = Math.min(data.byteLength, this.writeLimit);
    this.written.push(n);
    if (data.byteLength < 4096) this.sent.push(...data.subarray(0, n));
    return n;
  }
  shutdown(): void {
    this.calls.push('shutdown');
  }
  end(): void {
    this.calls.push('end');
    this.closed = true;
  }
  terminate(): void {
    this.calls.push('terminate');
    this.closed = true;
  }
  pause(): void {
    this.calls.push('pause');
  }
  resume(): void {
    this.calls.push('resume');
  }
  setNoDelay(on?: boolean): boolean {
    this.calls.push(`setNoDelay(${String(on)})`);
    return true;
  }
}

const Bun = suite('BunSocketPair (scripted Bun socket)');

/**
 * A pair whose socket took 10 bytes of a 100 000-byte write (past the batch size: written at once); the
 * rest waits for 'drain'. `waiting` is that write's rejection (null if it fulfils).
 */
async function writeWaitingForDrain() {
  const socket = new ScriptedSocket();
  socket.writeLimit = 10;
  const pair = new BunSocketPair(socket);
  const writer = pair.writable.getWriter();
  const waiting = writer.write(new Uint8Array(100_000)).then(() => null, (e: unknown) => e);
  await settle();
  return { socket, pair, writer, waiting };
}

Bun("sets TCP_NODELAY; a write Bun takes only part of resolves once 'drain' let the rest through", async () => {
  const socket = new ScriptedSocket();
  const pair = new BunSocketPair(socket);
  assert.equal(socket.calls, ['setNoDelay(true)']);
  socket.writeLimit = 524_288;
  let done = false;
  const writing = pair.writable.getWriter().write(new Uint8Array(1_200_000)).then(() => (done = true));
  await settle();
  assert.is(done, false);
  pair.onDrain();
  await settle();
  assert.is(done, false);
  pair.onDrain();
  await writing;
  assert.equal(socket.written, [524_288, 524_288, 151_424]);
});

Bun('pauses the socket when the queue is full and resumes it when the session reads', async () => {
  const socket = new ScriptedSocket();
  const pair = new BunSocketPair(socket, { readableHighWaterMark: 1000 });
  pair.onData(new Uint8Array(600));
  assert.not.ok(socket.calls.includes('pause'));
  pair.onData(new Uint8Array(600));
  assert.ok(socket.calls.includes('pause'));
  const reader = pair.readable.getReader();
  await reader.read();
  await reader.read();
  await settle();
  assert.ok(socket.calls.includes('resume'));
});

Bun("closing the writable shuts down our side only; 'end' from the peer then ends the readable and the socket", async () => {
  const socket = new ScriptedSocket();
  const pair = new BunSocketPair(socket);
  const reader = pair.readable.getReader();
  await pair.writable.close();
  assert.equal(socket.calls, ['setNoDelay(true)', 'shutdown']);
  pair.onEnd();
  assert.ok((await reader.read()).done);
  assert.equal(socket.calls, ['setNoDelay(true)', 'shutdown', 'end']);
});

Bun('a close without error ends the readable; with an error it fails it and a waiting write', async () => {
  const clean = new ScriptedSocket();
  const p1 = new BunSocketPair(clean);
  const r1 = p1.readable.getReader();
  p1.onClose();
  assert.ok((await r1.read()).done);

  const { pair: p2, writer, waiting } = await writeWaitingForDrain();
  const r2 = p2.readable.getReader();
  const error = new Error('ECONNRESET');
  p2.onClose(error);
  assert.is(await waiting, error);
  assert.is(await r2.read().then(() => null, (e: unknown) => e), error);
  assert.is(await writer.write(new Uint8Array(1)).then(() => null, (e: unknown) => e), error, 'later writes fail with the same error');
});

Bun("a write Bun refuses (-1: it closed the socket, its close event still to come) fails the write waiting for 'drain'", async () => {
  const { socket, pair, waiting } = await writeWaitingForDrain();
  socket.closed = true;
  pair.onDrain();
  assert.instance(await waiting, SocketClosedError);
  assert.equal(socket.written, [10], 'nothing more was taken');
});

Bun('aborting the writable terminates the socket, also while a write waits for drain', async () => {
  const { socket, writer, waiting } = await writeWaitingForDrain();
  void writer.abort(new Error('peer stopped reading'));
  assert.instance(await waiting, SocketClosedError);
  assert.ok(socket.calls.includes('terminate'));
});

Bun('writes made before the event loop turns leave in one socket write, in order, once the microtasks ran', async () => {
  const socket = new ScriptedSocket();
  const pair = new BunSocketPair(socket);
  const writer = pair.writable.getWriter();
  // Each resolves at once (the session's next flush is not held up), none reaches the socket yet.
  await writer.write(Uint8Array.of(1, 2));
  await writer.write(Uint8Array.of(3));
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await writer.write(Uint8Array.of(4, 5, 6));
  assert.equal(socket.written, []);
  await settle(1);
  assert.equal(socket.written, [6]);
  assert.equal(socket.sent, [1, 2, 3, 4, 5, 6]);
  await writer.write(Uint8Array.of(7));
  await settle(1);
  assert.equal(socket.written, [6, 1], 'the next turn\'s writes are the next batch');
});

Bun('a batch reaching writeBatchSize is written at once', async () => {
  const socket = new ScriptedSocket();
  const pair = new BunSocketPair(socket, { writeBatchSize: 4 });
  const writer = pair.writable.getWriter();
  await writer.write(Uint8Array.of(1, 2));
  assert.equal(socket.written, []);
  await writer.write(Uint8Array.of(3, 4));
  assert.equal(socket.written, [4]);
  assert.equal(socket.sent, [1, 2, 3, 4]);
});

Bun("writes made while Bun holds back part of a batch wait for 'drain', and leave after that remainder", async () => {
  const socket = new ScriptedSocket();
  socket.writeLimit = 3;
  const pair = new BunSocketPair(socket);
  const writer = pair.writable.getWriter();
  await writer.write(Uint8Array.of(1, 2, 3, 4, 5));
  await settle(1);
  assert.equal(socket.sent, [1, 2, 3]);
  let done = false;
  const waiting = writer.write(Uint8Array.of(6, 7)).then(() => (done = true));
  await settle();
  assert.is(done, false, 'the write waits while Bun holds the remainder back');
  assert.equal(socket.sent, [1, 2, 3], 'nothing overtakes the remainder');
  socket.writeLimit = Infinity;
  pair.onDrain();
  await waiting;
  assert.equal(socket.sent, [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(socket.written, [3, 2, 2]);
});

Bun("closing the writable writes what was gathered, and shuts down only once Bun took all of it", async () => {
  const socket = new ScriptedSocket();
  const pair = new BunSocketPair(socket);
  const writer = pair.writable.getWriter();
  await writer.write(Uint8Array.of(1, 2));
  await writer.close();
  assert.equal(socket.sent, [1, 2]);
  assert.equal(socket.calls, ['setNoDelay(true)', 'shutdown']);

  const slow = new ScriptedSocket();
  slow.writeLimit = 1;
  const p2 = new BunSocketPair(slow);
  const w2 = p2.writable.getWriter();
  await w2.write(Uint8Array.of(1, 2, 3));
  let closed = false;
  const closing = w2.close().then(() => (closed = true));
  await settle();
  assert.is(closed, false);
  assert.not.ok(slow.calls.includes('shutdown'), 'no FIN before the last byte');
  p2.onDrain();
  p2.onDrain();
  await closing;
  assert.equal(slow.sent, [1, 2, 3]);
  assert.equal(slow.calls, ['setNoDelay(true)', 'shutdown']);
});

Bun('a socket that closes drops what was gathered and fails the waiting write; aborting does too', async () => {
  const socket = new ScriptedSocket();
  socket.writeLimit = 1;
  const pair = new BunSocketPair(socket);
  const writer = pair.writable.getWriter();
  await writer.write(Uint8Array.of(1, 2));
  await settle(1);
  const waiting = writer.write(Uint8Array.of(3)).then(() => null, (e: unknown) => e);
  await settle();
  pair.onClose();
  assert.instance(await waiting, SocketClosedError);
  pair.onDrain();
  assert.equal(socket.sent, [1], 'nothing is written after close');

  const other = new ScriptedSocket();
  const p2 = new BunSocketPair(other);
  const w2 = p2.writable.getWriter();
  await w2.write(Uint8Array.of(1));
  await w2.abort(new Error('gone'));
  await settle(1);
  assert.equal(other.written, [], 'an aborted pair writes nothing more');
  assert.ok(other.calls.includes('terminate'));
});

Deno.run();
Bun.run();
