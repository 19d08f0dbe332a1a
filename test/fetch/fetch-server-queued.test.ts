/**
 * A request whose stream failed before its handler ran (the session failed in the same read that
 * brought it, while it waited in the session's queue for its microtask's delivery) is never handed to
 * the handler: nothing it answers can reach the client, and a peer must not be able to make every
 * connection it breaks run a batch of handlers for nothing. serveSession still resolves.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SettingCodes } from '../../src/core';
import { serveSession } from '../../src/fetch/fetch-server';
import { settle } from '../support/duplex-pair';
import { facingPeer, GET } from '../support/session-fixtures';
import type { TestPeer } from '../support/peer';

/** Connection errors a peer can send right behind its requests, in the same write. */
const FAILURES: [string, (peer: TestPeer) => Uint8Array][] = [
  ['a connection WINDOW_UPDATE of 0 (PROTOCOL_ERROR)', (peer) => peer.windowUpdate(0, 0)],
  ['DATA on stream 0 (PROTOCOL_ERROR)', (peer) => peer.data(0, 'x')],
  ['SETTINGS_ENABLE_PUSH 2 (PROTOCOL_ERROR)', (peer) => peer.settings({ [SettingCodes.ENABLE_PUSH]: 2 })],
  ['SETTINGS_INITIAL_WINDOW_SIZE past 2^31-1 (FLOW_CONTROL_ERROR)', (peer) => peer.settings({ [SettingCodes.INITIAL_WINDOW_SIZE]: 2 ** 31 })],
];

for (const [name, failure] of FAILURES) {
  test(`requests queued when the session fails on ${name} are never handed to the handler`, async () => {
    const { session, wire, peer } = await facingPeer('server');
    const handled: string[] = [];
    let served = false;
    void serveSession(session, (request) => {
      handled.push(new URL(request.url).pathname);
      return new Response('never delivered');
    }).then(() => {
      served = true;
    });
    const requests = [1, 3, 5].map((id) => peer.headers(id, GET, { endStream: true }));
    await wire.send(peer.concat(...requests, failure(peer)));
    await settle(6);
    assert.equal(handled, [], `the handler ran for ${handled.length} request(s) of a failed session`);
    assert.is(served, true, 'serveSession resolved');
    await session.closed.catch(() => undefined);
  });
}

test('requests that arrive before the session fails in a later read are still handled', async () => {
  const { session, wire, peer } = await facingPeer('server');
  const handled: string[] = [];
  void serveSession(session, (request) => {
    handled.push(new URL(request.url).pathname);
    return new Response('ok');
  });
  await wire.send(peer.headers(1, GET, { endStream: true }));
  await settle(6);
  await wire.send(peer.windowUpdate(0, 0));
  await settle(6);
  assert.equal(handled, ['/']);
});

test.run();
