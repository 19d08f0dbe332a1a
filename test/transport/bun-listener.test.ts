/** h2flow/bun's listener in Bun (the npm `bun` package's binary): what it does with connections that are not yet sessions. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { run, selfSignedCert, tempDir } from '../support/peers';
import { bundleFor, runArgs, runtimeBinary } from '../support/runtimes';

const Listener = suite('h2flow/bun listener');
const dir = tempDir('h2flow-bun-listener-');
Listener.after(() => dir.cleanup());

Listener('a TLS connection that never finishes its handshake is dropped at handshakeTimeout (Slowloris)', async () => {
  const cert = selfSignedCert(dir.path);
  const script = await bundleFor('bun', 'test/runtimes/bun-handshake.ts', dir.path);
  // Without a deadline the connection stays open and Bun never exits: the run's own limit ends it.
  const r = await run(runtimeBinary('bun'), [...runArgs('bun', script), JSON.stringify({ cert: cert.cert, key: cert.key })], { timeoutMs: 30_000 });
  assert.match(r.stdout.toString(), /CLOSED/, r.stderr.toString());
  assert.is(r.code, 0, 'the process exits on its own');
});

Listener.run();
