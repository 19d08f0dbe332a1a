/** HAProxy for the tests that put h2flow behind it: the README's configurations, started and stopped as an operator would. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { daemon, freePort, waitForPort, type Daemon } from './peers';

/**
 * The HAProxy configurations the README shows, with the test's ports: an h2c backend, and with
 * `proxyProtocol` one that sends a PROXY v2 header first on each backend connection.
 */
export function haproxyConfig(frontPort: number, backPort: number, proxyProtocol = false): string {
  return `global
  maxconn 1000

defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s

frontend www
  # cleartext: HTTP/1.1, and HTTP/2 with prior knowledge (HAProxy detects the preface)
  bind 127.0.0.1:${frontPort}
  default_backend h2flow

backend h2flow
${
  proxyProtocol
    ? `  # a PROXY v2 header first on every connection to h2flow: the client's address (h2flow: proxyProtocol)
  server app1 127.0.0.1:${backPort} proto h2 send-proxy-v2`
    : `  # h2c to h2flow: one multiplexed HTTP/2 connection carries many clients' requests
  server app1 127.0.0.1:${backPort} proto h2`
}
`;
}

/** Starts HAProxy on a free port in front of `backPort` (config written to `file` in `dir`); resolves once it serves. */
export async function startHaproxy(dir: string, file: string, backPort: number, proxyProtocol = false): Promise<{ haproxy: Daemon; origin: string }> {
  const frontPort = await freePort();
  const cfg = join(dir, file);
  writeFileSync(cfg, haproxyConfig(frontPort, backPort, proxyProtocol));
  // -W: master-worker (SIGUSR2 reloads), -db: foreground, so the test owns the process.
  const haproxy = daemon('haproxy', ['-W', '-db', '-f', cfg], 120_000);
  await haproxy.waitFor(/Loading success/);
  await waitForPort(frontPort);
  return { haproxy, origin: `http://127.0.0.1:${frontPort}` };
}

/** Stops HAProxy as an operator would (SIGTERM), then makes sure the process is gone. */
export async function stopHaproxy(haproxy: Daemon): Promise<void> {
  haproxy.child.kill('SIGTERM');
  await haproxy.waitFor(/Exiting/, 5000).catch(() => undefined);
  await haproxy.stop();
}
