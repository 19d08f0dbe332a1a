/**
 * HTTP/1.1 on the HTTP/2 port against hostile clients: every wait has a deadline (headers, body), one
 * connection cannot make the server run unbounded requests at once, and responses follow RFC 9110's
 * framing rules. Peers: raw sockets (the bytes a hostile client controls), node:http.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Socket } from 'node:net';
import { once } from 'node:events';
import { connect as tlsConnect } from 'node:tls';
import { selfSignedCert, tempDir } from '../support/peers';
import { rawSocket } from '../support/raw-socket';
import { connect, listen, serve, type FetchHandler, type H2Server } from '../../src/transport/node';
import { LightResponse } from '../../src/fetch/light-response';
import { serveRequests } from '../../src/fetch/fetch-server';
import type { ListenHttp1Options } from '../../src/transport/listen';

const H1 = suite('HTTP/1.1 on the HTTP/2 port, hostile clients');

/** A raw socket to `port` (see support/raw-socket.ts) whose `received()` is what has arrived, as latin1 text. */
async function textSocket(port: number): Promise<{ socket: Socket; closed: Promise<unknown>; received: () => string }> {
  const raw = await rawSocket(port);
  return { socket: raw.socket, closed: raw.closed, received: raw.text };
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
    const { socket, closed, received } = await textSocket(port);
    socket.write('GET / HTTP/1.1\r\nhost: x\r\nx-slow: ');
    await closed;
    assert.match(received(), /^HTTP\/1\.1 408 /);
    // A client that sends one byte and stalls too.
    const one = await textSocket(port);
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
    const { socket, closed } = await textSocket(port);
    socket.write('POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\nonly a part');
    await closed;
    while (failure === null) await new Promise((r) => setTimeout(r, 10));
    assert.instance(failure, Error);
  });
});

H1('204 and 304 responses carry no Content-Length (RFC 9110 §8.6); other bodiless responses say 0', async () => {
  const handler: FetchHandler = (request) => new Response(null, { status: Number(new URL(request.url).pathname.slice(1)) });
  await withListener({ handler }, async (port) => {
    const { socket, closed, received } = await textSocket(port);
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
    const { socket, closed, received } = await textSocket(port);
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
    // In-memory bodies go out with a content-length: each right after its header block.
    const paths = [...received().matchAll(/\r\n\r\n\/(\d+)/g)].map((m) => m[1]).join(' ');
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
    const { socket, closed } = await textSocket(port);
    socket.write('GET /poll HTTP/1.1\r\nhost: x\r\n\r\n'.repeat(4));
    while (started < 4) await new Promise((r) => setTimeout(r, 5));
    socket.destroy();
    await closed;
    while (aborted < 4) await new Promise((r) => setTimeout(r, 5));
    while (server.connections > 0) await new Promise((r) => setTimeout(r, 5));
  });
});

H1('a streamed response body is cancelled when the client hangs up, whether its read is pending or it keeps producing', async () => {
  for (const kind of ['idle', 'endless'] as const) {
    let cancelled: unknown = null;
    let pulls = 0;
    const handler: FetchHandler = () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('first chunk\n'));
          },
          // idle: an event stream with nothing more to say (its read never settles); endless: always more.
          pull(controller) {
            pulls++;
            if (kind === 'endless') controller.enqueue(new Uint8Array(16 * 1024));
            else return new Promise<void>(() => undefined);
            return undefined;
          },
          cancel(reason) {
            cancelled = reason ?? 'cancelled';
          },
        }),
      );
    await withListener({ handler }, async (port, server) => {
      const { socket, closed } = await textSocket(port);
      socket.write('GET /events HTTP/1.1\r\nhost: x\r\n\r\n');
      await once(socket, 'data');
      socket.destroy();
      await closed;
      for (let i = 0; i < 1000 && (cancelled === null || server.connections > 0); i++) await new Promise((r) => setTimeout(r, 5));
      assert.ok(cancelled !== null, `${kind}: the body was cancelled`);
      const before = pulls;
      await new Promise((r) => setTimeout(r, 50));
      assert.is(pulls, before, `${kind}: no longer pulled`);
    });
  }
});

H1('a Host or target that would make the URL name another resource is refused (400), as over HTTP/2', async () => {
  const urls: string[] = [];
  const handler: FetchHandler = (request) => {
    urls.push(request.url);
    return new Response(request.url);
  };
  await withListener({ handler }, async (port) => {
    const status = async (head: string): Promise<string> => {
      const { socket, closed, received } = await textSocket(port);
      socket.write(`${head}\r\nconnection: close\r\n\r\n`);
      await closed;
      return received().slice(9, 12);
    };
    // A front proxy routing or filtering on "/public" passes these on; a URL parser reads them as /admin.
    const hostile = [
      'GET /public HTTP/1.1\r\nhost: example.com/admin?',
      'GET /public HTTP/1.1\r\nhost: example.com\\admin',
      'GET /public HTTP/1.1\r\nhost: example.com#',
      'GET /public\\..\\admin HTTP/1.1\r\nhost: example.com',
      // RFC 9112 §3.2: "more than one Host header field line" MUST get 400.
      'GET / HTTP/1.1\r\nhost: a.example\r\nhost: b.example',
      'GET / HTTP/1.1\r\nhost: ex%61mple.com',
    ];
    for (const head of hostile) assert.is(await status(head), '400', head);
    // Nor does an h2c upgrade carry a second Host into HTTP/2: the request stays HTTP/1.1 and gets its 400.
    const upgrade = 'connection: Upgrade, HTTP2-Settings\r\nupgrade: h2c\r\nhttp2-settings: AAMAAABkAAQAoAAAAAIAAAAA';
    assert.is(await status(`GET / HTTP/1.1\r\nhost: a.example\r\nhost: b.example\r\n${upgrade}`), '400');
    assert.equal(urls, []);
    const fine: Array<[string, string]> = [
      ['GET /p?q=1 HTTP/1.1\r\nhost: Example.com:8080', 'http://example.com:8080/p?q=1'],
      ['GET /p HTTP/1.1\r\nhost: [::1]:80', 'http://[::1]/p'],
      // absolute-form (RFC 9112 §3.2.2): the target's authority, not Host.
      ['GET http://other.example/p?x HTTP/1.1\r\nhost: example.com', 'http://other.example/p?x'],
      ['GET http://other.example HTTP/1.1\r\nhost: example.com', 'http://other.example/'],
      // HTTP/1.0 may leave Host out.
      ['GET /old HTTP/1.0', 'http://localhost/old'],
    ];
    for (const [head, url] of fine) {
      assert.is(await status(head), '200', head);
      assert.is(urls.pop(), url, head);
    }
  });
});

H1('a handler whose content-length disagrees with its body, or that sets transfer-encoding, cannot desync the connection', async () => {
  const handler: FetchHandler = (request) => {
    switch (new URL(request.url).pathname) {
      case '/long':
        return new Response('0123456789', { headers: { 'content-length': '5' } });
      case '/short':
        return new Response('012', { headers: { 'content-length': '5' } });
      case '/invalid':
        return new Response('012', { headers: { 'content-length': '3, 3' } });
      case '/te':
        return new Response('abc', { headers: { 'transfer-encoding': 'chunked', 'content-length': '3' } });
      default:
        return new Response('next');
    }
  };
  await withListener({ handler }, async (port) => {
    for (const path of ['/long', '/short', '/invalid']) {
      const { socket, closed, received } = await textSocket(port);
      // A proxy reusing the connection for another client's request would read the excess (or the missing
      // bytes) as part of the next response: the connection must end instead.
      socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\n\r\nGET /next HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
      await closed;
      const text = received();
      assert.not.match(text, 'next', `${path}: ${text}`);
      const head = text.indexOf('\r\n\r\n');
      const declared = /content-length: (\d+)\r\n/i.exec(text);
      if (head >= 0 && declared !== null) assert.ok(text.length - head - 4 < Number(declared[1]), `${path}: ${text}`);
    }
    // RFC 9112 §6.2: "MUST NOT send a Content-Length header field in any message that contains a Transfer-Encoding".
    const { socket, closed, received } = await textSocket(port);
    socket.write('GET /te HTTP/1.1\r\nhost: x\r\n\r\nGET /next HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    await closed;
    const first = received().split(/(?=HTTP\/1\.1 )/)[0]!;
    assert.ok(!(/content-length/i.test(first) && /transfer-encoding/i.test(first)), first);
    assert.match(received(), /\r\n\r\n(3\r\n)?abc/);
    assert.match(received(), 'next');
  });
});

H1('the deadlines end stalled HTTP/1.1 requests only: an h2c-upgraded connection outlives them', async () => {
  const handler: FetchHandler = (request) => new Response(new URL(request.url).pathname);
  const server = await listen({ port: 0, http1: { handler, headersTimeout: 100, requestTimeout: 200 } });
  const served = (async () => {
    for await (const { session } of server.accepted) serveRequests(session, handler, {});
  })();
  const client = connect(`http://127.0.0.1:${server.address.port}/first`, { upgrade: true });
  try {
    assert.is(await (await client.fetch('/first')).text(), '/first');
    // A stalled request started after the upgrade and closed by the deadline checker: it has run since.
    const { socket, closed } = await textSocket(server.address.port);
    socket.write('GET / HTTP/1.1\r\n');
    await closed;
    assert.is(await (await client.fetch('/second')).text(), '/second');
  } finally {
    await client.close();
    await server.close({ graceful: false });
    await served;
  }
});

H1('CONNECT over HTTP/1.1 gets 501 (as over HTTP/2), after the responses before it, and the connection closes', async () => {
  await withListener({ handler: hello }, async (port) => {
    const { socket, closed, received } = await textSocket(port);
    socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\nCONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\ntunnel bytes');
    await closed;
    const text = received();
    assert.match(text, /^HTTP\/1\.1 200 [^]*hello[^]*HTTP\/1\.1 501 /);
  });
});

H1('over TLS an Upgrade: h2c request is answered over HTTP/1.1 (RFC 9113 §3.1: h2c is cleartext only)', async () => {
  const dir = tempDir('h2flow-http1-hostile-');
  try {
    const cert = selfSignedCert(dir.path);
    const server = await listen({ port: 0, tls: { cert: cert.cert, key: cert.key }, http1: { handler: hello } });
    try {
      const socket = tlsConnect({ port: server.address.port, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
      await once(socket, 'secureConnect');
      const chunks: Buffer[] = [];
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.write('GET / HTTP/1.1\r\nhost: x\r\nconnection: Upgrade, HTTP2-Settings, close\r\nupgrade: h2c\r\nhttp2-settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n');
      await once(socket, 'close');
      const text = Buffer.concat(chunks).toString('latin1');
      assert.match(text, /^HTTP\/1\.1 200 /);
      assert.match(text, 'hello');
    } finally {
      await server.close({ graceful: false });
    }
  } finally {
    dir.cleanup();
  }
});

H1('over TLS too, pipelined requests past maxPipelinedRequests wait and are all answered in order', async () => {
  const dir = tempDir('h2flow-http1-hostile-');
  let active = 0;
  let most = 0;
  const handler: FetchHandler = async (request) => {
    active++;
    most = Math.max(most, active);
    await new Promise((r) => setTimeout(r, 0));
    active--;
    return new Response(new URL(request.url).pathname);
  };
  try {
    const cert = selfSignedCert(dir.path);
    const server = await listen({ port: 0, tls: { cert: cert.cert, key: cert.key }, http1: { handler, maxPipelinedRequests: 2 } });
    try {
      const socket = tlsConnect({ port: server.address.port, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
      await once(socket, 'secureConnect');
      const chunks: Buffer[] = [];
      socket.on('data', (d: Buffer) => chunks.push(d));
      const n = 3000;
      let text = '';
      for (let i = 0; i < n - 1; i++) text += `GET /${i} HTTP/1.1\r\nhost: x\r\n\r\n`;
      socket.write(text + `GET /${n - 1} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
      await once(socket, 'close');
      const paths = [...Buffer.concat(chunks).toString('latin1').matchAll(/\r\n\r\n\/(\d+)/g)].map((m) => m[1]).join(' ');
      assert.ok(paths === Array.from({ length: n }, (_, i) => i).join(' '), 'answered out of order or not at all');
      assert.ok(most <= 2, `${most} requests ran at once`);
    } finally {
      await server.close({ graceful: false });
    }
  } finally {
    dir.cleanup();
  }
});

const SLOW_READ_BODIES: Array<[string, () => Uint8Array | ReadableStream<Uint8Array>]> = [
  // More than the socket buffers on both sides hold.
  ['an in-memory body (one write)', () => new Uint8Array(64 * 1024 * 1024)],
  [
    'a streamed body',
    () => {
      let left = 64;
      return new ReadableStream<Uint8Array>({
        pull: (c) => (left-- > 0 ? c.enqueue(new Uint8Array(1024 * 1024)) : c.close()),
      });
    },
  ],
];
for (const [kind, makeBody] of SLOW_READ_BODIES) {
  H1(`a client that stops reading ${kind} is cut off after writeTimeout without progress, and completed rejects (slow read)`, async () => {
    let completed: Promise<void> | null = null;
    const handler: FetchHandler = (_request, info) => {
      completed = info.completed;
      return new Response(makeBody());
    };
    await withListener({ handler, writeTimeout: 200 }, async (port, server) => {
      const { socket } = await textSocket(port);
      socket.pause();
      socket.write('GET /big HTTP/1.1\r\nhost: x\r\n\r\n');
      while (completed === null) await new Promise((r) => setTimeout(r, 5));
      const outcome = await completed!.then(
        () => 'completed',
        (error: Error) => error.message,
      );
      assert.match(outcome, 'closed', outcome);
      while (server.connections > 0) await new Promise((r) => setTimeout(r, 5));
      socket.destroy();
    });
  });
}

H1('an in-memory body (string, bytes, LightResponse) goes out with its content-length in one piece, not chunked', async () => {
  const bodies: Record<string, () => Response> = {
    '/text': () => new Response('hello text'),
    '/bytes': () => new Response(new TextEncoder().encode('hello bytes')),
    '/light': () => new LightResponse('hello light'),
    // Two- and three-byte UTF-8 characters: the content-length counts bytes, not characters.
    '/utf8': () => new Response('hello utf8 \u00e9\u2713'),
  };
  await withListener({ handler: (request) => bodies[new URL(request.url).pathname]!() }, async (port) => {
    for (const path of Object.keys(bodies)) {
      const { socket, closed, received } = await textSocket(port);
      socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
      await closed;
      const [head, body] = received().split('\r\n\r\n');
      assert.match(head!, /^HTTP\/1\.1 200 /);
      assert.not.match(head!, /transfer-encoding/i, path);
      assert.match(head!, new RegExp(`\r\ncontent-length: ${body!.length}(\r\n|$)`, 'i'), path);
      assert.is(Buffer.from(body!, 'latin1').toString('utf8'), path === '/utf8' ? 'hello utf8 \u00e9\u2713' : `hello ${path.slice(1)}`);
    }
  });
});

H1('serve() takes the HTTP/1.1 limits as its http1 option: a stalled header block is closed after its headersTimeout', async () => {
  const server = serve({ port: 0, hostname: '127.0.0.1', onListen: () => undefined, http1: { headersTimeout: 150, maxPipelinedRequests: 2 } }, hello);
  try {
    const { port } = await server.listening;
    const { socket, closed, received } = await textSocket(port);
    socket.write('GET / HTTP/1.1\r\nhost: x\r\nx-slow: ');
    // Node's default headersTimeout is 60 s: closed well before that only if the option reached it.
    const guard = new Promise<string>((resolve) => setTimeout(() => resolve('still open after 10 s'), 10_000).unref());
    assert.is(await Promise.race([closed.then(() => 'closed'), guard]), 'closed');
    assert.match(received(), /^HTTP\/1\.1 408 /);
    // Still an HTTP/1.1 server with the same handler.
    const ok = await textSocket(port);
    ok.socket.write('GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    await ok.closed;
    assert.match(ok.received(), /^HTTP\/1\.1 200 /);
    assert.ok(ok.received().includes('hello'));
  } finally {
    await server.shutdown();
  }
});

H1('keepAliveTimeout: an idle keep-alive connection is closed after it, and the response announces it', async () => {
  const server = serve({ port: 0, hostname: '127.0.0.1', onListen: () => undefined, http1: { keepAliveTimeout: 3_000 } }, hello);
  try {
    const { port } = await server.listening;
    const { socket, closed, received } = await textSocket(port);
    socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    // Node announces its keepAliveTimeout in seconds (the default 5 s would say timeout=5).
    await closed;
    assert.match(received(), /^HTTP\/1\.1 200 /);
    assert.match(received(), /\r\nKeep-Alive: timeout=3\r\n/i);
  } finally {
    await server.shutdown();
  }
  const bad = serve({ port: 0, hostname: '127.0.0.1', onListen: () => undefined, http1: { keepAliveTimeout: -1 } }, hello);
  await bad.listening.then(() => assert.unreachable('a negative keepAliveTimeout was taken'), (error: unknown) => assert.instance(error, RangeError));
});

H1.run();
