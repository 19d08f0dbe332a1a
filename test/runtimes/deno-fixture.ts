/** The runtime fixture (fixture.ts) over h2flow/deno. */
import * as deno from '../../src/transport/deno';
import { runFixture } from './fixture';

// h2c on node:net by default (with HTTP/1.1), and on Deno.listen (HTTP/2 only, bound at once).
await runFixture('deno', deno, { serve: (options, handler) => deno.serve({ ...options, transport: 'deno' }, handler), defaultBindsAtOnce: false });
