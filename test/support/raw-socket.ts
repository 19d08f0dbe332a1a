/** A raw TCP client for tests that speak bytes a real client would not (HTTP/1.1 by hand, stalls, hang-ups). */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';

/** A connected socket to 127.0.0.1:`port`, what has arrived so far (bytes or latin1 text), and its close. */
export interface RawSocket {
  readonly socket: Socket;
  /** Settles when the socket closes (either side). */
  readonly closed: Promise<unknown>;
  received(): Buffer;
  text(): string;
}

export async function rawSocket(port: number): Promise<RawSocket> {
  const socket = connect({ port, host: '127.0.0.1' });
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  socket.on('error', () => undefined);
  const closed = once(socket, 'close');
  await once(socket, 'connect');
  return { socket, closed, received: () => Buffer.concat(chunks), text: () => Buffer.concat(chunks).toString('latin1') };
}
