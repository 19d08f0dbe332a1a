/**
 * Seeded random oracle scenarios: mixes of valid exchanges, API calls and invalid frames, drawn so
 * they stay clear of the documented h2 4.1/4.4 differences (see differences.ts, "random scenarios").
 * Most of them must run to their last step: after a connection error the comparison can only check
 * that nothing more is emitted, so received frames name streams the peer knows, and invalid input
 * comes only as the last step (oracle.test.ts asserts the share that survives).
 */
import { mulberry32, type Prng } from '../prng';
import { E, S, T } from '../peer';
import { POST, REQ, Script, hexOf, type Role, type Scenario, type ScenarioHeader } from './script';

const SAFE_NAMES = ['accept', 'user-agent', 'x-a', 'x-trace-id', 'cache-control', 'x-long-header-name'];
const SAFE_VALUES = ['1', 'text/html', 'abc def', 'no-cache', 'v'.repeat(40), ''];
const ERROR_CODES = [E.NO_ERROR, E.PROTOCOL_ERROR, E.CANCEL, E.REFUSED_STREAM, E.INTERNAL_ERROR, 0x77];

function extraHeaders(r: Prng): ScenarioHeader[] {
  return Array.from({ length: r.int(4) }, () => [r.pick(SAFE_NAMES), r.pick(SAFE_VALUES)] as ScenarioHeader);
}

function text(r: Prng, max: number): string {
  const n = 1 + r.int(max);
  return String.fromCharCode(97 + r.int(26)).repeat(n);
}

/** What the generator believes about a stream (it may be wrong after invalid input: that is fine). */
interface StreamModel {
  id: number;
  clientOpen: boolean;
  serverOpen: boolean;
  responded: boolean;
}

/**
 * One random scenario: a handshake, then mostly valid traffic that follows a stream model, some
 * control frames and queries, and a little invalid input (which usually ends the connection).
 */
function randomScenario(r: Prng, index: number): Scenario {
  const role: Role = r.next() < 0.5 ? 'client' : 'server';
  const s = new Script(`random #${index} [${role}]`, role);
  const settings: Record<number, number> = {};
  if (r.next() < 0.3) settings[S.INITIAL_WINDOW_SIZE] = 65535 + r.int(100000);
  if (r.next() < 0.3) settings[S.MAX_FRAME_SIZE] = 16384 + r.int(20000);
  if (r.next() < 0.2) settings[S.MAX_CONCURRENT_STREAMS] = 1 + r.int(5);
  if (r.next() < 0.2) settings[S.HEADER_TABLE_SIZE] = r.int(8192);
  if (role === 'server' && r.next() < 0.3) settings[S.ENABLE_PUSH] = r.int(2);
  s.open(settings, { ack: r.next() < 0.8 });
  const streams: StreamModel[] = [];
  // Streams on which an END_STREAM went either way (by any step, valid or not): see the invalid DATA step.
  const ended = new Set<number>();
  const end = (id: number, endStream: boolean): boolean => {
    if (endStream) ended.add(id);
    return endStream;
  };
  let nextClient = 1;
  let nextPush = 2;
  const pick = (ok: (m: StreamModel) => boolean): StreamModel | undefined => {
    const c = streams.filter(ok);
    return c.length ? r.pick(c) : undefined;
  };
  /** A stream for an API call: mostly known, sometimes one that never existed (API errors are not fatal). */
  const anyId = (): number => (streams.length && r.next() < 0.8 ? r.pick(streams).id : 1 + r.int(12));
  /** A stream for a frame the peer sends: one it knows (a frame on an idle stream is a connection error). */
  const knownId = (): number | undefined => (streams.length ? r.pick(streams).id : undefined);
  const valid: (() => void)[] = [
    () => {
      const m = { id: nextClient, clientOpen: r.next() < 0.5, serverOpen: true, responded: false };
      nextClient += 2;
      streams.push(m);
      s.request(m.id, [...REQ.slice(0, 3), [':path', `/${m.id}`], ...extraHeaders(r)], end(m.id, !m.clientOpen));
    },
    () => {
      const m = pick((x) => x.clientOpen);
      if (!m) return;
      m.clientOpen = r.next() < 0.6;
      s.clientBody(m.id, text(r, 3000), end(m.id, !m.clientOpen));
    },
    () => {
      const m = pick((x) => x.serverOpen && !x.responded);
      if (!m) return;
      if (r.next() < 0.2) s.respond(m.id, [[':status', '103'], ...extraHeaders(r)]);
      m.responded = true;
      m.serverOpen = r.next() < 0.7;
      s.respond(m.id, [[':status', r.pick(['200', '204', '404'])], ...extraHeaders(r)], end(m.id, !m.serverOpen));
    },
    () => {
      const m = pick((x) => x.serverOpen && x.responded);
      if (!m) return;
      m.serverOpen = r.next() < 0.6;
      s.serverBody(m.id, text(r, 3000), end(m.id, !m.serverOpen));
    },
    () => {
      const m = pick((x) => x.serverOpen && x.responded);
      if (!m) return;
      m.serverOpen = false;
      s.respond(m.id, [['x-trailer', 'done']], end(m.id, true));
    },
    () => {
      const parent = pick((x) => x.serverOpen && x.id % 2 === 1);
      if (!parent) return;
      const headers: ScenarioHeader[] = [...REQ.slice(0, 3), [':path', `/push${nextPush}`]];
      if (role === 'server') s.do('pushStream', { streamId: parent.id, promisedStreamId: nextPush, headers });
      else s.recv(s.peer.pushPromise(parent.id, nextPush, headers));
      // A push the client disabled fails (an API error) and its stream stays idle: not one the peer knows
      // (RST_STREAM on it would be rst-stream-idle).
      if (role === 'client' || settings[S.ENABLE_PUSH] !== 0) streams.push({ id: nextPush, clientOpen: false, serverOpen: true, responded: false });
      nextPush += 2;
    },
    () => {
      const m = pick((x) => x.clientOpen || x.serverOpen);
      if (!m) return;
      m.clientOpen = m.serverOpen = false;
      if (r.next() < 0.5) s.do('resetStream', { streamId: m.id, errorCode: r.pick(ERROR_CODES) });
      else s.recv(s.peer.rstStream(m.id, r.pick(ERROR_CODES)));
    },
    () => s.do('acknowledgeReceivedData', { size: r.int(5000), streamId: anyId() }),
  ];
  const control: (() => void)[] = [
    () => {
      // On a stream that never existed h2 fails with a bare KeyError (keyerror-lookups).
      if (r.next() < 0.5) s.allow('keyerror-lookups').do('incrementFlowControlWindow', { increment: 1 + r.int(100000), streamId: anyId() });
      else s.do('incrementFlowControlWindow', { increment: 1 + r.int(100000) });
    },
    () => s.do('ping', { data: hexOf(text(r, 1).padEnd(8, 'p')) }),
    () => s.do('updateSettings', { settings: [[S.MAX_CONCURRENT_STREAMS, 1 + r.int(200)], [S.INITIAL_WINDOW_SIZE, 65535 + r.int(1000)]] }),
    () => s.recv(s.peer.settingsAck()),
    () => s.do('localFlowControlWindow', { streamId: anyId() }),
    () => s.do('remoteFlowControlWindow', { streamId: anyId() }),
    () => s.query(r.pick(['openOutboundStreams', 'openInboundStreams', 'inboundFlowControlWindow', 'remoteSettings', 'localSettings'])),
    () => s.do('getNextAvailableStreamId'),
    () => s.recv(s.peer.ping(text(r, 1).padEnd(8, 'q'), { ack: r.next() < 0.3 })),
    () => s.recv(s.peer.windowUpdate(r.next() < 0.5 ? 0 : knownId() ?? 0, 1 + r.int(70000))),
    () => s.recv(s.peer.settings({ [S.INITIAL_WINDOW_SIZE]: 65535 + r.int(70000), [S.MAX_CONCURRENT_STREAMS]: r.int(300) })),
    () => {
      // PRIORITY may name idle streams (RFC 9113 §5.1), but not make a stream depend on itself.
      const id = anyId();
      const dependsOn = r.next() < 0.8 ? anyId() : 0;
      s.recv(s.peer.priority(id, { dependsOn: dependsOn === id ? 0 : dependsOn, weight: 1 + r.int(256), exclusive: r.next() < 0.5 }));
    },
    () => s.recv(s.peer.altSvc(r.next() < 0.5 ? 0 : knownId() ?? 0, r.next() < 0.5 ? 'example.com' : '', 'h2=":443"')),
    () => {
      const id = anyId();
      s.do('sendData', { streamId: id, data: hexOf(text(r, 100)), endStream: end(id, r.next() < 0.5) });
    },
    () => {
      const id = anyId();
      s.do('sendHeaders', { streamId: id, headers: r.next() < 0.5 ? REQ : [[':status', '200']], endStream: end(id, r.next() < 0.5) });
    },
  ];
  const invalid: (() => void)[] = [
    () => {
      // DATA after END_STREAM both ways is a documented difference (data-after-end-stream): on a stream
      // that may have ended, an idle stream takes its place (the same draws, so the corpus barely changes).
      const id = anyId();
      const target = ended.has(id) ? nextClient : id;
      s.recv(s.peer.data(target, text(r, 50), { endStream: end(target, r.next() < 0.5) }));
    },
    () => s.recv(s.peer.headers(2 * (1 + r.int(6)), REQ, { endStream: true })),
    // Stream-level increments of 0 are a documented difference (window-update-zero-stream).
    () => s.recv(s.peer.windowUpdate(0, 0)),
    () => s.recv(s.peer.raw(r.pick([T.PING, T.RST_STREAM, T.WINDOW_UPDATE, T.PRIORITY]), 0, r.int(3), new Uint8Array(r.int(10)))),
    () => s.recv(s.peer.raw(0x20 + r.int(20), r.int(256), r.int(5), text(r, 10))),
    // On a stream that never existed (on a reset one h2 answers RST_STREAM STREAM_CLOSED: naked-continuation).
    () => s.allow('naked-continuation').recv(s.peer.continuation(nextClient + 2 * r.int(3), s.peer.headerBlock([['x', 'y']]))),
  ];
  const n = 6 + r.int(20);
  for (let i = 0; i < n; i++) r.pick(r.next() < 0.75 ? valid : control)();
  // The ending: invalid input, a GOAWAY either way, or just the traffic.
  const ending = r.next();
  if (ending < 0.25) r.pick(invalid)();
  // A NO_ERROR GOAWAY drains on our side (graceful-goaway, tagged): only error codes here.
  else if (ending < 0.38) s.recv(s.peer.goAway(Math.max(0, nextClient - 2), r.pick(ERROR_CODES.filter((c) => c !== E.NO_ERROR))));
  else if (ending < 0.48) s.do('closeConnection', { errorCode: r.pick(ERROR_CODES) });
  return s.build();
}

/** `count` random scenarios from a fixed seed (same seed, same corpus). */
export function randomScenarios(count: number, seed: number): Scenario[] {
  const r = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => randomScenario(r, i));
}

/**
 * One flow-control walk: a few long streams with DATA both ways in random sizes, random
 * acknowledgements, WINDOW_UPDATEs and INITIAL_WINDOW_SIZE changes, with window queries throughout.
 * Never sends 0-byte DATA (see `zero-byte-data-negative-window`).
 */
function flowScenario(r: Prng, index: number): Scenario {
  const role: Role = r.next() < 0.5 ? 'client' : 'server';
  const s = new Script(`random flow #${index} [${role}]`, role);
  s.open({ [S.INITIAL_WINDOW_SIZE]: 1 + r.int(200_000), [S.MAX_FRAME_SIZE]: 16384 + r.int(50_000) });
  if (r.next() < 0.5) s.do('updateSettings', { settings: [[S.INITIAL_WINDOW_SIZE, 1024 + r.int(100_000)]] }).recv(s.peer.settingsAck());
  const ids = Array.from({ length: 1 + r.int(3) }, (_, i) => 1 + 2 * i);
  const unacked = new Map<number, number>();
  for (const id of ids) {
    s.request(id, POST, false);
    s.respond(id, [[':status', '200']], false);
    unacked.set(id, 0);
  }
  const id = (): number => r.pick(ids);
  const ourBody = (i: number, t: string, end: boolean) => (role === 'client' ? s.clientBody(i, t, end) : s.serverBody(i, t, end));
  const steps: (() => void)[] = [
    () => ourBody(id(), text(r, 20_000), false),
    () => ourBody(id(), text(r, 200), false),
    // A run of DATA frames in one call (h2flow's sendDataFrames; the driver does h2's send_data per slice).
    () => s.do('sendDataFrames', { streamId: id(), data: hexOf(text(r, 70_000)), endStream: false }),
    () => {
      const i = id();
      const n = 1 + r.int(16_000);
      s.recv(r.next() < 0.2 ? s.peer.data(i, text(r, 1).repeat(n), { padLength: r.int(256) }) : s.peer.data(i, text(r, 1).repeat(n)));
      unacked.set(i, (unacked.get(i) ?? 0) + n);
    },
    () => {
      const i = id();
      const n = r.int((unacked.get(i) ?? 0) + 1);
      unacked.set(i, (unacked.get(i) ?? 0) - n);
      s.do('acknowledgeReceivedData', { size: n, streamId: i });
    },
    () => s.recv(s.peer.windowUpdate(r.next() < 0.4 ? 0 : id(), 1 + r.int(100_000))),
    () => s.do('incrementFlowControlWindow', { increment: 1 + r.int(50_000), ...(r.next() < 0.5 ? { streamId: id() } : {}) }),
    () => s.recv(s.peer.settings({ [S.INITIAL_WINDOW_SIZE]: r.int(300_000) })),
    () => s.do('localFlowControlWindow', { streamId: id() }),
    () => s.do('remoteFlowControlWindow', { streamId: id() }),
    () => s.query('inboundFlowControlWindow'),
  ];
  const n = 15 + r.int(25);
  for (let i = 0; i < n; i++) r.pick(steps)();
  for (const i of ids) {
    const p = r.next();
    if (p < 0.35) ourBody(i, 'end', true);
    else if (p < 0.5) {
      // Windows opened first, so the run usually fits and spans several frames: END_STREAM on the last only.
      s.recv(s.peer.windowUpdate(0, 200_000)).recv(s.peer.windowUpdate(i, 200_000));
      s.do('sendDataFrames', { streamId: i, data: hexOf(text(r, 150_000)), endStream: true });
    }
  }
  return s.build();
}

/** `count` flow-control walks from a fixed seed. */
export function randomFlowScenarios(count: number, seed: number): Scenario[] {
  const r = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => flowScenario(r, i));
}

