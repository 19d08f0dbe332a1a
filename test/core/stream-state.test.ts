/** The stream state machine: all 7 × 19 (state, input) pairs, the 77 transitions and the sub-state rules. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCodes } from '../../src/core/errors';
import { StreamReset } from '../../src/core/events';
import { ProtocolError, StreamClosedError } from '../../src/core/exceptions';
import {
  H2StreamStateMachine,
  STREAM_OPEN,
  StreamClosedBy,
  StreamInputs,
  type StreamInput,
  StreamState,
  TRANSITIONS,
} from '../../src/core/stream-state';

const FSM = suite('stream state machine');

// Appendix A of the reference (h2 4.4.1 `_transitions`), written independently of the source table:
// "STATE INPUT side_effect NEXT" with h2's snake_case names ('-' = no side effect).
const APPENDIX_A = `
IDLE SEND_HEADERS request_sent OPEN
IDLE RECV_HEADERS request_received OPEN
IDLE RECV_DATA reset_stream_on_error CLOSED
IDLE SEND_PUSH_PROMISE send_new_pushed_stream RESERVED_LOCAL
IDLE RECV_PUSH_PROMISE recv_new_pushed_stream RESERVED_REMOTE
IDLE RECV_ALTERNATIVE_SERVICE - IDLE
IDLE UPGRADE_CLIENT request_sent HALF_CLOSED_LOCAL
IDLE UPGRADE_SERVER request_received HALF_CLOSED_REMOTE
RESERVED_LOCAL SEND_HEADERS response_sent HALF_CLOSED_REMOTE
RESERVED_LOCAL RECV_DATA reset_stream_on_error CLOSED
RESERVED_LOCAL SEND_WINDOW_UPDATE - RESERVED_LOCAL
RESERVED_LOCAL RECV_WINDOW_UPDATE window_updated RESERVED_LOCAL
RESERVED_LOCAL SEND_RST_STREAM send_reset_stream CLOSED
RESERVED_LOCAL RECV_RST_STREAM stream_reset CLOSED
RESERVED_LOCAL SEND_ALTERNATIVE_SERVICE send_alt_svc RESERVED_LOCAL
RESERVED_LOCAL RECV_ALTERNATIVE_SERVICE - RESERVED_LOCAL
RESERVED_REMOTE RECV_HEADERS response_received HALF_CLOSED_LOCAL
RESERVED_REMOTE RECV_DATA reset_stream_on_error CLOSED
RESERVED_REMOTE SEND_WINDOW_UPDATE - RESERVED_REMOTE
RESERVED_REMOTE RECV_WINDOW_UPDATE window_updated RESERVED_REMOTE
RESERVED_REMOTE SEND_RST_STREAM send_reset_stream CLOSED
RESERVED_REMOTE RECV_RST_STREAM stream_reset CLOSED
RESERVED_REMOTE RECV_ALTERNATIVE_SERVICE recv_alt_svc RESERVED_REMOTE
OPEN SEND_HEADERS response_sent OPEN
OPEN RECV_HEADERS response_received OPEN
OPEN SEND_DATA - OPEN
OPEN RECV_DATA data_received OPEN
OPEN SEND_END_STREAM - HALF_CLOSED_LOCAL
OPEN RECV_END_STREAM stream_half_closed HALF_CLOSED_REMOTE
OPEN SEND_WINDOW_UPDATE - OPEN
OPEN RECV_WINDOW_UPDATE window_updated OPEN
OPEN SEND_RST_STREAM send_reset_stream CLOSED
OPEN RECV_RST_STREAM stream_reset CLOSED
OPEN SEND_PUSH_PROMISE send_push_promise OPEN
OPEN RECV_PUSH_PROMISE recv_push_promise OPEN
OPEN SEND_INFORMATIONAL_HEADERS send_informational_response OPEN
OPEN RECV_INFORMATIONAL_HEADERS recv_informational_response OPEN
OPEN SEND_ALTERNATIVE_SERVICE send_alt_svc OPEN
OPEN RECV_ALTERNATIVE_SERVICE recv_alt_svc OPEN
HALF_CLOSED_REMOTE SEND_HEADERS response_sent HALF_CLOSED_REMOTE
HALF_CLOSED_REMOTE RECV_HEADERS reset_stream_on_error CLOSED
HALF_CLOSED_REMOTE SEND_DATA - HALF_CLOSED_REMOTE
HALF_CLOSED_REMOTE RECV_DATA reset_stream_on_error CLOSED
HALF_CLOSED_REMOTE SEND_END_STREAM send_end_stream CLOSED
HALF_CLOSED_REMOTE SEND_WINDOW_UPDATE - HALF_CLOSED_REMOTE
HALF_CLOSED_REMOTE RECV_WINDOW_UPDATE window_updated HALF_CLOSED_REMOTE
HALF_CLOSED_REMOTE SEND_RST_STREAM send_reset_stream CLOSED
HALF_CLOSED_REMOTE RECV_RST_STREAM stream_reset CLOSED
HALF_CLOSED_REMOTE SEND_PUSH_PROMISE send_push_promise HALF_CLOSED_REMOTE
HALF_CLOSED_REMOTE RECV_PUSH_PROMISE reset_stream_on_error CLOSED
HALF_CLOSED_REMOTE SEND_INFORMATIONAL_HEADERS send_informational_response HALF_CLOSED_REMOTE
HALF_CLOSED_REMOTE SEND_ALTERNATIVE_SERVICE send_alt_svc HALF_CLOSED_REMOTE
HALF_CLOSED_REMOTE RECV_ALTERNATIVE_SERVICE recv_alt_svc HALF_CLOSED_REMOTE
HALF_CLOSED_LOCAL RECV_HEADERS response_received HALF_CLOSED_LOCAL
HALF_CLOSED_LOCAL RECV_DATA data_received HALF_CLOSED_LOCAL
HALF_CLOSED_LOCAL RECV_END_STREAM stream_ended CLOSED
HALF_CLOSED_LOCAL SEND_WINDOW_UPDATE - HALF_CLOSED_LOCAL
HALF_CLOSED_LOCAL RECV_WINDOW_UPDATE window_updated HALF_CLOSED_LOCAL
HALF_CLOSED_LOCAL SEND_RST_STREAM send_reset_stream CLOSED
HALF_CLOSED_LOCAL RECV_RST_STREAM stream_reset CLOSED
HALF_CLOSED_LOCAL RECV_PUSH_PROMISE recv_push_promise HALF_CLOSED_LOCAL
HALF_CLOSED_LOCAL RECV_INFORMATIONAL_HEADERS recv_informational_response HALF_CLOSED_LOCAL
HALF_CLOSED_LOCAL SEND_ALTERNATIVE_SERVICE send_alt_svc HALF_CLOSED_LOCAL
HALF_CLOSED_LOCAL RECV_ALTERNATIVE_SERVICE recv_alt_svc HALF_CLOSED_LOCAL
CLOSED RECV_END_STREAM - CLOSED
CLOSED RECV_ALTERNATIVE_SERVICE - CLOSED
CLOSED RECV_HEADERS recv_on_closed_stream CLOSED
CLOSED RECV_DATA recv_on_closed_stream CLOSED
CLOSED RECV_WINDOW_UPDATE - CLOSED
CLOSED RECV_RST_STREAM - CLOSED
CLOSED RECV_PUSH_PROMISE recv_push_on_closed_stream CLOSED
CLOSED SEND_HEADERS send_on_closed_stream CLOSED
CLOSED SEND_PUSH_PROMISE send_push_on_closed_stream CLOSED
CLOSED SEND_RST_STREAM send_on_closed_stream CLOSED
CLOSED SEND_DATA send_on_closed_stream CLOSED
CLOSED SEND_WINDOW_UPDATE send_on_closed_stream CLOSED
CLOSED SEND_END_STREAM send_on_closed_stream CLOSED
`;

type StateName = keyof typeof StreamState;
type InputName = keyof typeof StreamInputs;
interface Row {
  state: StateName;
  input: InputName;
  effect: string | null;
  next: StateName;
}

const ROWS: Row[] = APPENDIX_A.trim()
  .split('\n')
  .map((line) => {
    const [state, input, effect, next] = line.split(' ') as [StateName, InputName, string, StateName];
    return { state, input, effect: effect === '-' ? null : effect, next };
  });
const EXPECTED = new Map(ROWS.map((r) => [`${r.state} ${r.input}`, r]));

const camel = (snake: string): string => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

// What each side effect yields in its "happy" context (event type tags), or the error it throws.
const OUTCOME: Record<string, string[] | 'StreamClosedError' | 'ProtocolError'> = {
  request_sent: ['RequestSent'],
  response_sent: ['ResponseSent'],
  request_received: ['RequestReceived'],
  response_received: ['ResponseReceived'],
  data_received: ['DataReceived'],
  window_updated: ['WindowUpdated'],
  stream_half_closed: ['StreamEnded'],
  stream_ended: ['StreamEnded'],
  stream_reset: ['StreamReset'],
  send_new_pushed_stream: [],
  recv_new_pushed_stream: [],
  send_push_promise: ['PushedRequestSent'],
  recv_push_promise: ['PushedStreamReceived'],
  send_end_stream: [],
  send_reset_stream: [],
  reset_stream_on_error: 'StreamClosedError',
  recv_on_closed_stream: 'StreamClosedError',
  send_on_closed_stream: 'StreamClosedError',
  recv_push_on_closed_stream: 'StreamClosedError',
  send_push_on_closed_stream: 'ProtocolError',
  send_informational_response: ['ResponseSent'],
  recv_informational_response: ['InformationalResponseReceived'],
  recv_alt_svc: ['AlternativeServiceAvailable'],
  send_alt_svc: [],
};

// How each side effect leaves `streamClosedBy` (undefined = untouched, i.e. still null).
const CLOSED_BY: Record<string, number> = {
  stream_ended: StreamClosedBy.RECV_END_STREAM,
  stream_reset: StreamClosedBy.RECV_RST_STREAM,
  send_end_stream: StreamClosedBy.SEND_END_STREAM,
  send_reset_stream: StreamClosedBy.SEND_RST_STREAM,
  reset_stream_on_error: StreamClosedBy.SEND_RST_STREAM,
};

/** A machine in `state` whose sub-state makes `input`'s side effect succeed (the peer roles it implies). */
function machineFor(state: StateName, input: InputName): H2StreamStateMachine {
  const m = new H2StreamStateMachine(7);
  m.state = StreamState[state];
  if (state === 'IDLE') return m;
  const serverInputs: InputName[] = ['SEND_HEADERS', 'SEND_PUSH_PROMISE', 'SEND_INFORMATIONAL_HEADERS', 'SEND_ALTERNATIVE_SERVICE'];
  const clientInputs: InputName[] = ['RECV_HEADERS', 'RECV_PUSH_PROMISE', 'RECV_INFORMATIONAL_HEADERS', 'RECV_ALTERNATIVE_SERVICE'];
  if (serverInputs.includes(input)) {
    m.client = false;
    m.headersReceived = true;
  } else if (clientInputs.includes(input)) {
    m.client = true;
    m.headersSent = true;
  } else if (input === 'RECV_DATA') {
    m.headersReceived = true;
  }
  if (state === 'CLOSED') m.streamClosedBy = StreamClosedBy.SEND_RST_STREAM;
  return m;
}

const STATES = Object.keys(StreamState) as StateName[];
const INPUTS = Object.keys(StreamInputs) as InputName[];

FSM('the table has 7 states × 19 inputs and exactly the 77 transitions of h2, per state as h2 counts them', () => {
  assert.is(STATES.length, 7);
  assert.is(INPUTS.length, 19);
  assert.is(ROWS.length, 77);
  assert.is(EXPECTED.size, 77);
  assert.is(TRANSITIONS.length, 7);
  const perState = TRANSITIONS.map((row) => row.filter((t) => t !== undefined).length);
  assert.equal(perState, [8, 7, 8, 16, 14, 11, 13]); // IDLE, RES_R, RES_L, OPEN, HC_R, HC_L, CLOSED
  assert.ok(Object.isFrozen(TRANSITIONS) && TRANSITIONS.every((r) => Object.isFrozen(r)));
});

for (const state of STATES) {
  for (const input of INPUTS) {
    const row = EXPECTED.get(`${state} ${input}`);
    if (row === undefined) {
      FSM(`${input} in ${state} is invalid: the stream closes and a ProtocolError names both`, () => {
        assert.is(TRANSITIONS[StreamState[state]]![StreamInputs[input]], undefined);
        const m = machineFor(state, input);
        try {
          m.processInput(StreamInputs[input]);
          assert.unreachable('should throw');
        } catch (err) {
          assert.instance(err, ProtocolError);
          assert.not.instance(err, StreamClosedError);
          assert.is((err as ProtocolError).errorCode, ErrorCodes.PROTOCOL_ERROR);
          assert.match((err as Error).message, `StreamInputs.${input} in state StreamState.${state}`);
        }
        assert.is(m.state, StreamState.CLOSED);
      });
      continue;
    }
    const outcome = row.effect === null ? [] : OUTCOME[row.effect]!;
    FSM(`${input} in ${state} runs ${row.effect ?? 'no side effect'} and moves to ${row.next}`, () => {
      const t = TRANSITIONS[StreamState[state]]![StreamInputs[input]]!;
      assert.ok(t, 'transition present');
      assert.is(t[1], StreamState[row.next]);
      assert.is(t[0] === null ? null : t[0].name, row.effect === null ? null : camel(row.effect));
      const m = machineFor(state, input);
      const closedByBefore = m.streamClosedBy;
      if (typeof outcome === 'string') {
        try {
          m.processInput(StreamInputs[input]);
          assert.unreachable('should throw');
        } catch (err) {
          assert.instance(err, outcome === 'StreamClosedError' ? StreamClosedError : ProtocolError);
          if (outcome === 'ProtocolError') assert.not.instance(err, StreamClosedError);
          if (err instanceof StreamClosedError) {
            assert.is(err.streamId, 7);
            assert.is(err.errorCode, ErrorCodes.STREAM_CLOSED);
            if (row.effect === 'reset_stream_on_error') {
              assert.is(err.streamEvents.length, 1);
              const ev = err.streamEvents[0] as StreamReset;
              assert.instance(ev, StreamReset);
              assert.equal([ev.streamId, ev.errorCode, ev.remoteReset], [7, ErrorCodes.STREAM_CLOSED, false]);
            } else {
              assert.is(err.streamEvents.length, 0);
            }
          }
        }
        assert.is(m.state, StreamState.CLOSED);
      } else {
        const events = m.processInput(StreamInputs[input]);
        assert.equal(events.map((e) => e.type), outcome);
        for (const e of events) if ('streamId' in e) assert.is(e.streamId, 7);
        assert.is(m.state, StreamState[row.next]);
      }
      const expectedClosedBy = row.effect !== null && row.effect in CLOSED_BY ? CLOSED_BY[row.effect] : closedByBefore;
      assert.is(m.streamClosedBy, expectedClosedBy);
    });
  }
}

FSM('only OPEN and the half-closed states count as open', () => {
  assert.equal(
    STATES.filter((s) => STREAM_OPEN[StreamState[s]]),
    ['OPEN', 'HALF_CLOSED_REMOTE', 'HALF_CLOSED_LOCAL'],
  );
});

FSM('a client (or a stream of unknown role) cannot send a response', () => {
  for (const client of [true, null]) {
    const m = new H2StreamStateMachine(1);
    m.state = StreamState.OPEN;
    m.client = client;
    assert.throws(() => m.processInput(StreamInputs.SEND_HEADERS), (e: unknown) => e instanceof ProtocolError && /Client cannot send responses/.test((e as Error).message));
    assert.is(m.state, StreamState.CLOSED);
  }
});

FSM('the second header block sent is trailers, and a third is refused', () => {
  const m = new H2StreamStateMachine(1);
  assert.equal(m.processInput(StreamInputs.SEND_HEADERS).map((e) => e.type), ['RequestSent']);
  assert.equal(m.processInput(StreamInputs.SEND_HEADERS).map((e) => e.type), ['TrailersSent']);
  assert.ok(m.trailersSent);
  assert.throws(() => m.processInput(StreamInputs.SEND_HEADERS), (e: unknown) => e instanceof ProtocolError);
  assert.is(m.state, StreamState.CLOSED);
});

FSM('the second header block received is trailers, and a third is refused', () => {
  const m = new H2StreamStateMachine(1);
  m.processInput(StreamInputs.SEND_HEADERS);
  assert.equal(m.processInput(StreamInputs.RECV_HEADERS).map((e) => e.type), ['ResponseReceived']);
  assert.equal(m.processInput(StreamInputs.RECV_HEADERS).map((e) => e.type), ['TrailersReceived']);
  assert.throws(() => m.processInput(StreamInputs.RECV_HEADERS), (e: unknown) => e instanceof ProtocolError);
});

FSM('a server receiving the first header block on an open stream it did not request is a protocol error', () => {
  const m = new H2StreamStateMachine(2);
  m.state = StreamState.OPEN;
  m.client = false;
  assert.throws(() => m.processInput(StreamInputs.RECV_HEADERS), (e: unknown) => e instanceof ProtocolError);
  assert.is(m.state, StreamState.CLOSED);
});

FSM('DATA before any header block is a protocol error that closes the stream', () => {
  const m = new H2StreamStateMachine(1);
  m.processInput(StreamInputs.SEND_HEADERS);
  assert.throws(() => m.processInput(StreamInputs.RECV_DATA), /cannot receive data before headers/);
  assert.is(m.state, StreamState.CLOSED);
});

FSM('a client cannot push and a server cannot receive a push', () => {
  const client = new H2StreamStateMachine(1);
  client.processInput(StreamInputs.SEND_HEADERS);
  assert.throws(() => client.processInput(StreamInputs.SEND_PUSH_PROMISE), /Cannot push streams from client peers/);
  const server = new H2StreamStateMachine(1);
  server.processInput(StreamInputs.RECV_HEADERS);
  assert.throws(() => server.processInput(StreamInputs.RECV_PUSH_PROMISE), /Cannot receive pushed streams as a server/);
});

FSM('informational responses are refused after the final response, in both directions', () => {
  const server = new H2StreamStateMachine(1);
  server.processInput(StreamInputs.RECV_HEADERS);
  assert.equal(server.processInput(StreamInputs.SEND_INFORMATIONAL_HEADERS).map((e) => e.type), ['ResponseSent']);
  server.processInput(StreamInputs.SEND_HEADERS);
  assert.throws(() => server.processInput(StreamInputs.SEND_INFORMATIONAL_HEADERS), /Information response after final response/);
  const client = new H2StreamStateMachine(1);
  client.processInput(StreamInputs.SEND_HEADERS);
  client.processInput(StreamInputs.RECV_INFORMATIONAL_HEADERS);
  client.processInput(StreamInputs.RECV_HEADERS);
  assert.throws(() => client.processInput(StreamInputs.RECV_INFORMATIONAL_HEADERS), /Informational response after final response/);
});

FSM('ALTSVC on a stream is ignored by servers and after the response headers, and cannot be sent after ours', () => {
  const server = new H2StreamStateMachine(1);
  server.processInput(StreamInputs.RECV_HEADERS);
  assert.equal(server.processInput(StreamInputs.RECV_ALTERNATIVE_SERVICE), []);
  const client = new H2StreamStateMachine(1);
  client.processInput(StreamInputs.SEND_HEADERS);
  client.processInput(StreamInputs.RECV_HEADERS);
  assert.equal(client.processInput(StreamInputs.RECV_ALTERNATIVE_SERVICE), []);
  server.processInput(StreamInputs.SEND_HEADERS);
  assert.throws(() => server.processInput(StreamInputs.SEND_ALTERNATIVE_SERVICE), /Cannot send ALTSVC after sending response headers/);
});

FSM('PUSH_PROMISE on a stream closed by END_STREAM is a connection error, not a stream error', () => {
  const m = new H2StreamStateMachine(1);
  m.processInput(StreamInputs.SEND_HEADERS);
  m.processInput(StreamInputs.SEND_END_STREAM);
  m.processInput(StreamInputs.RECV_HEADERS);
  m.processInput(StreamInputs.RECV_END_STREAM);
  assert.is(m.streamClosedBy, StreamClosedBy.RECV_END_STREAM);
  try {
    m.processInput(StreamInputs.RECV_PUSH_PROMISE);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, ProtocolError);
    assert.not.instance(err, StreamClosedError);
  }
});

FSM('a pushed stream makes the pusher the server and the receiver the client', () => {
  const pushed = new H2StreamStateMachine(2);
  pushed.processInput(StreamInputs.SEND_PUSH_PROMISE);
  assert.equal([pushed.client, pushed.headersReceived], [false, true]);
  assert.equal(pushed.processInput(StreamInputs.SEND_HEADERS).map((e) => e.type), ['ResponseSent']);
  const received = new H2StreamStateMachine(2);
  received.processInput(StreamInputs.RECV_PUSH_PROMISE);
  assert.equal([received.client, received.headersSent], [true, true]);
  assert.equal(received.processInput(StreamInputs.RECV_HEADERS).map((e) => e.type), ['ResponseReceived']);
});

FSM('an input that is not a StreamInputs value is refused without touching the state', () => {
  const m = new H2StreamStateMachine(1);
  for (const bad of [19, -1, 1.5, Number.NaN]) assert.throws(() => m.processInput(bad as StreamInput), (e: unknown) => e instanceof RangeError);
  assert.is(m.state, StreamState.IDLE);
});

FSM('the sub-state fields are independent: every combination reads back as set', () => {
  const clients = [null, true, false] as const;
  const closedBys = [null, StreamClosedBy.SEND_END_STREAM, StreamClosedBy.RECV_END_STREAM, StreamClosedBy.SEND_RST_STREAM, StreamClosedBy.RECV_RST_STREAM] as const;
  const m = new H2StreamStateMachine(7);
  assert.equal([m.client, m.headersSent, m.trailersSent, m.headersReceived, m.trailersReceived, m.streamClosedBy], [null, false, false, false, false, null]);
  for (const client of clients) {
    for (let flags = 0; flags < 16; flags++) {
      for (const closedBy of closedBys) {
        m.client = client;
        m.headersSent = (flags & 1) !== 0;
        m.trailersSent = (flags & 2) !== 0;
        m.headersReceived = (flags & 4) !== 0;
        m.trailersReceived = (flags & 8) !== 0;
        m.streamClosedBy = closedBy;
        const expected = [client, (flags & 1) !== 0, (flags & 2) !== 0, (flags & 4) !== 0, (flags & 8) !== 0, closedBy];
        assert.equal([m.client, m.headersSent, m.trailersSent, m.headersReceived, m.trailersReceived, m.streamClosedBy], expected);
      }
    }
  }
  assert.is(m.streamId, 7);
  assert.is(m.state, StreamState.IDLE);
});

FSM.run();
