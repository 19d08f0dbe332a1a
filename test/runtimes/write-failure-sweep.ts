/**
 * Run inside Deno or Bun (the runtime named by the last argument) by
 * test/transport/runtime-write-failure.test.ts: the socket write-failure sweep (test/support/socket-sweep.ts)
 * over the runtime's own listener (Deno.listen through denoConnToPair, Bun.listen through BunSocketPair,
 * as h2flow/deno's and h2flow/bun's listeners make them) and over the runtime's `node:net` through
 * socketToPair (h2flow/deno's default transport, h2flow/node's serve() in Bun). The client resetting the
 * connection is the runtime's `node:net` (`resetAndDestroy`: SO_LINGER 0, then close, sends RST).
 * Prints one `RESULT {"drive","point","ok","error"?}` line per case, then `DONE`; a case that does not
 * finish within CASE_DEADLINE_MS (a promise that never settles) is reported as failed, and the process
 * then exits at once instead of waiting on what hangs.
 */
import { denoConnToPair, type DenoConn } from '../../src/transport/deno-conn';
import { BunSocketPair, bunSocketHandlers, type BunSocket } from '../../src/transport/bun-socket';
import { netDrive, resettingClient, RUNTIME_SWEEP_DRIVES, SOCKET_PAIR_VIEWS, SWEEP_POINTS, sweepCase, type SweepDrive } from '../support/socket-sweep';

/** A wall-clock bound on one case, far above what one takes (~50 ms): the session's own clock never moves. */
const CASE_DEADLINE_MS = 10_000;

interface DenoListener {
  readonly addr: { readonly port: number };
  accept(): Promise<DenoConn>;
  close(): void;
}
interface DenoGlobal {
  listen(options: { port: number; hostname: string }): DenoListener;
  readonly errors: Record<string, new (...args: never[]) => Error>;
}
interface BunGlobal {
  listen(options: { hostname: string; port: number; allowHalfOpen: boolean; socket: object }): { readonly port: number; stop(closeActive?: boolean): void };
}

/** Resolves once, from any caller. */
function latch(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/**
 * Deno.listen's connection through denoConnToPair. The connection is watched through a wrapper (the
 * pair uses only these members): a write Deno took only part of means the kernel's buffer is full, a read
 * or write that fails means the reset was seen, and `close()` must be called whatever happens (a Deno
 * resource stays open until it is).
 */
function denoDrive(D: DenoGlobal): SweepDrive {
  return {
    name: RUNTIME_SWEEP_DRIVES.deno[0],
    async open() {
      const listener = D.listen({ port: 0, hostname: '127.0.0.1' });
      const accepting = listener.accept();
      const client = await resettingClient(listener.addr.port);
      const conn = await accepting;
      const failed = latch();
      let partial = false;
      let closed = false;
      const seen = <T>(p: Promise<T>): Promise<T> => p.catch((error: unknown) => (failed.open(), Promise.reject(error)));
      const watched: DenoConn = {
        remoteAddr: conn.remoteAddr,
        setNoDelay: (on) => conn.setNoDelay?.(on),
        read: (p) => seen(conn.read(p)),
        write: (p) =>
          seen(conn.write(p)).then((n) => {
            if (n < p.byteLength) partial = true;
            return n;
          }),
        closeWrite: () => seen(conn.closeWrite()),
        close: () => {
          closed = true;
          conn.close();
        },
      };
      const resetNames = new Set(['ConnectionReset', 'BrokenPipe']);
      return {
        client,
        end: {
          transport: denoConnToPair(watched),
          backedUp: () => partial,
          failed: () => failed.promise,
          released: () => closed,
          isSocketError: (cause) => cause instanceof Error && resetNames.has(cause.name) && cause instanceof D.errors[cause.name]!,
        },
        dispose: () => {
          listener.close();
          try {
            if (!closed) conn.close();
          } catch {
            // Closed by the pair.
          }
        },
      };
    },
  };
}

/**
 * Bun.listen's socket through BunSocketPair, made in `open` as h2flow/bun's listener makes it, with
 * h2flow/bun's handlers. The pair writes through a wrapper (Bun's socket is a native object): a write
 * Bun took only part of means the kernel's buffer is full. Bun closes the socket itself when it reports
 * the reset (its `close` handler).
 */
function bunDrive(B: BunGlobal): SweepDrive {
  return {
    name: RUNTIME_SWEEP_DRIVES.bun[0],
    async open() {
      const failed = latch();
      let partial = false;
      let closed = false;
      let pair: BunSocketPair | null = null;
      let accepted!: () => void;
      const opened = new Promise<void>((resolve) => (accepted = resolve));
      const listener = B.listen({
        hostname: '127.0.0.1',
        port: 0,
        allowHalfOpen: true,
        socket: {
          ...bunSocketHandlers,
          open(socket: BunSocket) {
            const wrapper: BunSocket = {
              data: undefined,
              remoteAddress: socket.remoteAddress,
              write: (data) => {
                const n = socket.write(data);
                if (n < data.byteLength) partial = true;
                return n;
              },
              shutdown: (half) => socket.shutdown(half),
              end: () => socket.end(),
              terminate: () => socket.terminate(),
              pause: () => socket.pause(),
              resume: () => socket.resume(),
              setNoDelay: (on) => socket.setNoDelay?.(on) ?? false,
            };
            pair = new BunSocketPair(wrapper);
            socket.data = pair;
            accepted();
          },
          close(socket: BunSocket, error?: unknown) {
            closed = true;
            failed.open();
            bunSocketHandlers.close(socket, error);
          },
          error(socket: BunSocket, error: unknown) {
            failed.open();
            bunSocketHandlers.error(socket, error);
          },
        },
      });
      const client = await resettingClient(listener.port);
      await opened;
      return {
        client,
        end: {
          transport: pair!,
          backedUp: () => partial,
          failed: () => failed.promise,
          released: () => closed,
          isSocketError: (cause) => {
            const code = (cause as { code?: unknown } | undefined)?.code;
            return code === 'ECONNRESET' || code === 'EPIPE';
          },
        },
        dispose: () => listener.stop(true),
      };
    },
  };
}

/** An error as one line: an uvu assertion with what it expected and got. */
function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const a = e as Error & { expects?: unknown; actual?: unknown };
  const values = 'expects' in a ? ` (expected ${JSON.stringify(a.expects)}, got ${JSON.stringify(a.actual)})` : '';
  return `${e.name}: ${e.message}${values}`;
}

const runtime = process.argv[process.argv.length - 1] as keyof typeof RUNTIME_SWEEP_DRIVES;
const g = globalThis as { Deno?: DenoGlobal; Bun?: BunGlobal };
const native = runtime === 'deno' ? denoDrive(g.Deno!) : bunDrive(g.Bun!);
const drives = [native, ...SOCKET_PAIR_VIEWS.map((view, i) => netDrive(view, RUNTIME_SWEEP_DRIVES[runtime][i + 1]))];

let hung = false;
for (const drive of drives) {
  for (const point of SWEEP_POINTS) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the case did not finish within ${CASE_DEADLINE_MS} ms: something the session handed out never settled`)), CASE_DEADLINE_MS);
    });
    let error: string | undefined;
    try {
      await Promise.race([sweepCase(drive, point), deadline]);
    } catch (e) {
      error = describe(e);
      if (/did not finish/.test(error)) hung = true;
    } finally {
      clearTimeout(timer);
    }
    console.log(`RESULT ${JSON.stringify({ drive: drive.name, point: point.name, ok: error === undefined, ...(error === undefined ? {} : { error }) })}`);
  }
}
console.log('DONE');
// A hung case holds its connection open: exit rather than wait on it (its failure is already reported).
if (hung) process.exit(1);
