/**
 * The address of a server-side connection's peer, in one place: the socket's own, unless a PROXY
 * protocol header (`ListenOptions.proxyProtocol`) named the client behind the proxy. Every server-side
 * reader (the abuse guard, `AcceptedSession.remoteAddr`, `info.remoteAddr` over HTTP/2 and HTTP/1.1, so
 * the CLI's access log) goes through {@link peerAddress}. Layer: transport (Node).
 */
import type { Socket } from 'node:net';
import type { NetAddr } from '../fetch/fetch-server.ts';

/** Addresses PROXY headers gave, by socket (weak: gone with the socket). */
const proxied = new WeakMap<object, NetAddr>();

/** Records the client address a PROXY header carried for `socket` (and any socket wrapping it later). */
export function setPeerAddress(socket: object, address: NetAddr): void {
  proxied.set(socket, address);
}

/** The proxied address recorded for `socket`, if any. */
export function proxiedAddress(socket: object): NetAddr | undefined {
  return proxied.get(socket);
}

/** `socket`'s peer: the address a PROXY header gave it, else the socket's own remote address. */
export function peerAddress(socket: Socket): NetAddr {
  return proxied.get(socket) ?? { transport: 'tcp', hostname: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
}

/** `socket`'s peer host only (the abuse guard's key), without building a NetAddr when not proxied. */
export function peerHost(socket: Socket): string {
  return proxied.get(socket)?.hostname ?? socket.remoteAddress ?? '';
}
