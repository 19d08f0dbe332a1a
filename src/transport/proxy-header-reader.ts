/**
 * Reads a PROXY protocol header (see `proxy-protocol.ts`) off the start of a Node socket, before anything
 * else reads it, and puts the bytes after it back for the next stage (sniffing, TLS, HTTP/1.1).
 * Layer: transport (Node).
 */
import type { Socket } from 'node:net';
import { parseProxyHeader, ProxyHeaderError, type ProxyHeader } from './proxy-protocol.ts';
import { readSocketPrefix, type PrefixDecision } from './socket-prefix.ts';

/**
 * Resolves with the header, or `null` when the connection sent something that is not one, ended or
 * failed, or did not finish its header within `timeoutMs` (a peer that opens a connection and trickles
 * or withholds its header — Slowloris — would otherwise hold a descriptor forever); the caller closes
 * the socket. At most the header's bound is buffered: the parser refuses past it. On success the socket
 * is left paused with every byte after the header unshifted.
 */
export function readProxyHeader(socket: Socket, timeoutMs: number): Promise<ProxyHeader | null> {
  return readSocketPrefix(socket, timeoutMs, proxyDecision);
}

/** Decided once a whole header parsed (the bytes after it are put back) or the bytes cannot be one. */
function proxyDecision(bytes: Buffer): PrefixDecision<ProxyHeader> {
  let header: ProxyHeader | undefined;
  try {
    header = parseProxyHeader(bytes);
  } catch (error) {
    if (error instanceof ProxyHeaderError) return null;
    throw error;
  }
  return header === undefined ? undefined : { value: header, keepFrom: header.length };
}
