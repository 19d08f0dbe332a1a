/**
 * The one owner of an H2Connection: feeds the core and dispatches its events to streams. Its parts:
 * `InputReader` reads the transport into the core, `event-dispatch` routes the core's events,
 * `DataSender` drains stream bodies into DATA frames as the windows allow, `OutputWriter` writes every
 * frame a turn produced in one transport write, `CloseLifecycle` ends the session, `SessionTimers`
 * runs the timed policies. Nothing else calls the core. Layer: streams (runtime-neutral).
 */
import { ErrorCodes, H2Connection, H2Error } from '../core/index.ts';
import type { H2Event } from '../core/index.ts';
import { CloseLifecycle, type CloseOptions } from './close-lifecycle.ts';
import { H2SessionError, H2StreamError } from './errors.ts';
import type { OutboundBody } from './outbound-body.ts';
import { Outcome } from './outcome.ts';
import { InputReader } from './input-reader.ts';
import { directTransport } from './transport-port.ts';
import { OutputWriter } from './output-writer.ts';
import { PullQueue, type PullQueueOwner, type QueueConsumer } from './pull-queue.ts';
import {
  ACKNOWLEDGE,
  INITIATE,
  INITIATE_UPGRADE,
  OPEN_STREAM,
  PING,
  PUSH_STREAM,
  RESET_STREAM,
  SEND_HEADERS,
  SEND_LAST_HEADERS,
  UPDATE_SETTINGS,
  type CoreOp,
} from './core-ops.ts';
import { DataSender } from './data-sender.ts';
import { dispatchEvent } from './event-dispatch.ts';
import { defaultClock } from './deadline.ts';
import type { H2SessionOptions } from './session.ts';
import { CLOSING, DONE, OPEN } from './session-state.ts';
import { SessionTimers, type H2Timeouts } from './session-timers.ts';
import { sharedConfiguration } from './shared-config.ts';
import { StreamSlots } from './stream-slots.ts';
import { settingsToCodes, type H2Settings } from './settings.ts';
import type { H2Stream } from './stream.ts';
import { StreamRecord, type StreamHost } from './stream-record.ts';
import { toHeaderList, type H2HeaderList, type H2HeadersInit, type H2Transport, type StreamConstructors } from './types.ts';
import { withBit } from '../core/bit-field.ts';

/** The options of an `H2Session` (documented there), with the Web Streams implementation resolved. */
export type SessionPumpOptions = Omit<H2SessionOptions, 'streams'> & { readonly streams: StreamConstructors };

/** Options of `H2Session.request`. */
export interface RequestOptions {
  /** Send END_STREAM with the headers: the request has no body. */
  readonly endStream?: boolean;
  /** Aborting it before the stream opens rejects the call; afterwards it resets the stream with CANCEL. */
  readonly signal?: AbortSignal;
}

/** The default connection receive window: bounds what all streams together may hold unread. */
export const DEFAULT_CONNECTION_WINDOW = 1 << 20;
/** The default number of events `session.events` keeps for a slow reader before dropping some. */
export const DEFAULT_EVENT_BUFFER = 128;
/** A dispatch batch array longer than this is not kept for the next one (a burst's memory is given back). */
const MAX_KEPT_PENDING = 1024;

/**
 * `records` of a session that never had a stream: one empty Map shared by all (read only; the first
 * stream gives the session a Map of its own). An idle connection's own Map was ~180 B.
 */
const NO_RECORDS: ReadonlyMap<number, StreamRecord> = new Map();

// SessionPump's yes/no state, as bits of one field.
const DISPATCHING = 1;
const PEER_SETTINGS_SEEN = 2;
const GOAWAY_RECEIVED = 4;

/** `timeouts` not given: every default (one object for all sessions, not an empty one each). */
const NO_TIMEOUTS: H2Timeouts = Object.freeze({});

/** The initial window of RFC 9113 §6.9.2 (before SETTINGS change it). */
const DEFAULT_WINDOW = 65535;

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
  for (let i = 0; i < headers.length; i++) {
    const name = headers[i]![0];
    if (name === ':status') return headers[i]![1].charCodeAt(0) === 0x31;
    if (name.charCodeAt(0) !== 0x3a) break;
  }
  return false;
}

/**
 * The session's engine; `H2Session` is its public face and `H2Stream`s reach it through `StreamHost`.
 * Its non-private members are shared with its parts (`DataSender`, `OutputWriter`, `CloseLifecycle`,
 * `SessionTimers`), never with users.
 */
export class SessionPump implements StreamHost, PullQueueOwner<H2Stream> {
  readonly conn: H2Connection;
  readonly streams: StreamConstructors;
  readonly isClient: boolean;
  /** Open streams by ID (shared and empty until the first stream: change it only through the methods below). */
  records: ReadonlyMap<number, StreamRecord> = NO_RECORDS;
  readonly input: InputReader;
  readonly output: OutputWriter;
  readonly data: DataSender;
  readonly lifecycle: CloseLifecycle;
  readonly timers: SessionTimers;
  /** True once the peer's GOAWAY arrived. */
  get goawayReceived(): boolean {
    return (this.#flags & GOAWAY_RECEIVED) !== 0;
  }
  set goawayReceived(value: boolean) {
    this.#flags = withBit(this.#flags, GOAWAY_RECEIVED, value);
  }

  /** Where the session is in its life (`session-state.ts`). */
  state: number = OPEN;
  /** The session's failure, once it failed. */
  failure: H2SessionError | null = null;
  /** PINGs awaiting their ACK, by the counter in their payload (made with the first `ping()`). */
  #pings: Map<number, Outcome<void>> | null = null;
  /**
   * SETTINGS awaiting their ACK, in order: a count while nobody waits for any (from the start, the
   * initial SETTINGS, which carries `settings`), else each one's waiter (null: nobody waits for that one),
   * made by the first `updateSettings` and dropped once all are acknowledged.
   */
  #settingsAcks: number | Array<Outcome<void> | null> = 1;
  /** Client stream slots, made with the first request (a server never has one). */
  #slots: StreamSlots | null = null;
  readonly #incoming: PullQueue<H2Stream>;
  readonly #eventCapacity: number;
  #events: PullQueue<H2Event> | null = null;
  #receiveWindow: number;

  // One pump: events a call made while a batch is being dispatched wait here (made the first time; the
  // array is then reused, its used length in #pendingCount). A batch is dispatched from the core's own
  // array, so a session whose handlers never call into the core re-entrantly never makes one.
  #pending: Array<H2Event | undefined> | null = null;
  #pendingCount = 0;
  /** DISPATCHING, PEER_SETTINGS_SEEN, GOAWAY_RECEIVED: one field, not three. */
  #flags = 0;

  #pingCounter = 0;

  constructor(transport: H2Transport, options: SessionPumpOptions) {
    this.isClient = options.role === 'client';
    this.streams = options.streams;
    this.conn = new H2Connection(sharedConfiguration(options.config, this.isClient));
    this.#eventCapacity = options.eventBufferSize ?? DEFAULT_EVENT_BUFFER;
    this.#incoming = new PullQueue<H2Stream>(Infinity, this);
    const port = directTransport(transport);
    this.input = new InputReader(this, port);
    this.output = new OutputWriter(this, transport, port, options.outboundHighWaterMark);
    this.data = new DataSender(this);
    this.lifecycle = new CloseLifecycle(this);
    this.timers = new SessionTimers(this, options.clock ?? defaultClock(), options.timeouts ?? NO_TIMEOUTS);

    const settings = options.settings;
    const connectionWindow = options.connectionWindowSize ?? DEFAULT_CONNECTION_WINDOW;
    const settingCodes = settings === undefined ? null : settingsToCodes(settings);
    const windowIncrement = Math.max(0, connectionWindow - DEFAULT_WINDOW);
    const upgrade = options.upgrade;
    if (upgrade === undefined) this.run(INITIATE, settingCodes, windowIncrement);
    else this.run(INITIATE_UPGRADE, { header: upgrade.settingsHeader ?? null, settings: settingCodes }, windowIncrement);
    this.#receiveWindow = settings?.initialWindowSize ?? this.conn.localSettings.initialWindowSize;
    if (upgrade !== undefined) this.#openUpgradeStream(upgrade.headers);
    this.timers.start();
    this.input.start();
  }

  // --- public surface used by H2Session ---

  /** Every core event, from the first access on, through a bounded buffer (oldest dropped first). */
  get events(): ReadableStream<H2Event> {
    if (this.#events === null) {
      this.#events = new PullQueue<H2Event>(this.#eventCapacity, null, isHighVolumeEvent);
      if (this.state === DONE) this.#events.close();
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

  /** `incoming`'s streams by `for await` over the session, with no ReadableStream (see `H2Session[Symbol.asyncIterator]`). */
  iterateIncoming(): AsyncIterableIterator<H2Stream> {
    return this.#incoming.iterate('H2Session: its streams are already being read (by another iterator; one at a time)');
  }

  /** `incoming` by callback, with no ReadableStream (see `acceptIncoming`). */
  consumeIncoming(consumer: QueueConsumer<H2Stream>): void {
    this.#incoming.consume(consumer);
  }

  /** Settles when the transport is done; rejects with the session's failure. */
  get closed(): Promise<void> {
    return this.lifecycle.closed;
  }

  /** Requests waiting in line for a stream slot (client). */
  get slots(): StreamSlots {
    return (this.#slots ??= new StreamSlots(() => this.#maxOutboundStreams() - this.conn.openOutboundStreams));
  }

  /** True while some request waits for a stream slot. */
  get slotsWaiting(): boolean {
    return this.#slots !== null && this.#slots.waiting;
  }

  /** Fails every request waiting for a stream slot (the session is closing or failed). */
  rejectSlotWaiters(error: unknown): void {
    this.#slots?.rejectAll(error);
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
    if (!this.slots.tryAcquire()) {
      await this.slots.wait(signal, () => this.#assertCanOpen());
      granted = true;
    }
    const endStream = options.endStream === true;
    try {
      this.run(OPEN_STREAM, list, endStream);
    } finally {
      this.slots.released(granted);
    }
    const id = this.conn.highestOutboundStreamId;
    const record = new StreamRecord(this, id, list, { localEnded: endStream, headersSent: true, parentId: null, receiveWindow: this.#receiveWindow });
    this.#ownRecords().set(id, record);
    this.timers.opened++;
    if (signal !== undefined) this.#bindSignal(record, signal);
    return record.facade;
  }

  /**
   * Sends a PING; resolves when its ACK arrives, rejects if the session ends first (or already has), or,
   * when `timed`, if the ACK takes longer than `timeouts.pingTimeout` (the session lives on).
   */
  ping(timed = true): Promise<void> {
    if (this.state >= CLOSING) return Promise.reject(this.unusable());
    const n = ++this.#pingCounter;
    const data = new Uint8Array(8);
    new DataView(data.buffer).setUint32(4, n);
    this.run(PING, data, null);
    const ack = new Outcome<void>();
    (this.#pings ??= new Map()).set(n, ack);
    if (timed) this.timers.watchPing(n);
    return ack.promise;
  }

  /** Sends SETTINGS; resolves when the peer acknowledges them, rejects if the session ends first (or already has). */
  updateSettings(settings: H2Settings): Promise<void> {
    if (this.state >= CLOSING) return Promise.reject(this.unusable());
    this.run(UPDATE_SETTINGS, settingsToCodes(settings), null);
    if (settings.initialWindowSize !== undefined) this.#receiveWindow = settings.initialWindowSize;
    const ack = new Outcome<void>();
    let acks = this.#settingsAcks;
    if (typeof acks === 'number') this.#settingsAcks = acks = new Array<Outcome<void> | null>(acks).fill(null);
    acks.push(ack);
    this.timers.settings.arm();
    return ack.promise;
  }

  /** How many SETTINGS we sent await the peer's ACK. */
  get unackedSettings(): number {
    const acks = this.#settingsAcks;
    return typeof acks === 'number' ? acks : acks.length;
  }

  /** The peer acknowledged our oldest SETTINGS: its `updateSettings` resolves. Returns how many still wait. */
  settingsAcknowledged(): number {
    const acks = this.#settingsAcks;
    if (typeof acks === 'number') return (this.#settingsAcks = Math.max(0, acks - 1));
    acks.shift()?.resolve();
    if (acks.length > 0) return acks.length;
    this.#settingsAcks = 0;
    return 0;
  }

  /** Rejects every `updateSettings` awaiting its ACK: none can come any more. */
  rejectSettings(error: H2SessionError): void {
    const acks = this.#settingsAcks;
    this.#settingsAcks = 0;
    if (typeof acks !== 'number') for (const ack of acks) ack?.reject(error);
  }

  /** How many `ping()`s await their ACK. */
  get pendingPings(): number {
    return this.#pings?.size ?? 0;
  }

  /** Rejects every `ping()` awaiting its ACK. */
  rejectPings(error: H2SessionError): void {
    const pings = this.#pings;
    if (pings === null) return;
    for (const ack of pings.values()) ack.reject(error);
    pings.clear();
  }

  /** Closes the session (see `H2Session.close`). */
  close(options: CloseOptions = {}): Promise<void> {
    return this.lifecycle.close(options);
  }

  /** A PING's ACK arrived (or its deadline passed: `timedOut`): its `ping()` settles. */
  settlePing(n: number, timedOut: boolean): void {
    const ack = this.#pings?.get(n);
    if (ack === undefined) return;
    this.#pings?.delete(n);
    if (timedOut) ack.reject(new H2SessionError(ErrorCodes.NO_ERROR, false, 'the peer did not acknowledge the PING in time'));
    else ack.resolve();
    this.timers.pingSettled(n);
  }

  // --- StreamHost: what streams ask of the session ---

  /** Releases window for data the consumer took (or that was discarded). */
  acknowledge(streamId: number, bytes: number): void {
    if (this.state >= CLOSING || bytes <= 0) return;
    this.run(ACKNOWLEDGE, streamId, bytes);
  }

  /** The consumer cancelled a body the peer is still sending: RST_STREAM CANCEL. */
  cancelInbound(streamId: number, reason: unknown): void {
    const record = this.records.get(streamId);
    if (record === undefined) return;
    this.resetStream(record, ErrorCodes.CANCEL, reason);
  }

  /** The producer aborted a writable: RST_STREAM CANCEL. */
  abortOutbound(streamId: number, reason: unknown): void {
    const record = this.records.get(streamId);
    if (record === undefined) return;
    this.resetStream(record, ErrorCodes.CANCEL, reason);
  }

  /** A body has something to send: queue it and send what the windows allow now (once headers went out). */
  schedule(body: OutboundBody): void {
    const record = this.records.get(body.streamId);
    if (record !== undefined && !record.headersSent) return;
    this.data.enqueue(body);
    this.data.pumpData();
  }

  /** Sends a response, informational or trailer header block; a final response releases a queued body. */
  sendHeaders(record: StreamRecord, headers: H2HeaderList, endStream: boolean): void {
    this.#assertUsable();
    this.run(endStream ? SEND_LAST_HEADERS : SEND_HEADERS, record.id, headers);
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
    this.#sendReset(record.id, code);
    record.fail(new H2StreamError(record.id, code, false, undefined, cause === undefined ? undefined : { cause }));
  }

  /** RST_STREAM NO_ERROR after a complete response (RFC 9113 §8.1); the stream itself completes. */
  stopSending(record: StreamRecord): void {
    this.#sendReset(record.id, ErrorCodes.NO_ERROR);
  }

  /** RST_STREAM with `code`, unless the session is ending (nothing new is sent then). */
  #sendReset(id: number, code: number): void {
    // The core may already consider the stream closed (e.g. both END_STREAMs crossed): nothing to send.
    if (this.state < CLOSING) this.tryRun(RESET_STREAM, id, code);
  }

  /** PUSH_PROMISE on `record` for a new server stream carrying the promised request `headers`. */
  pushStream(record: StreamRecord, headers: H2HeaderList): StreamRecord {
    this.#assertUsable();
    this.run(PUSH_STREAM, record.id, headers);
    const id = this.conn.highestOutboundStreamId;
    const pushed = new StreamRecord(this, id, headers, { localEnded: false, headersSent: false, parentId: record.id, receiveWindow: this.#receiveWindow });
    // A pushed stream carries no request body: its remote half is closed from the start.
    pushed.remoteEnded = true;
    this.#ownRecords().set(id, pushed);
    this.timers.opened++;
    return pushed;
  }

  /** A stream is over: forget it, free its sender, and wake whoever waits for a slot or for idleness. */
  retire(record: StreamRecord): void {
    if (this.records.get(record.id) !== record) return;
    (this.records as Map<number, StreamRecord>).delete(record.id);
    // A peer stream reset before the application took it from `incoming` is dropped from it, so
    // open-then-reset churn cannot grow the queue (CVE-2023-44487 "Rapid Reset" aims at such backlogs).
    // When the whole session fails, queued streams stay: they show what arrived before the failure.
    if (record.error !== null && this.failure === null && this.#isPeerStream(record.id)) this.#incoming.delete(record.facade);
    const out = record.outbound;
    if (out !== null) {
      this.data.remove(out);
      this.timers.streamOver(out);
    }
    this.#slots?.wake();
    if (this.records.size === 0) {
      this.lifecycle.onIdle();
      this.timers.armIdle();
    }
  }

  // --- the one pump ---

  /**
   * The only way into the core. Runs one call, then dispatches the events it returned, after it
   * returned; then sends what the windows allow and schedules the flush. A call made while a batch is
   * being dispatched (an enqueue() that synchronously pulls and acknowledges) only queues its events:
   * the outer loop delivers them in order, so the core is never re-entered mid-dispatch.
   */
  run<A, B>(op: CoreOp<A, B>, a: A, b: B): void {
    const events = op(this.conn, a, b);
    if ((this.#flags & DISPATCHING) !== 0) {
      if (events !== undefined && events.length > 0) {
        const pending = (this.#pending ??= []);
        for (let i = 0; i < events.length; i++) pending[this.#pendingCount++] = events[i] as H2Event;
      }
      return;
    }
    if (events !== undefined && events.length > 0) {
      this.#flags |= DISPATCHING;
      try {
        // The core's array is this call's own: dispatched in place, then what calls made meanwhile queued.
        for (let i = 0; i < events.length; i++) this.#dispatchOne(events[i] as H2Event);
        const pending = this.#pending;
        if (pending !== null) {
          for (let i = 0; i < this.#pendingCount; i++) {
            const ev = pending[i] as H2Event;
            pending[i] = undefined;
            this.#dispatchOne(ev);
          }
        }
      } finally {
        // After a throw, the rest of the batch is dropped (as before): its slots are cleared too.
        const pending = this.#pending;
        if (pending !== null) {
          pending.fill(undefined, 0, this.#pendingCount);
          if (pending.length > MAX_KEPT_PENDING) this.#pending = [];
        }
        this.#pendingCount = 0;
        this.#flags &= ~DISPATCHING;
      }
    }
    this.data.pumpData();
    this.output.scheduleFlush();
  }

  #dispatchOne(ev: H2Event): void {
    if (this.#events !== null) this.#events.push(ev);
    dispatchEvent(this, ev);
  }

  /**
   * `run`, for a frame the core may refuse because the stream or connection is already closed on its
   * side (an `H2Error`): then there is nothing to send, and nothing else to do.
   */
  tryRun<A, B>(op: CoreOp<A, B>, a: A, b: B): void {
    try {
      this.run(op, a, b);
    } catch (err) {
      if (!(err instanceof H2Error)) throw err;
    }
  }

  /** A stream the peer opened (request or push): hand it to `incoming`, or refuse it if nobody takes them any more. */
  addPeerStream(record: StreamRecord, refusal: number): void {
    this.#ownRecords().set(record.id, record);
    this.timers.opened++;
    if (this.#incoming.cancelled) {
      this.resetStream(record, refusal);
      return;
    }
    this.#incoming.push(record.facade);
  }

  /** Client: the upgrade request (stream 1), when the connection was upgraded from HTTP/1.1. */
  upgradeStream: H2Stream | null = null;

  /** Stream 1 of an upgraded connection (RFC 7540 §3.2): the server's request (already ended), the client's request sent. */
  #openUpgradeStream(headers: H2HeaderList): void {
    const record = new StreamRecord(this, 1, headers, { localEnded: this.isClient, headersSent: this.isClient, parentId: null, receiveWindow: this.#receiveWindow });
    this.#ownRecords().set(1, record);
    this.timers.opened++;
    if (this.isClient) {
      this.upgradeStream = record.facade;
      return;
    }
    record.onRemoteEnd();
    this.#incoming.push(record.facade);
  }

  /** The stream receive window new streams start with (our SETTINGS_INITIAL_WINDOW_SIZE). */
  get receiveWindow(): number {
    return this.#receiveWindow;
  }

  /** The peer's SETTINGS arrived: its MAX_CONCURRENT_STREAMS now applies as sent. */
  onRemoteSettings(): void {
    this.#flags |= PEER_SETTINGS_SEEN;
    this.data.unblockAll();
    this.#slots?.wake();
  }

  // --- for CloseLifecycle ---

  /** No more requests (server) or pushes (client) will come. */
  closeIncoming(): void {
    this.#incoming.close();
  }

  /** Ends `events` (the session is done). */
  closeEvents(): void {
    this.#events?.close();
  }

  // --- helpers ---

  /** `records` as this session's own Map (made with the first stream). */
  #ownRecords(): Map<number, StreamRecord> {
    if (this.records === NO_RECORDS) this.records = new Map();
    return this.records as Map<number, StreamRecord>;
  }

  /** Forgets every stream (the session failed; they failed with it). */
  clearRecords(): void {
    if (this.records !== NO_RECORDS) (this.records as Map<number, StreamRecord>).clear();
  }

  #assertUsable(): void {
    if (this.state >= CLOSING) throw this.unusable();
  }

  /** Why the session cannot be used any more: its failure, or a plain close. */
  unusable(): H2SessionError {
    return this.failure ?? new H2SessionError(ErrorCodes.NO_ERROR, false, 'session is closed');
  }

  #assertCanOpen(): void {
    this.#assertUsable();
    if (this.state !== OPEN || this.goawayReceived) throw new H2SessionError(ErrorCodes.NO_ERROR, this.goawayReceived, 'session is closing: no new streams');
  }

  /** Streams the peer opened: odd IDs on a server, even (pushed) ones on a client. */
  #isPeerStream(id: number): boolean {
    return (id % 2 === 1) !== this.isClient;
  }

  /** The peer's MAX_CONCURRENT_STREAMS, or 100 until its first SETTINGS arrived. */
  #maxOutboundStreams(): number {
    const max = this.conn.remoteSettings.maxConcurrentStreams;
    return (this.#flags & PEER_SETTINGS_SEEN) !== 0 ? max : Math.min(max, INITIAL_MAX_CONCURRENT_STREAMS);
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

  /** The application cancelled `incoming`: the streams it never took are refused. */
  queueCancelled(unclaimed: readonly H2Stream[]): void {
    // Streams queued and never taken are refused (server; RFC 9113 §8.7: REFUSED_STREAM means "not
    // processed") or cancelled (pushes on a client); later ones are refused as they arrive.
    const code = this.isClient ? ErrorCodes.CANCEL : ErrorCodes.REFUSED_STREAM;
    for (const stream of unclaimed) {
      const record = this.records.get(stream.id);
      if (record !== undefined) this.resetStream(record, code);
    }
  }
}
