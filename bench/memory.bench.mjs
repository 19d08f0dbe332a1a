// Memory per connection and per open stream, h2flow (listen(), and serve() with a handler that holds each
// request unanswered) against node:http2 in one run. Each server runs in
// its own child process (with --expose-gc) and reports its memory on request; this process opens raw
// TCP connections that send the preface and SETTINGS, then, for the stream phase, HEADERS without
// END_STREAM on 50 streams per connection that the server never answers.
// Printed per server: RSS and heap (V8 heap + array buffers) per idle connection, per open stream.
import { fork } from 'node:child_process';
import { connect } from 'node:net';
import { report } from './_report.mjs';

const IDLE = Number(process.env.H2FLOW_BENCH_CONNECTIONS ?? 1000);
const STREAM_CONNECTIONS = 200;
const STREAMS = 50;

if (process.argv[2] === '--serve') {
  const kind = process.argv[3];
  let port;
  if (kind === 'h2flow') {
    const { listen } = await import('../dist/node.mjs');
    const server = await listen({ port: 0, host: '127.0.0.1' });
    port = server.address.port;
    const held = [];
    void (async () => {
      for await (const session of server) {
        void (async () => {
          for await (const stream of session.incoming) held.push(stream); // never answered
        })().catch(() => undefined);
      }
    })();
  } else if (kind === 'h2flow-serve') {
    // The fetch path: every request reaches a handler that holds it and never answers.
    const { serve } = await import('../dist/node.mjs');
    const held = [];
    const server = serve((request) => new Promise(() => held.push(request)), { port: 0, hostname: '127.0.0.1', onListen: () => undefined });
    port = (await server.listening).port;
  } else {
    const http2 = await import('node:http2');
    const server = http2.createServer();
    const held = [];
    server.on('stream', (stream) => {
      stream.on('error', () => undefined);
      held.push(stream); // never answered
    });
    server.on('sessionError', () => undefined);
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = server.address().port;
  }
  process.on('message', async (m) => {
    if (m !== 'measure') return;
    for (let i = 0; i < 4; i++) {
      globalThis.gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    const u = process.memoryUsage();
    process.send({ rss: u.rss, heap: u.heapUsed + u.arrayBuffers });
  });
  process.send({ port });
} else {
  const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  const frame = (type, flags, stream, payload) => {
    const h = Buffer.alloc(9);
    h.writeUIntBE(payload.length, 0, 3);
    h[3] = type;
    h[4] = flags;
    h.writeUInt32BE(stream, 5);
    return Buffer.concat([h, payload]);
  };
  const SETTINGS = frame(4, 0, 0, Buffer.alloc(0));
  const SETTINGS_ACK = frame(4, 1, 0, Buffer.alloc(0));
  // :method GET, :scheme http, :path /, :authority x (literal without indexing, name index 1).
  const BLOCK = Buffer.from([0x82, 0x86, 0x84, 0x01, 0x01, 0x78]);
  const headers = (id) => frame(1, 0x4, id, BLOCK); // END_HEADERS, no END_STREAM

  const open = (port, streams) =>
    new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        const parts = [PREFACE, SETTINGS, SETTINGS_ACK];
        for (let i = 0; i < streams; i++) parts.push(headers(2 * i + 1));
        socket.write(Buffer.concat(parts));
        resolve(socket);
      });
      socket.on('data', () => undefined);
      socket.once('error', reject);
    });

  const settle = () => new Promise((r) => setTimeout(r, 500));

  async function measure(kind) {
    const child = fork(new URL(import.meta.url).pathname, ['--serve', kind], { execArgv: ['--expose-gc'] });
    const replies = [];
    let waiting = null;
    child.on('message', (m) => (waiting ? (waiting(m), (waiting = null)) : replies.push(m)));
    const next = () => (replies.length ? Promise.resolve(replies.shift()) : new Promise((r) => (waiting = r)));
    const { port } = await next();
    const sample = async () => {
      await settle();
      child.send('measure');
      return next();
    };
    const base = await sample();
    const sockets = [];
    for (let i = 0; i < IDLE; i++) sockets.push(await open(port, 0));
    const idle = await sample();
    for (const s of sockets.splice(0)) s.destroy();
    await settle();
    const base2 = await sample();
    for (let i = 0; i < STREAM_CONNECTIONS; i++) sockets.push(await open(port, 0));
    const conns = await sample();
    for (const s of sockets.splice(0)) s.destroy();
    await settle();
    for (let i = 0; i < STREAM_CONNECTIONS; i++) sockets.push(await open(port, STREAMS));
    const withStreams = await sample();
    for (const s of sockets.splice(0)) s.destroy();
    child.kill();
    const perConn = { rss: (idle.rss - base.rss) / IDLE, heap: (idle.heap - base.heap) / IDLE };
    const n = STREAM_CONNECTIONS * STREAMS;
    // Streams: the growth with streams open over the same number of connections without them.
    const connCost = { rss: conns.rss - base2.rss, heap: conns.heap - base2.heap };
    const perStream = { rss: (withStreams.rss - base2.rss - connCost.rss) / n, heap: (withStreams.heap - base2.heap - connCost.heap) / n };
    const kib = (x) => (x / 1024).toFixed(1);
    console.log(`${kind}: per idle connection ${kib(perConn.rss)} KiB RSS, ${kib(perConn.heap)} KiB heap; per open stream ${kib(perStream.rss)} KiB RSS, ${kib(perStream.heap)} KiB heap`);
    return { perConn, perStream };
  }

  const h2flow = await measure('h2flow');
  const node = await measure('node:http2');
  const served = await measure('h2flow-serve');
  // Less is better here: the ratio is h2flow's bytes over node:http2's (below 1: h2flow uses less).
  report('memory per idle connection, RSS (lower is better)', 'KiB', h2flow.perConn.rss / 1024, 'node:http2', node.perConn.rss / 1024);
  report('memory per idle connection, heap (lower is better)', 'KiB', h2flow.perConn.heap / 1024, 'node:http2', node.perConn.heap / 1024);
  report('memory per open stream, RSS (lower is better)', 'KiB', h2flow.perStream.rss / 1024, 'node:http2', node.perStream.rss / 1024);
  report('memory per open stream, heap (lower is better)', 'KiB', h2flow.perStream.heap / 1024, 'node:http2', node.perStream.heap / 1024);
  report('memory per open request held by a serve() handler, heap (lower is better)', 'KiB', served.perStream.heap / 1024, 'node:http2', node.perStream.heap / 1024);
}
