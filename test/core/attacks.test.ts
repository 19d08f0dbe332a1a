/**
 * Attack tests (security.md): each DoS class is fed to a server H2Connection by the scripted peer;
 * the connection must give the RFC/limit answer (GOAWAY ENHANCE_YOUR_CALM, RST_STREAM REFUSED_STREAM,
 * PROTOCOL_ERROR, ...) and keep the memory it holds under a stated bound. No timing assertions.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DenialOfServiceError, H2Configuration, H2Connection, NoAvailableStreamIDError, ProtocolError } from '../../src/core';
import type { H2ConfigurationOptions, H2Event } from '../../src/core';
import { E, S, T, TestPeer, type HeaderPair } from '../support/peer';
import { bytes, concat } from '../support/bytes';

const Attacks = suite('attacks');

const REQ: HeaderPair[] = [
  [':method', 'GET'],
  [':scheme', 'https'],
  [':authority', 'example.com'],
  [':path', '/'],
];

/** A server connection past the handshake, and the client peer attacking it. */
function server(options: H2ConfigurationOptions = {}): { conn: H2Connection; peer: TestPeer } {
  const conn = new H2Connection(new H2Configuration({ ...options, clientSide: false }));
  const peer = new TestPeer('client');
  conn.initiateConnection();
  conn.receiveData(concat(peer.greeting(), peer.settingsAck()));
  peer.read(conn.dataToSend()).expectSettings().expectSettingsAck().expectNone();
  return { conn, peer };
}

interface Fed {
  events: H2Event[];
  error: Error | null;
}

/** Feeds bytes, catching the connection error (whose `events` are those decoded before it). */
function feed(conn: H2Connection, data: Uint8Array): Fed {
  try {
    return { events: conn.receiveData(data), error: null };
  } catch (e) {
    const err = e as Error & { events?: H2Event[] };
    return { events: err.events ?? [], error: err };
  }
}

/** Feeds `chunks` one receiveData call each until the connection fails; counts what got through. */
function feedAll(conn: H2Connection, chunks: Iterable<Uint8Array>, { read = false } = {}): { events: number; error: Error | null; fed: number } {
  let events = 0;
  let fed = 0;
  for (const chunk of chunks) {
    fed++;
    const r = feed(conn, chunk);
    events += r.events.length;
    if (r.error) return { events, error: r.error, fed };
    if (read) conn.dataToSend();
  }
  return { events, error: null, fed };
}

/** `n` copies of one frame's bytes. */
function repeat(frame: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(frame.length * n);
  for (let i = 0; i < n; i++) out.set(frame, i * frame.length);
  return out;
}

/** HPACK integer (RFC 7541 §5.1) with an `n`-bit prefix and the given high bits. */
function hpackInt(value: number, n: number, high: number): number[] {
  const max = (1 << n) - 1;
  if (value < max) return [high | value];
  const out = [high | max];
  let v = value - max;
  while (v >= 128) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** A literal field without indexing, new name (RFC 7541 §6.2.2), no Huffman. */
function literal(name: string, value: string, { index = false } = {}): Uint8Array {
  return bytes(index ? 0x40 : 0x00, hpackInt(name.length, 7, 0), name, hpackInt(value.length, 7, 0), value);
}

/** Heap growth while `fn` runs, in MiB (generous bounds only: no GC control). */
function heapGrowthMiB(fn: () => void): number {
  const before = process.memoryUsage().heapUsed;
  fn();
  return (process.memoryUsage().heapUsed - before) / 2 ** 20;
}

const ECY = E.ENHANCE_YOUR_CALM;

/** The connection's answer was a GOAWAY with `code`, and nothing is queued beyond it. */
function expectGoAwayOnly(conn: H2Connection, peer: TestPeer, code: number): void {
  const out = conn.dataToSend();
  assert.ok(out.length <= 64 * 1024, `${out.length} bytes queued after the attack`);
  const goaways = peer.read(out).drain().filter((f) => f.type === T.GOAWAY);
  assert.is(goaways.length, 1, `expected one GOAWAY, got ${goaways.length}\n${peer.log.slice(-5).join('\n')}`);
  assert.is(goaways[0]!.errorCode, code, `GOAWAY code ${goaways[0]!.errorCode}, expected ${code}`);
  // security.md §0 (CVE-2026-21714, CVE-2026-48937): after a fatal GOAWAY, input is ignored and state freed.
  assert.equal(conn.receiveData(peer.ping()), [], 'input after a fatal GOAWAY must be discarded');
  assert.is(conn.bufferedAmount, 0, 'nothing may be queued after a fatal GOAWAY');
  assert.is(conn.openInboundStreams, 0, 'streams must be freed after a fatal GOAWAY');
}

// ── CVE-2016-6581 HPACK bomb ─────────────────────────────────────────────────────────────────
Attacks('an HPACK bomb (one 4 KiB entry referenced 10 000 times) is refused with RST_STREAM ENHANCE_YOUR_CALM without inflating', () => {
  const { conn, peer } = server();
  const block = concat(
    bytes(0x82, 0x87, 0x84), // :method GET, :scheme https, :path / (static table)
    bytes(0x01, 11, 'example.com'), // :authority, not indexed
    literal('x-bomb', 'a'.repeat(4050), { index: true }), // fills the 4096-byte dynamic table
    repeat(bytes(0xbe), 10_000), // index 62 = the bomb, 10 000 times (≈ 41 MB decoded)
  );
  let r!: Fed;
  const growth = heapGrowthMiB(() => (r = feed(conn, peer.headersRaw(1, block, { endStream: true }))));
  assert.is(r.error, null);
  assert.equal(r.events, []);
  assert.ok(growth < 16, `heap grew ${growth.toFixed(1)} MiB decoding the bomb`);
  peer.read(conn.dataToSend()).expectRstStream(1, ECY).expectNone();
  // The bomb's table entry is still there (HPACK in sync) and the connection serves the next request.
  assert.equal(feed(conn, peer.headersRaw(3, bytes(0x82, 0x87, 0x84, 0x01, 11, 'example.com', 0xbe), { endStream: true })).events.map((e) => e.type), ['RequestReceived', 'StreamEnded']);
});

Attacks('HPACK integers past 2^32-1 and indexes past the table are COMPRESSION_ERRORs', () => {
  for (const block of [
    bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), // indexed field, index ≥ 2^35
    bytes(0xff, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01), // six continuation octets
    bytes(0x80), // index 0
    bytes(0xfe), // index 126 with an empty dynamic table
    bytes(0x00, 0x7f, 0xff, 0xff, 0xff, 0x0f), // a name length far past the block
    bytes(0x82, 0x3f, 0xe1, 0x1f), // a table size update after a field
  ]) {
    const { conn, peer } = server();
    const r = feed(conn, peer.headersRaw(1, block, { endStream: true }));
    assert.instance(r.error, ProtocolError);
    expectGoAwayOnly(conn, peer, E.COMPRESSION_ERROR);
  }
});

// ── CONTINUATION flood (CERT VU#421644) ───────────────────────────────────────────────────────
for (const size of [0, 1]) {
  Attacks(`10 000 ${size}-byte CONTINUATIONs stop at the 64-frame cap with GOAWAY PROTOCOL_ERROR (h2's answer)`, () => {
    const { conn, peer } = server();
    const head = peer.headers(1, REQ, { endHeaders: false });
    const cont = peer.raw(T.CONTINUATION, 0, 1, new Uint8Array(size).fill(0x80));
    const r = feedAll(conn, [head, ...Array.from({ length: 10_000 }, () => cont)]);
    assert.instance(r.error, ProtocolError);
    assert.ok(r.fed <= 65, `the cap let ${r.fed} frames in`);
    expectGoAwayOnly(conn, peer, E.PROTOCOL_ERROR);
  });
}

Attacks('16 KiB CONTINUATIONs stop once the buffered block passes maxHeaderBlockSize (2 × MAX_HEADER_LIST_SIZE)', () => {
  const { conn, peer } = server();
  const cont = peer.raw(T.CONTINUATION, 0, 1, new Uint8Array(16_384).fill(0x80));
  const r = feedAll(conn, [peer.headers(1, REQ, { endHeaders: false }), ...Array.from({ length: 60 }, () => cont)]);
  assert.instance(r.error, ProtocolError);
  assert.ok((r.fed - 1) * 16_384 <= 2 * 65_536 + 16_384, `buffered ${(r.fed - 1) * 16_384} bytes of header block`);
  expectGoAwayOnly(conn, peer, E.PROTOCOL_ERROR);
});

Attacks('a PING inside a header block is a GOAWAY PROTOCOL_ERROR, and a cut block leaves no stream behind', () => {
  const { conn, peer } = server();
  assert.instance(feed(conn, concat(peer.headers(1, REQ, { endHeaders: false }), peer.ping())).error, ProtocolError);
  expectGoAwayOnly(conn, peer, E.PROTOCOL_ERROR);
  const cut = server();
  assert.is(feed(cut.conn, cut.peer.headers(1, REQ, { endHeaders: false })).error, null);
  assert.is(cut.conn.openInboundStreams, 0, 'a half-received header block opened a stream');
});

Attacks('a frame header announcing more than MAX_FRAME_SIZE fails before its payload is buffered', () => {
  const { conn, peer } = server();
  const header = peer.raw(T.DATA, 0, 1, new Uint8Array(0));
  header[0] = 0xff; // length 2^24-1, no payload follows
  header[1] = 0xff;
  header[2] = 0xff;
  assert.instance(feed(conn, header).error, ProtocolError);
  expectGoAwayOnly(conn, peer, E.FRAME_SIZE_ERROR);
});

// ── CVE-2019-9512 Ping Flood, CVE-2019-9515 Settings Flood ─────────────────────────────────────
Attacks('1 001 PINGs never read end in GOAWAY ENHANCE_YOUR_CALM; 100 000 leave the buffer bounded', () => {
  const { conn, peer } = server();
  const ping = peer.ping();
  const r = feedAll(conn, Array.from({ length: 1_000 }, () => repeat(ping, 100)));
  assert.instance(r.error, DenialOfServiceError);
  assert.is(r.fed, 11, 'the 1 001st unread PING ACK should trip maxQueuedControlFrames (1000)');
  expectGoAwayOnly(conn, peer, ECY);
});

Attacks('a peer that reads its PING ACKs may ping 100 000 times (no false positive)', () => {
  const { conn, peer } = server();
  const r = feedAll(conn, Array.from({ length: 1_000 }, () => repeat(peer.ping(), 100)), { read: true });
  assert.is(r.error, null);
  assert.is(r.events, 100_000);
});

Attacks('1 001 empty SETTINGS never read end in GOAWAY ENHANCE_YOUR_CALM', () => {
  const { conn, peer } = server();
  const r = feed(conn, repeat(peer.settings(), 1_001));
  assert.instance(r.error, DenialOfServiceError);
  expectGoAwayOnly(conn, peer, ECY);
});

Attacks('SETTINGS with 33 entries is GOAWAY ENHANCE_YOUR_CALM; 32 entries are fine (CVE-2020-11080)', () => {
  const entries = (n: number) => Array.from({ length: n }, (_, i) => [0x100 + i, i] as const);
  const ok = server();
  assert.is(feed(ok.conn, ok.peer.settings(entries(32))).error, null);
  const { conn, peer } = server();
  assert.instance(feed(conn, peer.settings(entries(33))).error, DenialOfServiceError);
  expectGoAwayOnly(conn, peer, ECY);
});

// ── CVE-2023-44487 Rapid Reset ───────────────────────────────────────────────────────────────
Attacks('Rapid Reset: 10 000 × (HEADERS, RST_STREAM) ends in GOAWAY ENHANCE_YOUR_CALM after about maxResetStreams', () => {
  const { conn, peer } = server();
  let requests = 0;
  let error: Error | null = null;
  for (let id = 1; id < 20_000 && !error; id += 2) {
    const r = feed(conn, concat(peer.headers(id, REQ, { endStream: true }), peer.rstStream(id, E.CANCEL)));
    requests += r.events.filter((e) => e.type === 'RequestReceived').length;
    error = r.error;
    conn.dataToSend(); // the attacker reads: only the reset budget can stop it
    assert.ok(conn.openInboundStreams <= 100);
  }
  assert.instance(error, DenialOfServiceError);
  assert.ok(requests <= 1_001, `${requests} requests started before the connection ended`);
  peer.read(conn.dataToSend());
});

Attacks('Rapid Reset false positive guard: resets mixed with completed requests never trip the budget', () => {
  const { conn, peer } = server();
  for (let id = 1; id < 12_000; id += 4) {
    const r = feed(conn, concat(peer.headers(id, REQ, { endStream: true }), peer.headers(id + 2, REQ, { endStream: true }), peer.rstStream(id + 2, E.CANCEL)));
    assert.is(r.error, null, `tripped at stream ${id}`);
    conn.sendHeaders(id, [[':status', '200']], { endStream: true });
    conn.dataToSend();
  }
});

// ── CVE-2025-8671 MadeYouReset and CVE-2019-9514 Reset Flood ─────────────────────────────────
const MADE_YOU_RESET: [string, (p: TestPeer, id: number) => Uint8Array][] = [
  ['WINDOW_UPDATE overflowing the stream window', (p, id) => p.windowUpdate(id, 2 ** 31 - 1)],
  ['WINDOW_UPDATE with increment 0', (p, id) => p.windowUpdate(id, 0)],
  ['HEADERS on the half-closed (remote) stream', (p, id) => p.headers(id, [['x', 'y']], { endStream: true })],
  ['DATA on the half-closed (remote) stream', (p, id) => p.data(id, 'x')],
  ['PRIORITY of length 6 on the stream (RFC 9113 §6.3: a stream error)', (p, id) => p.raw(T.PRIORITY, 0, id, new Uint8Array(6))],
];
for (const [name, primitive] of MADE_YOU_RESET) {
  for (const read of [false, true]) {
    Attacks(`MadeYouReset (${name}) over 10 000 streams ends in GOAWAY ENHANCE_YOUR_CALM${read ? ' even when the attacker reads' : ''}`, () => {
      const { conn, peer } = server();
      let requests = 0;
      let error: Error | null = null;
      for (let id = 1; id < 20_000 && !error; id += 2) {
        const r = feed(conn, concat(peer.headers(id, REQ, { endStream: true }), primitive(peer, id)));
        requests += r.events.filter((e) => e.type === 'RequestReceived').length;
        error = r.error;
        if (read && !error) peer.read(conn.dataToSend()).expectRstStream(id).expectNone();
        assert.ok(conn.openInboundStreams <= 100, 'more streams running than MAX_CONCURRENT_STREAMS');
        assert.ok(conn.bufferedAmount < 64 * 1024, `${conn.bufferedAmount} bytes queued`);
      }
      assert.instance(error, DenialOfServiceError);
      assert.ok(requests <= 1_001, `${requests} requests started`);
      expectGoAwayOnly(conn, peer, ECY);
    });
  }
}

Attacks('MadeYouReset PRIORITY self-dependency is a connection error at once, as in h2; PRIORITY of length 6 on an idle stream too', () => {
  const self = server();
  assert.instance(feed(self.conn, concat(self.peer.headers(1, REQ, { endStream: true }), self.peer.priority(1, { dependsOn: 1 }))).error, ProtocolError);
  expectGoAwayOnly(self.conn, self.peer, E.PROTOCOL_ERROR);
  // RST_STREAM on an idle stream is forbidden (RFC 9113 §5.1): the stream error can only be the connection's.
  const idle = server();
  assert.instance(feed(idle.conn, idle.peer.raw(T.PRIORITY, 0, 7, new Uint8Array(6))).error, ProtocolError);
  expectGoAwayOnly(idle.conn, idle.peer, E.FRAME_SIZE_ERROR);
});

// ── CVE-2019-9518 Empty Frames Flood, CVE-2019-9513 priority churn ────────────────────────────
Attacks('20 000 empty DATA frames end in GOAWAY ENHANCE_YOUR_CALM after maxEmptyFrames', () => {
  const { conn, peer } = server();
  assert.is(feed(conn, peer.headers(1, REQ)).error, null);
  const r = feedAll(conn, Array.from({ length: 200 }, () => repeat(peer.data(1, ''), 100)), { read: true });
  assert.instance(r.error, DenialOfServiceError);
  assert.ok(r.events <= 1_000, `${r.events} empty DATA frames processed`);
  expectGoAwayOnly(conn, peer, ECY);
});

Attacks('20 000 PRIORITY frames reshuffling streams end in GOAWAY ENHANCE_YOUR_CALM after maxPriorityFrames', () => {
  const { conn, peer } = server();
  // Stream 1+2k depends on 1+2(k+1+m): a different parent every time, never itself.
  const reparent = (i: number, j: number) => peer.priority(1 + 2 * ((i + j) % 100), { dependsOn: 1 + 2 * ((i + j) % 100) + 2 * (1 + ((i * j) % 50)), weight: 1 + j });
  const frames = Array.from({ length: 200 }, (_, i) => concat(...Array.from({ length: 100 }, (_, j) => reparent(i, j))));
  const r = feedAll(conn, frames, { read: true });
  assert.instance(r.error, DenialOfServiceError, String(r.error));
  assert.ok(r.events <= 10_000, `${r.events} PRIORITY frames processed`);
  expectGoAwayOnly(conn, peer, ECY);
});

// ── CVE-2019-9516 0-length headers ───────────────────────────────────────────────────────────
Attacks('10 000 empty-name literals exceed MAX_HEADER_LIST_SIZE (32 bytes each): RST_STREAM ENHANCE_YOUR_CALM, flat memory', () => {
  const { conn, peer } = server();
  const block = concat(bytes(0x82, 0x87, 0x84, 0x01, 11, 'example.com'), repeat(bytes(0x00, 0x00, 0x00), 10_000));
  let r!: Fed;
  const growth = heapGrowthMiB(() => (r = feed(conn, peer.headersRaw(1, block, { endStream: true, fragments: 3 }))));
  assert.is(r.error, null, String(r.error));
  assert.ok(growth < 16, `heap grew ${growth.toFixed(1)} MiB`);
  peer.read(conn.dataToSend()).expectRstStream(1, ECY).expectNone();
});

Attacks('a peer sending only 100 KiB header blocks (past MAX_HEADER_LIST_SIZE, within maxHeaderBlockSize) keeps flat memory and ends in GOAWAY ENHANCE_YOUR_CALM', () => {
  const { conn, peer } = server({ maxResetStreams: 50 });
  const block = peer.headerBlock([...REQ, ['cookie', 'c'.repeat(100 * 1024)]]);
  const big = (id: number) => peer.headersRaw(id, block, { endStream: true, fragments: 8 });
  let r!: { events: number; error: Error | null; fed: number };
  const growth = heapGrowthMiB(() => (r = feedAll(conn, (function* () {
    for (let id = 1; ; id += 2) yield big(id);
  })(), { read: true })));
  assert.instance(r.error, DenialOfServiceError);
  assert.is(r.fed, 51);
  assert.is(r.events, 0);
  assert.ok(growth < 16, `heap grew ${growth.toFixed(1)} MiB`);
});

Attacks('a few empty header names are malformed: RST_STREAM PROTOCOL_ERROR, and repeats end in GOAWAY ENHANCE_YOUR_CALM (h2 makes the first a connection error)', () => {
  const { conn, peer } = server({ maxResetStreams: 20 });
  const block = concat(bytes(0x82, 0x87, 0x84, 0x01, 11, 'example.com'), repeat(bytes(0x00, 0x00, 0x00), 10));
  // RFC 9113 §8.1.1 (security.md §5): a stream error; the connection goes on.
  const first = feed(conn, peer.headersRaw(1, block, { endStream: true }));
  assert.is(first.error, null);
  assert.equal(first.events, []);
  peer.read(conn.dataToSend()).expectRstStream(1, E.PROTOCOL_ERROR).expectNone();
  // Each refusal spends the reset budget (CVE-2019-9514 family): a peer sending nothing else is cut.
  const r = feedAll(conn, (function* () {
    for (let id = 3; id < 200; id += 2) yield peer.headersRaw(id, block, { endStream: true });
  })());
  assert.instance(r.error, DenialOfServiceError);
  assert.is(r.events, 0);
  assert.ok(r.fed <= 21, `cut after ${r.fed} malformed requests`);
  expectGoAwayOnly(conn, peer, ECY);
});

Attacks('1 900 tiny header fields in one request are refused with RST_STREAM ENHANCE_YOUR_CALM; the connection stays usable', () => {
  const { conn, peer } = server();
  // 1 904 fields of 33 octets each (RFC 7541 §4.1) stay under MAX_HEADER_LIST_SIZE: only the field cap stops them.
  const block = concat(bytes(0x82, 0x87, 0x84, 0x01, 11, 'example.com'), repeat(literal('a', ''), 1_900));
  const r = feed(conn, peer.headersRaw(1, block, { endStream: true }));
  assert.is(r.error, null);
  assert.equal(r.events, []);
  peer.read(conn.dataToSend()).expectRstStream(1, ECY).expectNone();
  assert.equal(feed(conn, peer.headers(3, REQ, { endStream: true })).events.map((e) => e.type), ['RequestReceived', 'StreamEnded']);
});

Attacks('requests with 128 fields pass; a peer sending only over-long field lists ends in GOAWAY ENHANCE_YOUR_CALM', () => {
  const { conn, peer } = server();
  const fields = (n: number) => concat(bytes(0x82, 0x87, 0x84, 0x01, 11, 'example.com'), repeat(literal('a', 'b'), n - 4));
  assert.equal(feed(conn, peer.headersRaw(1, fields(128), { endStream: true })).events.map((e) => e.type), ['RequestReceived', 'StreamEnded']);
  conn.sendHeaders(1, [[':status', '200']], { endStream: true });
  conn.dataToSend();
  let refused = 0;
  let error: Error | null = null;
  for (let id = 3; id < 10_000 && !error; id += 2) {
    const r = feed(conn, peer.headersRaw(id, fields(129), { endStream: true }));
    assert.equal(r.events, []);
    error = r.error;
    if (!error) refused++;
    conn.dataToSend(); // the attacker reads: only the reset budget can stop it
  }
  assert.instance(error, DenialOfServiceError);
  assert.ok(refused <= 1_000, `${refused} blocks refused before the connection ended`);
  peer.read(conn.dataToSend());
});

// ── Unknown extension frames ─────────────────────────────────────────────────────────────────
Attacks('20 000 unknown-type frames end in GOAWAY ENHANCE_YOUR_CALM after maxUnknownFrames', () => {
  const { conn, peer } = server();
  const r = feedAll(conn, Array.from({ length: 200 }, (_, i) => repeat(peer.raw(0xfa, 0, i % 2, 'x'), 100)), { read: true });
  assert.instance(r.error, DenialOfServiceError, String(r.error));
  assert.ok(r.events <= 1_000, `${r.events} unknown frames reported`);
  expectGoAwayOnly(conn, peer, ECY);
});

Attacks('20 000 ALTSVC frames sent to a server end in GOAWAY ENHANCE_YOUR_CALM', () => {
  const { conn, peer } = server();
  assert.is(feed(conn, peer.headers(1, REQ)).error, null);
  const frame = concat(peer.altSvc(0, 'https://example.com', 'h2=":443"'), peer.altSvc(1, '', 'h2=":443"'));
  const r = feedAll(conn, Array.from({ length: 100 }, () => repeat(frame, 100)), { read: true });
  assert.instance(r.error, DenialOfServiceError, String(r.error));
  assert.ok(r.fed <= 6, `${r.fed * 200} ALTSVC frames processed`);
  expectGoAwayOnly(conn, peer, ECY);
});

Attacks('unknown frames false positive guard: a burst of 500, then one per completed request, never trip the budget', () => {
  const { conn, peer } = server();
  assert.is(feed(conn, repeat(peer.raw(0xfa, 0, 0, 'hello'), 500)).error, null);
  for (let id = 1; id < 6_000; id += 2) {
    const r = feed(conn, concat(peer.headers(id, REQ, { endStream: true }), peer.raw(0xfb, 0, id, 'ext')));
    assert.is(r.error, null, `tripped at stream ${id}`);
    assert.is(r.events.length, 3);
    conn.sendHeaders(id, [[':status', '200']], { endStream: true });
    conn.dataToSend();
  }
});

// ── HPACK encoder table size chosen by the peer ─────────────────────────────────────────────
Attacks('a peer advertising HEADER_TABLE_SIZE 2^32-1 gets maxEncoderTableSize (4096): 5 000 unique 1 KiB etags stay bounded', () => {
  const { conn, peer } = server();
  assert.is(feed(conn, peer.settings({ 1: 0xffffffff })).error, null);
  peer.read(conn.dataToSend()).expectSettingsAck().expectNone();
  const growth = heapGrowthMiB(() => {
    for (let i = 0, id = 1; i < 5_000; i++, id += 2) {
      assert.is(feed(conn, peer.headers(id, REQ, { endStream: true })).error, null);
      const etag = `"${'x'.repeat(1000)}${i}"`;
      conn.sendHeaders(id, [[':status', '200'], ['etag', etag]], { endStream: true });
      // The peer's decoder follows the table we chose: every response still decodes.
      peer.read(conn.dataToSend()).expectHeaders({ streamId: id, endStream: true, headers: [[':status', '200'], ['etag', etag]] }).expectNone();
    }
  });
  assert.is(conn.encoder.headerTableSize, 4096);
  assert.ok(conn.encoder.headerTable.size <= 4096, `encoder table holds ${conn.encoder.headerTable.size} octets`);
  assert.ok(growth < 32, `heap grew ${growth.toFixed(1)} MiB`);
});

Attacks('maxEncoderTableSize caps the encoder at min(peer value, option), also for an h2c upgrade', () => {
  const { conn, peer } = server({ maxEncoderTableSize: 65536 });
  feed(conn, peer.settings({ 1: 0xffffffff }));
  assert.is(conn.encoder.headerTableSize, 65536);
  feed(conn, peer.settings({ 1: 1000 }));
  assert.is(conn.encoder.headerTableSize, 1000);
  // HTTP2-Settings: HEADER_TABLE_SIZE = 2^32-1 (octets 00 01 ff ff ff ff).
  const upgraded = new H2Connection(new H2Configuration({ clientSide: false }));
  upgraded.initiateUpgradeConnection('AAH_____');
  assert.is(upgraded.remoteSettings.headerTableSize, 0xffffffff);
  assert.is(upgraded.encoder.headerTableSize, 4096);
});

Attacks('maxEncoderTableSize below 4096 is announced in the first header block and the peer follows it', () => {
  const { conn, peer } = server({ maxEncoderTableSize: 0 });
  feed(conn, peer.headers(1, REQ, { endStream: true }));
  conn.sendHeaders(1, [[':status', '200'], ['x-a', 'b']], { endStream: true });
  peer.read(conn.dataToSend()).expectHeaders({ streamId: 1, headers: [[':status', '200'], ['x-a', 'b']] }).expectNone();
  assert.is(peer.decoder.headerTableSize, 0);
  assert.is(conn.encoder.headerTable.length, 0);
});

// ── No-op ACK floods (glitches) ─────────────────────────────────────────────────────────────
Attacks('20 000 unsolicited SETTINGS ACKs end in GOAWAY ENHANCE_YOUR_CALM after maxUnknownFrames', () => {
  const { conn, peer } = server();
  const r = feedAll(conn, Array.from({ length: 200 }, () => repeat(peer.settingsAck(), 100)), { read: true });
  assert.instance(r.error, DenialOfServiceError, String(r.error));
  assert.ok(r.events <= 1_000, `${r.events} SETTINGS ACKs reported`);
  expectGoAwayOnly(conn, peer, ECY);
});

Attacks('20 000 PING ACKs for no PING end in GOAWAY ENHANCE_YOUR_CALM after maxUnknownFrames', () => {
  const { conn, peer } = server();
  const ack = peer.ping('unasked!', { ack: true });
  const r = feedAll(conn, Array.from({ length: 200 }, () => repeat(ack, 100)), { read: true });
  assert.instance(r.error, DenialOfServiceError, String(r.error));
  assert.ok(r.events <= 1_000, `${r.events} PING ACKs reported`);
  expectGoAwayOnly(conn, peer, ECY);
});

Attacks('ACK false positive guard: 5 000 acknowledged PINGs and SETTINGS updates never spend the budget, even a tiny one', () => {
  const { conn, peer } = server({ maxUnknownFrames: 2 });
  for (let i = 0; i < 5_000; i++) {
    conn.ping(bytes('ping', [i >> 24, (i >> 16) & 255, (i >> 8) & 255, i & 255]));
    conn.updateSettings({ [S.INITIAL_WINDOW_SIZE]: 65535 + (i % 7) });
    peer.read(conn.dataToSend()).expectPing().expectSettings().expectNone();
    const r = feed(conn, concat(peer.ping(bytes('ping', [i >> 24, (i >> 16) & 255, (i >> 8) & 255, i & 255]), { ack: true }), peer.settingsAck()));
    assert.is(r.error, null, `tripped at round ${i}: ${String(r.error)}`);
    assert.equal(r.events.map((e) => e.type), ['PingAckReceived', 'SettingsAcknowledged']);
  }
  // Two unsolicited ACKs fit the budget of 2; the third does not.
  assert.is(feed(conn, concat(peer.settingsAck(), peer.ping('12345678', { ack: true }))).error, null);
  assert.instance(feed(conn, peer.settingsAck()).error, DenialOfServiceError);
});

// ── Stream ids ───────────────────────────────────────────────────────────────────────────────
Attacks('a stream id going down (5 then 3) and an even client stream id are GOAWAY PROTOCOL_ERROR', () => {
  const down = server();
  assert.is(feed(down.conn, down.peer.headers(5, REQ, { endStream: true })).error, null);
  assert.instance(feed(down.conn, down.peer.headers(3, REQ, { endStream: true })).error, ProtocolError);
  expectGoAwayOnly(down.conn, down.peer, E.PROTOCOL_ERROR);
  const even = server();
  assert.instance(feed(even.conn, even.peer.headers(2, REQ, { endStream: true })).error, ProtocolError);
  expectGoAwayOnly(even.conn, even.peer, E.PROTOCOL_ERROR);
});

Attacks('a client that used stream 2^31-1 has no stream id left', () => {
  const conn = new H2Connection(new H2Configuration({ clientSide: true }));
  conn.initiateConnection();
  conn.sendHeaders(2 ** 31 - 1, REQ, { endStream: true });
  assert.throws(() => conn.getNextAvailableStreamId(), (e: unknown) => e instanceof NoAvailableStreamIDError);
});

Attacks('50 000 sequential streams opened and closed keep the closed-stream memory bounded by maxClosedStreams', () => {
  const { conn, peer } = server({ maxClosedStreams: 1_000 });
  const response: HeaderPair[] = [[':status', '204']];
  const growth = heapGrowthMiB(() => {
    for (let id = 1; id < 100_000; id += 2) {
      const r = feed(conn, peer.headers(id, REQ, { endStream: true }));
      assert.is(r.error, null);
      conn.sendHeaders(id, response, { endStream: true });
      conn.dataToSend();
    }
  });
  assert.is(conn.openInboundStreams, 0);
  assert.ok(growth < 48, `heap grew ${growth.toFixed(1)} MiB over 50 000 streams`);
});

// ── SETTINGS_MAX_CONCURRENT_STREAMS ─────────────────────────────────────────────────────────
Attacks('the 101st concurrent stream is refused with RST_STREAM REFUSED_STREAM and the connection stays usable', () => {
  const { conn, peer } = server();
  for (let id = 1; id <= 201; id += 2) assert.is(feed(conn, peer.headers(id, REQ)).error, null);
  peer.read(conn.dataToSend()).expectRstStream(201, E.REFUSED_STREAM).expectNone();
  assert.is(conn.openInboundStreams, 100);
  feed(conn, peer.ping('still up'));
  peer.read(conn.dataToSend()).expectPing({ ack: true, data: 'still up' }).expectNone();
});

Attacks('endless refused streams end in GOAWAY ENHANCE_YOUR_CALM (refusals spend the reset budget)', () => {
  const { conn, peer } = server();
  for (let id = 1; id <= 199; id += 2) feed(conn, peer.headers(id, REQ));
  let refused = 0;
  let error: Error | null = null;
  for (let id = 201; !error && id < 10_000; id += 2) {
    error = feed(conn, peer.headers(id, REQ)).error;
    if (!error) refused++;
    conn.dataToSend();
  }
  assert.instance(error, DenialOfServiceError);
  assert.ok(refused <= 1_000, `${refused} refusals before the connection ended`);
});

Attacks('a server flooding PUSH_PROMISEs gets 100 reserved streams, then REFUSED_STREAM, then GOAWAY ENHANCE_YOUR_CALM', () => {
  const conn = new H2Connection(new H2Configuration({ clientSide: true }));
  const peer = new TestPeer('server');
  conn.initiateConnection();
  conn.receiveData(concat(peer.greeting(), peer.settingsAck()));
  conn.sendHeaders(1, REQ, { endStream: true });
  peer.read(conn.dataToSend()).expectSettings().expectSettingsAck().expectHeaders({ streamId: 1 }).expectNone();
  const PUSHED: HeaderPair[] = [...REQ.slice(0, 3), [':path', '/pushed']];
  let pushes = 0;
  let refused = 0;
  let error: Error | null = null;
  for (let id = 2; id < 40_000 && !error; id += 2) {
    const r = feed(conn, peer.pushPromise(1, id, PUSHED));
    pushes += r.events.filter((e) => e.type === 'PushedStreamReceived').length;
    error = r.error;
    if (!error) refused += peer.read(conn.dataToSend()).drain().filter((f) => f.type === T.RST_STREAM && f.errorCode === E.REFUSED_STREAM).length;
  }
  assert.is(pushes, 100, 'reserved (pushed) streams must be bounded by our MAX_CONCURRENT_STREAMS');
  assert.ok(refused > 0 && refused <= 1_000, `${refused} pushes refused before the connection ended`);
  assert.instance(error, DenialOfServiceError);
  expectGoAwayOnly(conn, peer, ECY);
});

// ── Flow control ─────────────────────────────────────────────────────────────────────────────
Attacks('a WINDOW_UPDATE overflowing the connection window is GOAWAY FLOW_CONTROL_ERROR; on a stream, RST_STREAM', () => {
  const conn1 = server();
  assert.instance(feed(conn1.conn, conn1.peer.windowUpdate(0, 2 ** 31 - 1)).error, ProtocolError);
  expectGoAwayOnly(conn1.conn, conn1.peer, E.FLOW_CONTROL_ERROR);
  const { conn, peer } = server();
  assert.is(feed(conn, concat(peer.headers(1, REQ), peer.windowUpdate(1, 2 ** 31 - 1))).error, null);
  peer.read(conn.dataToSend()).expectRstStream(1, E.FLOW_CONTROL_ERROR).expectNone();
});

Attacks('Data Dribble / Internal Data Buffering: the core never buffers past the window, and flags a full outbound buffer', () => {
  const { conn, peer } = server({ outboundBufferSize: 1 << 20 });
  feed(conn, concat(peer.settings({ [S.INITIAL_WINDOW_SIZE]: 1 }), peer.headers(1, REQ, { endStream: true })));
  conn.sendHeaders(1, [[':status', '200']]);
  assert.throws(() => conn.sendData(1, new Uint8Array(2)), /flow control|window/i);
  conn.sendData(1, new Uint8Array(1));
  assert.is(conn.localFlowControlWindow(1), 0);
  // A peer that opens every window but never reads: the buffer fills, and outboundBufferFull tells
  // the I/O layer to stop reading before memory grows further.
  const big = server({ outboundBufferSize: 1 << 20 });
  feed(big.conn, concat(big.peer.settings({ [S.INITIAL_WINDOW_SIZE]: 2 ** 31 - 1, [S.MAX_FRAME_SIZE]: 2 ** 24 - 1 }), big.peer.windowUpdate(0, 2 ** 31 - 65_536), big.peer.headers(1, REQ, { endStream: true })));
  big.conn.sendHeaders(1, [[':status', '200']]);
  const chunk = new Uint8Array(256 * 1024);
  let sent = 0;
  while (!big.conn.outboundBufferFull) {
    big.conn.sendData(1, chunk);
    sent += chunk.length;
  }
  assert.ok(sent <= (1 << 20) + chunk.length && big.conn.bufferedAmount >= 1 << 20);
});

Attacks.run();
