/** The listener's connection cap (`maxConnections`): a flood from many addresses cannot exhaust the server. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, connectSession, listen, serve, type H2Server } from '../../src/transport/node';
import { rawSocket } from '../support/raw-socket';
import { run, tempDir } from '../support/peers';
import { bundleFor, runArgs, runtimeBinary, type Runtime } from '../support/runtimes';

/** Waits (by polling the server's own count, no deadline asserted) until `server.connections` is `n`. */
async function connectionsReach(server: { readonly connections: number }, n: number): Promise<void> {
  while (server.connections !== n) await new Promise((r) => setTimeout(r, 5));
}

async function served(server: H2Server): Promise<void> {
  for await (const session of server) {
    void (async () => {
      for await (const stream of session.incoming) stream.respond([[':status', '200']], { body: 'ok' });
    })().catch(() => undefined);
  }
}

test('a connection past maxConnections is closed unread, and one is accepted again once a connection closes', async () => {
  const server = await listen({ port: 0, maxConnections: 2 });
  void served(server);
  const origin = `http://127.0.0.1:${server.address.port}`;
  const a = connect(origin);
  const b = connect(origin);
  try {
    for (const client of [a, b]) assert.is(await (await client.fetch('/')).text(), 'ok');
    assert.is(server.connections, 2);
    // The third connection: closed by the server before it reads anything, so no SETTINGS either.
    const third = await rawSocket(server.address.port);
    third.socket.write(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
    await third.closed;
    assert.is(third.received().length, 0);
    await a.close();
    await connectionsReach(server, 1);
    const c = connect(origin);
    assert.is(await (await c.fetch('/')).text(), 'ok');
    await c.close();
  } finally {
    await b.close().catch(() => undefined);
    await server.close({ graceful: false });
  }
});

test('serve() takes maxConnections, and an HTTP/1.1 connection counts against it', async () => {
  const server = serve(() => new Response('hi'), { port: 0, hostname: '127.0.0.1', onListen: () => undefined, maxConnections: 1 });
  const { port } = await server.listening;
  try {
    const h1 = await rawSocket(port);
    h1.socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    // The whole response: its head, then the body (sent with a content-length, so nothing follows it).
    while (!/\r\n\r\n(?:[0-9a-f]+\r\n)?hi/.test(h1.text())) await new Promise((r) => setTimeout(r, 5));
    assert.match(h1.text(), /^HTTP\/1\.1 200/);
    // The keep-alive HTTP/1.1 connection holds the only slot: an HTTP/2 client is turned away.
    const client = connect(`http://127.0.0.1:${port}`);
    let failed = false;
    await client.fetch(`http://127.0.0.1:${port}/`).then((r) => r.arrayBuffer(), () => (failed = true));
    assert.ok(failed, 'the HTTP/2 fetch past the cap failed');
    await client.close().catch(() => undefined);
    h1.socket.destroy();
    await h1.closed;
    // The slot is given back once the server has seen the HTTP/1.1 connection close (retried until then:
    // the client sees its own close first).
    let text: string | null = null;
    for (let attempt = 0; text === null && attempt < 100; attempt++) {
      const again = connect(`http://127.0.0.1:${port}`);
      text = await again.fetch(`http://127.0.0.1:${port}/`).then((r) => r.text(), () => null);
      await again.close().catch(() => undefined);
      if (text === null) await new Promise((r) => setTimeout(r, 10));
    }
    assert.is(text, 'hi');
  } finally {
    await server.shutdown();
  }
});

test('maxConnections must be a positive integer or Infinity', async () => {
  for (const bad of [0, -1, 1.5, NaN]) {
    await listen({ port: 0, maxConnections: bad }).then(
      (s) => {
        void s.close();
        assert.unreachable(`maxConnections ${bad} was accepted`);
      },
      (error: unknown) => assert.instance(error, RangeError),
    );
  }
  const unlimited = await listen({ port: 0, maxConnections: Infinity });
  const s = await connectSession(`http://127.0.0.1:${unlimited.address.port}`);
  await s.close();
  await unlimited.close();
});

const dir = tempDir('h2flow-max-connections-');
test.after(() => dir.cleanup());

for (const [runtime, listener] of [['deno', "Deno.listen (transport 'deno')"], ['bun', 'Bun.listen']] as const) {
  test(`${listener} in ${runtime}: a connection past maxConnections is closed unread; one is served again after a close`, async () => {
    const script = await bundleFor(runtime as Runtime, 'test/runtimes/max-connections.ts', dir.path);
    const r = await run(runtimeBinary(runtime), [...runArgs(runtime, script), runtime], { timeoutMs: 60_000 });
    const out = r.stdout.toString();
    assert.is(r.code, 0, out + r.stderr.toString());
    assert.match(out, /^FIRST [1-9]\d*$/m, 'the first connection got the server preface');
    assert.match(out, /^SECOND 0$/m, 'the connection past the cap got nothing');
    assert.match(out, /^THIRD [1-9]\d*$/m, 'a connection after the first closed is served');
  });
}

test.run();
