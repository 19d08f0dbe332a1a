/**
 * The PROXY protocol (proxy-protocol.ts, proxy-header-reader.ts, listen.ts's `proxyProtocol`): the v1 and
 * v2 parser on valid, malformed, truncated, oversized and byte-by-byte input; and the Node listener taking
 * the header's client address as the connection's over h2c, HTTP/1.1 and TLS, closing connections with no,
 * a bad or a stalled header, and keying the abuse guard on it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { parseProxyHeader, ProxyHeaderError, PROXY_V1_MAX_LENGTH, PROXY_V2_MAX_BLOCK } from '../../src/transport/proxy-protocol';
import { ProxyPrefix, proxyHeaderTimeoutOf } from '../../src/transport/proxy-prefix';
import { AbuseGuard, listen, serve, type HttpServer } from '../../src/transport/node';
import { TestPeer } from '../support/peer';
import { h2Get, rawWithHeader, untilClosed } from '../support/proxied-client';
import { selfSignedCert, tempDir } from '../support/peers';

const Parser = suite('PROXY protocol parser');
const Listener = suite('PROXY protocol listener');

const latin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const SIG = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

/** A v2 header: `verCmd` (0x21 PROXY, 0x20 LOCAL), `famProto` (0x11 TCP4, 0x21 TCP6), then `block`. */
function v2(verCmd: number, famProto: number, block: readonly number[], lengthOverride?: number): Uint8Array {
  const length = lengthOverride ?? block.length;
  return new Uint8Array([...SIG, verCmd, famProto, length >> 8, length & 0xff, ...block]);
}
const ipv4Block = (src: readonly number[], sport: number): number[] => [...src, 10, 0, 0, 1, sport >> 8, sport & 0xff, 0x01, 0xbb];
function ipv6Block(src: readonly number[], sport: number): number[] {
  const dst = Array<number>(15).fill(0).concat([1]);
  return [...src, ...dst, sport >> 8, sport & 0xff, 0x01, 0xbb];
}
const V6_SRC = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07];

/** Parses and returns the error message, or fails if it parsed or wanted more. */
function refusal(bytes: Uint8Array): string {
  try {
    const r = parseProxyHeader(bytes);
    assert.unreachable(`accepted: ${JSON.stringify(r)}`);
  } catch (error) {
    if (!(error instanceof ProxyHeaderError)) throw error;
    return error.message;
  }
  return '';
}

Parser('v1: TCP4, TCP6 and UNKNOWN lines give their source address and exact length', () => {
  const table: Array<[string, string | null, number]> = [
    ['PROXY TCP4 192.0.2.7 10.0.0.1 56324 443\r\n', '192.0.2.7', 56324],
    ['PROXY TCP4 255.255.255.255 0.0.0.0 65535 0\r\n', '255.255.255.255', 65535],
    ['PROXY TCP6 2001:DB8::7 ::1 1 443\r\n', '2001:db8::7', 1],
    ['PROXY TCP6 2001:db8:0:0:1:0:0:1 ::1 2 443\r\n', '2001:db8::1:0:0:1', 2],
    ['PROXY TCP6 ::ffff:192.0.2.9 ::1 3 443\r\n', '::ffff:192.0.2.9', 3],
    ['PROXY UNKNOWN\r\n', null, 0],
    ['PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n', null, 0],
  ];
  for (const [line, host, port] of table) {
    const bytes = latin1(line + 'PRI * HTTP/2.0');
    const header = parseProxyHeader(bytes);
    assert.ok(header !== undefined, line);
    assert.is(header!.version, 1);
    assert.is(header!.length, line.length, line);
    if (host === null) assert.is(header!.source, null, line);
    else assert.equal(header!.source, { transport: 'tcp', hostname: host, port }, line);
  }
});

Parser('v1: every malformed field is refused', () => {
  const table: string[] = [
    'PROXY TCP5 192.0.2.7 10.0.0.1 1 2\r\n',
    'PROXY tcp4 192.0.2.7 10.0.0.1 1 2\r\n',
    'PROXY UDP4 192.0.2.7 10.0.0.1 1 2\r\n',
    'PROXY TCP4 192.0.2.256 10.0.0.1 1 2\r\n',
    'PROXY TCP4 192.0.2 10.0.0.1 1 2\r\n',
    'PROXY TCP4 192.0.2.07 10.0.0.1 1 2\r\n',
    'PROXY TCP4 2001:db8::1 10.0.0.1 1 2\r\n',
    'PROXY TCP4 192.0.2.7 10.0.0.1.5 1 2\r\n',
    'PROXY TCP6 192.0.2.7 ::1 1 2\r\n',
    'PROXY TCP6 2001:db8:::1 ::1 1 2\r\n',
    'PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n',
    'PROXY TCP6 1::2::3 ::1 1 2\r\n',
    'PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n',
    'PROXY TCP6 ::1 12345:: 1 2\r\n',
    'PROXY TCP4 192.0.2.7 10.0.0.1 65536 2\r\n',
    'PROXY TCP4 192.0.2.7 10.0.0.1 -1 2\r\n',
    'PROXY TCP4 192.0.2.7 10.0.0.1 080 2\r\n',
    'PROXY TCP4 192.0.2.7 10.0.0.1 1 x\r\n',
    'PROXY TCP4 192.0.2.7 10.0.0.1 1 99999\r\n',
    'PROXY TCP4 192.0.2.7 10.0.0.1 1\r\n',
    'PROXY TCP4 192.0.2.7 10.0.0.1 1 2 3\r\n',
    'PROXY TCP4  192.0.2.7 10.0.0.1 1 2\r\n',
    'PROXY TCP4 192.0.2.7 10.0.0.1 1 2 \r\n',
    'PROXY TCP4 192.0.2.7\t10.0.0.1 1 2\r\n',
    'PROXY TCP4 192.0.2.7 10.0.0.1 1 2\rX',
    'PROXY TCP4 192.0.2.7 10.0.0.1 1 2\n',
    'PROXY\r\n',
    'PROXY \r\n',
    'PROXYTCP4 192.0.2.7 10.0.0.1 1 2\r\n',
    'proxy TCP4 192.0.2.7 10.0.0.1 1 2\r\n',
    'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    'GET / HTTP/1.1\r\n\r\n',
    'PROXY TCP4 192.0.2.7 10.0.0.1 1 2\u00e9\r\n',
  ];
  for (const line of table) refusal(latin1(line));
});

Parser('v1: at most 107 bytes with CRLF; 108 or no CRLF within 107 is refused', () => {
  const pad = (n: number): string => 'PROXY UNKNOWN ' + 'x'.repeat(n - 'PROXY UNKNOWN '.length - 2) + '\r\n';
  assert.is(pad(PROXY_V1_MAX_LENGTH).length, 107);
  assert.is(parseProxyHeader(latin1(pad(107)))!.length, 107);
  assert.match(refusal(latin1(pad(108))), /107/);
  assert.match(refusal(latin1('PROXY UNKNOWN ' + 'x'.repeat(200))), /107/);
  // The longest real TCP6 line fits.
  const longest = 'PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n';
  assert.is(parseProxyHeader(latin1(longest))!.length, longest.length);
});

Parser('v2: PROXY over TCP4 and TCP6 (TLVs skipped), LOCAL and UNSPEC', () => {
  const four = parseProxyHeader(v2(0x21, 0x11, ipv4Block([198, 51, 100, 23], 40000)));
  assert.equal(four, { version: 2, length: 28, source: { transport: 'tcp', hostname: '198.51.100.23', port: 40000 } });
  const six = parseProxyHeader(v2(0x21, 0x21, ipv6Block(V6_SRC, 1234)));
  assert.equal(six, { version: 2, length: 52, source: { transport: 'tcp', hostname: '2001:db8::7', port: 1234 } });
  const mapped = parseProxyHeader(v2(0x21, 0x21, ipv6Block([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1], 5)));
  assert.is(mapped!.source!.hostname, '::ffff:192.0.2.1');
  // TLVs (here ALPN "h2" and a NOOP) after the addresses: skipped, counted in the length.
  const tlvs = [0x01, 0x00, 0x02, 0x68, 0x32, 0x04, 0x00, 0x03, 0, 0, 0];
  const withTlvs = parseProxyHeader(new Uint8Array([...v2(0x21, 0x11, [...ipv4Block([192, 0, 2, 1], 9), ...tlvs]), 0x50, 0x52]));
  assert.equal(withTlvs, { version: 2, length: 16 + 12 + tlvs.length, source: { transport: 'tcp', hostname: '192.0.2.1', port: 9 } });
  // LOCAL (a health check): the connection's own address, whatever the family says.
  assert.equal(parseProxyHeader(v2(0x20, 0x00, [])), { version: 2, length: 16, source: null });
  assert.equal(parseProxyHeader(v2(0x20, 0x11, ipv4Block([1, 2, 3, 4], 5))), { version: 2, length: 28, source: null });
  assert.equal(parseProxyHeader(v2(0x21, 0x00, [])), { version: 2, length: 16, source: null });
});

Parser('v2: every malformed field is refused', () => {
  const good = v2(0x21, 0x11, ipv4Block([192, 0, 2, 1], 9));
  for (let i = 0; i < 12; i++) {
    const bad = good.slice();
    bad[i] = bad[i]! ^ 0x20;
    refusal(bad);
  }
  refusal(v2(0x11, 0x11, ipv4Block([192, 0, 2, 1], 9))); // version 1 in a binary header
  refusal(v2(0x31, 0x11, ipv4Block([192, 0, 2, 1], 9))); // version 3
  refusal(v2(0x22, 0x11, ipv4Block([192, 0, 2, 1], 9))); // command 2
  refusal(v2(0x2f, 0x11, ipv4Block([192, 0, 2, 1], 9))); // command 15
  refusal(v2(0x21, 0x12, ipv4Block([192, 0, 2, 1], 9))); // UDP over IPv4
  refusal(v2(0x21, 0x22, ipv6Block(V6_SRC, 9))); // UDP over IPv6
  refusal(v2(0x21, 0x31, Array<number>(216).fill(0))); // AF_UNIX
  refusal(v2(0x21, 0x41, ipv4Block([192, 0, 2, 1], 9))); // family 4
  refusal(v2(0x21, 0x10, ipv4Block([192, 0, 2, 1], 9))); // IPv4, protocol UNSPEC
  refusal(v2(0x21, 0x11, ipv4Block([192, 0, 2, 1], 9).slice(0, 11))); // block shorter than IPv4 needs
  refusal(v2(0x21, 0x21, ipv4Block([192, 0, 2, 1], 9))); // IPv6 with an IPv4-sized block
});

Parser('v2: a length past the cap is refused from the 16 fixed bytes alone, never buffered', () => {
  assert.match(refusal(v2(0x21, 0x11, [], PROXY_V2_MAX_BLOCK + 1)), /at most/);
  assert.match(refusal(v2(0x21, 0x11, [], 0xffff)), /at most/);
  assert.match(refusal(v2(0x20, 0x00, [], 0xffff)), /at most/);
  // The cap itself is accepted (TLV space).
  const atCap = v2(0x21, 0x11, [...ipv4Block([192, 0, 2, 1], 9), ...Array<number>(PROXY_V2_MAX_BLOCK - 12).fill(0)]);
  assert.is(parseProxyHeader(atCap)!.length, 16 + PROXY_V2_MAX_BLOCK);
});

Parser('truncated headers want more at every byte, then parse once complete (byte by byte)', () => {
  const headers = [
    latin1('PROXY TCP4 192.0.2.7 10.0.0.1 56324 443\r\n'),
    latin1('PROXY TCP6 2001:db8::7 ::1 1 443\r\n'),
    latin1('PROXY UNKNOWN\r\n'),
    v2(0x21, 0x11, ipv4Block([198, 51, 100, 23], 40000)),
    v2(0x21, 0x21, ipv6Block(V6_SRC, 1234)),
    v2(0x20, 0x00, []),
  ];
  for (const header of headers) {
    for (let n = 0; n < header.length; n++) assert.is(parseProxyHeader(header.subarray(0, n)), undefined, `prefix of ${n}`);
    assert.is(parseProxyHeader(header)!.length, header.length);
  }
  // A wrong byte is refused as soon as it arrives, not after the bound.
  refusal(latin1('PRX'));
  refusal(new Uint8Array([0x0d, 0x0a, 0x0d, 0x0b]));
  refusal(latin1('G'));
});

Parser('ProxyPrefix (Deno\'s and Bun\'s listeners): any split of header and following bytes gives the same header and rest', () => {
  const after = latin1('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  for (const header of [latin1('PROXY TCP4 192.0.2.7 10.0.0.1 56324 443\r\n'), v2(0x21, 0x21, ipv6Block(V6_SRC, 1234)), v2(0x20, 0x00, [])]) {
    const whole = new Uint8Array([...header, ...after]);
    const expected = parseProxyHeader(whole)!;
    for (let cut = 1; cut < whole.length; cut++) {
      const prefix = new ProxyPrefix();
      const first = prefix.push(whole.subarray(0, cut));
      const result = first ?? prefix.push(whole.subarray(cut));
      assert.ok(result !== undefined && result !== null, `cut at ${cut}`);
      assert.equal(result.header, expected, `cut at ${cut}`);
      // Decided by the first chunk: the second goes to the next protocol as it is.
      const rest = first === undefined ? [...result.rest] : [...result.rest, ...whole.subarray(cut)];
      assert.equal(rest, [...whole.subarray(header.length)], `cut at ${cut}`);
    }
    // Byte by byte: undefined until the last header byte.
    const prefix = new ProxyPrefix();
    for (let i = 0; i < header.length - 1; i++) assert.is(prefix.push(header.subarray(i, i + 1)), undefined);
    assert.equal(prefix.push(header.subarray(header.length - 1))!.rest.length, 0);
  }
});

Parser('ProxyPrefix refuses bytes that cannot be a header, and never holds more than the bound plus one chunk', () => {
  assert.is(new ProxyPrefix().push(latin1('GET / HTTP/1.1\r\n')), null);
  assert.is(new ProxyPrefix().push(latin1('PRI * HTTP/2.0')), null);
  // A v1 line that never ends: refused once past 107 bytes, however it is split.
  const endless = new ProxyPrefix();
  let verdict: unknown;
  let fed = 0;
  for (; fed < 1000 && verdict === undefined; fed += 10) verdict = endless.push(latin1(fed === 0 ? 'PROXY TCP4' : '1111111111'));
  assert.is(verdict, null);
  assert.ok(fed <= PROXY_V1_MAX_LENGTH + 10, `refused only after ${fed} bytes`);
  // A v2 header claiming more than PROXY_V2_MAX_BLOCK: refused from its 16 fixed bytes.
  assert.is(new ProxyPrefix().push(v2(0x21, 0x11, [], PROXY_V2_MAX_BLOCK + 1)), null);
  for (const bad of [0, -1, Number.NaN, Infinity]) assert.throws(() => proxyHeaderTimeoutOf(bad), RangeError);
  assert.is(proxyHeaderTimeoutOf(undefined), 10_000);
});

// ---- the listener ----

const dir = tempDir('h2flow-proxy-');
const cert = selfSignedCert(dir.path);
const tlsOptions = { cert: cert.cert, key: cert.key };

/** Answers the client's address, with a content-length (HTTP/1.1 bodies read raw, not chunked). */
function echoAddr(_req: Request, info: { remoteAddr?: { hostname: string; port: number } | undefined }): Response {
  const text = `${info.remoteAddr?.hostname} ${info.remoteAddr?.port}`;
  return new Response(text, { headers: { 'content-length': String(text.length) } });
}

async function proxiedServer(extra: { tls?: typeof tlsOptions; abuse?: AbuseGuard } = {}): Promise<{ server: HttpServer; port: number }> {
  const server = serve(echoAddr, { port: 0, hostname: '127.0.0.1', proxyProtocol: true, onListen: () => undefined, ...extra });
  return { server, port: (await server.listening).port };
}



/** One HTTP/1.1 GET written raw over `socket`; the response body (the connection is closed after it). */
function h1Get(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    const got: Buffer[] = [];
    socket.on('data', (d: Buffer) => got.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(got).toString('latin1');
      const at = text.indexOf('\r\n\r\n');
      if (!text.startsWith('HTTP/1.1 200')) reject(new Error(`unexpected response: ${text}`));
      else resolve(text.slice(at + 4));
    });
    socket.write('GET / HTTP/1.1\r\nhost: example.test\r\nconnection: close\r\n\r\n');
  });
}


const V1 = latin1('PROXY TCP4 203.0.113.9 127.0.0.1 50123 443\r\n');
const V2 = v2(0x21, 0x21, ipv6Block(V6_SRC, 4321));

Listener('over h2c, a request after a v1 or a v2 header sees the header address as info.remoteAddr', async () => {
  const { server, port } = await proxiedServer();
  try {
    assert.is(await h2Get(`http://127.0.0.1:${port}`, rawWithHeader(port, V1)), '203.0.113.9 50123');
    assert.is(await h2Get(`http://127.0.0.1:${port}`, rawWithHeader(port, V2)), '2001:db8::7 4321');
  } finally {
    await server.shutdown();
  }
});

Listener('over HTTP/1.1 (cleartext), a request after a v1 or a v2 header sees the header address', async () => {
  const { server, port } = await proxiedServer();
  try {
    assert.is(await h1Get(rawWithHeader(port, V1)), '203.0.113.9 50123');
    assert.is(await h1Get(rawWithHeader(port, V2)), '2001:db8::7 4321');
  } finally {
    await server.shutdown();
  }
});

/** TLS over a raw socket that wrote `header` first, with ALPN `alpn`. */
function tlsWithHeader(port: number, header: Uint8Array, alpn: string): Socket {
  return tlsConnect({ socket: rawWithHeader(port, header), ALPNProtocols: [alpn], rejectUnauthorized: false, servername: 'localhost' });
}

Listener('over TLS, the header precedes the handshake: h2 and http/1.1 see the header address', async () => {
  const { server, port } = await proxiedServer({ tls: tlsOptions });
  try {
    assert.is(await h2Get(`https://127.0.0.1:${port}`, tlsWithHeader(port, V1, 'h2')), '203.0.113.9 50123');
    assert.is(await h2Get(`https://127.0.0.1:${port}`, tlsWithHeader(port, V2, 'h2')), '2001:db8::7 4321');
    assert.is(await h1Get(tlsWithHeader(port, V1, 'http/1.1')), '203.0.113.9 50123');
    assert.is(await h1Get(tlsWithHeader(port, V2, 'http/1.1')), '2001:db8::7 4321');
  } finally {
    await server.shutdown();
  }
});

Listener('header and request in one write, and a header trickled byte by byte, both reach the handler', async () => {
  const { server, port } = await proxiedServer();
  try {
    const together = netConnect({ port, host: '127.0.0.1' });
    together.write(Buffer.concat([V1, Buffer.from('GET / HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n')]));
    const body = await untilClosed(together);
    assert.ok(body.toString('latin1').endsWith('203.0.113.9 50123'), body.toString('latin1'));
    const trickled = netConnect({ port, host: '127.0.0.1' });
    await new Promise((r) => trickled.once('connect', r));
    for (const byte of V2) {
      trickled.write(new Uint8Array([byte]));
      await new Promise((r) => setImmediate(r));
    }
    assert.is(await h1Get(trickled), '2001:db8::7 4321');
  } finally {
    await server.shutdown();
  }
});

Listener('an h2c upgrade after a PROXY header answers stream 1 with the header address', async () => {
  const { server, port } = await proxiedServer();
  try {
    const peer = new TestPeer('client');
    const socket = rawWithHeader(port, V1);
    socket.write('GET / HTTP/1.1\r\nhost: a\r\nconnection: Upgrade, HTTP2-Settings\r\nupgrade: h2c\r\nhttp2-settings: \r\n\r\n');
    socket.write(peer.greeting());
    const seen = await new Promise<string>((resolve) => {
      let got = '';
      socket.on('data', (b: Buffer) => {
        got += b.toString('latin1');
        if (got.includes('203.0.113.9 50123')) resolve(got);
      });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(got));
    });
    socket.destroy();
    assert.match(seen, /^HTTP\/1\.1 101/);
    assert.ok(seen.includes('203.0.113.9 50123'), seen);
  } finally {
    await server.shutdown();
  }
});

Listener('v2 LOCAL and v1 UNKNOWN keep the connection\u2019s own address', async () => {
  const { server, port } = await proxiedServer();
  try {
    assert.match(await h1Get(rawWithHeader(port, v2(0x20, 0x00, []))), /^127\.0\.0\.1 \d+$/);
    assert.match(await h2Get(`http://127.0.0.1:${port}`, rawWithHeader(port, latin1('PROXY UNKNOWN\r\n'))), /^127\.0\.0\.1 \d+$/);
  } finally {
    await server.shutdown();
  }
});

Listener('listen() with proxyProtocol yields the header address as AcceptedSession.remoteAddr', async () => {
  const listener = await listen({ port: 0, proxyProtocol: true });
  const peer = new TestPeer('client');
  const socket = rawWithHeader(listener.address.port, V1);
  socket.on('error', () => undefined);
  socket.write(peer.greeting());
  const reader = listener.accepted.getReader();
  const { value } = await reader.read();
  assert.equal(value!.remoteAddr, { transport: 'tcp', hostname: '203.0.113.9', port: 50123 });
  reader.releaseLock();
  socket.destroy();
  await listener.close({ graceful: false });
});

Listener('a connection with no header, a bad header, or a stalled one is closed without an answer (cleartext and TLS)', async () => {
  for (const tls of [undefined, tlsOptions]) {
    const server = serve(echoAddr, { port: 0, hostname: '127.0.0.1', proxyProtocol: true, onListen: () => undefined, ...(tls !== undefined ? { tls } : {}) });
    const port = (await server.listening).port;
    try {
      const peer = new TestPeer('client');
      // No header: an HTTP/2 preface, an HTTP/1.1 request, a TLS ClientHello.
      assert.is((await untilClosed(rawWithHeader(port, peer.greeting()))).length, 0);
      assert.is((await untilClosed(rawWithHeader(port, latin1('GET / HTTP/1.1\r\nhost: a\r\n\r\n')))).length, 0);
      assert.is((await untilClosed(rawWithHeader(port, new Uint8Array([0x16, 0x03, 0x01, 0x00, 0x05, 1, 0, 0, 1, 0])))).length, 0);
      // A bad header, an oversized one, one ended by the peer halfway.
      assert.is((await untilClosed(rawWithHeader(port, latin1('PROXY TCP4 1.2.3.999 1.2.3.4 1 2\r\n')))).length, 0);
      assert.is((await untilClosed(rawWithHeader(port, v2(0x21, 0x11, [], 0xffff)))).length, 0);
      const half = rawWithHeader(port, latin1('PROXY TCP4 1.2.3.4'));
      half.end();
      assert.is((await untilClosed(half)).length, 0);
    } finally {
      await server.shutdown();
    }
  }
});

Listener('a header that stalls is closed by proxyHeaderTimeout', async () => {
  const listener = await listen({ port: 0, proxyProtocol: true, proxyHeaderTimeout: 100 });
  try {
    // Nothing at all, and half a header then silence: both closed by the server, never answered.
    const silent = netConnect({ port: listener.address.port, host: '127.0.0.1' });
    const halfway = rawWithHeader(listener.address.port, latin1('PROXY TCP4 1.2.3.4 '));
    assert.equal((await Promise.all([untilClosed(silent), untilClosed(halfway)])).map((b) => b.length), [0, 0]);
    assert.is(listener.connections, 0);
  } finally {
    await listener.close({ graceful: false });
  }
});

/** Writes a valid preface then a PING on stream 1 (a PROTOCOL_ERROR) after `header`; what came back once closed. */
function provoke(port: number, header: Uint8Array): Promise<Buffer> {
  const peer = new TestPeer('client');
  const socket = rawWithHeader(port, header);
  socket.end(peer.concat(peer.greeting(), peer.raw(0x6, 0, 1, new Uint8Array(8))));
  return untilClosed(socket);
}

Listener('the abuse guard keys on the header address: one client behind the proxy is refused, the other served', async () => {
  const guard = new AbuseGuard({ maxAbusiveConnections: 2, coolDownMs: 600_000, holdRefusedMs: 0 });
  const { server, port } = await proxiedServer({ abuse: guard });
  const bad = latin1('PROXY TCP4 198.51.100.66 127.0.0.1 1000 443\r\n');
  const good = latin1('PROXY TCP4 198.51.100.77 127.0.0.1 1001 443\r\n');
  try {
    for (let i = 0; i < 2; i++) assert.ok((await provoke(port, bad)).length > 0, 'answered with a GOAWAY');
    for (let i = 0; i < 1000 && !guard.isRefusing('198.51.100.66'); i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(guard.isRefusing('198.51.100.66'));
    assert.not.ok(guard.isRefusing('127.0.0.1'), 'the proxy itself is never counted');
    // The refused client: closed before anything is sent, over HTTP/2 and HTTP/1.1.
    assert.is((await provoke(port, bad)).length, 0);
    assert.is((await untilClosed(rawWithHeader(port, Buffer.concat([bad, Buffer.from('GET / HTTP/1.1\r\nhost: a\r\n\r\n')])))).length, 0);
    // Another client through the same proxy address is served.
    assert.is(await h2Get(`http://127.0.0.1:${port}`, rawWithHeader(port, good)), '198.51.100.77 1001');
    assert.is(await h1Get(rawWithHeader(port, good)), '198.51.100.77 1001');
  } finally {
    await server.shutdown();
  }
});

Listener('a refused client is held unread as without a proxy, and shutdown() closes it', async () => {
  const guard = new AbuseGuard({ maxAbusiveConnections: 1, holdRefusedMs: 600_000 });
  guard.noteAbuse('198.51.100.66');
  const { server, port } = await proxiedServer({ abuse: guard });
  const held = provoke(port, latin1('PROXY TCP4 198.51.100.66 127.0.0.1 1000 443\r\n'));
  for (let i = 0; i < 1000 && guard.refusedConnections === 0; i++) await new Promise((r) => setTimeout(r, 5));
  assert.is(guard.refusedConnections, 1);
  assert.is(await h1Get(rawWithHeader(port, V1)), '203.0.113.9 50123');
  await server.shutdown();
  assert.is((await held).length, 0);
});

Listener('without proxyProtocol a PROXY line is not interpreted: the socket address stays', async () => {
  const server = serve(echoAddr, { port: 0, hostname: '127.0.0.1', onListen: () => undefined });
  const port = (await server.listening).port;
  try {
    const reply = (await untilClosed(rawWithHeader(port, Buffer.concat([V1, Buffer.from('GET / HTTP/1.1\r\nhost: a\r\n\r\n')])))).toString('latin1');
    assert.not.match(reply, /203\.0\.113\.9/);
    assert.match(reply, /^HTTP\/1\.1 400/);
  } finally {
    await server.shutdown();
  }
});

Parser.run();
Listener.after(() => dir.cleanup());
Listener.run();
