/**
 * The connection state machine table, every (state, input) pair against h2's list of 53 allowed
 * transitions. Ports h2's test_state_machines connection part.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CONNECTION_TRANSITIONS, ConnectionInputs, ConnectionState, H2ConnectionStateMachine, ProtocolError } from '../../src/core';
import type { ConnectionInput, ConnectionStateValue } from '../../src/core';
import { REQUEST, clientPair, serverPair, throwsError } from '../support/h2-connection';

const State = suite('connection state machine');

const { IDLE, CLIENT_OPEN, SERVER_OPEN, CLOSED } = ConnectionState;
const I = ConnectionInputs;

/** h2's `_transitions`, written out independently: [state, input, next]. */
const H2_TRANSITIONS: [number, number, number][] = [
  [IDLE, I.SEND_HEADERS, CLIENT_OPEN],
  [IDLE, I.RECV_HEADERS, SERVER_OPEN],
  [IDLE, I.SEND_SETTINGS, IDLE],
  [IDLE, I.RECV_SETTINGS, IDLE],
  [IDLE, I.SEND_WINDOW_UPDATE, IDLE],
  [IDLE, I.RECV_WINDOW_UPDATE, IDLE],
  [IDLE, I.SEND_PING, IDLE],
  [IDLE, I.RECV_PING, IDLE],
  [IDLE, I.SEND_GOAWAY, CLOSED],
  [IDLE, I.RECV_GOAWAY, CLOSED],
  [IDLE, I.SEND_PRIORITY, IDLE],
  [IDLE, I.RECV_PRIORITY, IDLE],
  [IDLE, I.SEND_ALTERNATIVE_SERVICE, SERVER_OPEN],
  [IDLE, I.RECV_ALTERNATIVE_SERVICE, CLIENT_OPEN],
  [CLIENT_OPEN, I.SEND_HEADERS, CLIENT_OPEN],
  [CLIENT_OPEN, I.SEND_DATA, CLIENT_OPEN],
  [CLIENT_OPEN, I.SEND_GOAWAY, CLOSED],
  [CLIENT_OPEN, I.SEND_WINDOW_UPDATE, CLIENT_OPEN],
  [CLIENT_OPEN, I.SEND_PING, CLIENT_OPEN],
  [CLIENT_OPEN, I.SEND_SETTINGS, CLIENT_OPEN],
  [CLIENT_OPEN, I.SEND_PRIORITY, CLIENT_OPEN],
  [CLIENT_OPEN, I.RECV_HEADERS, CLIENT_OPEN],
  [CLIENT_OPEN, I.RECV_PUSH_PROMISE, CLIENT_OPEN],
  [CLIENT_OPEN, I.RECV_DATA, CLIENT_OPEN],
  [CLIENT_OPEN, I.RECV_GOAWAY, CLOSED],
  [CLIENT_OPEN, I.RECV_WINDOW_UPDATE, CLIENT_OPEN],
  [CLIENT_OPEN, I.RECV_PING, CLIENT_OPEN],
  [CLIENT_OPEN, I.RECV_SETTINGS, CLIENT_OPEN],
  [CLIENT_OPEN, I.SEND_RST_STREAM, CLIENT_OPEN],
  [CLIENT_OPEN, I.RECV_RST_STREAM, CLIENT_OPEN],
  [CLIENT_OPEN, I.RECV_PRIORITY, CLIENT_OPEN],
  [CLIENT_OPEN, I.RECV_ALTERNATIVE_SERVICE, CLIENT_OPEN],
  [SERVER_OPEN, I.SEND_HEADERS, SERVER_OPEN],
  [SERVER_OPEN, I.SEND_PUSH_PROMISE, SERVER_OPEN],
  [SERVER_OPEN, I.SEND_DATA, SERVER_OPEN],
  [SERVER_OPEN, I.SEND_GOAWAY, CLOSED],
  [SERVER_OPEN, I.SEND_WINDOW_UPDATE, SERVER_OPEN],
  [SERVER_OPEN, I.SEND_PING, SERVER_OPEN],
  [SERVER_OPEN, I.SEND_SETTINGS, SERVER_OPEN],
  [SERVER_OPEN, I.SEND_PRIORITY, SERVER_OPEN],
  [SERVER_OPEN, I.RECV_HEADERS, SERVER_OPEN],
  [SERVER_OPEN, I.RECV_DATA, SERVER_OPEN],
  [SERVER_OPEN, I.RECV_GOAWAY, CLOSED],
  [SERVER_OPEN, I.RECV_WINDOW_UPDATE, SERVER_OPEN],
  [SERVER_OPEN, I.RECV_PING, SERVER_OPEN],
  [SERVER_OPEN, I.RECV_SETTINGS, SERVER_OPEN],
  [SERVER_OPEN, I.RECV_PRIORITY, SERVER_OPEN],
  [SERVER_OPEN, I.SEND_RST_STREAM, SERVER_OPEN],
  [SERVER_OPEN, I.RECV_RST_STREAM, SERVER_OPEN],
  [SERVER_OPEN, I.SEND_ALTERNATIVE_SERVICE, SERVER_OPEN],
  [SERVER_OPEN, I.RECV_ALTERNATIVE_SERVICE, SERVER_OPEN],
  [CLOSED, I.SEND_GOAWAY, CLOSED],
  [CLOSED, I.RECV_GOAWAY, CLOSED],
];

function machineIn(state: ConnectionStateValue): H2ConnectionStateMachine {
  const m = new H2ConnectionStateMachine();
  m.state = state;
  return m;
}

State('the table holds exactly h2\'s 53 transitions over 4 states and 20 inputs', () => {
  assert.is(H2_TRANSITIONS.length, 53);
  assert.is(CONNECTION_TRANSITIONS.length, 20);
  let valid = 0;
  for (const row of CONNECTION_TRANSITIONS) {
    assert.is(row.length, 4);
    valid += row.filter((next) => next >= 0).length;
  }
  assert.is(valid, 53);
});

State('every allowed (state, input) pair moves to h2\'s next state', () => {
  for (const [state, input, next] of H2_TRANSITIONS) {
    const m = machineIn(state as ConnectionStateValue);
    m.processInput(input as ConnectionInput);
    assert.is(m.state, next, `state ${state} input ${input}`);
  }
});

State('every other pair closes the machine and throws ProtocolError', () => {
  const allowed = new Set(H2_TRANSITIONS.map(([s, i]) => `${s}/${i}`));
  let invalid = 0;
  for (const state of [IDLE, CLIENT_OPEN, SERVER_OPEN, CLOSED] as const) {
    for (const input of Object.values(ConnectionInputs)) {
      if (allowed.has(`${state}/${input}`)) continue;
      invalid++;
      const m = machineIn(state);
      const err = throwsError(() => m.processInput(input), ProtocolError);
      assert.match(err.message, /Invalid input ConnectionInputs\.\w+ in state ConnectionState\.\w+/);
      assert.is(m.state, CLOSED);
    }
  }
  assert.is(invalid, 4 * 20 - 53);
});

State('an input that is not a connection input is a TypeError', () => {
  throwsError(() => new H2ConnectionStateMachine().processInput(99 as ConnectionInput), TypeError);
});

State('the role is locked in by the first HEADERS, sent or received', () => {
  const client = new H2ConnectionStateMachine();
  client.processInput(I.SEND_SETTINGS);
  client.processInput(I.SEND_HEADERS);
  assert.is(client.state, CLIENT_OPEN);
  throwsError(() => client.processInput(I.SEND_PUSH_PROMISE), ProtocolError);
  const server = new H2ConnectionStateMachine();
  server.processInput(I.RECV_HEADERS);
  assert.is(server.state, SERVER_OPEN);
  throwsError(() => server.processInput(I.RECV_PUSH_PROMISE), ProtocolError);
});

State('a connection follows the same machine: its role locked in by HEADERS, CLOSED by a GOAWAY with an error, then refusing with h2\'s message', () => {
  const { conn: client } = clientPair();
  assert.is(client.state, IDLE);
  client.sendHeaders(1, REQUEST);
  assert.is(client.state, CLIENT_OPEN);
  const { conn: server, peer } = serverPair();
  assert.is(server.state, IDLE);
  server.receiveData(peer.headers(1, REQUEST));
  assert.is(server.state, SERVER_OPEN);
  server.closeConnection();
  assert.is(server.state, SERVER_OPEN, 'a graceful GOAWAY drains first (beyond h2)');
  server.closeConnection({ errorCode: 2 });
  assert.is(server.state, CLOSED);
  const err = throwsError(() => server.sendHeaders(2, REQUEST), ProtocolError);
  assert.is(err.message, 'Invalid input ConnectionInputs.SEND_HEADERS in state ConnectionState.CLOSED');
  assert.is(server.state, CLOSED);
});

State.run();
