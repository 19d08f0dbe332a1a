/**
 * HTTP/1.1 on the HTTP/2 port against hostile clients: every wait has a deadline (headers, body), one
 * connection cannot make the server run unbounded requests at once, and responses follow RFC 9110's
 * framing rules. Peers: raw sockets (the bytes a hostile client controls), node:http.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect as netConnect, type Socket } from 'node:net';
import { once } from 'node:events';
import { listen, type FetchHandler, type H2Server } from '../../src/transport/node';
import type { ListenHttp1Options } from '../../src/transport/listen';

const H1 = suite('HTTP/1.1 on the HTTP/2 port, hostile clients');

/** Connects a raw socket to `port`; `received()` reads what has arrived, `closed` settles when the server closes it. */
async function rawSocket(port: number): Promise<{ socket: Socket; closed: Promise<unknown>; received: () => string }> {
  const socket = netConnect({ port, host: '127.0.0.1' });
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  socket.on('error', () => undefined);
  const closed = once(socket, 'close');
  await once(socket, 'connect');
  return { socket, closed, received: () => Buffer.concat(chunks).toString('latin1') };
}

async function withListener(http1: ListenHttp1Options, body: (port: number, server: H2Server) => Promise<void>): Promise<void> {
  const server = await listen({ port: 0, http1 });
  try {
    await body(server.address.port, server);
  } finally {
    await server.close({ graceful: false });
  }
}

const hello: FetchHandler = () => new Response('hello');

H1('a client that sends part of a header block and stalls is closed after headersTimeout (408)', async () => {
  await withListener({ handler: hello, headersTimeout: 200 }, async (port) => {
    // The sniffer hands the connection over after one byte; from then on only the HTTP/1.1 deadlines apply.
    const { socket, closed, received } = await rawSocket(port);
    socket.write('GET / HTTP/1.1\r\nhost: x\r\nx-slow: ');
    await closed;
    assert.match(received(), /^HTTP\/1\.1 408 /);
    // A client that sends one byte and stalls too.
    const one = await rawSocket(port);
    one.socket.write('G');
    await one.closed;
  });
});

H1('a request body that stalls is cut off after requestTimeout and the handler sees the body fail', async () => {
  let failure: unknown = null;
  const handler: FetchHandler = async (request) => {
    try {
      await request.arrayBuffer();
    } catch (error) {
      failure = error;
    }
    return new Response('unreachable');
  };
  await withListener({ handler, headersTimeout: 100, requestTimeout: 300 }, async (port) => {
    const { socket, closed } = await rawSocket(port);
    socket.write('POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\nonly a part');
    await closed;
    while (failure === null) await new Promise((r) => setTimeout(r, 10));
    assert.instance(failure, Error);
  });
});

H1('204 and 304 responses carry no Content-Length (RFC 9110 §8.6); other bodiless responses say 0', async () => {
  const handler: FetchHandler = (request) => new Response(null, { status: Number(new URL(request.url).pathname.slice(1)) });
  await withListener({ handler }, async (port) => {
    const { socket, closed, received } = await rawSocket(port);
    socket.write('GET /204 HTTP/1.1\r\nhost: x\r\n\r\nGET /304 HTTP/1.1\r\nhost: x\r\n\r\nGET /205 HTTP/1.1\r\nhost: x\r\n\r\nGET /200 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    await closed;
    const responses = received().split(/(?=HTTP\/1\.1 )/);
    assert.is(responses.length, 4, received());
    assert.not.match(responses[0]!, /content-length/i);
    assert.not.match(responses[0]!, /transfer-encoding/i);
    assert.not.match(responses[1]!, /content-length/i);
    assert.not.match(responses[1]!, /transfer-encoding/i);
    assert.match(responses[2]!, /content-length: 0\r\n/i);
    assert.match(responses[3]!, /content-length: 0\r\n/i);
  });
});

H1('pipelined requests run at most maxPipelinedRequests at a time on one connection, all answered in order', async () => {
  let active = 0;
  let most = 0;
  const waiting: Array<() => void> = [];
  const handler: FetchHandler = async (request) => {
    active++;
    most = Math.max(most, active);
    // Each request waits until the test lets it go: without a limit, every pipelined request would be running.
    await new Promise<void>((r) => waiting.push(r));
    active--;
    return new Response(new URL(request.url).pathname);
  };
  await withListener({ handler, maxPipelinedRequests: 2 }, async (port) => {
    const { socket, closed, received } = await rawSocket(port);
    const n = 2000;
    let text = '';
    for (let i = 0; i < n - 1; i++) text += `GET /${i} HTTP/1.1\r\nhost: x\r\n\r\n`;
    socket.write(text + `GET /${n - 1} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
    for (let answered = 0; answered < n; answered++) {
      // A turn of the event loop first: the server may start whatever it is going to start.
      do await new Promise((r) => setTimeout(r, 1));
      while (waiting.length === 0);
      waiting.shift()!();
    }
    await closed;
    assert.ok(most <= 2, `${most} requests ran at once`);
    // Chunked bodies: "<size>\r\n/<i>\r\n".
    const paths = [...received().matchAll(/\r\n\/(\d+)\r\n/g)].map((m) => m[1]).join(' ');
    assert.ok(paths === Array.from({ length: n }, (_, i) => i).join(' '), 'answered out of order or not at all');
  });
});

H1('a client that pipelines requests and hangs up aborts every one of them, not only the first', async () => {
  let started = 0;
  let aborted = 0;
  const handler: FetchHandler = async (request) => {
    started++;
    // A long poll: it ends when the client goes away.
    await new Promise((r) => request.signal.addEventListener('abort', r, { once: true }));
    aborted++;
    return new Response('gone');
  };
  await withListener({ handler, maxPipelinedRequests: 4 }, async (port, server) => {
    const { socket, closed } = await rawSocket(port);
    socket.write('GET /poll HTTP/1.1\r\nhost: x\r\n\r\n'.repeat(4));
    while (started < 4) await new Promise((r) => setTimeout(r, 5));
    socket.destroy();
    await closed;
    while (aborted < 4) await new Promise((r) => setTimeout(r, 5));
    while (server.connections > 0) await new Promise((r) => setTimeout(r, 5));
  });
});

H1.run();
