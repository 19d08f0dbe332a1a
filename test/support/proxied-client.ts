/**
 * Clients of a listener that takes a PROXY protocol header (test/transport/proxy-protocol.test.ts on
 * Node, runtime-proxy-protocol.test.ts in Deno and Bun): a TCP connection that writes the header first,
 * one h2 GET over such a connection (node:http2), and what a refused connection received before it closed.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as http2Connect } from 'node:http2';

/** A TCP connection that writes `header` first (nothing if empty). */
export function rawWithHeader(port: number, header: Uint8Array): Socket {
  const socket = netConnect({ port, host: '127.0.0.1' });
  socket.setNoDelay(true);
  if (header.length > 0) socket.write(header);
  return socket;
}

/** One h2 GET of `/` from `origin` over `socket` (cleartext or TLS, the header already written); the body. */
export function h2Get(origin: string, socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(origin, { createConnection: () => socket });
    session.on('error', reject);
    const req = session.request({ ':path': '/' });
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      session.close();
      resolve(body);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves with what the server sent once the connection closed. */
export function untilClosed(socket: Socket): Promise<Buffer> {
  return new Promise((resolve) => {
    const got: Buffer[] = [];
    socket.on('data', (d: Buffer) => got.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(got)));
  });
}
