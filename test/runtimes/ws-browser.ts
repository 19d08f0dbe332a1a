/** Bundled as an IIFE into a Chromium page: `h2flowTunnel(url, n, kind)` over WebSocket or WebSocketStream. */
import { webSocketStreamTransport, webSocketTransport, type WebSocketLike, type WebSocketStreamLike } from '../../src/transport/websocket';
import { tunnelClient } from './ws-tunnel';

(globalThis as unknown as Record<string, unknown>).h2flowTunnel = async (url: string, n: number, kind: 'WebSocket' | 'WebSocketStream') => {
  const g = globalThis as unknown as { WebSocket: new (u: string) => WebSocketLike; WebSocketStream?: new (u: string) => WebSocketStreamLike };
  if (kind === 'WebSocketStream') {
    if (g.WebSocketStream === undefined) return { unsupported: true };
    return tunnelClient(await webSocketStreamTransport(new g.WebSocketStream(url)), n);
  }
  return tunnelClient(webSocketTransport(new g.WebSocket(url)), n);
};
