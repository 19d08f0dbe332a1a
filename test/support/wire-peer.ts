/**
 * The scripted TestPeer (test/support/peer.ts) on one end of a duplexPair: what the peer builds is
 * written to the session, and everything the session writes is parsed into the peer's frame queue as
 * it arrives. Reading can be paused to make the session's transport writes back up.
 */
import type { DuplexEnd } from './duplex-pair';
import { TestPeer, type PeerRole } from './peer';

/** A TestPeer wired to a transport end. */
export class WirePeer {
  /** The scripted peer: build frames with it, and check what arrived with its `expect…` methods. */
  readonly peer: TestPeer;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #paused = false;
  #resume: (() => void) | null = null;
  #eof = false;
  #received = 0;

  constructor(end: DuplexEnd, role: PeerRole) {
    this.peer = new TestPeer(role);
    this.#writer = end.writable.getWriter();
    this.#reader = end.readable.getReader();
    void this.#readLoop();
  }

  /** True once the session closed its side of the transport. */
  get eof(): boolean {
    return this.#eof;
  }

  /** Bytes received from the session so far. */
  get received(): number {
    return this.#received;
  }

  /** Writes the given frames (one transport write). */
  send(...chunks: Uint8Array[]): Promise<void> {
    return this.#writer.write(this.peer.concat(...chunks));
  }

  /** Stops reading the transport (the session's writes back up once the pipe is full). */
  pause(): void {
    this.#paused = true;
  }

  /** Reads again. */
  resume(): void {
    this.#paused = false;
    const resume = this.#resume;
    this.#resume = null;
    resume?.();
  }

  /** Closes the peer's side of the transport. */
  close(): Promise<void> {
    return this.#writer.close();
  }

  async #readLoop(): Promise<void> {
    try {
      for (;;) {
        if (this.#paused) await new Promise<void>((resolve) => (this.#resume = resolve));
        const { done, value } = await this.#reader.read();
        if (done) {
          this.#eof = true;
          return;
        }
        this.#received += value.byteLength;
        this.peer.read(value);
      }
    } catch {
      this.#eof = true;
    }
  }
}
