/**
 * The connection-level state machine: 4 states × 20 inputs as one lookup table. Sans-I/O core.
 * Port of h2/connection.py ConnectionState, ConnectionInputs, H2ConnectionStateMachine.
 */

import { ProtocolError } from './exceptions.ts';

/** The 4 connection states. Port of h2.connection.ConnectionState. */
export const ConnectionState = {
  IDLE: 0,
  CLIENT_OPEN: 1,
  SERVER_OPEN: 2,
  CLOSED: 3,
} as const;

/** One of {@link ConnectionState}. */
export type ConnectionStateValue = (typeof ConnectionState)[keyof typeof ConnectionState];

/** The 20 connection inputs. Port of h2.connection.ConnectionInputs. */
export const ConnectionInputs = {
  SEND_HEADERS: 0,
  SEND_PUSH_PROMISE: 1,
  SEND_DATA: 2,
  SEND_GOAWAY: 3,
  SEND_WINDOW_UPDATE: 4,
  SEND_PING: 5,
  SEND_SETTINGS: 6,
  SEND_RST_STREAM: 7,
  SEND_PRIORITY: 8,
  RECV_HEADERS: 9,
  RECV_PUSH_PROMISE: 10,
  RECV_DATA: 11,
  RECV_GOAWAY: 12,
  RECV_WINDOW_UPDATE: 13,
  RECV_PING: 14,
  RECV_SETTINGS: 15,
  RECV_RST_STREAM: 16,
  RECV_PRIORITY: 17,
  SEND_ALTERNATIVE_SERVICE: 18,
  RECV_ALTERNATIVE_SERVICE: 19,
} as const;

/** One of {@link ConnectionInputs}. */
export type ConnectionInput = (typeof ConnectionInputs)[keyof typeof ConnectionInputs];

const STATE_NAMES = Object.keys(ConnectionState);
const INPUT_NAMES = Object.keys(ConnectionInputs);

const I = ConnectionState.IDLE;
const C = ConnectionState.CLIENT_OPEN;
const S = ConnectionState.SERVER_OPEN;
const X = ConnectionState.CLOSED;
/** No transition: the input is invalid in that state. */
const _ = -1;

/**
 * `TRANSITIONS[input][state]` = the next state, or -1 when the input is invalid there (which closes
 * the connection and raises `ProtocolError`). h2's table has no side-effect functions, so the cell is
 * only the target state. 53 valid transitions (IDLE 14, CLIENT_OPEN 18, SERVER_OPEN 19, CLOSED 2).
 */
export const CONNECTION_TRANSITIONS: readonly (readonly number[])[] = [
  //            IDLE CLIENT_OPEN SERVER_OPEN CLOSED
  /* SEND_HEADERS             */ [C, C, S, _],
  /* SEND_PUSH_PROMISE        */ [_, _, S, _],
  /* SEND_DATA                */ [_, C, S, _],
  /* SEND_GOAWAY              */ [X, X, X, X],
  /* SEND_WINDOW_UPDATE       */ [I, C, S, _],
  /* SEND_PING                */ [I, C, S, _],
  /* SEND_SETTINGS            */ [I, C, S, _],
  /* SEND_RST_STREAM          */ [_, C, S, _],
  /* SEND_PRIORITY            */ [I, C, S, _],
  /* RECV_HEADERS             */ [S, C, S, _],
  /* RECV_PUSH_PROMISE        */ [_, C, _, _],
  /* RECV_DATA                */ [_, C, S, _],
  /* RECV_GOAWAY              */ [X, X, X, X],
  /* RECV_WINDOW_UPDATE       */ [I, C, S, _],
  /* RECV_PING                */ [I, C, S, _],
  /* RECV_SETTINGS            */ [I, C, S, _],
  /* RECV_RST_STREAM          */ [_, C, S, _],
  /* RECV_PRIORITY            */ [I, C, S, _],
  /* SEND_ALTERNATIVE_SERVICE */ [S, _, S, _],
  /* RECV_ALTERNATIVE_SERVICE */ [C, C, S, _],
];

/**
 * A single HTTP/2 connection state machine: it only polices which frames may be sent or received
 * in the current state. The role (client or server) is locked in by the first HEADERS sent or
 * received. Port of h2.connection.H2ConnectionStateMachine.
 */
export class H2ConnectionStateMachine {
  /** The current state, one of {@link ConnectionState}. */
  state: ConnectionStateValue = ConnectionState.IDLE;

  /**
   * Applies `input`. An input that is not allowed in the current state moves the machine to CLOSED
   * and throws `ProtocolError`. Port of h2's `process_input` (which always returns no events).
   */
  processInput(input: ConnectionInput): void {
    const next = nextConnectionState(this.state, input);
    if (next < 0) {
      const old = this.state;
      this.state = ConnectionState.CLOSED;
      throw invalidConnectionInput(old, input);
    }
    this.state = next as ConnectionStateValue;
  }
}

/**
 * The state after `input` in `state`, or -1 when the input is not allowed there (the holder then moves
 * to CLOSED and throws {@link invalidConnectionInput}): the transition of
 * {@link H2ConnectionStateMachine.processInput} for a holder of a bare state (the connection keeps its
 * state in a field of its own, not in a machine object).
 */
export function nextConnectionState(state: ConnectionStateValue, input: ConnectionInput): number {
  const next = CONNECTION_TRANSITIONS[input]?.[state];
  if (next === undefined) throw new TypeError(`unknown connection input ${String(input)}`);
  return next;
}

/** The ProtocolError for `input` arriving in `state`, where it is not allowed. */
export function invalidConnectionInput(state: ConnectionStateValue, input: ConnectionInput): ProtocolError {
  return new ProtocolError(`Invalid input ConnectionInputs.${INPUT_NAMES[input]} in state ConnectionState.${STATE_NAMES[state]}`);
}
