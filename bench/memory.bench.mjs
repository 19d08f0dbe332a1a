// Memory per idle connection and per open stream: h2flow's session API (listen(), each session's
// requests taken by `for await (const stream of session)`, and the same loop over `session.incoming`, a
// ReadableStream per connection), h2flow's fetch path (serve(), a handler that holds each request
// unanswered) and node:http2, in one run.
//
// Each measurement runs a fresh server in a child process (with --expose-gc), which reports its RSS and
// heap (V8 heap used + array buffers, after GC) on request. This process drives it over raw TCP:
// - idle: IDLE connections that send the preface and SETTINGS and acknowledge the server's SETTINGS;
//   per idle connection = (after − before) / IDLE;
// - streams: STREAM_CONNECTIONS such connections (measured), then STREAMS requests on each (HEADERS
//   without END_STREAM, each reaching the application, which never answers: the child reports how many
//   it holds, and the sample waits until all have arrived); per open stream = (with streams − same
//   connections without) / (STREAM_CONNECTIONS × STREAMS).
// Printed per server: RSS and heap per idle connection and per open stream; then JSON ratio lines
// (lower is better: below 1, h2flow uses less than node:http2).
// Each sample is taken 300 ms after the last traffic (H2FLOW_BENCH_SETTLE_MS to change it). Opening
// 1000 connections at once makes V8 grow its young generation (up to 16 MiB here), which it gives back
// only after a few seconds of low allocation: every sample is taken once more after
// H2FLOW_BENCH_SETTLED_MS (default 10 s; 0 skips it), RSS figures that leave that growth out and show
// what the connections and streams themselves hold.
import { fork } from 'node:child_process';
import { childReplies, heldRequests, openIdleMany } from './_raw-h2c.mjs';
import { report } from './_report.mjs';

const IDLE = Number(process.env.H2FLOW_BENCH_CONNECTIONS ?? 1000);
const STREAM_CONNECTIONS = 200;
const STREAMS = 50;
const SETTLE_MS = Number(process.env.H2FLOW_BENCH_SETTLE_MS ?? 300);
const SETTLED_MS = Number(process.env.H2FLOW_BENCH_SETTLED_MS ?? 10_000);

if (process.argv[2] === '--serve') {
  const kind = process.argv[3];
  let port;
  const held = [];
  if (kind === 'h2flow' || kind === 'h2flow-incoming') {
    const { listen } = await import('../dist/node.mjs');
    const server = await listen({ port: 0, host: '127.0.0.1' });
    port = server.address.port;
    // Never answered. `for await (const stream of session)` makes no ReadableStream; `incoming` does.
    const hold =
      kind === 'h2flow'
        ? async (session) => {
            for await (const stream of session) held.push(stream);
          }
        : async (session) => {
            for await (const stream of session.incoming) held.push(stream);
          };
    void (async () => {
      for await (const session of server) void hold(session).catch(() => undefined);
    })();
  } else if (kind === 'h2flow-serve') {
    // The fetch path: every request reaches a handler that holds it and never answers.
    const { serve } = await import('../dist/node.mjs');
    const server = serve((request) => new Promise(() => held.push(request)), { port: 0, hostname: '127.0.0.1', onListen: () => undefined });
    port = (await server.listening).port;
  } else {
    const http2 = await import('node:http2');
    // The same limit as h2flow's default (node:http2's own is unbounded), so both hold every stream.
    const server = http2.createServer({ settings: { maxConcurrentStreams: 100 } });
    server.on('stream', (stream) => {
      stream.on('error', () => undefined);
      held.push(stream); // never answered
    });
    server.on('sessionError', () => undefined);
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = server.address().port;
  }
  process.on('message', async (m) => {
    if (m === 'held') {
      process.send({ held: held.length });
      return;
    }
    for (let i = 0; i < 4; i++) {
      globalThis.gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    const u = process.memoryUsage();
    process.send({ rss: u.rss, heap: u.heapUsed + u.arrayBuffers, held: held.length });
  });
  process.send({ port });
} else {
  const pause = (ms) => new Promise((r) => setTimeout(r, ms));

  function start(kind) {
    const child = fork(new URL(import.meta.url).pathname, ['--serve', kind], { execArgv: ['--expose-gc'] });
    const { next, ask } = childReplies(child);
    const sample = async (ms = SETTLE_MS) => {
      await pause(ms);
      return ask('measure');
    };
    // Every request reached the application (bounded: a server that refuses some fails the bench).
    const held = async (n) => {
      for (let i = 0; i < 200; i++) {
        if ((await ask('held')).held >= n) return;
        await pause(50);
      }
      throw new Error(`${kind}: the server holds fewer than ${n} requests`);
    };
    return { child, next, sample, held };
  }

  async function measure(kind) {
    // Idle connections.
    let server = start(kind);
    let { port } = await server.next();
    const base = await server.sample();
    let sockets = await openIdleMany(port, IDLE);
    const idle = await server.sample();
    // The same connections once V8 has had time to give back the young generation the burst grew.
    const settled = SETTLED_MS > 0 ? await server.sample(SETTLED_MS - SETTLE_MS) : null;
    server.child.kill();
    for (const s of sockets) s.destroy();

    // Open streams, over a fresh server: the same connections before and after their requests.
    server = start(kind);
    ({ port } = await server.next());
    await server.sample();
    sockets = await openIdleMany(port, STREAM_CONNECTIONS);
    const conns = await server.sample();
    // Both samples again once the young generation settled, as for the idle connections.
    const connsSettled = SETTLED_MS > 0 ? await server.sample(SETTLED_MS - SETTLE_MS) : null;
    for (const s of sockets) s.write(heldRequests(0, STREAMS));
    await server.held(STREAM_CONNECTIONS * STREAMS);
    const withStreams = await server.sample();
    const withStreamsSettled = SETTLED_MS > 0 ? await server.sample(SETTLED_MS - SETTLE_MS) : null;
    server.child.kill();
    for (const s of sockets) s.destroy();

    const n = STREAM_CONNECTIONS * STREAMS;
    const perConn = { rss: (idle.rss - base.rss) / IDLE, heap: (idle.heap - base.heap) / IDLE, settledRss: settled === null ? null : (settled.rss - base.rss) / IDLE };
    // Against the last sample before the requests: the young generation has settled by then when the
    // settled samples are on, so the 300 ms figure counts all the growth the requests' burst brings.
    const before = connsSettled ?? conns;
    const perStream = { rss: (withStreams.rss - before.rss) / n, heap: (withStreams.heap - before.heap) / n, settledRss: connsSettled === null ? null : (withStreamsSettled.rss - connsSettled.rss) / n };
    const kib = (x) => (x / 1024).toFixed(2);
    console.log(`${kind}: per idle connection ${kib(perConn.rss)} KiB RSS${settled === null ? '' : ` (${kib(perConn.settledRss)} KiB after ${SETTLED_MS / 1000} s)`}, ${kib(perConn.heap)} KiB heap; per open stream ${kib(perStream.rss)} KiB RSS${settled === null ? '' : ` (${kib(perStream.settledRss)} KiB after ${SETTLED_MS / 1000} s)`}, ${kib(perStream.heap)} KiB heap`);
    return { perConn, perStream };
  }

  const node = await measure('node:http2');
  const h2flow = await measure('h2flow');
  const viaIncoming = await measure('h2flow-incoming');
  const served = await measure('h2flow-serve');
  const k = (x) => x / 1024;
  const SESSION = 'session API, for await (… of session)';
  const INCOMING = 'session API via incoming';
  report(`memory per idle connection, ${SESSION}, RSS (lower is better)`, 'KiB', k(h2flow.perConn.rss), 'node:http2', k(node.perConn.rss));
  report(`memory per idle connection, ${SESSION}, heap (lower is better)`, 'KiB', k(h2flow.perConn.heap), 'node:http2', k(node.perConn.heap));
  report(`memory per idle connection, ${INCOMING}, RSS (lower is better)`, 'KiB', k(viaIncoming.perConn.rss), 'node:http2', k(node.perConn.rss));
  report(`memory per idle connection, ${INCOMING}, heap (lower is better)`, 'KiB', k(viaIncoming.perConn.heap), 'node:http2', k(node.perConn.heap));
  report('memory per idle connection, serve(), RSS (lower is better)', 'KiB', k(served.perConn.rss), 'node:http2', k(node.perConn.rss));
  report('memory per idle connection, serve(), heap (lower is better)', 'KiB', k(served.perConn.heap), 'node:http2', k(node.perConn.heap));
  if (SETTLED_MS > 0) {
    report(`memory per idle connection, ${SESSION}, RSS after ${SETTLED_MS / 1000} s (lower is better)`, 'KiB', k(h2flow.perConn.settledRss), 'node:http2', k(node.perConn.settledRss));
    report(`memory per idle connection, ${INCOMING}, RSS after ${SETTLED_MS / 1000} s (lower is better)`, 'KiB', k(viaIncoming.perConn.settledRss), 'node:http2', k(node.perConn.settledRss));
    report(`memory per idle connection, serve(), RSS after ${SETTLED_MS / 1000} s (lower is better)`, 'KiB', k(served.perConn.settledRss), 'node:http2', k(node.perConn.settledRss));
  }
  if (SETTLED_MS > 0) {
    report(`memory per open stream, ${SESSION}, RSS after ${SETTLED_MS / 1000} s (lower is better)`, 'KiB', k(h2flow.perStream.settledRss), 'node:http2', k(node.perStream.settledRss));
    report(`memory per open request held by a serve() handler, RSS after ${SETTLED_MS / 1000} s (lower is better)`, 'KiB', k(served.perStream.settledRss), 'node:http2', k(node.perStream.settledRss));
  }
  report(`memory per open stream, ${SESSION}, RSS (lower is better)`, 'KiB', k(h2flow.perStream.rss), 'node:http2', k(node.perStream.rss));
  report(`memory per open stream, ${SESSION}, heap (lower is better)`, 'KiB', k(h2flow.perStream.heap), 'node:http2', k(node.perStream.heap));
  report('memory per open request held by a serve() handler, RSS (lower is better)', 'KiB', k(served.perStream.rss), 'node:http2', k(node.perStream.rss));
  report('memory per open request held by a serve() handler, heap (lower is better)', 'KiB', k(served.perStream.heap), 'node:http2', k(node.perStream.heap));
}
