/**
 * The streams of one connection: lookup, creation under the stream-ID rules, open-stream counters,
 * and the bounded memory of how forgotten streams closed. Sans-I/O core.
 * Port of the stream bookkeeping of h2/connection.py (`streams`, `_begin_new_stream`,
 * `_get_stream_by_id`, `_open_streams`, `_closed_streams`, `_stream_closed_by`).
 */

import type { H2Configuration } from './config.ts';
import { NoSuchStreamError, ProtocolError, StreamClosedError, StreamIDTooLowError } from './exceptions.ts';
import { ClosedStreamMemory } from './limits.ts';
import { H2Stream } from './stream.ts';
import { StreamClosedBy } from './stream-state.ts';

/** Stream-ID parities (h2's AllowedStreamIDs). */
export const EVEN = 0;
/** Stream-ID parities (h2's AllowedStreamIDs). */
export const ODD = 1;

/**
 * The stand-ins an idle connection shares until its first stream (never mutated: each registry swaps in
 * its own on first use). An idle connection then holds no map table, list or closed-stream memory.
 */
const NO_STREAMS: Map<number, H2Stream> = new Map();
const NO_PENDING: H2Stream[] = Object.freeze([]) as unknown as H2Stream[];

/**
 * Live streams by ID plus the counters h2 recomputes by scanning every stream: the number of open
 * streams per side is kept up to date as streams change state. Like h2, closed streams stay in the
 * map until the next count, then only how they closed is remembered (at most `maxClosedStreams`).
 */
export class StreamRegistry {
  readonly #config: H2Configuration;
  /** {@link NO_STREAMS} until the first stream: lookups stay one plain `Map.get`. */
  #streams = NO_STREAMS;
  /** Made on the first forgotten or refused stream. */
  #closedStreams: ClosedStreamMemory | null = null;
  /** Streams that closed since the last count ({@link NO_PENDING} until the first close). */
  #closedPending = NO_PENDING;
  #openOutbound = 0;
  #openInbound = 0;
  /** The highest stream ID the peer opened (or that we refused). */
  highestInboundStreamId = 0;
  /** The highest stream ID we opened or promised. */
  highestOutboundStreamId = 0;

  /** @param config The connection's configuration (role and `maxClosedStreams`). */
  constructor(config: H2Configuration) {
    this.#config = config;
  }

  /** The live streams by ID (made here if no stream was opened yet: the shared stand-in never leaves). */
  get map(): ReadonlyMap<number, H2Stream> {
    if (this.#streams === NO_STREAMS) this.#streams = new Map();
    return this.#streams;
  }

  /** The live streams, without making a map for an idle connection. */
  values(): IterableIterator<H2Stream> {
    return this.#streams.values();
  }

  /** How forgotten streams closed, made on first use. */
  #closedMemory(): ClosedStreamMemory {
    return (this.#closedStreams ??= new ClosedStreamMemory(this.#config.maxClosedStreams));
  }

  /** Open streams we initiated; forgets closed streams first, as h2's `open_outbound_streams`. */
  get openOutbound(): number {
    this.collectClosed();
    return this.#openOutbound;
  }

  /** Open streams the peer initiated; forgets closed streams first, as h2's `open_inbound_streams`. */
  get openInbound(): number {
    this.collectClosed();
    return this.#openInbound;
  }

  /** Live streams that are neither open nor closed: reserved by a PUSH_PROMISE (forgets closed streams first). */
  reservedCount(): number {
    this.collectClosed();
    return this.#streams.size - this.#openInbound - this.#openOutbound;
  }

  /** Whether `streamId` belongs to streams this side initiates (odd for clients, even for servers). */
  isOutbound(streamId: number): boolean {
    return streamId % 2 === (this.#config.clientSide ? 1 : 0);
  }

  /** The live stream `streamId`, if any. */
  get(streamId: number): H2Stream | undefined {
    return this.#streams.get(streamId);
  }

  /**
   * The live stream `streamId`, or `undefined` (never opened, or closed and forgotten: tell them apart
   * with {@link isForgotten}). The non-throwing form of {@link getById}, for the receive path: a peer
   * sending frames on closed streams must not make us build an exception (with its stack trace) for
   * each of them.
   */
  find(streamId: number): H2Stream | undefined {
    return this.#streams.get(streamId);
  }

  /**
   * Whether `streamId`, absent from the live streams, was used before (it is not above the highest ID
   * of its side): the stream closed and was forgotten. `false` for 0 and for IDs never opened.
   */
  isForgotten(streamId: number): boolean {
    if (streamId <= 0 || this.#streams.has(streamId)) return false;
    return streamId <= (this.isOutbound(streamId) ? this.highestOutboundStreamId : this.highestInboundStreamId);
  }

  /**
   * The live stream `streamId`. Port of h2's `_get_stream_by_id`.
   * @throws NoSuchStreamError for an ID above the highest seen; StreamClosedError for a forgotten one.
   */
  getById(streamId: number): H2Stream {
    if (!streamId) throw new NoSuchStreamError(-1);
    const stream = this.#streams.get(streamId);
    if (stream !== undefined) return stream;
    const highest = this.isOutbound(streamId) ? this.highestOutboundStreamId : this.highestInboundStreamId;
    if (streamId > highest) throw new NoSuchStreamError(streamId);
    throw new StreamClosedError(streamId);
  }

  /** Throws for a new stream ID that is not above the highest of its side, or of the wrong parity. */
  checkNewStreamId(streamId: number, parity: number): void {
    const highest = this.isOutbound(streamId) ? this.highestOutboundStreamId : this.highestInboundStreamId;
    // RFC 9113 §5.1.1: "The identifier of a newly established stream MUST be numerically greater
    // than all streams that the initiating endpoint has opened or reserved."
    if (streamId <= highest) throw new StreamIDTooLowError(streamId, highest);
    // RFC 9113 §5.1.1: "Streams initiated by a client MUST use odd-numbered stream identifiers; those
    // initiated by the server MUST use even-numbered stream identifiers."
    if (streamId % 2 !== parity) throw new ProtocolError('Invalid stream ID for peer.');
  }

  /** Creates stream `streamId` after checking its ID. Port of h2's `_begin_new_stream`. */
  create(streamId: number, parity: number, inboundWindow: number, outboundWindow: number, maxOutboundFrameSize: number): H2Stream {
    this.checkNewStreamId(streamId, parity);
    const stream = new H2Stream(streamId, this.#config, inboundWindow, outboundWindow);
    stream.maxOutboundFrameSize = maxOutboundFrameSize;
    if (this.#streams === NO_STREAMS) this.#streams = new Map();
    this.#streams.set(streamId, stream);
    if (this.isOutbound(streamId)) this.highestOutboundStreamId = streamId;
    else this.highestInboundStreamId = streamId;
    return stream;
  }

  /** Records a peer stream that was refused without being created: its ID is used, "reset by us". */
  refuse(streamId: number): void {
    this.highestInboundStreamId = streamId;
    this.#closedMemory().set(streamId, StreamClosedBy.SEND_RST_STREAM);
  }

  /**
   * Updates the counters after a stream method ran (`wasOpen`/`wasClosed`: the stream's state
   * before). Returns `true` when the stream just closed normally (END_STREAM both ways).
   */
  note(stream: H2Stream, wasOpen: boolean, wasClosed: boolean): boolean {
    const open = stream.open;
    if (open !== wasOpen) {
      const delta = open ? 1 : -1;
      if (this.isOutbound(stream.streamId)) this.#openOutbound += delta;
      else this.#openInbound += delta;
    }
    if (wasClosed || !stream.closed) return false;
    if (this.#closedPending === NO_PENDING) this.#closedPending = [];
    this.#closedPending.push(stream);
    const by = stream.closedBy;
    return by === StreamClosedBy.SEND_END_STREAM || by === StreamClosedBy.RECV_END_STREAM;
  }

  /** Forgets closed streams, remembering how each closed (h2 does this when counting open streams). */
  collectClosed(): void {
    const pending = this.#closedPending;
    if (pending.length === 0) return;
    const memory = this.#closedMemory();
    for (let i = 0; i < pending.length; i++) {
      const stream = pending[i] as H2Stream;
      // Each stream is pushed once, when it closes; `clear()` empties the list with the map.
      if (!stream.closed) continue;
      this.#streams.delete(stream.streamId);
      memory.set(stream.streamId, stream.closedBy);
    }
    pending.length = 0;
  }

  /** How stream `streamId` closed, or `null` (still open, closed implicitly, or forgotten). */
  closedBy(streamId: number): StreamClosedBy | null {
    const stream = this.#streams.get(streamId);
    if (stream !== undefined) return stream.closedBy;
    return this.#closedStreams?.get(streamId) ?? null;
  }

  /** Whether the stream was closed by RST_STREAM, sent or received. */
  isClosedByReset(streamId: number): boolean {
    const by = this.closedBy(streamId);
    return by === StreamClosedBy.RECV_RST_STREAM || by === StreamClosedBy.SEND_RST_STREAM;
  }

  /** Whether the stream was closed by END_STREAM, sent or received. */
  isClosedByEnd(streamId: number): boolean {
    const by = this.closedBy(streamId);
    return by === StreamClosedBy.RECV_END_STREAM || by === StreamClosedBy.SEND_END_STREAM;
  }

  /** Frees every stream (the connection failed). */
  clear(): void {
    this.#streams.clear();
    this.#closedPending = NO_PENDING;
    this.#openInbound = 0;
    this.#openOutbound = 0;
  }
}
