/**
 * The one owner of an H2Connection: reads the transport, feeds the core, dispatches its events to
 * streams, drains stream bodies into DATA frames as the windows allow, and writes every frame a turn
 * produced in one transport write. Nothing else calls the core. Layer: streams (runtime-neutral).
 */
import { ErrorCodes, H2Configuration, H2Connection, H2Error, ProtocolError } from '../core';
import type { ConnectionTerminated, H2Event, PushedStreamReceived, RequestReceived } from '../core';
import { H2SessionError, H2StreamError } from './errors';
import type { OutboundBody } from './outbound-body';
import { Outcome } from './outcome';
import { PullQueue } from './pull-queue';
import {
  ACKNOWLEDGE,
  DELIVER,
  END_STREAM,
  GOAWAY,
  GRACEFUL_SHUTDOWN,
  INITIATE,
  INITIATE_UPGRADE,
  OPEN_STREAM,
  PING,
  PUSH_STREAM,
  RECEIVE,
  RESET_STREAM,
  SEND_DATA,
  SEND_HEADERS,
  SEND_LAST_DATA,
  SEND_LAST_HEADERS,
  UPDATE_SETTINGS,
  type CoreOp,
} from './core-ops';
import { Deadline, defaultClock } from './deadline';
import type { H2SessionOptions } from './session';
import { SendScheduler } from './scheduler';
import { StreamSlots } from './stream-slots';
import { settingsToCodes, type H2Settings } from './settings';
import type { H2Stream } from './stream';
import { StreamRecord, type StreamHost } from './stream-record';
import { toHeaderList, type H2HeaderList, type H2HeadersInit, type H2Transport, type StreamConstructors } from './types';

/** The options of an `H2Session` (documented there), with the Web Streams implementation resolved. */
export type SessionPumpOptions = Omit<H2SessionOptions, 'streams'> & { readonly streams: StreamConstructors };

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
  /** How long that PING's ACK may take before the session fails. Default 15 000 (Go's PingTimeout). */
  readonly pingTimeout?: number;
}

/** Options of `H2Session.request`. */
export interface RequestOptions {
  /** Send END_STREAM with the headers: the request has no body. */
  readonly endStream?: boolean;
  /** Aborting it before the stream opens rejects the call; afterwards it resets the stream with CANCEL. */
  readonly signal?: AbortSignal;
}

/** Options of `H2Session.close`. */
export interface CloseOptions {
  /** Let streams in flight finish (GOAWAY NO_ERROR, new streams refused). Default true. */
  readonly graceful?: boolean;
  /** The GOAWAY error code of a non-graceful close. Default NO_ERROR. */
  readonly errorCode?: number;
}

/** The default connection receive window: bounds what all streams together may hold unread. */
export const DEFAULT_CONNECTION_WINDOW = 1 << 20;
/** The default number of events `session.events` keeps for a slow reader before dropping some. */
export const DEFAULT_EVENT_BUFFER = 128;
/** The default amount of DATA (bytes) handed to the transport and not yet written before bodies wait. */
export const DEFAULT_OUTBOUND_HIGH_WATER_MARK = 256 * 1024;
/**
 * The default over a vectored transport, whose DATA is the bodies' own chunks (no copy to hold): one
 * writev per MiB, as node:http2 does (bulk transfers over Node sockets reached ~0.85× node:http2's
 * throughput with it, ~0.65× at 256 KiB, mostly spent in writev).
 */
export const DEFAULT_VECTORED_OUTBOUND_HIGH_WATER_MARK = 1024 * 1024;
/** Default timeouts (security.md §14: nghttpx and Go values). */
const DEFAULT_SETTINGS_ACK_TIMEOUT = 10_000;
const DEFAULT_SERVER_IDLE_TIMEOUT = 180_000;
const DEFAULT_WRITE_TIMEOUT = 30_000;
const DEFAULT_PING_TIMEOUT = 15_000;
/** The initial window of RFC 9113 §6.9.2 (before SETTINGS change it). */
const DEFAULT_WINDOW = 65535;
/** Per-frame overhead counted against the outbound high-water mark (the 9-octet frame header). */
const FRAME_HEADER = 9;

const OPEN = 0;
const DRAINING = 1;
const CLOSING = 2;
const DONE = 3;

/** Streams a client opens before the peer's SETTINGS arrive (RFC 9113 §6.5.2 recommends at least 100; Go uses 100). */
const INITIAL_MAX_CONCURRENT_STREAMS = 100;

/**
 * The events `session.events` drops first when its reader falls behind: the ones a peer can produce in
 * bulk (DATA, WINDOW_UPDATE, PING), so header blocks, resets, SETTINGS and GOAWAY survive longest.
 */
function isHighVolumeEvent(event: H2Event): boolean {
  const type = event.type;
  return type === 'DataReceived' || type === 'WindowUpdated' || type === 'PingReceived' || type === 'PingAckReceived';
}

/** Whether a response header block is a 1xx (RFC 9113 §8.1: any number may precede the final one). */
function isInformational(headers: H2HeaderList): boolean {
  for (const [name, value] of headers) {
    if (name === ':status') return value.charCodeAt(0) === 0x31;
    if (name.charCodeAt(0) !== 0x3a) break;
  }
  return false;
}

/** The session's engine; `H2Session` is its public face and `H2Stream`s reach it through `StreamHost`. */
export class SessionPump implements StreamHost {
  readonly conn: H2Connection;
  readonly streams: StreamConstructors;
  readonly isClient: boolean;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #records = new Map<number, StreamRecord>();
  readonly #scheduler = new SendScheduler<OutboundBody>();
  readonly #incoming: PullQueue<H2Stream>;
  readonly #eventCapacity: number;
  readonly #highWaterMark: number;
  readonly #closed = new Outcome<void>();
  #events: PullQueue<H2Event> | null = null;
  #receiveWindow: number;

  // One pump: events wait here while an earlier batch is being dispatched.
  #pending: H2Event[] = [];
  #dispatching = false;
  #pumping = false;

  // Output accounting: bytes queued in the core since the last flush, and written but not yet done.
  #flushScheduled = false;
  #unflushed = 0;
  #inFlight = 0;
  readonly #inFlightSizes: number[] = [];
  /** The transport takes `Uint8Array[]` writes: DATA payloads go out uncopied (see `H2Transport.vectored`). */
  readonly #vectored: boolean;
  /** Vectored: bodies whose bytes went to the core since the last flush, with their `sentTotal` marks. */
  #held: Map<OutboundBody, number> | null = null;
  /** Vectored: the bodies each write in flight still references, released when it completes. */
  readonly #inFlightHeld: (Map<OutboundBody, number> | null)[] = [];
  #backlogDrained: Outcome<void> | null = null;

  #state = OPEN;
  #goawayReceived = false;
  #peerSettingsSeen = false;
  #writerClosed = false;
  #readerDone = false;
  #failure: H2SessionError | null = null;
  #idle: Outcome<void> | null = null;
  #stalled: Outcome<never> | null = null;

  readonly #pings = new Map<number, Outcome<void>>();
  #pingCounter = 0;
  readonly #settingsAcks: Array<Outcome<void> | null> = [];
  readonly #slots = new StreamSlots(() => this.#maxOutboundStreams() - this.conn.openOutboundStreams);
  readonly #checkCanOpen = (): void => this.#assertCanOpen();

  // Timed policies: each timer checks on expiry whether there was activity since it was armed.
  readonly #settingsTimer: Deadline;
  readonly #idleTimer: Deadline;
  readonly #writeTimer: Deadline;
  readonly #keepAliveTimer: Deadline;
  readonly #pingTimer: Deadline;
  #opened = 0;
  #openedSeen = 0;
  #written = 0;
  #writtenSeen = 0;
  #writeStrikes = 0;
  #received = 0;
  #receivedSeen = 0;

  constructor(transport: H2Transport, options: SessionPumpOptions) {
    this.isClient = options.role === 'client';
    this.streams = options.streams;
    this.conn = new H2Connection(new H2Configuration({ ...options.config, clientSide: this.isClient }));
    this.#eventCapacity = options.eventBufferSize ?? DEFAULT_EVENT_BUFFER;
    this.#highWaterMark = options.outboundHighWaterMark ?? (transport.vectored === true ? DEFAULT_VECTORED_OUTBOUND_HIGH_WATER_MARK : DEFAULT_OUTBOUND_HIGH_WATER_MARK);
    this.#incoming = new PullQueue<H2Stream>(Infinity, this.#onIncomingCancelled);
    this.#reader = transport.readable.getReader();
    this.#writer = transport.writable.getWriter();
    this.#vectored = transport.vectored === true;
    const clock = options.clock ?? defaultClock();
    const timeouts = options.timeouts ?? {};
    this.#settingsTimer = new Deadline(clock, timeouts.settingsAck ?? DEFAULT_SETTINGS_ACK_TIMEOUT, this.#onSettingsTimeout);
    this.#idleTimer = new Deadline(clock, timeouts.idle ?? (this.isClient ? 0 : DEFAULT_SERVER_IDLE_TIMEOUT), this.#onIdleTimeout);
    // Checked every half period: a stall is two checks in a row with no write completed, so it is caught
    // between 1× and 1.5× the timeout after the last completed write (one full-period check would take up to 2×).
    this.#writeTimer = new Deadline(clock, (timeouts.write ?? DEFAULT_WRITE_TIMEOUT) / 2, this.#onWriteTimeout);
    this.#keepAliveTimer = new Deadline(clock, timeouts.keepAlive ?? 0, this.#onKeepAliveTimeout);
    this.#pingTimer = new Deadline(clock, timeouts.pingTimeout ?? DEFAULT_PING_TIMEOUT, this.#onPingTimeout);

    const settings = options.settings;
    const connectionWindow = options.connectionWindowSize ?? DEFAULT_CONNECTION_WINDOW;
    const settingCodes = settings === undefined ? null : settingsToCodes(settings);
    const windowIncrement = Math.max(0, connectionWindow - DEFAULT_WINDOW);
    const upgrade = options.upgrade;
    if (upgrade === undefined) this.#run(INITIATE, settingCodes, windowIncrement);
    else this.#run(INITIATE_UPGRADE, { header: upgrade.settingsHeader ?? null, settings: settingCodes }, windowIncrement);
    // The ACK of the initial SETTINGS (which carries `settings`) resolves nothing.
    this.#settingsAcks.push(null);
    this.#receiveWindow = settings?.initialWindowSize ?? this.conn.localSettings.initialWindowSize;
    if (upgrade !== undefined) this.#openUpgradeStream(upgrade.headers);
    this.#settingsTimer.arm();
    this.#idleTimer.arm();
    this.#keepAliveTimer.arm();
    void this.#readLoop();
  }

  // --- public surface used by H2Session ---

  /** Every core event, from the first access on, through a bounded buffer (oldest dropped first). */
  get events(): ReadableStream<H2Event> {
    if (this.#events === null) {
      this.#events = new PullQueue<H2Event>(this.#eventCapacity, null, isHighVolumeEvent);
      if (this.#state === DONE) this.#events.close();
    }
    return this.#events.readable(this.streams);
  }

  /** Events dropped from `events` because its reader fell behind. */
  get droppedEvents(): number {
    return this.#events === null ? 0 : this.#events.dropped;
  }

  /** Server: requests; client: pushed streams. */
  get incoming(): ReadableStream<H2Stream> {
    return this.#incoming.readable(this.streams);
  }

  /** Settles when the transport is done; rejects with the session's failure. */
  get closed(): Promise<void> {
    return this.#closed.promise;
  }

  /** Client: opens a stream with `headers` once MAX_CONCURRENT_STREAMS allows. */
  async request(headers: H2HeadersInit, options: RequestOptions = {}): Promise<H2Stream> {
    if (!this.isClient) throw new TypeError('h2flow: request() is for client sessions');
    const signal = options.signal;
    const list = toHeaderList(headers);
    this.#assertCanOpen();
    signal?.throwIfAborted();
    // Requests wait in FIFO order for a stream slot (the peer's MAX_CONCURRENT_STREAMS).
    let granted = false;
    if (!this.#slots.tryAcquire()) {
      await this.#slots.wait(signal, this.#checkCanOpen);
      granted = true;
    }
    const endStream = options.endStream === true;
    try {
      this.#run(OPEN_STREAM, list, endStream);
    } finally {
      this.#slots.released(granted);
    }
    const id = this.conn.highestOutboundStreamId;
    const record = new StreamRecord(this, id, list, { localEnded: endStream, headersSent: true, parentId: null, receiveWindow: this.#receiveWindow });
    this.#records.set(id, record);
    this.#opened++;
    if (signal !== undefined) this.#bindSignal(record, signal);
    return record.facade;
  }

  /** Sends a PING; resolves when its ACK arrives, rejects if the session ends first (or already has). */
  ping(): Promise<void> {
    if (this.#state >= CLOSING) return Promise.reject(this.#unusable());
    const n = ++this.#pingCounter;
    const data = new Uint8Array(8);
    new DataView(data.buffer).setUint32(4, n);
    this.#run(PING, data, null);
    const ack = new Outcome<void>();
    this.#pings.set(n, ack);
    return ack.promise;
  }

  /** Sends SETTINGS; resolves when the peer acknowledges them, rejects if the session ends first (or already has). */
  updateSettings(settings: H2Settings): Promise<void> {
    if (this.#state >= CLOSING) return Promise.reject(this.#unusable());
    this.#run(UPDATE_SETTINGS, settingsToCodes(settings), null);
    if (settings.initialWindowSize !== undefined) this.#receiveWindow = settings.initialWindowSize;
    const ack = new Outcome<void>();
    this.#settingsAcks.push(ack);
    this.#settingsTimer.arm();
    return ack.promise;
  }

  /** Closes the session (see `H2Session.close`). */
  async close(options: CloseOptions = {}): Promise<void> {
    if (this.#state === OPEN) {
      if (options.graceful === false) {
        const code = options.errorCode ?? ErrorCodes.NO_ERROR;
        this.#terminate(code, new H2SessionError(code, false, 'session closed'), false);
      } else {
        await this.#drain();
      }
    }
    return this.#closed.promise.then(undefined, () => undefined);
  }

  // --- StreamHost: what streams ask of the session ---

  /** Releases window for data the consumer took (or that was discarded). */
  acknowledge(streamId: number, bytes: number): void {
    if (this.#state >= CLOSING || bytes <= 0) return;
    this.#run(ACKNOWLEDGE, streamId, bytes);
  }

  /** The consumer cancelled a body the peer is still sending: RST_STREAM CANCEL. */
  cancelInbound(streamId: number, reason: unknown): void {
    const record = this.#records.get(streamId);
    if (record === undefined) return;
    this.resetStream(record, ErrorCodes.CANCEL, reason);
  }

  /** The producer aborted a writable: RST_STREAM CANCEL. */
  abortOutbound(streamId: number, reason: unknown): void {
    const record = this.#records.get(streamId);
    if (record === undefined) return;
    this.resetStream(record, ErrorCodes.CANCEL, reason);
  }

  /** A body has something to send: queue it and send what the windows allow now (once headers went out). */
  schedule(body: OutboundBody): void {
    const record = this.#records.get(body.streamId);
    if (record !== undefined && !record.headersSent) return;
    this.#scheduler.enqueue(body);
    this.#pumpData();
  }

  /** Sends a response, informational or trailer header block; a final response releases a queued body. */
  sendHeaders(record: StreamRecord, headers: H2HeaderList, endStream: boolean): void {
    this.#assertUsable();
    this.#run(endStream ? SEND_LAST_HEADERS : SEND_HEADERS, record.id, headers);
    if (endStream) {
      record.outbound?.finish();
      record.onLocalEnd();
    } else if (!record.headersSent && !isInformational(headers)) {
      record.headersSent = true;
      const body = record.outbound;
      if (body !== null) this.schedule(body);
    }
  }

  /** RST_STREAM with `code`; both bodies fail with a local `H2StreamError`. */
  resetStream(record: StreamRecord, code: number, cause?: unknown): void {
    if (this.#state < CLOSING) {
      try {
        this.#run(RESET_STREAM, record.id, code);
      } catch (err) {
        // The core already considers the stream closed (e.g. both END_STREAMs crossed): nothing to send.
        if (!(err instanceof H2Error)) throw err;
      }
    }
    record.fail(new H2StreamError(record.id, code, false, undefined, cause === undefined ? undefined : { cause }));
  }

  /** RST_STREAM NO_ERROR after a complete response (RFC 9113 §8.1); the stream itself completes. */
  stopSending(record: StreamRecord): void {
    if (this.#state >= CLOSING) return;
    try {
      this.#run(RESET_STREAM, record.id, ErrorCodes.NO_ERROR);
    } catch (err) {
      if (!(err instanceof H2Error)) throw err;
    }
  }

  /** PUSH_PROMISE on `record` for a new server stream carrying the promised request `headers`. */
  pushStream(record: StreamRecord, headers: H2HeaderList): StreamRecord {
    this.#assertUsable();
    this.#run(PUSH_STREAM, record.id, headers);
    const id = this.conn.highestOutboundStreamId;
    const pushed = new StreamRecord(this, id, headers, { localEnded: false, headersSent: false, parentId: record.id, receiveWindow: this.#receiveWindow });
    // A pushed stream carries no request body: its remote half is closed from the start.
    pushed.remoteEnded = true;
    this.#records.set(id, pushed);
    this.#opened++;
    return pushed;
  }

  /** A stream is over: forget it, free its sender, and wake whoever waits for a slot or for idleness. */
  retire(record: StreamRecord): void {
    if (this.#records.get(record.id) !== record) return;
    this.#records.delete(record.id);
    // A peer stream reset before the application took it from `incoming` is dropped from it, so
    // open-then-reset churn cannot grow the queue (CVE-2023-44487 "Rapid Reset" aims at such backlogs).
    // When the whole session fails, queued streams stay: they show what arrived before the failure.
    if (record.error !== null && this.#failure === null && this.#isPeerStream(record.id)) this.#incoming.delete(record.facade);
    const out = record.outbound;
    if (out !== null) this.#scheduler.remove(out);
    this.#slots.wake();
    if (this.#records.size === 0) {
      if (this.#idle !== null) this.#idle.resolve();
      this.#idleTimer.arm();
    }
  }

  // --- the one pump ---

  /**
   * The only way into the core. Runs one call, then dispatches the events it returned, after it
   * returned; then sends what the windows allow and schedules the flush. A call made while a batch is
   * being dispatched (an enqueue() that synchronously pulls and acknowledges) only queues its events:
   * the outer loop delivers them in order, so the core is never re-entered mid-dispatch.
   */
  #run<A, B>(op: CoreOp<A, B>, a: A, b: B): void {
    const events = op(this.conn, a, b);
    if (events !== undefined) for (let i = 0; i < events.length; i++) this.#pending.push(events[i] as H2Event);
    if (this.#dispatching) return;
    if (this.#pending.length > 0) {
      this.#dispatching = true;
      try {
        const pending = this.#pending;
        for (let i = 0; i < pending.length; i++) this.#dispatch(pending[i] as H2Event);
      } finally {
        this.#pending = [];
        this.#dispatching = false;
      }
    }
    this.#pumpData();
    this.#scheduleFlush();
  }

  /** Transport loop: read, feed the core, write what that produced; pause reading while output backs up. */
  async #readLoop(): Promise<void> {
    const reader = this.#reader;
    try {
      for (;;) {
        if (this.#outputBackedUp()) {
          this.#backlogDrained ??= new Outcome<void>();
          await this.#backlogDrained.promise;
        }
        if (this.#state === DONE) return;
        const { done, value } = await reader.read();
        if (this.#state === DONE) return;
        if (done) {
          this.#readerDone = true;
          this.#onTransportEnd();
          return;
        }
        this.#received++;
        this.#receive(value);
        this.#flushNow();
      }
    } catch (err) {
      if (this.#state !== DONE) this.#onTransportError(err);
    }
  }

  #receive(chunk: Uint8Array): void {
    try {
      this.#run(RECEIVE, chunk, null);
    } catch (err) {
      if (err instanceof H2Error) {
        // Deliver what completed before the error, then fail the connection (the core queued GOAWAY).
        this.#run(DELIVER, err.events, null);
        const code = err instanceof ProtocolError ? err.errorCode : ErrorCodes.INTERNAL_ERROR;
        this.#terminate(code, new H2SessionError(code, true, `connection error: ${err.message}`, { cause: err }), true);
      } else {
        // A bug, not the peer's fault: tell the peer (GOAWAY INTERNAL_ERROR) and fail loudly.
        this.#terminate(ErrorCodes.INTERNAL_ERROR, new H2SessionError(ErrorCodes.INTERNAL_ERROR, false, 'internal error', { cause: err }), true);
      }
    }
  }

  #dispatch(ev: H2Event): void {
    if (this.#events !== null) this.#events.push(ev);
    switch (ev.type) {
      case 'RequestReceived':
        this.#onRequest(ev);
        break;
      case 'ResponseReceived':
        this.#records.get(ev.streamId)?.onResponse(ev.headers);
        break;
      case 'InformationalResponseReceived':
        this.#records.get(ev.streamId)?.onInformational(ev.headers);
        break;
      case 'TrailersReceived':
        this.#records.get(ev.streamId)?.onTrailers(ev.headers);
        break;
      case 'DataReceived': {
        const record = this.#records.get(ev.streamId);
        if (record !== undefined) record.onData(ev.data, ev.flowControlledLength);
        else this.acknowledge(ev.streamId, ev.flowControlledLength);
        break;
      }
      case 'StreamEnded':
        this.#records.get(ev.streamId)?.onRemoteEnd();
        break;
      case 'StreamReset':
        this.#records.get(ev.streamId)?.onReset(ev.errorCode, ev.remoteReset);
        break;
      case 'WindowUpdated':
        if (ev.streamId === 0) this.#scheduler.unblockAll();
        else this.#scheduler.unblock(ev.streamId);
        break;
      case 'RemoteSettingsChanged':
        this.#peerSettingsSeen = true;
        this.#scheduler.unblockAll();
        this.#slots.wake();
        break;
      case 'PingAckReceived': {
        const n = new DataView(ev.pingData.buffer, ev.pingData.byteOffset, 8).getUint32(4);
        const ack = this.#pings.get(n);
        if (ack !== undefined) {
          this.#pings.delete(n);
          ack.resolve();
        }
        break;
      }
      case 'SettingsAcknowledged': {
        const ack = this.#settingsAcks.shift();
        if (ack) ack.resolve();
        // The next SETTINGS still unacknowledged (if any) gets a full period of its own.
        if (this.#settingsAcks.length === 0) this.#settingsTimer.disarm();
        else this.#settingsTimer.rearm();
        break;
      }
      case 'PushedStreamReceived':
        this.#onPush(ev);
        break;
      case 'ConnectionTerminated':
        this.#onGoAway(ev);
        break;
      default:
        break;
    }
  }

  #onRequest(ev: RequestReceived): void {
    const record = new StreamRecord(this, ev.streamId, ev.headers, { localEnded: false, headersSent: false, parentId: null, receiveWindow: this.#receiveWindow });
    this.#records.set(ev.streamId, record);
    this.#opened++;
    if (this.#incoming.cancelled) {
      // Nobody takes requests any more: refuse it (RFC 9113 §8.7: REFUSED_STREAM means not processed).
      this.resetStream(record, ErrorCodes.REFUSED_STREAM);
      return;
    }
    this.#incoming.push(record.facade);
  }

  /** Client: the upgrade request (stream 1), when the connection was upgraded from HTTP/1.1. */
  upgradeStream: H2Stream | null = null;

  /** Stream 1 of an upgraded connection (RFC 7540 §3.2): the server's request (already ended), the client's request sent. */
  #openUpgradeStream(headers: H2HeaderList): void {
    const record = new StreamRecord(this, 1, headers, { localEnded: this.isClient, headersSent: this.isClient, parentId: null, receiveWindow: this.#receiveWindow });
    this.#records.set(1, record);
    this.#opened++;
    if (this.isClient) {
      this.upgradeStream = record.facade;
      return;
    }
    record.onRemoteEnd();
    this.#incoming.push(record.facade);
  }

  #onPush(ev: PushedStreamReceived): void {
    const record = new StreamRecord(this, ev.pushedStreamId, ev.headers, { localEnded: true, headersSent: true, parentId: ev.parentStreamId, receiveWindow: this.#receiveWindow });
    this.#records.set(ev.pushedStreamId, record);
    this.#opened++;
    if (this.#incoming.cancelled) {
      this.resetStream(record, ErrorCodes.CANCEL);
      return;
    }
    this.#incoming.push(record.facade);
  }

  #onGoAway(ev: ConnectionTerminated): void {
    this.#goawayReceived = true;
    if (ev.errorCode !== ErrorCodes.NO_ERROR) {
      const error = new H2SessionError(ev.errorCode, true, `peer closed the connection (GOAWAY error code ${ev.errorCode})`);
      this.#terminate(ev.errorCode, error, true);
      return;
    }
    // RFC 9113 §6.8: "Receivers of a GOAWAY frame MUST NOT open additional streams on the connection."
    // The core refuses our streams above lastStreamId itself (StreamReset REFUSED_STREAM events follow).
    this.#slots.rejectAll(new H2SessionError(ErrorCodes.NO_ERROR, true, 'peer sent GOAWAY: no new streams'));
    if (this.#state === OPEN) void this.#drain();
  }

  /** Sends DATA for ready bodies, one frame per body in turn, while windows and the output allow. */
  #pumpData(): void {
    if (this.#pumping || this.#state >= CLOSING) return;
    this.#pumping = true;
    try {
      const scheduler = this.#scheduler;
      while (scheduler.hasReady && this.#inFlight + this.#unflushed < this.#highWaterMark) {
        const body = scheduler.next() as OutboundBody;
        try {
          this.#sendFrom(body);
        } catch (err) {
          const record = this.#records.get(body.streamId);
          if (record !== undefined) record.fail(err);
          else body.fail(err);
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  /**
   * Sends DATA for `body`: one frame while other bodies wait their turn (round robin, frame by frame),
   * and frame after frame while it is the only one ready, as far as the windows and the outbound
   * high-water mark allow; then the end (END_STREAM or trailers) once everything queued went out.
   * Queues it again if it has more.
   */
  #sendFrom(body: OutboundBody): void {
    if (body.done) return;
    const conn = this.conn;
    const scheduler = this.#scheduler;
    const id = body.streamId;
    while (body.pendingBytes > 0) {
      const window = Math.min(conn.localFlowControlWindow(id), conn.maxOutboundFrameSize);
      if (window <= 0) {
        scheduler.block(body);
        return;
      }
      const piece = body.peek(window);
      const size = piece.byteLength;
      const last = size === body.pendingBytes && body.ending && body.trailers === null;
      this.#run(last ? SEND_LAST_DATA : SEND_DATA, id, piece);
      if (this.#vectored) {
        body.commit(size, true);
        (this.#held ??= new Map()).set(body, body.sentTotal);
      } else {
        body.commit(size);
      }
      this.#unflushed += size + FRAME_HEADER;
      if (last) {
        this.#endBody(body);
        return;
      }
      if (scheduler.hasReady || this.#inFlight + this.#unflushed >= this.#highWaterMark) {
        if (body.pendingBytes > 0 || body.ending) scheduler.enqueue(body);
        return;
      }
    }
    if (!body.ending) return;
    const trailers = body.trailers;
    if (trailers !== null) this.#run(SEND_LAST_HEADERS, id, trailers);
    else this.#run(END_STREAM, id, null);
    this.#unflushed += FRAME_HEADER;
    this.#endBody(body);
  }

  #endBody(body: OutboundBody): void {
    body.finish();
    this.#records.get(body.streamId)?.onLocalEnd();
  }

  #outputBackedUp(): boolean {
    return this.#inFlight > this.conn.config.outboundBufferSize || this.conn.outboundBufferFull;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(this.#flushTask);
  }

  readonly #flushTask = (): void => {
    if (this.#flushScheduled) this.#flushNow();
  };

  /**
   * Takes everything the core queued and writes it as ONE transport write: one array, or over a
   * vectored transport the core's list of arrays (with the bodies' own chunks in it, uncopied).
   */
  #flushNow(): void {
    this.#flushScheduled = false;
    this.#unflushed = 0;
    const held = this.#held;
    this.#held = null;
    if (this.#writerClosed) {
      if (held !== null) this.#failHeld(held, this.#failure ?? new H2SessionError(ErrorCodes.CANCEL, true, 'transport closed'));
      return;
    }
    let out: Uint8Array | Uint8Array[];
    let size = 0;
    if (this.#vectored) {
      const pieces = this.conn.dataToSendVectored();
      for (const piece of pieces) size += piece.byteLength;
      // A referenced payload always comes with its frame header in a piece of its own: one piece is
      // the core's own copy, written (and resolved at once by the transport) like a plain batch.
      out = pieces.length > 1 ? pieces : (pieces[0] ?? new Uint8Array(0));
    } else {
      out = this.conn.dataToSend();
      size = out.byteLength;
    }
    if (size === 0) {
      // Nothing of theirs is written now: the bodies' marks wait for the writes already in flight.
      if (held !== null) this.#releaseAfterInFlight(held);
      return;
    }
    this.#inFlight += size;
    this.#inFlightSizes.push(size);
    // Released in write order: a body's mark covers its bytes in earlier writes still in flight too.
    if (this.#vectored) this.#inFlightHeld.push(held);
    if (!this.#writeTimer.armed) {
      this.#writtenSeen = this.#written;
      this.#writeStrikes = 0;
      this.#writeTimer.arm();
    }
    (this.#writer as WritableStreamDefaultWriter<Uint8Array | Uint8Array[]>).write(out).then(this.#onWritten, this.#onWriteFailed);
  }

  /** Releases `held` once the last write in flight completes (at once if none is). */
  #releaseAfterInFlight(held: Map<OutboundBody, number>): void {
    const n = this.#inFlightHeld.length;
    const last = n === 0 ? null : this.#inFlightHeld[n - 1];
    if (n === 0) {
      for (const [body, at] of held) body.release(at);
    } else if (last == null) {
      this.#inFlightHeld[n - 1] = held;
    } else {
      for (const [body, at] of held) last.set(body, at);
    }
  }

  /** A write that referenced bodies' chunks failed: their pending writes (and ends) fail with `error`. */
  #failHeld(held: Map<OutboundBody, number>, error: unknown): void {
    for (const body of held.keys()) body.fail(error);
  }

  readonly #onWritten = (): void => {
    this.#written++;
    this.#inFlight -= this.#inFlightSizes.shift() ?? 0;
    const held = this.#vectored ? this.#inFlightHeld.shift() : null;
    if (held != null) for (const [body, at] of held) body.release(at);
    if (this.#backlogDrained !== null && !this.#outputBackedUp()) {
      const drained = this.#backlogDrained;
      this.#backlogDrained = null;
      drained.resolve();
    }
    if (this.#scheduler.hasReady) this.#pumpData();
  };

  readonly #onWriteFailed = (err: unknown): void => {
    for (const held of this.#inFlightHeld.splice(0)) if (held !== null) this.#failHeld(held, err);
    if (this.#state !== DONE) this.#onTransportError(err);
  };

  // --- ending ---

  /** Graceful close: GOAWAY NO_ERROR, streams in flight finish, new ones are refused, then the transport closes. */
  async #drain(): Promise<void> {
    this.#state = DRAINING;
    this.#slots.rejectAll(new H2SessionError(ErrorCodes.NO_ERROR, false, 'session is closing: no new streams'));
    let roundTrip: Promise<void> | null = null;
    if (!this.#goawayReceived) {
      try {
        if (this.isClient) {
          // Client: one GOAWAY (last stream id: the highest pushed stream, or 0) and no PING. A server
          // opens streams only by PUSH_PROMISE on our open requests, which we wait for anyway.
          this.#run(GOAWAY, ErrorCodes.NO_ERROR, null);
        } else {
          // Server: two-step GOAWAY (the core's startGracefulShutdown). Our own PING after it comes back
          // after the core's, so by then every stream the peer opened before seeing GOAWAY has arrived.
          this.#run(GRACEFUL_SHUTDOWN, null, null);
          roundTrip = this.ping().then(undefined, () => undefined);
        }
      } catch (err) {
        if (!(err instanceof H2Error)) throw err;
      }
    }
    if (roundTrip !== null) await roundTrip;
    if (this.#records.size > 0 && this.#state === DRAINING) {
      this.#idle = new Outcome<void>();
      await this.#idle.promise;
    }
    if (this.#state === DRAINING) this.#finish(null);
  }

  /** Connection-level failure or abortive close: GOAWAY (queued by the caller or the core), every stream fails. */
  #terminate(code: number, error: H2SessionError, isFailure: boolean): void {
    if (this.#state === DONE || this.#state === CLOSING) return;
    if (!error.remote) {
      try {
        this.#run(GOAWAY, code, null);
      } catch (err) {
        if (!(err instanceof H2Error)) throw err;
      }
    }
    this.#failAll(error);
    this.#finish(isFailure ? error : null);
  }

  /**
   * The peer ended the transport. With no stream open that is a clean end (`closed` fulfils, e.g. a peer
   * hanging up on our GOAWAY before answering the drain's PING); with streams open it is a failure.
   * Either way every waiter (PINGs, SETTINGS, stream slots) is rejected: no answer can arrive any more.
   */
  #onTransportEnd(): void {
    if (this.#state === DONE || this.#state === CLOSING) return;
    const open = this.#records.size;
    const error = new H2SessionError(ErrorCodes.CANCEL, true, open === 0 ? 'transport ended' : `transport ended with ${open} stream(s) open`);
    this.#failAll(error);
    this.#finish(open === 0 ? null : error);
  }

  #onTransportError(cause: unknown): void {
    if (this.#state === DONE || this.#state === CLOSING) return;
    const error = new H2SessionError(ErrorCodes.INTERNAL_ERROR, true, 'transport failed', { cause });
    this.#writerClosed = true;
    this.#failAll(error);
    this.#finish(error);
  }

  #failAll(error: H2SessionError): void {
    // From here on nothing new is sent: no DATA, no WINDOW_UPDATE for bodies being torn down.
    this.#state = CLOSING;
    this.#failure ??= error;
    const records = [...this.#records.values()];
    for (const record of records) record.fail(error);
    this.#records.clear();
    this.#rejectWaiters(error);
  }

  /** Rejects every PING, SETTINGS and stream-slot waiter: nothing can answer them once the session ends. */
  #rejectWaiters(error: H2SessionError): void {
    for (const ack of this.#pings.values()) ack.reject(error);
    this.#pings.clear();
    for (const ack of this.#settingsAcks) ack?.reject(error);
    this.#settingsAcks.length = 0;
    this.#slots.rejectAll(error);
  }

  /** Flushes the last frames, closes the transport, then settles `closed`. */
  #finish(failure: H2SessionError | null): void {
    this.#state = CLOSING;
    // The write timer stays armed until the transport is closed: a peer that does not read must not
    // hold the final flush (and `closed`) forever either.
    this.#settingsTimer.disarm();
    this.#idleTimer.disarm();
    this.#keepAliveTimer.disarm();
    this.#pingTimer.disarm();
    this.#incoming.close();
    // A graceful close may end with a PING or SETTINGS still unanswered: the transport closes now, so
    // those waiters fail instead of hanging.
    if (this.#pings.size > 0 || this.#settingsAcks.length > 0 || this.#slots.waiting) this.#rejectWaiters(this.#unusable());
    this.#flushNow();
    this.#state = DONE;
    this.#events?.close();
    if (this.#idle !== null) this.#idle.resolve();
    if (this.#backlogDrained !== null) this.#backlogDrained.resolve();
    void this.#closeTransport(failure);
  }

  async #closeTransport(failure: H2SessionError | null): Promise<void> {
    if (!this.#writerClosed) {
      this.#writerClosed = true;
      // A sink write the peer never lets complete cannot be aborted (Web Streams wait for it), so the
      // write timeout may give up on the close instead (`#stalled`).
      this.#stalled ??= new Outcome<never>();
      try {
        await Promise.race([this.#writer.close(), this.#stalled.promise]);
      } catch (err) {
        if (err === this.#stalled.reason) failure ??= err as H2SessionError;
      }
    }
    if (!this.#readerDone) {
      this.#readerDone = true;
      try {
        await this.#reader.cancel();
      } catch {
        // Nothing more to read either way.
      }
    }
    this.#writeTimer.disarm();
    if (failure !== null) this.#closed.reject(failure);
    else this.#closed.resolve();
  }

  // --- timed policies ---

  readonly #onSettingsTimeout = (): boolean => {
    if (this.#settingsAcks.length === 0 || this.#state >= CLOSING) return false;
    // RFC 9113 §6.5.3: "If the sender of a SETTINGS frame does not receive an acknowledgment within a
    // reasonable amount of time, it MAY issue a connection error of type SETTINGS_TIMEOUT."
    const code = ErrorCodes.SETTINGS_TIMEOUT;
    this.#terminate(code, new H2SessionError(code, false, 'the peer did not acknowledge SETTINGS in time'), true);
    return false;
  };

  readonly #onIdleTimeout = (): boolean => {
    if (this.#state !== OPEN || this.#records.size > 0) return false;
    if (this.#opened !== this.#openedSeen) {
      this.#openedSeen = this.#opened;
      return true;
    }
    void this.close();
    return false;
  };

  readonly #onWriteTimeout = (): boolean => {
    if (this.#inFlight === 0) return false;
    if (this.#written !== this.#writtenSeen) {
      this.#writtenSeen = this.#written;
      this.#writeStrikes = 0;
      return true;
    }
    if (++this.#writeStrikes < 2) return true;
    this.#onStalled('the transport accepted no data in time (the peer is not reading)');
    return false;
  };

  readonly #onKeepAliveTimeout = (): boolean => {
    if (this.#state >= CLOSING) return false;
    if (this.#received !== this.#receivedSeen) {
      this.#receivedSeen = this.#received;
      return true;
    }
    this.#pingTimer.arm();
    this.ping().then(this.#onKeepAliveAck, () => undefined);
    return false;
  };

  readonly #onKeepAliveAck = (): void => {
    this.#pingTimer.disarm();
    this.#keepAliveTimer.arm();
  };

  readonly #onPingTimeout = (): boolean => {
    if (this.#state < CLOSING) this.#onStalled('the peer did not answer a keepalive PING in time');
    return false;
  };

  /**
   * The peer stopped reading or answering: abort the transport (nothing more can be delivered) and fail.
   * If the session was already closing, its last flush is what is stuck: stop waiting for it.
   */
  #onStalled(message: string): void {
    const error = new H2SessionError(ErrorCodes.INTERNAL_ERROR, true, message);
    this.#writerClosed = true;
    this.#writer.abort(error).then(undefined, () => undefined);
    if (this.#state >= CLOSING) {
      this.#stalled ??= new Outcome<never>();
      this.#stalled.reject(error);
      return;
    }
    this.#failAll(error);
    this.#finish(error);
  }

  // --- helpers ---

  #assertUsable(): void {
    if (this.#state >= CLOSING) throw this.#unusable();
  }

  /** Why the session cannot be used any more: its failure, or a plain close. */
  #unusable(): H2SessionError {
    return this.#failure ?? new H2SessionError(ErrorCodes.NO_ERROR, false, 'session is closed');
  }

  #assertCanOpen(): void {
    this.#assertUsable();
    if (this.#state !== OPEN || this.#goawayReceived) throw new H2SessionError(ErrorCodes.NO_ERROR, this.#goawayReceived, 'session is closing: no new streams');
  }

  /** Streams the peer opened: odd IDs on a server, even (pushed) ones on a client. */
  #isPeerStream(id: number): boolean {
    return (id % 2 === 1) !== this.isClient;
  }

  /** The peer's MAX_CONCURRENT_STREAMS, or 100 until its first SETTINGS arrived. */
  #maxOutboundStreams(): number {
    const max = this.conn.remoteSettings.maxConcurrentStreams;
    return this.#peerSettingsSeen ? max : Math.min(max, INITIAL_MAX_CONCURRENT_STREAMS);
  }

  #bindSignal(record: StreamRecord, signal: AbortSignal): void {
    const onAbort = (): void => {
      if (record.error === null && !(record.localEnded && record.remoteEnded)) this.resetStream(record, ErrorCodes.CANCEL, signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    record.closed.promise.then(
      () => signal.removeEventListener('abort', onAbort),
      () => signal.removeEventListener('abort', onAbort),
    );
  }

  readonly #onIncomingCancelled = (unclaimed: readonly H2Stream[]): void => {
    // Streams queued and never taken are refused (server; RFC 9113 §8.7: REFUSED_STREAM means "not
    // processed") or cancelled (pushes on a client); later ones are refused as they arrive.
    const code = this.isClient ? ErrorCodes.CANCEL : ErrorCodes.REFUSED_STREAM;
    for (const stream of unclaimed) {
      const record = this.#records.get(stream.id);
      if (record !== undefined) this.resetStream(record, code);
    }
  };
}
