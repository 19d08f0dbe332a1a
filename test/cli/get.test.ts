/** `h2flow get` as a process against node:http2 servers: bodies, -v frame log, -d/-H/-o, -n/-c summary, TLS, errors. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSecureServer, createServer, type Http2Server, type ServerHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildCli, patternBytes, run, selfSignedCert, sha256, tempDir } from '../support/peers';

const Get = suite('h2flow get');

const dir = tempDir('h2flow-cli-get-');
let cli = '';
let h2c: Http2Server;
let tls: Http2Server;
let h2cOrigin = '';
let tlsOrigin = '';

/** Answers with what the request carried, as JSON: method, body, and the trailers (node's 'trailers' event). */
function echoAll(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
  const chunks: Buffer[] = [];
  let trailers: Record<string, unknown> | null = null;
  stream.on('trailers', (fields: IncomingHttpHeaders) => (trailers = { ...fields }));
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => {
    stream.respond({ ':status': 200, 'content-type': 'application/json' });
    stream.end(JSON.stringify({ method: headers[':method'], body: Buffer.concat(chunks).toString('latin1'), trailers }));
  });
}

function onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
  if (headers[':path'] === '/echo-all') {
    echoAll(stream, headers);
    return;
  }
  if (headers[':path'] === '/echo') {
    stream.respond({ ':status': 200, 'x-seen-header': String(headers['x-test'] ?? '') });
    stream.pipe(stream);
    return;
  }
  stream.respond({ ':status': headers[':path'] === '/missing' ? 404 : 200, 'content-type': 'text/plain' });
  stream.end(`hello from node:http2 ${headers[':method']}\n`);
}

async function listening(server: Http2Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

Get.before(async () => {
  cli = await buildCli(dir.path);
  const cert = selfSignedCert(dir.path);
  h2c = createServer();
  h2c.on('stream', onStream);
  tls = createSecureServer({ cert: cert.cert, key: cert.key });
  tls.on('stream', onStream);
  h2cOrigin = `http://127.0.0.1:${await listening(h2c)}`;
  tlsOrigin = `https://127.0.0.1:${await listening(tls)}`;
});

Get.after(() => {
  h2c.close();
  tls.close();
  dir.cleanup();
});

const get = (args: string[], input?: string) => run(process.execPath, [cli, 'get', ...args], input === undefined ? {} : { input });

Get('it prints the response body', async () => {
  const r = await get([`${h2cOrigin}/`]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.toString(), 'hello from node:http2 GET\n');
});

Get('-v prints every frame both ways with its fields, as nghttp -v does', async () => {
  const r = await get(['-v', `${h2cOrigin}/`]);
  const out = r.stdout.toString();
  assert.is(r.code, 0, r.stderr);
  assert.match(out, /\[ *\d+\.\d{3}\] Connected/);
  assert.match(out, /send SETTINGS frame <length=\d+, flags=0x00, stream_id=0>\n +\(niv=\d+\)/);
  assert.match(out, /recv SETTINGS frame <length=\d+, flags=0x00, stream_id=0>/);
  assert.match(out, /recv SETTINGS frame <length=0, flags=0x01, stream_id=0>\n +; ACK/);
  assert.match(out, /send HEADERS frame <length=\d+, flags=0x05, stream_id=1>\n +; END_STREAM \| END_HEADERS\n +\(padlen=0\)\n +:method: GET\n +:scheme: http/);
  assert.match(out, /recv HEADERS frame <length=\d+, flags=0x04, stream_id=1>\n +; END_HEADERS\n +\(padlen=0\)\n +:status: 200/);
  assert.match(out, /recv DATA frame <length=26, flags=0x0[01], stream_id=1>/);
  assert.match(out, /send GOAWAY frame <length=8, flags=0x00, stream_id=0>\n +\(last_stream_id=\d+, error_code=NO_ERROR\(0x00\)/);
  assert.match(out, 'hello from node:http2 GET');
});

Get('-v over TLS reports the negotiated protocol and decodes the encrypted frames', async () => {
  const r = await get(['-v', '-k', `${tlsOrigin}/`]);
  const out = r.stdout.toString();
  assert.is(r.code, 0, r.stderr);
  assert.match(out, 'The negotiated protocol: h2');
  assert.match(out, /recv HEADERS frame <[^>]+>\n( +.*\n)* +:status: 200/);
  assert.match(out, ':scheme: https');
});

Get('TLS certificates are verified unless -k is given', async () => {
  const r = await get([`${tlsOrigin}/`]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /h2flow get: .*(self.signed|certificate)/i);
});

Get('-d @file uploads a file, -H adds headers and -o saves the body', async () => {
  const data = patternBytes(3 * 1024 * 1024 + 17);
  const input = join(dir.path, 'upload.bin');
  const output = join(dir.path, 'download.bin');
  writeFileSync(input, data);
  const r = await get(['-d', `@${input}`, '-H', 'x-test: yes', '-o', output, `${h2cOrigin}/echo`]);
  assert.is(r.code, 0, r.stderr);
  assert.is(sha256(readFileSync(output)), sha256(data));
  const v = await get(['-v', '-d', 'x', '-H', 'X-Test: shown', `${h2cOrigin}/echo`]);
  assert.match(v.stdout.toString(), ':method: POST');
  assert.match(v.stdout.toString(), 'x-seen-header: shown');
});

Get('--trailer sends trailer fields after the body, and -d @- reads the body from stdin', async () => {
  const input = 'from stdin\n'.repeat(5000);
  const r = await get(['-d', '@-', '--trailer', 'x-checksum: abc123', '--trailer', 'X-Count: 5000', `${h2cOrigin}/echo-all`], input);
  assert.is(r.code, 0, r.stderr);
  const got = JSON.parse(r.stdout.toString()) as { method: string; body: string; trailers: Record<string, string> | null };
  assert.is(got.method, 'POST');
  assert.is(got.body, input);
  assert.equal(got.trailers, { 'x-checksum': 'abc123', 'x-count': '5000' });
  // Without a body the trailers follow the request headers (an empty body), and -v shows them leave.
  const v = await get(['-v', '-X', 'PUT', '--trailer', 'x-only: trailer', `${h2cOrigin}/echo-all`]);
  assert.is(v.code, 0, v.stderr);
  const out = v.stdout.toString();
  assert.match(out, /send HEADERS frame <length=\d+, flags=0x05, stream_id=1>\n +; END_STREAM \| END_HEADERS\n +\(padlen=0\)\n +x-only: trailer/);
  assert.match(out, '{"method":"PUT","body":"","trailers":{"x-only":"trailer"}}');
  const bad = await get(['--trailer', 'no-colon', `${h2cOrigin}/`]);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, "trailer must look like 'name: value'");
  const pseudo = await get(['-d', 'x', '--trailer', ':path: /', `${h2cOrigin}/`]);
  assert.is(pseudo.code, 2);
  assert.match(pseudo.stderr, 'invalid trailer :path: /');
});

Get('a done client ends with one GOAWAY and no PING', async () => {
  const r = await get(['-v', `${h2cOrigin}/`]);
  assert.is(r.code, 0, r.stderr);
  const out = r.stdout.toString();
  assert.equal(out.match(/send GOAWAY frame/g)?.length, 1);
  assert.match(out, /send GOAWAY frame <length=8, flags=0x00, stream_id=0>\n +\(last_stream_id=0, error_code=NO_ERROR\(0x00\)/);
  assert.not.match(out, 'send PING frame');
});

Get('-n and -c run N requests over C concurrent streams and print a timing summary', async () => {
  const r = await get(['-n', '300', '-c', '10', `${h2cOrigin}/`]);
  const out = r.stdout.toString();
  assert.is(r.code, 0, r.stderr);
  assert.match(out, /^finished in [\d.]+s, [\d.]+ req\/s, [\d.]+MB\/s$/m);
  assert.match(out, 'requests: 300 total, 300 succeeded, 0 failed');
  assert.match(out, 'status codes: 300 2xx, 0 3xx, 0 4xx, 0 5xx');
  assert.match(out, /^latency: min [\d.]+ms, mean [\d.]+ms, max [\d.]+ms$/m);
  const missing = await get(['-n', '5', '-c', '2', `${h2cOrigin}/missing`]);
  assert.match(missing.stdout.toString(), 'status codes: 0 2xx, 0 3xx, 5 4xx, 0 5xx');
});

Get('an unreachable server or a bad URL exits non-zero with a message', async () => {
  const closed = createServer();
  const port = await listening(closed);
  closed.close();
  const r = await get([`http://127.0.0.1:${port}/`]);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'ECONNREFUSED');
  const bad = await get(['ftp://example/']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, 'unsupported scheme ftp:');
});

Get.run();
