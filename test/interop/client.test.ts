/**
 * h2flow's client (`connect().fetch`, `connectSession`) against independent servers: node:http2 (h2c and
 * TLS, 64 MiB up and down with sha256, trailers) and nghttpd (h2c and TLS, files, many concurrent streams).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { createSecureServer, createServer, type Http2Server, type ServerHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { connect } from '../../src/transport/node';
import { daemon, freePort, patternBytes, selfSignedCert, sha256, tempDir, waitForPort, type Daemon, type TestCert } from '../support/peers';

const Client = suite('h2flow client against real servers');

const MiB = 1024 * 1024;
const BIG = 64 * MiB;
/** Files nghttpd pushes with /index.html when started with `-p`. */
const PUSHES = 20;
const dir = tempDir('h2flow-interop-client-');
let cert: TestCert;
let nodeH2c: Http2Server;
let nodeTls: Http2Server;
let nodeH2cOrigin = '';
let nodeTlsOrigin = '';
let bigBody: Uint8Array;

function onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
  const path = headers[':path'];
  if (path === '/sha256') {
    // Hashes the upload as it streams in, answering with the digest and byte count.
    const hash = createHash('sha256');
    let bytes = 0;
    stream.on('data', (d: Buffer) => {
      hash.update(d);
      bytes += d.length;
    });
    stream.on('end', () => {
      stream.respond({ ':status': 200 });
      stream.end(`${hash.digest('hex')} ${bytes}`);
    });
    return;
  }
  if (path === '/big') {
    stream.respond({ ':status': 200, 'content-length': String(BIG) });
    stream.end(bigBody);
    return;
  }
  if (path === '/request-trailers') {
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => (body += d));
    stream.once('trailers', (t: IncomingHttpHeaders) => {
      stream.respond({ ':status': 200 });
      stream.end(`${body}|${String(t['x-request-digest'])}`);
    });
    return;
  }
  if (path === '/trailers') {
    stream.respond({ ':status': 200 }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'x-checksum': 'c0ffee' }));
    stream.end('with trailers');
    return;
  }
  stream.respond({ ':status': 200, 'content-type': 'text/plain', 'x-authority': String(headers[':authority']) });
  stream.end(`node:http2 ${headers[':method']} ${path}`);
}

/** Streams `body` through sha256 without holding it. */
async function digest(body: ReadableStream<Uint8Array>): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of body) {
    hash.update(chunk);
    bytes += chunk.byteLength;
  }
  return { bytes, sha256: hash.digest('hex') };
}

async function listening(server: Http2Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

Client.before(async () => {
  cert = selfSignedCert(dir.path);
  bigBody = patternBytes(BIG);
  nodeH2c = createServer();
  nodeH2c.on('stream', onStream);
  nodeTls = createSecureServer({ cert: cert.cert, key: cert.key });
  nodeTls.on('stream', onStream);
  nodeH2cOrigin = `http://127.0.0.1:${await listening(nodeH2c)}`;
  nodeTlsOrigin = `https://127.0.0.1:${await listening(nodeTls)}`;
  const htdocs = join(dir.path, 'htdocs');
  mkdirSync(htdocs);
  writeFileSync(join(htdocs, 'index.html'), '<h1>nghttpd</h1>');
  writeFileSync(join(htdocs, 'blob.bin'), patternBytes(8 * MiB));
  for (let i = 1; i <= PUSHES; i++) writeFileSync(join(htdocs, `p${i}.bin`), patternBytes(200 * 1024, i));
  writeFileSync(join(htdocs, 'three.bin'), patternBytes(3 * MiB));
  writeFileSync(join(htdocs, 'big.bin'), bigBody);
});

Client.after(() => {
  nodeH2c.close();
  nodeTls.close();
  dir.cleanup();
});

Client('fetch against node:http2 over h2c sends :authority and gets status, headers and body', async () => {
  const client = connect(nodeH2cOrigin);
  try {
    const res = await client.fetch('/hello?x=1');
    assert.is(res.status, 200);
    assert.is(res.headers.get('x-authority'), new URL(nodeH2cOrigin).host);
    assert.is(await res.text(), 'node:http2 GET /hello?x=1');
  } finally {
    await client.close();
  }
});

Client('fetch against node:http2 over TLS negotiates h2', async () => {
  const client = connect(nodeTlsOrigin, { tls: { ca: cert.cert } });
  try {
    const res = await client.fetch('/tls', { method: 'DELETE' });
    assert.is(await res.text(), 'node:http2 DELETE /tls');
  } finally {
    await client.close();
  }
});

Client('a 64 MiB upload to node:http2 arrives with the same sha256', async () => {
  const client = connect(nodeH2cOrigin);
  try {
    const res = await client.fetch('/sha256', { method: 'POST', body: bigBody });
    assert.is(await res.text(), `${sha256(bigBody)} ${BIG}`);
  } finally {
    await client.close();
  }
});

Client('a 64 MiB download from node:http2 over TLS arrives with the same sha256', async () => {
  const client = connect(nodeTlsOrigin, { tls: { rejectUnauthorized: false } });
  try {
    const res = await client.fetch('/big');
    assert.equal(await digest(res.body!), { bytes: BIG, sha256: sha256(bigBody) });
  } finally {
    await client.close();
  }
});

Client('request trailers from fetch reach node:http2 after the body', async () => {
  const client = connect(nodeH2cOrigin);
  try {
    const res = await client.fetch('/request-trailers', { method: 'POST', body: 'body', trailers: { 'x-request-digest': 'd1' } });
    assert.is(await res.text(), 'body|d1');
  } finally {
    await client.close();
  }
});

Client("node:http2's trailers arrive as response.trailers", async () => {
  const client = connect(nodeH2cOrigin);
  try {
    const res = await client.fetch('/trailers');
    assert.is(await res.text(), 'with trailers');
    assert.is((await res.trailers)?.get('x-checksum'), 'c0ffee');
  } finally {
    await client.close();
  }
});

async function nghttpd(args: string[]): Promise<{ d: Daemon; port: number }> {
  const port = await freePort();
  const d = daemon('nghttpd', ['-a', '127.0.0.1', '-d', join(dir.path, 'htdocs'), ...args, String(port), ...(args.includes('--no-tls') ? [] : [cert.keyFile, cert.certFile])]);
  await waitForPort(port);
  return { d, port };
}

Client('fetch against nghttpd --no-tls gets files, 100 of them concurrently on one connection', async () => {
  const { d, port } = await nghttpd(['--no-tls']);
  const client = connect(`http://127.0.0.1:${port}`);
  try {
    const res = await client.fetch('/index.html');
    assert.is(res.status, 200);
    assert.is(await res.text(), '<h1>nghttpd</h1>');
    const all = await Promise.all(Array.from({ length: 100 }, () => client.fetch('/index.html').then((r) => r.text())));
    assert.ok(all.every((t) => t === '<h1>nghttpd</h1>'));
    const blob = new Uint8Array(await (await client.fetch('/blob.bin')).arrayBuffer());
    assert.is(sha256(blob), sha256(patternBytes(8 * MiB)));
    const missing = await client.fetch('/missing');
    assert.is(missing.status, 404);
    await missing.arrayBuffer();
  } finally {
    await client.close();
    await d.stop();
  }
});

Client('pushes from nghttpd do not stall later responses, whether the client disables push or accepts and cancels it', async () => {
  const pushList = Array.from({ length: PUSHES }, (_, i) => `/p${i + 1}.bin`).join(',');
  const { d, port } = await nghttpd(['--no-tls', `-p/index.html=${pushList}`]);
  try {
    for (const options of [{}, { session: { settings: { enablePush: true } } }]) {
      const client = connect(`http://127.0.0.1:${port}`, options);
      try {
        assert.is(await (await client.fetch('/index.html')).text(), '<h1>nghttpd</h1>');
        let timer: ReturnType<typeof setTimeout> | undefined;
        const stalled = new Promise<'stalled'>((resolve) => (timer = setTimeout(() => resolve('stalled'), 8000)));
        const body = await Promise.race([client.fetch('/three.bin').then((r) => r.arrayBuffer()), stalled]);
        clearTimeout(timer);
        assert.ok(body !== 'stalled', `the 3 MiB response completed (${JSON.stringify(options)})`);
        assert.is(sha256(new Uint8Array(body as ArrayBuffer)), sha256(patternBytes(3 * MiB)));
      } finally {
        await client.close({ graceful: false });
      }
    }
  } finally {
    await d.stop();
  }
});

Client('a 64 MiB download from nghttpd arrives with the same sha256', async () => {
  const { d, port } = await nghttpd(['--no-tls']);
  const client = connect(`http://127.0.0.1:${port}`);
  try {
    const res = await client.fetch('/big.bin');
    assert.equal(await digest(res.body!), { bytes: BIG, sha256: sha256(bigBody) });
  } finally {
    await client.close();
    await d.stop();
  }
});

Client('fetch against nghttpd over TLS negotiates h2 with ALPN', async () => {
  const { d, port } = await nghttpd([]);
  const client = connect(`https://127.0.0.1:${port}`, { tls: { rejectUnauthorized: false } });
  try {
    const res = await client.fetch('/index.html');
    assert.is(res.status, 200);
    assert.is(await res.text(), '<h1>nghttpd</h1>');
  } finally {
    await client.close();
    await d.stop();
  }
});

Client.run();
