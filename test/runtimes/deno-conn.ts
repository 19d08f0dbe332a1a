/**
 * Run inside Deno by test/transport/deno.test.ts: `denoConnToPair` over connections from Deno's own
 * listeners (`Deno.listen` h2c, `Deno.listenTls` with ALPN h2), each served with `serveSession`. Prints
 * `READY {"h2c":port,"tls":port}`, then one `CLOSED ok` or `CLOSED error <name>: <message>` line per
 * session as its `closed` settles (a TLS peer that hangs up without close_notify must still be `ok`).
 */
import { denoConnToPair, type DenoConn } from '../../src/transport/deno-conn';
import { H2Session } from '../../src/streams/session';
import { serveSession } from '../../src/fetch/fetch-server';

interface Listener extends AsyncIterable<DenoConn> {
  readonly addr: { port: number };
}
const D = (globalThis as unknown as { Deno: { listen(o: object): Listener; listenTls(o: object): Listener } }).Deno;
const { cert, key } = JSON.parse(process.argv[process.argv.length - 1]!) as { cert: string; key: string };
const h2c = D.listen({ port: 0, hostname: '127.0.0.1' });
const tls = D.listenTls({ port: 0, hostname: '127.0.0.1', cert, key, alpnProtocols: ['h2'] });

async function accept(listener: Listener): Promise<void> {
  for await (const conn of listener) {
    const session = new H2Session(denoConnToPair(conn), { role: 'server' });
    void serveSession(session, async (req) => new Response(req.method === 'POST' ? await req.arrayBuffer() : 'deno conn'));
    session.closed.then(
      () => console.log('CLOSED ok'),
      (e: unknown) => console.log(`CLOSED error ${(e as Error).name}: ${(e as Error).message} ${String((e as Error).cause ?? '')}`),
    );
  }
}
void accept(h2c);
void accept(tls);
console.log(`READY ${JSON.stringify({ h2c: h2c.addr.port, tls: tls.addr.port })}`);
