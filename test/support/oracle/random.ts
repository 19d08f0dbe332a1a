/**
 * Seeded random oracle scenarios: mixes of valid exchanges, API calls and invalid frames, drawn so
 * they stay clear of the documented h2 4.1/4.4 differences (see differences.ts, "random scenarios").
 */
import { mulberry32, type Prng } from '../prng';
import { E, S, T } from '../peer';
import { REQ, Script, hexOf, type Role, type Scenario, type ScenarioHeader } from './script';

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

/** One random scenario: a handshake, then `n` random actions. */
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
  const clientIds: number[] = [];
  const pushedIds: number[] = [];
  let nextClient = 1;
  let nextPush = 2;
  const anyId = (): number => r.pick([...clientIds, ...pushedIds, 1 + r.int(12)]);
  const openId = (): number => (clientIds.length ? r.pick(clientIds) : 1);
  const actions: (() => void)[] = [
    // Valid traffic.
    () => {
      const id = nextClient;
      nextClient += 2;
      clientIds.push(id);
      s.request(id, [...REQ.slice(0, 3), [':path', `/${id}`], ...extraHeaders(r)], r.next() < 0.5);
    },
    () => s.clientBody(openId(), text(r, 3000), r.next() < 0.3),
    () => s.respond(openId(), [[':status', r.pick(['200', '204', '404', '100'])], ...extraHeaders(r)], r.next() < 0.3),
    () => s.serverBody(openId(), text(r, 3000), r.next() < 0.3),
    () => s.respond(openId(), [['x-trailer', 'done']], true),
    () => {
      if (role === 'server') {
        s.do('pushStream', { streamId: openId(), promisedStreamId: nextPush, headers: [...REQ.slice(0, 3), [':path', `/push${nextPush}`]] });
      } else {
        s.recv(s.peer.pushPromise(openId(), nextPush, [...REQ.slice(0, 3), [':path', `/push${nextPush}`]]));
      }
      pushedIds.push(nextPush);
      nextPush += 2;
    },
    () => s.do('acknowledgeReceivedData', { size: r.int(5000), streamId: anyId() }),
    () => s.do('incrementFlowControlWindow', { increment: 1 + r.int(100000), ...(r.next() < 0.5 ? { streamId: anyId() } : {}) }),
    () => s.do('resetStream', { streamId: anyId(), errorCode: r.pick(ERROR_CODES) }),
    () => s.do('ping', { data: hexOf(text(r, 1).padEnd(8, 'p')) }),
    () => s.do('updateSettings', { settings: [[S.MAX_CONCURRENT_STREAMS, 1 + r.int(200)], [S.INITIAL_WINDOW_SIZE, 65535 + r.int(1000)]] }),
    () => s.recv(s.peer.settingsAck()),
    () => s.do('localFlowControlWindow', { streamId: anyId() }),
    () => s.do('remoteFlowControlWindow', { streamId: anyId() }),
    () => s.query(r.pick(['openOutboundStreams', 'openInboundStreams', 'inboundFlowControlWindow', 'remoteSettings', 'localSettings'])),
    () => s.do('getNextAvailableStreamId'),
    // Control frames from the peer.
    () => s.recv(s.peer.ping(text(r, 1).padEnd(8, 'q'), { ack: r.next() < 0.3 })),
    () => s.recv(s.peer.windowUpdate(r.next() < 0.5 ? 0 : anyId(), 1 + r.int(70000))),
    () => s.recv(s.peer.settings({ [S.INITIAL_WINDOW_SIZE]: 65535 + r.int(70000), [S.MAX_CONCURRENT_STREAMS]: r.int(300) })),
    () => s.recv(s.peer.priority(anyId(), { dependsOn: r.next() < 0.8 ? anyId() : 0, weight: 1 + r.int(256), exclusive: r.next() < 0.5 })),
    () => s.recv(s.peer.rstStream(anyId(), r.pick(ERROR_CODES))),
    () => s.recv(s.peer.altSvc(r.next() < 0.5 ? 0 : anyId(), r.next() < 0.5 ? 'example.com' : '', 'h2=":443"')),
    // Invalid input.
    () => s.recv(s.peer.data(anyId(), text(r, 50), { endStream: r.next() < 0.5 })),
    () => s.recv(s.peer.headers(2 * (1 + r.int(6)), REQ, { endStream: true })),
    // Stream-level increments of 0 are a documented difference (window-update-zero-stream).
    () => s.recv(s.peer.windowUpdate(0, 0)),
    () => s.recv(s.peer.raw(r.pick([T.PING, T.RST_STREAM, T.WINDOW_UPDATE, T.PRIORITY]), 0, r.int(3), new Uint8Array(r.int(10)))),
    () => s.recv(s.peer.raw(0x20 + r.int(20), r.int(256), r.int(5), text(r, 10))),
    () => s.recv(s.peer.continuation(anyId(), s.peer.headerBlock([['x', 'y']]))),
    () => s.do('sendData', { streamId: anyId(), data: hexOf(text(r, 100)), endStream: r.next() < 0.5 }),
    () => s.do('sendHeaders', { streamId: anyId(), headers: r.next() < 0.5 ? REQ : [[':status', '200']], endStream: r.next() < 0.5 }),
  ];
  const n = 6 + r.int(14);
  for (let i = 0; i < n; i++) r.pick(actions)();
  if (r.next() < 0.15) s.recv(s.peer.goAway(Math.max(0, nextClient - 2), r.pick(ERROR_CODES)));
  if (r.next() < 0.1) s.do('closeConnection', { errorCode: r.pick(ERROR_CODES) });
  return s.build();
}

/** `count` random scenarios from a fixed seed (same seed, same corpus). */
export function randomScenarios(count: number, seed: number): Scenario[] {
  const r = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => randomScenario(r, i));
}
