/**
 * Helpers for H2Connection tests: a connection already past the handshake with a scripted peer,
 * sample header lists, and an assertion for thrown h2 exceptions.
 */
import * as assert from 'uvu/assert';
import { H2Configuration, H2Connection } from '../../src/core';
import type { H2ConfigurationOptions, H2Event } from '../../src/core';
import { TestPeer } from './peer';
import type { HeaderPair } from './peer';

/** A GET request as h2's tests send it. */
export const REQUEST: HeaderPair[] = [
  [':method', 'GET'],
  [':path', '/'],
  [':authority', 'example.com'],
  [':scheme', 'https'],
];

/** A 200 response. */
export const RESPONSE: HeaderPair[] = [
  [':status', '200'],
  ['server', 'fake-serv/0.1.0'],
];

/** A connection under test and the peer that talks to it. */
export interface Pair {
  conn: H2Connection;
  peer: TestPeer;
}

/**
 * A server-side connection that has sent its SETTINGS and received (and ACKed) the peer's preface and
 * SETTINGS; the output so far is drained.
 */
export function serverPair(options: H2ConfigurationOptions = {}, peerSettings: Record<number, number> = {}): Pair {
  const conn = new H2Connection(new H2Configuration({ ...options, clientSide: false }));
  const peer = new TestPeer('client');
  conn.initiateConnection();
  conn.receiveData(peer.greeting(peerSettings));
  peer.read(conn.dataToSend()).expectSettings().expectSettingsAck().expectNone();
  return { conn, peer };
}

/** A client-side connection past the handshake with a server peer; output drained. */
export function clientPair(options: H2ConfigurationOptions = {}, peerSettings: Record<number, number> = {}): Pair {
  const conn = new H2Connection(new H2Configuration({ ...options, clientSide: true }));
  const peer = new TestPeer('server');
  conn.initiateConnection();
  conn.receiveData(peer.settings(peerSettings));
  peer.read(conn.dataToSend()).expectSettings().expectSettingsAck().expectNone();
  return { conn, peer };
}

/** The `type` tags of `events`, for compact assertions. */
export function types(events: readonly H2Event[]): string[] {
  return events.map((e) => e.type);
}

/** Asserts that `fn` throws an instance of `klass` and returns it. */
export function throwsError<T extends Error>(fn: () => unknown, klass: abstract new (...args: never[]) => T): T {
  let caught: unknown = null;
  let threw = false;
  try {
    fn();
  } catch (e) {
    threw = true;
    caught = e;
  }
  if (!threw) assert.unreachable(`expected ${klass.name} to be thrown`);
  if (!(caught instanceof klass)) assert.unreachable(`expected ${klass.name}, got ${String(caught)}`);
  return caught as T;
}

/**
 * Asserts the answer to a malformed message on `streamId` (RFC 9113 §8.1.1): a stream error, not a
 * connection error. Of `events` (what receiveData returned), the stream's own end with
 * `StreamReset(PROTOCOL_ERROR, remoteReset: false)`, or are none at all for a new request
 * (`reported: false`, refused before it was ever reported); the output is RST_STREAM PROTOCOL_ERROR
 * and nothing else; and the connection still answers a PING.
 */
export function expectMalformed(pair: Pair, events: readonly H2Event[], streamId: number, { reported = true }: { reported?: boolean } = {}): void {
  const { conn, peer } = pair;
  const mine = events.filter((e) => 'streamId' in e && e.streamId === streamId);
  if (reported) {
    const last = mine[mine.length - 1];
    if (last === undefined || last.type !== 'StreamReset') return assert.unreachable(`expected a StreamReset for stream ${streamId} last, got ${JSON.stringify(types(mine))}`);
    assert.is(last.errorCode, 1);
    assert.is(last.remoteReset, false);
  } else {
    assert.equal(types(mine), [], `a refused new request is not reported`);
  }
  peer.read(conn.dataToSend()).expectRstStream(streamId, 1).expectNone();
  assert.equal(types(conn.receiveData(peer.ping())), ['PingReceived']);
  peer.read(conn.dataToSend()).expectPing({ ack: true }).expectNone();
}
