/**
 * What the runtime tests run inside Deno and Bun (bundled by test/support/runtimes.ts with the runtime's
 * transport): one program, runtime-neutral, driven by a JSON argument.
 * - `{ mode: 'server', cert, key }`: serves h2c and TLS with `serve()` (each in another argument form) on the
 *   runtime's default transport, and h2c on its other one (`alt`: Deno.listen in Deno, h2flow/node in Bun), prints `READY {"h2c":port,"tls":port,
 *   "alt":port,...}`, and exits on its own after a `GET /quit` shut all three down.
 * - `{ mode: 'client', targets: [{ url, ca?, get?: [path, bytes], echo?: bytes }] }`: fetches with
 *   `connect()`, prints `RESULT` with each body's sha256.
 * - `{ mode: 'client-errors', targets: [{ url, ca? }] }`: one fetch each, prints `RESULT` with `ok` or the
 *   rejection's message for each (within a deadline: a fetch that hangs is reported as such).
 */
import { patternBytes } from '../support/peers';
import type { HttpServer, ServeArgs } from '../../src/transport/serve-args';
import type { FetchHandler } from '../../src/fetch/fetch-server';
import type { H2Client } from '../../src/fetch/fetch-client';
import { LightResponse } from '../../src/fetch/light-response';

export interface RuntimeTransport {
  serve(...args: ServeArgs): HttpServer;
  connect(url: string, options?: { tls?: { caCerts?: string[] } }): H2Client;
}

type Config =
  | { mode: 'server'; cert: string; key: string }
  | { mode: 'client'; targets: { url: string; ca?: string; get?: [string, number]; echo?: number }[] }
  | { mode: 'client-errors'; targets: { url: string; ca?: string }[] };

const hex = (b: ArrayBuffer): string => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
const sha256 = async (b: ArrayBuffer | Uint8Array): Promise<string> => hex(await crypto.subtle.digest('SHA-256', b as ArrayBuffer));

/** The runtime's other h2c server: Deno's `serve({ transport: 'deno' })`, h2flow/node's `serve()` in Bun. */
export interface FixtureAlternative {
  serve(options: { port: number; hostname: string; onListen: () => void; abuse: { holdRefusedMs: number } }, handler: FetchHandler): HttpServer;
  /** Whether the default server binds synchronously (`server.port` readable as `serve()` returns). */
  readonly defaultBindsAtOnce: boolean;
}

export async function runFixture(runtime: string, transport: RuntimeTransport, alternative: FixtureAlternative): Promise<void> {
  const config = JSON.parse(process.argv[process.argv.length - 1] ?? '{}') as Config;
  if (config.mode === 'server') {
    const servers: HttpServer[] = [];
    const handler: FetchHandler = (request) => {
      const url = new URL(request.url);
      switch (url.pathname) {
        case '/echo':
          return new Response(request.body);
        case '/big':
          return new Response(patternBytes(Number(url.searchParams.get('n'))));
        case '/light':
          return new LightResponse(`light ${runtime}`, { status: 201, headers: { 'x-light': '1' } });
        case '/info':
          return Response.json({ runtime, method: request.method, scheme: url.protocol });
        case '/quit':
          setTimeout(() => void Promise.all(servers.map((s) => s.shutdown())), 0);
          return new Response('bye');
        default:
          return new Response('not found', { status: 404 });
      }
    };
    const onListen = (): void => undefined;
    // The guard on by default, its refused connections held 200 ms (not 10 s) so the suite waits little.
    const abuse = { holdRefusedMs: 200 };
    // h2c in Deno's (options, handler) form; TLS in Bun's { fetch } form with Deno's top-level cert/key.
    servers.push(transport.serve({ port: 0, hostname: '127.0.0.1', onListen, abuse }, handler));
    servers.push(transport.serve({ port: 0, hostname: '127.0.0.1', onListen, cert: config.cert, key: config.key, fetch: handler }));
    servers.push(alternative.serve({ port: 0, hostname: '127.0.0.1', onListen, abuse }, handler));
    // The transport that binds synchronously has its port on return; the other one throws until listening.
    const atOnce = alternative.defaultBindsAtOnce ? servers[0]! : servers[2]!;
    const later = alternative.defaultBindsAtOnce ? servers[2]! : servers[0]!;
    const portOnReturn = atOnce.port;
    let laterOnReturn = 'readable';
    try {
      void later.port;
    } catch (error) {
      laterOnReturn = (error as Error).message;
    }
    const [h2c, tls, alt] = await Promise.all(servers.map((s) => s.listening));
    const bound = { portOnReturn: portOnReturn === atOnce.port, laterOnReturn };
    console.log(`READY ${JSON.stringify({ h2c: h2c!.port, tls: tls!.port, alt: alt!.port, addr: servers[0]!.addr, url: String(servers[1]!.url), bound })}`);
    await Promise.all(servers.map((s) => s.finished));
    console.log('FINISHED');
    return;
  }
  if (config.mode === 'client-errors') {
    const outcomes: string[] = [];
    for (const t of config.targets) {
      const client = transport.connect(t.url, t.ca !== undefined ? { tls: { caCerts: [t.ca] } } : {});
      let timer: ReturnType<typeof setTimeout> | undefined;
      const hang = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('hung'), 20_000)));
      const outcome = client.fetch('/').then(
        (r) => `ok ${r.status}`,
        (e: unknown) => `rejected ${e instanceof Error ? `${e.name}: ${e.message} ${String((e as Error & { code?: unknown }).code ?? '')}` : String(e)}`,
      );
      outcomes.push(await Promise.race([outcome, hang]));
      clearTimeout(timer);
      await client.close().catch(() => undefined);
    }
    console.log(`RESULT ${JSON.stringify(outcomes)}`);
    return;
  }
  const results: Record<string, unknown>[] = [];
  for (const t of config.targets) {
    const client = transport.connect(t.url, t.ca !== undefined ? { tls: { caCerts: [t.ca] } } : {});
    const result: Record<string, unknown> = { url: t.url };
    if (t.get !== undefined) {
      const res = await client.fetch(t.get[0]);
      const body = await res.arrayBuffer();
      result.get = { status: res.status, bytes: body.byteLength, sha256: await sha256(body) };
    }
    if (t.echo !== undefined) {
      const data = patternBytes(t.echo);
      const res = await client.fetch('/echo', { method: 'POST', body: data });
      const body = await res.arrayBuffer();
      result.echo = { status: res.status, bytes: body.byteLength, sha256: await sha256(body) };
    }
    await client.close();
    results.push(result);
  }
  console.log(`RESULT ${JSON.stringify(results)}`);
}
