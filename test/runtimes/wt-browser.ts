/**
 * Bundled as an IIFE into a Chromium page: `h2flowWebTransport(url, hash, n)` runs wt-tunnel.ts's client
 * scenario through `connectWebTransport()`; `h2flowRawEcho(url, hash, size, ms)` is the bug probe without
 * h2flow.
 */
import { connectWebTransport } from '../../src/transport/webtransport';
import { rawEcho, wtClient } from './wt-tunnel';

const g = globalThis as unknown as Record<string, unknown>;
g.h2flowWebTransport = async (url: string, hash: number[], n: number) => {
  const client = connectWebTransport(url, { serverCertificateHashes: [{ algorithm: 'sha-256', value: new Uint8Array(hash) }] });
  const result = await wtClient(client, n);
  await client.close();
  const closed = await client.closed.then(() => 'ok', (e: unknown) => `error ${String(e)}`);
  return { ...result, closed };
};
g.h2flowRawEcho = rawEcho;
