// A server whose handlers never answer, for the memory tools (heap-breakdown, alloc-per-connection):
// `kind` 'session' (listen() + `for await (const stream of session)`), 'session-incoming' (the same loop
// over `session.incoming`, a ReadableStream per connection), 'serve' (a serve() handler that holds its
// Request) or 'node' (node:http2, holding each stream). Every request is pushed to `held`.
// Resolves with the port (127.0.0.1). Needs dist/ (npm run build).
export async function startHeldServer(kind, held) {
  if (kind === 'session' || kind === 'session-incoming') {
    const { listen } = await import('../dist/node.mjs');
    const server = await listen({ port: 0, host: '127.0.0.1' });
    const hold = kind === 'session'
      ? async (session) => { for await (const s of session) held.push(s); }
      : async (session) => { for await (const s of session.incoming) held.push(s); };
    void (async () => {
      for await (const session of server) void hold(session).catch(() => undefined);
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
