/**
 * h2flow/websocket: the tunnel's bounds and close semantics against a scripted WebSocket, then HTTP/2
 * through real tunnels: a Deno `Deno.upgradeWebSocket` server, with clients in Deno, Bun and headless
 * Chromium (WebSocket and WebSocketStream), 8 MiB each way with sha256.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chromium } from 'playwright-core';
import { createServer, type Server } from 'node:http';
import { WebSocket as NodeWebSocket, WebSocketServer } from 'ws';
import { serveWebSocket, webSocketTransport, WebSocketClosedError, type WebSocketLike } from '../../src/transport/websocket';
import { tunnelClient, tunnelHandler } from '../runtimes/ws-tunnel';
import { daemon, run, tempDir, type Daemon } from '../support/peers';
import { bundleFor, runArgs, runtimeBinary } from '../support/runtimes';

/** A WebSocket whose peer the test plays: `receive()` delivers a message, `sent` records sends. */
class ScriptedWebSocket extends EventTarget implements WebSocketLike {
  readyState = 1;
  bufferedAmount = 0;
  binaryType = 'blob';
  readonly sent: Uint8Array[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  send(data: Uint8Array<ArrayBuffer>): void {
    this.sent.push(data.slice());
    this.bufferedAmount += data.byteLength;
  }
  close(code?: number, reason?: string): void {
    this.closedWith ??= { ...(code !== undefined ? { code } : {}), ...(reason !== undefined ? { reason } : {}) };
    this.readyState = 2;
  }
  receive(data: ArrayBuffer | string): void {
    this.dispatchEvent(Object.assign(new Event('message'), { data }));
  }
  peerCloses(code: number, wasClean: boolean): void {
    this.readyState = 3;
    this.dispatchEvent(Object.assign(new Event('close'), { code, reason: '', wasClean }));
  }
  opens(): void {
    this.readyState = 1;
    this.dispatchEvent(new Event('open'));
  }
}

const Tunnel = suite('WebSocket tunnel transport');

Tunnel('a WebSocket cannot pause reads: past maxQueuedBytes unread, the tunnel closes (4009) and the readable errors', async () => {
  const ws = new ScriptedWebSocket();
  const pair = webSocketTransport(ws, { maxQueuedBytes: 1000 });
  assert.is(ws.binaryType, 'arraybuffer');
  ws.receive(new ArrayBuffer(600));
  ws.receive(new ArrayBuffer(400));
  assert.is(ws.closedWith, null, 'up to the bound is queued');
  ws.receive(new ArrayBuffer(1));
  assert.is(ws.closedWith?.code, 4009);
  const reader = pair.readable.getReader();
  const error = await reader.read().then(() => null, (e: unknown) => e);
  assert.instance(error, WebSocketClosedError);
  assert.is((error as WebSocketClosedError).code, 4009);
});

Tunnel('a write waits while bufferedAmount is above the mark and resolves once it falls', async () => {
  const ws = new ScriptedWebSocket();
  const writer = webSocketTransport(ws, { writableHighWaterMark: 100 }).writable.getWriter();
  await writer.write(new Uint8Array(100));
  let done = false;
  const second = writer.write(new Uint8Array(10)).then(() => (done = true));
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 5));
  assert.is(done, false, 'held while 110 bytes are buffered');
  assert.is(ws.sent.length, 2, 'the bytes were handed to the socket (it copies them)');
  ws.bufferedAmount = 0;
  await second;
  assert.ok(done);
});

Tunnel('writes made while connecting wait for open; a socket closing instead rejects them', async () => {
  const ws = new ScriptedWebSocket();
  ws.readyState = 0;
  const writer = webSocketTransport(ws).writable.getWriter();
  const first = writer.write(new Uint8Array([1, 2, 3]));
  await new Promise((r) => setTimeout(r, 1));
  assert.is(ws.sent.length, 0);
  ws.opens();
  await first;
  assert.equal([...ws.sent[0]!], [1, 2, 3]);

  const failing = new ScriptedWebSocket();
  failing.readyState = 0;
  const w2 = webSocketTransport(failing).writable.getWriter();
  const pending = w2.write(new Uint8Array(1)).then(() => null, (e: unknown) => e);
  failing.peerCloses(1006, false);
  assert.instance(await pending, WebSocketClosedError);
});

Tunnel('a clean close (1000) ends the readable; any other close errors it with its code; a text message closes with 4003', async () => {
  const clean = new ScriptedWebSocket();
  const r1 = webSocketTransport(clean).readable.getReader();
  clean.receive(new Uint8Array([7]).buffer);
  clean.peerCloses(1000, true);
  assert.equal((await r1.read()).value, new Uint8Array([7]));
  assert.ok((await r1.read()).done);

  const dropped = new ScriptedWebSocket();
  const r2 = webSocketTransport(dropped).readable.getReader();
  dropped.peerCloses(1006, false);
  const e2 = await r2.read().then(() => null, (e: unknown) => e);
  assert.is((e2 as WebSocketClosedError).code, 1006);

  const text = new ScriptedWebSocket();
  const r3 = webSocketTransport(text).readable.getReader();
  text.receive('not http/2');
  assert.is(text.closedWith?.code, 4003);
  assert.instance(await r3.read().then(() => null, (e: unknown) => e), WebSocketClosedError);
});

Tunnel('closing the writable closes the socket (1000), aborting it closes with 4000', async () => {
  const a = new ScriptedWebSocket();
  await webSocketTransport(a).writable.close();
  assert.is(a.closedWith?.code, 1000);
  const b = new ScriptedWebSocket();
  await webSocketTransport(b).writable.abort(new Error('x'));
  assert.is(b.closedWith?.code, 4000);
});

Tunnel('aborting closes the socket at once (4000), even while a write waits for a peer that stopped reading; that write rejects', async () => {
  // The session's write timeout aborts a tunnel whose peer stopped reading; Web Streams call abort() only
  // once the write in flight settles, and that write polls bufferedAmount for as long as the socket is open.
  const ws = new ScriptedWebSocket();
  const writer = webSocketTransport(ws, { writableHighWaterMark: 100 }).writable.getWriter();
  const held = writer.write(new Uint8Array(200)).then(() => null, (e: unknown) => e);
  await new Promise((r) => setTimeout(r, 5));
  const aborting = writer.abort(new Error('peer stopped reading'));
  for (let i = 0; i < 20 && ws.closedWith === null; i++) await new Promise((r) => setTimeout(r, 5));
  const closedWith = ws.closedWith;
  if (closedWith === null) ws.bufferedAmount = 0; // not closed: let the write still polling end
  assert.is(closedWith?.code, 4000, 'the socket was closed while the write was held');
  assert.instance(await held, WebSocketClosedError);
  await aborting;
});

const N = 8 * 1024 * 1024;
const dir = tempDir('h2flow-ws-');
let server: Daemon;
let wsUrl = '';
const Real = suite('HTTP/2 over real WebSocket tunnels');
/** Starts a tunnel server script in `runtime`; the daemon and its ws:// URL once it printed READY. */
async function tunnelServer(runtime: 'deno' | 'bun', entry: string, scriptDir: string): Promise<{ daemon: Daemon; url: string }> {
  const script = await bundleFor(runtime, entry, scriptDir);
  const d = daemon(runtimeBinary(runtime), runArgs(runtime, script), 240_000);
  const [, ready] = await d.waitFor(/READY (\{.*\})/, 30_000);
  return { daemon: d, url: `ws://127.0.0.1:${(JSON.parse(ready!) as { port: number }).port}/` };
}
Real.before(async () => {
  ({ daemon: server, url: wsUrl } = await tunnelServer('deno', 'test/runtimes/ws-deno-server.ts', dir.path));
});
Real.after(async () => {
  await server.stop();
  dir.cleanup();
});

interface TunnelResult {
  info: { runtime: string; path: string };
  big: { status: number; bytes: number; sha256: string };
  echo: { status: number; bytes: number; sha256: string };
  expected: string;
  smalls: number[];
  cookie: { seen: string | null; set: string[] };
  trailers: { bytes: number; trailers: Record<string, string> | null };
}
function check(result: TunnelResult, who: string, server = 'deno'): void {
  assert.equal(result.info, { runtime: server, path: '/info' }, who);
  assert.equal(result.big, { status: 200, bytes: N, sha256: result.expected }, who);
  assert.equal(result.echo, { status: 200, bytes: N, sha256: result.expected }, who);
  assert.equal(result.smalls, [1000, 2000, 3000, 4000], who);
  // A browser's own fetch would drop the cookie and hide set-cookie: h2flow's client does neither.
  assert.equal(result.cookie, { seen: 'session=abc', set: ['a=1; Path=/', 'b=2; Path=/'] }, who);
  assert.equal(result.trailers, { bytes: 100_000, trailers: { 'x-bytes': '100000', 'x-echo': 'yes' } }, who);
}

for (const runtime of ['deno', 'bun'] as const) {
  Real(`a ${runtime} client (new WebSocket) fetches through a Deno.upgradeWebSocket tunnel, 8 MiB each way`, async () => {
    check(await runtimeClient(runtime, wsUrl, dir.path), runtime);
  });
}

Real('headless Chromium fetches through the tunnel over WebSocket and over WebSocketStream, 8 MiB each way', async () => {
  const { build } = await import('esbuild');
  const bundle = await build({ entryPoints: ['test/runtimes/ws-browser.ts'], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'warning' });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(wsUrl.replace('ws:', 'http:'));
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    for (const kind of ['WebSocket', 'WebSocketStream'] as const) {
      const result = (await page.evaluate(
        ([url, n, k]) => (globalThis as unknown as { h2flowTunnel(u: string, n: number, k: string): Promise<unknown> }).h2flowTunnel(url, n, k),
        [wsUrl, N, kind] as const,
      )) as TunnelResult;
      check(result, `chromium ${kind}`);
    }
  } finally {
    await browser.close();
  }
  // Every tunnel so far (deno, bun, two from Chromium) ended with its session closed cleanly.
  await server.waitFor(/(?:TUNNEL CLOSED[^\n]*\n[^]*){4}/);
  assert.not.match(server.output(), /TUNNEL CLOSED error/, server.output());
});

/** Runs ws-client.ts in `runtime` against `url`; its parsed RESULT. */
async function runtimeClient(runtime: 'deno' | 'bun', url: string, scriptDir: string): Promise<TunnelResult> {
  const script = await bundleFor(runtime, 'test/runtimes/ws-client.ts', scriptDir);
  const r = await run(runtimeBinary(runtime), [...runArgs(runtime, script), JSON.stringify({ url, n: N })], { timeoutMs: 120_000 });
  const line = /RESULT (.*)/.exec(r.stdout.toString())?.[1];
  assert.ok(line !== undefined, `${r.stdout.toString()}\n${r.stderr}`);
  return JSON.parse(line!) as TunnelResult;
}

const BunServer = suite('HTTP/2 over WebSocket tunnels into Bun.serve (bunWebSocket)');
const bunDir = tempDir('h2flow-ws-bun-');
let bunServer: Daemon;
let bunUrl = '';
BunServer.before(async () => {
  ({ daemon: bunServer, url: bunUrl } = await tunnelServer('bun', 'test/runtimes/ws-bun-server.ts', bunDir.path));
});
BunServer.after(async () => {
  await bunServer.stop();
  bunDir.cleanup();
});

BunServer('Deno and Bun clients fetch through a Bun.serve server.upgrade tunnel, 8 MiB each way, and every tunnel closes cleanly', async () => {
  for (const runtime of ['deno', 'bun'] as const) check(await runtimeClient(runtime, bunUrl, bunDir.path), `${runtime} → bun`, 'bun');
  await bunServer.waitFor(/(?:TUNNEL CLOSED[^\n]*\n[^]*){2}/);
  assert.not.match(bunServer.output(), /TUNNEL CLOSED error/, bunServer.output());
});

const NodeServer = suite('HTTP/2 over WebSocket tunnels into a Node server (the ws package, serveWebSocket)');
const nodeDir = tempDir('h2flow-ws-node-');
let http: Server;
let wss: WebSocketServer;
let nodeUrl = '';
const outcomes: Promise<string>[] = [];
NodeServer.before(async () => {
  http = createServer();
  wss = new WebSocketServer({ server: http });
  wss.on('connection', (ws) => {
    outcomes.push(
      serveWebSocket(ws, tunnelHandler('node')).then(
        () => 'ok',
        (e: unknown) => `error ${String(e)}`,
      ),
    );
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  nodeUrl = `ws://127.0.0.1:${(http.address() as { port: number }).port}/`;
});
NodeServer.after(async () => {
  wss.close();
  await new Promise((resolve) => http.close(resolve));
  nodeDir.cleanup();
});

NodeServer('a Node client (ws) and a Deno client fetch through a ws-package tunnel server, 8 MiB each way, and every tunnel closes cleanly', async () => {
  const client = new NodeWebSocket(nodeUrl);
  check((await tunnelClient(webSocketTransport(client), N)) as unknown as TunnelResult, 'node → node', 'node');
  check(await runtimeClient('deno', nodeUrl, nodeDir.path), 'deno → node', 'node');
  assert.equal(await Promise.all(outcomes), ['ok', 'ok']);
});

Tunnel.run();
Real.run();
BunServer.run();
NodeServer.run();
