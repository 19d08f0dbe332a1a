// Protocol-core throughput against python h2 (Debian's system python3, h2 4.1.0, timed inside python,
// same work): a client and a server H2Connection in one process, bytes passed between them in memory.
// (1) 20 000 GET requests, 100 in flight, 100-byte response bodies → requests/s.
// (2) 256 MiB on one stream in 16 KiB DATA frames, windows kept open by acknowledging → MB/s.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { H2Configuration, H2Connection } from '../dist/core.mjs';
import { report } from './_report.mjs';

const REQUESTS = 20_000;
const IN_FLIGHT = 100;
const BODY = 100;
const UPLOAD = 256 * 1024 * 1024;
const FRAME = 16_384;
const WINDOW = 1 << 20;
// Best of ROUNDS for h2flow, after WARMUP untimed rounds (V8's optimizing tiers need a few rounds
// of this workload to settle: the first rounds run at a third to half of the steady-state speed);
// python (no JIT, so no warm-up) takes the best of PY_ROUNDS runs of each case, so both sides get a best-of.
const WARMUP = 2;
const ROUNDS = 5;
const PY_ROUNDS = 3;

const REQUEST_HEADERS = [
  [':method', 'GET'],
  [':scheme', 'https'],
  [':authority', 'example.com'],
  [':path', '/index.html'],
  ['user-agent', 'h2flow-bench'],
];
const RESPONSE_HEADERS = [
  [':status', '200'],
  ['content-type', 'text/plain'],
  ['content-length', String(BODY)],
];

function pair() {
  const client = new H2Connection(new H2Configuration({ clientSide: true }));
  const server = new H2Connection(new H2Configuration({ clientSide: false }));
  client.initiateConnection();
  server.initiateConnection();
  return { client, server };
}

/** Moves bytes both ways until both sides are quiet; `onClient`/`onServer` handle each side's events. */
function pump(client, server, onClient, onServer) {
  for (;;) {
    const c = client.dataToSend();
    const s = server.dataToSend();
    if (c.length === 0 && s.length === 0) return;
    if (c.length) onServer(server.receiveData(c));
    if (s.length) onClient(client.receiveData(s));
  }
}

function requests() {
  const { client, server } = pair();
  const body = new Uint8Array(BODY).fill(0x61);
  let started = 0;
  let done = 0;
  const start = () => {
    const id = client.getNextAvailableStreamId();
    client.sendHeaders(id, REQUEST_HEADERS, { endStream: true });
    started++;
  };
  const onServer = (events) => {
    for (const ev of events) {
      if (ev.type === 'RequestReceived') {
        server.sendHeaders(ev.streamId, RESPONSE_HEADERS);
        server.sendData(ev.streamId, body, { endStream: true });
      }
    }
  };
  const onClient = (events) => {
    for (const ev of events) {
      if (ev.type === 'DataReceived') client.acknowledgeReceivedData(ev.flowControlledLength, ev.streamId);
      else if (ev.type === 'StreamEnded') {
        done++;
        if (started < REQUESTS) start();
      }
    }
  };
  pump(client, server, onClient, onServer);
  const t0 = performance.now();
  for (let i = 0; i < IN_FLIGHT; i++) start();
  while (done < REQUESTS) pump(client, server, onClient, onServer);
  return REQUESTS / ((performance.now() - t0) / 1000);
}

function upload() {
  const { client, server } = pair();
  server.updateSettings({ 4: WINDOW });
  server.incrementFlowControlWindow(WINDOW);
  let received = 0;
  const onServer = (events) => {
    for (const ev of events) if (ev.type === 'DataReceived') {
      received += ev.data.length;
      server.acknowledgeReceivedData(ev.flowControlledLength, ev.streamId);
    }
  };
  const onClient = () => {};
  pump(client, server, onClient, onServer);
  const chunk = new Uint8Array(FRAME).fill(0x62);
  const t0 = performance.now();
  client.sendHeaders(1, [[':method', 'POST'], [':scheme', 'https'], [':authority', 'example.com'], [':path', '/upload']]);
  let sent = 0;
  while (sent < UPLOAD) {
    while (sent < UPLOAD && client.localFlowControlWindow(1) >= FRAME) {
      sent += FRAME;
      client.sendData(1, chunk, { endStream: sent >= UPLOAD });
    }
    pump(client, server, onClient, onServer);
  }
  if (received !== UPLOAD) throw new Error(`received ${received} of ${UPLOAD}`);
  return UPLOAD / 1e6 / ((performance.now() - t0) / 1000);
}

const PYTHON = String.raw`
import json, sys, time
from h2.config import H2Configuration
from h2.connection import H2Connection
from h2.events import RequestReceived, DataReceived, StreamEnded

p = json.load(sys.stdin)

def pair():
    c = H2Connection(H2Configuration(client_side=True))
    s = H2Connection(H2Configuration(client_side=False))
    c.initiate_connection(); s.initiate_connection()
    return c, s

def pump(c, s, on_client, on_server):
    while True:
        cd = c.data_to_send(); sd = s.data_to_send()
        if not cd and not sd: return
        if cd: on_server(s.receive_data(cd))
        if sd: on_client(c.receive_data(sd))

def requests():
    c, s = pair()
    body = b'a' * p['body']
    req = [(k.encode(), v.encode()) for k, v in p['req']]
    resp = [(k.encode(), v.encode()) for k, v in p['resp']]
    st = {'started': 0, 'done': 0}
    def start():
        c.send_headers(c.get_next_available_stream_id(), req, end_stream=True); st['started'] += 1
    def on_server(events):
        for ev in events:
            if isinstance(ev, RequestReceived):
                s.send_headers(ev.stream_id, resp); s.send_data(ev.stream_id, body, end_stream=True)
    def on_client(events):
        for ev in events:
            if isinstance(ev, DataReceived): c.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
            elif isinstance(ev, StreamEnded):
                st['done'] += 1
                if st['started'] < p['requests']: start()
    pump(c, s, on_client, on_server)
    t0 = time.perf_counter()
    for _ in range(p['in_flight']): start()
    while st['done'] < p['requests']: pump(c, s, on_client, on_server)
    return p['requests'] / (time.perf_counter() - t0)

def upload():
    c, s = pair()
    s.update_settings({4: p['window']}); s.increment_flow_control_window(p['window'])
    got = [0]
    def on_server(events):
        for ev in events:
            if isinstance(ev, DataReceived):
                got[0] += len(ev.data); s.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
    pump(c, s, lambda e: None, on_server)
    chunk = b'b' * p['frame']; total = p['upload']
    t0 = time.perf_counter()
    c.send_headers(1, [(b':method', b'POST'), (b':scheme', b'https'), (b':authority', b'example.com'), (b':path', b'/upload')])
    sent = 0
    while sent < total:
        while sent < total and c.local_flow_control_window(1) >= p['frame']:
            sent += p['frame']; c.send_data(1, chunk, end_stream=sent >= total)
        pump(c, s, lambda e: None, on_server)
    assert got[0] == total
    return total / 1e6 / (time.perf_counter() - t0)

json.dump({'requests': max(requests() for _ in range(p['rounds'])), 'upload': max(upload() for _ in range(p['rounds']))}, sys.stdout)
`;

function python() {
  const exe = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const input = { requests: REQUESTS, in_flight: IN_FLIGHT, body: BODY, req: REQUEST_HEADERS, resp: RESPONSE_HEADERS, upload: UPLOAD, frame: FRAME, window: WINDOW, rounds: PY_ROUNDS };
  const r = spawnSync(exe, ['-c', PYTHON], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`python h2 failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const best = (fn) => {
  for (let i = 0; i < WARMUP; i++) fn();
  return Math.max(...Array.from({ length: ROUNDS }, fn));
};
const ours = { requests: best(requests), upload: best(upload) };
const theirs = python();
report('core: 20k GETs, 100 in flight (client+server in one process)', 'req/s', ours.requests, 'python h2 4.1.0', theirs.requests);
report('core: 256 MiB upload on one stream, 16 KiB DATA', 'MB/s', ours.upload, 'python h2 4.1.0', theirs.upload);
