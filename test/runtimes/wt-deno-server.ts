/**
 * Run in Deno (`--unstable-net`): `serveWebTransport()` answering wt-tunnel.ts's handler over HTTP/2 tunnels
 * on one QUIC port; a raw WebTransport echo (no h2flow: every bidirectional stream's bytes sent back) on
 * another, for the bug probe; and `Deno.serve` on TCP for a page to run browser clients in (http://127.0.0.1
 * is a secure context) whose `GET /quit` shuts everything down. Prints READY {"wt","raw","page"}, and
 * FINISHED once the WebTransport server finished; then exits on its own.
 */
import { serveWebTransport } from '../../src/transport/webtransport';
import { wtHandler } from './wt-tunnel';

interface RawBidi {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
}
interface DenoQuic {
  args: string[];
  QuicEndpoint: new (o: { hostname: string; port: number }) => {
    addr: { port: number };
    listen(o: { alpnProtocols: string[]; cert: string; key: string }): AsyncIterable<{ accept(): Promise<unknown> }>;
    close(): void;
  };
  upgradeWebTransport(conn: unknown): Promise<{ incomingBidirectionalStreams: ReadableStream<RawBidi>; closed: Promise<unknown> }>;
  serve(o: { port: number; hostname: string; onListen(a: { port: number }): void; signal: AbortSignal }, h: (req: Request) => Response): { finished: Promise<void> };
}
const D = (globalThis as unknown as { Deno: DenoQuic }).Deno;
const { cert, key } = JSON.parse(D.args[D.args.length - 1]!) as { cert: string; key: string };

const server = serveWebTransport({ port: 0, hostname: '127.0.0.1', cert, key, onListen: () => undefined }, wtHandler('deno'));

// The raw echo: no h2flow at all.
const raw = new D.QuicEndpoint({ hostname: '127.0.0.1', port: 0 });
void (async () => {
  try {
    for await (const incoming of raw.listen({ alpnProtocols: ['h3'], cert, key })) {
      void (async () => {
        const wt = await D.upgradeWebTransport(await incoming.accept());
        wt.closed.catch(() => undefined);
        for await (const bidi of wt.incomingBidirectionalStreams) {
          void (async () => {
            const w = bidi.writable.getWriter();
            for await (const chunk of bidi.readable) await w.write(chunk);
          })().catch(() => undefined);
        }
      })().catch(() => undefined);
    }
  } catch {
    // Closed.
  }
})();

const quit = new AbortController();
let pagePort!: (port: number) => void;
const pageListening = new Promise<number>((resolve) => (pagePort = resolve));
const page = D.serve({ port: 0, hostname: '127.0.0.1', signal: quit.signal, onListen: ({ port }) => pagePort(port) }, (req) => {
  if (new URL(req.url).pathname === '/quit') {
    setTimeout(() => {
      raw.close();
      quit.abort();
      void server.shutdown();
    }, 0);
    return new Response('bye');
  }
  return new Response('<!doctype html><title>h2flow over WebTransport</title>', { headers: { 'content-type': 'text/html' } });
});
console.log(`READY ${JSON.stringify({ wt: server.port, raw: raw.addr.port, page: await pageListening })}`);
await Promise.all([server.finished, page.finished]);
console.log('FINISHED');
