/**
 * Differential test of the stream state machine against Debian's python h2 (4.1; its table and side
 * effects are those of 4.4.1): every (state, input) pair under every combination of the sub-state the
 * side effects police must give the same next state, events, error and sub-state.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ProtocolError, StreamClosedError } from '../../src/core/exceptions';
import { H2StreamStateMachine, StreamInputs, type StreamInput, StreamState } from '../../src/core/stream-state';
import { H2Stream } from '../../src/core/stream';
import { H2Configuration } from '../../src/core/config';
import { runPython } from '../support/python';

const Oracle = suite('stream state machine vs python h2');

const PYTHON = `
import json, sys, itertools
from h2.stream import H2StreamStateMachine, StreamState, StreamInputs, StreamClosedBy
from h2.exceptions import ProtocolError, StreamClosedError
out = []
b = lambda x: bool(x)
for state, inp, client, hs, ts, hr, tr, cb in itertools.product(range(7), range(19), (None, True, False), (False, True), (False, True), (False, True), (False, True), (None, 0, 1, 2, 3)):
    m = H2StreamStateMachine(7)
    m.state = StreamState(state)
    m.client, m.headers_sent, m.trailers_sent, m.headers_received, m.trailers_received = client, hs, ts, hr, tr
    m.stream_closed_by = None if cb is None else StreamClosedBy(cb)
    err, events = '-', []
    try:
        events = [type(e).__name__.lstrip('_') for e in (m.process_input(StreamInputs(inp)) or [])]
    except StreamClosedError as e:
        err = 'StreamClosedError:' + ','.join('%s/%s/%s' % (type(x).__name__, int(x.error_code), x.remote_reset) for x in e._events)
    except ProtocolError:
        err = 'ProtocolError'
    closed_by = '-' if m.stream_closed_by is None else str(m.stream_closed_by.value)
    out.append('%d %s %s %s %s %d%d%d%d' % (int(m.state), ','.join(events) or '-', err, closed_by, m.client, b(m.headers_sent), b(m.trailers_sent), b(m.headers_received), b(m.trailers_received)))
json.dump(out, sys.stdout)
`;

function ours(make: () => H2StreamStateMachine = () => new H2StreamStateMachine(7)): string[] {
  const out: string[] = [];
  const py = (v: boolean | null): string => (v === null ? 'None' : v ? 'True' : 'False');
  const bit = (v: boolean): string => (v ? '1' : '0');
  for (let state = 0; state < 7; state++) {
    for (let input = 0; input < 19; input++) {
      for (const client of [null, true, false]) {
        for (const hs of [false, true]) {
          for (const ts of [false, true]) {
            for (const hr of [false, true]) {
              for (const tr of [false, true]) {
                for (const cb of [null, 0, 1, 2, 3] as const) {
                  const m = make();
                  m.state = state as StreamState;
                  Object.assign(m, { client, headersSent: hs, trailersSent: ts, headersReceived: hr, trailersReceived: tr, streamClosedBy: cb });
                  let err = '-';
                  let events: string[] = [];
                  try {
                    events = m.processInput(input as StreamInput).map((e) => e.type);
                  } catch (e) {
                    if (e instanceof StreamClosedError) {
                      err = `StreamClosedError:${e.streamEvents.map((x) => (x.type === 'StreamReset' ? `StreamReset/${x.errorCode}/${py(x.remoteReset)}` : x.type)).join(',')}`;
                    } else if (e instanceof ProtocolError) {
                      err = 'ProtocolError';
                    } else {
                      throw e;
                    }
                  }
                  const closedBy = m.streamClosedBy === null ? '-' : String(m.streamClosedBy);
                  out.push(`${m.state} ${events.join(',') || '-'} ${err} ${closedBy} ${py(m.client)} ${bit(m.headersSent)}${bit(m.trailersSent)}${bit(m.headersReceived)}${bit(m.trailersReceived)}`);
                }
              }
            }
          }
        }
      }
    }
  }
  return out;
}

Oracle('every state × input × sub-state gives h2s next state, events, error and sub-state', () => {
  const expected = runPython<string[]>(PYTHON, null);
  const got = ours();
  assert.is(got.length, 7 * 19 * 240);
  assert.is(expected.length, got.length);
  const states = Object.keys(StreamState);
  const inputs = Object.keys(StreamInputs);
  for (let i = 0; i < got.length; i++) {
    if (got[i] === expected[i]) continue;
    const perPair = 240;
    const pair = Math.floor(i / perPair);
    assert.is(got[i], expected[i], `${inputs[pair % 19]} in ${states[Math.floor(pair / 19)]}, sub-state case ${i % perPair}`);
  }
});

// H2Stream is its own state machine (it extends it): nothing it defines may change a transition (a
// method of its own named like a side effect, as its `streamReset` is, or a field a side effect reads).
Oracle('H2Stream, the machine it extends, gives h2s answers for every state × input × sub-state too', () => {
  const config = new H2Configuration({ clientSide: true });
  const got = ours(() => new H2Stream(7, config, 65535, 65535));
  const expected = runPython<string[]>(PYTHON, null);
  assert.is(got.length, expected.length);
  for (let i = 0; i < got.length; i++) if (got[i] !== expected[i]) assert.is(got[i], expected[i], `case ${i}`);
});

Oracle.run();
