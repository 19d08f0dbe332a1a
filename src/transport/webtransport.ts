/**
 * h2flow/webtransport: HTTP/2 over a WebTransport bidirectional stream (browsers, Deno), each stream one
 * HTTP/2 connection. `webTransportTransport(bidi)` wraps a stream of either end; `connectWebTransport(url)`
 * opens a session and a stream and returns a fetch client; `serveWebTransportSession(wt, handler)` serves
 * every stream a client opens on a server-side session; `serveWebTransport()`/`listenWebTransport()` run
 * a Deno QUIC server (webtransport-deno.ts). Layer: transport (Web APIs only: no `node:` import, so it is
 * part of the browser build).
 */
import { H2Session } from '../streams/session.ts';
import { H2Client } from '../fetch/fetch-client.ts';
import type { FetchHandler } from '../fetch/fetch-server.ts';
import type { SessionOptions } from './serve-args.ts';
import { sessionStreams } from './session-server.ts';
import { serveTransport, type ServeTransportOptions } from './tunnel-server.ts';
import { acceptTunnels, webTransportTransport, type WebTransportLike } from './webtransport-pair.ts';

export { acceptTunnels, webTransportTransport } from './webtransport-pair.ts';
export type { WebTransportBidiStreamLike, WebTransportCloseInfoLike, WebTransportLike, WebTransportTransportOptions } from './webtransport-pair.ts';
export { listenWebTransport, serveWebTransport } from './webtransport-deno.ts';
export type { WebTransportListenOptions, WebTransportServeOptions } from './webtransport-deno.ts';
export { H2Client } from '../fetch/fetch-client.ts';
export type { FetchHandler, NetAddr } from '../fetch/fetch-server.ts';
export type { HttpServer, ServeArgs, SessionOptions, TlsCertKey } from './serve-args.ts';
export { serveTransport } from './tunnel-server.ts';
export type { ServeTransportOptions } from './tunnel-server.ts';
export type { H2Server } from './session-server.ts';

/** Options of {@link connectWebTransport}. */
export interface ConnectWebTransportOptions {
  /**
   * Hashes of the server's certificate (`WebTransportOptions.serverCertificateHashes`): lets a browser
   * trust a self-signed ECDSA certificate valid for at most 14 days, as a development server has.
   */
  readonly serverCertificateHashes?: ReadonlyArray<{ readonly algorithm: string; readonly value: ArrayBuffer | ArrayBufferView }>;
  /**
   * The origin requests name (`:scheme`, `:authority`) and relative URLs resolve against. Default: the URL
   * given; for a session given instead, its `url` if it has one (Deno's server side), else `https://localhost/`.
   */
  readonly baseUrl?: string | URL;
  /** Options for the client session (settings, config, streams implementation). */
  readonly session?: SessionOptions;
}

interface WebTransportConstructor {
  new (url: string, options?: { serverCertificateHashes?: Array<{ algorithm: string; value: ArrayBuffer | ArrayBufferView }> }): WebTransportLike;
}

/** Closes `wt` unless it is closed or failed already (then `close()` throws). */
function closeQuietly(wt: WebTransportLike, closeCode: number, reason: string): void {
  try {
    wt.close({ closeCode, reason });
  } catch {
    // Not connected any more.
  }
}

/**
 * Opens a WebTransport session to `url` (or uses the one given), opens one bidirectional stream and
 * returns a fetch client speaking HTTP/2 over it; when the HTTP/2 session closes, the WebTransport session
 * is closed too (code 0: the server sees a clean end). Server push is off.
 *
 * @example
 * ```ts
 * const client = connectWebTransport('https://127.0.0.1:4433/h2', { serverCertificateHashes: [{ algorithm: 'sha-256', value: hash }] });
 * const res = await client.fetch('/hello');
 * console.log(await res.text());
 * await client.close();
 * ```
 */
export function connectWebTransport(url: string | URL | WebTransportLike, options: ConnectWebTransportOptions = {}): H2Client {
  let wt: WebTransportLike;
  let baseUrl: string;
  if (typeof url === 'string' || url instanceof URL) {
    const WT = (globalThis as { WebTransport?: WebTransportConstructor }).WebTransport;
    if (WT === undefined) throw new Error('h2flow: this runtime has no WebTransport (Deno needs --unstable-net)');
    baseUrl = String(options.baseUrl ?? url);
    const hashes = options.serverCertificateHashes;
    wt = new WT(String(url), hashes === undefined ? {} : { serverCertificateHashes: hashes.map((h) => ({ algorithm: h.algorithm, value: h.value })) });
  } else {
    wt = url;
    baseUrl = String(options.baseUrl ?? (url as { url?: string }).url ?? 'https://localhost/');
  }
  wt.closed.catch(() => undefined);
  const opening = (async () => {
    try {
      await wt.ready;
      const bidi = await wt.createBidirectionalStream();
      // RFC 9113 §6.5.2: SETTINGS_ENABLE_PUSH 0.
      const settings = { enablePush: false, ...options.session?.settings };
      const session = new H2Session(webTransportTransport(bidi, { webTransport: wt, ...sessionStreams(options.session) }), { ...options.session, settings, role: 'client' });
      session.closed.catch(() => undefined).finally(() => closeQuietly(wt, 0, ''));
      return session;
    } catch (error) {
      closeQuietly(wt, 1, 'h2flow: could not open a stream');
      throw error;
    }
  })();
  opening.catch(() => undefined);
  return new H2Client(opening, { baseUrl });
}

/** Options of {@link serveWebTransportSession}: those of `serveTransport`, applied to every tunnel. */
export type ServeWebTransportSessionOptions = ServeTransportOptions;

/**
 * Serves `handler` over HTTP/2 on every bidirectional stream the client opens on a server-side
 * WebTransport session (Deno's `Deno.upgradeWebTransport`, or any runtime's): each stream is one HTTP/2
 * connection, answered as `serve()` answers a TCP one. Resolves once the WebTransport session ended and
 * every tunnel's HTTP/2 session closed; never rejects. How many tunnels a client may open at once is the
 * QUIC connection's `maxConcurrentBidirectionalStreams`, set where the session was accepted. A session
 * with no tunnel open for the HTTP/2 idle timeout (`session.timeouts.idle`, default 180 s; 0 = never) is
 * closed, as a connection with no stream is.
 *
 * @example
 * ```ts
 * const wt = await Deno.upgradeWebTransport(await incoming.accept());
 * await serveWebTransportSession(wt, (req) => new Response(`hello ${new URL(req.url).pathname}`));
 * ```
 */
export async function serveWebTransportSession(wt: WebTransportLike, handler: FetchHandler, options: ServeWebTransportSessionOptions = {}): Promise<void> {
  // Tunnels still open: a long-lived session that opens many in turn holds only the live ones.
  const live = new Set<Promise<void>>();
  await acceptTunnels(wt, options.session, (pair) => {
    const done = serveTransport(pair, handler, options).catch(() => undefined);
    live.add(done);
    void done.finally(() => live.delete(done));
  });
  await Promise.all(live);
}
