/**
 * The fuzz campaign: seeded connections (generators.ts) fed to the server core directly and, for a share
 * of them, to a real `serve()` over loopback. After each connection it checks: no exception that is not
 * an h2 protocol error (core), no GOAWAY INTERNAL_ERROR and no uncaught exception (server), the server
 * still answers a fresh request within a second, and RSS stays within a bound. A core finding is
 * minimised (octets removed while it still reproduces) and saved under test/fuzz/findings/ for
 * regressions.test.ts to replay.
 */
import { connect as netConnect } from 'node:net';
import { connect as http2Connect } from 'node:http2';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { H2Configuration, H2Connection, H2Error } from '../../src/core';
import type { H2Event } from '../../src/core';
import { serve, type HttpServer } from '../../src/transport/node';
import { fuzzConnection } from './generators';

/** Options of {@link runCampaign}. */
export interface CampaignOptions {
  readonly seconds: number;
  readonly seed: number;
  /** Share of connections also sent to the real server (default 0.1). */
  readonly serverShare?: number;
  /** Most frames per connection (default 400). */
  readonly maxFrames?: number;
  /** RSS past this many MiB is a finding (default 1536). */
  readonly maxRssMiB?: number;
  /** Where minimised findings are written; none when undefined. */
  readonly findingsDir?: string;
  readonly log?: (line: string) => void;
}

/** Something the campaign caught. */
export interface Finding {
  readonly kind: 'core-exception' | 'server-internal-error' | 'server-unresponsive' | 'uncaught' | 'rss';
  readonly seed: number;
  readonly message: string;
  /** The (minimised, for core findings) input, hex. */
  readonly hex: string;
}

/** What a campaign did. */
export interface CampaignResult {
  frames: number;
  connections: number;
  serverConnections: number;
  peakRssMiB: number;
  findings: Finding[];
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function joinChunks(chunks: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
}

/**
 * Feeds `chunks` to a fresh server H2Connection, answering each request (200, sometimes with a body).
 * Returns the exception that is not an h2 protocol error, or null. Exported for regressions.test.ts.
 */
export function driveCore(chunks: readonly Uint8Array[]): Error | null {
  const conn = new H2Connection(new H2Configuration({ clientSide: false }));
  conn.initiateConnection();
  conn.dataToSend();
  let n = 0;
  for (const chunk of chunks) {
    let events: H2Event[];
    try {
      events = conn.receiveData(chunk);
    } catch (e) {
      if (e instanceof H2Error) {
        conn.dataToSend();
        return null;
      }
      return e as Error;
    }
    for (const ev of events) {
      if (ev.type !== 'RequestReceived') continue;
      try {
        const end = n++ % 2 === 0;
        conn.sendHeaders(ev.streamId, [[':status', '200']], { endStream: end });
        if (!end) conn.sendData(ev.streamId, new Uint8Array(10), { endStream: true });
      } catch (e) {
        // The stream may have been reset or closed by a later frame in the same chunk: an h2 error.
        if (!(e instanceof H2Error)) return e as Error;
      }
    }
    conn.dataToSend();
  }
  return null;
}

/** Removes octet ranges from `input` while `fails` still holds (ddmin-style, bounded tries). */
export function minimise(input: Uint8Array, fails: (b: Uint8Array) => boolean, maxTries = 3000): Uint8Array {
  let best = input;
  let tries = 0;
  for (let size = Math.max(1, best.length >> 1); size >= 1 && tries < maxTries; size >>= 1) {
    for (let at = 0; at + size <= best.length && tries < maxTries; ) {
      const cand = new Uint8Array(best.length - size);
      cand.set(best.subarray(0, at));
      cand.set(best.subarray(at + size), at);
      tries++;
      if (fails(cand)) best = cand;
      else at += size;
    }
  }
  return best;
}

/** Whether the server's output carries GOAWAY INTERNAL_ERROR (a bug on its side, not the peer's fault). */
export function sawInternalError(out: Uint8Array): boolean {
  for (let at = 0; at + 9 <= out.length; ) {
    const len = (out[at]! << 16) | (out[at + 1]! << 8) | out[at + 2]!;
    if (out[at + 3] === 0x7 && at + 17 <= out.length) {
      const code = new DataView(out.buffer, out.byteOffset + at + 13, 4).getUint32(0);
      if (code === 0x2) return true;
    }
    at += 9 + len;
  }
  return false;
}

/** Writes `chunks` to the server, then ends; resolves with what it sent back once it closed (or after 1 s). */
function driveServer(port: number, chunks: readonly Uint8Array[]): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const socket = netConnect({ port, host: '127.0.0.1' });
    const got: Buffer[] = [];
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(got));
    };
    const timer = setTimeout(finish, 1000);
    socket.on('data', (d: Buffer) => got.push(d));
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
      socket.end();
    });
  });
}

/** A fresh node:http2 connection's GET; resolves true if it got 200 within `ms`. */
function healthy(port: number, ms = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const session = http2Connect(`http://127.0.0.1:${port}`);
    const timer = setTimeout(() => end(false), ms);
    const end = (ok: boolean): void => {
      clearTimeout(timer);
      session.destroy();
      resolve(ok);
    };
    session.on('error', () => end(false));
    const req = session.request({ ':path': '/health' });
    req.on('response', (h) => {
      req.resume();
      req.on('end', () => end(h[':status'] === 200));
    });
    req.on('error', () => end(false));
    req.end();
  });
}

/** Runs the campaign for `seconds`. */
export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const log = options.log ?? (() => undefined);
  const serverShare = options.serverShare ?? 0.1;
  const maxFrames = options.maxFrames ?? 400;
  const maxRss = (options.maxRssMiB ?? 1536) * 2 ** 20;
  const result: CampaignResult = { frames: 0, connections: 0, serverConnections: 0, peakRssMiB: 0, findings: [] };
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown): void => void uncaught.push(e);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  const server: HttpServer = serve(
    async (request) => {
      if (request.body !== null) await request.arrayBuffer().catch(() => undefined);
      return new Response('ok');
    },
    // The fuzzer's own connections must not be refused by the abuse guard.
    { port: 0, hostname: '127.0.0.1', abuse: false, onListen: () => undefined, onError: () => new Response('error', { status: 500 }) },
  );
  const port = (await server.listening).port;
  const record = (f: Finding): void => {
    result.findings.push(f);
    log(`FINDING ${f.kind} seed=${f.seed}: ${f.message}`);
    if (options.findingsDir !== undefined) {
      mkdirSync(options.findingsDir, { recursive: true });
      writeFileSync(join(options.findingsDir, `${f.kind}-${f.seed}.json`), `${JSON.stringify(f, null, 2)}\n`);
    }
  };
  const deadline = Date.now() + options.seconds * 1000;
  let lastLog = Date.now();
  try {
    for (let i = 0; Date.now() < deadline && result.findings.length < 20; i++) {
      const seed = (options.seed * 0x9e3779b1 + i) >>> 0;
      const input = fuzzConnection(seed, maxFrames);
      result.connections++;
      result.frames += input.frames;
      const err = driveCore(input.chunks);
      if (err !== null) {
        const sig = `${err.name}: ${err.message}`;
        const fails = (b: Uint8Array): boolean => {
          const e = driveCore([b]);
          return e !== null && `${e.name}: ${e.message}` === sig;
        };
        const whole = joinChunks(input.chunks);
        // Feeding the octets in one chunk may not reproduce a chunk-boundary bug: keep the chunks then.
        const small = fails(whole) ? minimise(whole, fails) : whole;
        record({ kind: 'core-exception', seed, message: `${sig}\n${err.stack ?? ''}`, hex: hex(small) });
      }
      if (i % Math.round(1 / serverShare) === 0) {
        result.serverConnections++;
        const out = await driveServer(port, input.chunks);
        if (sawInternalError(out)) record({ kind: 'server-internal-error', seed, message: 'serve() sent GOAWAY INTERNAL_ERROR', hex: hex(joinChunks(input.chunks)) });
        if (!(await healthy(port))) record({ kind: 'server-unresponsive', seed, message: 'serve() did not answer a fresh request within 1 s', hex: hex(joinChunks(input.chunks)) });
      }
      if (uncaught.length > 0) {
        const e = uncaught.splice(0)[0];
        record({ kind: 'uncaught', seed, message: String((e as Error)?.stack ?? e), hex: hex(joinChunks(input.chunks)) });
      }
      const rss = process.memoryUsage.rss();
      result.peakRssMiB = Math.max(result.peakRssMiB, Math.round(rss / 2 ** 20));
      if (rss > maxRss) {
        record({ kind: 'rss', seed, message: `RSS ${Math.round(rss / 2 ** 20)} MiB past the bound`, hex: '' });
        break;
      }
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        log(`fuzz: ${result.frames} frames, ${result.connections} connections (${result.serverConnections} to serve()), peak RSS ${result.peakRssMiB} MiB`);
      }
    }
  } finally {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    await server.shutdown();
  }
  return result;
}
