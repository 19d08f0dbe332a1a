/**
 * HTTP/2 over WebTransport, run inside Deno and Chromium by test/transport/webtransport.test.ts (Web APIs
 * only: bundled for the browser too).
 * - `wtHandler(runtime)`: `/info` (the peer's transport, the cookie sent), `/echo` (the request body back,
 *   streamed), `/big?n=` (n pattern bytes), `/trailers` (the body's sha256 and a request trailer back as
 *   response trailers).
 * - `wtClient(client, n)`: concurrent requests, a streamed ping-pong, trailers both ways, n bytes each way
 *   with sha256; resolves with what it saw, for the test to assert.
 * - `rawEcho(url, hash)`: the bug probe with no h2flow: one bidirectional stream, bytes out and back.
 */
import { withTrailers, type FetchHandler, type RequestTrailers } from '../../src/fetch/fetch-server';
import type { H2Client } from '../../src/fetch/fetch-client';
import { patternBytes } from '../support/pattern-bytes';

const hex = (b: ArrayBuffer): string => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
const sha256 = async (b: ArrayBuffer | Uint8Array): Promise<string> => hex(await crypto.subtle.digest('SHA-256', b as Uint8Array<ArrayBuffer>));

export const wtHandler = (runtime: string): FetchHandler => async (request, info) => {
  const url = new URL(request.url);
  switch (url.pathname) {
    case '/info':
      return Response.json({ runtime, path: url.pathname, transport: info.remoteAddr?.transport ?? null, cookie: request.headers.get('cookie') });
    case '/echo':
      return new Response(request.body);
    case '/big':
      return new Response(patternBytes(Number(url.searchParams.get('n'))));
    case '/trailers': {
      const body = await request.arrayBuffer();
      const trailers = await (request as Request & RequestTrailers).trailers;
      return withTrailers(new Response(String(body.byteLength)), { 'x-sha256': await sha256(body), 'x-echo': trailers?.get('x-client') ?? 'none' });
    }
    default:
      return new Response('not found', { status: 404 });
  }
};

/** A body of `n` bytes sent as a stream of 64 KiB chunks. */
function chunked(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let off = 0;
  return new ReadableStream({
    pull(c) {
      if (off >= bytes.byteLength) return c.close();
      c.enqueue(bytes.slice(off, off + 65536));
      off += 65536;
    },
  });
}

/** What {@link wtClient} saw. */
export interface WtResult {
  info: { runtime: string; path: string; transport: string | null; cookie: string | null };
  big: { status: number; bytes: number; sha256: string };
  echo: { status: number; bytes: number; sha256: string };
  pingPong: string[];
  trailers: { body: string; sha256: string | null; echo: string | null };
  expected: { n: number; sha256: string; trailerBodySha256: string };
}

export async function wtClient(client: H2Client, n: number): Promise<WtResult> {
  const digest = async (r: Response): Promise<{ status: number; bytes: number; sha256: string }> => {
    const body = await r.arrayBuffer();
    return { status: r.status, bytes: body.byteLength, sha256: await sha256(body) };
  };
  const payload = patternBytes(n);
  const trailerBody = patternBytes(100_000);
  // Concurrent: four streams at once on the one tunnel.
  const [info, big, echo, trailers] = await Promise.all([
    client.fetch('/info', { headers: { cookie: 'session=abc; theme=dark' } }).then((r) => r.json() as Promise<WtResult['info']>),
    client.fetch(`/big?n=${n}`).then(digest),
    client.fetch('/echo', { method: 'POST', body: chunked(payload), duplex: 'half' }).then(digest),
    client.fetch('/trailers', { method: 'POST', body: trailerBody, trailers: { 'x-client': 'from-client' } }).then(async (r) => {
      const body = await r.text();
      const t = await (r as Response & { trailers: Promise<Headers | null> }).trailers;
      return { body, sha256: t?.get('x-sha256') ?? null, echo: t?.get('x-echo') ?? null };
    }),
  ]);
  // Streamed both ways: each chunk is sent only after the echo of the one before came back, so this
  // finishes only if neither side waits for the whole body.
  let send!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (send = c) });
  const enc = new TextEncoder();
  send.enqueue(enc.encode('ping 0'));
  const res = await client.fetch('/echo', { method: 'POST', body, duplex: 'half' });
  const reader = res.body!.getReader();
  const pingPong: string[] = [];
  const dec = new TextDecoder();
  for (let i = 0; i < 5; i++) {
    let got = '';
    while (got.length < `ping ${i}`.length) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`echo ended after ${pingPong.length} round trips`);
      got += dec.decode(value);
    }
    pingPong.push(got);
    if (i < 4) send.enqueue(enc.encode(`ping ${i + 1}`));
    else send.close();
  }
  if (!(await reader.read()).done) throw new Error('echo sent more than it got');
  return { info, big, echo, pingPong, trailers, expected: { n, sha256: await sha256(payload), trailerBodySha256: await sha256(trailerBody) } };
}

interface RawWebTransport {
  ready: Promise<unknown>;
  closed: Promise<unknown>;
  createBidirectionalStream(): Promise<{ readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }>;
  close(info?: { closeCode?: number; reason?: string }): void;
}

/**
 * The minimal probe for a runtime or browser bug (no h2flow): one WebTransport session, one bidirectional
 * stream, `size` bytes written to the server's raw echo (path `/raw-echo`) and read back within `ms`.
 * Resolves with a description: `ok` or what went wrong.
 */
export async function rawEcho(url: string, hash: number[] | null, size: number, ms: number): Promise<string> {
  const WT = (globalThis as unknown as { WebTransport: new (u: string, o?: unknown) => RawWebTransport }).WebTransport;
  const wt = new WT(url, hash === null ? {} : { serverCertificateHashes: [{ algorithm: 'sha-256', value: new Uint8Array(hash) }] });
  wt.closed.catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let received = 0;
  const deadline = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`timeout: ${received} of ${size} bytes echoed back within ${ms} ms`), ms)));
  const exchange = (async () => {
    await wt.ready;
    const bidi = await wt.createBidirectionalStream();
    const writer = bidi.writable.getWriter();
    void writer.write(patternBytes(size)).catch(() => undefined);
    const reader = bidi.readable.getReader();
    while (received < size) {
      const { done, value } = await reader.read();
      if (done) return `ended after ${received} of ${size} bytes`;
      received += value.byteLength;
    }
    return 'ok';
  })().catch((e: unknown) => `failed after ${received} bytes: ${String(e)}`);
  try {
    return await Promise.race([exchange, deadline]);
  } finally {
    clearTimeout(timer);
    wt.close({ closeCode: 0, reason: '' });
  }
}
