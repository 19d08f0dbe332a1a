// Web Streams layer: what the Web Streams implementation costs (creating a ReadableStream, one
// enqueue+read round trip) for web-streams-polyfill vs the runtime's built-in classes, and what that
// means for H2Session (request/response rate and bulk upload throughput over an in-memory transport),
// with each implementation injected through `streams`. Same run, same transport, ratios printed.
import { ReadableStream as PolyReadable, WritableStream as PolyWritable } from 'web-streams-polyfill';
import { H2Session } from '../dist/streams.mjs';
import { report } from './_report.mjs';

const NATIVE = { name: 'node built-in', ReadableStream: globalThis.ReadableStream, WritableStream: globalThis.WritableStream };
const POLY = { name: 'web-streams-polyfill', ReadableStream: PolyReadable, WritableStream: PolyWritable };
const ROUNDS = 5;
const CREATE = 50_000;
const ROUND_TRIPS = 50_000;
const REQUESTS = 4_000;
const CONCURRENCY = 50;
const UPLOAD = 16 * 1024 * 1024;
const CHUNK = new Uint8Array(64 * 1024).fill(7);
const GET = [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'bench']];
const POST = [[':method', 'POST'], [':scheme', 'http'], [':path', '/upload'], [':authority', 'bench']];

const byteLength = (chunk) => chunk.byteLength;

class Source {
  start(controller) {
    this.controller = controller;
  }
  pull() {}
}

/** Best (lowest) of ROUNDS timings of `fn()`, in microseconds per unit. */
async function microsPerUnit(units, fn) {
  await fn();
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, ((performance.now() - t0) * 1000) / units);
  }
  return best;
}

function create(impl) {
  return microsPerUnit(CREATE, () => {
    for (let i = 0; i < CREATE; i++) new impl.ReadableStream(new Source(), { highWaterMark: 65535, size: byteLength });
  });
}

function roundTrip(impl) {
  return microsPerUnit(ROUND_TRIPS, async () => {
    const source = new Source();
    const reader = new impl.ReadableStream(source, { highWaterMark: 65535, size: byteLength }).getReader();
    for (let i = 0; i < ROUND_TRIPS; i++) {
      source.controller.enqueue(CHUNK);
      await reader.read();
    }
  });
}

/** Two connected in-memory transport ends built from the runtime's TransformStreams (the same for every case). */
function transportPair() {
  const ab = new TransformStream();
  const ba = new TransformStream();
  return [
    { readable: ba.readable, writable: ab.writable },
    { readable: ab.readable, writable: ba.writable },
  ];
}

function sessions(impl) {
  const [a, b] = transportPair();
  const streams = { ReadableStream: impl.ReadableStream, WritableStream: impl.WritableStream };
  const server = new H2Session(a, { role: 'server', streams, settings: { maxConcurrentStreams: 1000 } });
  const client = new H2Session(b, { role: 'client', streams });
  return { server, client };
}

async function drain(readable) {
  const reader = readable.getReader();
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return n;
    n += value.byteLength;
  }
}

/** A GET workload: `run(n)` completes n requests, CONCURRENCY at a time; returns req/s. */
async function getWorkload(impl) {
  const { server, client } = sessions(impl);
  void (async () => {
    for await (const stream of server.incoming) stream.respond([[':status', '200']], { body: 'ok' });
  })();
  await client.ping();
  return async (n) => {
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < n) {
          const stream = await client.request(GET, { endStream: true });
          await drain(stream.readable);
        }
      }),
    );
    return n / ((performance.now() - t0) / 1000);
  };
}

/** An upload workload: `run(bytes)` POSTs that many bytes in 64 KiB writes; returns MB/s. */
async function uploadWorkload(impl) {
  const { server, client } = sessions(impl);
  void (async () => {
    for await (const stream of server.incoming) {
      await drain(stream.readable);
      stream.respond([[':status', '204']], { endStream: true });
    }
  })();
  return async (bytes) => {
    const t0 = performance.now();
    const stream = await client.request(POST);
    const writer = stream.writable.getWriter();
    for (let sent = 0; sent < bytes; sent += CHUNK.byteLength) await writer.write(CHUNK);
    await writer.close();
    await stream.response;
    return bytes / 1e6 / ((performance.now() - t0) / 1000);
  };
}

/**
 * Best of ROUNDS runs of each workload, the two implementations interleaved (poly, native, poly, …) so
 * that load from other processes hits both alike. Returns [polyfill, native].
 */
async function interleaved(make, size) {
  const runs = [await make(POLY), await make(NATIVE)];
  for (const run of runs) await run(size / 4);
  const best = [0, 0];
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < 2; i++) best[i] = Math.max(best[i], await runs[i](size));
  }
  return best;
}

report('streams: create a byte-counted ReadableStream (web-streams-polyfill)', 'µs', await create(POLY), NATIVE.name, await create(NATIVE));
report('streams: enqueue + read one chunk (web-streams-polyfill)', 'µs', await roundTrip(POLY), NATIVE.name, await roundTrip(NATIVE));
const [getPoly, getNative] = await interleaved(getWorkload, REQUESTS);
report('streams: H2Session GET round trips with web-streams-polyfill', 'req/s', getPoly, `H2Session with ${NATIVE.name}`, getNative);
const [upPoly, upNative] = await interleaved(uploadWorkload, UPLOAD);
report('streams: H2Session 16 MiB upload with web-streams-polyfill', 'MB/s', upPoly, `H2Session with ${NATIVE.name}`, upNative);
