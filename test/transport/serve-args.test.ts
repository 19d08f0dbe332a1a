/**
 * serve()'s argument forms (serve-args.ts), and the server object's Deno and Bun names, on Node; the same
 * normaliser serves h2flow/deno and h2flow/bun (their forms run in test/runtimes/fixture.ts under each runtime).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { normaliseServeArgs } from '../../src/transport/serve-args';
import { connect, serve, type FetchHandler, type HttpServer } from '../../src/transport/node';
import { selfSignedCert, tempDir, type TestCert } from '../support/peers';

const Args = suite('serve() arguments');
const dir = tempDir();
let cert: TestCert;
Args.before(() => {
  cert = selfSignedCert(dir.path);
});
Args.after(() => dir.cleanup());

const handler: FetchHandler = (req) => new Response(`hi ${new URL(req.url).pathname}`);
const local = { port: 0, hostname: '127.0.0.1', onListen: () => undefined } as const;

async function answers(server: HttpServer, scheme: 'http' | 'https' = 'http'): Promise<string> {
  const addr = await server.listening;
  const client = connect(`${scheme}://127.0.0.1:${addr.port}`, { tls: { rejectUnauthorized: false } });
  try {
    return await (await client.fetch('/x')).text();
  } finally {
    await client.close();
    await server.shutdown();
  }
}

Args('every runtime form serves the handler: (handler, options), (options, handler), { handler }, { fetch }', async () => {
  assert.is(await answers(serve(handler, local)), 'hi /x');
  assert.is(await answers(serve(local, handler)), 'hi /x');
  assert.is(await answers(serve({ ...local, handler })), 'hi /x');
  assert.is(await answers(serve({ ...local, fetch: handler })), 'hi /x');
});

Args("TLS from tls: { cert, key } and from Deno's top-level cert/key", async () => {
  assert.is(await answers(serve(handler, { ...local, tls: { cert: cert.cert, key: cert.key } }), 'https'), 'hi /x');
  assert.is(await answers(serve({ ...local, cert: cert.cert, key: cert.key, handler }), 'https'), 'hi /x');
});

Args('anything else is a TypeError, never a default bind', () => {
  const bad: unknown[][] = [
    [],
    [undefined],
    [null],
    ['handler'],
    [{ port: 0 }],
    [{ handler: 'no' }],
    [{ handler, fetch: handler }],
    [{ handler }, handler],
    [handler, { fetch: handler }],
    [handler, handler],
    [handler, 8000],
    [{ port: 0 }, 'x'],
    [handler, {}, {}],
    [{ handler, cert: 'only a cert' }],
    [{ handler, cert: 'c', key: 'k', tls: { cert: 'c', key: 'k' } }],
  ];
  for (const args of bad) {
    assert.throws(() => normaliseServeArgs(args), (e: unknown) => e instanceof TypeError, `serve(${args.map((a) => typeof a).join(', ')}) must throw`);
    assert.throws(() => (serve as unknown as (...a: unknown[]) => unknown)(...args), (e: unknown) => e instanceof TypeError);
  }
});

Args('normalised options carry no handler and put TLS under tls', () => {
  const { handler: h, options } = normaliseServeArgs([{ port: 1, cert: 'C', key: 'K', fetch: handler }]);
  assert.is(h, handler);
  assert.equal(options, { port: 1, tls: { cert: 'C', key: 'K' } });
});

Args("the server has Deno's addr/finished/shutdown/ref/unref and Bun's port/url/stop", async () => {
  const server = serve(local, handler);
  assert.throws(() => server.addr, /not known until the server listens/);
  const addr = await server.listening;
  assert.equal(server.addr, addr);
  assert.is(server.port, addr.port);
  assert.is(server.url.href, `http://127.0.0.1:${addr.port}/`);
  server.unref();
  server.ref();
  let finished = false;
  void server.finished.then(() => (finished = true));
  await server.stop(true);
  await server.finished;
  assert.ok(finished);
});

Args.run();
