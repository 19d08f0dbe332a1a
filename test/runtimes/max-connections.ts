/**
 * Run in Deno (transport 'deno': Deno.listen) or Bun (Bun.listen) by test/transport/runtime-listeners.test.ts:
 * a listener with `maxConnections: 1`. Prints `FIRST <n>` (bytes the first connection got: the server's
 * SETTINGS), `SECOND <n>` (the connection past the cap: closed, 0 bytes) and `THIRD <n>` (after the first
 * closed, a connection is served again; retried until the server has seen the close).
 */
import { connect, type Socket } from 'node:net';

const runtime = process.argv[process.argv.length - 1];
const { listen } = runtime === 'bun' ? await import('../../src/transport/bun') : await import('../../src/transport/deno');
const server = await listen({ maxConnections: 1, ...(runtime === 'deno' ? { transport: 'deno' as const } : {}) });
void (async () => {
  for await (const session of server) void session.closed.catch(() => undefined);
})();
const PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

/** Connects, sends the preface; resolves with the bytes received once some arrived or the socket closed. */
function probe(): Promise<{ socket: Socket; bytes: number }> {
  return new Promise((resolve) => {
    const socket = connect({ port: server.address.port, host: '127.0.0.1' });
    let bytes = 0;
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => {
      bytes += d.length;
      resolve({ socket, bytes });
    });
    socket.on('close', () => resolve({ socket, bytes }));
    socket.on('connect', () => socket.write(PREFACE));
  });
}

const first = await probe();
console.log(`FIRST ${first.bytes}`);
const second = await probe();
console.log(`SECOND ${second.bytes}`);
second.socket.destroy();
first.socket.destroy();
let third = { socket: null as Socket | null, bytes: 0 };
for (let attempt = 0; third.bytes === 0 && attempt < 100; attempt++) {
  third = await probe();
  if (third.bytes === 0) await new Promise((r) => setTimeout(r, 10));
}
console.log(`THIRD ${third.bytes}`);
third.socket?.destroy();
await server.close({ graceful: false });
process.exit(0);
