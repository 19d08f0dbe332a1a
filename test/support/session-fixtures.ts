/**
 * Small fixtures for streams-layer tests outside the per-implementation suite (session-suite.ts): a
 * session facing the scripted TestPeer, two sessions over one in-memory pair, and `track()` to watch a
 * promise settle without awaiting it. Native Web Streams; no test sleeps.
 */
import * as assert from 'uvu/assert';
import { ErrorCodes } from '../../src/core';
import { H2Session, H2SessionError, H2StreamError, type H2SessionOptions } from '../../src/streams';
import { duplexPair, settle, type DuplexEnd } from './duplex-pair';
import { WirePeer } from './wire-peer';

export const GET: [string, string][] = [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'example.com']];
export const POST: [string, string][] = [[':method', 'POST'], [':scheme', 'http'], [':path', '/upload'], [':authority', 'example.com']];
export const OK: [string, string][] = [[':status', '200']];

/** Session options without the role (set by the fixture). */
export type SessionOptions = Omit<H2SessionOptions, 'role'>;

/** Whether a promise settled, and how, observed without awaiting it. */
export interface Tracked {
  readonly done: boolean;
  /** The rejection reason, undefined while pending or once fulfilled. */
  readonly failed: unknown;
  /** True once it settled either way. */
  readonly settled: boolean;
}

/** Tracks whether a promise settled, without awaiting it (and without leaving a rejection unhandled). */
export function track(promise: Promise<unknown>): Tracked {
  const state = { done: false, failed: undefined as unknown, settled: false };
  promise.then(
    () => {
      state.done = true;
      state.settled = true;
    },
    (err: unknown) => {
      state.done = true;
      state.settled = true;
      state.failed = err ?? new Error('rejected');
    },
  );
  return state;
}

/** A session facing the scripted TestPeer (playing the other role), past the SETTINGS exchange. */
export async function facingPeer(role: 'client' | 'server', options: SessionOptions = {}, peerSettings: Record<number, number> = {}) {
  const [a, b] = duplexPair(options.streams === undefined ? {} : { streams: options.streams as never });
  const session = new H2Session(a, { ...options, role });
  const wire = new WirePeer(b, role === 'server' ? 'client' : 'server');
  await wire.send(wire.peer.greeting(peerSettings));
  await settle();
  wire.peer.drain();
  await wire.send(wire.peer.settingsAck());
  await settle();
  return { session, wire, peer: wire.peer, end: a as DuplexEnd, peerEnd: b as DuplexEnd };
}

/** A client and a server session over one in-memory pair. */
export function sessionPair(options: { server?: SessionOptions; client?: SessionOptions; capacity?: number } = {}) {
  const [a, b] = duplexPair(options.capacity === undefined ? {} : { capacity: options.capacity });
  const server = new H2Session(a, { ...options.server, role: 'server' });
  const client = new H2Session(b, { ...options.client, role: 'client' });
  return { server, client, serverEnd: a, clientEnd: b };
}

/** The names of the tracked promises still pending. */
export function pendingNames(tracked: Record<string, Tracked>): string[] {
  return Object.entries(tracked)
    .filter(([, t]) => !t.settled)
    .map(([name]) => name);
}

/** The tracked promises that rejected with something else than a typed H2SessionError / H2StreamError. */
export function untyped(tracked: Record<string, Tracked>): string[] {
  return Object.entries(tracked)
    .filter(([, t]) => t.failed !== undefined && !(t.failed instanceof H2SessionError || t.failed instanceof H2StreamError))
    .map(([name, t]) => `${name}: ${String(t.failed)}`);
}

/**
 * After a transport failure: nothing tracked is still pending, every rejection is a typed H2 error, and
 * `tracked['session.closed']` rejected with the session's INTERNAL_ERROR failure, which is returned.
 */
export function assertTransportFailure(tracked: Record<string, Tracked>): H2SessionError {
  assert.equal(pendingNames(tracked), [], 'promises still pending');
  assert.equal(untyped(tracked), [], 'rejections that are not typed H2 errors');
  const closed = tracked['session.closed'] as Tracked;
  assert.instance(closed.failed, H2SessionError, '`closed` rejects with the session failure');
  const failure = closed.failed as H2SessionError;
  assert.is(failure.code, ErrorCodes.INTERNAL_ERROR);
  return failure;
}

/**
 * Leaves `incoming` with a read given up: a read waits (its pull marks the queue as wanting an item), then
 * its reader is released (rejecting it). The next stream must not go to the stream's own queue, where a
 * cancel would discard it unseen.
 */
export async function giveUpARead(session: H2Session): Promise<void> {
  const reader = session.incoming.getReader();
  const given = track(reader.read());
  await settle();
  reader.releaseLock();
  await settle();
  assert.ok(given.failed instanceof TypeError, 'releasing the reader rejects its waiting read');
}
