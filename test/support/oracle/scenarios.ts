/**
 * The oracle's hand-written scenario corpus: families of API calls and received frames per area of
 * h2 (exchanges, trailers, 1xx, push, flow control, settings, priority, ALTSVC, CONNECT, header rules,
 * invalid frame sequences, resets, GOAWAY, closed streams, h2c upgrade), generated per role and rule.
 * Scenarios whose h2 4.1 answer differs from 4.4 are tagged with a differences.ts id.
 */
import { E, S, T } from '../peer';
import { POST, REQ, RESP, ROLES, Script, bodyOf, hexOf, type LastStepExpectation, type Role, type Scenario, type ScenarioHeader } from './script';
import { MALFORMED_REQUEST, MALFORMED_RESPONSE, connect, inboundHeaderRules, outboundHeaderRules, type Family } from './header-scenarios';

/** h2flow's answer to DATA after END_STREAM both ways (differences.ts, data-after-end-stream). */
const STREAM_CLOSED_GOAWAY: LastStepExpectation = { err: 'StreamClosedError', code: E.STREAM_CLOSED, frames: ['GOAWAY:5'] };
/** h2flow's answer to RST_STREAM on an idle stream (differences.ts, rst-stream-idle). */
const IDLE_RST_GOAWAY: LastStepExpectation = { err: 'NoSuchStreamError', code: E.PROTOCOL_ERROR, frames: ['GOAWAY:1'] };

/** Complete request/response exchanges, every body shape × every response shape, both roles. */
const exchanges: Family = () => {
  const out: Scenario[] = [];
  const requests: [string, (s: Script) => void][] = [
    ['GET without body', (s) => s.request(1)],
    ['POST with one DATA', (s) => s.request(1, POST, false).clientBody(1, 'hello', true)],
    ['POST with three DATA', (s) => s.request(1, POST, false).clientBody(1, 'a').clientBody(1, 'bb').clientBody(1, 'ccc', true)],
    ['POST ended by an empty DATA', (s) => s.request(1, POST, false).clientBody(1, 'abc').clientBody(1, '', true)],
    ['POST with content-length', (s) => s.request(1, [...POST, ['content-length', '4']], false).clientBody(1, 'abcd', true)],
  ];
  const responses: [string, (s: Script) => void][] = [
    ['headers-only response', (s) => s.respond(1, RESP, true)],
    ['response with body', (s) => s.respond(1).serverBody(1, 'world').serverBody(1, '', true)],
    ['response with body and trailers', (s) => s.respond(1).serverBody(1, 'data').respond(1, [['grpc-status', '0']], true)],
  ];
  for (const role of ROLES) {
    for (const [rn, req] of requests) {
      for (const [pn, resp] of responses) {
        const s = new Script(`exchange: ${rn}, ${pn} [${role}]`, role).open();
        req(s);
        resp(s);
        s.query('openOutboundStreams').query('openInboundStreams');
        out.push(s.build());
      }
    }
    const s = new Script(`exchange: endStream() closes the sending side [${role}]`, role).open();
    s.request(1, POST, false);
    if (role === 'client') s.do('endStream', { streamId: 1 });
    else s.recv(s.peer.data(1, '', { endStream: true }));
    s.respond(1, RESP, false);
    if (role === 'server') s.do('endStream', { streamId: 1 });
    else s.recv(s.peer.data(1, '', { endStream: true }));
    out.push(s.build());
    const h = new Script(`exchange: HEAD response with content-length and no body [${role}]`, role).open();
    h.request(1, [[':method', 'HEAD'], [':scheme', 'https'], [':authority', 'a'], [':path', '/']]);
    h.respond(1, [[':status', '200'], ['content-length', '1000']], true);
    out.push(h.build());
  }
  return out;
};

/** Several streams in flight, interleaved, both roles. */
const concurrency: Family = () => {
  const out: Scenario[] = [];
  for (const role of ROLES) {
    for (const n of [2, 5, 12]) {
      const s = new Script(`concurrency: ${n} interleaved streams [${role}]`, role).open();
      const ids = Array.from({ length: n }, (_, i) => 1 + 2 * i);
      for (const id of ids) s.request(id, [...POST.slice(0, 3), [':path', `/${id}`]], false);
      for (const id of ids) s.clientBody(id, `body ${id}`, true);
      for (const id of ids.slice().reverse()) s.respond(id).serverBody(id, `resp ${id}`, true);
      s.query('openOutboundStreams').query('openInboundStreams');
      if (role === 'client') s.do('getNextAvailableStreamId');
      out.push(s.build());
    }
  }
  return out;
};

/** Informational (1xx) responses. */
const informational: Family = () => {
  const out: Scenario[] = [];
  for (const role of ROLES) {
    const mk = (name: string) => new Script(`1xx: ${name} [${role}]`, role).open();
    out.push(mk('100 then 200').request(1).respond(1, [[':status', '100']]).respond(1, RESP, true).build());
    out.push(mk('two 103s then 200 with body').request(1).respond(1, [[':status', '103'], ['link', '</a>; rel=preload']]).respond(1, [[':status', '103']]).respond(1).serverBody(1, 'x', true).build());
    out.push(mk('1xx with END_STREAM').request(1).respond(1, [[':status', '100']], true).build());
    out.push(mk('1xx after the final response').request(1).respond(1).respond(1, [[':status', '100']]).build());
    out.push(mk('1xx on a stream the client has not opened').respond(1, [[':status', '100']]).build());
  }
  return out;
};

/** Trailers, valid and invalid, in both directions. */
const trailers: Family = () => {
  const out: Scenario[] = [];
  for (const role of ROLES) {
    const mk = (name: string) => new Script(`trailers: ${name} [${role}]`, role).open();
    out.push(mk('request trailers').request(1, POST, false).clientBody(1, 'abc').request(1, [['x-checksum', '1']], true).respond(1, RESP, true).build());
    out.push(mk('request trailers without END_STREAM').request(1, POST, false).clientBody(1, 'abc').request(1, [['x-checksum', '1']], false).build());
    out.push(mk('response trailers without END_STREAM').request(1).respond(1).serverBody(1, 'abc').respond(1, [['x-t', '1']], false).build());
    out.push(mk('response trailers with a pseudo-header').request(1).respond(1).respond(1, [[':status', '200']], true).build());
    out.push(mk('request trailers with a pseudo-header').request(1, POST, false).request(1, [[':path', '/x']], true).build());
    out.push(mk('trailers after trailers').request(1).respond(1).respond(1, [['a', '1']], true).respond(1, [['b', '2']], true).build());
  }
  return out;
};

/** Server push: sending, receiving, and every refusal. */
const push: Family = () => {
  const out: Scenario[] = [];
  const PUSHED: ScenarioHeader[] = [[':method', 'GET'], [':scheme', 'https'], [':authority', 'example.com'], [':path', '/style.css']];
  // The connection is the server: it pushes.
  const srv = (name: string, settings: Record<number, number> = {}) => new Script(`push: ${name} [server]`, 'server').open(settings);
  out.push(srv('push a resource and serve it').request(1).do('pushStream', { streamId: 1, promisedStreamId: 2, headers: PUSHED }).respond(2).serverBody(2, 'body{}', true).respond(1, RESP, true).query('openOutboundStreams').build());
  out.push(srv('push two resources').request(1).do('pushStream', { streamId: 1, promisedStreamId: 2, headers: PUSHED }).do('pushStream', { streamId: 1, promisedStreamId: 4, headers: PUSHED }).respond(4, RESP, true).respond(2, RESP, true).build());
  out.push(srv('push when the client disabled it', { [S.ENABLE_PUSH]: 0 }).request(1).do('pushStream', { streamId: 1, promisedStreamId: 2, headers: PUSHED }).build());
  out.push(srv('push with an odd promised id').request(1).do('pushStream', { streamId: 1, promisedStreamId: 3, headers: PUSHED }).build());
  out.push(srv('push on a pushed stream').request(1).do('pushStream', { streamId: 1, promisedStreamId: 2, headers: PUSHED }).do('pushStream', { streamId: 2, promisedStreamId: 4, headers: PUSHED }).build());
  out.push(srv('push on a closed stream').request(1).respond(1, RESP, true).do('pushStream', { streamId: 1, promisedStreamId: 2, headers: PUSHED }).build());
  out.push(srv('push with invalid request headers').request(1).do('pushStream', { streamId: 1, promisedStreamId: 2, headers: [[':method', 'GET']] }).build());
  out.push(srv('client resets a promised stream').request(1).do('pushStream', { streamId: 1, promisedStreamId: 2, headers: PUSHED }).recv(new Script('', 'server').peer.rstStream(2, E.CANCEL)).respond(2, RESP, true).build());
  out.push(srv('receiving PUSH_PROMISE as a server').request(1, REQ, false).recv(new Script('', 'server').peer.pushPromise(1, 2, REQ)).build());
  // The connection is the client: it receives pushes.
  const cli = (name: string) => new Script(`push: ${name} [client]`, 'client');
  {
    const s = cli('receive a push and its response').open().request(1);
    s.recv(s.peer.pushPromise(1, 2, PUSHED), s.peer.headers(2, RESP), s.peer.data(2, 'css', { endStream: true }), s.peer.headers(1, RESP, { endStream: true }));
    out.push(s.query('openInboundStreams').build());
  }
  {
    const s = cli('receive a push after disabling push');
    s.do('initiateConnection').do('updateSettings', { settings: [[S.ENABLE_PUSH, 0]] });
    s.recv(s.peer.settings(), s.peer.settingsAck(), s.peer.settingsAck()).request(1);
    out.push(s.recv(s.peer.pushPromise(1, 2, PUSHED)).build());
  }
  {
    const s = cli('receive a push with an odd promised id').open().request(1);
    out.push(s.recv(s.peer.pushPromise(1, 3, PUSHED)).build());
  }
  {
    const s = cli('receive a push on an idle stream').open();
    out.push(s.recv(s.peer.pushPromise(1, 2, PUSHED)).build());
  }
  {
    const s = cli('receive a push on a closed stream').open().request(1);
    s.recv(s.peer.headers(1, RESP, { endStream: true }));
    out.push(s.recv(s.peer.pushPromise(1, 2, PUSHED)).build());
  }
  {
    const s = cli('receive a push split into CONTINUATIONs').open().request(1);
    out.push(s.recv(s.peer.pushPromise(1, 2, PUSHED, { fragments: 3 })).build());
  }
  {
    const s = cli('receive a push on stream 0').open();
    out.push(s.recv(s.peer.pushPromise(0, 2, PUSHED)).build());
  }
  {
    const s = cli('receive a push with invalid request headers').open().request(1);
    out.push(s.recv(s.peer.pushPromise(1, 2, [[':method', 'GET'], [':path', '/']])).build());
  }
  {
    const s = cli('client tries to push').open().request(1);
    out.push(s.do('pushStream', { streamId: 1, promisedStreamId: 2, headers: PUSHED }).build());
  }
  {
    const s = cli('reset a pushed stream, then receive its data').open().request(1);
    s.recv(s.peer.pushPromise(1, 2, PUSHED)).do('resetStream', { streamId: 2, errorCode: E.CANCEL });
    out.push(s.recv(s.peer.headers(2, RESP), s.peer.data(2, 'late', { endStream: true })).build());
  }
  return out;
};

/** Flow control: windows, WINDOW_UPDATEs, acknowledgements and the auto-update heuristic. */
const flowControl: Family = () => {
  const out: Scenario[] = [];
  const ackPlans: [string, number[]][] = [
    ['one byte', [1]],
    ['ten 100-byte chunks', Array(10).fill(100)],
    ['four 16 KiB chunks', [16384, 16384, 16384, 16383]],
    ['half the window, then one byte', [16384, 16384, 1]],
    ['1 KiB steps past the quarter mark', Array(20).fill(1024)],
    ['the whole window', [16384, 16384, 16384, 16383]],
  ];
  for (const role of ROLES) {
    const sender = role === 'client' ? 'server' : 'client';
    for (const [name, sizes] of ackPlans) {
      const s = new Script(`flow: acknowledge ${name} received from the ${sender} [${role}]`, role).open();
      s.request(1, POST, role === 'client');
      if (role === 'client') s.respond(1);
      for (const n of sizes) {
        const data = s.peer.data(1, bodyOf(n));
        s.recv(data).do('acknowledgeReceivedData', { size: n, streamId: 1 });
      }
      s.query('inboundFlowControlWindow').do('remoteFlowControlWindow', { streamId: 1 });
      out.push(s.build());
    }
    const mk = (name: string, settings: Record<number, number> = {}) => new Script(`flow: ${name} [${role}]`, role).open(settings);
    // Sending against the peer's windows.
    {
      const s = mk('send exactly the stream window', { [S.INITIAL_WINDOW_SIZE]: 10 }).request(1, POST, false);
      if (role === 'server') s.respond(1);
      s.do('localFlowControlWindow', { streamId: 1 });
      const id = 1;
      s.do('sendData', { streamId: id, data: hexOf(bodyOf(10)) }).do('localFlowControlWindow', { streamId: id });
      s.do('sendData', { streamId: id, data: hexOf('y') });
      out.push(s.build());
    }
    {
      const s = mk('a WINDOW_UPDATE reopens the stream window', { [S.INITIAL_WINDOW_SIZE]: 5 }).request(1, POST, false);
      if (role === 'server') s.respond(1);
      s.do('sendData', { streamId: 1, data: hexOf('12345') });
      s.recv(s.peer.windowUpdate(1, 3)).do('localFlowControlWindow', { streamId: 1 }).do('sendData', { streamId: 1, data: hexOf('678'), endStream: true });
      out.push(s.build());
    }
    {
      const s = mk('the connection window limits all streams').request(1, POST, false).request(3, POST, false);
      if (role === 'server') s.respond(1).respond(3);
      for (let i = 0; i < 4; i++) s.do('sendData', { streamId: 1, data: hexOf(bodyOf(16384)) });
      s.do('localFlowControlWindow', { streamId: 3 }).do('sendData', { streamId: 3, data: hexOf('abc') });
      s.recv(s.peer.windowUpdate(0, 100)).do('localFlowControlWindow', { streamId: 3 }).do('sendData', { streamId: 3, data: hexOf('abc') });
      out.push(s.build());
    }
    {
      const s = mk('a frame larger than MAX_FRAME_SIZE is refused').request(1, POST, false);
      if (role === 'server') s.respond(1);
      out.push(s.do('sendData', { streamId: 1, data: hexOf(bodyOf(16385)) }).build());
    }
    {
      const s = mk('padded DATA counts padding against the window', { [S.INITIAL_WINDOW_SIZE]: 20 }).request(1, POST, false);
      if (role === 'server') s.respond(1);
      s.do('sendData', { streamId: 1, data: hexOf('abcde'), padLength: 10 }).do('localFlowControlWindow', { streamId: 1 });
      s.do('sendData', { streamId: 1, data: hexOf('abcde'), padLength: 0 }).do('sendData', { streamId: 1, data: hexOf('x'), padLength: 0 });
      out.push(s.build());
    }
    {
      const s = mk('a peer overrunning the stream window').do('updateSettings', { settings: [[S.INITIAL_WINDOW_SIZE, 100]] });
      s.recv(s.peer.settingsAck()).request(1, POST, false);
      if (role === 'client') s.respond(1);
      out.push(s.recv(s.peer.data(1, bodyOf(100))).recv(s.peer.data(1, 'z')).build());
    }
    {
      const s = mk('a peer overrunning the connection window').request(1, POST, false).request(3, POST, false);
      if (role === 'client') s.respond(1).respond(3);
      for (let i = 0; i < 3; i++) s.recv(s.peer.data(1, bodyOf(16384)));
      out.push(s.recv(s.peer.data(3, bodyOf(16383))).recv(s.peer.data(3, 'z')).build());
    }
    {
      const s = mk('padded DATA received is counted with its padding').request(1, POST, false);
      if (role === 'client') s.respond(1);
      s.recv(s.peer.data(1, 'abc', { padLength: 7 })).query('inboundFlowControlWindow').do('remoteFlowControlWindow', { streamId: 1 });
      out.push(s.do('acknowledgeReceivedData', { size: 11, streamId: 1 }).build());
    }
    for (const [where, id] of [['stream', 1], ['connection', 0]] as const) {
      {
        const s = mk(`a WINDOW_UPDATE overflowing the ${where} window`).request(1, POST, false);
        if (role === 'server') s.respond(1);
        out.push(s.recv(s.peer.windowUpdate(id, 2 ** 31 - 1)).query('openOutboundStreams').build());
      }
      {
        const s = mk(`a WINDOW_UPDATE of 0 on the ${where}`).request(1, POST, false);
        s.recv(s.peer.windowUpdate(id, 0));
        if (id) s.differ('window-update-zero-stream', { err: null, events: ['StreamReset'], frames: ['RST_STREAM:1'] });
        out.push(s.build());
      }
      {
        const s = mk(`incrementFlowControlWindow on the ${where}`).allow('builtin-exceptions').request(1, POST, false);
        if (role === 'client') s.respond(1);
        const args = id ? { streamId: id } : {};
        s.do('incrementFlowControlWindow', { increment: 1000, ...args }).do('remoteFlowControlWindow', { streamId: 1 }).query('inboundFlowControlWindow');
        s.do('incrementFlowControlWindow', { increment: 0, ...args }).do('incrementFlowControlWindow', { increment: 2 ** 31, ...args });
        out.push(s.do('incrementFlowControlWindow', { increment: 2 ** 31 - 1, ...args }).build());
      }
    }
    {
      const s = mk('a WINDOW_UPDATE for an idle stream').recv(new Script('', role).peer.windowUpdate(role === 'client' ? 1 : 2, 10));
      out.push(s.build());
    }
    {
      const s = mk('a WINDOW_UPDATE for a closed stream').request(1).respond(1, RESP, true);
      out.push(s.recv(s.peer.windowUpdate(1, 10)).build());
    }
    {
      const s = mk('a smaller INITIAL_WINDOW_SIZE makes an open stream window negative').request(1, POST, false);
      if (role === 'server') s.respond(1);
      s.do('sendData', { streamId: 1, data: hexOf(bodyOf(1000)) });
      s.recv(s.peer.settings({ [S.INITIAL_WINDOW_SIZE]: 100 })).do('localFlowControlWindow', { streamId: 1 });
      s.do('sendData', { streamId: 1, data: hexOf('a') });
      s.recv(s.peer.windowUpdate(1, 950)).do('localFlowControlWindow', { streamId: 1 });
      out.push(s.do('sendData', { streamId: 1, data: hexOf('abc') }).build());
    }
    {
      const s = mk('a zero-length DATA on a negative window').request(1, POST, false);
      if (role === 'server') s.respond(1);
      s.do('sendData', { streamId: 1, data: hexOf(bodyOf(1000)) });
      s.recv(s.peer.settings({ [S.INITIAL_WINDOW_SIZE]: 100 }));
      s.do('sendData', { streamId: 1, data: '', endStream: true });
      out.push(s.differ('zero-byte-data-negative-window', { err: null, frames: ['DATA'] }).build());
    }
    {
      const s = mk('a larger INITIAL_WINDOW_SIZE grows open stream windows').request(1, POST, false);
      if (role === 'server') s.respond(1);
      s.recv(s.peer.settings({ [S.INITIAL_WINDOW_SIZE]: 100000 })).do('localFlowControlWindow', { streamId: 1 }).do('localFlowControlWindow', { streamId: 1 });
      out.push(s.recv(s.peer.settings({ [S.INITIAL_WINDOW_SIZE]: 2 ** 31 - 1 }), s.peer.windowUpdate(1, 1)).build());
    }
    {
      const s = mk('our INITIAL_WINDOW_SIZE applies when the peer ACKs it').request(1, POST, false);
      if (role === 'client') s.respond(1);
      s.do('updateSettings', { settings: [[S.INITIAL_WINDOW_SIZE, 1000]] }).do('remoteFlowControlWindow', { streamId: 1 });
      s.recv(s.peer.settingsAck()).do('remoteFlowControlWindow', { streamId: 1 }).request(3, POST, false);
      out.push(s.do('remoteFlowControlWindow', { streamId: 3 }).query('localSettings').build());
    }
    {
      const s = mk('acknowledging on a closed stream only updates the connection').allow('builtin-exceptions').request(1, POST, false);
      if (role === 'client') s.respond(1);
      s.recv(s.peer.data(1, bodyOf(40000), { endStream: true }));
      if (role === 'server') s.respond(1, RESP, true);
      out.push(s.do('acknowledgeReceivedData', { size: 40000, streamId: 1 }).do('acknowledgeReceivedData', { size: 0, streamId: 1 }).do('acknowledgeReceivedData', { size: -1, streamId: 1 }).build());
    }
  }
  return out;
};

/** SETTINGS: changes, ACKs, invalid values and their side effects. */
const settings: Family = () => {
  const out: Scenario[] = [];
  for (const role of ROLES) {
    const mk = (name: string) => new Script(`settings: ${name} [${role}]`, role);
    out.push(mk('the initial SETTINGS and the remote settings').open({ [S.MAX_CONCURRENT_STREAMS]: 7, [S.HEADER_TABLE_SIZE]: 100 }).query('remoteSettings').query('localSettings').query('maxOutboundFrameSize').build());
    out.push(mk('updateSettings applies on ACK').open().do('updateSettings', { settings: [[S.MAX_CONCURRENT_STREAMS, 5], [S.MAX_FRAME_SIZE, 32768]] }).query('localSettings').recv(new Script('', role).peer.settingsAck()).query('localSettings').query('maxInboundFrameSize').build());
    for (const [name, code, value] of [
      ['ENABLE_PUSH 2', S.ENABLE_PUSH, 2],
      ['INITIAL_WINDOW_SIZE 2^31', S.INITIAL_WINDOW_SIZE, 2 ** 31],
      ['MAX_FRAME_SIZE 16383', S.MAX_FRAME_SIZE, 16383],
      ['MAX_FRAME_SIZE 2^24', S.MAX_FRAME_SIZE, 2 ** 24],
      ['ENABLE_CONNECT_PROTOCOL 2', S.ENABLE_CONNECT_PROTOCOL, 2],
    ] as const) {
      const s = mk(`receiving ${name}`).open();
      out.push(s.recv(s.peer.settings({ [code]: value })).build());
      out.push(mk(`updateSettings with ${name}`).open().do('updateSettings', { settings: [[code, value]] }).build());
    }
    {
      const s = mk('receiving MAX_FRAME_SIZE 2^24-1 then sending a large DATA').open().request(1, POST, false);
      if (role === 'server') s.respond(1);
      s.recv(s.peer.settings({ [S.MAX_FRAME_SIZE]: 2 ** 24 - 1, [S.INITIAL_WINDOW_SIZE]: 100000 }), s.peer.windowUpdate(0, 100000));
      out.push(s.query('maxOutboundFrameSize').do('sendData', { streamId: 1, data: hexOf(bodyOf(20000)) }).build());
    }
    {
      const s = mk('an unknown setting is ignored').open();
      out.push(s.recv(s.peer.settings([[0x99, 7], [S.MAX_CONCURRENT_STREAMS, 3]])).query('remoteSettings').build());
    }
    {
      const s = mk('a repeated setting: the last value wins').open();
      out.push(s.recv(s.peer.settings([[S.MAX_CONCURRENT_STREAMS, 3], [S.MAX_CONCURRENT_STREAMS, 9]])).query('remoteSettings').build());
    }
    {
      const s = mk('SETTINGS ACK with a payload').open();
      out.push(s.recv(s.peer.raw(T.SETTINGS, 0x1, 0, new Uint8Array(6))).differ('settings-ack-payload', { err: 'FrameDataMissingError', code: E.FRAME_SIZE_ERROR, frames: ['GOAWAY:6'] }).build());
    }
    {
      const s = mk('SETTINGS on a stream').open();
      out.push(s.recv(s.peer.raw(T.SETTINGS, 0, 1, new Uint8Array(0))).build());
    }
    {
      const s = mk('SETTINGS with a length not a multiple of 6').open();
      out.push(s.recv(s.peer.raw(T.SETTINGS, 0, 0, new Uint8Array(5))).build());
    }
    {
      const s = mk('an unexpected SETTINGS ACK').open();
      out.push(s.recv(s.peer.settingsAck()).build());
    }
    {
      const s = mk('two updates acknowledged in order').open();
      s.do('updateSettings', { settings: [[S.MAX_CONCURRENT_STREAMS, 50]] }).do('updateSettings', { settings: [[S.MAX_CONCURRENT_STREAMS, 60], [S.HEADER_TABLE_SIZE, 8192]] });
      out.push(s.recv(s.peer.settingsAck()).query('localSettings').recv(s.peer.settingsAck()).query('localSettings').build());
    }
    {
      const s = mk('MAX_CONCURRENT_STREAMS 1 limits new outbound streams').open({ [S.MAX_CONCURRENT_STREAMS]: 1 });
      if (role === 'client') {
        s.request(1).request(3);
        s.recv(s.peer.headers(1, RESP, { endStream: true })).request(5);
      } else {
        s.request(1).do('pushStream', { streamId: 1, promisedStreamId: 2, headers: REQ }).do('pushStream', { streamId: 1, promisedStreamId: 4, headers: REQ });
        s.respond(2, RESP, false).respond(4, RESP, false);
      }
      out.push(s.query('openOutboundStreams').build());
    }
    {
      const s = mk('HEADER_TABLE_SIZE 0 from the peer empties our encoder table').open({ [S.HEADER_TABLE_SIZE]: 0 });
      s.request(1, [...REQ, ['x-custom', 'value']]).respond(1, [...RESP, ['x-custom', 'value']], true).request(3, [...REQ, ['x-custom', 'value']]);
      out.push(s.build());
    }
    {
      const s = mk('HEADER_TABLE_SIZE shrinks then grows').open();
      s.recv(s.peer.settings({ [S.HEADER_TABLE_SIZE]: 100 }), s.peer.settings({ [S.HEADER_TABLE_SIZE]: 4096 }));
      out.push(s.request(1, [...REQ, ['x-a', 'b']]).respond(1, [...RESP, ['x-a', 'b']], true).build());
    }
    {
      const s = mk('our smaller HEADER_TABLE_SIZE is applied on ACK').open().do('updateSettings', { settings: [[S.HEADER_TABLE_SIZE, 0]] });
      s.recv(s.peer.settingsAck());
      s.peer.encoder.headerTableSize = 0;
      out.push(s.request(1, [...REQ, ['x-a', 'b']]).respond(1, [...RESP, ['x-a', 'b']], true).build());
    }
    {
      const s = mk('SETTINGS before the preface is complete').do('initiateConnection');
      out.push(s.recv(s.peer.settings({ [S.MAX_FRAME_SIZE]: 20000 })).query('remoteSettings').build());
    }
  }
  {
    const s = new Script('settings: a server receiving ENABLE_PUSH 1 from a client [server]', 'server').open({ [S.ENABLE_PUSH]: 1 });
    out.push(s.query('remoteSettings').build());
  }
  {
    const s = new Script('settings: a client receiving ENABLE_PUSH 1 from a server [client]', 'client').open();
    out.push(s.recv(s.peer.settings({ [S.ENABLE_PUSH]: 1 })).differ('enable-push-from-server', PROTOCOL_ERROR_GOAWAY_SETTINGS).build());
  }
  return out;
};

const PROTOCOL_ERROR_GOAWAY_SETTINGS = { err: 'InvalidSettingsValueError', code: E.PROTOCOL_ERROR, frames: ['GOAWAY:1'] };

/** PRIORITY frames and priority on HEADERS. */
const priority: Family = () => {
  const out: Scenario[] = [];
  {
    const mk = (name: string) => new Script(`priority: ${name} [client]`, 'client').open();
    out.push(mk('sendHeaders with priority').request(1, REQ, true, { priorityWeight: 200, priorityDependsOn: 0, priorityExclusive: true }).build());
    out.push(mk('sendHeaders with only a weight').request(1, REQ, true, { priorityWeight: 1 }).build());
    out.push(mk('sendHeaders with weight 0').request(1, REQ, true, { priorityWeight: 0 }).build());
    out.push(mk('sendHeaders with weight 257').request(1, REQ, true, { priorityWeight: 257 }).build());
    out.push(mk('sendHeaders depending on itself').request(1, REQ, true, { priorityDependsOn: 1 }).build());
    out.push(mk('prioritize an idle stream').do('prioritize', { streamId: 5, weight: 32, dependsOn: 3, exclusive: false }).build());
    out.push(mk('prioritize with defaults').request(1).do('prioritize', { streamId: 1 }).build());
    out.push(mk('prioritize depending on itself').do('prioritize', { streamId: 3, dependsOn: 3 }).build());
    out.push(mk('prioritize weight out of range').do('prioritize', { streamId: 3, weight: 300 }).build());
    out.push(mk('prioritize stream 0').allow('builtin-exceptions').do('prioritize', { streamId: 0 }).build());
  }
  {
    const mk = (name: string) => new Script(`priority: ${name} [server]`, 'server').open();
    out.push(mk('a server may not prioritize').do('prioritize', { streamId: 1 }).build());
    out.push(mk('a server may not send priority on HEADERS').request(1).do('sendHeaders', { streamId: 1, headers: RESP, priorityWeight: 10 }).build());
    {
      const s = mk('receive PRIORITY for an idle stream');
      out.push(s.recv(s.peer.priority(3, { dependsOn: 1, weight: 256, exclusive: true })).build());
    }
    {
      const s = mk('receive HEADERS with priority');
      out.push(s.recv(s.peer.headers(1, REQ, { endStream: true, priority: { dependsOn: 0, weight: 42, exclusive: false } })).build());
    }
    {
      const s = mk('receive PRIORITY depending on itself');
      out.push(s.recv(s.peer.priority(3, { dependsOn: 3 })).build());
    }
    {
      const s = mk('receive HEADERS depending on itself');
      out.push(s.recv(s.peer.headers(1, REQ, { endStream: true, priority: { dependsOn: 1 } })).build());
    }
    {
      const s = mk('receive PRIORITY on stream 0');
      out.push(s.recv(s.peer.raw(T.PRIORITY, 0, 0, new Uint8Array(5))).build());
    }
    {
      // Stream 3 is idle: a connection error for both (RST_STREAM there is forbidden).
      const s = mk('receive PRIORITY of length 6');
      out.push(s.recv(s.peer.raw(T.PRIORITY, 0, 3, new Uint8Array(6))).build());
    }
    {
      // priority-length-stream-error: h2flow resets the open stream; another request still goes through.
      const s = mk('receive PRIORITY of length 4 on an open stream').request(1, REQ, false);
      out.push(s.recv(s.peer.raw(T.PRIORITY, 0, 1, new Uint8Array(4))).request(3).respond(3, RESP, true).build());
    }
    {
      const s = mk('receive PRIORITY of length 6 on a closed stream').request(1).respond(1, RESP, true);
      out.push(s.recv(s.peer.raw(T.PRIORITY, 0, 1, new Uint8Array(6))).build());
    }
    {
      const s = mk('receive PRIORITY for an open and a closed stream').request(1).respond(1, RESP, true);
      out.push(s.recv(s.peer.priority(1, { weight: 8 }), s.peer.priority(3, { dependsOn: 1 })).build());
    }
  }
  return out;
};

/** ALTSVC (RFC 7838). */
const altsvc: Family = () => {
  const out: Scenario[] = [];
  {
    const mk = (name: string) => new Script(`altsvc: ${name} [server]`, 'server').open();
    out.push(mk('advertise for an origin').do('advertiseAlternativeService', { fieldValue: 'h2=":8000"; ma=60', origin: 'example.com' }).build());
    out.push(mk('advertise on a stream').request(1).do('advertiseAlternativeService', { fieldValue: 'h2=":8000"', streamId: 1 }).respond(1, RESP, true).build());
    out.push(mk('advertise on a stream after the response').request(1).respond(1, RESP, false).do('advertiseAlternativeService', { fieldValue: 'h2=":8000"', streamId: 1 }).build());
    out.push(mk('advertise with origin and stream').allow('builtin-exceptions').request(1).do('advertiseAlternativeService', { fieldValue: 'h2=":8000"', streamId: 1, origin: 'a' }).build());
    out.push(mk('advertise with neither origin nor stream').do('advertiseAlternativeService', { fieldValue: 'h2=":8000"' }).differ('altsvc-no-target', { err: 'NoSuchStreamError', frames: [] }).build());
    {
      const s = mk('receiving ALTSVC as a server is ignored');
      out.push(s.recv(s.peer.altSvc(0, 'example.com', 'h2=":8000"')).build());
    }
  }
  {
    const mk = (name: string) => new Script(`altsvc: ${name} [client]`, 'client').open();
    out.push(mk('a client may not advertise').do('advertiseAlternativeService', { fieldValue: 'h2=":8000"', origin: 'example.com' }).build());
    for (const [name, build] of [
      ['on stream 0 with an origin', (s: Script) => s.peer.altSvc(0, 'example.com', 'h2=":8000"')],
      ['on stream 0 without an origin', (s: Script) => s.peer.altSvc(0, '', 'h2=":8000"')],
      ['on an open stream', (s: Script) => s.peer.altSvc(1, '', 'h2=":8000"')],
      ['on a stream with an origin', (s: Script) => s.peer.altSvc(1, 'example.com', 'h2=":8000"')],
      ['on an idle stream', (s: Script) => s.peer.altSvc(7, '', 'h2=":8000"')],
      ['with an empty field', (s: Script) => s.peer.altSvc(0, 'example.com', '')],
      ['shorter than its origin length', (s: Script) => s.peer.raw(T.ALTSVC, 0, 0, Uint8Array.of(0, 9, 0x61))],
    ] as const) {
      const s = mk(`receive ALTSVC ${name}`).request(1);
      out.push(s.recv(build(s)).build());
    }
    {
      const s = mk('receive ALTSVC on a stream after its response').request(1);
      s.recv(s.peer.headers(1, RESP));
      out.push(s.recv(s.peer.altSvc(1, '', 'h2=":8000"')).build());
    }
  }
  return out;
};

/** Frame sequences h2 must refuse, and where it must not. */
const invalidSequences: Family = () => {
  const out: Scenario[] = [];
  for (const role of ROLES) {
    const peerStream = role === 'server' ? 1 : 2;
    const mk = (name: string) => new Script(`invalid sequence: ${name} [${role}]`, role).open();
    const cases: [string, (s: Script) => void][] = [
      ['DATA on an idle stream', (s) => s.recv(s.peer.data(peerStream + 2, 'x'))],
      ['DATA on stream 0', (s) => s.recv(s.peer.raw(T.DATA, 0, 0, 'abc'))],
      ['HEADERS on stream 0', (s) => s.recv(s.peer.headers(0, REQ))],
      ['RST_STREAM on stream 0', (s) => s.recv(s.peer.rstStream(0))],
      ['RST_STREAM on an idle stream', (s) => s.recv(s.peer.rstStream(peerStream + 4))],
      ['RST_STREAM of length 3', (s) => s.recv(s.peer.raw(T.RST_STREAM, 0, 1, new Uint8Array(3)))],
      ['WINDOW_UPDATE of length 3', (s) => s.recv(s.peer.raw(T.WINDOW_UPDATE, 0, 0, new Uint8Array(3)))],
      ['PING on a stream', (s) => s.recv(s.peer.raw(T.PING, 0, 1, new Uint8Array(8)))],
      ['PING of length 7', (s) => s.recv(s.peer.raw(T.PING, 0, 0, new Uint8Array(7)))],
      ['GOAWAY on a stream', (s) => s.recv(s.peer.raw(T.GOAWAY, 0, 1, new Uint8Array(8)))],
      ['GOAWAY of length 7', (s) => s.recv(s.peer.raw(T.GOAWAY, 0, 0, new Uint8Array(7)))],
      ['a CONTINUATION without HEADERS', (s) => s.allow('naked-continuation').recv(s.peer.continuation(1, s.peer.headerBlock(REQ)))],
      ['a CONTINUATION on an open stream', (s) => {
        s.request(1, POST, false);
        s.recv(s.peer.continuation(1, s.peer.headerBlock(REQ)));
      }],
      ['a frame interleaved in a header block', (s) => s.recv(s.peer.headers(1, REQ, { endHeaders: false }), s.peer.ping())],
      ['a CONTINUATION for another stream', (s) => s.recv(s.peer.headers(1, REQ, { endHeaders: false }), s.peer.continuation(3, s.peer.headerBlock([['a', 'b']])))],
      ['an unknown frame type', (s) => s.recv(s.peer.raw(0xbb, 0x5, 0, 'opaque'))],
      ['an unknown frame inside a header block', (s) => s.recv(s.peer.headers(1, REQ, { endHeaders: false }), s.peer.raw(0xbb, 0, 1, 'x'))],
      ['a frame larger than MAX_FRAME_SIZE', (s) => s.recv(s.peer.raw(T.DATA, 0, 1, new Uint8Array(16385)))],
      ['padding longer than the DATA payload', (s) => {
        s.request(1, POST, false);
        if (role === 'client') s.respond(1);
        s.recv(s.peer.raw(T.DATA, 0x8, 1, Uint8Array.of(5, 1, 2)));
      }],
      ['a padded HEADERS', (s) => s.recv(s.peer.headers(role === 'server' ? 1 : 2, REQ, { padLength: 4, endStream: true }))],
      ['a PRIORITY_UPDATE frame', (s) => s.recv(s.peer.priorityUpdate(1, 'u=1'))],
      ['a truncated frame header', (s) => s.recv(s.peer.raw(T.PING, 0, 0, new Uint8Array(8)).subarray(0, 5))],
      ['a GOAWAY with debug data', (s) => s.recv(s.peer.goAway(0, E.NO_ERROR, 'bye'))],
    ];
    for (const [name, body] of cases) {
      const s = mk(name);
      body(s);
      out.push(s.build());
    }
    if (role === 'server') {
      const more: [string, (s: Script) => void][] = [
        ['HEADERS on an even stream', (s) => s.recv(s.peer.headers(2, REQ, { endStream: true }))],
        ['a stream id lower than the last', (s) => s.request(5).request(3)],
        ['HEADERS reusing a closed stream id', (s) => s.request(1).respond(1, RESP, true).request(1)],
        ['HEADERS after END_STREAM (half-closed remote)', (s) => s.request(1).recv(s.peer.headers(1, [['x', 'y']], { endStream: true }))],
        ['DATA after END_STREAM (half-closed remote)', (s) => s.request(1).recv(s.peer.data(1, 'late'))],
        ['RST_STREAM on an idle stream after a request', (s) => s.request(1).recv(s.peer.rstStream(3)).differ('rst-stream-idle', IDLE_RST_GOAWAY)],
        ['DATA before HEADERS on an idle stream', (s) => s.recv(s.peer.data(1, 'x'))],
        ['a request split into 63 CONTINUATIONs', (s) => s.recv(s.peer.headers(1, [...REQ, ...Array.from({ length: 60 }, (_, i) => [`x-${i}`, 'v'] as [string, string])], { fragments: 64, endStream: true }))],
        ['a request split into 65 frames', (s) => s.recv(s.peer.headers(1, [...REQ, ...Array.from({ length: 70 }, (_, i) => [`x-${i}`, 'v'] as [string, string])], { fragments: 65, endStream: true }))],
        ['a malformed HPACK block', (s) => s.allow('hpack-compression-error').recv(s.peer.headersRaw(1, Uint8Array.of(0x80), { endStream: true }))],
        ['an HPACK index past the table', (s) => s.allow('hpack-compression-error').recv(s.peer.headersRaw(1, Uint8Array.of(0xfe), { endStream: true }))],
        ['an HPACK table size update above the limit', (s) => s.allow('hpack-compression-error').recv(s.peer.headersRaw(1, Uint8Array.of(0x3f, 0xe1, 0x7f, 0x82), { endStream: true }))],
      ];
      for (const [name, body] of more) {
        const s = mk(name);
        body(s);
        out.push(s.build());
      }
      {
        // RFC 9113 §10.5.1: decoded, then refused as a stream error (`header-list-stream-error`).
        const s = mk('a header block over the decoder limit');
        s.recv(s.peer.headers(1, [...REQ, ...Array.from({ length: 20 }, (_, i) => [`x-${i}`, bodyOf(4000)] as [string, string])], { fragments: 6, endStream: true }));
        out.push(s.differ('header-list-stream-error', { err: null, events: [], frames: ['RST_STREAM:11'] }).build());
      }
    } else {
      const more: [string, (s: Script) => void][] = [
        ['HEADERS on an idle odd stream', (s) => s.recv(s.peer.headers(3, RESP))],
        ['response HEADERS on an even idle stream', (s) => s.recv(s.peer.headers(2, RESP))],
        ['DATA before the response', (s) => s.request(1).recv(s.peer.data(1, 'x'))],
        ['DATA after END_STREAM', (s) => s.request(1).recv(s.peer.headers(1, RESP, { endStream: true }), s.peer.data(1, 'x')).differ('data-after-end-stream', STREAM_CLOSED_GOAWAY)],
        ['RST_STREAM on an idle odd stream', (s) => s.request(1).recv(s.peer.rstStream(3)).differ('rst-stream-idle', IDLE_RST_GOAWAY)],
        ['RST_STREAM on an idle even stream', (s) => s.request(1).recv(s.peer.rstStream(2)).differ('rst-stream-idle', IDLE_RST_GOAWAY)],
        ['a stream id lower than the next', (s) => s.request(5).request(3)],
        ['an even stream id', (s) => s.request(2)],
        ['sending on a closed stream', (s) => s.request(1).respond(1, RESP, true).do('sendData', { streamId: 1, data: hexOf('x') })],
        ['sending DATA before HEADERS', (s) => s.do('sendData', { streamId: 1, data: hexOf('x') })],
        ['sending HEADERS twice without trailers semantics', (s) => s.request(1, POST, false).request(1, POST, false)],
      ];
      for (const [name, body] of more) {
        const s = mk(name);
        body(s);
        out.push(s.build());
      }
    }
  }
  return out;
};

/** Stream resets in both directions. */
const resets: Family = () => {
  const out: Scenario[] = [];
  for (const role of ROLES) {
    const mk = (name: string) => new Script(`reset: ${name} [${role}]`, role).open();
    out.push(mk('reset an open stream').request(1, POST, false).do('resetStream', { streamId: 1, errorCode: E.CANCEL }).query('openOutboundStreams').query('openInboundStreams').build());
    out.push(mk('reset with the default code').request(1, POST, false).do('resetStream', { streamId: 1 }).build());
    out.push(mk('reset an idle stream').do('resetStream', { streamId: 1 }).build());
    out.push(mk('reset twice').request(1, POST, false).do('resetStream', { streamId: 1 }).do('resetStream', { streamId: 1 }).build());
    {
      const s = mk('frames after our reset are ignored or refused').request(1, POST, false).do('resetStream', { streamId: 1, errorCode: E.CANCEL });
      s.recv(s.peer.data(1, 'late'), s.peer.windowUpdate(1, 5), s.peer.headers(1, role === 'client' ? RESP : [['x', 'y']], { endStream: true }));
      out.push(s.recv(s.peer.rstStream(1, E.CANCEL)).build());
    }
    {
      const s = mk('the peer resets a stream').request(1, POST, false);
      s.recv(s.peer.rstStream(1, E.REFUSED_STREAM)).query('openOutboundStreams').query('openInboundStreams');
      out.push(s.do('sendData', { streamId: 1, data: hexOf('x') }).do('resetStream', { streamId: 1 }).build());
    }
    {
      const s = mk('the peer resets with an unknown code').request(1, POST, false);
      out.push(s.recv(s.peer.rstStream(1, 0xdead)).build());
    }
    {
      const s = mk('DATA after the peer reset').request(1, POST, false);
      out.push(s.recv(s.peer.rstStream(1), s.peer.data(1, 'after')).build());
    }
  }
  return out;
};

/** GOAWAY in both directions; NO_ERROR GOAWAYs drain in h2flow (`graceful-goaway`). */
const goaway: Family = () => {
  const out: Scenario[] = [];
  for (const role of ROLES) {
    const mk = (name: string) => new Script(`goaway: ${name} [${role}]`, role).open();
    const graceful = (s: Script, expectLast: LastStepExpectation) => s.differ('graceful-goaway', expectLast).build();
    {
      const s = mk('receive GOAWAY, then try to open a stream').request(1);
      s.recv(s.peer.goAway(1, E.NO_ERROR, 'maintenance')).request(3);
      // A client that sent GOAWAY may still open streams (RFC 9113 §6.8 only binds the receiver).
      out.push(role === 'server' ? graceful(s, { err: null, events: ['RequestReceived', 'StreamEnded'] }) : s.build());
    }
    {
      const s = mk('receive GOAWAY, then ping').request(1);
      out.push(graceful(s.recv(s.peer.goAway(1, E.NO_ERROR)).do('ping', { data: hexOf('12345678') }), { err: null, frames: ['PING'] }));
    }
    {
      const s = mk('receive GOAWAY with an error code, then ping').request(1);
      out.push(s.recv(s.peer.goAway(1, E.PROTOCOL_ERROR)).do('ping', { data: hexOf('12345678') }).build());
    }
    {
      const s = mk('receive GOAWAY with an error code').request(1);
      out.push(s.recv(s.peer.goAway(0, E.ENHANCE_YOUR_CALM)).build());
    }
    {
      const s = mk('receive GOAWAY then a PING in the same read').request(1);
      out.push(graceful(s.recv(s.peer.goAway(1), s.peer.ping()), { err: null, events: ['ConnectionTerminated', 'PingReceived'], frames: ['PING'] }));
    }
    {
      const s = mk('receive GOAWAY with an unknown code').request(1);
      out.push(s.recv(s.peer.goAway(1, 0x1234)).build());
    }
    out.push(mk('closeConnection with defaults').request(1).do('closeConnection').build());
    out.push(mk('closeConnection with code, data and last stream').request(1).do('closeConnection', { errorCode: E.INTERNAL_ERROR, additionalData: hexOf('debug'), lastStreamId: 7 }).build());
    out.push(mk('closeConnection twice with error codes').do('closeConnection', { errorCode: 2 }).do('closeConnection', { errorCode: 1 }).build());
    out.push(mk('sending after closeConnection with an error code').request(1, POST, false).do('closeConnection', { errorCode: E.INTERNAL_ERROR }).do('sendData', { streamId: 1, data: hexOf('x') }).build());
    out.push(graceful(mk('sending after a graceful closeConnection').request(1, POST, false).do('closeConnection').do('sendData', { streamId: 1, data: hexOf('x') }), { err: null, frames: ['DATA'] }));
    {
      const s = mk('receiving after closeConnection with an error code').request(1, POST, false).do('closeConnection', { errorCode: E.INTERNAL_ERROR });
      out.push(s.recv(s.peer.data(1, 'x')).build());
    }
    {
      const s = mk('receiving after a graceful closeConnection').request(1, POST, false).do('closeConnection');
      if (role === 'client') out.push(graceful(s.respond(1), { err: null, events: ['ResponseReceived'] }));
      else out.push(graceful(s.recv(s.peer.data(1, 'x')), { err: null, events: ['DataReceived'] }));
    }
  }
  return out;
};

/** Frames and calls on streams closed in each way. */
const closedStreams: Family = () => {
  const out: Scenario[] = [];
  for (const role of ROLES) {
    const mk = (name: string) => new Script(`closed stream: ${name} [${role}]`, role).open();
    const closedByEnd = (s: Script) => s.request(1).respond(1, RESP, true);
    const closedByPeerReset = (s: Script) => s.request(1, POST, false).recv(s.peer.rstStream(1));
    const closedByOurReset = (s: Script) => s.request(1, POST, false).do('resetStream', { streamId: 1 });
    for (const [how, close] of [['END_STREAM', closedByEnd], ['peer RST_STREAM', closedByPeerReset], ['our RST_STREAM', closedByOurReset]] as const) {
      {
        const s = mk(`DATA after close by ${how}`);
        close(s);
        s.query('openOutboundStreams').recv(s.peer.data(1, 'zz'));
        if (how === 'END_STREAM') s.differ('data-after-end-stream', STREAM_CLOSED_GOAWAY);
        out.push(s.build());
      }
      {
        const s = mk(`HEADERS after close by ${how}`);
        close(s);
        out.push(s.query('openInboundStreams').recv(s.peer.headers(1, role === 'server' ? REQ : RESP, { endStream: true })).build());
      }
      {
        const s = mk(`sending after close by ${how}`);
        close(s);
        out.push(s.do('sendData', { streamId: 1, data: hexOf('x') }).do('localFlowControlWindow', { streamId: 1 }).build());
      }
      {
        const s = mk(`endStream after close by ${how}`);
        close(s);
        // Reading the open-stream counts removes closed streams, as h2 does lazily.
        out.push(s.query('openOutboundStreams').query('openInboundStreams').do('endStream', { streamId: 1 }).differ('end-stream-errors', { err: 'StreamClosedError', frames: [] }).build());
      }
    }
    out.push(mk('endStream on an unknown stream').request(1, POST, false).do('endStream', { streamId: 9 }).differ('end-stream-errors', { err: 'NoSuchStreamError', frames: [] }).build());
    out.push(mk('localFlowControlWindow of an unknown stream').do('localFlowControlWindow', { streamId: 9 }).do('remoteFlowControlWindow', { streamId: 9 }).build());
  }
  return out;
};

/** h2c upgrade (RFC 7540 §3.2). */
const upgrade: Family = () => {
  const out: Scenario[] = [];
  {
    const s = new Script('upgrade: client upgrade then response on stream 1 [client]', 'client');
    s.do('initiateUpgradeConnection').recv(s.peer.settings(), s.peer.settingsAck(), s.peer.headers(1, RESP), s.peer.data(1, 'upgraded', { endStream: true }));
    out.push(s.query('openOutboundStreams').request(3).build());
  }
  {
    const s = new Script('upgrade: client cannot send on stream 1 [client]', 'client');
    out.push(s.do('initiateUpgradeConnection').do('sendData', { streamId: 1, data: hexOf('x') }).build());
  }
  const header = 'AAMAAABkAAQAAP__';
  {
    const s = new Script('upgrade: server upgrade with a settings header [server]', 'server');
    s.do('initiateUpgradeConnection', { settingsHeader: header }).query('remoteSettings');
    s.recv(s.peer.preface(), s.peer.settings(), s.peer.settingsAck());
    out.push(s.respond(1).serverBody(1, 'hello', true).build());
  }
  {
    const s = new Script('upgrade: server upgrade without a settings header [server]', 'server');
    out.push(s.do('initiateUpgradeConnection').recv(s.peer.preface(), s.peer.settings()).respond(1, RESP, true).build());
  }
  {
    const s = new Script('upgrade: server receives DATA on the upgraded stream [server]', 'server');
    out.push(s.do('initiateUpgradeConnection', { settingsHeader: header }).recv(s.peer.preface(), s.peer.settings(), s.peer.data(1, 'x')).build());
  }
  {
    const s = new Script('upgrade: server with an invalid settings header [server]', 'server');
    out.push(s.do('initiateUpgradeConnection', { settingsHeader: 'AAIAAAAC' }).build());
  }
  return out;
};

/** PING, stream ids, dataToSend details. */
const misc: Family = () => {
  const out: Scenario[] = [];
  for (const role of ROLES) {
    const mk = (name: string) => new Script(`misc: ${name} [${role}]`, role).open();
    {
      const s = mk('ping and the peer ACK');
      out.push(s.do('ping', { data: hexOf('abcdefgh') }).recv(s.peer.ping('abcdefgh', { ack: true })).build());
    }
    {
      const s = mk('answer a PING');
      out.push(s.recv(s.peer.ping('\x00\xff\x00\xffabcd')).build());
    }
    out.push(mk('ping with 7 bytes').allow('builtin-exceptions').do('ping', { data: hexOf('1234567') }).build());
    {
      const s = mk('many PINGs in one read');
      out.push(s.recv(...Array.from({ length: 5 }, (_, i) => s.peer.ping(`ping000${i}`))).build());
    }
    out.push(mk('getNextAvailableStreamId before and after streams').do('getNextAvailableStreamId').request(1).do('getNextAvailableStreamId').build());
    out.push(mk('clearOutboundDataBuffer drops queued frames').do('ping', { data: hexOf('12345678') }).do('clearOutboundDataBuffer').build());
    {
      const s = new Script(`misc: frames before initiateConnection [${role}]`, role);
      out.push(s.recv(s.peer.greeting(), s.peer.ping()).build());
    }
    {
      const s = new Script(`misc: byte-by-byte delivery [${role}]`, role).do('initiateConnection');
      const wire = s.peer.greeting({ [S.MAX_CONCURRENT_STREAMS]: 10 });
      for (let i = 0; i < wire.length; i++) s.recv(wire.subarray(i, i + 1));
      out.push(s.build());
    }
  }
  {
    const s = new Script('misc: a bad client preface [server]', 'server').do('initiateConnection');
    out.push(s.recv(Uint8Array.from('PRI * HTTP/1.1\r\n\r\nSM\r\n\r\n', (c) => c.charCodeAt(0))).build());
  }
  {
    const s = new Script('misc: a client may send 100 requests [client]', 'client').open();
    for (let id = 1; id <= 199; id += 2) s.request(id);
    out.push(s.query('openOutboundStreams').request(201).build());
  }
  return out;
};

/** Content-length enforcement on received bodies (RFC 9110 §8.6, RFC 9113 §8.1.1). */
const contentLength: Family = () => {
  const out: Scenario[] = [];
  for (const role of ROLES) {
    const head = (n: string): ScenarioHeader[] => (role === 'server' ? [...POST, ['content-length', n]] : [[':status', '200'], ['content-length', n]]);
    const mk = (name: string) => new Script(`content-length: ${name} [${role}]`, role).open();
    const start = (s: Script, n: string, endStream = false) => {
      if (role === 'server') return s.request(1, head(n), endStream);
      return s.request(1).respond(1, head(n), endStream);
    };
    const peerBody = (s: Script, text: string, endStream: boolean) => (role === 'server' ? s.clientBody(1, text, endStream) : s.serverBody(1, text, endStream));
    out.push(peerBody(start(mk('exact body'), '5'), 'hello', true).build());
    out.push(peerBody(start(mk('body shorter at END_STREAM'), '5'), 'abc', true).build());
    out.push(peerBody(peerBody(start(mk('body longer than announced'), '5'), 'abc', false), 'defg', false).build());
    out.push(start(mk('content-length 0 with END_STREAM on the headers'), '0', true).build());
    const endsShort = start(mk('content-length 5 with END_STREAM on the headers'), '5', true);
    // A request or a 200 response ended by its HEADERS announcing a body (a 204, 304 or HEAD answer may).
    out.push(endsShort.differ('content-length-at-end', role === 'server' ? MALFORMED_REQUEST : MALFORMED_RESPONSE).build());
    out.push(peerBody(start(mk('padding does not count toward content-length'), '3'), 'abc', true).build());
    out.push(start(mk('a negative content-length'), '-1').differ('content-length-grammar', role === 'server' ? MALFORMED_REQUEST : MALFORMED_RESPONSE).build());
  }
  {
    const s = new Script('content-length: a HEAD response with a body [client]', 'client').open();
    s.request(1, [[':method', 'HEAD'], [':scheme', 'https'], [':authority', 'a'], [':path', '/']]).respond(1, [[':status', '200'], ['content-length', '3']]);
    out.push(s.serverBody(1, 'abc', true).build());
  }
  return out;
};

/** Partial reads of the outbound buffer and buffer clearing. */
const outboundBuffer: Family = () => {
  const out: Scenario[] = [];
  for (const role of ROLES) {
    const mk = (name: string) => new Script(`outbound buffer: ${name} [${role}]`, role).open();
    out.push(mk('dataToSend in pieces').do('ping', { data: hexOf('abcdefgh') }).do('dataToSend', { amount: 5 }).do('dataToSend', { amount: 0 }).do('dataToSend', { amount: 100 }).build());
    out.push(mk('a partial read then a clear').do('ping', { data: hexOf('abcdefgh') }).do('dataToSend', { amount: 3 }).do('clearOutboundDataBuffer').do('ping', { data: hexOf('12345678') }).build());
    out.push(mk('dataToSend larger than the buffer').request(1).do('dataToSend', { amount: 100000 }).build());
  }
  return out;
};

/** Every hand-written scenario (the random ones come from random.ts). */
export function handWrittenScenarios(): Scenario[] {
  const families: Family[] = [exchanges, concurrency, informational, trailers, push, flowControl, settings, priority, altsvc, connect, inboundHeaderRules, outboundHeaderRules, invalidSequences, resets, goaway, closedStreams, upgrade, misc, contentLength, outboundBuffer];
  const all = families.flatMap((f) => f());
  const seen = new Set<string>();
  for (const s of all) {
    if (seen.has(s.name)) throw new Error(`duplicate scenario name: ${s.name}`);
    seen.add(s.name);
  }
  return all;
}

export type { Role };
