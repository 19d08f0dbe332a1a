/**
 * A WebTransport bidirectional stream → the `{ readable, writable }` pair an `H2Session` runs over, and the
 * WebTransport shapes h2flow uses (declared here: the build's lib has no DOM). Layer: transport (Web APIs
 * only).
 */
import { globalStreams, type H2Transport, type StreamConstructors } from '../streams/types.ts';
import type { SessionOptions } from './serve-args.ts';
import { sessionStreams } from './session-server.ts';

/** A WebTransport bidirectional stream (`WebTransportBidirectionalStream`; Deno's `QuicBidirectionalStream`). */
export interface WebTransportBidiStreamLike {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
}

/** How a WebTransport session closed (`WebTransportCloseInfo`). */
export interface WebTransportCloseInfoLike {
  readonly closeCode?: number;
  readonly reason?: string;
}

/** What h2flow uses of a `WebTransport` session (the W3C interface: browsers' and Deno's, client or server). */
export interface WebTransportLike {
  readonly ready: Promise<unknown>;
  /** Fulfils when the session closed cleanly (either side's `close()`), rejects when it was lost. */
  readonly closed: Promise<WebTransportCloseInfoLike>;
  readonly incomingBidirectionalStreams: ReadableStream<WebTransportBidiStreamLike>;
  createBidirectionalStream(): Promise<WebTransportBidiStreamLike>;
  close(info?: WebTransportCloseInfoLike): void;
}

/** Options of {@link webTransportTransport}. */
export interface WebTransportTransportOptions {
  /**
   * The session the stream belongs to. When given, a read that fails because that session closed cleanly
   * (close code 0, by either side) ends the input instead of failing it, as a TCP FIN would: the HTTP/2
   * session above still fails if streams were open. Deno 2.9 sends no FIN when a WebTransport stream is
   * closed (denoland/deno#36822), so there the session's close is the only end a peer sees.
   */
  readonly webTransport?: WebTransportLike;
  /** Web Streams implementation to build the pair with (default: the runtime's globals). */
  readonly streams?: StreamConstructors;
  /**
   * Called once when the pair's writable side is done: closed, aborted, or failed by a write (the HTTP/2
   * session above closes or aborts it whenever it ends).
   */
  readonly onEnd?: () => void;
}

/** How long a failed read waits for the session's `closed` to tell a clean close from a lost one. */
const CLOSE_VERDICT_MS = 1000;

/**
 * True if `wt` closed cleanly (code 0) within {@link CLOSE_VERDICT_MS}; false if it failed or is still open,
 * and at once for a `WebTransportError` the stream itself caused (the peer reset it: the session lives on).
 */
async function closedCleanly(wt: WebTransportLike | undefined, error: unknown): Promise<boolean> {
  if (wt === undefined || (error as { source?: unknown } | null)?.source === 'stream') return false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), CLOSE_VERDICT_MS)));
  const verdict = wt.closed.then(
    (info) => (info?.closeCode ?? 0) === 0,
    () => false,
  );
  try {
    return await Promise.race([verdict, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Wraps a WebTransport bidirectional stream as the `{ readable, writable }` pair an `H2Session` runs over,
 * on the client (a stream from `createBidirectionalStream()`) or the server (one from
 * `incomingBidirectionalStreams`). Nothing is buffered here: the readable reads the stream only when the
 * session asks (QUIC flow control holds the rest at the peer), and each write resolves only once the
 * stream took it, one chunk in flight. Closing the writable half-closes (FIN); aborting it resets the
 * stream (RESET_STREAM) at once, without waiting for a write the peer holds up (CVE-2019-9517 "Internal
 * Data Buffering"); cancelling the readable sends STOP_SENDING. A peer's FIN ends the readable, and a
 * reset errors it.
 *
 * @example
 * ```ts
 * const wt = new WebTransport('https://example.com:4433/h2', { serverCertificateHashes });
 * await wt.ready;
 * const session = new H2Session(webTransportTransport(await wt.createBidirectionalStream(), { webTransport: wt }), { role: 'client' });
 * ```
 */
export function webTransportTransport(bidi: WebTransportBidiStreamLike, options: WebTransportTransportOptions = {}): H2Transport {
  const { ReadableStream: RS, WritableStream: WS } = options.streams ?? globalStreams();
  const reader = bidi.readable.getReader();
  const writer = bidi.writable.getWriter();
  let readDone = false;
  const readable = new RS<Uint8Array>(
    {
      async pull(controller) {
        let result: Awaited<ReturnType<typeof reader.read>>;
        try {
          result = await reader.read();
        } catch (error) {
          if (readDone) return;
          const clean = await closedCleanly(options.webTransport, error);
          if (readDone) return;
          readDone = true;
          if (clean) controller.close();
          else controller.error(error);
          return;
        }
        if (readDone) return;
        if (result.done) {
          readDone = true;
          controller.close();
        } else {
          controller.enqueue(result.value);
        }
      },
      cancel(reason) {
        readDone = true;
        return reader.cancel(reason).catch(() => undefined);
      },
    },
    // Pulled only while the session waits for bytes: the stream's own receive window is the buffer.
    { highWaterMark: 0 },
  );

  let ended = options.onEnd === undefined;
  const end = (): void => {
    if (ended) return;
    ended = true;
    options.onEnd?.();
  };
  let abortWrite: ((reason: unknown) => void) | null = null;
  const aborted = new Promise<never>((_, reject) => (abortWrite = reject));
  aborted.catch(() => undefined);
  const reset = (reason: unknown): void => {
    end();
    abortWrite?.(reason);
    abortWrite = null;
    writer.abort(reason).catch(() => undefined);
  };
  const writable = new WS<Uint8Array>({
    start(controller) {
      // Web Streams call abort() only after a write in flight settles, and a peer that stops reading
      // holds it forever: the signal fires at once, and the stream is reset then.
      (controller as WritableStreamDefaultController & { readonly signal?: AbortSignal }).signal?.addEventListener('abort', () => reset(new Error('h2flow: WebTransport stream aborted')), { once: true });
    },
    write(chunk) {
      const written = writer.write(chunk);
      // Once the reset won the race, the write's own rejection has no one to see it.
      written.catch(end);
      return Promise.race([written, aborted]);
    },
    close: () => writer.close().finally(end),
    abort: (reason) => reset(reason),
  });
  return { readable, writable };
}

/**
 * Hands each bidirectional stream the client opens on `wt` to `accept` as an HTTP/2 transport, until the
 * session ends (cleanly or not: resolves either way). Closes `wt` once no tunnel was open for the idle
 * timeout (`session.timeouts.idle`, default 180 s; 0 = never). Shared by {@link serveWebTransportSession} and the
 * Deno server.
 */
export async function acceptTunnels(wt: WebTransportLike, session: SessionOptions | undefined, accept: (pair: H2Transport) => void): Promise<void> {
  const streams = sessionStreams(session);
  // A session with no tunnel open is closed once it stayed so for the HTTP/2 idle timeout (the same
  // policy as a connection with no stream): a client that sets up sessions and opens no tunnel, or
  // keeps one after its tunnels ended, holds a QUIC connection for that long at most.
  const idleMs = session?.timeouts?.idle ?? DEFAULT_TUNNEL_IDLE_MS;
  let live = 0;
  let idle: ReturnType<typeof setTimeout> | undefined;
  let over = false;
  const armIdle = (): void => {
    if (idleMs > 0 && !over) idle = setTimeout(() => closeIdle(wt), idleMs);
  };
  const onEnd = (): void => {
    if (--live === 0) armIdle();
  };
  armIdle();
  const finished = (): void => {
    over = true;
    clearTimeout(idle);
  };
  wt.closed.then(finished, finished);
  const reader = wt.incomingBidirectionalStreams.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      live++;
      clearTimeout(idle);
      accept(webTransportTransport(value, { webTransport: wt, ...streams, onEnd }));
    }
  } catch {
    // The session closed or was lost: no more streams.
  } finally {
    reader.releaseLock();
  }
}

/** A server session's default idle timeout (the HTTP/2 server's, `H2Timeouts.idle`). */
const DEFAULT_TUNNEL_IDLE_MS = 180_000;

function closeIdle(wt: WebTransportLike): void {
  try {
    wt.close({ closeCode: 0, reason: 'idle' });
  } catch {
    // Already closed.
  }
}
