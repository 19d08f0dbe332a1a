// A server whose handlers never answer, for the memory tools (heap-breakdown, alloc-per-connection):
// `kind` 'session' (listen() + for await over each session's incoming), 'serve' (a serve() handler that
// holds its Request) or 'node' (node:http2, holding each stream). Every request is pushed to `held`.
// Resolves with the port (127.0.0.1). Needs dist/ (npm run build).
export async function startHeldServer(kind, held) {
  if (kind === 'session') {
    const { listen } = await import('../dist/node.mjs');
    const server = await listen({ port: 0, host: '127.0.0.1' });
    void (async () => {
      for await (const session of server) void (async () => { for await (const s of session.incoming) held.push(s); })().catch(() => undefined);
    })();
    return server.address.port;
  }
  if (kind === 'serve') {
    const { serve } = await import('../dist/node.mjs');
    const server = serve((request) => new Promise(() => held.push(request)), { port: 0, hostname: '127.0.0.1', onListen: () => undefined });
    return (await server.listening).port;
  }
  const http2 = await import('node:http2');
  const server = http2.createServer();
  server.on('stream', (s) => { s.on('error', () => undefined); held.push(s); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return server.address().port;
}
