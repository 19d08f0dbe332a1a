/**
 * HTTP/2 over WebSocket tunnels, run inside Deno, Bun and Chromium by test/transport/websocket.test.ts.
 * - `wsServer(upgrade)`: every WebSocket the runtime upgrades becomes a server `H2Session` answering
 *   `/info`, `/echo` (the request body back) and `/big?n=` (n pattern bytes).
 * - `wsClient(url, open)`: fetches over a tunnel `open` makes, and reports sha256 of each body.
 */
import { H2Session } from '../../src/streams/session';
import { H2Client } from '../../src/fetch/fetch-client';
import { serveSession, type FetchHandler } from '../../src/fetch/fetch-server';
import type { H2Transport } from '../../src/streams/types';
import { patternBytes } from '../support/pattern-bytes';

export const tunnelHandler = (runtime: string): FetchHandler => (request) => {
  const url = new URL(request.url);
  if (url.pathname === '/echo') return new Response(request.body);
  if (url.pathname === '/big') return new Response(patternBytes(Number(url.searchParams.get('n'))));
  return Response.json({ runtime, path: url.pathname });
};

/** Serves one tunnel; resolves when its session closed (never rejects: the outcome is returned). */
export async function serveTunnel(pair: H2Transport, handler: FetchHandler): Promise<string> {
  const session = new H2Session(pair, { role: 'server' });
  void serveSession(session, handler);
  return session.closed.then(
    () => 'ok',
    (e: unknown) => `error ${String(e)}`,
  );
}

const hex = (b: ArrayBuffer): string => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');

/** Over a tunnel: GET /info, GET /big (n bytes), POST /echo (n bytes); bodies as { bytes, sha256 }. */
export async function tunnelClient(pair: H2Transport, n: number): Promise<Record<string, unknown>> {
  const session = new H2Session(pair, { role: 'client', settings: { enablePush: false } });
  const client = new H2Client(Promise.resolve(session), { baseUrl: 'http://tunnel.test' });
  const digest = async (r: Response): Promise<{ status: number; bytes: number; sha256: string }> => {
    const body = await r.arrayBuffer();
    return { status: r.status, bytes: body.byteLength, sha256: hex(await crypto.subtle.digest('SHA-256', body)) };
  };
  const info = (await (await client.fetch('/info')).json()) as unknown;
  const big = await digest(await client.fetch(`/big?n=${n}`));
  const echo = await digest(await client.fetch('/echo', { method: 'POST', body: patternBytes(n) }));
  const expected = hex(await crypto.subtle.digest('SHA-256', patternBytes(n) as Uint8Array<ArrayBuffer>));
  await client.close();
  return { info, big, echo, expected };
}
