/** The runtime fixture (fixture.ts) over h2flow/bun. */
import * as bun from '../../src/transport/bun';
import { runFixture } from './fixture';

await runFixture('bun', {
  serve: bun.serve,
  connect: (url, options) => bun.connect(url, options?.tls?.caCerts !== undefined ? { tls: { ca: options.tls.caCerts } } : {}),
}, { alt: 'node', defaultBindsAtOnce: true }); // Bun.listen by default (HTTP/2 only), node:net with HTTP/1.1
