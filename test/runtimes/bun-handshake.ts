/**
 * Run in Bun by test/transport/bun-listener.test.ts: h2flow/bun's TLS listener with a short handshake
 * deadline; a peer opens TCP and never starts its handshake. Prints CLOSED once the server dropped it.
 */
import { connect } from 'node:net';
import { listen } from '../../src/transport/bun';

const { cert, key } = JSON.parse(process.argv[2]!) as { cert: string; key: string };
const server = await listen({ tls: { cert, key }, handshakeTimeout: 200 });
const socket = connect({ port: server.address.port, host: '127.0.0.1' });
socket.on('error', () => undefined);
socket.on('close', () => {
  console.log('CLOSED');
  void server.close({ graceful: false });
});
