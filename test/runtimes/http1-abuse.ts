/**
 * Run in Deno (h2flow/deno's default transport, node:net) or Bun (h2flow/node's serve(), its node:net) by
 * test/transport/http1-abuse.test.ts: malformed HTTP/1.1 requests, each from its own address, must count in
 * the abuse guard as on Node (the runtime's node:http reports its parser errors its own way). Prints
 * `<case> <status line> <refused>` per case and `honest <status line> <refused>` for a well-formed request.
 */
import { connect } from 'node:net';

const runtime = process.argv[process.argv.length - 1];
const m = runtime === 'bun' ? await import('../../src/transport/node') : await import('../../src/transport/deno');
const guard = new m.AbuseGuard({ maxAbusiveConnections: 1, holdRefusedMs: 0, coolDownMs: 600_000 });
const server = m.serve(() => new Response('ok'), { port: 0, hostname: '127.0.0.1', abuse: guard, onListen: () => undefined });
const { port } = await server.listening;

/** Writes `bytes` from `localAddress`; the server's first line once the connection closed. */
const send = (bytes: string, localAddress: string): Promise<string> =>
  new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    let got = '';
    socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(got.split('\r\n')[0]!.replace(/ /g, '_')));
    socket.on('connect', () => socket.write(bytes));
  });

/** Whether the guard refuses `address`, polled a while (the end is noted when the server sees the close). */
async function refusedSoon(address: string): Promise<boolean> {
  for (let i = 0; i < 200 && !guard.isRefusing(address); i++) await new Promise((r) => setTimeout(r, 5));
  return guard.isRefusing(address);
}

const MALFORMED: Record<string, string> = {
  garbage: 'HELLO WORLD\r\n\r\n',
  smuggling: 'POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n',
  'two-hosts': 'GET / HTTP/1.1\r\nhost: a\r\nhost: b\r\n\r\n',
  'no-host': 'GET / HTTP/1.1\r\n\r\n',
  // Answered 431 and not counted (a browser with too many cookies sends it): the test expects false.
  oversized: `GET / HTTP/1.1\r\nhost: a\r\nx: ${'a'.repeat(20_000)}\r\n\r\n`,
};
let n = 10;
for (const [name, bytes] of Object.entries(MALFORMED)) {
  const address = `127.0.0.${n++}`;
  const status = await send(bytes, address);
  console.log(`${name} ${status} ${await refusedSoon(address)}`);
}
const status = await send('GET / HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n', '127.0.0.50');
// A malformed request from another address after it: once that one is noted, the honest one would have been too.
await send('HELLO WORLD\r\n\r\n', '127.0.0.51');
await refusedSoon('127.0.0.51');
console.log(`honest ${status} ${guard.isRefusing('127.0.0.50')}`);
await server.shutdown();
process.exit(0);
