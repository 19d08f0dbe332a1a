/**
 * HTTP/2 over WebSocket tunnels, run inside Deno, Bun and Chromium by test/transport/websocket.test.ts.
 * - `tunnelHandler(runtime)`: the fetch handler every tunnel server (Deno, Bun, Node) serves, answering
 *   `/info`, `/echo` (the request body back), `/big?n=` (n pattern bytes), `/cookie` (the request's
 *   cookie back, two `set-cookie`) and `/trailers` (the body back, then trailers).
 * - `tunnelClient(pair, n)`: fetches over a tunnel, concurrently, and reports sha256 of each body.
 */
import { H2Session } from '../../src/streams/session';
import { H2Client } from '../../src/fetch/fetch-client';
import { withTrailers, type FetchHandler } from '../../src/fetch/fetch-server';
import type { TrailersExtension } from '../../src/fetch/send-response';
import type { H2Transport } from '../../src/streams/types';
import { patternBytes } from '../support/pattern-bytes';

export const tunnelHandler = (runtime: string): FetchHandler => (request) => {
  const url = new URL(request.url);
  if (url.pathname === '/echo') return new Response(request.body);
  if (url.pathname === '/big') return new Response(patternBytes(Number(url.searchParams.get('n'))));
  if (url.pathname === '/cookie') {
    const headers = new Headers([['set-cookie', 'a=1; Path=/'], ['set-cookie', 'b=2; Path=/']]);
    return Response.json({ cookie: request.headers.get('cookie') }, { headers });
  }
  if (url.pathname === '/trailers') {
    // The request body streamed back, then trailers naming the request's own trailer and the byte count.
    const requestTrailers = (request as Request & { trailers: Promise<Headers | null> }).trailers;
    let bytes = 0;
    const counted = request.body!.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ transform: (c, out) => void ((bytes += c.byteLength), out.enqueue(c)) }));
    let done!: () => void;
    const ended = new Promise<void>((resolve) => (done = resolve));
    const body = counted.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ flush: () => done() }));
    return withTrailers(new Response(body), ended.then(async () => ({ 'x-bytes': String(bytes), 'x-echo': (await requestTrailers)?.get('x-sent') ?? 'none' })));
  }
  return Response.json({ runtime, path: url.pathname });
};

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
  // Concurrent on the one connection: a download, an upload echoed back while it streams, four small
  // downloads, a cookie round trip, and a streamed upload with trailers both ways.
  const [big, echo, smalls, cookie, trailers] = await Promise.all([
    client.fetch(`/big?n=${n}`).then(digest),
    client.fetch('/echo', { method: 'POST', body: chunked(patternBytes(n), 64 * 1024), duplex: 'half' } as RequestInit).then(digest),
    Promise.all([1, 2, 3, 4].map((i) => client.fetch(`/big?n=${i * 1000}`).then(digest))).then((rs) => rs.map((r) => r.bytes)),
    client.fetch('/cookie', { headers: { cookie: 'session=abc' } }).then(async (r) => ({ seen: ((await r.json()) as { cookie: string | null }).cookie, set: r.headers.getSetCookie() })),
    client
      .fetch('/trailers', { method: 'POST', body: chunked(patternBytes(100_000), 10_000), duplex: 'half', trailers: { 'x-sent': 'yes' } } as RequestInit)
      .then(async (r) => {
        const bytes = (await r.arrayBuffer()).byteLength;
        const t = await (r as Response & TrailersExtension as unknown as { trailers: Promise<Headers | null> }).trailers;
        return { bytes, trailers: t === null ? null : Object.fromEntries(t) };
      }),
  ]);
  const expected = hex(await crypto.subtle.digest('SHA-256', patternBytes(n) as Uint8Array<ArrayBuffer>));
  await client.close();
  return { info, big, echo, expected, smalls, cookie, trailers };
}

/** `bytes` as a stream of `size`-byte chunks, each a separate read (a streamed request body). */
function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(at, (at += size)));
    },
  });
}
