// One server for bench/runtimes.bench.mjs, run by Node, Deno or Bun: `<runtime> bench/runtimes-server.mjs
// KIND SCHEME CERT KEY` serves GET / → 12 bytes, GET /bulk → 256 MiB streamed and GET /bulk-bytes → 256 MiB
// as one in-memory Uint8Array over TLS (ALPN h2; SCHEME https) or h2c (SCHEME http) on a free port, prints
// `PORT n`, and runs until killed (SIGTERM/SIGINT exit cleanly, so `--cpu-prof` writes its profile). KIND: `h2flow`
// (this runtime's build, dist/node.mjs, dist/deno.mjs or dist/bun.mjs, with
// its default listener), `h2flow-alt` (h2flow/deno with `transport: 'deno'`, i.e. Deno.listen), `h2flow-node` (dist/node.mjs,
// i.e. Node's transport through the runtime's Node compatibility), `h2flow-light` (as `h2flow`, small responses
// made with LightResponse), `h2flow-session` and `h2flow-node-session` (the session API, listen() + respond, small
// responses only, on this runtime's build or dist/node.mjs), or `native` (Deno.serve,
// Bun.serve({ http2: true }), node:http2).
import { readFileSync } from 'node:fs';

const [kind, scheme, certFile, keyFile] = process.argv.slice(-4);
const cert = readFileSync(certFile, 'utf8');
const key = readFileSync(keyFile, 'utf8');
const HELLO = 'hello world\n';
const BULK_SIZE = 256 * 1024 * 1024;
const CHUNK = new Uint8Array(1024 * 1024).fill(0x61);
let BULK = null;
const bulkHeaders = { 'content-type': 'application/octet-stream', 'content-length': String(BULK_SIZE) };
/** GET /bulk: 256 MiB streamed, one 1 MiB buffer enqueued 256 times (as bench/server.bench.mjs). */
const bulkStream = () => {
  let sent = 0;
  const body = new ReadableStream({
    pull(controller) {
      if (sent >= BULK_SIZE) return controller.close();
      sent += CHUNK.length;
      controller.enqueue(CHUNK);
    },
  });
  return new Response(body, { headers: bulkHeaders });
};
/**
 * GET /bulk-bytes: 256 MiB as one in-memory Uint8Array (made on the first request). Bun.serve({ http2: true })
 * stalled on the streamed body here (4 MiB streamed came through, 256 MiB as bytes too), so Bun's rows use this.
 */
const bulkBytes = () => new Response((BULK ??= new Uint8Array(BULK_SIZE).fill(0x61)), { headers: { 'content-type': 'application/octet-stream' } });
const handler = (request) => {
  const path = new URL(request.url).pathname;
  return path === '/bulk' ? bulkStream() : path === '/bulk-bytes' ? bulkBytes() : new Response(HELLO, { headers: { 'content-type': 'text/plain' } });
};
const runtime = typeof Deno !== 'undefined' ? 'deno' : typeof Bun !== 'undefined' ? 'bun' : 'node';
const tls = scheme === 'https';
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));

let port;
if (kind === 'native') {
  if (runtime === 'deno') {
    port = await new Promise((resolve) => Deno.serve({ port: 0, hostname: '127.0.0.1', ...(tls ? { cert, key } : {}), onListen: (a) => resolve(a.port) }, handler));
  } else if (runtime === 'bun') {
    port = Bun.serve({ port: 0, hostname: '127.0.0.1', ...(tls ? { tls: { cert, key } } : {}), http2: true, fetch: handler }).port;
  } else {
    const http2 = await import('node:http2');
    const onRequest = (req, res) => {
      if (!req.url.startsWith('/bulk')) return void res.writeHead(200, { 'content-type': 'text/plain' }).end(HELLO);
      res.writeHead(200, bulkHeaders);
      let sent = 0;
      const more = () => {
        while (sent < BULK_SIZE) {
          sent += CHUNK.length;
          if (!res.write(CHUNK)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    };
    const server = tls ? http2.createSecureServer({ cert, key }, onRequest) : http2.createServer(onRequest);
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = server.address().port;
  }
} else if (kind.endsWith('-session')) {
  const dist = kind === 'h2flow-node-session' || runtime === 'node' ? '../dist/node.mjs' : `../dist/${runtime}.mjs`;
  const { listen } = await import(dist);
  const server = await listen({ port: 0, host: '127.0.0.1', ...(tls ? { tls: { cert, key } } : {}) });
  void (async () => {
    for await (const session of server) {
      void (async () => {
        for await (const stream of session) stream.respond([[':status', '200'], ['content-type', 'text/plain']], { body: HELLO });
      })().catch(() => undefined);
    }
  })();
  port = server.address.port;
} else {
  const dist = kind === 'h2flow-node' || runtime === 'node' ? '../dist/node.mjs' : `../dist/${runtime}.mjs`;
  const { serve } = await import(dist);
  const { LightResponse } = await import('../dist/index.mjs');
  const light = (request) =>
    new URL(request.url).pathname.startsWith('/bulk') ? handler(request) : new LightResponse(HELLO, { headers: { 'content-type': 'text/plain' } });
  const alt = kind === 'h2flow-alt' ? { transport: 'deno' } : {};
  port = (await serve({ port: 0, hostname: '127.0.0.1', ...(tls ? { tls: { cert, key } } : {}), ...alt, onListen: () => undefined }, kind === 'h2flow-light' ? light : handler).listening).port;
}
console.log(`PORT ${port}`);
