/**
 * Run in Bun: `Bun.serve` upgrading each WebSocket request (`server.upgrade`) to a tunnel served by
 * `bunWebSocket` (h2flow/bun) with the ws-tunnel.ts handler. Prints READY {"port"}, and
 * `TUNNEL CLOSED ok|error` as each tunnel's session ends.
 */
import { bunWebSocket } from '../../src/transport/bun-websocket';
import { tunnelHandler } from './ws-tunnel';

interface BunServe {
  serve(options: {
    port: number;
    hostname: string;
    fetch(req: Request, server: { upgrade(req: Request): boolean }): Response | undefined;
    websocket: ReturnType<typeof bunWebSocket>;
  }): { port: number };
}
const B = (globalThis as unknown as { Bun: BunServe }).Bun;
const websocket = bunWebSocket(tunnelHandler('bun'), {
  onSession: (session) =>
    void session.closed.then(
      () => console.log('TUNNEL CLOSED ok'),
      (e: unknown) => console.log(`TUNNEL CLOSED error ${String(e)}`),
    ),
});
const server = B.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch: (req, s) => (s.upgrade(req) ? undefined : new Response('not a tunnel', { status: 400 })),
  websocket,
});
console.log(`READY ${JSON.stringify({ port: server.port })}`);
