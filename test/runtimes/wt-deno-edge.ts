/**
 * Run in Deno (`--unstable-net`): the WebTransport server's bounds and endings, server and clients in one
 * process; prints RESULT {...} with what each case observed (test/transport/webtransport.test.ts asserts it).
 * - `setup`: a QUIC connection that never sends its WebTransport CONNECT is closed at `setupTimeoutMs`.
 * - `tunnels`: with `maxTunnelsPerConnection: 2`, a third tunnel on one session is not accepted while two are open.
 * - `lost`: a client whose WebTransport session fails (close code 1) mid-request: the handler's request body
 *   errors, the server's session fails, and nothing hangs.
 * - `shutdown`: `server.shutdown()` with an idle client: the client's session sees GOAWAY and closes
 *   cleanly, and the server finishes.
 * - `session`: `serveWebTransportSession()` on a session Deno's own QUIC API accepted: two tunnels from one
 *   client session are served, and its promise settles once the client closed the session.
 * - `abuse`: with `abuse: { maxAbusiveConnections: 2 }`, tunnels that end in GOAWAY PROTOCOL_ERROR (a PING on
 *   stream 1) are served until the budget is spent, then the address's new connections are refused.
 */
import { connectWebTransport, listenWebTransport, serveWebTransport, serveWebTransportSession, webTransportTransport, type WebTransportLike } from '../../src/transport/webtransport';
import { H2Client } from '../../src/fetch/fetch-client';
import { H2Session } from '../../src/streams/session';

interface DenoEdge {
  args: string[];
  QuicEndpoint: new (o: { hostname: string; port: number }) => {
    addr: { port: number };
    listen(o: { alpnProtocols: string[]; cert: string; key: string }): { accept(): Promise<unknown> };
    close(): void;
  };
  upgradeWebTransport(conn: unknown): Promise<WebTransportLike>;
  connectQuic(o: { hostname: string; port: number; alpnProtocols: string[]; caCerts: string[]; serverName: string }): Promise<{ closed: Promise<unknown> }>;
}
const D = (globalThis as unknown as { Deno: DenoEdge }).Deno;
const { cert, key, hash } = JSON.parse(D.args[D.args.length - 1]!) as { cert: string; key: string; hash: number[] };
const hashes = [{ algorithm: 'sha-256', value: new Uint8Array(hash) }];
const WT = (globalThis as unknown as { WebTransport: new (u: string, o: unknown) => WebTransportLike }).WebTransport;

/** `promise`'s outcome as text, or `hung` past `ms`. */
async function outcome(promise: Promise<unknown>, ms = 15_000): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('hung'), ms)));
  const settled = promise.then(
    (v) => `ok${typeof v === 'string' ? ` ${v}` : ''}`,
    (e: unknown) => `rejected ${e instanceof Error ? e.name : String(e)}`,
  );
  try {
    return await Promise.race([settled, hung]);
  } finally {
    clearTimeout(timer);
  }
}

const result: Record<string, unknown> = {};

// setup: a bare QUIC connection with ALPN h3 and no CONNECT.
{
  const server = listenWebTransport({ tls: { cert, key }, setupTimeoutMs: 300 });
  const conn = await D.connectQuic({ hostname: '127.0.0.1', port: server.address.port, alpnProtocols: ['h3'], caCerts: [cert], serverName: 'localhost' }).catch(() => null);
  result.setup = conn === null ? 'refused' : await outcome(conn.closed.catch(() => 'closed'));
  await server.close();
}

// tunnels: two tunnels accepted, the third waits for a slot.
{
  const server = listenWebTransport({ tls: { cert, key }, maxTunnelsPerConnection: 2 });
  let accepted = 0;
  void (async () => {
    for await (const s of server) {
      accepted++;
      s.closed.catch(() => undefined);
    }
  })();
  const wt = new WT(`https://127.0.0.1:${server.address.port}/h2`, { serverCertificateHashes: hashes });
  wt.closed.catch(() => undefined);
  await wt.ready;
  const sessions: H2Session[] = [];
  for (let i = 0; i < 2; i++) sessions.push(new H2Session(webTransportTransport(await wt.createBidirectionalStream(), { webTransport: wt }), { role: 'client' }));
  await Promise.all(sessions.map((s) => s.ping()));
  const third = Promise.resolve().then(() => wt.createBidirectionalStream()).then(
    async (bidi) => {
      // Deno may hand out the stream and hold its bytes instead: the server must not see a third tunnel.
      const s = new H2Session(webTransportTransport(bidi, { webTransport: wt }), { role: 'client' });
      s.closed.catch(() => undefined);
      return outcome(s.ping(), 1000);
    },
    (e: unknown) => `refused ${e instanceof Error ? e.name : String(e)}`,
  );
  result.tunnels = { accepted, third: await outcome(third, 3000), acceptedAfter: accepted };
  wt.close({ closeCode: 0, reason: '' });
  await server.close({ graceful: false });
}

// lost: the client's session fails while its request body is still coming.
{
  let handlerSaw: Promise<string> = Promise.resolve('not called');
  let gotRequest!: () => void;
  const requested = new Promise<void>((resolve) => (gotRequest = resolve));
  const server = serveWebTransport({ port: 0, hostname: '127.0.0.1', cert, key, onListen: () => undefined }, (req) => {
    handlerSaw = outcome(req.arrayBuffer());
    gotRequest();
    return new Response('never read');
  });
  const wt = new WT(`https://127.0.0.1:${server.port}/h2`, { serverCertificateHashes: hashes });
  wt.closed.catch(() => undefined);
  const client = connectWebTransport(wt);
  const body = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new Uint8Array(1000)) });
  const fetching = client.fetch('/upload', { method: 'POST', body, duplex: 'half' });
  await requested;
  wt.close({ closeCode: 1, reason: 'gone' });
  result.lost = { clientFetch: await outcome(fetching.then((r) => r.text())), handlerBody: await handlerSaw, clientClosed: await outcome(client.closed) };
  result.lostShutdown = await outcome(server.shutdown());
}

// shutdown: the server closes gracefully under an idle client.
{
  const server = serveWebTransport({ port: 0, hostname: '127.0.0.1', cert, key, onListen: () => undefined }, () => new Response('hi'));
  const client = connectWebTransport(`https://127.0.0.1:${server.port}/h2`, { serverCertificateHashes: hashes });
  const first = await outcome(client.fetch('/').then((r) => r.text()));
  result.shutdown = { first, serverShutdown: await outcome(server.shutdown()), clientClosed: await outcome(client.closed), finished: await outcome(server.finished) };
}

// session: serveWebTransportSession on a session accepted with Deno's API directly.
{
  const endpoint = new D.QuicEndpoint({ hostname: '127.0.0.1', port: 0 });
  const listener = endpoint.listen({ alpnProtocols: ['h3'], cert, key });
  const served = (async () => {
    const wt = await D.upgradeWebTransport(await listener.accept());
    return serveWebTransportSession(wt, (req) => new Response(new URL(req.url).pathname), { remoteAddr: { transport: 'udp', hostname: 'client', port: 1 } });
  })();
  const wt = new WT(`https://127.0.0.1:${endpoint.addr.port}/h2`, { serverCertificateHashes: hashes });
  wt.closed.catch(() => undefined);
  await wt.ready;
  const clients = await Promise.all([1, 2].map(async () => new H2Client(new H2Session(webTransportTransport(await wt.createBidirectionalStream(), { webTransport: wt }), { role: 'client' }), { baseUrl: 'https://localhost/' })));
  const bodies = await Promise.all(clients.map((c, i) => c.fetch(`/tunnel${i}`).then((r) => r.text())));
  await Promise.all(clients.map((c) => c.close()));
  wt.close({ closeCode: 0, reason: '' });
  result.session = { bodies, served: await outcome(served) };
  endpoint.close();
}

// abuse: each connection's tunnel sends a preface, SETTINGS and a PING on stream 1 (PROTOCOL_ERROR).
{
  const server = listenWebTransport({ tls: { cert, key }, abuse: { maxAbusiveConnections: 2 } });
  void (async () => {
    for await (const s of server) s.closed.catch(() => undefined);
  })();
  const bad = new Uint8Array([
    ...new TextEncoder().encode('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
    ...[0, 0, 0, 4, 0, 0, 0, 0, 0],
    ...[0, 0, 8, 6, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
  ]);
  const attempts: string[] = [];
  for (let i = 0; i < 5; i++) {
    const wt = new WT(`https://127.0.0.1:${server.address.port}/h2`, { serverCertificateHashes: hashes });
    wt.closed.catch(() => undefined);
    if ((await outcome(wt.ready, 5000)) !== 'ok') {
      attempts.push('refused');
      continue;
    }
    const bidi = await wt.createBidirectionalStream();
    void bidi.writable.getWriter().write(bad).catch(() => undefined);
    const reader = bidi.readable.getReader();
    // The server answers GOAWAY and ends the tunnel; the read loop ends either way.
    await outcome((async () => {
      for (;;) if ((await reader.read()).done) return;
    })(), 5000);
    attempts.push('served');
    wt.close({ closeCode: 0, reason: '' });
    // The server counts the tunnel when its session has closed: give it that turn.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  result.abuse = attempts;
  await server.close({ graceful: false });
}

console.log(`RESULT ${JSON.stringify(result)}`);
