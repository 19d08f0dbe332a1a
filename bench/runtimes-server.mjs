// One server for bench/runtimes.bench.mjs, run by Node, Deno or Bun: `<runtime> bench/runtimes-server.mjs
// KIND SCHEME CERT KEY` serves GET / → 12 bytes over TLS (ALPN h2; SCHEME https) or h2c (SCHEME http) on a free port, prints `PORT n`, and runs until
// killed. KIND: `h2flow` (this runtime's build: dist/node.mjs, dist/deno.mjs or dist/bun.mjs), `h2flow-node`
// (dist/node.mjs, i.e. Node's transport through the runtime's Node compatibility), or `native` (Deno.serve,
// Bun.serve({ http2: true })).
import { readFileSync } from 'node:fs';

const [kind, scheme, certFile, keyFile] = process.argv.slice(-4);
const cert = readFileSync(certFile, 'utf8');
const key = readFileSync(keyFile, 'utf8');
const HELLO = 'hello world\n';
const handler = () => new Response(HELLO, { headers: { 'content-type': 'text/plain' } });
const runtime = typeof Deno !== 'undefined' ? 'deno' : typeof Bun !== 'undefined' ? 'bun' : 'node';

let port;
if (kind === 'native') {
  if (runtime === 'deno') {
    port = await new Promise((resolve) => Deno.serve({ port: 0, hostname: '127.0.0.1', cert, key, onListen: (a) => resolve(a.port) }, handler));
  } else if (runtime === 'bun') {
    port = Bun.serve({ port: 0, hostname: '127.0.0.1', tls: { cert, key }, http2: true, fetch: handler }).port;
  } else {
    const { createSecureServer } = await import('node:http2');
    const server = createSecureServer({ cert, key }, (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(HELLO));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = server.address().port;
  }
} else {
  const dist = kind === 'h2flow-node' || runtime === 'node' ? '../dist/node.mjs' : `../dist/${runtime}.mjs`;
  const { serve } = await import(dist);
  port = (await serve({ port: 0, hostname: '127.0.0.1', ...(scheme === 'https' ? { tls: { cert, key } } : {}), onListen: () => undefined }, handler).listening).port;
}
console.log(`PORT ${port}`);
