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
import type { H2DirectTransport, H2TransportSink } from './types.ts';

/** Reads the transport into the session. */
export class InputReader implements H2TransportSink {
  readonly #pump: SessionPump;
  readonly #port: H2DirectTransport;
  #done = false;
  /** Resumes reading once the output's backlog drained (made the first time the output backs up). */
  #onDrained: (() => void) | null = null;

  constructor(pump: SessionPump, port: H2DirectTransport) {
    this.#pump = pump;
    this.#port = port;
  }

  /** Starts reading (once, after the session is set up). */
  start(): void {
    this.#port.start(this);
  }

  /** Stops reading the transport (once). */
  async cancel(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    try {
      await this.#port.cancel();
    } catch {
      // Nothing more to read either way.
    }
  }

  /** Bytes arrived: feed the core, write what that produced; pause reading while the output backs up. */
  data(chunk: Uint8Array): void {
    const pump = this.#pump;
    if (pump.state === DONE) {
      this.#port.pause();
      return;
    }
    pump.timers.received++;
    this.#receive(chunk);
    pump.output.flushNow();
    if (pump.output.backedUp()) {
      this.#port.pause();
      void pump.output.backlogDrained().then(
        (this.#onDrained ??= () => {
          if (this.#pump.state !== DONE) this.#port.resume();
        }),
      );
    }
  }

  /** The peer ended the transport. */
  end(): void {
    this.#pump.lifecycle.peerEnded = true;
    if (this.#pump.state === DONE) return;
    this.#done = true;
    this.#pump.lifecycle.onTransportEnd();
  }

  /** Reading failed. */
  error(err: unknown): void {
    if (this.#pump.state !== DONE) this.#pump.lifecycle.onTransportError(err);
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
