/**
 * Contained failures against a real peer (issue 13): node:http2's client sends requests whose header
 * block is past h2flow's MAX_HEADER_LIST_SIZE on the same connection as normal ones; `serve()` answers
 * the oversized ones 431 without running the handler, and the others as usual on the same connection;
 * uploads answered early (their streams reset while their bodies are in flight) leave the connection up.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect as http2Connect, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { connect as netConnect } from 'node:net';
import { serve, type HttpServer } from '../../src/transport/node';
import { TestPeer, E } from '../support/peer';

const Contained = suite('contained failures: oversized header blocks against serve()');

let server: HttpServer;
let origin = '';
let handled: string[] = [];

Contained.before(async () => {
  server = serve(
    (request) => {
      handled.push(new URL(request.url).pathname);
      return new Response('ok');
    },
    { port: 0, hostname: '127.0.0.1', onListen: () => undefined },
  );
  origin = `http://127.0.0.1:${(await server.listening).port}`;
});

Contained.after(() => server.shutdown());

/** One request on `session`: its status and body, once the stream closed. */
function get(session: ClientHttp2Session, path: string, extra: OutgoingHttpHeaders = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':path': path, ...extra });
    let status = 0;
    let body = '';
    req.on('response', (headers: IncomingHttpHeaders) => (status = Number(headers[':status'])));
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve({ status, body }));
    req.on('error', reject);
    req.end();
  });
}

/** A node:http2 client allowed to send header blocks far past the server's advertised limit. */
function client(): ClientHttp2Session {
  const session = http2Connect(origin, { maxSendHeaderBlockLength: 1024 * 1024, maxHeaderListPairs: 1000 } as Parameters<typeof http2Connect>[1]);
  session.on('error', () => undefined);
  return session;
}

Contained('a 100 KiB header field gets 431 and a normal request on the same connection gets 200', async () => {
  handled = [];
  const session = client();
  try {
    const [big, normal] = await Promise.all([get(session, '/big', { cookie: 'c'.repeat(100 * 1024) }), get(session, '/normal')]);
    assert.equal([big.status, normal.status, normal.body], [431, 200, 'ok']);
    // Still the same connection: one more request goes through it.
    assert.is((await get(session, '/after')).status, 200);
    assert.not.ok(session.closed || session.destroyed);
    assert.equal(handled.sort(), ['/after', '/normal']);
  } finally {
    session.close();
  }
});

Contained('100 header fields of 1 KiB each get 431; the requests in flight beside them complete', async () => {
  handled = [];
  const session = client();
  try {
    const fields: OutgoingHttpHeaders = {};
    for (let i = 0; i < 100; i++) fields[`x-field-${i}`] = `${i}-`.padEnd(1024, 'v');
    const results = await Promise.all([get(session, '/a'), get(session, '/many', fields), get(session, '/b'), get(session, '/c')]);
    assert.equal(results.map((r) => r.status), [200, 431, 200, 200]);
    assert.equal(handled.sort(), ['/a', '/b', '/c']);
  } finally {
    session.close();
  }
});

Contained('requests reset in the same write as their HEADERS (Rapid Reset) never reach the handler', async () => {
  handled = [];
  const peer = new TestPeer('client');
  const request = (id: number, path: string) => peer.headers(id, [[':method', 'GET'], [':scheme', 'http'], [':authority', 'x'], [':path', path]], { endStream: true });
  const attack: Uint8Array[] = [peer.greeting()];
  for (let id = 1; id < 100; id += 2) attack.push(request(id, `/reset-${id}`), peer.rstStream(id, E.CANCEL));
  attack.push(request(101, '/kept'));
  const answered = await new Promise<Buffer>((resolve, reject) => {
    const socket = netConnect({ port: Number(new URL(origin).port), host: '127.0.0.1' });
    const got: Buffer[] = [];
    socket.on('data', (d: Buffer) => {
      got.push(d);
      // Stream 101's response (a HEADERS frame on stream 101) has arrived: done.
      const all = Buffer.concat(got);
      for (let at = 0; at + 9 <= all.length; at += 9 + all.readUIntBE(at, 3)) {
        if (all[at + 3] === 0x1 && all.readUInt32BE(at + 5) === 101) {
          socket.destroy();
          resolve(all);
          return;
        }
      }
    });
    socket.on('error', reject);
    socket.on('connect', () => socket.write(peer.concat(...attack)));
  });
  assert.ok(answered.length > 0);
  // The session drops a peer stream reset before anyone took it from `incoming`. One socket read normally
  // carries the whole write; one split could let a single reset request through.
  assert.ok(handled.includes('/kept'));
  assert.ok(handled.length <= 2, `the handler ran for ${handled.join(', ')}`);
});

Contained('40 uploads of 1 MiB answered 413 before their bodies are read do not end the connection: a GET on it still gets 200', async () => {
  // A 1 MiB stream window: each refused upload has up to 64 DATA frames in flight when its stream is reset,
  // 2,560 in all, past the reset budget (1,000) if each reply to them spent a token.
  const uploads = serve((request) => (request.method === 'POST' ? new Response('too large', { status: 413 }) : new Response('ok')), {
    port: 0,
    hostname: '127.0.0.1',
    onListen: () => undefined,
    session: { settings: { initialWindowSize: 1 << 20 }, connectionWindowSize: 64 << 20 },
  });
  const session = http2Connect(`http://127.0.0.1:${(await uploads.listening).port}`);
  session.on('error', () => undefined);
  let goaway: number | null = null;
  session.on('goaway', (code: number) => (goaway = code));
  try {
    // Settles on the response's end: node:http2's client keeps a stream whose upload is unfinished open
    // after RST_STREAM(NO_ERROR) (RFC 9113 §8.1: stop sending, keep the response), so it is closed here.
    const post = (): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = session.request({ ':method': 'POST', ':path': '/upload' });
        let status = 0;
        req.on('response', (headers: IncomingHttpHeaders) => (status = Number(headers[':status'])));
        req.on('data', () => undefined);
        req.on('end', () => {
          req.close();
          resolve(status);
        });
        req.on('error', reject);
        req.end(new Uint8Array(1024 * 1024));
      });
    // One GET first: node:http2's client (v20) reported a POST that was the connection's first stream as
    // ended with no response (it emitted 'end', never 'response'), though HEADERS 413 and DATA went out
    // before the RST_STREAM (checked on the wire).
    assert.equal(await get(session, '/first'), { status: 200, body: 'ok' });
    const statuses: number[] = [];
    for (let round = 0; round < 4; round++) statuses.push(...(await Promise.all(Array.from({ length: 10 }, post))));
    assert.equal(statuses, Array(40).fill(413));
    assert.equal(await get(session, '/after'), { status: 200, body: 'ok' });
    assert.is(goaway, null, 'no GOAWAY');
  } finally {
    session.destroy();
    await uploads.shutdown();
  }
});

Contained.run();
