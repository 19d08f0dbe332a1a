/**
 * A Node consumer: the root entry under the `node` condition adds serve/connect/listen; h2flow/node
 * has the rest of the Node transport. Compiled by test/types/consumer.test.ts (see entries.ts).
 */
import { connect, H2Session, listen, serve, SocketClosedError } from 'h2flow';
import type { HttpServer, ServeOptions } from 'h2flow';
import { socketToPair, tapTransport } from 'h2flow/node';
import type { Socket } from 'node:net';

const serveOptions: ServeOptions = { port: 0, hostname: '127.0.0.1' };
const server: HttpServer = serve((request) => new Response(request.body), serveOptions);
// @ts-expect-error: a handler returns a Response, not a number
serve(() => 42);
const client = connect('http://127.0.0.1:8080');
void client.fetch('/echo', { method: 'POST', body: 'ping' });
// @ts-expect-error: listen's port is a number
void listen({ port: 'eighty' });
const closed: Error = new SocketClosedError();

declare const socket: Socket;
const pair = socketToPair(socket);
const session = new H2Session(pair, { role: 'client' });
// @ts-expect-error: tapTransport taps a transport, not a number
tapTransport(1, {});

export { closed, server, session };
