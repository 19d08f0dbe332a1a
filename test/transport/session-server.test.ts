/**
 * The server `Deno.listen`, `Bun.listen` and the WebTransport listener share (session-server.ts), driven
 * over in-memory pairs: what its `close()` does to the sessions it accepted.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { H2Session } from '../../src/streams/session';
import { sessionServer } from '../../src/transport/session-server';
import { duplexPair, settle } from '../support/duplex-pair';

const Close = suite('sessionServer close');

const GET: [string, string][] = [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'example.com']];

Close('a forced close during a graceful one closes the sessions now (stop(true) after shutdown())', async () => {
  const { server, accept } = sessionServer(
    { address: { transport: 'tcp', hostname: '127.0.0.1', port: 0 }, stop: () => undefined, ref: () => undefined, unref: () => undefined },
    undefined,
  );
  const [serverEnd, clientEnd] = duplexPair();
  accept(serverEnd, { transport: 'tcp', hostname: '127.0.0.1', port: 1 });
  const client = new H2Session(clientEnd, { role: 'client' });
  client.closed.catch(() => undefined);
  const reader = server.accepted.getReader();
  const { value } = await reader.read();
  const session = value!.session;
  // A request left open: the graceful close waits for it (its own deadline is far off).
  await client.request(GET, { endStream: false });
  let serverClosed = false;
  session.closed.then(
    () => (serverClosed = true),
    () => (serverClosed = true),
  );
  let gracefulDone = false;
  const graceful = server.close().then(() => (gracefulDone = true));
  await settle(10);
  assert.is(gracefulDone, false, 'the graceful close waits for the open request');
  const forced = server.close({ graceful: false });
  for (let i = 0; i < 20 && !serverClosed; i++) await settle();
  assert.ok(serverClosed, 'the forced close closed the session at once');
  await forced;
  await graceful;
  await client.close({ graceful: false }).catch(() => undefined);
});

Close.run();
