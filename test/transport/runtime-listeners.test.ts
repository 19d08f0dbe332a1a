/**
 * The listener choice of h2flow/deno (`transport`) and what h2flow/bun's listener cannot do, checked on Node
 * where it needs no runtime: combinations a listener cannot serve are TypeErrors before anything binds (a user asking for
 * HTTP/1.1 on `Deno.listen` or `Bun.listen` must not get a server that silently closes HTTP/1.1 clients).
 * The listeners themselves run in Deno and Bun in test/support/runtime-suite.ts.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as deno from '../../src/transport/deno';
import * as bun from '../../src/transport/bun';

const Listeners = suite('runtime listener options');
const handler = (): Response => new Response('x');
const cert = '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n';

/** Runs `f` and returns the TypeError's message, failing if it did not throw one. */
function typeError(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    assert.instance(error, TypeError);
    return (error as TypeError).message;
  }
  assert.unreachable('no TypeError');
  return '';
}

Listeners("Deno's transport 'deno' (Deno.listen) refuses TLS and HTTP/1.1, and an unknown transport is refused, before binding", async () => {
  assert.match(typeError(() => deno.serve({ port: 0, transport: 'deno', http1: true }, handler)), /HTTP\/2 only/);
  assert.match(typeError(() => deno.serve({ port: 0, transport: 'deno', cert, key: cert, onListen: () => undefined }, handler)), /h2c only/);
  assert.match(typeError(() => deno.serve({ port: 0, transport: 'bogus' as 'deno', onListen: () => undefined }, handler)), /'node' or 'deno'/);
  for (const options of [{ transport: 'deno', http1: { handler } }, { transport: 'deno', tls: { cert, key: cert } }] as const) {
    const error = await deno.listen(options).then(
      () => null,
      (e: unknown) => e,
    );
    assert.instance(error, TypeError);
  }
});

Listeners("Bun's serve() (Bun.listen, HTTP/2 only) refuses http1: true before binding", () => {
  assert.match(typeError(() => bun.serve({ port: 0, http1: true, fetch: handler })), /HTTP\/2 only.*h2flow\/node/);
});

Listeners.run();
