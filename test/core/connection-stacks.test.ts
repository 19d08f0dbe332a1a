/**
 * Two H2Connections talking to each other in memory: requests, bodies larger than the windows with
 * automatic flow control, trailers, push, PING and settings changes. Ports h2's
 * test_interacting_stacks (without threads or coroutines).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { H2Configuration, H2Connection } from '../../src/core';
import type { DataReceived, H2Event, RequestReceived, ResponseReceived } from '../../src/core';
import { REQUEST, types } from '../support/h2-connection';
import { concat, latin1 } from '../support/bytes';
import { mulberry32 } from '../support/prng';

const Stacks = suite('interacting stacks');

interface Link {
  client: H2Connection;
  server: H2Connection;
  clientEvents: H2Event[];
  serverEvents: H2Event[];
  /** Moves bytes both ways until both connections are quiet, acknowledging all DATA on receipt. */
  pump(): void;
}

function link(): Link {
  const client = new H2Connection(new H2Configuration({ clientSide: true }));
  const server = new H2Connection(new H2Configuration({ clientSide: false }));
  const clientEvents: H2Event[] = [];
  const serverEvents: H2Event[] = [];
  const deliver = (to: H2Connection, log: H2Event[], bytes: Uint8Array): void => {
    for (const ev of to.receiveData(bytes)) {
      log.push(ev);
      if (ev.type === 'DataReceived') to.acknowledgeReceivedData(ev.flowControlledLength, ev.streamId);
    }
  };
  const pump = (): void => {
    for (let moved = true; moved; ) {
      const up = client.dataToSend();
      if (up.length > 0) deliver(server, serverEvents, up);
      const down = server.dataToSend();
      if (down.length > 0) deliver(client, clientEvents, down);
      moved = up.length > 0 || down.length > 0;
    }
  };
  client.initiateConnection();
  server.initiateConnection();
  pump();
  return { client, server, clientEvents, serverEvents, pump };
}

/** Sends `body` on a stream in chunks as the windows allow, pumping in between. */
function sendBody(l: Link, from: H2Connection, streamId: number, body: Uint8Array, endStream: boolean): void {
  let offset = 0;
  let stalls = 0;
  while (offset < body.length) {
    const n = Math.min(from.localFlowControlWindow(streamId), from.maxOutboundFrameSize, body.length - offset);
    if (n <= 0) {
      if (++stalls > 3) throw new Error(`flow control stalled at ${offset} of ${body.length} octets`);
      l.pump();
      continue;
    }
    stalls = 0;
    from.sendData(streamId, body.subarray(offset, offset + n));
    offset += n;
  }
  if (endStream) from.endStream(streamId);
  l.pump();
}

function received(events: readonly H2Event[], streamId: number): Uint8Array {
  return concat(...events.filter((e): e is DataReceived => e.type === 'DataReceived' && e.streamId === streamId).map((e) => e.data));
}

Stacks('both sides exchange SETTINGS and their ACKs', () => {
  const l = link();
  assert.equal(types(l.clientEvents), ['RemoteSettingsChanged', 'SettingsAcknowledged']);
  assert.equal(types(l.serverEvents), ['RemoteSettingsChanged', 'SettingsAcknowledged']);
  assert.is(l.client.remoteSettings.maxConcurrentStreams, 100);
});

Stacks('a request and a response with bodies far larger than the windows arrive intact', () => {
  const l = link();
  const rand = mulberry32(9);
  const upload = rand.bytes(300000);
  const download = rand.bytes(500000);
  l.client.sendHeaders(1, [[':method', 'POST'], [':path', '/upload'], [':authority', 'example.com'], [':scheme', 'https']]);
  sendBody(l, l.client, 1, upload, true);
  assert.equal(received(l.serverEvents, 1), upload);
  l.server.sendHeaders(1, [[':status', '200']]);
  sendBody(l, l.server, 1, download, false);
  l.server.sendHeaders(1, [['x-checksum', 'ok']], { endStream: true });
  l.pump();
  assert.equal(received(l.clientEvents, 1), download);
  assert.equal(types(l.clientEvents.slice(-2)), ['TrailersReceived', 'StreamEnded']);
  assert.is(l.client.openOutboundStreams, 0);
  assert.is(l.server.openInboundStreams, 0);
});

Stacks('many concurrent requests are answered on the right streams', () => {
  const l = link();
  for (let i = 0; i < 50; i++) l.client.sendHeaders(1 + 2 * i, [...REQUEST.slice(0, 1), [':path', `/item/${i}`], ...REQUEST.slice(2)], { endStream: true });
  l.pump();
  const requests = l.serverEvents.filter((e): e is RequestReceived => e.type === 'RequestReceived');
  assert.is(requests.length, 50);
  for (const r of requests) {
    const path = r.headers.find((h) => h[0] === ':path')![1];
    l.server.sendHeaders(r.streamId, [[':status', '200']]);
    l.server.sendData(r.streamId, latin1(path), { endStream: true });
  }
  l.pump();
  for (let i = 0; i < 50; i++) assert.equal(received(l.clientEvents, 1 + 2 * i), latin1(`/item/${i}`));
  assert.is(l.clientEvents.filter((e) => e.type === 'ResponseReceived').length, 50);
});

Stacks('a pushed response reaches the client with its promise', () => {
  const l = link();
  l.client.sendHeaders(1, REQUEST, { endStream: true });
  l.pump();
  l.server.pushStream(1, 2, [[':method', 'GET'], [':path', '/style.css'], [':authority', 'example.com'], [':scheme', 'https']]);
  l.server.sendHeaders(2, [[':status', '200']]);
  l.server.sendData(2, latin1('body{}'), { endStream: true });
  l.server.sendHeaders(1, [[':status', '200']], { endStream: true });
  l.pump();
  assert.equal(types(l.clientEvents.slice(2)), ['PushedStreamReceived', 'ResponseReceived', 'DataReceived', 'StreamEnded', 'ResponseReceived', 'StreamEnded']);
  assert.equal(received(l.clientEvents, 2), latin1('body{}'));
  assert.is((l.clientEvents[3] as ResponseReceived).streamId, 2);
});

Stacks('PING round-trips and settings changes apply on both sides', () => {
  const l = link();
  l.client.ping(latin1('rtt-test'));
  l.server.updateSettings({ 0x3: 10, 0x4: 1000 });
  l.pump();
  assert.ok(l.clientEvents.some((e) => e.type === 'PingAckReceived'));
  assert.is(l.client.remoteSettings.maxConcurrentStreams, 10);
  assert.is(l.server.localSettings.initialWindowSize, 1000);
  l.client.sendHeaders(1, REQUEST);
  assert.is(l.client.localFlowControlWindow(1), 1000);
});

Stacks.run();
