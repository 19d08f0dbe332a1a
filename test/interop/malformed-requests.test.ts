/**
 * Contained failures (issue 13): a request that becomes malformed after its handler started — a body
 * shorter or longer than its content-length (RFC 9113 §8.1.1) — fails only its own stream through
 * `serve()`: the handler's `req.body` errors and `req.signal` aborts, the client gets RST_STREAM
 * PROTOCOL_ERROR, and the other requests on the connection complete. A scripted peer speaks over TCP
 * (frames exactly as written, trailers too), and node:http2's client, which sends a body that
 * disagrees with its content-length as it is given.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import { serve, type HttpServer } from '../../src/transport/node';
import { E, T, TestPeer, type HeaderPair, type PeerFrame } from '../support/peer';

const Malformed = suite('contained failures: requests malformed after their handler started, through serve()');

/** What the upload handler saw: its first chunk, how reading the rest ended, and its signal. */
interface Seen {
  firstChunk: string;
  bodyError: unknown;
  aborted: boolean;
}

let server: HttpServer;
let port = 0;
/** Resolves each upload's first chunk (the handler has started and is reading). */
let started: (() => void) | null = null;
/** Settles with what the upload handler saw once its body read ended. */
let seen: Promise<Seen> = Promise.resolve({ firstChunk: '', bodyError: null, aborted: false });
let settleSeen: (s: Seen) => void = () => undefined;
let handled: string[] = [];

Malformed.before(async () => {
  server = serve(
    async (request) => {
      const path = new URL(request.url).pathname;
      handled.push(path);
      if (path !== '/upload') return new Response(`ok ${path}`);
      // One handler makes its signal before the failure, the other only after it.
      const early = request.headers.get('x-signal') === 'early' ? request.signal : null;
      const reader = request.body!.getReader();
      const first = await reader.read();
      const firstChunk = new TextDecoder().decode(first.value);
      started?.();
      let bodyError: unknown = null;
      try {
        while (!(await reader.read()).done);
      } catch (e) {
        bodyError = e;
      }
      // The early signal aborts in the same turn as the failure: after its microtasks, by the next task.
      if (early !== null) await new Promise((resolve) => setImmediate(resolve));
      settleSeen({ firstChunk, bodyError, aborted: request.signal.aborted });
      return new Response('unreachable: the stream is gone');
    },
    { port: 0, hostname: '127.0.0.1', onListen: () => undefined },
  );
  port = (await server.listening).port;
});

Malformed.after(() => server.shutdown());

/** A scripted client over TCP: sends what its TestPeer builds, parses what the server sends. */
class TcpPeer {
  readonly peer = new TestPeer('client');
  readonly frames: PeerFrame[] = [];
  readonly #socket: Socket;
  #closed = false;
  #waiters: (() => void)[] = [];

  constructor() {
    this.#socket = netConnect({ port, host: '127.0.0.1' });
    this.#socket.on('data', (d: Buffer) => {
      this.frames.push(...this.peer.read(new Uint8Array(d)).drain());
      this.#wake();
    });
    this.#socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
    this.#socket.on('error', () => undefined);
  }

  send(...chunks: Uint8Array[]): void {
    this.#socket.write(this.peer.concat(...chunks));
  }

  /** The first frame matching `pred`; rejects if the server closes the connection before it comes. */
  async waitFor(what: string, pred: (f: PeerFrame) => boolean): Promise<PeerFrame> {
    for (;;) {
      const found = this.frames.find(pred);
      if (found) return found;
      if (this.#closed) throw new Error(`the connection closed before ${what}; got ${this.frames.map((f) => `${f.typeName}:${f.streamId}`).join(' ')}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  close(): void {
    this.#socket.destroy();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

const request = (path: string, method = 'GET', extra: HeaderPair[] = []): HeaderPair[] => [[':method', method], [':scheme', 'http'], [':authority', 'x'], [':path', path], ...extra];

/** The body of stream `id`'s response, once its END_STREAM arrived. */
async function responseBody(c: TcpPeer, id: number): Promise<string> {
  await c.waitFor(`the end of stream ${id}`, (f) => f.streamId === id && f.flagNames.includes('END_STREAM'));
  return c.frames.filter((f) => f.streamId === id && f.type === T.DATA).map((f) => new TextDecoder().decode(f.data)).join('');
}

/**
 * Starts an upload announcing `contentLength` with a first chunk, and once its handler read that chunk,
 * sends `rest` on it together with a GET on stream 5 (stream 3 was opened with it); returns the peer.
 */
async function uploadThen(contentLength: number, rest: (peer: TestPeer) => Uint8Array, signal: 'early' | 'late' = 'late'): Promise<TcpPeer> {
  handled = [];
  seen = new Promise<Seen>((resolve) => (settleSeen = resolve));
  const handlerStarted = new Promise<void>((resolve) => (started = resolve));
  const c = new TcpPeer();
  const p = c.peer;
  c.send(p.greeting(), p.headers(1, request('/upload', 'POST', [['content-length', String(contentLength)], ['x-signal', signal]])), p.data(1, 'abc'), p.headers(3, request('/before'), { endStream: true }));
  await handlerStarted;
  c.send(rest(p), p.headers(5, request('/after'), { endStream: true }));
  return c;
}

/** The upload's stream was reset with PROTOCOL_ERROR, its handler saw the body fail and the signal abort, and streams 3 and 5 were answered on the same connection. */
async function expectContained(c: TcpPeer): Promise<void> {
  try {
    const rst = await c.waitFor('RST_STREAM on stream 1', (f) => f.type === T.RST_STREAM && f.streamId === 1);
    assert.is(rst.errorCode, E.PROTOCOL_ERROR);
    const s = await seen;
    assert.is(s.firstChunk, 'abc');
    assert.ok(s.bodyError instanceof Error, `the handler's body read ended with ${String(s.bodyError)}`);
    assert.ok(s.aborted, 'req.signal aborted');
    assert.is(await responseBody(c, 3), 'ok /before');
    assert.is(await responseBody(c, 5), 'ok /after');
    assert.not.ok(c.frames.some((f) => f.type === T.GOAWAY), 'no GOAWAY');
    assert.not.ok(c.frames.some((f) => f.streamId === 1 && f.type !== T.RST_STREAM && f.type !== T.WINDOW_UPDATE), 'no response on the malformed stream');
    assert.equal(handled.sort(), ['/after', '/before', '/upload']);
  } finally {
    c.close();
  }
}

Malformed('a body shorter than its content-length at END_STREAM fails that handler (body errors, signal aborts); the other requests complete', async () => {
  await expectContained(await uploadThen(10, (p) => p.data(1, 'de', { endStream: true })));
});

Malformed('a body longer than its content-length fails that handler at the excess DATA; the other requests complete', async () => {
  await expectContained(await uploadThen(5, (p) => p.data(1, 'defg')));
});

Malformed('a signal the handler took before its body turned out malformed aborts too', async () => {
  await expectContained(await uploadThen(5, (p) => p.data(1, 'defg'), 'early'));
});

Malformed('trailers that end a body short of its content-length fail that handler; the other requests complete', async () => {
  await expectContained(await uploadThen(10, (p) => p.headers(1, [['x-checksum', '1']], { endStream: true })));
});

/** One GET on a node:http2 session: its body text, once it ended. */
function nodeGet(session: ClientHttp2Session, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':path': path });
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
    req.end();
  });
}

for (const [name, contentLength, rest] of [['shorter', '10', 'de'], ['longer', '4', 'defg']] as const) {
  Malformed(`node:http2 sending a body ${name} than its content-length after the handler started gets RST_STREAM PROTOCOL_ERROR; the session's other requests complete`, async () => {
    handled = [];
    seen = new Promise<Seen>((resolve) => (settleSeen = resolve));
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    const session = http2Connect(`http://127.0.0.1:${port}`);
    session.on('error', () => undefined);
    try {
      const before = nodeGet(session, '/before');
      const req = session.request({ ':method': 'POST', ':path': '/upload', 'content-length': contentLength });
      const rstCode = new Promise<number>((resolve) => req.on('close', () => resolve(req.rstCode)));
      req.on('error', () => undefined);
      req.resume();
      req.write('abc');
      await handlerStarted;
      const after = nodeGet(session, '/after');
      req.end(rest);
      assert.is(await rstCode, E.PROTOCOL_ERROR);
      const s = await seen;
      assert.ok(s.bodyError instanceof Error, `the handler's body read ended with ${String(s.bodyError)}`);
      assert.ok(s.aborted, 'req.signal aborted');
      assert.equal([await before, await after], ['ok /before', 'ok /after']);
      assert.not.ok(session.closed || session.destroyed, 'the session is still open');
      assert.equal(handled.sort(), ['/after', '/before', '/upload']);
    } finally {
      session.close();
    }
  });
}

Malformed('a request whose header block is malformed never reaches a handler; its neighbours in the same read do', async () => {
  handled = [];
  const c = new TcpPeer();
  const p = c.peer;
  try {
    c.send(p.greeting(), p.headers(1, request('/a'), { endStream: true }), p.headers(3, request('/bad', 'GET', [['Upper', 'x']]), { endStream: true }), p.headers(5, request('/b'), { endStream: true }));
    const rst = await c.waitFor('RST_STREAM on stream 3', (f) => f.type === T.RST_STREAM && f.streamId === 3);
    assert.is(rst.errorCode, E.PROTOCOL_ERROR);
    assert.is(await responseBody(c, 1), 'ok /a');
    assert.is(await responseBody(c, 5), 'ok /b');
    // HPACK stayed in sync: a request after it, reusing its indexed fields, is served.
    c.send(p.headers(7, request('/bad', 'GET'), { endStream: true }));
    assert.is(await responseBody(c, 7), 'ok /bad');
    assert.equal(handled.sort(), ['/a', '/b', '/bad']);
    assert.not.ok(c.frames.some((f) => f.type === T.GOAWAY), 'no GOAWAY');
  } finally {
    c.close();
  }
});

Malformed.run();
