/**
 * h2spec-style conformance client: a raw TCP connection to a real h2flow server that sends frames built
 * by TestPeer, reads the server's frames one event at a time (frame, closed, timeout) and judges them with
 * verdicts that accept exactly what h2spec's spec/verifier.go accepts.
 */
import { connect, type Socket } from 'node:net';
import { concat } from './bytes';
import { E, F, FrameReader, S, T, TestPeer, describeFrame, type PeerFrame } from './peer';

/** What the client observed next: a frame, the end of the connection, or nothing within the timeout. */
export type ConnEvent =
  | { readonly kind: 'frame'; readonly frame: PeerFrame }
  | { readonly kind: 'closed' }
  | { readonly kind: 'timeout' };

/** A case's outcome: passed, failed (h2spec's Expected/Actual), or skipped (h2spec's ErrSkipped). */
export type Verdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly expected: string; readonly actual: string }
  | { readonly skipped: string };

/** The passing verdict. */
export const PASS: Verdict = { ok: true };

const DEFAULT_WINDOW = 65535;
const ERROR_NAMES: Record<number, string> = Object.fromEntries(Object.entries(E).map(([k, v]) => [v, k]));

function eventText(ev: ConnEvent | null): string {
  if (ev === null) return 'nothing';
  if (ev.kind === 'frame') return describeFrame(ev.frame);
  return ev.kind === 'closed' ? 'connection closed' : 'timeout';
}

function codeName(code: number): string {
  return ERROR_NAMES[code] ?? `0x${code.toString(16)}`;
}

function errorCodeOf(f: PeerFrame): number {
  const p = f.payload;
  const at = f.type === T.GOAWAY ? 4 : 0;
  return ((p[at]! << 24) | (p[at + 1]! << 16) | (p[at + 2]! << 8) | p[at + 3]!) >>> 0;
}

/**
 * One h2spec connection. Like h2spec's `spec.Conn`: `nextEvent` waits at most `timeoutMs` for the next
 * frame; any timeout, close or parse error marks the connection `closed`, which ends every wait loop;
 * DATA it receives is acknowledged with WINDOW_UPDATEs once a window drops to zero or below.
 */
export class H2SpecConn {
  readonly peer = new TestPeer('client');
  readonly #reader = new FrameReader(false, undefined, { lenient: true });
  readonly #socket: Socket;
  readonly #queue: ConnEvent[] = [];
  #wake: (() => void) | null = null;
  readonly #windows = new Map<number, number>([[0, DEFAULT_WINDOW]]);
  /** Set once the connection ended or a wait timed out (h2spec's `conn.Closed`). */
  closed = false;
  /** The server's SETTINGS from the handshake. */
  readonly settings = new Map<number, number>();
  readonly timeoutMs: number;
  /** What was sent (→) and observed (←), in order. */
  readonly log: string[] = [];
  #logged = 0;

  private constructor(socket: Socket, timeoutMs: number) {
    this.#socket = socket;
    this.timeoutMs = timeoutMs;
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of this.#reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length))) this.#push({ kind: 'frame', frame });
      } catch {
        this.#push({ kind: 'closed' });
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.#push({ kind: 'closed' }));
  }

  /** Connects to `127.0.0.1:port`. */
  static open(port: number, timeoutMs: number): Promise<H2SpecConn> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.setNoDelay(true);
      socket.once('connect', () => resolve(new H2SpecConn(socket, timeoutMs)));
      socket.once('error', reject);
    });
  }

  #push(ev: ConnEvent): void {
    this.#queue.push(ev);
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** Writes bytes (frames built with `peer`), ignoring a connection the server already closed. */
  send(...chunks: Uint8Array[]): void {
    this.#syncLog();
    if (!this.#socket.destroyed && this.#socket.writable) this.#socket.write(concat(...chunks));
  }

  /** The next event within the timeout (h2spec's `WaitEvent`); `waitMs` overrides the timeout. */
  async nextEvent(waitMs: number = this.timeoutMs): Promise<ConnEvent> {
    if (this.#queue.length === 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        timer = setTimeout(() => {
          this.#wake = null;
          resolve();
        }, waitMs);
      });
      clearTimeout(timer);
    }
    const ev = this.#queue.shift() ?? { kind: 'timeout' as const };
    this.#syncLog();
    this.log.push(`← ${eventText(ev)}`);
    if (ev.kind !== 'frame') this.closed = true;
    else if (ev.frame.type === T.DATA) this.#creditData(ev.frame);
    return ev;
  }

  #syncLog(): void {
    const sent = this.peer.log;
    while (this.#logged < sent.length) this.log.push(sent[this.#logged++]!);
  }

  #creditData(f: PeerFrame): void {
    for (const id of [f.streamId, 0]) {
      const left = (this.#windows.get(id) ?? DEFAULT_WINDOW) - f.length;
      if (left <= 0) {
        this.send(this.peer.windowUpdate(id, DEFAULT_WINDOW - left));
        this.#windows.set(id, DEFAULT_WINDOW);
      } else this.#windows.set(id, left);
    }
  }

  /** The next frame of `type`, or the last other event if none came (h2spec's `WaitEventByType`). */
  async nextFrameOfType(type: number): Promise<{ frame: PeerFrame | null; last: ConnEvent | null }> {
    let last: ConnEvent | null = null;
    while (!this.closed) {
      const ev = await this.nextEvent();
      if (ev.kind === 'frame' && ev.frame.type === type) return { frame: ev.frame, last: ev };
      if (ev.kind === 'timeout' && last !== null) break;
      last = ev;
    }
    return { frame: null, last };
  }

  /**
   * h2spec's client handshake: preface + SETTINGS(INITIAL_WINDOW_SIZE=65535), then read until both the
   * server's SETTINGS (recorded and acknowledged) and the ACK of ours arrived. Throws on timeout.
   */
  async handshake(): Promise<void> {
    this.send(this.peer.preface(), this.peer.settings([[S.INITIAL_WINDOW_SIZE, DEFAULT_WINDOW]]));
    let local = false;
    let remote = false;
    // The handshake is not what a case judges: it gets a longer wait than the per-event timeout, so a
    // loaded machine (several test files at once) fails no case before it starts.
    const handshakeMs = Math.max(5000, this.timeoutMs);
    const deadline = Date.now() + handshakeMs;
    while (!(local && remote)) {
      if (Date.now() > deadline) throw new Error('handshake timed out');
      const ev = await this.nextEvent(Math.max(1, deadline - Date.now()));
      if (ev.kind !== 'frame') throw new Error(`handshake failed: ${eventText(ev)}`);
      if (ev.frame.type !== T.SETTINGS) continue;
      if (ev.frame.flags & F.ACK) local = true;
      else {
        remote = true;
        const p = ev.frame.payload;
        for (let i = 0; i + 6 <= p.length; i += 6) {
          this.settings.set((p[i]! << 8) | p[i + 1]!, ((p[i + 2]! << 24) | (p[i + 3]! << 16) | (p[i + 4]! << 8) | p[i + 5]!) >>> 0);
        }
        this.send(this.peer.settingsAck());
      }
    }
  }

  /** The server's SETTINGS_MAX_FRAME_SIZE (16384 unless it advertised another). */
  get maxFrameSize(): number {
    return this.settings.get(S.MAX_FRAME_SIZE) ?? 16384;
  }

  /** Closes the socket. */
  close(): void {
    this.#socket.destroy();
  }

  // ── verdicts (h2spec spec/verifier.go) ──────────────────────────────────────

  /** Loops until `accept` says yes (pass) or the connection is marked closed (fail with the first telling event). */
  async #until(expected: string, accept: (ev: ConnEvent) => boolean): Promise<Verdict> {
    let actual: ConnEvent | null = null;
    while (!this.closed) {
      const ev = await this.nextEvent();
      if (accept(ev)) return PASS;
      if (ev.kind !== 'timeout' || actual === null) actual = ev;
    }
    return { ok: false, expected, actual: eventText(actual) };
  }

  /** The connection closes (VerifyConnectionClose). */
  connectionClose(): Promise<Verdict> {
    return this.#until('connection closed', (ev) => ev.kind === 'closed');
  }

  /** GOAWAY with one of `codes`, or the connection closes (VerifyConnectionError). */
  connectionError(...codes: number[]): Promise<Verdict> {
    return this.#until(`GOAWAY(${codes.map(codeName).join('|')}) or connection closed`, (ev) =>
      ev.kind === 'closed' || (ev.kind === 'frame' && ev.frame.type === T.GOAWAY && codes.includes(errorCodeOf(ev.frame))));
  }

  /** RST_STREAM or GOAWAY with one of `codes`, or the connection closes (VerifyStreamError). */
  streamError(...codes: number[]): Promise<Verdict> {
    return this.#until(`RST_STREAM/GOAWAY(${codes.map(codeName).join('|')}) or connection closed`, (ev) =>
      ev.kind === 'closed' ||
      (ev.kind === 'frame' && (ev.frame.type === T.GOAWAY || ev.frame.type === T.RST_STREAM) && codes.includes(errorCodeOf(ev.frame))));
  }

  /** DATA or HEADERS with END_STREAM, or RST_STREAM(NO_ERROR) (VerifyStreamClose). */
  streamClose(): Promise<Verdict> {
    return this.#until('stream closed', (ev) => {
      if (ev.kind !== 'frame') return false;
      const f = ev.frame;
      if (f.type === T.DATA || f.type === T.HEADERS) return (f.flags & F.END_STREAM) !== 0;
      return f.type === T.RST_STREAM && errorCodeOf(f) === E.NO_ERROR;
    });
  }

  /** A PING ACK with `data`, or the connection closes (VerifyPingFrameOrConnectionClose). */
  pingAckOrClose(data: Uint8Array): Promise<Verdict> {
    return this.#until('PING ACK or connection closed', (ev) => ev.kind === 'closed' || (ev.kind === 'frame' && isPingAck(ev.frame, data)));
  }

  /** The first frame of `type` exists and passes `check` (VerifyHeadersFrame, VerifySettingsFrameWithAck, ...). */
  async firstOfType(type: number, expected: string, check: (f: PeerFrame) => boolean = () => true): Promise<Verdict> {
    const { frame, last } = await this.nextFrameOfType(type);
    if (frame !== null && check(frame)) return PASS;
    return { ok: false, expected, actual: eventText(frame !== null ? { kind: 'frame', frame } : last) };
  }

  /** The first HEADERS frame is on `streamId` (VerifyHeadersFrame). */
  headersFrame(streamId: number): Promise<Verdict> {
    return this.firstOfType(T.HEADERS, `HEADERS on stream ${streamId}`, (f) => f.streamId === streamId);
  }

  /** The first SETTINGS frame is an ACK (VerifySettingsFrameWithAck). */
  settingsAck(): Promise<Verdict> {
    return this.firstOfType(T.SETTINGS, 'SETTINGS ACK', (f) => (f.flags & F.ACK) !== 0);
  }

  /** The first PING frame is an ACK carrying `data` (VerifyPingFrameWithAck). */
  pingAck(data: Uint8Array): Promise<Verdict> {
    return this.firstOfType(T.PING, 'PING ACK with the data sent', (f) => isPingAck(f, data));
  }

  /** The first DATA frame is `length` octets long (the flow-control cases). */
  dataOfLength(length: number): Promise<Verdict> {
    return this.firstOfType(T.DATA, `DATA of length ${length}`, (f) => f.length === length);
  }
}

function isPingAck(f: PeerFrame, data: Uint8Array): boolean {
  return f.type === T.PING && (f.flags & F.ACK) !== 0 && f.payload.length === 8 && f.payload.every((b, i) => b === data[i]);
}

/** Runs `tasks` with at most `limit` in flight, results in order. */
export async function inBatches<R>(tasks: readonly (() => Promise<R>)[], limit: number): Promise<R[]> {
  const out: R[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return out;
}
