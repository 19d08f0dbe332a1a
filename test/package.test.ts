/** The published package: every export resolves to a built bundle with its types, and loads. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const Package = suite('package');
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  exports: Record<string, unknown>;
  bin: Record<string, string>;
  dependencies?: Record<string, string>;
};

type Target = { types: string; default: string };
function targets(entry: unknown): Target[] {
  const e = entry as Record<string, unknown>;
  if (typeof e.types === 'string' && typeof e.default === 'string') return [e as unknown as Target];
  return Object.values(e).flatMap(targets);
}

// What each entry must offer (a few names each: the layer's main classes).
const EXPECTED: Record<string, string[]> = {
  '.': ['H2Session', 'H2Stream', 'H2Client', 'serveSession', 'withTrailers', 'H2StreamError', 'ProtocolError'],
  './hpack': ['Encoder', 'Decoder', 'HeaderTuple', 'NeverIndexedHeaderTuple', 'HPACKError'],
  './frame': ['FrameBuffer', 'DataFrame', 'HeadersFrame', 'SettingsFrame', 'parseFrameHeader'],
  './core': ['H2Connection', 'H2Configuration', 'ErrorCodes', 'SettingCodes', 'StreamState'],
  './streams': ['H2Session', 'H2Stream', 'H2StreamError'],
  './node': ['listen', 'connect', 'serve'],
  './deno': ['listen', 'connect', 'serve', 'denoConnToPair'],
  './bun': ['listen', 'connect', 'serve', 'bunSocketPair'],
  './websocket': ['webSocketTransport', 'webSocketStreamTransport', 'WebSocketClosedError'],
  './webtransport': ['webTransportTransport', 'connectWebTransport', 'serveWebTransportSession', 'serveWebTransport', 'listenWebTransport'],
};

Package('h2flow has no runtime dependencies', () => {
  assert.equal(Object.keys(pkg.dependencies ?? {}), []);
});

for (const [name, entry] of Object.entries(pkg.exports)) {
  if (name === './package.json') continue;
  Package(`export "${name}" has a built bundle and a .d.ts, and loads with its main names`, async () => {
    for (const t of targets(entry)) {
      assert.ok(existsSync(t.default), `${t.default} is built`);
      assert.ok(existsSync(t.types), `${t.types} is emitted`);
      const mod = (await import(pathToFileURL(resolve(t.default)).href)) as Record<string, unknown>;
      for (const n of EXPECTED[name] ?? []) assert.ok(n in mod, `${name} (${t.default}) exports ${n}`);
    }
  });
}

Package('the root entry under the node condition adds serve, connect and listen', async () => {
  const mod = (await import(pathToFileURL(resolve('dist/index-node.mjs')).href)) as Record<string, unknown>;
  for (const n of ['serve', 'connect', 'listen', 'H2Session', 'H2Client']) assert.type(mod[n], 'function', n);
});

Package('the h2flow binary is built with a shebang', () => {
  const bin = pkg.bin.h2flow!;
  assert.ok(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node'));
});

Package.run();
