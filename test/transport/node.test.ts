/** h2flow/node end to end over loopback: listen/connectSession, serve/connect().fetch, h2c and TLS, both Web Streams implementations. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as polyfill from 'web-streams-polyfill';
import { connect as netConnect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { H2SessionError } from '../../src/streams/errors';
import { connect, connectSession, listen, serve, withTrailers, type FetchHandler, type HttpServer, type NetAddr, type RequestTrailers, type SessionOptions } from '../../src/transport/node';
import { TestPeer } from '../support/peer';
import { selfSignedCert, tempDir, sha256, patternBytes, type TestCert } from '../support/peers';

const Node = suite('node transport');

let cert: TestCert;
const dir = tempDir();

Node.before(() => {
  cert = selfSignedCert(dir.path);
});
Node.after(() => dir.cleanup());

const handler: FetchHandler = async (request, info) => {
  const url = new URL(request.url);
  switch (url.pathname) {
    case '/echo':
      return new Response(request.body, { headers: { 'x-method': request.method } });
    case '/info':
      return Response.json({ url: request.url, host: request.headers.get('host'), remote: info.remoteAddr?.hostname, cookie: request.headers.get('cookie') });
    case '/trailers':
      return withTrailers(new Response('body'), Promise.resolve({ 'x-checksum': 'abc' }));
    case '/bad-trailers':
      return withTrailers(new Response(null), Promise.reject(new Error('no trailers after all')));
    case '/request-trailers': {
      const text = await request.text();
      const trailers = await (request as Request & RequestTrailers).trailers;
      return new Response(`${text}|${trailers?.get('x-digest') ?? 'none'}`);
    }
    case '/throw':
      throw new Error('handler exploded');
    case '/big':
      return new Response(patternBytes(Number(url.searchParams.get('n'))));
    default:
      return new Response('not found', { status: 404 });
  }
};

async function withServer(options: { tls?: boolean; session?: SessionOptions }, body: (origin: string) => Promise<void>): Promise<void> {
  const server: HttpServer = serve(handler, {
    port: 0,
    hostname: '127.0.0.1',
    onListen: () => undefined,
    onError: () => new Response('custom 500', { status: 500 }),
    ...(options.tls === true ? { tls: { cert: cert.cert, key: cert.key } } : {}),
    ...(options.session !== undefined ? { session: options.session } : {}),
  });
  const addr = await server.listening;
  try {
    await body(`${options.tls === true ? 'https' : 'http'}://127.0.0.1:${addr.port}`);
  } finally {
    await server.shutdown();
  }
}

const VARIANTS: [string, { tls?: boolean; session?: SessionOptions }][] = [
  ['h2c, native streams', {}],
  ['TLS, native streams', { tls: true }],
  ['h2c, web-streams-polyfill', { session: { streams: polyfill } }],
];

for (const [name, variant] of VARIANTS) {
  const clientOptions = { tls: { rejectUnauthorized: false }, ...(variant.session !== undefined ? { session: variant.session } : {}) };

  Node(`fetch gets a response with status, headers and body, and :authority becomes host (${name})`, async () => {
    await withServer(variant, async (origin) => {
      const client = connect(origin, clientOptions);
      try {
        const res = await client.fetch('/info?q=1', { headers: { cookie: 'a=1' } });
        assert.is(res.status, 200);
        assert.is(res.headers.get('content-type'), 'application/json');
        const info = (await res.json()) as Record<string, string>;
        assert.is(info.url, `${origin}/info?q=1`);
        assert.is(info.host, new URL(origin).host);
        assert.is(info.remote, '127.0.0.1');
        assert.is(info.cookie, 'a=1');
        assert.is(res.url, `${origin}/info?q=1`);
        const named = (await (await client.fetch('/info', { headers: { host: 'example.test:8443' } })).json()) as Record<string, string>;
        assert.is(named.host, 'example.test:8443', 'a Host header travels as :authority');
        assert.is(named.url, `${new URL(origin).protocol}//example.test:8443/info`);
      } finally {
        await client.close();
      }
    });
  });

  Node(`a streamed request body is echoed while it is still being sent, full duplex (${name})`, async () => {
    await withServer(variant, async (origin) => {
      const client = connect(origin, clientOptions);
      try {
        let sendSecond!: () => void;
        const second = new Promise<void>((r) => (sendSecond = r));
        const body = new ReadableStream<Uint8Array>({
          async start(c) {
            c.enqueue(new TextEncoder().encode('first '));
            await second;
            c.enqueue(new TextEncoder().encode('second'));
            c.close();
          },
        });
        const res = await client.fetch('/echo', { method: 'POST', body, duplex: 'half' } as RequestInit);
        assert.is(res.headers.get('x-method'), 'POST');
        const reader = res.body!.getReader();
        const first = await reader.read();
        assert.is(new TextDecoder().decode(first.value), 'first ');
        sendSecond();
        let rest = '';
        for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
        assert.is(rest, 'second');
      } finally {
        await client.close();
      }
    });
  });

  Node(`4 MiB bodies cross both ways intact (${name})`, async () => {
    await withServer(variant, async (origin) => {
      const client = connect(origin, clientOptions);
      try {
        const data = patternBytes(4 << 20);
        const res = await client.fetch('/echo', { method: 'PUT', body: data });
        assert.is(sha256(new Uint8Array(await res.arrayBuffer())), sha256(data));
        const big = await client.fetch('/big?n=3000000');
        assert.is(sha256(new Uint8Array(await big.arrayBuffer())), sha256(patternBytes(3000000)));
      } finally {
        await client.close();
      }
    });
  });

  Node(`response trailers sent with withTrailers arrive as response.trailers (${name})`, async () => {
    await withServer(variant, async (origin) => {
      const client = connect(origin, clientOptions);
      try {
        const res = await client.fetch('/trailers');
        assert.is(await res.text(), 'body');
        const trailers = await res.trailers;
        assert.is(trailers?.get('x-checksum'), 'abc');
        const plain = await client.fetch('/info');
        await plain.text();
        assert.is(await plain.trailers, null);
      } finally {
        await client.close();
      }
    });
  });

  Node(`request trailers given to fetch arrive as request.trailers in the handler (${name})`, async () => {
    await withServer(variant, async (origin) => {
      const client = connect(origin, clientOptions);
      try {
        const withBody = await client.fetch('/request-trailers', { method: 'POST', body: 'payload', trailers: Promise.resolve({ 'x-digest': 'abc123' }) });
        assert.is(await withBody.text(), 'payload|abc123');
        const without = await client.fetch('/request-trailers', { method: 'POST', body: 'plain' });
        assert.is(await without.text(), 'plain|none');
        const only = await client.fetch('/request-trailers', { method: 'POST', trailers: { 'x-digest': 'no-body' } });
        assert.is(await only.text(), '|no-body');
      } finally {
        await client.close();
      }
    });
  });

  Node(`a throwing handler gets onError's 500 and the session keeps serving (${name})`, async () => {
    await withServer(variant, async (origin) => {
      const client = connect(origin, clientOptions);
      try {
        const res = await client.fetch('/throw');
        assert.is(res.status, 500);
        assert.is(await res.text(), 'custom 500');
        const next = await client.fetch('/info');
        assert.is(next.status, 200);
        await next.text();
        const bad = await client.fetch('/bad-trailers');
        const failed = await bad.trailers.then(
          () => false,
          () => true,
        );
        assert.ok(failed, 'trailers that fail reset the stream instead of leaving it open');
        assert.is((await client.fetch('/info')).status, 200);
      } finally {
        await client.close();
      }
    });
  });

  Node(`HEAD gets the headers without a body (${name})`, async () => {
    await withServer(variant, async (origin) => {
      const client = connect(origin, clientOptions);
      try {
        const res = await client.fetch('/big?n=1000', { method: 'HEAD' });
        assert.is(res.status, 200);
        assert.is(res.body, null);
        const after = await client.fetch('/big?n=10');
        assert.is((await after.arrayBuffer()).byteLength, 10);
      } finally {
        await client.close();
      }
    });
  });
}

Node('aborting a fetch resets its stream and rejects the body read, other requests continue', async () => {
  await withServer({}, async (origin) => {
    const client = connect(origin);
    try {
      const controller = new AbortController();
      const never = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new Uint8Array([1])) });
      const res = await client.fetch('/echo', { method: 'POST', body: never, duplex: 'half', signal: controller.signal } as RequestInit);
      const reader = res.body!.getReader();
      await reader.read();
      controller.abort(new Error('stop'));
      const failed = await reader.read().then(
        () => false,
        () => true,
      );
      assert.ok(failed);
      const ok = await client.fetch('/info');
      assert.is(ok.status, 200);
      await ok.text();
    } finally {
      await client.close();
    }
  });
});

Node("a client's reset aborts request.signal in the handler", async () => {
  let aborted!: (reason: unknown) => void;
  const wasAborted = new Promise<unknown>((r) => (aborted = r));
  const server = serve(
    (request) => {
      request.signal.addEventListener('abort', () => aborted(request.signal.reason));
      return new Response(new ReadableStream({ start: (c) => c.enqueue(new Uint8Array([1])) }));
    },
    { port: 0, hostname: '127.0.0.1', onListen: () => undefined },
  );
  const { port } = await server.listening;
  const client = connect(`http://127.0.0.1:${port}`);
  try {
    const controller = new AbortController();
    const res = await client.fetch('/', { signal: controller.signal });
    await res.body!.getReader().read();
    controller.abort();
    assert.ok((await wasAborted) instanceof Error);
  } finally {
    await client.close({ graceful: false });
    await server.shutdown();
  }
});

Node('a request the fetch API cannot represent (CONNECT) gets 501 without reaching the handler', async () => {
  let called = false;
  const server = serve(
    () => {
      called = true;
      return new Response('no');
    },
    { port: 0, hostname: '127.0.0.1', onListen: () => undefined },
  );
  const { port } = await server.listening;
  const session = await connectSession(`http://127.0.0.1:${port}`);
  try {
    const stream = await session.request([[':method', 'CONNECT'], [':authority', 'example.com:443']], { endStream: true });
    const head = await stream.response;
    assert.ok(head.some(([n, v]) => n === ':status' && v === '501'));
    assert.is(called, false);
  } finally {
    await session.close();
    await server.shutdown();
  }
});

Node("aborting serve()'s signal shuts it down: finished resolves and the port stops accepting", async () => {
  const controller = new AbortController();
  let announced: NetAddr | null = null;
  const server = serve(() => new Response('x'), { port: 0, hostname: '127.0.0.1', signal: controller.signal, onListen: (addr) => (announced = addr) });
  const addr = await server.listening;
  assert.equal(announced, addr);
  const client = connect(`http://127.0.0.1:${addr.port}`);
  assert.is((await client.fetch('/')).status, 200);
  await client.close();
  controller.abort();
  await server.finished;
  const err = await connect(`http://127.0.0.1:${addr.port}`).fetch('/').then(
    () => null,
    (e: unknown) => e as { code?: string },
  );
  assert.is(err?.code, 'ECONNREFUSED');
});

Node('listen yields raw sessions and connectSession opens raw client sessions', async () => {
  const server = await listen({ port: 0 });
  const served = (async () => {
    for await (const session of server) {
      for await (const stream of session.incoming) {
        stream.respond([[':status', '200'], ['x-path', stream.headers.find(([n]) => n === ':path')![1]]], { body: 'raw' });
      }
    }
  })();
  const session = await connectSession(`http://127.0.0.1:${server.address.port}`);
  const stream = await session.request([[':method', 'GET'], [':scheme', 'http'], [':authority', 'x'], [':path', '/raw']], { endStream: true });
  const head = await stream.response;
  assert.ok(head.some(([n, v]) => n === 'x-path' && v === '/raw'));
  assert.is(await new Response(stream.readable).text(), 'raw');
  await session.close();
  await server.close();
  await served;
});

Node('listen: breaking out of the session loop closes later connections unserved (no uncaught error) and close() resolves', async () => {
  const server = await listen({ port: 0 });
  const origin = `http://127.0.0.1:${server.address.port}`;
  const first = await connectSession(origin);
  first.closed.catch(() => undefined);
  for await (const session of server) {
    assert.ok(session.connection !== undefined);
    break;
  }
  assert.is(server.accepted.locked, false, 'the loop released accepted');
  // Before the fix, the next connection's enqueue threw (an uncaught exception in the 'connection' listener).
  const socket = netConnect(server.address.port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  await once(socket, 'close');
  await first.close({ graceful: false });
  await server.close();
});

Node("listen: a forced close fulfils an idle session's closed (the socket destroyed by the close itself is no transport failure)", async () => {
  const server = await listen({ port: 0 });
  const client = await connectSession(`http://127.0.0.1:${server.address.port}`);
  client.closed.catch(() => undefined);
  const sessions = server[Symbol.asyncIterator]();
  const session = (await sessions.next()).value!;
  const closed = session.closed.then(() => 'fulfilled', (error: unknown) => `rejected: ${String(error)} (cause: ${String((error as Error).cause)})`);
  // The client's SETTINGS answered, nothing in flight: an idle connection at shutdown.
  await session.ping();
  await server.close({ graceful: false });
  assert.is(await closed, 'fulfilled');
  await client.close({ graceful: false }).catch(() => undefined);
});

Node('connect() advertises SETTINGS_ENABLE_PUSH 0 unless session.settings.enablePush asks for push', async () => {
  const server = await listen({ port: 0 });
  const seen: number[] = [];
  const served = (async () => {
    for await (const session of server) {
      void (async () => {
        for await (const stream of session.incoming) {
          seen.push(session.connection.remoteSettings.enablePush);
          stream.respond([[':status', '200']], { body: 'ok' });
        }
      })();
    }
  })();
  const origin = `http://127.0.0.1:${server.address.port}`;
  for (const client of [connect(origin), connect(origin, { session: { settings: { enablePush: true } } })]) {
    assert.is(await (await client.fetch('/')).text(), 'ok');
    await client.close();
  }
  assert.equal(seen, [0, 1]);
  await server.close();
  await served;
});

Node("server.close() resolves when a client hangs up on its GOAWAY instead of answering the shutdown's PING", async () => {
  const server = await listen({ port: 0 });
  const accepted = server.accepted.getReader().read();
  const client = netConnect({ port: server.address.port, host: '127.0.0.1', allowHalfOpen: true });
  await once(client, 'connect');
  const peer = new TestPeer('client');
  client.write(peer.concat(peer.greeting(), peer.settingsAck()));
  const { value } = await accepted;
  let sawGoAway = false;
  client.on('data', (bytes: Buffer) => {
    peer.read(bytes);
    if (peer.drain().some((f) => f.typeName === 'GOAWAY')) {
      sawGoAway = true;
      client.end();
    }
  });
  await server.close();
  assert.ok(sawGoAway, 'the client hung up on the GOAWAY');
  await value!.session.closed;
  client.destroy();
});

Node('a connection reset fails the session with an H2SessionError whose cause is the socket error', async () => {
  const raw = createNetServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  try {
    const session = await connectSession(`http://127.0.0.1:${(raw.address() as AddressInfo).port}`);
    const err = await session.closed.then(
      () => null,
      (e: unknown) => e as H2SessionError,
    );
    assert.instance(err, H2SessionError);
    assert.is((err!.cause as { code?: string }).code, 'ECONNRESET');
  } finally {
    raw.close();
  }
});

Node('connecting to a closed port rejects the fetch, and a TLS peer is verified by default', async () => {
  const server = await listen({ port: 0 });
  const port = server.address.port;
  await server.close();
  const err = await connect(`http://127.0.0.1:${port}`).fetch('/').then(
    () => null,
    (e: unknown) => e as { code?: string },
  );
  assert.is(err?.code, 'ECONNREFUSED');
  await withServer({ tls: true }, async (origin) => {
    const verifyErr = await connectSession(origin).then(
      () => null,
      (e: unknown) => e as Error,
    );
    assert.ok(verifyErr !== null, 'a self-signed certificate must be refused without rejectUnauthorized: false');
  });
});

Node('connect() refuses a URL with credentials or an unsupported scheme before opening any connection', async () => {
  let connections = 0;
  let probed!: (count: number) => void;
  const probe = new Promise<number>((resolve) => (probed = resolve));
  const server = createNetServer((socket) => {
    connections++;
    socket.on('data', (d) => {
      if (d.toString('latin1') === 'probe') probed(connections);
    });
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    for (const url of [`http://user:pw@127.0.0.1:${port}`, `http://user@127.0.0.1:${port}/`, `ftp://127.0.0.1:${port}/`]) {
      assert.throws(() => connect(url), TypeError, url);
    }
    // A probe: a connection the refused calls had opened would have been accepted before it.
    netConnect({ port, host: '127.0.0.1' }).end('probe');
    assert.is(await probe, 1, 'the probe was the only connection');
  } finally {
    server.close();
  }
});

Node.run();
