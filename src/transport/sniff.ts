/**
 * Tells an HTTP/2 connection from an HTTP/1.x one on a cleartext port by its first bytes: the HTTP/2
 * client connection preface (RFC 9113 §3.4) is a fixed 24-octet string no HTTP/1.1 request can start
 * with. Layer: transport (Node).
 */
import type { Socket } from 'node:net';
import { readSocketPrefix, type PrefixDecision } from './socket-prefix.ts';

/** RFC 9113 §3.4: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n". */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** What a connection's first bytes say it speaks; `null` when it ended, failed or said nothing in time. */
export type SniffResult = 'h2' | 'http1' | null;

/** The decision for `bytes` so far: a protocol, or `undefined` while they are still a prefix of the preface. */
export function classify(bytes: Uint8Array): 'h2' | 'http1' | undefined {
  const n = Math.min(bytes.length, PREFACE.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== PREFACE[i]) return 'http1';
  return bytes.length >= PREFACE.length ? 'h2' : undefined;
}

/**
 * Reads from `socket` until its bytes decide between the HTTP/2 preface and anything else, then puts
 * every byte read back (`socket.unshift`), leaves the socket paused, and resolves with the decision.
 * A peer that sends nothing decisive within `timeoutMs` (a connection held open empty, slowloris-style)
 * or closes first gets `null`; the caller destroys the socket.
 */
export function sniffProtocol(socket: Socket, timeoutMs: number): Promise<SniffResult> {
  return readSocketPrefix(socket, timeoutMs, sniffDecision);
}

/** Decided once the bytes leave or complete the preface; every byte read is put back. */
function sniffDecision(bytes: Buffer): PrefixDecision<'h2' | 'http1'> {
  const decided = classify(bytes);
  return decided === undefined ? undefined : { value: decided, keepFrom: 0 };
}
