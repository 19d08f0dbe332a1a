/**
 * Frame log for `h2flow get -v`: parses the bytes of a connection in both directions (fed by a transport
 * tap) with the frame layer's FrameBuffer and an HPACK Decoder per direction, and prints every frame with
 * its fields in the style of `nghttp -v`. Layer: CLI.
 */
import {
  DataFrame,
  FrameBuffer,
  FrameType,
  GoAwayFrame,
  HeadersFrame,
  PingFrame,
  PriorityFrame,
  PushPromiseFrame,
  RstStreamFrame,
  SettingsFrame,
  WindowUpdateFrame,
  type Frame,
} from '../frame/index.ts';
import { Decoder } from '../hpack/index.ts';
import { errorCodeName, SettingCodes, settingCodeName } from '../core/index.ts';

const TYPE_NAMES = new Map<number, string>(Object.entries(FrameType).map(([name, code]) => [code, name]));
const INDENT = '          ';
const LATIN1_TO_UTF8 = new TextDecoder('utf-8');

/** One direction of the connection: its frame splitter and the HPACK decoder for its header blocks. */
class Direction {
  readonly label: 'send' | 'recv';
  readonly frames: FrameBuffer;
  readonly decoder = new Decoder(Number.MAX_SAFE_INTEGER);
  failed = false;

  constructor(label: 'send' | 'recv', expectsPreface: boolean) {
    this.label = label;
    // The log only observes: it accepts any frame size and block length the endpoints accept.
    this.frames = new FrameBuffer({ server: expectsPreface, maxFrameSize: 0xffffff, maxContinuationFrames: Infinity, maxHeaderBlockSize: Infinity });
  }
}

function hex(n: number, width = 2): string {
  return '0x' + n.toString(16).padStart(width, '0');
}

function errorName(code: number): string {
  return `${errorCodeName(code) ?? 'UNKNOWN'}(${hex(code)})`;
}

function octetsHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

function displayText(byteString: string): string {
  const bytes = new Uint8Array(byteString.length);
  for (let i = 0; i < byteString.length; i++) bytes[i] = byteString.charCodeAt(i);
  return LATIN1_TO_UTF8.decode(bytes);
}

/** Options of {@link FrameLog}. */
export interface FrameLogOptions {
  /** Which endpoint we are: the client's outbound bytes (and the server's inbound) begin with the preface. */
  role: 'client' | 'server';
  /** Milliseconds clock for the `[  0.001]` timestamps (default `performance.now`). */
  now?: () => number;
}

/**
 * Prints every frame of a connection as `nghttp -v` does:
 * ```
 * [  0.001] send HEADERS frame <length=38, flags=0x05, stream_id=1>
 *           ; END_STREAM | END_HEADERS
 *           (padlen=0)
 *           :method: GET
 * ```
 * Feed it with {@link FrameLog.sent} / {@link FrameLog.received} (e.g. from `tapTransport`).
 */
export class FrameLog {
  readonly #write: (text: string) => void;
  readonly #now: () => number;
  readonly #start: number;
  readonly #send: Direction;
  readonly #recv: Direction;

  constructor(write: (text: string) => void, options: FrameLogOptions) {
    this.#write = write;
    this.#now = options.now ?? (() => performance.now());
    this.#start = this.#now();
    this.#send = new Direction('send', options.role === 'client');
    this.#recv = new Direction('recv', options.role === 'server');
  }

  /** Prints a free-form event line (`[  0.000] Connected`). */
  note(text: string): void {
    this.#write(`${this.#stamp()} ${text}\n`);
  }

  /** Bytes this endpoint wrote. */
  sent(bytes: Uint8Array): void {
    this.#feed(this.#send, this.#recv, bytes);
  }

  /** Bytes this endpoint read. */
  received(bytes: Uint8Array): void {
    this.#feed(this.#recv, this.#send, bytes);
  }

  #stamp(): string {
    return `[${((this.#now() - this.#start) / 1000).toFixed(3).padStart(7)}]`;
  }

  #feed(dir: Direction, other: Direction, bytes: Uint8Array): void {
    if (dir.failed) return;
    try {
      dir.frames.addData(bytes);
      for (const frame of dir.frames) this.#print(dir, other, frame);
    } catch (err) {
      dir.failed = true;
      this.note(`${dir.label} unparsable bytes: ${(err as Error).message}`);
    }
  }

  #print(dir: Direction, other: Direction, frame: Frame): void {
    const name = TYPE_NAMES.get(frame.type) ?? `UNKNOWN(${hex(frame.type)})`;
    const flags = frame.flags;
    const lines = [`${this.#stamp()} ${dir.label} ${name} frame <length=${frame.bodyLength}, flags=${hex(flags.bits)}, stream_id=${frame.streamId}>`];
    if (flags.size > 0) lines.push(`${INDENT}; ${[...flags].join(' | ')}`);
    for (const line of this.#fields(dir, other, frame)) lines.push(INDENT + line);
    this.#write(lines.join('\n') + '\n');
  }

  #fields(dir: Direction, other: Direction, frame: Frame): string[] {
    if (frame instanceof DataFrame) return [];
    if (frame instanceof HeadersFrame) {
      const prio = frame.flags.has('PRIORITY') ? `, dep_stream_id=${frame.dependsOn}, weight=${frame.streamWeight + 1}, exclusive=${frame.exclusive ? 1 : 0}` : '';
      return [`(padlen=${frame.flags.has('PADDED') ? frame.padLength : 0}${prio})`, ...this.#headers(dir, frame.data)];
    }
    if (frame instanceof PushPromiseFrame) {
      return [`(padlen=${frame.flags.has('PADDED') ? frame.padLength : 0}, promised_stream_id=${frame.promisedStreamId})`, ...this.#headers(dir, frame.data)];
    }
    if (frame instanceof PriorityFrame) return [`(dep_stream_id=${frame.dependsOn}, weight=${frame.streamWeight + 1}, exclusive=${frame.exclusive ? 1 : 0})`];
    if (frame instanceof RstStreamFrame) return [`(error_code=${errorName(frame.errorCode)})`];
    if (frame instanceof SettingsFrame) {
      const out = [`(niv=${frame.settings.size})`];
      for (const [code, value] of frame.settings) {
        out.push(`[SETTINGS_${settingCodeName(code) ?? 'UNKNOWN'}(${hex(code)}):${value}]`);
        // The peer's decoder for our header blocks may now use a table this large (RFC 7541 §4.2).
        if (code === SettingCodes.HEADER_TABLE_SIZE) other.decoder.maxAllowedTableSize = Math.max(other.decoder.maxAllowedTableSize, value);
      }
      return out;
    }
    if (frame instanceof PingFrame) return [`(opaque_data=${octetsHex(frame.opaqueData)})`];
    if (frame instanceof GoAwayFrame) {
      const text = displayText(String.fromCharCode(...frame.additionalData.subarray(0, 256)));
      return [`(last_stream_id=${frame.lastStreamId}, error_code=${errorName(frame.errorCode)}, opaque_data(${frame.additionalData.length})=[${text}])`];
    }
    if (frame instanceof WindowUpdateFrame) return [`(window_size_increment=${frame.windowIncrement})`];
    return [];
  }

  #headers(dir: Direction, block: Uint8Array): string[] {
    try {
      return dir.decoder.decode(block).map(([name, value]) => `${displayText(name)}: ${displayText(value)}`);
    } catch (err) {
      return [`; header block not decodable: ${(err as Error).message}`];
    }
  }
}
