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
