/**
 * The connection's outbound byte buffer: frames are serialized straight into a slab (no per-frame
 * arrays, no concatenation), and `take()` hands the queued bytes out as a view of it; large DATA
 * payloads may instead be queued by reference (`takeVectored()`). Sans-I/O core.
 * Replaces h2's `_data_to_send` bytearray.
 */

import { FRAME_HEADER_LENGTH, type Frame } from '../frame/index.ts';

/** The size of a shared slab, and the smallest private one. */
const SLAB_SIZE = 65536;
/** Batches up to this size are carved from the slab shared by every connection; larger ones get their own. */
const SHARED_LIMIT = 16384;

/**
 * The slab small batches of every connection are carved from, one after another: an idle connection
 * then holds no buffer of its own (a private 64 KiB slab per connection was most of an idle connection's
 * memory). `top` is the first free byte; bytes below it belong to a connection's queue or were handed
 * out, and are never written again. Module state, but no I/O: the core stays sans-I/O and
 * single-threaded per realm.
 */
const shared = { buf: new Uint8Array(0), top: 0 };
const EMPTY = new Uint8Array(0);

/**
 * Makes a view of `length` bytes of `buffer` from `byteOffset`: a `Uint8Array` or a subclass the I/O
 * layer writes without converting (an I/O layer that would otherwise wrap every plain `Uint8Array` it is
 * given in its own array type; see the transports' `makeView`).
 */
export type ViewFactory = (buffer: ArrayBufferLike, byteOffset: number, length: number) => Uint8Array;

/** The piece list of every queue holding no pieces (never written: a queue takes its own on its first piece). */
const NO_PIECES: Uint8Array[] = Object.freeze([]) as unknown as Uint8Array[];

/**
 * Queued outbound bytes in a slab. Successive batches are carved from the same slab, each written
 * after the previous one; a new slab starts when the next frame does not fit. Bytes handed out by
 * {@link take} are never written again, so the returned views stay valid for as long as the caller
 * keeps them (a view keeps its slab alive).
 *
 * A new slab is sized for the batch: at least the size of the last batch taken whole (bounded by
 * `maxSlabHint`), so a steady flow of large batches costs one allocation each instead of
 * regrowing (and copying) every time.
 *
 * The queue may also hold referenced payloads ({@link pushDataReference}): it is then a list of
 * pieces (slab views and the caller's own arrays, in order) followed by the slab's live bytes.
 * {@link takeVectored} hands that list out uncopied; {@link take} copies it into one array.
 */
export class OutboundBuffer {
  #buf: Uint8Array = EMPTY;
  /** True when `#buf` is this queue's own slab; false for the shared slab (or a retired one) or none. */
  #private = false;
  /** Queued pieces that come before the slab's live bytes: sealed slab views and referenced payloads. */
  #pieces: Uint8Array[] = NO_PIECES;
  #piecesLength = 0;
  #start = 0;
  #end = 0;
  /** Bytes ever queued (absolute offset of the end of the queue). */
  #queued = 0;
  /** The size of the last batch taken whole: the next slab is at least that big. */
  #hint = SLAB_SIZE;
  /** How the views of {@link takeVectored}'s pieces are made (null: plain `Uint8Array`s). */
  makeView: ViewFactory | null = null;
  readonly #maxHint: number;

  /**
   * @param maxSlabHint The largest size a new slab is given in advance for the batch it will hold
   *   (a larger batch still grows the slab as needed). Bounds what one large batch makes the next
   *   slab allocate up front.
   */
  constructor(maxSlabHint: number = 4 * 1048576) {
    this.#maxHint = Math.max(SLAB_SIZE, maxSlabHint);
  }

  /** Bytes queued and not yet taken. */
  get length(): number {
    return this.#piecesLength + this.#end - this.#start;
  }

  /** Bytes of a slab this queue holds alone (0 on the shared slab, or when idle after a large batch). */
  get privateCapacity(): number {
    return this.#private ? this.#buf.length : 0;
  }

  /** Absolute offset of the end of the queue: the total number of bytes ever queued. */
  get queuedTotal(): number {
    return this.#queued;
  }

  /** Absolute offset of the start of the queue: the total number of bytes taken or discarded. */
  get takenTotal(): number {
    return this.#queued - this.length;
  }

  /**
   * Makes room for `n` more bytes after `#end`. A queue on the shared slab grows in place while it ends
   * at the slab's top (no other connection carved after it); otherwise its live bytes move to the
   * shared slab's top, or to a private slab once the batch outgrows {@link SHARED_LIMIT}.
   */
  #reserve(n: number): void {
    const buf = this.#buf;
    const live = this.#end - this.#start;
    const need = live + n;
    if (!this.#private) {
      // Only the queue that ends at the current shared slab's top may grow in place: bytes after any
      // other end (in this slab or a retired one) may be another connection's.
      if (buf === shared.buf && this.#end === shared.top && this.#end + n <= buf.length) {
        shared.top += n;
        return;
      }
    } else if (this.#end + n <= buf.length) {
      return;
    }
    if (need <= SHARED_LIMIT && this.#hint <= SLAB_SIZE) {
      if (shared.top + need > shared.buf.length) {
        shared.buf = new Uint8Array(SLAB_SIZE);
        shared.top = 0;
      }
      const at = shared.top;
      if (live > 0) shared.buf.set(buf.subarray(this.#start, this.#end), at);
      this.#buf = shared.buf;
      this.#private = false;
      this.#start = at;
      this.#end = at + live;
      shared.top = at + need;
      return;
    }
    // Growing in the middle of a batch doubles, so a batch larger than the hint costs O(log) copies.
    const capacity = Math.max(SLAB_SIZE, this.#hint, need, live > 0 ? 2 * need : 0);
    const next = new Uint8Array(capacity);
    if (live > 0) next.set(buf.subarray(this.#start, this.#end));
    this.#buf = next;
    this.#private = true;
    this.#start = 0;
    this.#end = live;
  }

  /** Lets a private slab go once its queue is empty: an idle connection keeps no buffer of its own. */
  #drained(): void {
    if (this.#private && this.#start === this.#end) {
      this.#buf = EMPTY;
      this.#private = false;
      this.#start = 0;
      this.#end = 0;
    }
  }

  /** Serializes `frame` onto the end of the queue. */
  pushFrame(frame: Frame): void {
    const n = frame.serializedLength;
    this.#reserve(n);
    this.#end += frame.serializeInto(this.#buf, this.#end);
    this.#queued += n;
  }

  /** Copies `bytes` onto the end of the queue. */
  pushBytes(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#end);
    this.#end += bytes.length;
    this.#queued += bytes.length;
  }

  /**
   * Queues an unpadded DATA frame whose payload is `data` itself, not a copy: the 9-byte header goes
   * into the slab and `data` is kept by reference until it is taken.
   */
  pushDataReference(streamId: number, endStream: boolean, data: Uint8Array): void {
    this.#reserve(FRAME_HEADER_LENGTH);
    const n = data.length;
    this.#end = writeDataHeader(this.#buf, this.#end, n, endStream, streamId);
    this.#seal();
    this.#ownPieces().push(data);
    this.#piecesLength += n;
    this.#queued += FRAME_HEADER_LENGTH + n;
  }

  /**
   * Queues `data` as consecutive unpadded DATA frames of at most `maxFrameSize` bytes (one empty
   * frame for empty `data`), END_STREAM on the last when `endStream`; no frame objects. Payloads of
   * at least `referenceMin` bytes are queued by reference ({@link pushDataReference}), smaller ones
   * copied in after their header. Successive headers land next to each other in the slab.
   * @returns the number of frames queued.
   */
  pushDataFrames(streamId: number, endStream: boolean, data: Uint8Array, maxFrameSize: number, referenceMin: number): number {
    const total = data.length;
    let o = 0;
    let frames = 0;
    const full = Math.floor(total / maxFrameSize);
    if (full > 0 && maxFrameSize >= referenceMin) {
      // The full-size frames, by reference: their headers side by side in the slab (one reservation),
      // each header a piece of its own followed by its payload, views made without subarray's species
      // lookup. The first header piece also carries the slab's live bytes queued before it.
      this.#reserve(full * FRAME_HEADER_LENGTH);
      const buf = this.#buf;
      const pieces = this.#ownPieces();
      const bytes = data.buffer;
      const base = data.byteOffset;
      const make = this.makeView;
      let from = this.#start;
      let h = this.#end;
      for (let i = 0; i < full; i++, o += maxFrameSize) {
        h = writeDataHeader(buf, h, maxFrameSize, endStream && o + maxFrameSize === total, streamId);
        if (make === null) {
          pieces.push(new Uint8Array(buf.buffer, buf.byteOffset + from, h - from));
          pieces.push(maxFrameSize === total ? data : new Uint8Array(bytes, base + o, maxFrameSize));
        } else {
          pieces.push(make(buf.buffer, buf.byteOffset + from, h - from));
          pieces.push(maxFrameSize === total ? data : make(bytes, base + o, maxFrameSize));
        }
        from = h;
      }
      const queued = h - this.#start + o;
      this.#end = h;
      this.#start = h;
      this.#piecesLength += queued;
      this.#queued += queued;
      frames = full;
      if (o === total) return frames;
    }
    do {
      const n = Math.min(maxFrameSize, total - o);
      const end = endStream && o + n === total;
      const payload = n === total ? data : this.makeView === null ? data.subarray(o, o + n) : this.makeView(data.buffer, data.byteOffset + o, n);
      if (n >= referenceMin) {
        this.pushDataReference(streamId, end, payload);
      } else {
        this.#reserve(FRAME_HEADER_LENGTH + n);
        const at = writeDataHeader(this.#buf, this.#end, n, end, streamId);
        this.#buf.set(payload, at);
        this.#end = at + n;
        this.#queued += FRAME_HEADER_LENGTH + n;
      }
      o += n;
      frames++;
    } while (o < total);
    return frames;
  }

  /** The piece list, made this queue's own if it is the shared empty one. */
  #ownPieces(): Uint8Array[] {
    if (this.#pieces === NO_PIECES) this.#pieces = [];
    return this.#pieces;
  }

  /** Moves the slab's live bytes onto the piece list (the slab never writes into them again). */
  #seal(): void {
    const live = this.#end - this.#start;
    if (live === 0) return;
    const buf = this.#buf;
    this.#ownPieces().push(this.makeView === null ? buf.subarray(this.#start, this.#end) : this.makeView(buf.buffer, buf.byteOffset + this.#start, live));
    this.#piecesLength += live;
    this.#start = this.#end;
  }

  /** Copies the piece list and the live bytes into one new slab, so the queue is plain bytes again. */
  #flatten(): void {
    const live = this.#end - this.#start;
    const total = this.#piecesLength + live;
    const next = new Uint8Array(Math.max(SLAB_SIZE, total));
    let o = 0;
    for (const piece of this.#pieces) {
      next.set(piece, o);
      o += piece.length;
    }
    next.set(this.#buf.subarray(this.#start, this.#end), o);
    this.#pieces = NO_PIECES;
    this.#piecesLength = 0;
    this.#buf = next;
    this.#private = true;
    this.#start = 0;
    this.#end = total;
  }

  /**
   * Removes and returns every queued byte as a list of arrays, in order, without copying referenced
   * payloads (an empty list when nothing is queued). Every array is made by {@link makeView} when set,
   * except a referenced payload that is a caller's whole array.
   */
  takeVectored(): Uint8Array[] {
    if (this.#pieces.length === 0) {
      const out = this.take();
      if (out.length === 0) return [];
      return [this.makeView === null ? out : this.makeView(out.buffer, out.byteOffset, out.length)];
    }
    this.#seal();
    const out = this.#pieces;
    this.#pieces = NO_PIECES;
    this.#piecesLength = 0;
    this.#hint = SLAB_SIZE;
    this.#drained();
    return out;
  }

  /**
   * Removes and returns up to `amount` queued bytes (all of them when `amount` is undefined) as one
   * view; the buffer never writes into it again (later frames go after it, or into a new slab).
   * Referenced payloads are copied in.
   */
  take(amount?: number): Uint8Array {
    if (amount !== undefined && !(amount >= 0)) throw new RangeError(`amount must be a non-negative number, not ${String(amount)}`);
    if (this.#pieces.length > 0) this.#flatten();
    const live = this.#end - this.#start;
    const n = amount === undefined ? live : Math.min(live, Math.floor(amount));
    if (n === 0) return EMPTY;
    const out = this.#buf.subarray(this.#start, this.#start + n);
    this.#start += n;
    if (this.#start === this.#end && n > SLAB_SIZE) this.#hint = Math.min(this.#maxHint, n);
    else if (this.#start === this.#end) this.#hint = SLAB_SIZE;
    this.#drained();
    return out;
  }

  /** Discards every queued byte (and lets the slab go). */
  clear(): void {
    this.#pieces = NO_PIECES;
    this.#piecesLength = 0;
    this.#buf = EMPTY;
    this.#private = false;
    this.#start = 0;
    this.#end = 0;
  }
}

/** Writes an unpadded DATA frame's 9-byte header at `o` (RFC 9113 §4.1, §6.1); returns the offset after it. */
function writeDataHeader(b: Uint8Array, o: number, length: number, endStream: boolean, streamId: number): number {
  b[o] = length >>> 16;
  b[o + 1] = (length >>> 8) & 0xff;
  b[o + 2] = length & 0xff;
  b[o + 3] = 0x0; // DATA
  b[o + 4] = endStream ? 0x1 : 0x0; // END_STREAM
  // RFC 9113 §4.1: the reserved bit "MUST remain unset (0x0) when sending".
  b[o + 5] = (streamId >>> 24) & 0x7f;
  b[o + 6] = (streamId >>> 16) & 0xff;
  b[o + 7] = (streamId >>> 8) & 0xff;
  b[o + 8] = streamId & 0xff;
  return o + FRAME_HEADER_LENGTH;
}
