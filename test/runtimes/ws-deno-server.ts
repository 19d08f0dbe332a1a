/**
 * Run in Deno: `Deno.serve` upgrading each WebSocket request to a tunnel (ws-tunnel.ts), and serving an empty
 * page otherwise. Prints READY {"port"}, and `TUNNEL CLOSED ok|error` as each tunnel's session ends.
 */
import { serveWebSocket, type WebSocketLike } from '../../src/transport/websocket';
import { tunnelHandler } from './ws-tunnel';

interface DenoWs {
  serve(options: { port: number; hostname: string; onListen(a: { port: number }): void }, handler: (req: Request) => Response): unknown;
  upgradeWebSocket(req: Request): { socket: WebSocketLike; response: Response };
}
const D = (globalThis as unknown as { Deno: DenoWs }).Deno;
const handler = tunnelHandler('deno');
D.serve({ port: 0, hostname: '127.0.0.1', onListen: ({ port }) => console.log(`READY ${JSON.stringify({ port })}`) }, (req) => {
  // A page for browsers to run the client in: http://127.0.0.1 is a secure context (crypto.subtle).
  if (req.headers.get('upgrade')?.toLowerCase() !== 'websocket') return new Response('<!doctype html><title>h2flow tunnel</title>', { headers: { 'content-type': 'text/html' } });
  const { socket, response } = D.upgradeWebSocket(req);
  void serveWebSocket(socket, handler).then(
    () => console.log('TUNNEL CLOSED ok'),
    (e: unknown) => console.log(`TUNNEL CLOSED error ${String(e)}`),
  );
  return response;
});
