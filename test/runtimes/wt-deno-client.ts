/**
 * Run in Deno (`--unstable-net`): `connectWebTransport()` to the wt-deno-server, wt-tunnel.ts's client
 * scenario over it, then a clean close; prints RESULT {...} (with how the HTTP/2 session closed).
 */
import { connectWebTransport } from '../../src/transport/webtransport';
import { wtClient } from './wt-tunnel';

const D = (globalThis as unknown as { Deno: { args: string[] } }).Deno;
const { url, hash, n } = JSON.parse(D.args[D.args.length - 1]!) as { url: string; hash: number[]; n: number };
const client = connectWebTransport(url, { serverCertificateHashes: [{ algorithm: 'sha-256', value: new Uint8Array(hash) }] });
const result = await wtClient(client, n);
await client.close();
const closed = await client.closed.then(() => 'ok', (e: unknown) => `error ${String(e)}`);
console.log(`RESULT ${JSON.stringify({ ...result, closed })}`);
