// HTTP/1.1 on the HTTP/2 port: what a browser gets from `serve()` on cleartext (browsers speak no h2c).
// `h2load --h1 -c32 -m1 -n N /` (keep-alive, no pipelining: as browsers send) against h2flow's serve()
// with the runtime's Response and with LightResponse, against @hono/node-server (the fetch-handler
// adapter Node users run over node:http, same handler): with the runtime's Response
// (`overrideGlobalObjects: false`) against serve()'s Response, and as it runs by default (it replaces the
// global Response with a lighter one of its own) against serve()'s opt-in LightResponse; and against a plain node:http server answering
// the same 12 bytes with res.end() (the server h2flow's HTTP/1.1 side runs on, without a fetch layer:
// the ceiling). Best of ROUNDS interleaved rounds, each a fresh process after a warm-up, with the spread.
// `node bench/http1.bench.mjs --serve=NAME` runs one server alone (prints its port), e.g. under --cpu-prof.
import { h2load, serveIfChild, startProcess } from './_h2load.mjs';
import { report } from './_report.mjs';

const REQUESTS = Number(process.env.H2FLOW_BENCH_REQUESTS ?? 100_000);
const ROUNDS = Number(process.env.H2FLOW_BENCH_ROUNDS ?? 3);
const HELLO = 'hello world\n';

async function serveH2flow(light) {
  const { serve } = await import('../dist/node.mjs');
  const { LightResponse } = await import('../dist/index-node.mjs');
  const Small = light ? LightResponse : Response;
  // The handler routes as a real one does (a URL parse), as in bench/server.bench.mjs.
  const server = serve((request) => new Small(new URL(request.url).pathname === '/' ? HELLO : 'other\n', { headers: { 'content-type': 'text/plain' } }), {
    port: 0,
    hostname: '127.0.0.1',
    onListen: () => undefined,
  });
  return (await server.listening).port;
}

async function serveHono(overrideGlobalObjects) {
  const { serve } = await import('@hono/node-server');
  // `Response` read per call: with overrideGlobalObjects (its default) the global is hono's own class.
  const fetch = (request) => new globalThis.Response(new URL(request.url).pathname === '/' ? HELLO : 'other\n', { headers: { 'content-type': 'text/plain' } });
  return new Promise((resolve) => serve({ fetch, port: 0, hostname: '127.0.0.1', overrideGlobalObjects }, (info) => resolve(info.port)));
}

async function serveNodeHttp() {
  const http = await import('node:http');
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(req.url === '/' ? HELLO : 'other\n');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server.address().port;
}

const SERVERS = {
  'h2flow-fetch': () => serveH2flow(false),
  'h2flow-fetch-light': () => serveH2flow(true),
  'hono-node-server': () => serveHono(false),
  'hono-node-server-light': () => serveHono(true),
  'node-http': () => serveNodeHttp(),
};

async function measureOnce(name) {
  const server = await startProcess(name, [new URL(import.meta.url).pathname, `--serve=${name}`], /port (\d+)/);
  try {
    const args = ['--h1', '-n', String(REQUESTS), '-c', '32', '-m', '1', `http://127.0.0.1:${server.port}/`];
    h2load(args);
    const r = h2load(args);
    if (r.succeeded !== r.total) throw new Error(`${name}: only ${r.succeeded} of ${r.total} requests succeeded`);
    return r.reqPerSec;
  } finally {
    await server.stop();
  }
}

if (!(await serveIfChild(SERVERS))) {
  const rounds = Object.fromEntries(Object.keys(SERVERS).map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of Object.keys(SERVERS)) {
      const rate = await measureOnce(name);
      rounds[name].push(rate);
      console.log(`${name} (round ${round + 1}): ${Math.round(rate)} req/s`);
    }
  }
  console.log(`(best of ${ROUNDS} interleaved rounds of h2load --h1 -c32 -m1 -n ${REQUESTS})`);
  for (const [ours, label, theirs, peer] of [
    ['h2flow-fetch', 'HTTP/1.1 small responses (serve() with Response vs @hono/node-server with Response)', 'hono-node-server', '@hono/node-server'],
    ['h2flow-fetch-light', "HTTP/1.1 small responses (serve() with LightResponse vs @hono/node-server with its own global Response)", 'hono-node-server-light', '@hono/node-server (its Response)'],
    ['h2flow-fetch', 'HTTP/1.1 small responses (serve() with Response vs node:http res.end, the ceiling)', 'node-http', 'node:http'],
    ['h2flow-fetch-light', 'HTTP/1.1 small responses (serve() with LightResponse vs node:http res.end, the ceiling)', 'node-http', 'node:http'],
  ]) {
    report(label, 'req/s', Math.max(...rounds[ours]), peer, Math.max(...rounds[theirs]));
    const ratios = rounds[ours].map((x, i) => x / rounds[theirs][i]);
    console.log(`  per round: ${ratios.map((x) => x.toFixed(2)).join(', ')} (spread ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`);
  }
}
