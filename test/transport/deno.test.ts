/** h2flow/deno in Deno (the npm `deno` package's binary): see test/support/runtime-suite.ts. */
import { defineRuntimeSuite } from '../support/runtime-suite';

defineRuntimeSuite('deno').run();

// Deno's own listeners through denoConnToPair (the TLS server path that serve() does not take by default).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { daemon, run, selfSignedCert, tempDir, type Daemon } from '../support/peers';
import { bundleFor, runArgs, runtimeBinary } from '../support/runtimes';

const Conn = suite('denoConnToPair over Deno.listen and Deno.listenTls');
const dir = tempDir('h2flow-deno-conn-');
let d: Daemon;
let ports = { h2c: 0, tls: 0 };
Conn.before(async () => {
  const cert = selfSignedCert(dir.path);
  const script = await bundleFor('deno', 'test/runtimes/deno-conn.ts', dir.path);
  d = daemon(runtimeBinary('deno'), [...runArgs('deno', script), JSON.stringify({ cert: cert.cert, key: cert.key })], 120_000);
  ports = JSON.parse((await d.waitFor(/READY (\{.*\})/, 30_000))[1]!) as typeof ports;
});
Conn.after(async () => {
  await d.stop();
  dir.cleanup();
});

Conn("a TLS peer that hangs up without close_notify (curl) leaves the session closed cleanly, as an h2c peer's FIN does", async () => {
  const body = '0123456789'.repeat(100_000);
  for (const [i, args] of [
    ['--http2-prior-knowledge', `http://127.0.0.1:${ports.h2c}/`],
    ['--http2', '-k', `https://127.0.0.1:${ports.tls}/`],
    ['--http2', '-k', '--data-binary', '@-', `https://127.0.0.1:${ports.tls}/`],
  ].entries()) {
    const r = await run('curl', ['-s', '-f', ...args], { input: body });
    assert.is(r.stdout.toString(), args.includes('@-') ? body : 'deno conn', r.stderr);
    const closed = await d.waitFor(new RegExp(`(?:CLOSED [^\\n]*\\n[^]*){${i + 1}}`));
    assert.not.match(closed[0], /CLOSED error/, d.output());
  }
});

Conn.run();
