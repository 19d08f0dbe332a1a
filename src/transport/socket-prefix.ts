/**
 * Reads the first bytes of a Node socket until they decide something (what protocol it speaks, a PROXY
 * header), before anything else reads it, then puts back the bytes the next stage must see.
 * Layer: transport (Node).
 */
import type { Socket } from 'node:net';

/** What the bytes read so far decide: `undefined` while more are needed, `null` to refuse the connection. */
export type PrefixDecision<T> = { readonly value: T; readonly keepFrom: number } | null | undefined;

/**
 * Reads `socket` until `decide` (given every byte read so far) returns a decision, then leaves the socket
 * paused with the bytes from `keepFrom` on put back (`socket.unshift`) and resolves with its value.
 * Resolves with `null` when `decide` refuses, when the connection ends or fails first, or when nothing
 * decisive arrived within `timeoutMs` (a peer that opens a connection and trickles or withholds its
 * first bytes — Slowloris — would otherwise hold a descriptor forever); the caller closes the socket.
 * `decide` bounds what is buffered: it must refuse a prefix that can no longer become valid.
 */
export function readSocketPrefix<T>(socket: Socket, timeoutMs: number, decide: (bytes: Buffer) => PrefixDecision<T>): Promise<T | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (decision: PrefixDecision<T>, bytes: Buffer | null): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onEnd);
      if (decision == null) {
        resolve(null);
        return;
      }
      socket.pause();
      if (bytes !== null && bytes.length > decision.keepFrom) socket.unshift(decision.keepFrom === 0 ? bytes : bytes.subarray(decision.keepFrom));
      resolve(decision.value);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      total += chunk.length;
      const bytes = chunks.length === 1 ? chunk : Buffer.concat(chunks, total);
      const decision = decide(bytes);
      if (decision !== undefined) finish(decision, bytes);
    };
    const onEnd = (): void => finish(null, null);
    const timer = setTimeout(onEnd, timeoutMs);
    timer.unref?.();
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.once('error', onEnd);
  });
}
