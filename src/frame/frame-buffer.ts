/*
 * FrameBuffer: turns received bytes into complete frames, checks the client preface, enforces
 * SETTINGS_MAX_FRAME_SIZE and joins HEADERS/PUSH_PROMISE + CONTINUATION into one header block.
 * Frame layer (sans-I/O). Port of h2/frame_buffer.py.
 */
import { EMPTY, FRAME_HEADER_LENGTH } from './frame.ts';
import type { Frame } from './frame.ts';
import { frameForHeader } from './frame-header.ts';
import { FrameType } from './frame-type.ts';
import type { ContinuationFrame, HeadersFrame, PushPromiseFrame } from './headers.ts';
import type { PriorityFrame } from './control.ts';
import { PRIORITY_DATA_LENGTH } from './priority.ts';
import { ContinuationError, FrameError, FrameTooLargeError, HeaderBlockTooLargeError, PrefaceError } from './errors.ts';

/** RFC 9113 §3.4: the client connection preface, `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`. */
export const CONNECTION_PREFACE: Uint8Array = new Uint8Array([
  0x50, 0x52, 0x49, 0x20, 0x2a, 0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x32, 0x2e, 0x30, 0x0d, 0x0a, 0x0d, 0x0a, 0x53, 0x4d, 0x0d, 0x0a,
  0x0d, 0x0a,
]);

/** END_HEADERS is 0x04 on HEADERS, PUSH_PROMISE and CONTINUATION (RFC 9113 §6.2, §6.6, §6.10). */
const END_HEADERS_BIT = 0x04;

/** Where a frame header split across chunks is put together (filled and parsed within one call). */
const HEADER_SCRATCH = new Uint8Array(FRAME_HEADER_LENGTH);

/** When this many consumed chunk slots pile up (and are the majority), the chunk list is compacted. */
const COMPACT_AFTER = 1024;

/** Reads shorter than this are copied into a staging block instead of being queued one by one. */
const SMALL_READ = 128;

/** Size of a staging block for small reads. */
const STAGE_SIZE = 4096;

/**
 * A retained chunk whose backing buffer is larger than its bytes by more than this (and more than
 * twice its size) is copied while the buffer waits for more input: see `#releaseBacking`.
 */
const MAX_WASTED_BACKING = 4096;
/** The chunk list shared by every buffer holding no bytes (never written: a buffer takes its own on its first bytes). */
const NO_CHUNKS: Uint8Array[] = Object.freeze([]) as unknown as Uint8Array[];

/**
 * A header block spanning CONTINUATION frames while it is joined: the opening HEADERS/PUSH_PROMISE, the
 * fragments so far, and the frame count. Made per such block: the buffer of a connection whose blocks
 * each fit one frame (nearly all) holds none of these fields.
 */
interface OpenBlock {
  readonly frame: HeadersFrame | PushPromiseFrame;
  bytes: Uint8Array;
  length: number;
  frames: number;
}

/** Options of {@link FrameBuffer}. */
export interface FrameBufferOptions {
  /** Server side: the bytes must start with the client connection preface. Default false. */
  server?: boolean | undefined;
  /**
   * Largest accepted payload, SETTINGS_MAX_FRAME_SIZE as we advertised it. Default 16384. Checked on
   * the 9-byte header, so an oversized frame is refused before its payload is buffered (memory
   * exhaustion by huge frames).
   */
  maxFrameSize?: number | undefined;
  /**
   * Most frames in one header block, the opening HEADERS/PUSH_PROMISE included, as h2 counts its
   * CONTINUATION_BACKLOG: with the default 64, the 64th CONTINUATION is refused. Stops the CONTINUATION
   * flood (CERT VU#421644, CVE-2024-27316 and kin), empty CONTINUATIONs included.
   */
  maxContinuationFrames?: number | undefined;
  /**
   * Most octets of one header block (fragments, without padding or priority data). Default 262144
   * (256 KiB: four times the HPACK decoder's default 64 KiB header list). A CONTINUATION whose announced
   * length would pass it is refused from its header, before its payload is buffered (CONTINUATION flood
   * with large fragments, CVE-2023-45288).
   */
  maxHeaderBlockSize?: number | undefined;
}

/**
 * Splits a received byte stream into frames. `addData()` appends bytes (kept by reference: do not
 * modify them afterwards); iterate it (or call `next()`) for the complete frames. A frame inside one
 * received chunk is parsed in place: its payload is a view of that chunk. A frame split across chunks
 * is copied once. Reads under 128 bytes are copied into a 4 KiB staging block rather than queued one
 * by one, so tiny reads stay cheap. The total cost is linear in the bytes received, whatever the
 * chunk sizes.
 *
 * Errors are frame-layer errors carrying `errorCode` (PROTOCOL_ERROR or FRAME_SIZE_ERROR); the core
 * maps them as h2 does: PrefaceError, ContinuationError, HeaderBlockTooLargeError, InvalidDataError and
 * InvalidPaddingError → ProtocolError; FrameTooLargeError → FrameTooLargeError; InvalidFrameError →
 * FrameDataMissingError. After it throws, the buffer is dead: every later call throws the same error.
 */
export class FrameBuffer implements Iterable<Frame> {
  /** Largest accepted payload (SETTINGS_MAX_FRAME_SIZE we advertised); the core updates it. */
  maxFrameSize: number;
  /** Most frames per header block, HEADERS/PUSH_PROMISE included (CONTINUATION flood). */
  maxContinuationFrames: number;
  /** Most fragment octets per header block (CONTINUATION flood). */
  maxHeaderBlockSize: number;

  /** {@link NO_CHUNKS} while nothing is buffered (an idle connection keeps no list). */
  #chunks: Uint8Array[] = NO_CHUNKS;
  /** Chunks below this index were already checked by `#releaseBacking`. */
  #backingChecked = 0;
  #stage: Uint8Array | null = null;
  #stageEnd = 0;
  #head = 0;
  #offset = 0;
  #available = 0;
  #prefaceLeft: number;
  #pending: Frame | null = null;
  #pendingLength = 0;
  /** The type octet of `#pending` (read from its header: cheaper than class checks per frame). */
  #pendingType = 0;
  /** The header block being joined from CONTINUATION frames, or `null` (the common case). */
  #block: OpenBlock | null = null;
  #error: FrameError | null = null;

  /** Creates an empty buffer; see {@link FrameBufferOptions} for the defaults. */
  constructor(options?: FrameBufferOptions) {
    this.#prefaceLeft = options?.server === true ? CONNECTION_PREFACE.length : 0;
    this.maxFrameSize = options?.maxFrameSize ?? 16384;
    this.maxContinuationFrames = options?.maxContinuationFrames ?? 64;
    this.maxHeaderBlockSize = options?.maxHeaderBlockSize ?? 262144;
  }

  /** Octets held: received but not yet returned as frames, plus the open header block. */
  get bufferedBytes(): number {
    return this.#available + (this.#block === null ? 0 : this.#block.length);
  }

  /**
   * Length of the internal chunk list, consumed slots awaiting compaction included. Inspection only:
   * compaction keeps it bounded (about 2 × 1024) however many reads arrive.
   */
  get chunkSlots(): number {
    return this.#chunks.length;
  }

  /**
   * Appends received bytes. On the server side the client preface is checked first, octet by octet,
   * so a mismatch throws `PrefaceError` at once, even before 24 octets have arrived.
   */
  addData(bytes: Uint8Array): void {
    if (this.#error !== null) throw this.#error;
    let data = bytes;
    if (this.#prefaceLeft > 0) {
      const start = CONNECTION_PREFACE.length - this.#prefaceLeft;
      const n = Math.min(this.#prefaceLeft, data.length);
      for (let i = 0; i < n; i++) {
        // RFC 9113 §3.4: "Clients and servers MUST treat an invalid connection preface as a
        // connection error (Section 5.4.1) of type PROTOCOL_ERROR."
        if (data[i] !== CONNECTION_PREFACE[start + i]) throw this.#fail(new PrefaceError());
      }
      this.#prefaceLeft -= n;
      data = data.subarray(n);
    }
    const n = data.length;
    if (n === 0) return;
    if (this.#chunks === NO_CHUNKS) this.#chunks = [];
    this.#available += n;
    if (n >= SMALL_READ) {
      this.#closeStage();
      this.#chunks.push(data);
      return;
    }
    let stage = this.#stage;
    if (stage === null || this.#stageEnd + n > stage.length) {
      this.#closeStage();
      stage = this.#stage = new Uint8Array(STAGE_SIZE);
      this.#stageEnd = 0;
      this.#chunks.push(stage);
    }
    const end = this.#stageEnd;
    if (n <= 16) for (let i = 0; i < n; i++) stage[end + i] = data[i]!;
    else stage.set(data, end);
    this.#stageEnd = end + n;
  }

  /** Ends appending to the staging block: its list entry becomes a view of the bytes written. */
  #closeStage(): void {
    const stage = this.#stage;
    if (stage === null) return;
    this.#chunks[this.#chunks.length - 1] = stage.subarray(0, this.#stageEnd);
    this.#stage = null;
    this.#skip(0);
  }

  /** The end of the valid bytes of `chunk` (the open staging block is only partly written). */
  #chunkEnd(chunk: Uint8Array): number {
    return chunk === this.#stage ? this.#stageEnd : chunk.length;
  }

  /** The next complete frame, or null when more bytes are needed. */
  next(): Frame | null {
    if (this.#error !== null) throw this.#error;
    try {
      return this.#next();
    } catch (err) {
      if (err instanceof FrameError) this.#error = err;
      throw err;
    }
  }

  /** Iterates the complete frames (stops when more bytes are needed; iterate again after `addData`). */
  [Symbol.iterator](): Iterator<Frame> {
    return {
      next: (): IteratorResult<Frame> => {
        const frame = this.next();
        return frame === null ? { done: true, value: undefined } : { done: false, value: frame };
      },
    };
  }

  #fail(err: FrameError): FrameError {
    this.#error = err;
    return err;
  }

  #next(): Frame | null {
    for (;;) {
      let frame = this.#pending;
      if (frame === null) {
        if (this.#available < FRAME_HEADER_LENGTH) return this.#releaseBacking();
        frame = this.#readHeader();
      }
      const length = this.#pendingLength;
      if (this.#available < length) {
        this.#pending = frame;
        return this.#releaseBacking();
      }
      this.#pending = null;
      const body = this.#take(length);
      // RFC 9113 §6.3: a PRIORITY frame of another length than 5 is a stream error, not the connection's
      // (hyperframe raises, and h2 ends the connection): handed on marked, for the core to answer.
      if (this.#pendingType === FrameType.PRIORITY && length !== PRIORITY_DATA_LENGTH) {
        (frame as PriorityFrame).invalidLength = length;
        return frame;
      }
      frame.parseBody(body);
      const out = this.#joinHeaderBlock(frame, this.#pendingType);
      if (out !== null) return out;
    }
  }

  /**
   * Called whenever the buffer must wait for more input: a retained chunk that is a small view of a
   * much larger buffer (a pooled read, a slice of a big message) is replaced by a copy of its unread
   * bytes. Otherwise a peer trickling one frame in small reads would make us hold whole read buffers:
   * a memory amplification of up to buffer size / read size per connection (slow-read floods). Each
   * chunk is checked once, so the copying stays linear; complete frames keep their zero-copy views.
   */
  #releaseBacking(): null {
    // Every byte consumed: an open staging block would be kept, unused, for as long as the peer is
    // quiet (4 KiB per idle connection). The next small read starts a new one.
    if (this.#available === 0 && this.#stage !== null) {
      this.#stage = null;
      this.#stageEnd = 0;
      this.#chunks = NO_CHUNKS;
      this.#head = 0;
      this.#offset = 0;
      this.#backingChecked = 0;
      return null;
    }
    const chunks = this.#chunks;
    let i = Math.max(this.#backingChecked, this.#head);
    for (; i < chunks.length; i++) {
      const c = chunks[i]!;
      if (c === this.#stage) continue;
      const backing = c.buffer.byteLength;
      if (backing - c.byteLength > MAX_WASTED_BACKING && backing > 2 * c.byteLength) {
        if (i === this.#head) {
          chunks[i] = c.slice(this.#offset);
          this.#offset = 0;
        } else {
          chunks[i] = c.slice();
        }
      }
    }
    this.#backingChecked = i;
    return null;
  }

  /** The bytes of backing buffers the retained chunks keep alive (the staging block included). */
  get retainedBackingBytes(): number {
    let total = 0;
    const seen = new Set<ArrayBufferLike>();
    for (let i = this.#head; i < this.#chunks.length; i++) {
      const b = this.#chunks[i]!.buffer;
      if (!seen.has(b)) {
        seen.add(b);
        total += b.byteLength;
      }
    }
    return total;
  }

  /** Parses and consumes the next 9-octet header; validates size and header-block sequencing. */
  #readHeader(): Frame {
    let h = this.#chunks[this.#head]!;
    let o = this.#offset;
    if (this.#chunkEnd(h) - o < FRAME_HEADER_LENGTH) {
      this.#copyOut(HEADER_SCRATCH, FRAME_HEADER_LENGTH);
      h = HEADER_SCRATCH;
      o = 0;
    }
    const length = (h[o]! << 16) | (h[o + 1]! << 8) | h[o + 2]!;
    const type = h[o + 3]!;
    const flagByte = h[o + 4]!;
    // RFC 9113 §4.1: the reserved bit "MUST be ignored when receiving".
    const streamId = ((h[o + 5]! & 0x7f) << 24) | (h[o + 6]! << 16) | (h[o + 7]! << 8) | h[o + 8]!;
    // A stream id the type forbids fails first (InvalidDataError), as in h2.
    const frame = frameForHeader(type, flagByte, streamId, length);
    // RFC 9113 §4.2: "An endpoint MUST send an error code of FRAME_SIZE_ERROR if a frame exceeds the
    // size defined in SETTINGS_MAX_FRAME_SIZE". Checked before the payload is buffered.
    if (length > this.maxFrameSize) throw new FrameTooLargeError(length, this.maxFrameSize);
    this.#checkHeaderBlock(frame, type, length, flagByte);
    if (h !== HEADER_SCRATCH) this.#skip(FRAME_HEADER_LENGTH);
    this.#pending = frame;
    this.#pendingLength = length;
    this.#pendingType = type;
    return frame;
  }

  /** Enforces header-block sequencing and the flood limits from a frame's header alone. */
  #checkHeaderBlock(frame: Frame, type: number, length: number, flagByte: number): void {
    const block = this.#block;
    if (block !== null) {
      // RFC 9113 §6.10: a block must continue with CONTINUATION frames on the same stream; "A receiver
      // MUST treat the receipt of any other type of frame or a frame on a different stream as a
      // connection error (Section 5.4.1) of type PROTOCOL_ERROR."
      if (type !== FrameType.CONTINUATION || frame.streamId !== block.frame.streamId) {
        throw new ContinuationError('Invalid frame during header block.');
      }
      // CONTINUATION flood (CERT VU#421644): bound the frame count (empty frames included) ...
      if (block.frames + 1 > this.maxContinuationFrames) {
        throw new HeaderBlockTooLargeError('Too many continuation frames received.');
      }
      // ... and the block size, from the announced length, before buffering the fragment.
      if (block.length + length > this.maxHeaderBlockSize) {
        throw new HeaderBlockTooLargeError(`Header block exceeds ${this.maxHeaderBlockSize} bytes.`);
      }
    } else if (type === FrameType.CONTINUATION) {
      // RFC 9113 §6.10: "A CONTINUATION frame MUST be preceded by a HEADERS, PUSH_PROMISE or
      // CONTINUATION frame without the END_HEADERS flag set. A recipient that observes violation of
      // this rule MUST respond with a connection error (Section 5.4.1) of type PROTOCOL_ERROR."
      throw new ContinuationError('CONTINUATION frame without an open header block.');
    } else if ((flagByte & END_HEADERS_BIT) === 0 && (type === FrameType.HEADERS || type === FrameType.PUSH_PROMISE)) {
      if (length > this.maxHeaderBlockSize) throw new HeaderBlockTooLargeError(`Header block exceeds ${this.maxHeaderBlockSize} bytes.`);
    }
  }

  /** Passes a parsed frame (of type octet `type`) through header-block assembly; null while a block is still open. */
  #joinHeaderBlock(frame: Frame, type: number): Frame | null {
    const block = this.#block;
    if (block !== null) {
      const fragment = (frame as ContinuationFrame).data;
      this.#appendBlock(block, fragment);
      block.frames++;
      if ((frame.flags.bits & END_HEADERS_BIT) === 0) return null;
      const joined = block.frame;
      joined.data = block.bytes.subarray(0, block.length);
      joined.flags.add('END_HEADERS');
      this.#block = null;
      return joined;
    }
    if ((type === FrameType.HEADERS || type === FrameType.PUSH_PROMISE) && (frame.flags.bits & END_HEADERS_BIT) === 0) {
      const opening = frame as HeadersFrame | PushPromiseFrame;
      const open: OpenBlock = { frame: opening, bytes: EMPTY, length: 0, frames: 1 };
      this.#block = open;
      this.#appendBlock(open, opening.data);
      return null;
    }
    return frame;
  }

  /** Copies a fragment into the block accumulator (growing it geometrically, capped by the budget). */
  #appendBlock(block: OpenBlock, fragment: Uint8Array): void {
    const need = block.length + fragment.length;
    if (need > block.bytes.length) {
      const grown = new Uint8Array(Math.max(need, Math.min(block.bytes.length * 2 || 1024, this.maxHeaderBlockSize)));
      grown.set(block.bytes.subarray(0, block.length));
      block.bytes = grown;
    }
    block.bytes.set(fragment, block.length);
    block.length = need;
  }

  /** Consumes `n` octets: a view of the current chunk when they lie inside it, else one copy. */
  #take(n: number): Uint8Array {
    if (n === 0) return EMPTY;
    const chunk = this.#chunks[this.#head]!;
    const start = this.#offset;
    if (this.#chunkEnd(chunk) - start >= n) {
      this.#skip(n);
      return chunk.subarray(start, start + n);
    }
    const out = new Uint8Array(n);
    this.#copyOut(out, n);
    return out;
  }

  /** Copies the next `n` octets into `out` and consumes them (n ≤ available). */
  #copyOut(out: Uint8Array, n: number): void {
    let pos = 0;
    while (pos < n) {
      const chunk = this.#chunks[this.#head]!;
      const k = Math.min(this.#chunkEnd(chunk) - this.#offset, n - pos);
      if (k <= 16) for (let i = 0; i < k; i++) out[pos + i] = chunk[this.#offset + i]!;
      else out.set(chunk.subarray(this.#offset, this.#offset + k), pos);
      pos += k;
      this.#skip(k);
    }
  }

  /** Consumes `n` octets (n ≤ available), releasing finished chunks (not the open staging block). */
  #skip(n: number): void {
    this.#available -= n;
    this.#offset += n;
    const chunks = this.#chunks;
    while (this.#head < chunks.length && chunks[this.#head] !== this.#stage && this.#offset >= chunks[this.#head]!.length) {
      this.#offset -= chunks[this.#head]!.length;
      chunks[this.#head] = EMPTY;
      this.#head++;
    }
    if (this.#head === chunks.length) {
      // Emptied in place, not swapped for NO_CHUNKS: this runs once per read on the receive path, where a
      // field that keeps one kind of list stays fastest (measured: ~3% of a GET's CPU). An idle buffer
      // still lets its list go in #releaseBacking.
      if (chunks !== NO_CHUNKS) chunks.length = 0;
      this.#head = 0;
      this.#backingChecked = 0;
    } else if (this.#head >= COMPACT_AFTER && this.#head * 2 >= chunks.length) {
      chunks.splice(0, this.#head);
      this.#backingChecked = Math.max(0, this.#backingChecked - this.#head);
      this.#head = 0;
    }
  }
}
