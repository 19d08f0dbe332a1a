/**
 * The PROXY protocol on Deno's and Bun's own listeners (`Deno.listen` with transport 'deno', `Bun.listen`),
 * and on h2flow/node's listener running in Deno (its default transport): a real Deno or Bun runs test/runtimes/proxy-protocol.ts (`serve()` with `proxyProtocol`), and node:http2
 * clients behind a hand-written v1 or v2 header check that the handler sees the header's client address,
 * that LOCAL keeps the socket's, that a missing, garbled or stalled header closes the connection, and that
 * the abuse guard keys on the header's address; and behind a real HAProxy (`send-proxy-v2`), curl bound to
 * 127.0.0.2 is seen as 127.0.0.2.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { daemon, run, tempDir, type Daemon } from '../support/peers';
import { startHaproxy, stopHaproxy } from '../support/haproxy';
import { bundleFor, runArgs, runtimeBinary } from '../support/runtimes';
import { TestPeer } from '../support/peer';
import { h2Get, rawWithHeader, untilClosed } from '../support/proxied-client';

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
const SIG = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];
/** A v2 header: `verCmd` (0x21 PROXY, 0x20 LOCAL), `famProto` (0x11 TCP4, 0x21 TCP6), then `block`. */
const v2 = (verCmd: number, famProto: number, block: readonly number[]): Buffer => Buffer.from([...SIG, verCmd, famProto, block.length >> 8, block.length & 0xff, ...block]);
const V6_SRC = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07];
const V1 = latin1('PROXY TCP4 203.0.113.9 127.0.0.1 50123 443\r\n');
const V2 = v2(0x21, 0x21, [...V6_SRC, ...Array<number>(15).fill(0), 1, 4321 >> 8, 4321 & 0xff, 0x01, 0xbb]);
const V2_LOCAL = v2(0x20, 0x00, []);
const PREFACE = latin1('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');




const LISTENERS = [
  ['deno', 'deno', "Deno.listen (transport 'deno')"],
  ['deno', 'node', "Deno's node:net (transport 'node', the default)"],
  ['bun', 'bun', 'Bun.listen'],
] as const;
for (const [runtime, transport, listener] of LISTENERS) {
  const Runtime = suite(`PROXY protocol on ${listener} in ${runtime}`);
  const dir = tempDir(`h2flow-proxy-${runtime}-${transport}-`);
  let server: Daemon;
  let port = 0;
  Runtime.before(async () => {
    const script = await bundleFor(runtime, 'test/runtimes/proxy-protocol.ts', dir.path);
    server = daemon(runtimeBinary(runtime), [...runArgs(runtime, script), runtime, transport], 120_000);
    const [, ready] = await server.waitFor(/READY (\{.*\})/, 30_000);
    port = (JSON.parse(ready!) as { port: number }).port;
  });
  Runtime.after(async () => {
    await server.stop();
    dir.cleanup();
  });

  Runtime('a v1 or a v2 header gives the handler the client address it carries', async () => {
    assert.is(await h2Get(`http://127.0.0.1:${port}`, rawWithHeader(port, V1)), '203.0.113.9 50123');
    assert.is(await h2Get(`http://127.0.0.1:${port}`, rawWithHeader(port, V2)), '2001:db8::7 4321');
  });

  Runtime('a v2 LOCAL header (a health check) keeps the connection\'s own address', async () => {
    assert.match(await h2Get(`http://127.0.0.1:${port}`, rawWithHeader(port, V2_LOCAL)), /^127\.0\.0\.1 [1-9]\d*$/);
  });

  Runtime('a header trickled byte by byte, and a header with the HTTP/2 preface in one write, both work', async () => {
    const trickled = rawWithHeader(port, new Uint8Array(0));
    await new Promise((r) => trickled.once('connect', r));
    for (const byte of V1) {
      trickled.write(Buffer.from([byte]));
      await new Promise((r) => setTimeout(r, 2));
    }
    assert.is(await h2Get(`http://127.0.0.1:${port}`, trickled), '203.0.113.9 50123');
    // node:http2 writes its preface right after the header, often in the same segment.
    const together = rawWithHeader(port, V2);
    assert.is(await h2Get(`http://127.0.0.1:${port}`, together), '2001:db8::7 4321');
  });

  Runtime('a missing, garbled or oversized header closes the connection before anything is sent', async () => {
    const refused: Array<[string, Buffer]> = [
      ['no header (the HTTP/2 preface first)', PREFACE],
      ['a v1 header with a bad address', latin1('PROXY TCP4 1.2.3.999 1.2.3.4 1 2\r\n')],
      ['a v1 line past 107 bytes', latin1(`PROXY TCP4 ${'1'.repeat(120)}`)],
      ['a v2 header claiming a 65535-byte block', Buffer.from([...SIG, 0x21, 0x11, 0xff, 0xff])],
      ['a v2 header with an unknown command', v2(0x2f, 0x11, [])],
    ];
    for (const [name, bytes] of refused) assert.is((await untilClosed(rawWithHeader(port, bytes))).length, 0, name);
    // A peer that ends its side mid-header is closed too.
    const half = rawWithHeader(port, latin1('PROXY TCP4 '));
    half.end();
    assert.is((await untilClosed(half)).length, 0, 'a half-close mid-header');
  });

  Runtime('a header that stalls is closed after proxyHeaderTimeout', async () => {
    // The server's proxyHeaderTimeout is 300 ms: without it the connection would stay open until the daemon dies.
    assert.is((await untilClosed(rawWithHeader(port, latin1('PROXY TCP4 203.0.113.9')))).length, 0);
    assert.is((await untilClosed(rawWithHeader(port, new Uint8Array(0)))).length, 0, 'a connection that sends nothing');
  });

  Runtime('the abuse guard keys on the header address: that client is refused, another behind the same proxy served', async () => {
    const bad = latin1('PROXY TCP4 198.51.100.66 127.0.0.1 1000 443\r\n');
    const peer = new TestPeer('client');
    // A PING on stream 1: the server ends the connection with GOAWAY PROTOCOL_ERROR (one abusive end).
    const provoke = (): Promise<Buffer> => {
      const socket = rawWithHeader(port, bad);
      socket.end(peer.concat(peer.greeting(), peer.raw(0x6, 0, 1, new Uint8Array(8))));
      return untilClosed(socket);
    };
    assert.ok((await provoke()).length > 0, 'the first abusive connection is answered (SETTINGS, GOAWAY)');
    // Noted once the server's session settles: retried until the refusal shows (nothing sent at all).
    let refused = false;
    for (let i = 0; i < 100 && !refused; i++) refused = (await provoke()).length === 0;
    assert.ok(refused, 'the header address is refused');
    assert.is(await h2Get(`http://127.0.0.1:${port}`, rawWithHeader(port, latin1('PROXY TCP4 198.51.100.77 127.0.0.1 1001 443\r\n'))), '198.51.100.77 1001');
    // The proxy's own address is never counted: a LOCAL health check still gets through.
    assert.match(await h2Get(`http://127.0.0.1:${port}`, rawWithHeader(port, V2_LOCAL)), /^127\.0\.0\.1 /);
  });

  Runtime('behind HAProxy (send-proxy-v2), curl from 127.0.0.2 is seen as 127.0.0.2 over HTTP/1.1 and h2', async () => {
    const { haproxy, origin } = await startHaproxy(dir.path, 'haproxy-pp.cfg', port, true);
    try {
      // HAProxy turns either into HTTP/2 to the backend, whose connection starts with the v2 header.
      for (const mode of ['--http1.1', '--http2-prior-knowledge']) {
        const r = await run('curl', ['-sS', mode, '--interface', '127.0.0.2', `${origin}/`]);
        assert.match(r.stdout.toString(), /^127\.0\.0\.2 [1-9]\d*$/, r.stderr);
      }
    } finally {
      await stopHaproxy(haproxy);
    }
  });

  Runtime.run();
}

// Bun's TLS listener cannot read a header before its handshake: asking for both is a TypeError, not a silent downgrade.
const Options = suite('PROXY protocol options on the runtimes\' own listeners');
Options('Bun.listen refuses proxyProtocol with TLS, and every listener refuses a bad proxyHeaderTimeout', async () => {
  const dir = tempDir('h2flow-proxy-options-');
  try {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const entry = join(dir.path, 'options.ts');
    writeFileSync(
      entry,
      `const runtime = process.argv[process.argv.length - 1];
const m = runtime === 'bun' ? await import(${JSON.stringify(`${process.cwd()}/src/transport/bun`)}) : await import(${JSON.stringify(`${process.cwd()}/src/transport/deno`)});
const errors = [];
const attempt = async (options) => { try { const s = await m.listen(options); await s.close(); errors.push('none'); } catch (e) { errors.push(e.name); } };
if (runtime === 'bun') await attempt({ proxyProtocol: true, tls: { cert: 'x', key: 'y' } });
for (const bad of [0, -1, Number.NaN]) await attempt({ proxyProtocol: true, proxyHeaderTimeout: bad, ...(runtime === 'deno' ? { transport: 'deno' } : {}) });
console.log('ERRORS ' + errors.join(' '));
`,
    );
    for (const runtime of ['deno', 'bun'] as const) {
      const script = await bundleFor(runtime, entry, dir.path);
      const r = await run(runtimeBinary(runtime), [...runArgs(runtime, script), runtime], { timeoutMs: 60_000 });
      const out = r.stdout.toString();
      assert.is(r.code, 0, out + r.stderr);
      assert.match(out, runtime === 'bun' ? /^ERRORS TypeError RangeError RangeError RangeError$/m : /^ERRORS RangeError RangeError RangeError$/m, out);
    }
  } finally {
    dir.cleanup();
  }
});
Options.run();
