/** The runtime fixture (fixture.ts) over h2flow/bun. */
import * as bun from '../../src/transport/bun';
import { serve as nodeServe } from '../../src/transport/node';
import { runFixture } from './fixture';

// Bun.listen by default (HTTP/2 only, bound at once); h2flow/node's serve() over Bun's node:net, with HTTP/1.1.
await runFixture(
  'bun',
  {
    serve: bun.serve,
    connect: (url, options) => bun.connect(url, options?.tls?.caCerts !== undefined ? { tls: { ca: options.tls.caCerts } } : {}),
  },
  { serve: (options, handler) => nodeServe(handler, options), defaultBindsAtOnce: true },
);
