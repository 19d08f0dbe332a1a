/**
 * The client side of `Upgrade: h2c` (RFC 7540 §3.2) for servers that do not take HTTP/2 with prior
 * knowledge: a `HEAD` request carrying the upgrade goes out over HTTP/1.1 (Node's own HTTP/1.1 client),
 * and after `101 Switching Protocols` the socket is HTTP/2, with the HEAD's response on stream 1.
 * Layer: transport (Node).
 */
import { request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { H2Configuration, H2Connection } from '../core/index.ts';
import type { H2SessionOptions } from '../streams/session.ts';
import { settingsToCodes } from '../streams/settings.ts';
import type { H2HeaderList } from '../streams/types.ts';

/** An upgraded socket: HTTP/2 from its next byte on, and stream 1's request header list. */
export interface UpgradedSocket {
  readonly socket: Socket;
  readonly headers: H2HeaderList;
}

/**
 * The HTTP2-Settings value a client session with these options will send: the payload of the core's
 * first SETTINGS frame, computed by a throwaway connection with the same configuration.
 */
function settingsHeaderFor(options: Pick<H2SessionOptions, 'config' | 'settings'>): string {
  const conn = new H2Connection(new H2Configuration({ ...options.config, clientSide: true }));
  if (options.settings !== undefined) conn.localSettings.update(settingsToCodes(options.settings));
  return conn.initiateUpgradeConnection() ?? '';
}

/**
 * Sends `HEAD path` with `Upgrade: h2c` on the connected `socket` and resolves once the server switched
 * protocols; rejects if it answers anything else (the socket is then destroyed) or within `timeoutMs`.
 */
export function upgradeSocket(socket: Socket, url: URL, session: Pick<H2SessionOptions, 'config' | 'settings'>, timeoutMs = 10_000): Promise<UpgradedSocket> {
  const path = (url.pathname || '/') + url.search;
  const settings = settingsHeaderFor(session);
  return new Promise<UpgradedSocket>((resolve, reject) => {
    const req = httpRequest({
      method: 'HEAD',
      path,
      host: url.hostname,
      port: url.port,
      createConnection: () => socket,
      agent: false,
      headers: { host: url.host, connection: 'Upgrade, HTTP2-Settings', upgrade: 'h2c', 'http2-settings': settings },
    });
    const timer = setTimeout(() => req.destroy(new Error(`h2flow: ${url.host} did not answer the h2c upgrade within ${timeoutMs} ms`)), timeoutMs);
    req.once('upgrade', (res, upgraded: Socket, head: Buffer) => {
      clearTimeout(timer);
      if (!/(^|,)\s*h2c\s*(,|$)/i.test(String(res.headers.upgrade ?? ''))) {
        upgraded.destroy();
        reject(new Error(`h2flow: ${url.host} upgraded to ${String(res.headers.upgrade)}, not h2c`));
        return;
      }
      if (head.length > 0) upgraded.unshift(head);
      resolve({ socket: upgraded, headers: [[':method', 'HEAD'], [':scheme', 'http'], [':authority', url.host], [':path', path]] });
    });
    req.once('response', (res) => {
      clearTimeout(timer);
      res.resume();
      socket.destroy();
      reject(new Error(`h2flow: ${url.host} refused the h2c upgrade (HTTP/${res.httpVersion} ${String(res.statusCode)})`));
    });
    req.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
    req.end();
  });
}
