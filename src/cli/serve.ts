/**
 * `h2flow serve [dir]`: an HTTP/2 and HTTP/1.1 file server on one port (h2c by prior knowledge or
 * upgrade, HTTP/1.1, or TLS with ALPN) with an `/echo` endpoint, an access log, graceful shutdown on
 * signals and optional worker processes; without a directory it serves a built-in page.
 * Layer: CLI (Node).
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import cluster from 'node:cluster';
import { serve, type FetchHandler, type HttpServer, type ServeWorkers, type TrailersExtension } from '../transport/node.ts';
import { workerCount } from '../transport/workers.ts';
import { defaultPage } from './default-page.ts';
import type { CliIo } from './hpack.ts';
import { SafeOutput } from './safe-output.ts';
import { serveStatic } from './static.ts';

/** Usage text of `h2flow serve`. */
export const SERVE_USAGE = `Usage: h2flow serve [dir] [--port 8080] [--host 127.0.0.1] [--cert FILE --key FILE] [--workers N|auto] [--no-http1] [--proxy-protocol] [--max-connections N] [--quiet]

Serves dir (default: a built-in page) over HTTP/2 and HTTP/1.1 on one port: on cleartext, h2c with prior
knowledge, Upgrade: h2c, or plain HTTP/1.1 (what browsers speak there); with a certificate and key
(PEM), TLS with ALPN h2 or http/1.1. POST /echo streams the request body back. One access log line per
request on stdout. SIGTERM/SIGINT: stop accepting, let requests in flight finish (up to
--graceful-timeout), exit 0; a second signal exits at once.

  -p, --port N              TCP port (default 8080; 0 picks a free one)
      --host H              interface to bind (default 127.0.0.1)
      --cert FILE           PEM certificate chain (with --key: serve TLS)
      --key FILE            PEM private key
  -w, --workers N|auto      processes serving the port (default 1; auto: one per CPU); SIGHUP restarts them one by one
      --no-http1            HTTP/2 only (connections that are not HTTP/2 are closed)
      --proxy-protocol      every connection starts with a PROXY header (v1/v2, HAProxy send-proxy-v2):
                            its client address is logged and keys the abuse guard; connections without
                            one are closed. Only behind a trusted proxy no one else can bypass
      --max-connections N   connections open at once, per process; past it new ones are closed at
                            once (default 10000; against connection floods)
      --graceful-timeout S  seconds requests in flight get on shutdown (default 10)
  -q, --quiet               no access log
  -h, --help                this text
`;

/** Settings of a running `h2flow serve`. */
export interface ServeSettings {
  readonly root: string | null;
  readonly port: number;
  readonly host: string;
  readonly cert: string | null;
  readonly key: string | null;
  readonly quiet: boolean;
  readonly workers: ServeWorkers;
  readonly http1: boolean;
  readonly proxyProtocol: boolean;
  /** `--max-connections`; null: serve()'s default. */
  readonly maxConnections: number | null;
  readonly gracefulTimeoutMs: number;
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
      workers: { type: 'string', short: 'w' },
      'no-http1': { type: 'boolean' },
      'proxy-protocol': { type: 'boolean' },
      'max-connections': { type: 'string' },
      'graceful-timeout': { type: 'string' },
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
  let workers: ServeWorkers = 1;
  if (values.workers !== undefined) {
    workers = values.workers === 'auto' ? 'auto' : Number(values.workers);
    if (workers !== 'auto' && (!Number.isInteger(workers) || workers < 1 || workers > 1024)) throw new TypeError(`invalid --workers ${values.workers} (a positive integer or auto)`);
  }
  const grace = values['graceful-timeout'] === undefined ? 10 : Number(values['graceful-timeout']);
  if (!Number.isFinite(grace) || grace < 0) throw new TypeError(`invalid --graceful-timeout ${values['graceful-timeout']}`);
  const maxConnections = values['max-connections'] === undefined ? null : Number(values['max-connections']);
  if (maxConnections !== null && (!Number.isSafeInteger(maxConnections) || maxConnections < 1)) throw new TypeError(`invalid --max-connections ${values['max-connections']} (a positive integer)`);
  return {
    root,
    port,
    host: values.host ?? '127.0.0.1',
    cert: values.cert ?? null,
    key: values.key ?? null,
    quiet: values.quiet === true,
    workers,
    http1: values['no-http1'] !== true,
    proxyProtocol: values['proxy-protocol'] === true,
    maxConnections,
    gracefulTimeoutMs: grace * 1000,
  };
}

/** `/echo`: the request body streamed straight back, with its content type. */
function echo(request: Request): Response {
  const type = request.headers.get('content-type') ?? 'application/octet-stream';
  return new Response(request.body, { headers: { 'content-type': type } });
}

/** The request handler of `h2flow serve`: `/echo`, then the directory (or the built-in page). */
export function serveHandler(root: string | null, origin: () => string): FetchHandler {
  return (request, info) => {
    const { pathname } = new URL(request.url);
    if (pathname === '/echo') return echo(request);
    if (root !== null) return serveStatic(root, request, pathname);
    if (pathname === '/' || pathname === '/index.html') {
      if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed\n', { status: 405, headers: { allow: 'GET, HEAD' } });
      const html = Buffer.from(defaultPage(origin(), info.stream === undefined ? 'http/1.1' : 'h2'), 'utf8');
      return new Response(request.method === 'HEAD' ? null : html, { headers: { 'content-type': 'text/html; charset=utf-8', 'content-length': String(html.length) } });
    }
    return new Response('not found\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
let stampSecond = -1;
let stampText = '';

/** The Common Log Format time, `[06/Dec/2026:16:50:00 +0000]` (UTC), made once per second. */
function logTime(now: number): string {
  const second = Math.floor(now / 1000);
  if (second !== stampSecond) {
    const d = new Date(second * 1000);
    const p = (n: number): string => (n < 10 ? `0${n}` : String(n));
    stampText = `[${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000]`;
    stampSecond = second;
  }
  return stampText;
}

/** The path and query of an absolute URL string, without parsing it (the handler parses it already). */
function targetOf(url: string): string {
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  return slash < 0 ? '/' : url.slice(slash);
}

/**
 * Wraps a handler to write one Common Log Format line per request once its response has been sent (or
 * failed), with the duration appended: `127.0.0.1 - - [06/Dec/2026:16:50:00 +0000] "GET / HTTP/2.0" 200
 * 1234 0.8ms`. The protocol is `HTTP/2.0` for HTTP/2 (prior knowledge, TLS or an h2c upgrade) and
 * `HTTP/1.1` otherwise. Bytes are the response's `content-length`, or counted as the body streams.
 */
export function withAccessLog(handler: FetchHandler, write: (line: string) => void): FetchHandler {
  return async (request, info) => {
    const start = performance.now();
    const target = targetOf(request.url);
    const protocol = info.stream === undefined ? 'HTTP/1.1' : 'HTTP/2.0';
    const who = info.remoteAddr?.hostname || '-';
    let response: Response;
    try {
      response = await handler(request, info);
    } catch (error) {
      write(`${who} - - ${logTime(Date.now())} "${request.method} ${target} ${protocol}" 500 - - handler error: ${(error as Error).message}\n`);
      throw error;
    }
    let bytes = 0;
    let counted = response;
    const length = response.headers.get('content-length');
    if (request.method === 'HEAD' || response.body === null) bytes = 0;
    else if (length !== null) bytes = Number(length);
    else {
      const counter = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          bytes += chunk.byteLength;
          controller.enqueue(chunk);
        },
      });
      counted = new Response(response.body.pipeThrough(counter), { status: response.status, statusText: response.statusText, headers: response.headers });
      const trailers = (response as TrailersExtension).trailers;
      if (trailers !== undefined) (counted as TrailersExtension).trailers = trailers;
    }
    const line = (outcome: string): void =>
      write(`${who} - - ${logTime(Date.now())} "${request.method} ${target} ${protocol}" ${response.status} ${bytes} ${(performance.now() - start).toFixed(1)}ms${outcome}\n`);
    info.completed.then(
      () => line(''),
      () => line(' (reset)'),
    );
    return counted;
  };
}

/** Runs `h2flow serve` until SIGINT/SIGTERM; resolves to the exit status. */
export async function runServe(args: string[], io: CliIo): Promise<number> {
  // Never blocked by, never killed by its output: a closed pipe or a full disk costs log lines, not the server.
  const out = new SafeOutput(io.stdout as CliIo['stdout'] & { fd?: unknown });
  const err = new SafeOutput(io.stderr as CliIo['stderr'] & { fd?: unknown });
  const status = await serveUntilStopped(args, out, err);
  if (out.dropped > 0) err.write(`h2flow serve: ${out.dropped} output writes dropped (${out.lastError ?? 'backlog'})\n`);
  const [outDone, errDone] = await Promise.all([out.drain(), err.drain()]);
  // Output stuck on a reader that never reads (a write pending in the thread pool would hold the process): exit anyway.
  if (!outDone || !errDone) process.exit(status);
  return status;
}

async function serveUntilStopped(args: string[], out: SafeOutput, err: SafeOutput): Promise<number> {
  let settings: ServeSettings | 'help';
  try {
    settings = parseServeArgs(args);
  } catch (error) {
    err.write(`h2flow serve: ${(error as Error).message}\n\n${SERVE_USAGE}`);
    return 2;
  }
  if (settings === 'help') {
    out.write(SERVE_USAGE);
    return 0;
  }
  const tls = settings.cert !== null && settings.key !== null ? { cert: readFileSync(settings.cert), key: readFileSync(settings.key) } : undefined;
  const scheme = tls === undefined ? 'http' : 'https';
  let origin = '';
  const base = serveHandler(settings.root, () => origin);
  const handler = settings.quiet ? base : withAccessLog(base, (line) => out.write(line));
  const primary = cluster.isPrimary && workerCount(settings.workers) > 1;
  const server: HttpServer = serve(handler, {
    port: settings.port,
    hostname: settings.host,
    ...(tls !== undefined ? { tls } : {}),
    http1: settings.http1,
    ...(settings.proxyProtocol ? { proxyProtocol: true } : {}),
    ...(settings.maxConnections !== null ? { maxConnections: settings.maxConnections } : {}),
    workers: settings.workers,
    gracefulTimeout: settings.gracefulTimeoutMs,
    onListen: () => undefined,
    onError: (error) => {
      err.write(`h2flow serve: ${(error as Error).stack ?? String(error)}\n`);
      return new Response('Internal Server Error\n', { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    },
  });
  let addr;
  try {
    addr = await server.listening;
  } catch (error) {
    // Workers that cannot listen exit quietly: their primary says it once.
    if (!cluster.isWorker) err.write(`h2flow serve: cannot listen on ${settings.host}:${settings.port}: ${(error as Error).message}\n`);
    return 1;
  }
  const host = addr.hostname.includes(':') ? `[${addr.hostname}]` : addr.hostname;
  origin = `${scheme}://${host}:${addr.port}`;
  // Signal handlers go in before the banner, so whoever reads the banner may signal at once.
  const stopped = new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.off('SIGHUP', reload);
      if (!cluster.isWorker) out.write('h2flow serve: shutting down (again to force)\n');
      const force = (): void => process.exit(130);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      void server.shutdown().then(done);
    };
    const reload = (): void => {
      if (primary) void server.restart().then(() => out.write('h2flow serve: workers restarted\n'));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('SIGHUP', reload);
  });
  if (!cluster.isWorker) {
    const tlsNote = tls === undefined ? '' : ' -k';
    const workers = primary ? `, ${workerCount(settings.workers)} workers` : '';
    const protocols = settings.http1
      ? tls === undefined
        ? 'HTTP/2 (h2c: prior knowledge or Upgrade) and HTTP/1.1'
        : 'HTTPS: HTTP/2 or HTTP/1.1 by ALPN'
      : tls === undefined
        ? 'HTTP/2 only (h2c, prior knowledge)'
        : 'HTTPS, HTTP/2 only (ALPN h2)';
    out.write(
      `h2flow serving ${settings.root ?? 'the built-in page'} over ${protocols} on ${origin}/${workers}\n` +
        (settings.http1 ? `Open ${origin}/ in a browser${tls === undefined ? '' : ' (self-signed certificates need accepting)'}, or try:\n` : 'Try:\n') +
        `     curl${tlsNote} ${tls === undefined ? '--http2-prior-knowledge' : '--http2'} ${origin}/\n` +
        `     nghttp -v ${origin}/\n     h2flow get -v${tlsNote} ${origin}/\n`,
    );
  }
  await stopped;
  return 0;
}
