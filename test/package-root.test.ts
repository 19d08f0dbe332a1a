/**
 * The root entry `h2flow` is for users: sessions, the fetch adapters, `serve`/`connect`/`listen` on Node,
 * Deno and Bun, the WebSocket tunnel transports, and the errors users catch. Its exact export list, per export condition, in the bundle and in its
 * declarations, is written here, so that adding a name to the root is a conscious choice; the layers'
 * internals stay in `h2flow/core`, `h2flow/streams`, etc.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { dirname, resolve } from 'node:path';

const Root = suite('root entry');

const VALUES = [
  // sessions
  'H2Session',
  'H2Stream',
  // the fetch adapters
  'H2Client',
  'LightResponse',
  'respondToStream',
  'serveSession',
  'withTrailers',
  // errors and the codes they carry
  'DenialOfServiceError',
  'ErrorCodes',
  'errorCodeName',
  'FlowControlError',
  'FrameDataMissingError',
  'FrameTooLargeError',
  'H2Error',
  'H2SessionError',
  'H2StreamError',
  'InvalidBodyLengthError',
  'InvalidSettingsValueError',
  'NoAvailableStreamIDError',
  'NoSuchStreamError',
  'ProtocolError',
  'RFC1122Error',
  'StreamClosedError',
  'StreamIDTooLowError',
  'TooManyStreamsError',
  'UnsupportedFrameError',
];
const TYPES = [
  'CloseOptions',
  'ErrorCode',
  'FetchHandler',
  'FetchHandlerInfo',
  'FetchServerOptions',
  'H2ClientOptions',
  'H2Clock',
  'H2ConfigurationOptions',
  'H2DirectTransport',
  'H2HeaderList',
  'H2HeadersInit',
  'H2RequestInit',
  'H2SessionOptions',
  'H2Settings',
  'H2Timeouts',
  'H2Transport',
  'H2TransportSink',
  'NetAddr',
  'RequestOptions',
  'RequestTrailers',
  'RespondOptions',
  'ResponseTrailers',
  'StreamConstructors',
  'TrailersExtension',
];
// The `node` condition adds the Node transport's user API.
const NODE_VALUES = [...VALUES, 'AbuseGuard', 'connect', 'connectSession', 'listen', 'serve', 'SocketClosedError'];
const NODE_TYPES = [
  ...TYPES,
  'AbuseGuardOptions',
  'AcceptedSession',
  'ClientConnectOptions',
  'ConnectOptions',
  'H2Server',
  'Http1Limits',
  'HttpServer',
  'ListenHttp1Options',
  'ListenOptions',
  'ServeOptions',
  'ServeWorkers',
  'SessionOptions',
  'TapObserver',
  'TlsServerOptions',
];

// Every runtime's root (browsers' too) adds the WebSocket tunnel transports and the tunnel's server end.
const WEBSOCKET_VALUES = ['webSocketTransport', 'webSocketStreamTransport', 'WebSocketClosedError', 'serveTransport', 'serveWebSocket'];
const WEBSOCKET_TYPES = ['WebSocketLike', 'WebSocketStreamLike', 'WebSocketTransportOptions', 'ServeTransportOptions', 'ServeWebSocketOptions', 'WebSocketEventLike'];
// The `deno` and `bun` conditions add their transport's user API, the same names as Node's but for TLS
// options (runtime-neutral `TlsCertKey`) and serve()'s argument forms, and the abuse guard; Deno's adds the
// name of its choice of listener (`DenoTransport`).
const RUNTIME_VALUES = [...VALUES, 'AbuseGuard', 'connect', 'connectSession', 'listen', 'serve', 'SocketClosedError', ...WEBSOCKET_VALUES];
const RUNTIME_TYPES = [
  ...TYPES,
  'AbuseGuardOptions',
  'AcceptedSession',
  'ClientConnectOptions',
  'ConnectOptions',
  'H2Server',
  'HttpServer',
  'ListenOptions',
  'ServeArgs',
  'ServeInit',
  'ServeOptions',
  'SessionOptions',
  'TapObserver',
  'TlsCertKey',
  ...WEBSOCKET_TYPES,
];

/** What each root bundle exports: values at run time; values and types in its declarations. */
const EXPECTED: Record<string, { values: string[]; types: string[] }> = {
  './dist/index.mjs': { values: VALUES, types: TYPES },
  './dist/index-node.mjs': { values: [...NODE_VALUES, ...WEBSOCKET_VALUES], types: [...NODE_TYPES, ...WEBSOCKET_TYPES] },
  './dist/index-deno.mjs': { values: RUNTIME_VALUES, types: [...RUNTIME_TYPES, 'DenoTransport'] },
  './dist/index-bun.mjs': { values: [...RUNTIME_VALUES, 'bunWebSocket'], types: [...RUNTIME_TYPES, 'BunServerWebSocket', 'BunWebSocketHandlers'] },
  './dist/index-browser.mjs': { values: [...VALUES, ...WEBSOCKET_VALUES], types: [...TYPES, ...WEBSOCKET_TYPES] },
};

const sorted = (names: Iterable<string>): string[] => [...new Set(names)].sort();

/**
 * The names a declaration file exports: `export { a, b as c }` / `export type { … }` lists, `export
 * declare class|function|const …`, `export interface|type …`, and `export * from './x.js'` followed
 * into the file it names.
 */
function declaredExports(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const names: string[] = [];
  for (const m of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const item of m[1]!.split(',')) {
      const parts = item.trim().replace(/^type\s+/, '').split(/\s+as\s+/);
      const name = parts[parts.length - 1]!.trim();
      if (name !== '') names.push(name);
    }
  }
  for (const m of text.matchAll(/export\s+(?:declare\s+)?(?:abstract\s+)?(?:class|function|const|let|var|enum|namespace|interface|type)\s+([\w$]+)/g)) names.push(m[1]!);
  for (const m of text.matchAll(/export\s+\*\s+as\s+([\w$]+)/g)) names.push(m[1]!);
  for (const m of text.matchAll(/export\s+\*\s+from\s+['"](\.[^'"]+)['"]/g)) {
    const target = resolve(dirname(file), m[1]!.replace(/\.js$/, '.d.ts'));
    assert.ok(existsSync(target), `${file}: export * from ${m[1]} names a declaration file`);
    names.push(...declaredExports(target, seen));
  }
  return names;
}

type Target = { types?: string; default: string };
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, unknown> };

/** Every bundle under the root export (with its `types`, if any), and the conditions leading to it. */
function rootTargets(entry: unknown, path: string[] = []): { conditions: string; target: Target }[] {
  const conditions = path.join(' → ') || '(none)';
  if (typeof entry === 'string') return [{ conditions, target: { default: entry } }];
  const e = entry as Record<string, unknown>;
  if (typeof e.default === 'string') return [{ conditions, target: { default: e.default, ...(typeof e.types === 'string' ? { types: e.types } : {}) } }];
  return Object.entries(e).flatMap(([k, v]) => rootTargets(v, [...path, k]));
}

for (const { conditions, target } of rootTargets(pkg.exports['.'])) {
  Root(`"h2flow" (${conditions}) exports exactly its listed user API at run time`, async () => {
    const expected = EXPECTED[target.default];
    assert.ok(expected !== undefined, `a new root bundle ${target.default}: list its exports in this test`);
    const mod = (await import(pathToFileURL(resolve(target.default)).href)) as Record<string, unknown>;
    assert.equal(sorted(Object.keys(mod)), sorted(expected!.values));
  });

  if (target.types === undefined) continue;
  const types = target.types;
  Root(`"h2flow" (${conditions}) declares exactly its listed values and types`, () => {
    const expected = EXPECTED[target.default];
    assert.ok(expected !== undefined, `a new root bundle ${target.default}: list its exports in this test`);
    assert.equal(sorted(declaredExports(resolve(types))), sorted([...expected!.values, ...expected!.types]));
  });
}

Root('internals stay in their layer entries, not the root', async () => {
  const root = (await import(pathToFileURL(resolve('dist/index-node.mjs')).href)) as Record<string, unknown>;
  const core = (await import(pathToFileURL(resolve('dist/core.mjs')).href)) as Record<string, unknown>;
  for (const name of ['H2Connection', 'CONNECTION_TRANSITIONS', 'StreamInputs', 'WindowManager', 'CoreStream']) assert.not.ok(name in root, `root exports ${name}`);
  for (const name of ['H2Connection', 'CONNECTION_TRANSITIONS', 'StreamInputs', 'WindowManager', 'H2Stream']) assert.ok(name in core, `h2flow/core exports ${name}`);
  // One H2Stream at the root: the session's (what users hold, with respond()), not the core's state machine.
  assert.type((root.H2Stream as { prototype: Record<string, unknown> }).prototype.respond, 'function');
});

Root.run();
