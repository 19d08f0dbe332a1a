/**
 * The session's input: reads the transport, feeds each chunk to the core through the pump, and writes
 * what that produced; pauses while the output backs up, so a peer that does not read cannot make us
 * queue unbounded replies. Layer: streams (runtime-neutral).
 */
import { ErrorCodes, H2Error, ProtocolError } from '../core/index.ts';
import { DELIVER, RECEIVE } from './core-ops.ts';
import { H2SessionError } from './errors.ts';
import type { SessionPump } from './session-pump.ts';
import { DONE } from './session-state.ts';
import type { H2Transport } from './types.ts';

/** Reads the transport into the session. */
export class InputReader {
  readonly #pump: SessionPump;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #done = false;

  constructor(pump: SessionPump, transport: H2Transport) {
    this.#pump = pump;
    this.#reader = transport.readable.getReader();
  }

  /** Starts the read loop (once, after the session is set up). */
  start(): void {
    void this.#readLoop();
  }

  /** Stops reading the transport (once). */
  async cancel(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    try {
      await this.#reader.cancel();
    } catch {
      // Nothing more to read either way.
    }
  }

  /** Transport loop: read, feed the core, write what that produced; pause reading while output backs up. */
  async #readLoop(): Promise<void> {
    const pump = this.#pump;
    const reader = this.#reader;
    try {
      for (;;) {
        if (pump.output.backedUp()) await pump.output.backlogDrained();
        if (pump.state === DONE) return;
        const { done, value } = await reader.read();
        if (pump.state === DONE) return;
        if (done) {
          this.#done = true;
          pump.lifecycle.onTransportEnd();
          return;
        }
        pump.timers.received++;
        this.#receive(value);
        pump.output.flushNow();
      }
    } catch (err) {
      if (pump.state !== DONE) pump.lifecycle.onTransportError(err);
    }
  }

  #receive(chunk: Uint8Array): void {
    const pump = this.#pump;
    try {
      pump.run(RECEIVE, chunk, null);
    } catch (err) {
      if (err instanceof H2Error) {
        // Deliver what completed before the error, then fail the connection (the core queued GOAWAY).
        pump.run(DELIVER, err.events, null);
        const code = err instanceof ProtocolError ? err.errorCode : ErrorCodes.INTERNAL_ERROR;
        pump.lifecycle.terminate(code, new H2SessionError(code, true, `connection error: ${err.message}`, { cause: err }), true);
      } else {
        // A bug, not the peer's fault: tell the peer (GOAWAY INTERNAL_ERROR) and fail loudly.
        pump.lifecycle.terminate(ErrorCodes.INTERNAL_ERROR, new H2SessionError(ErrorCodes.INTERNAL_ERROR, false, 'internal error', { cause: err }), true);
      }
    }
  }
}
