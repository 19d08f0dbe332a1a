/**
 * `h2flow get URL`: an HTTP/2 client in the manner of `nghttp`: prints the body (or saves it), `-v` prints
 * every frame both ways, `-n/-c` runs N requests over C concurrent streams and prints a timing summary.
 * Layer: CLI (Node).
 */
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { connectSession, H2Client, type ConnectOptions, type H2RequestInit } from '../transport/node.ts';
import { FrameLog } from './frame-log.ts';
import type { CliIo } from './hpack.ts';

/** Usage text of `h2flow get`. */
export const GET_USAGE = `Usage: h2flow get URL [-v] [-d DATA|@FILE|@-] [-H 'name: value']... [--trailer 'name: value']... [-o FILE] [-n N -c C] [-k]

An HTTP/2 client: http:// URLs use h2c with prior knowledge, https:// URLs TLS with ALPN h2.

  -v, --verbose         print every frame sent and received, with its fields (as nghttp -v)
  -d, --data DATA       send DATA (or the contents of FILE with @FILE, of stdin with @-) as the body;
                        default method POST
  -X, --method M        request method (default GET, or POST with --data)
  -H, --header 'N: V'   add a request header (repeatable)
  --trailer 'N: V'      send a trailer field after the request body (repeatable)
  -o, --output FILE     write the response body to FILE instead of stdout
  -n, --requests N      send N requests and print a timing summary instead of bodies
  -c, --concurrency C   with -n: streams in flight at once on the one connection (default 1)
  -k, --insecure        do not verify the server's TLS certificate
  -h, --help            this text
`;

/** Parsed `h2flow get` arguments. */
export interface GetSettings {
  readonly url: URL;
  readonly verbose: boolean;
  readonly method: string;
  readonly headers: Array<[string, string]>;
  readonly trailers: Array<[string, string]>;
  readonly data: string | null;
  readonly output: string | null;
  readonly requests: number | null;
  readonly concurrency: number;
  readonly insecure: boolean;
}

function positiveInt(text: string | undefined, name: string): number | null {
  if (text === undefined) return null;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`${name} must be a positive integer, got ${text}`);
  return n;
}

/** Parses `h2flow get` arguments; throws TypeError with a message for the user on bad input. */
export function parseGetArgs(args: string[]): GetSettings | 'help' {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      verbose: { type: 'boolean', short: 'v' },
      data: { type: 'string', short: 'd' },
      method: { type: 'string', short: 'X' },
      header: { type: 'string', short: 'H', multiple: true },
      trailer: { type: 'string', multiple: true },
      output: { type: 'string', short: 'o' },
      requests: { type: 'string', short: 'n' },
      concurrency: { type: 'string', short: 'c' },
      insecure: { type: 'boolean', short: 'k' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) return 'help';
  if (positionals.length !== 1) throw new TypeError('expected exactly one URL');
  let url: URL;
  try {
    url = new URL(positionals[0]!);
  } catch {
    throw new TypeError(`invalid URL ${positionals[0]}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`unsupported scheme ${url.protocol} (use http: or https:)`);
  const headers = fieldList(values.header, 'header');
  const trailers = fieldList(values.trailer, 'trailer');
  const requests = positiveInt(values.requests, '-n');
  const concurrency = positiveInt(values.concurrency, '-c') ?? 1;
  return {
    url,
    verbose: values.verbose === true,
    method: (values.method ?? (values.data !== undefined ? 'POST' : 'GET')).toUpperCase(),
    headers,
    trailers,
    data: values.data ?? null,
    output: values.output ?? null,
    requests,
    concurrency,
    insecure: values.insecure === true,
  };
}

/** `name: value` arguments as lower-case field pairs; throws TypeError for one without a colon. */
function fieldList(args: readonly string[] | undefined, what: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const h of args ?? []) {
    const colon = h.indexOf(':', 1);
    if (colon < 0) throw new TypeError(`${what} must look like 'name: value', got ${h}`);
    const field: [string, string] = [h.slice(0, colon).trim().toLowerCase(), h.slice(colon + 1).trim()];
    // Checked here, with the fetch Headers' own rules, rather than as a reset stream mid-request.
    try {
      new Headers([field]);
    } catch {
      throw new TypeError(`invalid ${what} ${h}`);
    }
    out.push(field);
  }
  return out;
}

/** The request body of `-d`: the text, a file's contents (`@FILE`), or all of stdin (`@-`, as curl). */
async function requestBody(data: string | null, stdin: CliIo['stdin']): Promise<Uint8Array | null> {
  if (data === null) return null;
  if (data === '@-') {
    const chunks: Uint8Array[] = [];
    for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
    return new Uint8Array(Buffer.concat(chunks));
  }
  if (data.startsWith('@')) return new Uint8Array(await readFile(data.slice(1)));
  return new TextEncoder().encode(data);
}

/** Copies a response body to a Node writable, honouring its backpressure. */
async function copyTo(body: ReadableStream<Uint8Array> | null, out: NodeJS.WritableStream): Promise<number> {
  let bytes = 0;
  if (body === null) return 0;
  for await (const chunk of body) {
    bytes += chunk.byteLength;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  return bytes;
}

async function drain(body: ReadableStream<Uint8Array> | null): Promise<number> {
  let bytes = 0;
  if (body === null) return 0;
  for await (const chunk of body) bytes += chunk.byteLength;
  return bytes;
}

/** Latencies and outcomes of a `-n/-c` run, as a printable summary. */
export function summarize(latenciesMs: readonly number[], statuses: readonly number[], failures: number, elapsedMs: number, bytes: number): string {
  const total = latenciesMs.length + failures;
  const classes = [2, 3, 4, 5].map((c) => `${statuses.filter((s) => Math.floor(s / 100) === c).length} ${c}xx`);
  const seconds = elapsedMs / 1000;
  const min = latenciesMs.length > 0 ? Math.min(...latenciesMs) : 0;
  const max = latenciesMs.length > 0 ? Math.max(...latenciesMs) : 0;
  const mean = latenciesMs.length > 0 ? latenciesMs.reduce((a, b) => a + b, 0) / latenciesMs.length : 0;
  return (
    `finished in ${seconds.toFixed(3)}s, ${(latenciesMs.length / seconds).toFixed(2)} req/s, ${(bytes / 1e6 / seconds).toFixed(2)}MB/s\n` +
    `requests: ${total} total, ${latenciesMs.length} succeeded, ${failures} failed\n` +
    `status codes: ${classes.join(', ')}\n` +
    `latency: min ${min.toFixed(2)}ms, mean ${mean.toFixed(2)}ms, max ${max.toFixed(2)}ms\n`
  );
}

/** Runs `h2flow get`; resolves to the exit status (0 once responses arrived, 1 on connection errors). */
export async function runGet(args: string[], io: CliIo): Promise<number> {
  let settings: GetSettings | 'help';
  try {
    settings = parseGetArgs(args);
  } catch (error) {
    io.stderr.write(`h2flow get: ${(error as Error).message}\n\n${GET_USAGE}`);
    return 2;
  }
  if (settings === 'help') {
    io.stdout.write(GET_USAGE);
    return 0;
  }
  const s = settings;
  const log = s.verbose ? new FrameLog((text) => io.stdout.write(text), { role: 'client' }) : null;
  const options: ConnectOptions = {
    ...(s.insecure ? { tls: { rejectUnauthorized: false } } : {}),
    ...(log !== null
      ? {
          tap: { sent: (b: Uint8Array) => log.sent(b), received: (b: Uint8Array) => log.received(b) },
          onConnect: (info: { protocol: string }) => {
            log.note('Connected');
            if (info.protocol === 'h2') log.note('The negotiated protocol: h2');
          },
        }
      : {}),
    session: { settings: { enablePush: false } },
  };
  let client: H2Client | null = null;
  try {
    const body = await requestBody(s.data, io.stdin);
    client = new H2Client(connectSession(s.url, options), { baseUrl: s.url });
    const c = client;
    const init = (): H2RequestInit => ({
      // As curl without -L: a redirect is printed, not followed.
      redirect: 'manual',
      method: s.method,
      headers: s.headers,
      ...(body !== null ? { body } : {}),
      ...(s.trailers.length > 0 ? { trailers: s.trailers } : {}),
    });
    if (s.requests === null) {
      const res = await c.fetch(s.url, init());
      if (s.output !== null) {
        const file = createWriteStream(s.output);
        await copyTo(res.body, file);
        file.end();
        await once(file, 'close');
      } else {
        await copyTo(res.body, process.stdout);
      }
      await res.trailers;
    } else {
      const total = s.requests;
      const latencies: number[] = [];
      const statuses: number[] = [];
      let failures = 0;
      let started = 0;
      let bytes = 0;
      await c.session;
      const begin = performance.now();
      const worker = async (): Promise<void> => {
        while (started < total) {
          started++;
          const t0 = performance.now();
          try {
            const res = await c.fetch(s.url, init());
            bytes += await drain(res.body);
            latencies.push(performance.now() - t0);
            statuses.push(res.status);
          } catch {
            failures++;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(s.concurrency, total) }, worker));
      io.stdout.write(summarize(latencies, statuses, failures, performance.now() - begin, bytes));
    }
    await client.close();
    return 0;
  } catch (error) {
    const e = error as Error & { cause?: unknown };
    io.stderr.write(`h2flow get: ${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ''}\n`);
    await client?.close({ graceful: false }).catch(() => undefined);
    return 1;
  }
}
