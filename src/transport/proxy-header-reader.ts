/**
 * Reads a PROXY protocol header (see `proxy-protocol.ts`) off the start of a Node socket, before anything
 * else reads it, and puts the bytes after it back for the next stage (sniffing, TLS, HTTP/1.1).
 * Layer: transport (Node).
 */
import type { Socket } from 'node:net';
import { parseProxyHeader, ProxyHeaderError, type ProxyHeader } from './proxy-protocol.ts';

/**
 * Resolves with the header, or `null` when the connection sent something that is not one, ended or
 * failed, or did not finish its header within `timeoutMs` (a peer that opens a connection and trickles
 * or withholds its header — Slowloris — would otherwise hold a descriptor forever); the caller closes
 * the socket. At most the header's bound is buffered: the parser refuses past it. On success the socket
 * is left paused with every byte after the header unshifted.
 */
export function readProxyHeader(socket: Socket, timeoutMs: number): Promise<ProxyHeader | null> {
  return new Promise((resolve) => {
    let buffered: Buffer | null = null;
    const finish = (header: ProxyHeader | null): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onEnd);
      if (header !== null) {
        socket.pause();
        if (buffered!.length > header.length) socket.unshift(buffered!.subarray(header.length));
      }
      resolve(header);
    };
    const onData = (chunk: Buffer): void => {
      buffered = buffered === null ? chunk : Buffer.concat([buffered, chunk]);
      let header: ProxyHeader | undefined;
      try {
        header = parseProxyHeader(buffered);
      } catch (error) {
        if (!(error instanceof ProxyHeaderError)) throw error;
        finish(null);
        return;
      }
      if (header !== undefined) finish(header);
    };
    const onEnd = (): void => finish(null);
    const timer = setTimeout(() => finish(null), timeoutMs);
    timer.unref?.();
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.once('error', onEnd);
  });
}
