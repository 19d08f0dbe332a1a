/**
 * AbuseGuard: a listener-level policy across connections. Every per-connection budget (reset streams,
 * empty frames, PINGs, ...) starts fresh on each connection, so an attacker that reconnects whenever it
 * is closed spends it again and again (issue 13 measured 3,380 Rapid Reset connections in 30 s). The
 * guard counts, per remote address, the connections that ended in a connection error we sent because of
 * the peer (ENHANCE_YOUR_CALM, PROTOCOL_ERROR, ...; on HTTP/1.1, a malformed request: see
 * `Http1Options.onPeerError`); past a budget within a window, new connections from
 * that address are refused for a cool-down. Runtime-neutral (no timers, a clock function): any
 * transport's listener can use it. Layer: transport.
 */
import { ErrorCodes, H2Error } from '../core/index.ts';
import { H2SessionError } from '../streams/errors.ts';

/** Options of {@link AbuseGuard}; every one has a default. */
export interface AbuseGuardOptions {
  /**
   * How many connections from one address may end in a connection error of ours (see `codes`) within
   * `windowMs` before that address is refused. Default 10: an honest client (or a NAT full of them)
   * practically never makes a server send GOAWAY with an error, while an attacker reconnecting after
   * each GOAWAY ENHANCE_YOUR_CALM hits it within seconds.
   */
  readonly maxAbusiveConnections?: number;
  /** The window those connections are counted in, in ms. Default 60,000. */
  readonly windowMs?: number;
  /** How long new connections from a refused address are closed at once, in ms. Default 60,000. */
  readonly coolDownMs?: number;
  /**
   * The most addresses tracked; past it the least recently updated one is forgotten, so an attacker
   * with many addresses cannot grow the table (it can only make the guard forget). Only addresses that
   * ended a connection in error are tracked. Default 10,000 (about 1 MiB).
   */
  readonly maxAddresses?: number;
  /**
   * The GOAWAY error codes that count (errors we sent because of what the peer sent). Default
   * PROTOCOL_ERROR, FLOW_CONTROL_ERROR, FRAME_SIZE_ERROR, COMPRESSION_ERROR and ENHANCE_YOUR_CALM.
   */
  readonly codes?: readonly number[];
  /**
   * How long a refused connection is held open, unread, before it is closed, in ms; 0 closes it at once.
   * An attacker that reconnects whenever it is closed otherwise spins through hundreds of refused
   * connections a second, each costing a TCP handshake, an accept and a close (CPU every benign client
   * loses); held, the same loop makes one connection per hold. Default 10,000. Cleartext listeners of
   * h2flow/node and h2flow/deno hold; a TLS listener (whose handshake starts with the accept) and Bun's
   * listener close at once.
   */
  readonly holdRefusedMs?: number;
  /**
   * The most refused connections a listener holds at once; past it they are closed at once. Each held one
   * keeps a descriptor, the runtime's read-ahead (Node: up to 64 KiB) and the kernel's receive buffer.
   * Default 64.
   */
  readonly maxHeldConnections?: number;
  /** The clock, in ms. Default `Date.now`. */
  readonly now?: () => number;
}

interface Entry {
  /** Abusive connections counted in the current window. */
  count: number;
  windowStart: number;
  /** Refused until then (0: admitted). */
  refusedUntil: number;
}

const DEFAULT_CODES = [ErrorCodes.PROTOCOL_ERROR, ErrorCodes.FLOW_CONTROL_ERROR, ErrorCodes.FRAME_SIZE_ERROR, ErrorCodes.COMPRESSION_ERROR, ErrorCodes.ENHANCE_YOUR_CALM];

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, not ${String(value)}`);
  return value;
}

/**
 * The key an address is counted under: an IPv4 address as it is (IPv4-mapped IPv6 addresses are
 * unwrapped), an IPv6 address by its /64 prefix — one host usually holds a whole /64, so counting single
 * addresses would let it rotate through 2^64 of them.
 */
export function addressKey(address: string): string {
  let a = address.toLowerCase();
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  if (!a.includes(':')) return a;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped !== null) return mapped[1]!;
  const halves = a.split('::');
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length > 1 && halves[1] !== '' ? halves[1]!.split(':') : [];
  const groups = halves.length > 1 ? [...head, ...Array<string>(Math.max(0, 8 - head.length - tail.length)).fill('0'), ...tail] : head;
  return `${groups
    .slice(0, 4)
    .map((g) => (Number.parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}

/**
 * Per-address budget of connections ended for abuse. `admits()` before serving a connection;
 * `noteSessionEnd()` (or `noteAbuse()`) when one ends. One guard may be shared by several listeners.
 *
 * @example
 * ```ts
 * const guard = new AbuseGuard({ maxAbusiveConnections: 5, coolDownMs: 300_000 });
 * const server = serve(handler, { abuse: guard });
 * ```
 */
export class AbuseGuard {
  readonly maxAbusiveConnections: number;
  readonly windowMs: number;
  readonly coolDownMs: number;
  readonly maxAddresses: number;
  readonly holdRefusedMs: number;
  readonly maxHeldConnections: number;
  readonly #codes: ReadonlySet<number>;
  readonly #now: () => number;
  /** Insertion order is recency: an updated entry is moved to the end, the first one is evicted. */
  readonly #table = new Map<string, Entry>();
  #refused = 0;

  constructor(options: AbuseGuardOptions = {}) {
    this.maxAbusiveConnections = positiveInteger('maxAbusiveConnections', options.maxAbusiveConnections, 10);
    this.windowMs = positiveInteger('windowMs', options.windowMs, 60_000);
    this.coolDownMs = positiveInteger('coolDownMs', options.coolDownMs, 60_000);
    this.maxAddresses = positiveInteger('maxAddresses', options.maxAddresses, 10_000);
    this.holdRefusedMs = options.holdRefusedMs === 0 ? 0 : positiveInteger('holdRefusedMs', options.holdRefusedMs, 10_000);
    this.maxHeldConnections = positiveInteger('maxHeldConnections', options.maxHeldConnections, 64);
    this.#codes = new Set(options.codes ?? DEFAULT_CODES);
    this.#now = options.now ?? Date.now;
  }

  /** How many addresses are tracked (at most `maxAddresses`). */
  get trackedAddresses(): number {
    return this.#table.size;
  }

  /** How many connections `admits()` refused so far. */
  get refusedConnections(): number {
    return this.#refused;
  }

  /** Whether `address` is cooling down now (read-only: counts nothing). */
  isRefusing(address: string): boolean {
    const entry = this.#table.get(addressKey(address));
    return entry !== undefined && entry.refusedUntil !== 0 && this.#now() < entry.refusedUntil;
  }

  /** Whether a new connection from `address` may be served (false while the address cools down). */
  admits(address: string): boolean {
    const entry = this.#table.get(addressKey(address));
    if (entry === undefined || entry.refusedUntil === 0) return true;
    if (this.#now() < entry.refusedUntil) {
      this.#refused++;
      return false;
    }
    entry.refusedUntil = 0;
    entry.count = 0;
    return true;
  }

  /** Counts one connection from `address` that we ended for abuse. */
  noteAbuse(address: string): void {
    const key = addressKey(address);
    const now = this.#now();
    let entry = this.#table.get(key);
    if (entry === undefined) {
      entry = { count: 0, windowStart: now, refusedUntil: 0 };
      if (this.#table.size >= this.maxAddresses) this.#table.delete(this.#table.keys().next().value as string);
    } else {
      this.#table.delete(key);
    }
    this.#table.set(key, entry);
    if (now - entry.windowStart >= this.windowMs) {
      entry.windowStart = now;
      entry.count = 0;
    }
    entry.count++;
    if (entry.count >= this.maxAbusiveConnections) {
      entry.refusedUntil = now + this.coolDownMs;
      entry.count = 0;
      entry.windowStart = now;
    }
  }

  /**
   * Whether a session's end (its `closed` rejection) was a connection error we sent because of the
   * peer: an `H2SessionError` caused by a protocol core error whose code is one of `codes`.
   */
  isAbuse(error: unknown): boolean {
    return error instanceof H2SessionError && error.cause instanceof H2Error && this.#codes.has(error.code);
  }

  /** Counts the session's end against `address` if it {@link isAbuse}. */
  noteSessionEnd(address: string, error: unknown): void {
    if (this.isAbuse(error)) this.noteAbuse(address);
  }
}

/**
 * The `abuse` option of every transport's `serve()`/`listen()`: `true` for the defaults, options, a guard
 * shared with other listeners, or `false` for none.
 */
export type AbuseOption = boolean | AbuseGuardOptions | AbuseGuard;

/** The guard an `abuse` option asks for, or null (`undefined` and `false`: none). */
export function abuseGuardFor(abuse: AbuseOption | undefined): AbuseGuard | null {
  if (abuse === undefined || abuse === false) return null;
  if (abuse instanceof AbuseGuard) return abuse;
  return new AbuseGuard(abuse === true ? {} : abuse);
}
