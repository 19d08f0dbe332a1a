/**
 * The session's timed policies (SETTINGS acknowledgement, idle, write stall, keepalive), each one
 * `Deadline` on the injected clock that checks on expiry whether there was progress since it was armed.
 * Layer: streams (runtime-neutral).
 */
import { ErrorCodes } from '../core/index.ts';
import { Deadline, type DeadlineTarget, type H2Clock } from './deadline.ts';
import { H2SessionError } from './errors.ts';
import type { SessionPump } from './session-pump.ts';
import { CLOSING, OPEN } from './session-state.ts';
import { StreamStallWatch } from './stream-stall.ts';
import type { OutboundBody } from './outbound-body.ts';

/** The session's timed policies, in milliseconds (0 turns one off). */
export interface H2Timeouts {
  /**
   * How long the peer has to acknowledge our SETTINGS (RFC 9113 §6.5.3) before GOAWAY SETTINGS_TIMEOUT.
   * Armed from the start, so it also drops a peer that never sends its preface (slow-loris). Default 10 000.
   */
  readonly settingsAck?: number;
  /**
   * How long a connection may stay without any open stream before a graceful close (GOAWAY NO_ERROR);
   * stops idle connections from piling up. Default 180 000 on servers (nghttpx's value), 0 on clients.
   */
  readonly idle?: number;
  /**
   * How long the transport may go without accepting any of the bytes the session wrote before the session
   * fails: a peer that stops reading cannot hold the connection's buffers forever (CVE-2019-9517). Checked
   * every half period, so the failure comes between 1× and 1.5× this after the last accepted write.
   * Default 30 000.
   */
  readonly write?: number;
  /** Silence from the peer after which a PING checks that it is still there. Default 0 (off). */
  readonly keepAlive?: number;
  /**
   * How long that PING's ACK may take before the session fails; also how long a `ping()` waits for its
   * ACK before it rejects (the session lives on). Default 15 000 (Go's PingTimeout).
   */
  readonly pingTimeout?: number;
  /**
   * How long a graceful close waits for the peer to acknowledge its GOAWAY/PING round trip (RFC 9113
   * §6.8) before going on without it: a server then sends its final GOAWAY with the real last stream ID.
   * Stops a peer that reads but never answers from holding a closing (or idle-closed) connection open
   * forever, a slow-loris. Default 5 000 (Envoy's drain_timeout between the two GOAWAYs).
   */
  readonly shutdown?: number;
  /**
   * How long a graceful close we started (`close()`, or the idle timeout) lets streams in flight finish;
   * at the deadline they are reset with CANCEL and the transport closes (`closed` then rejects: streams
   * were cut short). Stops a peer from holding a closing connection with a stream it never finishes.
   * Default 30 000.
   */
  readonly drain?: number;
  /**
   * How long a stream's DATA may wait on the peer's flow-control window (the stream's or the
   * connection's) with none of it let through before the stream is reset with CANCEL. Stops a peer that
   * opens many streams and never reads from holding their handlers and queued bodies forever (the
   * transport keeps accepting bytes, so the write timeout does not see it). Streams with nothing to send
   * are not affected. Checked every half period: the reset comes 1× to 1.5× this after the last byte
   * went through. Default 60 000.
   */
  readonly streamStall?: number;
}

/** Default timeouts (security.md §14: nghttpx and Go values). */
const DEFAULT_SETTINGS_ACK_TIMEOUT = 10_000;
const DEFAULT_SERVER_IDLE_TIMEOUT = 180_000;
const DEFAULT_WRITE_TIMEOUT = 30_000;
const DEFAULT_PING_TIMEOUT = 15_000;
const DEFAULT_SHUTDOWN_TIMEOUT = 5_000;
const DEFAULT_DRAIN_TIMEOUT = 30_000;
const DEFAULT_STREAM_STALL_TIMEOUT = 60_000;

/** Which of the session's deadlines expired (the `kind` each `Deadline` hands back). */
const SETTINGS = 0;
const IDLE = 1;
const WRITE = 2;
const KEEP_ALIVE = 3;
const PING = 4;
const SHUTDOWN = 5;
const DRAIN = 6;
const CLOSING_KIND = 7;

/** The timers few sessions ever arm (keepalive, close phases, stream stall, ping()): made together, on first use. */
class RareTimers {
  keepAlive: Deadline | null = null;
  ping: Deadline | null = null;
  shutdown: Deadline | null = null;
  drain: Deadline | null = null;
  closing: Deadline | null = null;
  streamStall: StreamStallWatch | null = null;
  /** The deadline of each `ping()` awaiting its ACK, by its counter. */
  pingDeadlines: Map<number, Deadline> | null = null;
}

/**
 * The session's timers and the progress counters they compare. Each timer (a `Deadline` and its
 * callback) is made when first armed: a connection that never closes, pings or stalls pays only for the
 * few it runs (SETTINGS acknowledgement, idle, write).
 */
export class SessionTimers implements DeadlineTarget {
  readonly #pump: SessionPump;
  /** Streams opened so far (either side). */
  opened = 0;
  /** Reads from the transport so far. */
  received = 0;
  readonly #clock: H2Clock;
  readonly #timeouts: H2Timeouts;
  #settings: Deadline | null = null;
  #idle: Deadline | null = null;
  #write: Deadline | null = null;
  /** The rest, made when one is first needed (an idle connection runs only the three above). */
  #rare: RareTimers | null = null;
  #openedSeen = 0;
  #writtenSeen = 0;
  #writeStrikes = 0;
  #receivedSeen = 0;

  constructor(pump: SessionPump, clock: H2Clock, timeouts: H2Timeouts) {
    this.#pump = pump;
    this.#clock = clock;
    this.#timeouts = timeouts;
  }

  /** How long a PING's ACK may take. */
  get #pingTimeout(): number {
    return this.#timeouts.pingTimeout ?? DEFAULT_PING_TIMEOUT;
  }

  /** The session started: the policies that run from the start (SETTINGS acknowledgement, idle, keepalive). */
  start(): void {
    this.settings.arm();
    this.armIdle();
    if ((this.#timeouts.keepAlive ?? 0) > 0) this.keepAlive.arm();
  }

  /** No stream is open: the idle timeout runs (where it is on). */
  armIdle(): void {
    if (this.#idle !== null || (this.#timeouts.idle ?? (this.#pump.isClient ? 0 : DEFAULT_SERVER_IDLE_TIMEOUT)) > 0) this.idle.arm();
  }

  /** The peer's acknowledgement of our SETTINGS. */
  get settings(): Deadline {
    return (this.#settings ??= new Deadline(this.#clock, this.#timeouts.settingsAck ?? DEFAULT_SETTINGS_ACK_TIMEOUT, this, SETTINGS));
  }

  /** Every SETTINGS we sent is acknowledged: the deadline stops, and is let go until the next SETTINGS. */
  settingsAcknowledged(): void {
    this.#settings?.disarm();
    this.#settings = null;
  }

  /** A connection without open streams. */
  get idle(): Deadline {
    return (this.#idle ??= new Deadline(this.#clock, this.#timeouts.idle ?? (this.#pump.isClient ? 0 : DEFAULT_SERVER_IDLE_TIMEOUT), this, IDLE));
  }

  /**
   * Writes the transport does not accept. Checked every half period: a stall is two checks in a row with
   * no write completed, so it is caught between 1× and 1.5× the timeout after the last completed write
   * (one full-period check would take up to 2×).
   */
  get write(): Deadline {
    return (this.#write ??= new Deadline(this.#clock, (this.#timeouts.write ?? DEFAULT_WRITE_TIMEOUT) / 2, this, WRITE));
  }

  /** Silence from the peer (keepalive PING). */
  get keepAlive(): Deadline {
    return ((this.#rare ??= new RareTimers()).keepAlive ??= new Deadline(this.#clock, this.#timeouts.keepAlive ?? 0, this, KEEP_ALIVE));
  }

  /** The keepalive PING's ACK. */
  get ping(): Deadline {
    return ((this.#rare ??= new RareTimers()).ping ??= new Deadline(this.#clock, this.#pingTimeout, this, PING));
  }

  /** A graceful close's GOAWAY/PING round trip. */
  get shutdown(): Deadline {
    return ((this.#rare ??= new RareTimers()).shutdown ??= new Deadline(this.#clock, this.#timeouts.shutdown ?? DEFAULT_SHUTDOWN_TIMEOUT, this, SHUTDOWN));
  }

  /** A graceful close's streams in flight. */
  get drain(): Deadline {
    return ((this.#rare ??= new RareTimers()).drain ??= new Deadline(this.#clock, this.#timeouts.drain ?? DEFAULT_DRAIN_TIMEOUT, this, DRAIN));
  }

  /** The transport's close (its last flush): the write timeout's full period. */
  get closing(): Deadline {
    return ((this.#rare ??= new RareTimers()).closing ??= new Deadline(this.#clock, this.#timeouts.write ?? DEFAULT_WRITE_TIMEOUT, this, CLOSING_KIND));
  }

  /** `body` just waited on a peer's window: the stream-stall deadline watches it. */
  streamBlocked(body: OutboundBody): void {
    ((this.#rare ??= new RareTimers()).streamStall ??= new StreamStallWatch(this.#pump, this.#clock, this.#timeouts.streamStall ?? DEFAULT_STREAM_STALL_TIMEOUT)).blocked(body);
  }

  /** `body`'s stream is over. */
  streamOver(body: OutboundBody): void {
    this.#rare?.streamStall?.forget(body);
  }

  /** The session's transport is closed: its last timers stop. */
  stopWrites(): void {
    this.#rare?.closing?.disarm();
    this.#write?.disarm();
  }

  /** A transport write started: the write timer watches it unless it already runs. */
  onWriteStarted(): void {
    if (this.write.armed) return;
    this.#writtenSeen = this.#pump.output.written;
    this.#writeStrikes = 0;
    this.write.arm();
  }

  /** `ping()` number `n` was sent: it rejects if its ACK does not come within `pingTimeout`. */
  watchPing(n: number): void {
    const deadline = new Deadline(this.#clock, this.#pingTimeout, {
      onDeadline: () => {
        this.#rare?.pingDeadlines?.delete(n);
        this.#pump.settlePing(n, true);
        return false;
      },
    });
    if (!deadline.enabled) return;
    ((this.#rare ??= new RareTimers()).pingDeadlines ??= new Map()).set(n, deadline);
    deadline.arm();
  }

  /** `ping()` number `n` settled. */
  pingSettled(n: number): void {
    const deadlines = this.#rare?.pingDeadlines;
    const deadline = deadlines?.get(n);
    if (deadline === undefined) return;
    deadlines?.delete(n);
    deadline.disarm();
  }

  /** The session is ending: every policy but the write timers stops (those watch the last flush). */
  stopPolicies(): void {
    this.#settings?.disarm();
    this.#idle?.disarm();
    const rare = this.#rare;
    if (rare === null) return;
    rare.keepAlive?.disarm();
    rare.ping?.disarm();
    rare.shutdown?.disarm();
    rare.drain?.disarm();
    rare.streamStall?.stop();
    const pings = rare.pingDeadlines;
    if (pings !== null) {
      for (const deadline of pings.values()) deadline.disarm();
      pings.clear();
    }
  }

  /** One of the session's deadlines expired: its policy decides whether it runs again. */
  onDeadline(kind: number): boolean {
    switch (kind) {
      case SETTINGS:
        return this.#onSettingsTimeout();
      case IDLE:
        return this.#onIdleTimeout();
      case WRITE:
        return this.#onWriteTimeout();
      case KEEP_ALIVE:
        return this.#onKeepAliveTimeout();
      case PING:
        return this.#onPingTimeout();
      case SHUTDOWN:
        this.#pump.lifecycle.endRoundTrip();
        return false;
      case DRAIN:
        this.#pump.lifecycle.onDrainTimeout();
        return false;
      default:
        this.#pump.lifecycle.onStalled('the transport did not finish closing in time');
        return false;
    }
  }

  #onSettingsTimeout(): boolean {
    const pump = this.#pump;
    if (pump.unackedSettings === 0 || pump.state >= CLOSING) return false;
    // RFC 9113 §6.5.3: "If the sender of a SETTINGS frame does not receive an acknowledgment within a
    // reasonable amount of time, it MAY issue a connection error of type SETTINGS_TIMEOUT."
    const code = ErrorCodes.SETTINGS_TIMEOUT;
    pump.lifecycle.terminate(code, new H2SessionError(code, false, 'the peer did not acknowledge SETTINGS in time'), true);
    return false;
  }

  #onIdleTimeout(): boolean {
    const pump = this.#pump;
    if (pump.state !== OPEN || pump.records.size > 0) return false;
    if (this.opened !== this.#openedSeen) {
      this.#openedSeen = this.opened;
      return true;
    }
    void pump.close();
    return false;
  }

  #onWriteTimeout(): boolean {
    const output = this.#pump.output;
    if (output.inFlight === 0) return false;
    if (output.written !== this.#writtenSeen) {
      this.#writtenSeen = output.written;
      this.#writeStrikes = 0;
      return true;
    }
    if (++this.#writeStrikes < 2) return true;
    this.#pump.lifecycle.onStalled('the transport accepted no data in time (the peer is not reading)');
    return false;
  }

  #onKeepAliveTimeout(): boolean {
    if (this.#pump.state >= CLOSING) return false;
    if (this.received !== this.#receivedSeen) {
      this.#receivedSeen = this.received;
      return true;
    }
    this.ping.arm();
    // Untimed: the keepalive's own PING timer fails the session instead.
    this.#pump.ping(false).then(() => this.#onKeepAliveAck(), () => undefined);
    return false;
  }

  #onKeepAliveAck(): void {
    this.#rare?.ping?.disarm();
    this.keepAlive.arm();
  }

  #onPingTimeout(): boolean {
    if (this.#pump.state < CLOSING) this.#pump.lifecycle.onStalled('the peer did not answer a keepalive PING in time');
    return false;
  }
}
