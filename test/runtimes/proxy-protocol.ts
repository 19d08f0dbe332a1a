/**
 * Run in Deno (transport 'deno': Deno.listen, or 'node') or Bun (Bun.listen) by test/transport/runtime-proxy-protocol.test.ts:
 * `serve()` with `proxyProtocol`, a short `proxyHeaderTimeout` and an abuse guard refusing after one
 * abusive connection; the handler answers `info.remoteAddr` as "host port". Prints READY {"port"}.
 */
const runtime = process.argv[process.argv.length - 2];
/** Deno's transport: 'deno' (Deno.listen) or 'node' (its node:net, h2flow/node's listener). */
const transport = process.argv[process.argv.length - 1] as 'deno' | 'node';
const { serve } = runtime === 'bun' ? await import('../../src/transport/bun') : await import('../../src/transport/deno');
const server = serve(
  (_request: Request, info: { remoteAddr?: { hostname: string; port: number } | undefined }) => new Response(`${info.remoteAddr?.hostname} ${info.remoteAddr?.port}`),
  {
    port: 0,
    hostname: '127.0.0.1',
    proxyProtocol: true,
    proxyHeaderTimeout: 300,
    abuse: { maxAbusiveConnections: 1, coolDownMs: 600_000, holdRefusedMs: 0 },
    onListen: () => undefined,
    ...(runtime === 'deno' ? { transport } : {}),
  },
);
// Deno.listen and Bun.listen bind at once; node:net (Deno's default transport) once `listening` resolves.
console.log(`READY ${JSON.stringify({ port: (await server.listening).port })}`);

export {};
