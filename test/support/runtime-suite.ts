/**
 * The tests h2flow runs in Deno and in Bun, defined once: the streams-layer suite (session-suite.ts,
 * bundled with esbuild and run by the runtime) and LightResponse's, `serve()` in the runtime against curl, nghttp and h2load
 * (h2c and TLS, 64 MiB up and down with sha256), the runtime's client against node:http2 and nghttpd, HTTP/1.1
 * on the same port where the transport speaks it (node:net: Deno's default, h2flow/node's serve() in Bun),
 * and the abuse guard on both of the runtime's h2c listeners.
 * The runtime programs are test/runtimes/*-fixture.ts; this file drives them from Node.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSecureServer, createServer, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect as tlsConnect, createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { daemon, freePort, patternBytes, run, sha256, tempDir, waitForPort, type Daemon, type TestCert } from './peers';
import { TestPeer } from './peer';
import { bundleFor, runArgs, runtimeBinary, type Runtime } from './runtimes';

const MiB = 1024 * 1024;
const BIG = 64 * MiB;

interface Digest {
  status: number;
  bytes: number;
  sha256: string;
}

/**
 * A CA and a leaf certificate for 127.0.0.1 signed by it: Deno's TLS (rustls) refuses a self-signed CA
 * certificate as the server's own (CaUsedAsEndEntity), so clients trust `ca` and servers present the leaf.
 */
function caSignedCert(dir: string): TestCert & { ca: string } {
  const f = (name: string): string => join(dir, name);
  const openssl = (args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore', timeout: 10_000 });
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=h2flow test CA',
    '-keyout', f('ca-key.pem'), '-out', f('ca.pem')]);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=localhost', '-keyout', f('leaf-key.pem'), '-out', f('leaf.csr')]);
  writeFileSync(f('leaf.ext'), 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(['x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca-key.pem'), '-CAcreateserial', '-days', '1', '-extfile', f('leaf.ext'), '-out', f('leaf.pem')]);
  const read = (name: string): string => readFileSync(f(name), 'utf8');
  return { cert: read('leaf.pem'), key: read('leaf-key.pem'), certFile: f('leaf.pem'), keyFile: f('leaf-key.pem'), ca: read('ca.pem') };
}

export function defineRuntimeSuite(runtime: Runtime): { run(): void } {
  const S = suite(`h2flow in ${runtime}`);
  const dir = tempDir(`h2flow-${runtime}-`);
  let cert: TestCert & { ca: string };
  let caFile = '';
  let binary = '';
  let server: Daemon | null = null;
  let ports = { h2c: 0, tls: 0, alt: 0 };
  let ready: { bound: { portOnReturn: boolean; laterOnReturn: string } } | null = null;
  // Deno serves h2c on node:net by default (HTTP/1.1 too) and on Deno.listen as the alternative; Bun on
  // Bun.listen by default, and h2flow/node's serve() over Bun's node:net (with HTTP/1.1) as the alternative.
  const http1Port = (): number => (runtime === 'deno' ? ports.h2c : ports.alt);
  const h2onlyPort = (): number => (runtime === 'deno' ? ports.alt : ports.h2c);
  let bigFile = '';
  const bigSha = sha256(patternBytes(BIG));

  S.before(async () => {
    binary = runtimeBinary(runtime);
    cert = caSignedCert(dir.path);
    caFile = join(dir.path, 'ca.pem');
    bigFile = join(dir.path, 'big.bin');
    writeFileSync(bigFile, patternBytes(BIG));
    const script = await bundleFor(runtime, `test/runtimes/${runtime}-fixture.ts`, dir.path);
    server = daemon(binary, [...runArgs(runtime, script), JSON.stringify({ mode: 'server', cert: cert.cert, key: cert.key })], 240_000);
    const [, line] = await server.waitFor(/READY (\{.*\})/, 30_000);
    ready = JSON.parse(line!) as typeof ready;
    ports = ready as unknown as typeof ports;
  });
  S.after(async () => {
    await server?.stop();
    dir.cleanup();
  });

  /** Runs the uvu test file `file` bundled for the runtime: more than `minTotal` tests, all passing. */
  const suiteUnder = async (file: string, minTotal: number, timeoutMs: number): Promise<void> => {
    const script = await bundleFor(runtime, file, dir.path);
    const r = await run(binary, runArgs(runtime, script), { timeoutMs });
    const out = r.stdout.toString() + r.stderr;
    const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? NaN);
    const passed = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? NaN);
    assert.ok(total > minTotal, `suite ran (${out.slice(-2000)})`);
    assert.is(passed, total, out.slice(-4000));
    assert.is(r.code, 0);
  };

  S(`the streams-layer suite (session-suite.ts) passes under ${runtime}`, () => suiteUnder('test/streams/session-native.test.ts', 50, 120_000));

  S(`LightResponse behaves as the Response of ${runtime} and is sent from its parts (light-response.test.ts under ${runtime})`, () =>
    suiteUnder('test/fetch/light-response.test.ts', 10, 60_000));

  S(`serve() in ${runtime} answers curl and nghttp over h2c and TLS (ALPN h2), in Deno's and Bun's argument forms`, async () => {
    const h2c = await run('curl', ['-s', '--http2-prior-knowledge', `http://127.0.0.1:${ports.h2c}/info`]);
    assert.equal(JSON.parse(h2c.stdout.toString()), { runtime, method: 'GET', scheme: 'http:' });
    const tls = await run('curl', ['-s', '--http2', '--cacert', caFile, '-w', '\n%{http_version}', `https://127.0.0.1:${ports.tls}/info`]);
    const [body, version] = tls.stdout.toString().split('\n');
    assert.equal(JSON.parse(body!), { runtime, method: 'GET', scheme: 'https:' });
    assert.is(version, '2');
    // A LightResponse's body goes out as given, with the length and the fields it was made with.
    const light = await run('curl', ['-s', '-i', '--http2-prior-knowledge', `http://127.0.0.1:${ports.h2c}/light`]);
    const [head, lightBody] = light.stdout.toString().split('\r\n\r\n');
    assert.is(lightBody, `light ${runtime}`);
    assert.match(head!, /^HTTP\/2 201/);
    assert.match(head!, /\r\nx-light: 1\r\n/);
    assert.match(head!, /\r\ncontent-type: text\/plain;charset=UTF-8\r\n/i);
    assert.match(head!, new RegExp(`\\r\\ncontent-length: ${`light ${runtime}`.length}(\\r\\n|$)`));
    for (const url of [`http://127.0.0.1:${ports.h2c}/info`, `https://127.0.0.1:${ports.tls}/info`]) {
      const n = await run('nghttp', ['-v', url]);
      assert.is(n.code, 0, n.stderr);
      assert.match(n.stdout.toString(), /:status: 200/);
      assert.match(n.stdout.toString(), /"runtime":"/);
    }
  });

  S(`serve() in ${runtime} completes every h2load request over h2c and TLS`, async () => {
    for (const url of [`http://127.0.0.1:${ports.h2c}/info`, `https://127.0.0.1:${ports.tls}/info`]) {
      const r = await run('h2load', ['-n', '2000', '-c', '4', '-m', '10', url], { timeoutMs: 60_000 });
      assert.match(r.stdout.toString(), /requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored, 0 timeout/, r.stdout.toString());
    }
  });

  S(`serve() in ${runtime} echoes 64 MiB up and down over h2c and TLS and sends 64 MiB down over TLS, sha256 intact (curl; TCP_NODELAY: Nagle would take tens of seconds)`, async () => {
    for (const origin of [`http://127.0.0.1:${ports.h2c}`, `https://127.0.0.1:${ports.tls}`]) {
      const flags = origin.startsWith('https') ? ['--http2', '--cacert', caFile] : ['--http2-prior-knowledge'];
      const echo = await run('curl', ['-s', '-f', ...flags, '--data-binary', `@${bigFile}`, `${origin}/echo`], { timeoutMs: 120_000 });
      assert.is(echo.stdout.byteLength, BIG, `${origin} echo: ${echo.stderr}`);
      assert.is(sha256(echo.stdout), bigSha);
      // The echo already sent 64 MiB each way; a plain download once, over TLS, keeps the suite quick.
      if (!origin.startsWith('https')) continue;
      const down = await run('curl', ['-s', '-f', ...flags, `${origin}/big?n=${BIG}`], { timeoutMs: 120_000 });
      assert.is(down.stdout.byteLength, BIG, `${origin} download: ${down.stderr}`);
      assert.is(sha256(down.stdout), bigSha);
    }
  });

  S(`connect().fetch in ${runtime} gets 64 MiB from node:http2 over h2c, echoes 64 MiB through it over TLS, and fetches from nghttpd`, async () => {
    const bigBody = patternBytes(BIG);
    const onStream = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void => {
      if (headers[':path'] === '/echo') {
        stream.respond({ ':status': 200 });
        stream.pipe(stream);
      } else {
        stream.respond({ ':status': 200 });
        stream.end(bigBody);
      }
    };
    const listening = async (s: Http2Server): Promise<number> => {
      s.on('stream', onStream);
      await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
      return (s.address() as AddressInfo).port;
    };
    const h2c = createServer();
    const tls = createSecureServer({ cert: cert.cert, key: cert.key });
    const htdocs = join(dir.path, 'htdocs');
    mkdirSync(htdocs, { recursive: true });
    writeFileSync(join(htdocs, 'blob.bin'), patternBytes(4 * MiB));
    const nghttpdPort = await freePort();
    const nghttpd = daemon('nghttpd', ['-a', '127.0.0.1', '-d', htdocs, String(nghttpdPort), cert.keyFile, cert.certFile]);
    try {
      await waitForPort(nghttpdPort);
      const targets = [
        { url: `http://127.0.0.1:${await listening(h2c)}`, get: ['/big', BIG] },
        { url: `https://127.0.0.1:${await listening(tls)}`, ca: cert.ca, echo: BIG },
        { url: `https://127.0.0.1:${nghttpdPort}`, ca: cert.ca, get: ['/blob.bin', 4 * MiB] },
      ];
      const script = await bundleFor(runtime, `test/runtimes/${runtime}-fixture.ts`, dir.path);
      const r = await run(binary, [...runArgs(runtime, script), JSON.stringify({ mode: 'client', targets })], { timeoutMs: 180_000 });
      const line = /RESULT (.*)/.exec(r.stdout.toString())?.[1];
      assert.ok(line !== undefined, `${r.stdout.toString()}\n${r.stderr}`);
      const results = JSON.parse(line!) as { url: string; get?: Digest; echo?: Digest }[];
      assert.equal(results[0]!.get, { status: 200, bytes: BIG, sha256: bigSha });
      assert.equal(results[1]!.echo, { status: 200, bytes: BIG, sha256: bigSha });
      assert.equal(results[2]!.get, { status: 200, bytes: 4 * MiB, sha256: sha256(patternBytes(4 * MiB)) });
      assert.is(r.code, 0, r.stderr);
    } finally {
      h2c.close();
      tls.close();
      await nghttpd.stop();
    }
  });

  S(`serve() in ${runtime} closes on a peer that is not HTTP/2, survives peers hanging up mid-preface, mid-frame and mid-handshake, and keeps answering`, async () => {
    const PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
    /** Opens a connection, writes `bytes`, then either hangs up or waits (with a deadline) for the server to close. */
    const poke = (port: number, bytes: string | Uint8Array, then: 'hang-up' | 'await-close', tls = false): Promise<string> =>
      new Promise((resolve) => {
        const socket = tls ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['h2'] }) : netConnect({ port, host: '127.0.0.1' });
        const timer = setTimeout(() => (socket.destroy(), resolve('server did not close within 10 s')), 10_000);
        socket.on('error', () => undefined);
        socket.on('close', () => (clearTimeout(timer), resolve('closed')));
        socket.once(tls ? 'secureConnect' : 'connect', () => {
          socket.write(bytes);
          if (then === 'hang-up') socket.destroy();
        });
        socket.resume();
      });
    // The HTTP/2-only transport (Deno.listen, Bun.listen) closes what is not HTTP/2.
    assert.is(await poke(h2onlyPort(), 'GET / HTTP/1.1\r\nhost: x\r\n\r\n', 'await-close'), 'closed', 'an HTTP/1.1 request gets the connection closed');
    assert.is(await poke(h2onlyPort(), new Uint8Array(64).fill(0xff), 'await-close'), 'closed', 'garbage gets the connection closed');
    assert.is(await poke(http1Port(), new Uint8Array(64).fill(0xff), 'await-close'), 'closed', 'garbage gets the connection closed by the HTTP/1.1 side');
    assert.is(await poke(ports.h2c, PREFACE.slice(0, 10), 'hang-up'), 'closed');
    assert.is(await poke(ports.h2c, PREFACE + '\x00\x00\x12\x04', 'hang-up'), 'closed');
    assert.is(await poke(ports.tls, PREFACE.slice(0, 5), 'hang-up', true), 'closed');
    const raw = netConnect({ port: ports.tls, host: '127.0.0.1' });
    raw.on('error', () => undefined);
    await new Promise((resolve) => raw.once('connect', resolve));
    raw.end(new Uint8Array([0x16, 0x03, 0x01, 0x00, 0x40])); // a TLS record header, then nothing
    for (const url of [`http://127.0.0.1:${ports.h2c}/info`, `https://127.0.0.1:${ports.tls}/info`]) {
      const r = await run('curl', ['-s', '-f', url.startsWith('https') ? '--http2' : '--http2-prior-knowledge', '--cacert', caFile, url]);
      assert.is((JSON.parse(r.stdout.toString()) as { runtime: string }).runtime, runtime, r.stderr);
    }
    raw.destroy();
  });

  S(`serve() in ${runtime} binds at once on the synchronous transport (port readable on return) and says why the other one is not known yet`, () => {
    assert.ok(ready!.bound.portOnReturn);
    assert.match(ready!.bound.laterOnReturn, /not known until the server listens/);
  });

  S(`serve() in ${runtime} over node:net answers HTTP/1.1 and Upgrade: h2c on the HTTP/2 port, and HTTP/2 with prior knowledge (curl)`, async () => {
    const port = http1Port();
    const get = await run('curl', ['-s', '-f', '--http1.1', '-w', '\n%{http_version}', `http://127.0.0.1:${port}/info`]);
    const [body, version] = get.stdout.toString().split('\n');
    assert.equal(JSON.parse(body!), { runtime, method: 'GET', scheme: 'http:' }, get.stderr);
    assert.is(version, '1.1');
    const data = 'x'.repeat(100_000);
    const post = await run('curl', ['-s', '-f', '--http1.1', '--data-binary', '@-', `http://127.0.0.1:${port}/echo`], { input: data });
    assert.is(post.stdout.toString(), data, post.stderr);
    // curl --http2 on http: sends HTTP/1.1 with Upgrade: h2c and continues over HTTP/2 after the 101.
    const upgraded = await run('curl', ['-s', '-f', '--http2', '-w', '\n%{http_version}', `http://127.0.0.1:${port}/info`]);
    assert.is(upgraded.stdout.toString().split('\n')[1], '2', upgraded.stderr);
    const prior = await run('curl', ['-s', '-f', '--http2-prior-knowledge', '-w', '\n%{http_version}', `http://127.0.0.1:${port}/info`]);
    assert.is(prior.stdout.toString().split('\n')[1], '2', prior.stderr);
    if (runtime === 'deno') {
      // Deno's TLS goes through node:tls, whose ALPN offers http/1.1 next to h2.
      const tls = await run('curl', ['-s', '-f', '--http1.1', '--cacert', caFile, '-w', '\n%{http_version}', `https://127.0.0.1:${ports.tls}/info`]);
      assert.is(tls.stdout.toString().split('\n')[1], '1.1', tls.stderr);
    }
  });

  S(`serve() in ${runtime} refuses an address whose connections keep ending in GOAWAY PROTOCOL_ERROR (AbuseGuard, on by default) on both transports, and serves other addresses`, async () => {
    /** From `localAddress`: a valid preface, then a PING on stream 1 (PROTOCOL_ERROR); what came back once closed. */
    const provoke = (port: number, localAddress: string): Promise<Buffer> =>
      new Promise((resolve) => {
        const peer = new TestPeer('client');
        const socket = netConnect({ port, host: '127.0.0.1', localAddress });
        const got: Buffer[] = [];
        const timer = setTimeout(() => socket.destroy(), 10_000);
        socket.on('data', (d: Buffer) => got.push(d));
        socket.on('error', () => undefined);
        socket.on('close', () => (clearTimeout(timer), resolve(Buffer.concat(got))));
        socket.on('connect', () => socket.end(peer.concat(peer.greeting(), peer.raw(0x6, 0, 1, new Uint8Array(8)))));
      });
    const goAwayCode = (bytes: Buffer): number | null => {
      for (let at = 0; at + 9 <= bytes.length; at += 9 + bytes.readUIntBE(at, 3)) if (bytes[at + 3] === 0x7) return bytes.readUInt32BE(at + 13);
      return null;
    };
    for (const [port, attacker] of [
      [ports.h2c, '127.0.0.11'],
      [ports.alt, '127.0.0.12'],
    ] as const) {
      // Each ends in GOAWAY; its end is noted when the session settles, so a few more may get through.
      let answered = 0;
      for (let i = 0; i < 100; i++) {
        const reply = await provoke(port, attacker);
        if (reply.length === 0) break;
        assert.is(goAwayCode(reply), 1, 'GOAWAY PROTOCOL_ERROR');
        answered++;
      }
      assert.ok(answered >= 10 && answered < 100, `port ${port} answered ${answered} abusive connections before refusing`);
      assert.is((await provoke(port, attacker)).length, 0, 'still refused');
      // Another address (curl from 127.0.0.1) is served as usual.
      const r = await run('curl', ['-s', '-f', '--http2-prior-knowledge', `http://127.0.0.1:${port}/info`]);
      assert.is((JSON.parse(r.stdout.toString()) as { runtime: string }).runtime, runtime, r.stderr);
    }
  });

  S(`connect().fetch in ${runtime} rejects, never hangs, for a closed port, an untrusted certificate, an HTTP/1.1-only TLS server and one without ALPN`, async () => {
    const closedPort = await freePort();
    const untrusted = createSecureServer({ cert: cert.cert, key: cert.key });
    untrusted.on('stream', (stream) => void stream.end());
    // HTTP/1.1 only: its ALPN offers no h2, so the handshake fails (no_application_protocol).
    const http1 = createHttpsServer({ cert: cert.cert, key: cert.key, ALPNProtocols: ['http/1.1'] }, (_req, res) => res.end('http/1.1'));
    // No ALPN at all: the handshake succeeds without a protocol, and h2flow's own check must refuse it.
    const noAlpn = createTlsServer({ cert: cert.cert, key: cert.key }, (socket) => socket.end());
    const listen = async (s: Http2Server | HttpsServer | TlsServer): Promise<number> => {
      await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
      return (s.address() as AddressInfo).port;
    };
    try {
      const targets = [
        { url: `http://127.0.0.1:${closedPort}` },
        { url: `https://127.0.0.1:${await listen(untrusted)}` },
        { url: `https://127.0.0.1:${await listen(http1)}`, ca: cert.ca },
        { url: `https://127.0.0.1:${await listen(noAlpn)}`, ca: cert.ca },
      ];
      const script = await bundleFor(runtime, `test/runtimes/${runtime}-fixture.ts`, dir.path);
      const r = await run(binary, [...runArgs(runtime, script), JSON.stringify({ mode: 'client-errors', targets })], { timeoutMs: 120_000 });
      const line = /RESULT (.*)/.exec(r.stdout.toString())?.[1];
      assert.ok(line !== undefined, `${r.stdout.toString()}\n${r.stderr}`);
      const [refused, unverified, http1Only, withoutAlpn] = JSON.parse(line!) as string[];
      assert.match(refused!, /^rejected .*(refused|ECONNREFUSED)/i);
      assert.match(unverified!, /^rejected .*(certificate|UnknownIssuer)/i);
      assert.match(http1Only!, /^rejected .*(NO_APPLICATION_PROTOCOL|NoApplicationProtocol)/i);
      assert.match(withoutAlpn!, /^rejected .*did not negotiate h2/);
    } finally {
      untrusted.close();
      http1.close();
      noAlpn.close();
    }
  });

  S(`shutdown() in ${runtime} ends both servers and the process exits on its own`, async () => {
    const r = await run('curl', ['-s', '--http2-prior-knowledge', `http://127.0.0.1:${ports.h2c}/quit`]);
    assert.is(r.stdout.toString(), 'bye');
    const code = await new Promise<number | null>((resolve) => {
      const child = server!.child;
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.once('exit', (c) => resolve(c));
    });
    assert.is(code, 0, server!.output());
    assert.match(server!.output(), /FINISHED/);
  });

  return S;
}
