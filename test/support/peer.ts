/**
 * A scripted HTTP/2 peer for sans-I/O tests (Go's serverTester, h2's FrameFactory): builders that return
 * wire bytes, and a reader that parses a connection's output into frames with fluent expectations.
 * Frames are built and parsed by hand (independent of src/frame); header blocks use src/hpack.
 */
import { Decoder, Encoder, NeverIndexedHeaderTuple } from '../../src/hpack';
import { FrameType } from '../../src/frame';
import { ErrorCodes } from '../../src/core/errors';
import { SettingCodes } from '../../src/core/settings';
import { concat as concatBytes, fromLatin1, latin1 } from './bytes';

/** Which side of the connection the peer plays. The connection under test plays the other one. */
export type PeerRole = 'client' | 'server';

/** A header field as tests write them: `[name, value]` ByteStrings. */
export type HeaderPair = readonly [string, string];

/**
 * Header input accepted by the builders: `[name, value]`, or `[name, value, 1]` for a never-indexed
 * field; `NeverIndexedHeaderTuple`s also stay never-indexed.
 */
export type PeerHeaders = Iterable<readonly [string, string] | readonly [string, string, 1]>;

/** The 24-octet client connection preface (RFC 9113 §3.4). */
export const CLIENT_PREFACE = latin1('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/** Frame type codes (RFC 9113 §6, RFC 7838 §4, RFC 9218 §7.1), short for tests. */
export const T = FrameType;

/** Flag bits (RFC 9113 §6). */
export const F = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;

/** Error codes (RFC 9113 §7), short for tests. */
export const E = ErrorCodes;

/** Setting codes (RFC 9113 §6.5.2, RFC 8441 §3), short for tests. */
export const S = SettingCodes;

const TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(T).map(([k, v]) => [v, k]));
const ERROR_NAMES: Record<number, string> = Object.fromEntries(Object.entries(E).map(([k, v]) => [v, k]));
const SETTING_NAMES: Record<number, string> = Object.fromEntries(Object.entries(S).map(([k, v]) => [v, k]));

/** Flag bits each frame type defines, in print order. */
const FLAG_NAMES: Record<number, readonly (readonly [string, number])[]> = {
  [T.DATA]: [['END_STREAM', 0x1], ['PADDED', 0x8]],
  [T.HEADERS]: [['END_STREAM', 0x1], ['END_HEADERS', 0x4], ['PADDED', 0x8], ['PRIORITY', 0x20]],
  [T.SETTINGS]: [['ACK', 0x1]],
  [T.PUSH_PROMISE]: [['END_HEADERS', 0x4], ['PADDED', 0x8]],
  [T.PING]: [['ACK', 0x1]],
  [T.CONTINUATION]: [['END_HEADERS', 0x4]],
};

/** Priority fields as h2 exposes them: weight 1–256 (the wire carries weight − 1). */
export interface PrioritySpec {
  dependsOn?: number;
  weight?: number;
  exclusive?: boolean;
}

/** Options of {@link TestPeer.headers} and {@link TestPeer.pushPromise}. */
export interface HeaderBlockOptions {
  /** Set END_STREAM (HEADERS only). */
  endStream?: boolean;
  /** Set END_HEADERS on the last frame (default true). With false, the caller sends the CONTINUATIONs. */
  endHeaders?: boolean;
  /** Pad the first frame with this many octets (sets PADDED). */
  padLength?: number;
  /** Set the PRIORITY flag with these fields (HEADERS only). */
  priority?: PrioritySpec;
  /** Split the block into this many frames: HEADERS/PUSH_PROMISE + (n − 1) CONTINUATIONs. */
  fragments?: number;
  /** Huffman-encode strings (default true, as h2 does). */
  huffman?: boolean;
}

/** One frame read from the connection under test, decoded by hand (header blocks by the peer's Decoder). */
export interface PeerFrame {
  type: number;
  typeName: string;
  flags: number;
  flagNames: string[];
  streamId: number;
  /** Payload length of the (first) frame on the wire. */
  length: number;
  payload: Uint8Array;
  /** DATA / HEADERS / PUSH_PROMISE: pad length when PADDED. */
  padLength?: number;
  /** DATA: the data without padding. */
  data?: Uint8Array;
  /** HEADERS / PUSH_PROMISE: the decoded block (CONTINUATIONs joined). */
  headers?: HeaderPair[];
  /** Per field of `headers`: whether it arrived as a never-indexed literal (RFC 7541 §6.2.3). */
  neverIndexed?: boolean[];
  /** HEADERS / PUSH_PROMISE: why the block could not be decoded (only in a lenient reader). */
  headerError?: string;
  /** HEADERS: how many CONTINUATION frames carried the rest of the block. */
  continuations?: number;
  /** HEADERS with PRIORITY, and PRIORITY frames. */
  priority?: { dependsOn: number; weight: number; exclusive: boolean };
  errorCode?: number;
  /** SETTINGS: entries in wire order. */
  settings?: [number, number][];
  opaqueData?: Uint8Array;
  lastStreamId?: number;
  additionalData?: Uint8Array;
  windowIncrement?: number;
  promisedStreamId?: number;
  origin?: string;
  field?: string;
}

/** Thrown when the connection's output does not match an expectation; carries the frame log. */
export class PeerExpectationError extends Error {
  override name = 'PeerExpectationError';
}

const u32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

function u32Bytes(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

/** Serializes one frame: 9-octet header + payload (RFC 9113 §4.1). Lengths ≥ 2^24 are truncated, as the wire would. */
export function frameBytes(type: number, flags: number, streamId: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(9 + payload.length);
  const n = payload.length;
  out[0] = (n >>> 16) & 0xff;
  out[1] = (n >>> 8) & 0xff;
  out[2] = n & 0xff;
  out[3] = type & 0xff;
  out[4] = flags & 0xff;
  out.set(u32Bytes(streamId >>> 0), 5);
  out.set(payload, 9);
  return out;
}

function flagNamesOf(type: number, flags: number): string[] {
  const names: string[] = [];
  for (const [name, bit] of FLAG_NAMES[type] ?? []) if (flags & bit) names.push(name);
  return names;
}

function printable(b: Uint8Array, max = 24): string {
  const s = fromLatin1(b.subarray(0, max)).replace(/[^\x20-\x7e]/g, '.');
  return JSON.stringify(b.length > max ? s + '…' : s);
}

/** One log line for a frame: `HEADERS s=1 END_STREAM|END_HEADERS`, `WINDOW_UPDATE s=0 +65535`. */
export function describeFrame(f: PeerFrame): string {
  let s = `${f.typeName} s=${f.streamId}`;
  if (f.flagNames.length) s += ' ' + f.flagNames.join('|');
  else if (f.flags) s += ` flags=0x${f.flags.toString(16)}`;
  switch (f.type) {
    case T.DATA:
      s += ` len=${f.data?.length ?? f.length} ${printable(f.data ?? f.payload)}`;
      break;
    case T.HEADERS:
    case T.PUSH_PROMISE:
      if (f.promisedStreamId !== undefined) s += ` promised=${f.promisedStreamId}`;
      if (f.headers) s += ' ' + f.headers.map(([n, v]) => `${n}: ${v}`).join(', ');
      if (f.continuations) s += ` (+${f.continuations} CONTINUATION)`;
      break;
    case T.RST_STREAM:
      s += ` ${ERROR_NAMES[f.errorCode ?? -1] ?? f.errorCode}`;
      break;
    case T.GOAWAY:
      s += ` last=${f.lastStreamId} ${ERROR_NAMES[f.errorCode ?? -1] ?? f.errorCode}`;
      if (f.additionalData?.length) s += ` ${printable(f.additionalData)}`;
      break;
    case T.WINDOW_UPDATE:
      s += ` +${f.windowIncrement}`;
      break;
    case T.SETTINGS:
      if (f.settings) s += ' ' + f.settings.map(([k, v]) => `${SETTING_NAMES[k] ?? k}=${v}`).join(' ');
      break;
    case T.PING:
      if (f.opaqueData) s += ` ${printable(f.opaqueData)}`;
      break;
    case T.PRIORITY:
      break;
    default:
      if (f.length) s += ` len=${f.length}`;
  }
  if (f.priority) s += ` dep=${f.priority.dependsOn}${f.priority.exclusive ? '!' : ''} w=${f.priority.weight}`;
  return s;
}

/** Strips padding from a PADDED payload; throws when the padding is longer than the payload. */
function unpad(f: PeerFrame, body: Uint8Array): Uint8Array {
  if (!(f.flags & F.PADDED)) return body;
  if (body.length < 1) throw new Error(`${f.typeName} s=${f.streamId}: PADDED without pad length`);
  const pad = body[0]!;
  if (pad > body.length - 1) throw new Error(`${f.typeName} s=${f.streamId}: padding ${pad} exceeds payload`);
  f.padLength = pad;
  return body.subarray(1, body.length - pad);
}

/** Decodes the type-specific fields of a frame (everything but the header block). */
function decodeFields(f: PeerFrame): Uint8Array | undefined {
  const p = f.payload;
  switch (f.type) {
    case T.DATA:
      f.data = unpad(f, p);
      return undefined;
    case T.HEADERS: {
      let block = unpad(f, p);
      if (f.flags & F.PRIORITY) {
        const dep = u32(block, 0);
        f.priority = { dependsOn: dep & 0x7fffffff, exclusive: dep >>> 31 === 1, weight: block[4]! + 1 };
        block = block.subarray(5);
      }
      return block;
    }
    case T.PUSH_PROMISE: {
      const block = unpad(f, p);
      f.promisedStreamId = u32(block, 0) & 0x7fffffff;
      return block.subarray(4);
    }
    case T.CONTINUATION:
      return p;
    case T.PRIORITY: {
      const dep = u32(p, 0);
      f.priority = { dependsOn: dep & 0x7fffffff, exclusive: dep >>> 31 === 1, weight: p[4]! + 1 };
      return undefined;
    }
    case T.RST_STREAM:
      f.errorCode = u32(p, 0);
      return undefined;
    case T.SETTINGS:
      f.settings = [];
      for (let i = 0; i + 6 <= p.length; i += 6) f.settings.push([(p[i]! << 8) | p[i + 1]!, u32(p, i + 2)]);
      return undefined;
    case T.PING:
      f.opaqueData = p;
      return undefined;
    case T.GOAWAY:
      f.lastStreamId = u32(p, 0) & 0x7fffffff;
      f.errorCode = u32(p, 4);
      f.additionalData = p.subarray(8);
      return undefined;
    case T.WINDOW_UPDATE:
      f.windowIncrement = u32(p, 0) & 0x7fffffff;
      return undefined;
    case T.ALTSVC: {
      const n = (p[0]! << 8) | p[1]!;
      f.origin = fromLatin1(p.subarray(2, 2 + n));
      f.field = fromLatin1(p.subarray(2 + n));
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Parses frames out of a byte stream: handles a leading client preface and joins CONTINUATIONs. */
export class FrameReader {
  #pending: Uint8Array = new Uint8Array(0);
  #prefaceLeft: number;
  #open: { frame: PeerFrame; blocks: Uint8Array[] } | null = null;
  readonly decoder: Decoder;
  /** Called for every frame on the wire (CONTINUATIONs included), for logs. */
  onWireFrame: ((f: PeerFrame) => void) | null = null;

  /** With `lenient`, a header block that fails to decode is reported in `headerError` instead of thrown. */
  readonly lenient: boolean;

  /** `expectPreface`: the stream starts with the client preface (the writer is a client). */
  constructor(expectPreface: boolean, decoder?: Decoder, { lenient = false }: { lenient?: boolean } = {}) {
    this.#prefaceLeft = expectPreface ? CLIENT_PREFACE.length : 0;
    this.decoder = decoder ?? FrameReader.tolerantDecoder();
    this.lenient = lenient;
  }

  /** A decoder that accepts any header list size and table size the writer may pick. */
  static tolerantDecoder(): Decoder {
    const d = new Decoder(2 ** 31);
    d.maxAllowedTableSize = 2 ** 31;
    return d;
  }

  /** Whether a frame or the preface is incomplete. */
  get partial(): boolean {
    return this.#pending.length > 0 || this.#prefaceLeft > 0 && this.#prefaceLeft < CLIENT_PREFACE.length || this.#open !== null;
  }

  /** Adds bytes and returns the complete logical frames in them (HEADERS joined with CONTINUATIONs). */
  push(bytes: Uint8Array): PeerFrame[] {
    let buf = this.#pending.length ? concatBytes(this.#pending, bytes) : bytes;
    if (this.#prefaceLeft > 0) {
      const offset = CLIENT_PREFACE.length - this.#prefaceLeft;
      const n = Math.min(this.#prefaceLeft, buf.length);
      for (let i = 0; i < n; i++) {
        if (buf[i] !== CLIENT_PREFACE[offset + i]) throw new Error(`invalid client preface at octet ${offset + i}`);
      }
      this.#prefaceLeft -= n;
      buf = buf.subarray(n);
    }
    const out: PeerFrame[] = [];
    let at = 0;
    while (buf.length - at >= 9) {
      const length = (buf[at]! << 16) | (buf[at + 1]! << 8) | buf[at + 2]!;
      if (buf.length - at < 9 + length) break;
      const type = buf[at + 3]!;
      const flags = buf[at + 4]!;
      const f: PeerFrame = {
        type,
        typeName: TYPE_NAMES[type] ?? `UNKNOWN(0x${type.toString(16)})`,
        flags,
        flagNames: flagNamesOf(type, flags),
        streamId: u32(buf, at + 5) & 0x7fffffff,
        length,
        payload: buf.slice(at + 9, at + 9 + length),
      };
      at += 9 + length;
      const block = decodeFields(f);
      this.onWireFrame?.(f);
      const logical = this.#assemble(f, block);
      if (logical) out.push(logical);
    }
    this.#pending = buf.slice(at);
    return out;
  }

  #assemble(f: PeerFrame, block: Uint8Array | undefined): PeerFrame | null {
    if (this.#open) {
      const open = this.#open;
      if (f.type !== T.CONTINUATION || f.streamId !== open.frame.streamId) {
        throw new Error(`${f.typeName} s=${f.streamId} interleaved in the header block of stream ${open.frame.streamId}`);
      }
      open.blocks.push(block!);
      open.frame.continuations = (open.frame.continuations ?? 0) + 1;
      if (!(f.flags & F.END_HEADERS)) return null;
      this.#open = null;
      this.#decodeBlock(open.frame, concatBytes(...open.blocks));
      return open.frame;
    }
    if (f.type === T.CONTINUATION) throw new Error(`CONTINUATION s=${f.streamId} outside a header block`);
    if (f.type !== T.HEADERS && f.type !== T.PUSH_PROMISE) return f;
    if (!(f.flags & F.END_HEADERS)) {
      this.#open = { frame: f, blocks: [block!] };
      return null;
    }
    this.#decodeBlock(f, block!);
    return f;
  }

  #decodeBlock(f: PeerFrame, block: Uint8Array): void {
    let fields: ReturnType<Decoder['decode']>;
    try {
      fields = this.decoder.decode(block);
    } catch (e) {
      if (!this.lenient) throw e;
      f.headerError = (e as Error).message;
      return;
    }
    f.headers = [];
    f.neverIndexed = [];
    for (const field of fields) {
      const name = typeof field[0] === 'string' ? field[0] : fromLatin1(field[0]);
      const value = typeof field[1] === 'string' ? field[1] : fromLatin1(field[1]);
      f.headers.push([name, value]);
      f.neverIndexed.push(field instanceof NeverIndexedHeaderTuple);
    }
  }
}

function headerListText(headers: readonly HeaderPair[] | undefined): string {
  return JSON.stringify(headers ?? null);
}

function sameHeaders(a: readonly HeaderPair[], b: readonly HeaderPair[]): boolean {
  return a.length === b.length && a.every((h, i) => h[0] === b[i]![0] && h[1] === b[i]![1]);
}

function asBytes(body: string | Uint8Array): Uint8Array {
  return typeof body === 'string' ? latin1(body) : body;
}

/**
 * The scripted peer. Builders return wire bytes (logged as `→`); `read(conn.dataToSend())` queues the
 * connection's frames (logged as `←`), which the `expect*` methods consume in order.
 */
export class TestPeer {
  readonly role: PeerRole;
  /** Encodes the header blocks the peer sends. */
  readonly encoder = new Encoder();
  readonly #reader: FrameReader;
  readonly #queue: PeerFrame[] = [];
  readonly #log: string[] = [];
  #mirror: FrameReader = this.#newMirror();
  /** Default 8 octets for `ping()`. */
  static readonly PING_DATA = latin1('\x00\x01\x02\x03\x04\x05\x06\x07');

  constructor(role: PeerRole) {
    this.role = role;
    // A server peer reads a client connection, which starts with the preface.
    this.#reader = new FrameReader(role === 'server');
    this.#reader.onWireFrame = (f) => this.#log.push('← ' + describeFrame(f));
  }

  /** Decodes the header blocks the connection sends (tolerant of any size). */
  get decoder(): Decoder {
    return this.#reader.decoder;
  }

  /** Every frame sent and received so far, one line each. */
  get log(): readonly string[] {
    return this.#log;
  }

  /** Logs built frames by parsing them with a mirror of the connection's decoder (log only). */
  #sent(bytes: Uint8Array): Uint8Array {
    try {
      this.#mirror.push(bytes);
    } catch (e) {
      this.#log.push(`→ (${(e as Error).message}) ${bytes.length} octets`);
      this.#mirror = this.#newMirror();
    }
    return bytes;
  }

  #newMirror(): FrameReader {
    const r = new FrameReader(false);
    r.onWireFrame = (f) => this.#log.push('→ ' + describeFrame(f));
    return r;
  }

  // ── builders ────────────────────────────────────────────────────────────────

  /** The client connection preface (only a client peer sends it). */
  preface(): Uint8Array {
    if (this.role !== 'client') throw new Error('only a client peer sends the connection preface');
    this.#log.push('→ PREFACE');
    return CLIENT_PREFACE.slice();
  }

  /** What a peer sends first: the preface (client) + a SETTINGS frame with `entries`. */
  greeting(entries: Record<number, number> | readonly (readonly [number, number])[] = {}): Uint8Array {
    return this.role === 'client' ? concatBytes(this.preface(), this.settings(entries)) : this.settings(entries);
  }

  /** SETTINGS with `entries` (record or ordered pairs), or an empty ACK with `{ ack: true }`. */
  settings(entries: Record<number, number> | readonly (readonly [number, number])[] = {}, { ack = false }: { ack?: boolean } = {}): Uint8Array {
    const pairs = Array.isArray(entries) ? (entries as readonly (readonly [number, number])[]) : Object.entries(entries).map(([k, v]) => [Number(k), v] as const);
    const payload = new Uint8Array(pairs.length * 6);
    pairs.forEach(([k, v], i) => {
      payload[i * 6] = (k >>> 8) & 0xff;
      payload[i * 6 + 1] = k & 0xff;
      payload.set(u32Bytes(v >>> 0), i * 6 + 2);
    });
    return this.#sent(frameBytes(T.SETTINGS, ack ? F.ACK : 0, 0, payload));
  }

  /** SETTINGS with ACK. */
  settingsAck(): Uint8Array {
    return this.settings([], { ack: true });
  }

  /** HPACK-encodes a header list with the peer's encoder (its dynamic table changes). */
  headerBlock(headers: PeerHeaders, { huffman = true }: { huffman?: boolean } = {}): Uint8Array {
    const fields = Array.from(headers, (h) => (h.length === 3 ? new NeverIndexedHeaderTuple(h[0], h[1]) : h));
    return this.encoder.encode(fields as Iterable<readonly [string, string]>, { huffman });
  }

  /** HEADERS (+ CONTINUATIONs when `fragments` > 1). */
  headers(streamId: number, headers: PeerHeaders, options: HeaderBlockOptions = {}): Uint8Array {
    return this.#headerFrames(T.HEADERS, streamId, this.headerBlock(headers, options), options, null);
  }

  /** HEADERS around an already-encoded (possibly malformed) header block. */
  headersRaw(streamId: number, block: Uint8Array, options: HeaderBlockOptions = {}): Uint8Array {
    return this.#headerFrames(T.HEADERS, streamId, block, options, null);
  }

  /** PUSH_PROMISE on `streamId` promising `promisedStreamId` (+ CONTINUATIONs when `fragments` > 1). */
  pushPromise(streamId: number, promisedStreamId: number, headers: PeerHeaders, options: HeaderBlockOptions = {}): Uint8Array {
    return this.#headerFrames(T.PUSH_PROMISE, streamId, this.headerBlock(headers, options), options, promisedStreamId);
  }

  #headerFrames(type: number, streamId: number, block: Uint8Array, o: HeaderBlockOptions, promised: number | null): Uint8Array {
    const parts = Math.max(1, o.fragments ?? 1);
    const size = Math.ceil(block.length / parts);
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < parts; i++) pieces.push(block.subarray(Math.min(block.length, i * size), Math.min(block.length, (i + 1) * size)));
    const endHeaders = o.endHeaders ?? true;
    let flags = 0;
    const prefix: number[] = [];
    if (o.padLength !== undefined) {
      flags |= F.PADDED;
      prefix.push(o.padLength);
    }
    if (promised !== null) prefix.push(...u32Bytes(promised));
    if (o.priority && type === T.HEADERS) {
      flags |= F.PRIORITY;
      const p = o.priority;
      prefix.push(...u32Bytes(((p.dependsOn ?? 0) | (p.exclusive ? 0x80000000 : 0)) >>> 0), (p.weight ?? 16) - 1);
    }
    if (o.endStream && type === T.HEADERS) flags |= F.END_STREAM;
    if (endHeaders && parts === 1) flags |= F.END_HEADERS;
    const first = concatBytes(Uint8Array.from(prefix), pieces[0]!, new Uint8Array(o.padLength ?? 0));
    const frames = [frameBytes(type, flags, streamId, first)];
    for (let i = 1; i < parts; i++) {
      frames.push(frameBytes(T.CONTINUATION, endHeaders && i === parts - 1 ? F.END_HEADERS : 0, streamId, pieces[i]!));
    }
    return this.#sent(concatBytes(...frames));
  }

  /** CONTINUATION carrying `block` (an encoded fragment). */
  continuation(streamId: number, block: Uint8Array, { endHeaders = true }: { endHeaders?: boolean } = {}): Uint8Array {
    return this.#sent(frameBytes(T.CONTINUATION, endHeaders ? F.END_HEADERS : 0, streamId, block));
  }

  /** DATA with `body` (latin-1 string or octets), optionally padded. */
  data(streamId: number, body: string | Uint8Array = '', { endStream = false, padLength }: { endStream?: boolean; padLength?: number } = {}): Uint8Array {
    const b = asBytes(body);
    let flags = endStream ? F.END_STREAM : 0;
    let payload = b;
    if (padLength !== undefined) {
      flags |= F.PADDED;
      payload = concatBytes(Uint8Array.of(padLength), b, new Uint8Array(padLength));
    }
    return this.#sent(frameBytes(T.DATA, flags, streamId, payload));
  }

  /** WINDOW_UPDATE (the increment is written as given, reserved bit included). */
  windowUpdate(streamId: number, increment: number): Uint8Array {
    return this.#sent(frameBytes(T.WINDOW_UPDATE, 0, streamId, Uint8Array.from(u32Bytes(increment >>> 0))));
  }

  /** RST_STREAM with `errorCode`. */
  rstStream(streamId: number, errorCode: number = E.CANCEL): Uint8Array {
    return this.#sent(frameBytes(T.RST_STREAM, 0, streamId, Uint8Array.from(u32Bytes(errorCode >>> 0))));
  }

  /** PING with 8 octets of opaque data (or an ACK). */
  ping(opaqueData: string | Uint8Array = TestPeer.PING_DATA, { ack = false }: { ack?: boolean } = {}): Uint8Array {
    return this.#sent(frameBytes(T.PING, ack ? F.ACK : 0, 0, asBytes(opaqueData)));
  }

  /** GOAWAY. */
  goAway(lastStreamId: number, errorCode: number = E.NO_ERROR, additionalData: string | Uint8Array = ''): Uint8Array {
    return this.#sent(frameBytes(T.GOAWAY, 0, 0, concatBytes(Uint8Array.from([...u32Bytes(lastStreamId >>> 0), ...u32Bytes(errorCode >>> 0)]), asBytes(additionalData))));
  }

  /** PRIORITY (weight 1–256 as h2 exposes it). */
  priority(streamId: number, { dependsOn = 0, weight = 16, exclusive = false }: PrioritySpec = {}): Uint8Array {
    const dep = ((dependsOn | (exclusive ? 0x80000000 : 0)) >>> 0);
    return this.#sent(frameBytes(T.PRIORITY, 0, streamId, Uint8Array.from([...u32Bytes(dep), (weight - 1) & 0xff])));
  }

  /** ALTSVC (RFC 7838 §4): origin on stream 0, empty origin on a stream. */
  altSvc(streamId: number, origin: string, field: string): Uint8Array {
    const o = latin1(origin);
    return this.#sent(frameBytes(T.ALTSVC, 0, streamId, concatBytes(Uint8Array.of(o.length >>> 8, o.length & 0xff), o, latin1(field))));
  }

  /** PRIORITY_UPDATE (RFC 9218 §7.1) on stream 0. */
  priorityUpdate(prioritizedStreamId: number, fieldValue: string): Uint8Array {
    return this.#sent(frameBytes(T.PRIORITY_UPDATE, 0, 0, concatBytes(Uint8Array.from(u32Bytes(prioritizedStreamId)), latin1(fieldValue))));
  }

  /** Any frame, malformed ones included. */
  raw(type: number, flags: number, streamId: number, payload: string | Uint8Array = new Uint8Array(0)): Uint8Array {
    return this.#sent(frameBytes(type, flags, streamId, asBytes(payload)));
  }

  /** Concatenates built frames into one chunk. */
  concat(...chunks: Uint8Array[]): Uint8Array {
    return concatBytes(...chunks);
  }

  // ── reader ─────────────────────────────────────────────────────────────────

  /** Parses the connection's output and queues its frames for the expectations. */
  read(bytes: Uint8Array): this {
    try {
      this.#queue.push(...this.#reader.push(bytes));
    } catch (e) {
      this.#fail(`could not parse the connection's output: ${(e as Error).message}`);
    }
    return this;
  }

  /** The queued frames not yet consumed (and consumes them). */
  drain(): PeerFrame[] {
    return this.#queue.splice(0);
  }

  /** How many parsed frames wait in the queue. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Consumes the next frame, which must have type `type` (a code or a name). */
  expectFrame(type: number | keyof typeof T, what?: string): PeerFrame {
    const code: number = typeof type === 'number' ? type : T[type];
    const f = this.#queue.shift();
    if (!f) this.#fail(`expected ${what ?? TYPE_NAMES[code]}, but the connection sent nothing more`);
    if (f.type !== code) this.#fail(`expected ${what ?? TYPE_NAMES[code]}, got ${describeFrame(f)}`);
    return f;
  }

  #check(ok: boolean, f: PeerFrame, expected: string): void {
    if (!ok) this.#fail(`expected ${expected}, got ${describeFrame(f)}`);
  }

  /** A non-ACK SETTINGS, optionally containing `entries` (other entries are allowed). */
  expectSettings(entries: Record<number, number> = {}): this {
    const f = this.expectFrame(T.SETTINGS, 'SETTINGS');
    this.#check(!(f.flags & F.ACK), f, 'SETTINGS without ACK');
    for (const [k, v] of Object.entries(entries)) {
      const got = f.settings!.filter(([c]) => c === Number(k)).pop();
      this.#check(got !== undefined && got[1] === v, f, `SETTINGS with ${SETTING_NAMES[Number(k)] ?? k}=${v}`);
    }
    return this;
  }

  /** An empty SETTINGS with ACK. */
  expectSettingsAck(): this {
    const f = this.expectFrame(T.SETTINGS, 'SETTINGS ACK');
    this.#check((f.flags & F.ACK) !== 0 && f.length === 0, f, 'SETTINGS ACK');
    return this;
  }

  /** HEADERS matching the given fields (the header list, when given, must be equal in order). */
  expectHeaders(o: { streamId?: number; endStream?: boolean; headers?: readonly HeaderPair[]; priority?: PrioritySpec } = {}): this {
    this.nextHeaders(o);
    return this;
  }

  /** Like {@link expectHeaders} but returns the frame (for its decoded headers). */
  nextHeaders(o: { streamId?: number; endStream?: boolean; headers?: readonly HeaderPair[]; priority?: PrioritySpec } = {}): PeerFrame {
    const f = this.expectFrame(T.HEADERS, 'HEADERS');
    if (o.streamId !== undefined) this.#check(f.streamId === o.streamId, f, `HEADERS on stream ${o.streamId}`);
    if (o.endStream !== undefined) this.#check(((f.flags & F.END_STREAM) !== 0) === o.endStream, f, `HEADERS with END_STREAM ${o.endStream ? 'set' : 'clear'}`);
    if (o.headers) this.#check(sameHeaders(f.headers!, o.headers), f, `headers ${headerListText(o.headers)} (got ${headerListText(f.headers)})`);
    if (o.priority) {
      const p = f.priority;
      const want = { dependsOn: o.priority.dependsOn ?? 0, weight: o.priority.weight ?? 16, exclusive: o.priority.exclusive ?? false };
      this.#check(!!p && p.dependsOn === want.dependsOn && p.weight === want.weight && p.exclusive === want.exclusive, f, `HEADERS with priority ${JSON.stringify(want)}`);
    }
    return f;
  }

  /** DATA on `streamId`, with `body` when given (padding excluded). */
  expectData(streamId: number, body?: string | Uint8Array, { endStream, padLength }: { endStream?: boolean; padLength?: number } = {}): this {
    const f = this.expectFrame(T.DATA, 'DATA');
    this.#check(f.streamId === streamId, f, `DATA on stream ${streamId}`);
    if (body !== undefined) {
      const want = fromLatin1(asBytes(body));
      this.#check(fromLatin1(f.data!) === want, f, `DATA ${printable(asBytes(body))}`);
    }
    if (endStream !== undefined) this.#check(((f.flags & F.END_STREAM) !== 0) === endStream, f, `DATA with END_STREAM ${endStream ? 'set' : 'clear'}`);
    if (padLength !== undefined) this.#check(f.padLength === padLength, f, `DATA padded by ${padLength}`);
    return this;
  }

  /** WINDOW_UPDATE on `streamId`, with `increment` when given. */
  expectWindowUpdate(streamId: number, increment?: number): this {
    const f = this.expectFrame(T.WINDOW_UPDATE, 'WINDOW_UPDATE');
    this.#check(f.streamId === streamId && (increment === undefined || f.windowIncrement === increment), f, `WINDOW_UPDATE s=${streamId}${increment === undefined ? '' : ' +' + increment}`);
    return this;
  }

  /** RST_STREAM on `streamId`, with `errorCode` when given. */
  expectRstStream(streamId: number, errorCode?: number): this {
    const f = this.expectFrame(T.RST_STREAM, 'RST_STREAM');
    this.#check(f.streamId === streamId && (errorCode === undefined || f.errorCode === errorCode), f, `RST_STREAM s=${streamId}${errorCode === undefined ? '' : ' ' + (ERROR_NAMES[errorCode] ?? errorCode)}`);
    return this;
  }

  /** GOAWAY with `lastStreamId` and `errorCode` when given. */
  expectGoAway(lastStreamId?: number, errorCode?: number): this {
    const f = this.expectFrame(T.GOAWAY, 'GOAWAY');
    this.#check(
      (lastStreamId === undefined || f.lastStreamId === lastStreamId) && (errorCode === undefined || f.errorCode === errorCode),
      f,
      `GOAWAY${lastStreamId === undefined ? '' : ' last=' + lastStreamId}${errorCode === undefined ? '' : ' ' + (ERROR_NAMES[errorCode] ?? errorCode)}`,
    );
    return this;
  }

  /** PING (ACK or not, as given), with `data` when given. */
  expectPing({ ack, data }: { ack?: boolean; data?: string | Uint8Array } = {}): this {
    const f = this.expectFrame(T.PING, 'PING');
    if (ack !== undefined) this.#check(((f.flags & F.ACK) !== 0) === ack, f, `PING ${ack ? 'with' : 'without'} ACK`);
    if (data !== undefined) this.#check(fromLatin1(f.opaqueData!) === fromLatin1(asBytes(data)), f, `PING ${printable(asBytes(data))}`);
    return this;
  }

  /** PUSH_PROMISE matching the given fields. */
  expectPushPromise(o: { streamId?: number; promisedStreamId?: number; headers?: readonly HeaderPair[] } = {}): this {
    const f = this.expectFrame(T.PUSH_PROMISE, 'PUSH_PROMISE');
    if (o.streamId !== undefined) this.#check(f.streamId === o.streamId, f, `PUSH_PROMISE on stream ${o.streamId}`);
    if (o.promisedStreamId !== undefined) this.#check(f.promisedStreamId === o.promisedStreamId, f, `PUSH_PROMISE promising ${o.promisedStreamId}`);
    if (o.headers) this.#check(sameHeaders(f.headers!, o.headers), f, `headers ${headerListText(o.headers)} (got ${headerListText(f.headers)})`);
    return this;
  }

  /** PRIORITY on `streamId` with the given fields. */
  expectPriority(streamId: number, p: PrioritySpec = {}): this {
    const f = this.expectFrame(T.PRIORITY, 'PRIORITY');
    const got = f.priority!;
    this.#check(
      f.streamId === streamId && (p.dependsOn === undefined || got.dependsOn === p.dependsOn) && (p.weight === undefined || got.weight === p.weight) && (p.exclusive === undefined || got.exclusive === p.exclusive),
      f,
      `PRIORITY s=${streamId} ${JSON.stringify(p)}`,
    );
    return this;
  }

  /** ALTSVC on `streamId` with `origin` and `field`. */
  expectAltSvc(streamId: number, origin: string, field: string): this {
    const f = this.expectFrame(T.ALTSVC, 'ALTSVC');
    this.#check(f.streamId === streamId && f.origin === origin && f.field === field, f, `ALTSVC s=${streamId} origin=${origin} field=${field}`);
    return this;
  }

  /** No frame is left in the queue (and no partial frame is buffered). */
  expectNone(): this {
    const f = this.#queue[0];
    if (f) this.#fail(`expected no more frames, got ${describeFrame(f)}${this.#queue.length > 1 ? ` and ${this.#queue.length - 1} more` : ''}`);
    if (this.#reader.partial) this.#fail('expected no more frames, but a partial frame is buffered');
    return this;
  }

  #fail(message: string): never {
    throw new PeerExpectationError(`${message}\nframe log (→ peer sent, ← connection sent):\n  ${this.#log.join('\n  ')}`);
  }
}
