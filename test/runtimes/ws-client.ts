/** Run in Deno and Bun: a client over `new WebSocket(url)` (ws-tunnel.ts); prints RESULT {...}. */
import { webSocketTransport, type WebSocketLike } from '../../src/transport/websocket';
import { tunnelClient } from './ws-tunnel';

const { url, n } = JSON.parse(process.argv[process.argv.length - 1]!) as { url: string; n: number };
const ws = new (globalThis as unknown as { WebSocket: new (url: string) => WebSocketLike }).WebSocket(url);
console.log(`RESULT ${JSON.stringify(await tunnelClient(webSocketTransport(ws), n))}`);
