/**
 * The listener-level abuse policy (abuse-guard.ts): per-address budgets of connections ended for abuse,
 * the cool-down, the bounded table, address keys; and the guard in `serve()`/`listen()` over loopback.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { connect as http2Connect } from 'node:http2';
import { ErrorCodes, H2Error, ProtocolError } from '../../src/core';
import { H2SessionError } from '../../src/streams/errors';
import { AbuseGuard, addressKey, listen, serve } from '../../src/transport/node';
import { TestPeer, E } from '../support/peer';
import { selfSignedCert, tempDir } from '../support/peers';

const Guard = suite('abuse guard');

/** A session error as the session reports a connection error the core raised because of the peer. */
function connectionError(code: number): H2SessionError {
  const cause = new ProtocolError('bad peer');
  cause.errorCode = code;
  return new H2SessionError(code, true, 'connection error: bad peer', { cause });
}

Guard('an address is refused after maxAbusiveConnections abusive ends within the window, until the cool-down passes', () => {
  let now = 1000;
  const guard = new AbuseGuard({ maxAbusiveConnections: 3, windowMs: 10_000, coolDownMs: 5000, now: () => now });
  for (let i = 0; i < 2; i++) guard.noteSessionEnd('10.0.0.1', connectionError(ErrorCodes.ENHANCE_YOUR_CALM));
  assert.ok(guard.admits('10.0.0.1'));
  guard.noteSessionEnd('10.0.0.1', connectionError(ErrorCodes.PROTOCOL_ERROR));
  assert.not.ok(guard.admits('10.0.0.1'));
  assert.ok(guard.isRefusing('10.0.0.1'));
  assert.ok(guard.admits('10.0.0.2'), 'other addresses are unaffected');
  now += 4999;
  assert.not.ok(guard.admits('10.0.0.1'));
  assert.is(guard.refusedConnections, 2);
  now += 1;
  assert.ok(guard.admits('10.0.0.1'));
  // A fresh budget after the cool-down.
  guard.noteAbuse('10.0.0.1');
  assert.ok(guard.admits('10.0.0.1'));
});

Guard('abusive ends spread over more than the window never add up to a refusal', () => {
  let now = 0;
  const guard = new AbuseGuard({ maxAbusiveConnections: 3, windowMs: 1000, now: () => now });
  for (let i = 0; i < 20; i++) {
    guard.noteAbuse('10.0.0.1');
    guard.noteAbuse('10.0.0.1');
    now += 1000;
  }
  assert.ok(guard.admits('10.0.0.1'));
});

Guard('only connection errors we sent because of the peer count, with the configured codes', () => {
  const guard = new AbuseGuard({ maxAbusiveConnections: 1 });
  assert.ok(guard.isAbuse(connectionError(ErrorCodes.ENHANCE_YOUR_CALM)));
  assert.ok(guard.isAbuse(connectionError(ErrorCodes.COMPRESSION_ERROR)));
  // The peer's own GOAWAY, a transport failure, a timeout, a graceful close, or any other error do not.
  assert.not.ok(guard.isAbuse(new H2SessionError(ErrorCodes.PROTOCOL_ERROR, true, 'peer closed the connection (GOAWAY error code 1)')));
  assert.not.ok(guard.isAbuse(new H2SessionError(ErrorCodes.INTERNAL_ERROR, false, 'internal error', { cause: new TypeError('bug') })));
  assert.not.ok(guard.isAbuse(new H2SessionError(ErrorCodes.SETTINGS_TIMEOUT, false, 'the peer did not acknowledge SETTINGS in time')));
  assert.not.ok(guard.isAbuse(undefined));
  assert.not.ok(guard.isAbuse(new H2Error('x')));
  const onlyCalm = new AbuseGuard({ maxAbusiveConnections: 1, codes: [ErrorCodes.ENHANCE_YOUR_CALM] });
  onlyCalm.noteSessionEnd('10.0.0.1', connectionError(ErrorCodes.PROTOCOL_ERROR));
  assert.ok(onlyCalm.admits('10.0.0.1'));
  onlyCalm.noteSessionEnd('10.0.0.1', connectionError(ErrorCodes.ENHANCE_YOUR_CALM));
  assert.not.ok(onlyCalm.admits('10.0.0.1'));
});

Guard('the per-address table stays within maxAddresses however many addresses abuse it', () => {
  const guard = new AbuseGuard({ maxAbusiveConnections: 2, maxAddresses: 100 });
  for (let i = 0; i < 100_000; i++) guard.noteAbuse(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  assert.is(guard.trackedAddresses, 100);
  // The most recent addresses are the ones kept.
  guard.noteAbuse('10.1.134.159');
  assert.not.ok(guard.admits('10.1.134.159'));
});

Guard('IPv6 addresses count by /64, IPv4-mapped ones as IPv4', () => {
  assert.is(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.is(addressKey('2001:DB8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
  assert.is(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.is(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.is(addressKey('::1'), '0:0:0:0::/64');
  assert.is(addressKey('::ffff:192.0.2.7'), '192.0.2.7');
  assert.is(addressKey('192.0.2.7'), '192.0.2.7');
  const guard = new AbuseGuard({ maxAbusiveConnections: 2 });
  guard.noteAbuse('2001:db8:1:2::1');
  guard.noteAbuse('2001:db8:1:2::2');
  assert.not.ok(guard.admits('2001:db8:1:2:ffff::3'));
  assert.ok(guard.admits('2001:db8:1:3::1'));
});

Guard('bad options are RangeErrors', () => {
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => new AbuseGuard({ maxAbusiveConnections: bad }), RangeError);
    assert.throws(() => new AbuseGuard({ coolDownMs: bad }), RangeError);
    assert.throws(() => new AbuseGuard({ maxAddresses: bad }), RangeError);
  }
});

/** Connects from `localAddress`, writes a valid preface then a PING on stream 1 (a PROTOCOL_ERROR); resolves with what came back once closed. */
function provoke(port: number, localAddress = '127.0.0.1'): Promise<Buffer> {
  return new Promise((resolve) => {
    const peer = new TestPeer('client');
    const socket: Socket = netConnect({ port, host: '127.0.0.1', localAddress });
    const got: Buffer[] = [];
    socket.on('data', (d: Buffer) => got.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(got)));
    socket.on('connect', () => socket.end(peer.concat(peer.greeting(), peer.raw(0x6, 0, 1, new Uint8Array(8)))));
  });
}

/** Whether `bytes` (a server's output) carries a GOAWAY with `code`. */
function hasGoAway(bytes: Buffer, code: number): boolean {
  for (let at = 0; at + 9 <= bytes.length; at += 9 + bytes.readUIntBE(at, 3)) {
    if (bytes[at + 3] === 0x7 && bytes.readUInt32BE(at + 13) === code) return true;
  }
  return false;
}

/** Resolves once `condition()` holds (the session's end is noted when its `closed` promise settles). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(condition(), 'condition never held');
}

/** One GET with node:http2 from `localAddress`; its status. */
function get(origin: string, localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(origin, { localAddress } as Parameters<typeof http2Connect>[1]);
    session.on('error', reject);
    const req = session.request({ ':path': '/' });
    req.on('response', (h) => {
      req.resume();
      req.on('end', () => {
        session.close();
        resolve(Number(h[':status']));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

Guard('serve() refuses an address whose connections keep ending in GOAWAY PROTOCOL_ERROR, and serves the others', async () => {
  const guard = new AbuseGuard({ maxAbusiveConnections: 3, coolDownMs: 600_000, holdRefusedMs: 0 });
  const server = serve(() => new Response('ok'), { port: 0, hostname: '127.0.0.1', abuse: guard, onListen: () => undefined });
  const { port } = await server.listening;
  try {
    for (let i = 0; i < 3; i++) assert.ok(hasGoAway(await provoke(port), E.PROTOCOL_ERROR), `connection ${i} ended in GOAWAY PROTOCOL_ERROR`);
    await until(() => guard.isRefusing('127.0.0.1'));
    // Closed before anything is sent: not even the server's SETTINGS.
    assert.is((await provoke(port)).length, 0);
    assert.ok(guard.refusedConnections >= 1);
    // Another address is served as usual.
    assert.is(await get(`http://127.0.0.1:${port}`, '127.0.0.2'), 200);
  } finally {
    await server.shutdown();
  }
});

Guard('a refused h2c connection is held unread, at most maxHeldConnections at once, and close() does not wait for them', async () => {
  const guard = new AbuseGuard({ maxAbusiveConnections: 1, holdRefusedMs: 600_000, maxHeldConnections: 2 });
  guard.noteAbuse('127.0.0.1');
  const server = serve(() => new Response('ok'), { port: 0, hostname: '127.0.0.1', abuse: guard, onListen: () => undefined });
  const { port } = await server.listening;
  let heldDone = 0;
  const held = [provoke(port), provoke(port)].map((p) => p.then((bytes) => (heldDone++, bytes)));
  await until(() => guard.refusedConnections === 2);
  // A third is past the cap: closed at once, with nothing sent.
  assert.is((await provoke(port)).length, 0);
  assert.is(guard.refusedConnections, 3);
  assert.is(heldDone, 0, 'the two held connections are still open');
  assert.is(await get(`http://127.0.0.1:${port}`, '127.0.0.2'), 200);
  // The hold is 10 minutes: shutdown() closes the held connections rather than waiting for them.
  await server.shutdown();
  for (const bytes of await Promise.all(held)) assert.is(bytes.length, 0, 'a held connection is never answered');
});

Guard('AbuseGuard holds refused connections 10 s by default, at most 64; holdRefusedMs 0 closes them at once', () => {
  const guard = new AbuseGuard();
  assert.is(guard.holdRefusedMs, 10_000);
  assert.is(guard.maxHeldConnections, 64);
  assert.is(new AbuseGuard({ holdRefusedMs: 0 }).holdRefusedMs, 0);
  for (const bad of [-1, 1.5, Number.NaN]) assert.throws(() => new AbuseGuard({ holdRefusedMs: bad }), RangeError);
  for (const bad of [0, -1, 1.5]) assert.throws(() => new AbuseGuard({ maxHeldConnections: bad }), RangeError);
});

Guard('serve() has the guard on by default (10 abusive connections); listen() has it off unless asked', async () => {
  // The default guard, but refused connections closed at once rather than held 10 s (see the test above).
  const served = serve(() => new Response('ok'), { port: 0, hostname: '127.0.0.1', onListen: () => undefined, abuse: { holdRefusedMs: 0 } });
  const listener = await listen({ port: 0 });
  void (async () => {
    for await (const session of listener) void session.closed.catch(() => undefined);
  })();
  try {
    const port = (await served.listening).port;
    // Each ends in GOAWAY; its end is noted when the session settles, so a few more may get through.
    let answered = 0;
    for (let i = 0; i < 100; i++) {
      if ((await provoke(port, '127.0.0.3')).length === 0) break;
      answered++;
    }
    assert.ok(answered >= 10 && answered < 100, `serve() answered ${answered} abusive connections before refusing`);
    for (let i = 0; i < 15; i++) assert.ok(hasGoAway(await provoke(listener.address.port, '127.0.0.3'), E.PROTOCOL_ERROR), 'listen() keeps answering');
  } finally {
    await Promise.all([served.shutdown(), listener.close()]);
  }
});

Guard('a TLS listener refuses a cooling-down address before the handshake', async () => {
  const dir = tempDir('h2flow-guard-');
  const cert = selfSignedCert(dir.path);
  const guard = new AbuseGuard({ maxAbusiveConnections: 1 });
  guard.noteAbuse('127.0.0.1');
  const server = serve(() => new Response('ok'), { port: 0, hostname: '127.0.0.1', tls: { cert: cert.cert, key: cert.key }, abuse: guard, onListen: () => undefined });
  try {
    const { port } = await server.listening;
    const handshake = (localAddress: string): Promise<string> =>
      new Promise<string>((resolve) => {
        const socket = tlsConnect({ port, host: '127.0.0.1', localAddress, rejectUnauthorized: false, ALPNProtocols: ['h2'] } as ConnectionOptions & { localAddress: string });
        socket.on('secureConnect', () => {
          socket.destroy();
          resolve('handshake');
        });
        socket.on('error', () => resolve('refused'));
        socket.on('close', () => resolve('refused'));
      });
    assert.is(await handshake('127.0.0.1'), 'refused');
    assert.is(await handshake('127.0.0.2'), 'handshake');
    assert.ok(guard.refusedConnections >= 1);
  } finally {
    await server.shutdown();
    dir.cleanup();
  }
});

Guard.run();
