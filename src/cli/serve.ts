/**
 * `h2flow serve [dir]`: an HTTP/2 file server (h2c with prior knowledge, or TLS with ALPN `h2`) with an
 * `/echo` endpoint and one log line per request; without a directory it serves a built-in page.
 * Layer: CLI (Node).
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { serve, type FetchHandler, type HttpServer } from '../transport/node';
import { defaultPage } from './default-page';
import type { CliIo } from './hpack';
import { serveStatic } from './static';

/** Usage text of `h2flow serve`. */
export const SERVE_USAGE = `Usage: h2flow serve [dir] [--port 8080] [--host 127.0.0.1] [--cert FILE --key FILE] [--quiet]

Serves dir (default: a built-in page) over HTTP/2: h2c with prior knowledge, or TLS with ALPN h2
when given a certificate and key (PEM). POST /echo streams the request body back.

  -p, --port N      TCP port (default 8080; 0 picks a free one)
      --host H      interface to bind (default 127.0.0.1)
      --cert FILE   PEM certificate chain (with --key: serve TLS)
      --key FILE    PEM private key
  -q, --quiet       no per-request log lines
  -h, --help        this text
`;

/** Settings of a running `h2flow serve`. */
export interface ServeSettings {
  readonly root: string | null;
  readonly port: number;
  readonly host: string;
  readonly cert: string | null;
  readonly key: string | null;
  readonly quiet: boolean;
}

/** Parses `h2flow serve` arguments; throws TypeError with a message for the user on bad input. */
export function parseServeArgs(args: string[]): ServeSettings | 'help' {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) return 'help';
  if (positionals.length > 1) throw new TypeError(`expected at most one directory, got ${positionals.join(' ')}`);
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`invalid port ${values.port}`);
  if ((values.cert === undefined) !== (values.key === undefined)) throw new TypeError('--cert and --key go together');
  const root = positionals[0] === undefined ? null : resolve(positionals[0]);
  if (root !== null && !statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new TypeError(`not a directory: ${positionals[0]}`);
  return { root, port, host: values.host ?? '127.0.0.1', cert: values.cert ?? null, key: values.key ?? null, quiet: values.quiet === true };
}

/** `/echo`: the request body streamed straight back, with its content type. */
function echo(request: Request): Response {
  const type = request.headers.get('content-type') ?? 'application/octet-stream';
  return new Response(request.body, { headers: { 'content-type': type } });
}

/** The request handler of `h2flow serve`: `/echo`, then the directory (or the built-in page). */
export function serveHandler(root: string | null, origin: () => string): FetchHandler {
  return (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === '/echo') return echo(request);
    if (root !== null) return serveStatic(root, request);
    if (pathname === '/' || pathname === '/index.html') {
      if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed\n', { status: 405, headers: { allow: 'GET, HEAD' } });
      return new Response(defaultPage(origin()), { headers: { 'content-type': 'text/html; charset=utf-8' } });
    }
    return new Response('not found\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  };
}

/** Wraps a handler to write `METHOD path status bytes ms` once each response has been sent (or failed). */
export function withAccessLog(handler: FetchHandler, write: (line: string) => void): FetchHandler {
  return async (request, info) => {
    const start = performance.now();
    const { pathname, search } = new URL(request.url);
    let response: Response;
    try {
      response = await handler(request, info);
    } catch (error) {
      write(`${request.method} ${pathname}${search} 500 handler error: ${(error as Error).message}\n`);
      throw error;
    }
    let bytes = 0;
    let counted = response;
    if (response.body !== null && request.method !== 'HEAD') {
      const counter = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          bytes += chunk.byteLength;
          controller.enqueue(chunk);
        },
      });
      counted = new Response(response.body.pipeThrough(counter), { status: response.status, statusText: response.statusText, headers: response.headers });
    }
    const line = (outcome: string): void =>
      write(`${request.method} ${pathname}${search} ${response.status} ${bytes} ${(performance.now() - start).toFixed(1)}ms${outcome}\n`);
    info.completed.then(
      () => line(''),
      () => line(' (reset)'),
    );
    return counted;
  };
}

/** Runs `h2flow serve` until SIGINT/SIGTERM; resolves to the exit status. */
export async function runServe(args: string[], io: CliIo): Promise<number> {
  let settings: ServeSettings | 'help';
  try {
    settings = parseServeArgs(args);
  } catch (error) {
    io.stderr.write(`h2flow serve: ${(error as Error).message}\n\n${SERVE_USAGE}`);
    return 2;
  }
  if (settings === 'help') {
    io.stdout.write(SERVE_USAGE);
    return 0;
  }
  const tls = settings.cert !== null && settings.key !== null ? { cert: readFileSync(settings.cert), key: readFileSync(settings.key) } : undefined;
  const scheme = tls === undefined ? 'http' : 'https';
  let origin = '';
  const base = serveHandler(settings.root, () => origin);
  const handler = settings.quiet ? base : withAccessLog(base, (line) => io.stdout.write(line));
  const server: HttpServer = serve(handler, {
    port: settings.port,
    hostname: settings.host,
    ...(tls !== undefined ? { tls } : {}),
    onListen: () => undefined,
    onError: (error) => {
      io.stderr.write(`h2flow serve: ${(error as Error).stack ?? String(error)}\n`);
      return new Response('Internal Server Error\n', { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    },
  });
  let addr;
  try {
    addr = await server.listening;
  } catch (error) {
    io.stderr.write(`h2flow serve: cannot listen on ${settings.host}:${settings.port}: ${(error as Error).message}\n`);
    return 1;
  }
  // Signal handlers go in before the banner, so whoever reads the banner may signal at once.
  const stopped = new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.stdout.write('h2flow serve: shutting down (again to force)\n');
      process.once('SIGINT', () => process.exit(130));
      void server.shutdown().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  const host = addr.hostname.includes(':') ? `[${addr.hostname}]` : addr.hostname;
  origin = `${scheme}://${host}:${addr.port}`;
  const curl = tls === undefined ? `curl --http2-prior-knowledge ${origin}/` : `curl -k --http2 ${origin}/`;
  io.stdout.write(
    `h2flow serving ${settings.root ?? 'the built-in page'} over HTTP/2 (${tls === undefined ? 'h2c, prior knowledge' : 'TLS, ALPN h2'}) on ${origin}/\n` +
      `Try: ${curl}\n     nghttp -v ${origin}/\n     h2flow get -v ${origin}/\n`,
  );
  await stopped;
  return 0;
}
