/**
 * Every server test case of h2spec (summerwind/h2spec: http2/, generic/, hpack/; the default, non-strict
 * set), written afresh from what each case sends and what it accepts. IDs are h2spec's: key/section/seq.
 * Run by h2spec-server.test.ts against a real h2flow server over TCP.
 *
 * Where h2spec asks for a stream error, h2flow answers malformed requests (8.1, 8.1.2.x: RFC 9113 §8.1.1)
 * with one (RST_STREAM PROTOCOL_ERROR; h2 ends the connection), and some others (like h2) with a
 * connection error of the same code, which h2spec accepts and RFC 9113 §5.4 allows ("an endpoint MAY
 * choose to treat a stream error as a connection error"): self-dependency (5.3.1), PRIORITY of a wrong
 * length (6.3/2), DATA over SETTINGS_MAX_FRAME_SIZE (4.2/2). After a GOAWAY with an
 * error code (7/1) h2flow closes the connection, and a frame that still arrives is answered with
 * GOAWAY(PROTOCOL_ERROR) before the close, as h2's connection state machine does.
 */
import { bytes, latin1 } from '../support/bytes';
import { serve } from '../../src/transport/node';
import { H2SpecConn, PASS, inBatches, type Verdict } from '../support/conformance';
import { E, S, T } from '../support/peer';

/** A header list as h2spec builds it. */
export type Fields = [string, string][];

/** What a case may ask of its environment. */
export interface CaseContext {
  /** `:method GET, :scheme http, :path /, :authority 127.0.0.1:port` (h2spec's CommonHeaders), fresh each call. */
  common(): Fields;
  /** `n` fields `x-dummyI: x{4000}` (h2spec's DummyHeaders with its default max header length). */
  dummy(n: number): Fields;
  /** Length of the body the server answers `GET /` with (h2spec's ServerDataLength). */
  readonly serverDataLength: number;
}

/** One h2spec case. `handshake: false` for the preface cases, which speak first themselves. */
export interface H2SpecCase {
  readonly id: string;
  readonly desc: string;
  readonly handshake: boolean;
  run(c: H2SpecConn, ctx: CaseContext): Promise<Verdict>;
}

type CaseDef = readonly [desc: string, run: H2SpecCase['run'], handshake?: boolean];

/** The cases of one h2spec group, numbered from 1 in h2spec's order. */
function group(key: string, section: string, defs: readonly CaseDef[]): H2SpecCase[] {
  return defs.map(([desc, run, handshake = true], i) => ({ id: `${key}/${section}/${i + 1}`, desc, handshake, run }));
}

/** 8 octets: h2spec's "h2spec" data, zero-padded. */
const H2SPEC_DATA = bytes('h2spec', 0, 0);
const ZERO_DATA = new Uint8Array(8);
const MAX_WINDOW = 2 ** 31 - 1;

function post(ctx: CaseContext): Fields {
  const h = ctx.common();
  h[0]![1] = 'POST';
  return h;
}

/** HEADERS on `id` with a freshly encoded block (the connection's encoder keeps its dynamic table). */
function headers(c: H2SpecConn, id: number, fields: Fields, o: { endStream?: boolean; endHeaders?: boolean; padLength?: number; weight?: number; dependsOn?: number; exclusive?: boolean } = {}): Uint8Array {
  const priority = o.weight === undefined ? {} : { priority: { weight: o.weight, dependsOn: o.dependsOn ?? 0, exclusive: o.exclusive ?? false } };
  return c.peer.headersRaw(id, c.peer.headerBlock(fields), {
    endStream: o.endStream ?? false,
    endHeaders: o.endHeaders ?? true,
    ...(o.padLength !== undefined ? { padLength: o.padLength } : {}),
    ...priority,
  });
}

function continuation(c: H2SpecConn, id: number, fields: Fields, endHeaders: boolean): Uint8Array {
  return c.peer.continuation(id, c.peer.headerBlock(fields), { endHeaders });
}

/** The client preface followed by SETTINGS(INITIAL_WINDOW_SIZE=65535); the first server frame must be a non-ACK SETTINGS. */
async function prefaceCase(c: H2SpecConn): Promise<Verdict> {
  c.send(c.peer.preface(), c.peer.settings([[S.INITIAL_WINDOW_SIZE, 65535]]));
  const ev = await c.nextEvent();
  if (ev.kind === 'frame' && ev.frame.type === T.SETTINGS && (ev.frame.flags & 1) === 0) return PASS;
  return { ok: false, expected: 'SETTINGS (flags 0x00)', actual: ev.kind === 'frame' ? ev.frame.typeName : ev.kind };
}

/** HEADERS (GET, END_STREAM) for stream 1 carrying `rep` after the common fields (or before them). */
function hpackBlock(c: H2SpecConn, ctx: CaseContext, rep: Uint8Array, before = false): void {
  const block = c.peer.headerBlock(ctx.common());
  c.send(c.peer.headersRaw(1, before ? bytes(rep, block) : bytes(block, rep), { endStream: true }));
}

/** Sends GET with END_STREAM after `settings` are acknowledged; returns once the ACK came or fails. */
async function settingsThenGet(c: H2SpecConn, ctx: CaseContext, settings: [number, number][]): Promise<Verdict> {
  c.send(c.peer.settings(settings));
  const ack = await c.settingsAck();
  if (!('ok' in ack) || !ack.ok) return ack;
  c.send(headers(c, 1, ctx.common(), { endStream: true }));
  return PASS;
}

/** A GET (END_STREAM) on stream 1 with the header list `fields` builds: a malformed request (RFC 9113 §8.1.1). */
function malformedRequest(fields: (ctx: CaseContext) => Fields): H2SpecCase['run'] {
  return async (c, ctx) => {
    c.send(headers(c, 1, fields(ctx), { endStream: true }));
    return c.streamError(E.PROTOCOL_ERROR);
  };
}

function failed(v: Verdict): boolean {
  return !('ok' in v) || !v.ok;
}

/** A PRIORITY frame between HEADERS and its CONTINUATION (h2spec sends it in 4.3 and again in 6.2). */
const priorityInHeaderBlock: H2SpecCase['run'] = async (c, ctx) => {
  c.send(headers(c, 1, ctx.common(), { endHeaders: false }), c.peer.priority(1, { weight: 256 }), continuation(c, 1, ctx.dummy(1), true));
  return c.connectionError(E.PROTOCOL_ERROR);
};

/** HEADERS of stream 3 between stream 1's HEADERS and CONTINUATION (h2spec sends it in 4.3 and again in 6.2). */
const headersInHeaderBlock: H2SpecCase['run'] = async (c, ctx) => {
  c.send(headers(c, 1, ctx.common(), { endHeaders: false }), headers(c, 3, ctx.common(), { endStream: true }), continuation(c, 1, ctx.dummy(1), true));
  return c.connectionError(E.PROTOCOL_ERROR);
};

const HTTP2: H2SpecCase[] = [
  ...group('http2', '3.5', [
    ['Sends client connection preface', prefaceCase, false],
    ['Sends invalid connection preface', async (c) => {
      c.send(latin1('INVALID CONNECTION PREFACE\r\n\r\n'));
      return c.connectionError(E.PROTOCOL_ERROR);
    }, false],
  ]),
  ...group('http2', '4.1', [
    ['Sends a frame with unknown type', async (c) => {
      c.send(c.peer.raw(0x16, 0, 0, new Uint8Array(8)), c.peer.ping(ZERO_DATA));
      return c.pingAck(ZERO_DATA);
    }],
    ['Sends a frame with undefined flag', async (c) => {
      c.send(c.peer.raw(T.PING, 0x16, 0, new Uint8Array(8)));
      return c.firstOfType(T.PING, 'PING');
    }],
    ['Sends a frame with reserved field bit', async (c) => {
      c.send(bytes(0, 0, 8, T.PING, 0x16, 0x80, 0, 0, 0, new Uint8Array(8)));
      return c.firstOfType(T.PING, 'PING');
    }],
  ]),
  ...group('http2', '4.2', [
    ['Sends a DATA frame with 2^14 octets in length', async (c, ctx) => {
      c.send(headers(c, 1, post(ctx)), c.peer.data(1, 'x'.repeat(c.maxFrameSize), { endStream: true }));
      return c.headersFrame(1);
    }],
    ['Sends a large size DATA frame that exceeds the SETTINGS_MAX_FRAME_SIZE', async (c, ctx) => {
      c.send(headers(c, 1, post(ctx)), c.peer.data(1, 'x'.repeat(c.maxFrameSize + 1), { endStream: true }));
      return c.streamError(E.FRAME_SIZE_ERROR);
    }],
    ['Sends a large size HEADERS frame that exceeds the SETTINGS_MAX_FRAME_SIZE', async (c, ctx) => {
      c.send(headers(c, 1, [...ctx.common(), ...ctx.dummy(5)], { endStream: true }));
      return c.connectionError(E.FRAME_SIZE_ERROR);
    }],
  ]),
  ...group('http2', '4.3', [
    ['Sends invalid header block fragment', async (c) => {
      c.send(c.peer.raw(T.HEADERS, 0x05, 1, bytes(0x40)));
      return c.connectionError(E.COMPRESSION_ERROR);
    }],
    ['Sends a PRIORITY frame while sending the header blocks', priorityInHeaderBlock],
    ['Sends a HEADERS frame to another stream while sending the header blocks', headersInHeaderBlock],
  ]),
  ...group('http2', '5.1', [
    // h2spec accepts PROTOCOL_ERROR (§5.1 idle) or STREAM_CLOSED (§6.1), as a stream or connection error.
    ['idle: Sends a DATA frame', async (c) => {
      c.send(c.peer.data(1, 'test', { endStream: true }));
      return c.streamError(E.PROTOCOL_ERROR, E.STREAM_CLOSED);
    }],
    ['idle: Sends a RST_STREAM frame', async (c) => {
      c.send(c.peer.rstStream(1, E.CANCEL));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
    ['idle: Sends a WINDOW_UPDATE frame', async (c) => {
      c.send(c.peer.windowUpdate(1, 100));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
    ['idle: Sends a CONTINUATION frame', async (c, ctx) => {
      c.send(continuation(c, 1, ctx.common(), true));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
    ['half closed (remote): Sends a DATA frame', async (c, ctx) => {
      c.send(headers(c, 1, ctx.common(), { endStream: true }), c.peer.data(1, 'test', { endStream: true }));
      return c.streamError(E.STREAM_CLOSED);
    }],
    ['half closed (remote): Sends a HEADERS frame', async (c, ctx) => {
      c.send(headers(c, 1, ctx.common(), { endStream: true }), headers(c, 1, ctx.common(), { endStream: true }));
      return c.streamError(E.STREAM_CLOSED);
    }],
    ['half closed (remote): Sends a CONTINUATION frame', async (c, ctx) => {
      const block = c.peer.headerBlock(ctx.common());
      c.send(c.peer.headersRaw(1, block, { endStream: true }), c.peer.continuation(1, block));
      return c.streamError(E.STREAM_CLOSED, E.PROTOCOL_ERROR);
    }],
    ['closed: Sends a DATA frame after sending RST_STREAM frame', async (c, ctx) => {
      c.send(headers(c, 1, ctx.common()), c.peer.rstStream(1, E.CANCEL), c.peer.data(1, 'test', { endStream: true }));
      return c.streamError(E.STREAM_CLOSED);
    }],
    ['closed: Sends a HEADERS frame after sending RST_STREAM frame', async (c, ctx) => {
      c.send(headers(c, 1, ctx.common()), c.peer.rstStream(1, E.CANCEL), headers(c, 1, ctx.common(), { endStream: true }));
      return c.streamError(E.STREAM_CLOSED);
    }],
    ['closed: Sends a CONTINUATION frame after sending RST_STREAM frame', async (c, ctx) => {
      c.send(headers(c, 1, ctx.common()), c.peer.rstStream(1, E.CANCEL), continuation(c, 1, ctx.dummy(1), true));
      return c.streamError(E.STREAM_CLOSED, E.PROTOCOL_ERROR);
    }],
    ['closed: Sends a DATA frame', async (c, ctx) => {
      c.send(headers(c, 1, ctx.common(), { endStream: true }));
      const closed = await c.streamClose();
      if (failed(closed)) return closed;
      c.send(c.peer.data(1, 'test', { endStream: true }));
      return c.streamError(E.STREAM_CLOSED);
    }],
    ['closed: Sends a HEADERS frame', async (c, ctx) => {
      const block = c.peer.headerBlock(ctx.common());
      c.send(c.peer.headersRaw(1, block, { endStream: true }));
      const closed = await c.streamClose();
      if (failed(closed)) return closed;
      c.send(c.peer.headersRaw(1, block, { endStream: true }));
      return c.connectionError(E.STREAM_CLOSED);
    }],
    ['closed: Sends a CONTINUATION frame', async (c, ctx) => {
      c.send(headers(c, 1, ctx.common(), { endStream: true }));
      const closed = await c.streamClose();
      if (failed(closed)) return closed;
      c.send(continuation(c, 1, ctx.dummy(1), true));
      return c.connectionError(E.STREAM_CLOSED, E.PROTOCOL_ERROR);
    }],
  ]),
  ...group('http2', '5.1.1', [
    ['Sends even-numbered stream identifier', async (c, ctx) => {
      c.send(headers(c, 2, ctx.common(), { endStream: true }));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
    ['Sends stream identifier that is numerically smaller than previous', async (c, ctx) => {
      c.send(headers(c, 5, ctx.common(), { endStream: true }), headers(c, 3, ctx.common(), { endStream: true }));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
  ]),
  ...group('http2', '5.1.2', [
    ['Sends HEADERS frames that causes their advertised concurrent stream limit to be exceeded', async (c, ctx) => {
      const max = c.settings.get(S.MAX_CONCURRENT_STREAMS);
      if (max === undefined) return { skipped: 'the server advertises no SETTINGS_MAX_CONCURRENT_STREAMS' };
      // A zero initial window keeps the server from finishing (closing) the streams.
      const frames = [c.peer.settings([[S.INITIAL_WINDOW_SIZE, 0]])];
      const block = c.peer.headerBlock(ctx.common());
      for (let i = 0, id = 1; i <= max; i++, id += 2) frames.push(c.peer.headersRaw(id, block, { endStream: true }));
      c.send(...frames);
      return c.streamError(E.PROTOCOL_ERROR, E.REFUSED_STREAM);
    }],
  ]),
  ...group('http2', '5.3.1', [
    ['Sends HEADERS frame that depends on itself', async (c, ctx) => {
      c.send(headers(c, 1, ctx.common(), { endStream: true, weight: 256, dependsOn: 1 }));
      return c.streamError(E.PROTOCOL_ERROR);
    }],
    ['Sends PRIORITY frame that depend on itself', async (c) => {
      c.send(c.peer.priority(1, { dependsOn: 1, weight: 256 }));
      return c.streamError(E.PROTOCOL_ERROR);
    }],
  ]),
  ...group('http2', '5.4.1', [
    ['Sends an invalid PING frame for connection close', async (c) => {
      c.send(c.peer.raw(T.PING, 0, 3, new Uint8Array(8)));
      return c.connectionClose();
    }],
  ]),
  ...group('http2', '5.5', [
    ['Sends an unknown extension frame', async (c) => {
      c.send(c.peer.raw(0x16, 0, 0, new Uint8Array(8)), c.peer.ping(ZERO_DATA));
      return c.pingAck(ZERO_DATA);
    }],
    ['Sends an unknown extension frame in the middle of a header block', async (c, ctx) => {
      c.send(headers(c, 1, ctx.common(), { endStream: true, endHeaders: false }), c.peer.raw(0x16, 0, 0, new Uint8Array(8)));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
  ]),
  ...group('http2', '6.1', [
    ['Sends a DATA frame with 0x0 stream identifier', async (c) => {
      c.send(c.peer.data(0, 'test', { endStream: true }));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
    ['Sends a DATA frame on the stream that is not in "open" or "half-closed (local)" state', async (c, ctx) => {
      c.send(headers(c, 1, post(ctx), { endStream: true }), c.peer.data(1, 'test', { endStream: true }));
      return c.streamError(E.STREAM_CLOSED);
    }],
    ['Sends a DATA frame with invalid pad length', async (c, ctx) => {
      c.send(headers(c, 1, [...post(ctx), ['content-length', '4']]), c.peer.raw(T.DATA, 0x09, 1, bytes(6, 'Test')));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
  ]),
  ...group('http2', '6.2', [
    ['Sends a HEADERS frame without the END_HEADERS flag, and a PRIORITY frame', priorityInHeaderBlock],
    ['Sends a HEADERS frame to another stream while sending a HEADERS frame', headersInHeaderBlock],
    ['Sends a HEADERS frame with 0x0 stream identifier', async (c, ctx) => {
      c.send(headers(c, 0, ctx.common(), { endStream: true }));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
    ['Sends a HEADERS frame with invalid pad length', async (c, ctx) => {
      const block = c.peer.headerBlock(ctx.common());
      c.send(c.peer.raw(T.HEADERS, 0x0d, 1, bytes(block.length + 2, block)));
      return c.streamError(E.PROTOCOL_ERROR);
    }],
  ]),
  ...group('http2', '6.3', [
    ['Sends a PRIORITY frame with 0x0 stream identifier', async (c) => {
      c.send(c.peer.priority(0, { weight: 256 }));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
    ['Sends a PRIORITY frame with a length other than 5 octets', async (c, ctx) => {
      c.send(headers(c, 1, ctx.common(), { endStream: true }), c.peer.raw(T.PRIORITY, 0, 1, bytes(0x80, 0, 0, 1)));
      return c.streamError(E.FRAME_SIZE_ERROR);
    }],
  ]),
  ...group('http2', '6.4', [
    ['Sends a RST_STREAM frame with 0x0 stream identifier', async (c) => {
      c.send(c.peer.rstStream(0, E.CANCEL));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
    ['Sends a RST_STREAM frame on a idle stream', async (c) => {
      c.send(c.peer.rstStream(1, E.CANCEL));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
    ['Sends a RST_STREAM frame with a length other than 4 octets', async (c, ctx) => {
      c.send(headers(c, 1, ctx.common(), { endStream: true }), c.peer.raw(T.RST_STREAM, 0, 1, bytes(0, 0, 0)));
      return c.streamError(E.FRAME_SIZE_ERROR);
    }],
  ]),
  ...group('http2', '6.5', [
    ['Sends a SETTINGS frame with ACK flag and payload', async (c) => {
      c.send(c.peer.raw(T.SETTINGS, 0x01, 0, bytes(0)));
      return c.connectionError(E.FRAME_SIZE_ERROR);
    }],
    ['Sends a SETTINGS frame with a stream identifier other than 0x0', async (c) => {
      c.send(c.peer.raw(T.SETTINGS, 0, 1, bytes(0, 3, 0, 0, 0, 0x64)));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
    ['Sends a SETTINGS frame with a length other than a multiple of 6 octets', async (c) => {
      c.send(c.peer.raw(T.SETTINGS, 0, 0, bytes(0, 3, 0)));
      return c.streamError(E.PROTOCOL_ERROR, E.FRAME_SIZE_ERROR);
    }],
  ]),
  ...group('http2', '6.5.2', [
    ['SETTINGS_ENABLE_PUSH (0x2): Sends the value other than 0 or 1', async (c) => {
      c.send(c.peer.settings([[S.ENABLE_PUSH, 2]]));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
    ['SETTINGS_INITIAL_WINDOW_SIZE (0x4): Sends the value above the maximum flow control window size', async (c) => {
      c.send(c.peer.settings([[S.INITIAL_WINDOW_SIZE, 2 ** 31]]));
      return c.connectionError(E.FLOW_CONTROL_ERROR);
    }],
    ['SETTINGS_MAX_FRAME_SIZE (0x5): Sends the value below the initial value', async (c) => {
      c.send(c.peer.settings([[S.MAX_FRAME_SIZE, 16383]]));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
    ['SETTINGS_MAX_FRAME_SIZE (0x5): Sends the value above the maximum allowed frame size', async (c) => {
      c.send(c.peer.settings([[S.MAX_FRAME_SIZE, 16777216]]));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
    ['Sends a SETTINGS frame with unknown identifier', async (c) => {
      c.send(c.peer.settings([[0xff, 1]]), c.peer.ping(ZERO_DATA));
      return c.pingAck(ZERO_DATA);
    }],
  ]),
  ...group('http2', '6.5.3', [
    ['Sends multiple values of SETTINGS_INITIAL_WINDOW_SIZE', async (c, ctx) => {
      if (ctx.serverDataLength < 1) return { skipped: 'the server answers GET / without a body' };
      const sent = await settingsThenGet(c, ctx, [[S.INITIAL_WINDOW_SIZE, 100], [S.INITIAL_WINDOW_SIZE, 1]]);
      return failed(sent) ? sent : c.dataOfLength(1);
    }],
    ['Sends a SETTINGS frame without ACK flag', async (c) => {
      c.send(c.peer.settings([[S.ENABLE_PUSH, 0]]));
      return c.settingsAck();
    }],
  ]),
  ...group('http2', '6.7', [
    ['Sends a PING frame', async (c) => {
      c.send(c.peer.ping(H2SPEC_DATA));
      return c.pingAck(H2SPEC_DATA);
    }],
    ['Sends a PING frame with ACK', async (c) => {
      c.send(c.peer.ping(bytes('invalid', 0), { ack: true }), c.peer.ping(H2SPEC_DATA));
      return c.pingAck(H2SPEC_DATA);
    }],
    ['Sends a PING frame with a stream identifier field value other than 0x0', async (c) => {
      c.send(c.peer.raw(T.PING, 0, 1, new Uint8Array(8)));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
    ['Sends a PING frame with a length field value other than 8', async (c) => {
      c.send(c.peer.raw(T.PING, 0, 0, new Uint8Array(6)));
      return c.connectionError(E.FRAME_SIZE_ERROR);
    }],
  ]),
  ...group('http2', '6.8', [
    ['Sends a GOAWAY frame with a stream identifier other than 0x0', async (c) => {
      c.send(c.peer.raw(T.GOAWAY, 0, 1, new Uint8Array(8)));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
  ]),
  ...group('http2', '6.9', [
    ['Sends a WINDOW_UPDATE frame with a flow control window increment of 0', async (c) => {
      c.send(c.peer.windowUpdate(0, 0));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
    ['Sends a WINDOW_UPDATE frame with a flow control window increment of 0 on a stream', async (c, ctx) => {
      c.send(headers(c, 1, ctx.common()), c.peer.windowUpdate(1, 0));
      return c.streamError(E.PROTOCOL_ERROR);
    }],
    ['Sends a WINDOW_UPDATE frame with a length other than 4 octets', async (c) => {
      c.send(c.peer.raw(T.WINDOW_UPDATE, 0, 0, bytes(0, 0, 1)));
      return c.connectionError(E.FRAME_SIZE_ERROR);
    }],
  ]),
  ...group('http2', '6.9.1', [
    ['Sends SETTINGS frame to set the initial window size to 1 and sends HEADERS frame', async (c, ctx) => {
      if (ctx.serverDataLength < 1) return { skipped: 'the server answers GET / without a body' };
      const sent = await settingsThenGet(c, ctx, [[S.INITIAL_WINDOW_SIZE, 1]]);
      return failed(sent) ? sent : c.dataOfLength(1);
    }],
    // Only a GOAWAY(FLOW_CONTROL_ERROR) passes here: a bare close does not.
    ['Sends multiple WINDOW_UPDATE frames increasing the flow control window to above 2^31-1', async (c) => {
      c.send(c.peer.windowUpdate(0, MAX_WINDOW), c.peer.windowUpdate(0, MAX_WINDOW));
      return c.firstOfType(T.GOAWAY, 'GOAWAY(FLOW_CONTROL_ERROR)', (f) => errorCode(f.payload, 4) === E.FLOW_CONTROL_ERROR);
    }],
    // Only an RST_STREAM(FLOW_CONTROL_ERROR) on stream 1 passes here.
    ['Sends multiple WINDOW_UPDATE frames increasing the flow control window to above 2^31-1 on a stream', async (c, ctx) => {
      c.send(headers(c, 1, ctx.common()), c.peer.windowUpdate(1, MAX_WINDOW), c.peer.windowUpdate(1, MAX_WINDOW));
      return c.firstOfType(T.RST_STREAM, 'RST_STREAM(FLOW_CONTROL_ERROR) on stream 1', (f) => f.streamId === 1 && errorCode(f.payload, 0) === E.FLOW_CONTROL_ERROR);
    }],
  ]),
  ...group('http2', '6.9.2', [
    ['Changes SETTINGS_INITIAL_WINDOW_SIZE after sending HEADERS frame', async (c, ctx) => {
      if (ctx.serverDataLength < 1) return { skipped: 'the server answers GET / without a body' };
      const sent = await settingsThenGet(c, ctx, [[S.INITIAL_WINDOW_SIZE, 0]]);
      if (failed(sent)) return sent;
      c.send(c.peer.settings([[S.INITIAL_WINDOW_SIZE, 1]]));
      return c.dataOfLength(1);
    }],
    ['Sends a SETTINGS frame for window size to be negative', async (c, ctx) => {
      if (ctx.serverDataLength < 5) return { skipped: 'the server answers GET / with fewer than 5 octets' };
      const sent = await settingsThenGet(c, ctx, [[S.INITIAL_WINDOW_SIZE, 3]]);
      if (failed(sent)) return sent;
      const first = await c.firstOfType(T.DATA, 'DATA');
      if (failed(first)) return first;
      c.send(c.peer.settings([[S.INITIAL_WINDOW_SIZE, 2]]));
      const ack = await c.settingsAck();
      if (failed(ack)) return ack;
      c.send(c.peer.windowUpdate(1, 2));
      return c.dataOfLength(1);
    }],
    ['Sends a SETTINGS_INITIAL_WINDOW_SIZE settings with an exceeded maximum window size value', async (c) => {
      c.send(c.peer.raw(T.SETTINGS, 0, 0, bytes(0, 4, 0x80, 0, 0, 0)));
      return c.connectionError(E.FLOW_CONTROL_ERROR);
    }],
  ]),
  ...group('http2', '6.10', [
    ['Sends multiple CONTINUATION frames preceded by a HEADERS frame', async (c, ctx) => {
      c.send(headers(c, 1, ctx.common(), { endStream: true, endHeaders: false }), continuation(c, 1, ctx.dummy(1), false), continuation(c, 1, ctx.dummy(1), true));
      return c.headersFrame(1);
    }],
    ['Sends a CONTINUATION frame followed by any frame other than CONTINUATION', async (c, ctx) => {
      c.send(headers(c, 1, post(ctx), { endHeaders: false }), continuation(c, 1, ctx.dummy(1), false), c.peer.data(1, 'test', { endStream: true }));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
    ['Sends a CONTINUATION frame with 0x0 stream identifier', async (c, ctx) => {
      c.send(headers(c, 1, ctx.common(), { endStream: true, endHeaders: false }), continuation(c, 0, ctx.dummy(1), true));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
    ['Sends a CONTINUATION frame preceded by a HEADERS frame with END_HEADERS flag', async (c, ctx) => {
      c.send(headers(c, 1, ctx.common(), { endStream: true }), continuation(c, 1, ctx.dummy(1), true));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
    ['Sends a CONTINUATION frame preceded by a CONTINUATION frame with END_HEADERS flag', async (c, ctx) => {
      c.send(headers(c, 1, ctx.common(), { endStream: true, endHeaders: false }), continuation(c, 1, ctx.dummy(1), true), continuation(c, 1, ctx.dummy(1), true));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
    ['Sends a CONTINUATION frame preceded by a DATA frame', async (c, ctx) => {
      c.send(
        headers(c, 1, post(ctx), { endHeaders: false }),
        c.peer.data(1, 'test', { endStream: true }),
        continuation(c, 1, ctx.dummy(1), false),
        continuation(c, 0, ctx.dummy(1), true),
      );
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
  ]),
  ...group('http2', '7', [
    ['Sends a GOAWAY frame with unknown error code', async (c) => {
      c.send(c.peer.goAway(0, 0xff), c.peer.ping(H2SPEC_DATA));
      return c.pingAckOrClose(H2SPEC_DATA);
    }],
    ['Sends a RST_STREAM frame with unknown error code', async (c, ctx) => {
      c.send(headers(c, 1, post(ctx)), c.peer.rstStream(1, 0xff), c.peer.ping(ZERO_DATA));
      return c.pingAckOrClose(ZERO_DATA);
    }],
  ]),
  ...group('http2', '8.1', [
    ['Sends a second HEADERS frame without the END_STREAM flag', async (c, ctx) => {
      c.send(headers(c, 1, post(ctx)), c.peer.data(1, 'test'), headers(c, 1, [['x-test', 'ok']]));
      return c.streamError(E.PROTOCOL_ERROR);
    }],
  ]),
  ...group('http2', '8.1.2', [
    ['Sends a HEADERS frame that contains the header field name in uppercase letters', malformedRequest((ctx) => [...ctx.common(), ['X-TEST', 'ok']])],
  ]),
  ...group('http2', '8.1.2.1', [
    ['Sends a HEADERS frame that contains a unknown pseudo-header field', malformedRequest((ctx) => [...ctx.common(), [':test', 'ok']])],
    ['Sends a HEADERS frame that contains the pseudo-header field defined for response', malformedRequest((ctx) => [...ctx.common(), [':status', '200']])],
    ['Sends a HEADERS frame that contains a pseudo-header field as trailers', async (c, ctx) => {
      c.send(headers(c, 1, post(ctx)), c.peer.data(1, 'test'), headers(c, 1, [[':method', 'POST']]));
      return c.streamError(E.PROTOCOL_ERROR);
    }],
    ['Sends a HEADERS frame that contains a pseudo-header field that appears in a header block after a regular header field', malformedRequest((ctx) => [['x-test', 'ok'], ...ctx.common()])],
  ]),
  ...group('http2', '8.1.2.2', [
    ['Sends a HEADERS frame that contains the connection-specific header field', malformedRequest((ctx) => [...ctx.common(), ['connection', 'keep-alive']])],
    ['Sends a HEADERS frame that contains the TE header field with any value other than "trailers"', malformedRequest((ctx) => [...ctx.common(), ['trailers', 'test'], ['te', 'trailers, deflate']])],
  ]),
  ...group('http2', '8.1.2.3', [
    ['Sends a HEADERS frame with empty ":path" pseudo-header field', malformedRequest((ctx) => ctx.common().map(([n, v]): [string, string] => [n, n === ':path' ? '' : v]))],
    // As h2spec sends it: the list without :method, then its tail, so :scheme is missing too.
    ['Sends a HEADERS frame that omits ":method" pseudo-header field', malformedRequest((ctx) => ctx.common().slice(2))],
    ['Sends a HEADERS frame that omits ":scheme" pseudo-header field', malformedRequest((ctx) => ctx.common().filter((_, i) => i !== 1))],
    ['Sends a HEADERS frame that omits ":path" pseudo-header field', malformedRequest((ctx) => ctx.common().filter((_, i) => i !== 2))],
    ['Sends a HEADERS frame with duplicated ":method" pseudo-header field', malformedRequest((ctx) => {
      const h = ctx.common();
      return [...h, [':method', h[0]![1]]];
    })],
    ['Sends a HEADERS frame with duplicated ":scheme" pseudo-header field', malformedRequest((ctx) => {
      const h = ctx.common();
      return [...h, [':scheme', h[1]![1]]];
    })],
    ['Sends a HEADERS frame with duplicated ":path" pseudo-header field', malformedRequest((ctx) => {
      const h = ctx.common();
      return [...h, [':path', h[2]![1]]];
    })],
  ]),
  ...group('http2', '8.1.2.6', [
    ['Sends a HEADERS frame with the "content-length" header field which does not equal the DATA frame payload length', async (c, ctx) => {
      c.send(headers(c, 1, [...post(ctx), ['content-length', '1']]), c.peer.data(1, 'test', { endStream: true }));
      return c.streamError(E.PROTOCOL_ERROR);
    }],
    ['Sends a HEADERS frame with the "content-length" header field which does not equal the sum of the multiple DATA frames payload length', async (c, ctx) => {
      c.send(headers(c, 1, [...post(ctx), ['content-length', '1']]), c.peer.data(1, 'test'), c.peer.data(1, 'test', { endStream: true }));
      return c.streamError(E.PROTOCOL_ERROR);
    }],
  ]),
  ...group('http2', '8.2', [
    ['Sends a PUSH_PROMISE frame', async (c, ctx) => {
      c.send(c.peer.pushPromise(1, 3, ctx.common()));
      return c.connectionError(E.PROTOCOL_ERROR);
    }],
  ]),
];

function errorCode(p: Uint8Array, at: number): number {
  return ((p[at]! << 24) | (p[at + 1]! << 16) | (p[at + 2]! << 8) | p[at + 3]!) >>> 0;
}

/** A GET with END_STREAM on stream 1 whose response HEADERS must come after the frames `before` sends. */
function answered(before: (c: H2SpecConn, ctx: CaseContext) => Uint8Array[]): H2SpecCase['run'] {
  return async (c, ctx) => {
    c.send(...before(c, ctx));
    return c.headersFrame(1);
  };
}

/** A GET of stream 1 with `rep` appended to its header block; the server must answer it. */
function hpackAnswered(rep: Uint8Array): H2SpecCase['run'] {
  return async (c, ctx) => {
    hpackBlock(c, ctx, rep);
    return c.headersFrame(1);
  };
}

/** A GET of stream 1 with `rep` appended (or prepended) to its header block; the server must fail with COMPRESSION_ERROR. */
function hpackRefused(rep: Uint8Array, before = false): H2SpecCase['run'] {
  return async (c, ctx) => {
    hpackBlock(c, ctx, rep, before);
    return c.connectionError(E.COMPRESSION_ERROR);
  };
}

/** Stream 1 answered with WINDOW_UPDATE(1) after a zero initial window and `extra` frames: DATA must follow. */
function halfClosedRemote(extra: (c: H2SpecConn) => Uint8Array[]): H2SpecCase['run'] {
  return async (c, ctx) => {
    c.send(c.peer.settings([[S.INITIAL_WINDOW_SIZE, 0]]), headers(c, 1, ctx.common(), { endStream: true }), ...extra(c), c.peer.windowUpdate(1, 1));
    return c.firstOfType(T.DATA, 'DATA');
  };
}

// generic/5 representations, octet for octet as h2spec sends them. Each carries its name as a literal
// (index 0), whatever the description says, and the Huffman labels of 5/2–3 and 5/6–7 are swapped.
const USER_AGENT_H2SPEC = bytes(10, 'user-agent', 6, 'h2spec');
const USER_AGENT_H2SPEC_HUFFMAN = bytes(0x87, 0xb5, 0x05, 0xb1, 0x61, 0xcc, 0x5a, 0x93, 0x84, 0x9c, 0x48, 0xac, 0xa4);
const X_TEST_H2SPEC = bytes(6, 'x-test', 6, 'h2spec');
const X_TEST_H2SPEC_HUFFMAN = bytes(0x85, 0xf2, 0xb2, 0x4a, 0x84, 0xff, 0x84, 0x9c, 0x48, 0xac, 0xa4);

const GENERIC: H2SpecCase[] = [
  ...group('generic', '1', [['Sends a client connection preface', prefaceCase, false]]),
  ...group('generic', '2', [
    ['Sends a PRIORITY frame on idle stream', async (c) => {
      c.send(c.peer.priority(1, { weight: 256 }), c.peer.ping(ZERO_DATA));
      return c.pingAck(ZERO_DATA);
    }],
    ['Sends a WINDOW_UPDATE frame on half-closed (remote) stream', halfClosedRemote(() => [])],
    ['Sends a PRIORITY frame on half-closed (remote) stream', halfClosedRemote((c) => [c.peer.priority(1, { weight: 256 })])],
    ['Sends a RST_STREAM frame on half-closed (remote) stream', async (c, ctx) => {
      c.send(headers(c, 1, ctx.common(), { endStream: true }), c.peer.rstStream(1, E.CANCEL), c.peer.ping(ZERO_DATA));
      return c.pingAckOrClose(ZERO_DATA);
    }],
    ['Sends a PRIORITY frame on closed stream', async (c, ctx) => {
      c.send(headers(c, 1, ctx.common(), { endStream: true }));
      const closed = await c.streamClose();
      if (failed(closed)) return closed;
      c.send(c.peer.priority(1, { weight: 256 }), c.peer.ping(ZERO_DATA));
      return c.pingAck(ZERO_DATA);
    }],
  ]),
  ...group('generic', '3.1', [
    ['Sends a DATA frame', answered((c, ctx) => [headers(c, 1, post(ctx)), c.peer.data(1, 'test', { endStream: true })])],
    ['Sends multiple DATA frames', answered((c, ctx) => [headers(c, 1, post(ctx)), c.peer.data(1, 'test'), c.peer.data(1, 'test', { endStream: true })])],
    ['Sends a DATA frame with padding', answered((c, ctx) => [headers(c, 1, post(ctx)), c.peer.data(1, 'test', { endStream: true, padLength: 5 })])],
  ]),
  ...group('generic', '3.2', [
    ['Sends a HEADERS frame', answered((c, ctx) => [headers(c, 1, ctx.common(), { endStream: true })])],
    ['Sends a HEADERS frame with padding', answered((c, ctx) => [headers(c, 1, ctx.common(), { endStream: true, padLength: 8 })])],
    ['Sends a HEADERS frame with priority', answered((c, ctx) => [headers(c, 1, ctx.common(), { endStream: true, weight: 256 })])],
  ]),
  ...group('generic', '3.3', [
    ['Sends a PRIORITY frame with priority 1', answered((c, ctx) => [c.peer.priority(1, { weight: 1 }), headers(c, 1, ctx.common(), { endStream: true })])],
    ['Sends a PRIORITY frame with priority 256', answered((c, ctx) => [c.peer.priority(1, { weight: 256 }), headers(c, 1, ctx.common(), { endStream: true })])],
    ['Sends a PRIORITY frame with stream dependency', answered((c, ctx) => [c.peer.priority(3, { dependsOn: 1, weight: 1 }), headers(c, 1, ctx.common(), { endStream: true })])],
    ['Sends a PRIORITY frame with exclusive', answered((c, ctx) => [c.peer.priority(1, { exclusive: true, weight: 1 }), headers(c, 1, ctx.common(), { endStream: true })])],
    ['Sends a PRIORITY frame for an idle stream, then send a HEADER frame for a lower stream ID', answered((c, ctx) => [c.peer.priority(3, { weight: 256 }), headers(c, 1, ctx.common(), { endStream: true })])],
  ]),
  ...group('generic', '3.4', [
    ['Sends a RST_STREAM frame', async (c, ctx) => {
      c.send(headers(c, 1, ctx.common()), c.peer.rstStream(1, E.CANCEL), c.peer.ping(ZERO_DATA));
      return c.pingAckOrClose(ZERO_DATA);
    }],
  ]),
  ...group('generic', '3.5', [
    ['Sends a SETTINGS frame', async (c) => {
      c.send(c.peer.settings([[S.HEADER_TABLE_SIZE, 4096], [S.ENABLE_PUSH, 1], [S.MAX_CONCURRENT_STREAMS, 100], [S.INITIAL_WINDOW_SIZE, 65535], [S.MAX_FRAME_SIZE, 16384], [S.MAX_HEADER_LIST_SIZE, 100]]));
      return c.settingsAck();
    }],
  ]),
  ...group('generic', '3.7', [
    ['Sends a PING frame', async (c) => {
      c.send(c.peer.ping(H2SPEC_DATA));
      return c.pingAck(H2SPEC_DATA);
    }],
  ]),
  ...group('generic', '3.8', [
    ['Sends a GOAWAY frame', async (c) => {
      c.send(c.peer.goAway(0, E.NO_ERROR, 'h2spec'), c.peer.ping(H2SPEC_DATA));
      return c.pingAckOrClose(H2SPEC_DATA);
    }],
  ]),
  ...group('generic', '3.9', [
    ['Sends a WINDOW_UPDATE frame with stream ID 0', async (c) => {
      c.send(c.peer.windowUpdate(0, 1), c.peer.ping(ZERO_DATA));
      return c.pingAck(ZERO_DATA);
    }],
    ['Sends a WINDOW_UPDATE frame with stream ID 1', answered((c, ctx) => [headers(c, 1, ctx.common(), { endStream: true }), c.peer.windowUpdate(1, 1)])],
  ]),
  ...group('generic', '3.10', [
    ['Sends a CONTINUATION frame', answered((c, ctx) => {
      const block = c.peer.headerBlock(ctx.common());
      return [c.peer.headersRaw(1, block.subarray(0, 5), { endStream: true, endHeaders: false }), c.peer.continuation(1, block.subarray(5))];
    })],
    ['Sends multiple CONTINUATION frames', answered((c, ctx) => {
      const block = c.peer.headerBlock(ctx.common());
      return [
        c.peer.headersRaw(1, block.subarray(0, 5), { endStream: true, endHeaders: false }),
        c.peer.continuation(1, block.subarray(5, 10), { endHeaders: false }),
        c.peer.continuation(1, block.subarray(10)),
      ];
    })],
  ]),
  ...group('generic', '4', [
    ['Sends a GET request', answered((c, ctx) => [headers(c, 1, ctx.common(), { endStream: true })])],
    ['Sends a HEAD request', answered((c, ctx) => {
      const h = ctx.common();
      h[0]![1] = 'HEAD';
      return [headers(c, 1, h, { endStream: true })];
    })],
    ['Sends a POST request', answered((c, ctx) => [headers(c, 1, post(ctx)), c.peer.data(1, 'test', { endStream: true })])],
    ['Sends a POST request with trailers', answered((c, ctx) => [
      headers(c, 1, [...post(ctx), ['trailer', 'x-test']]),
      c.peer.data(1, 'test'),
      headers(c, 1, [['x-test', 'ok']], { endStream: true }),
    ])],
  ]),
  ...group('generic', '5', [
    ['Sends a indexed header field representation', hpackAnswered(bytes(0xba))],
    ['Sends a literal header field with incremental indexing - indexed name', hpackAnswered(bytes(0x40, USER_AGENT_H2SPEC_HUFFMAN))],
    ['Sends a literal header field with incremental indexing - indexed name (with Huffman coding)', hpackAnswered(bytes(0x40, USER_AGENT_H2SPEC))],
    ['Sends a literal header field with incremental indexing - new name', hpackAnswered(bytes(0x40, X_TEST_H2SPEC))],
    ['Sends a literal header field with incremental indexing - new name (with Huffman coding)', hpackAnswered(bytes(0x40, X_TEST_H2SPEC_HUFFMAN))],
    ['Sends a literal header field without indexing - indexed name', hpackAnswered(bytes(0x00, USER_AGENT_H2SPEC))],
    ['Sends a literal header field without indexing - indexed name (with Huffman coding)', hpackAnswered(bytes(0x00, USER_AGENT_H2SPEC_HUFFMAN))],
    ['Sends a literal header field without indexing - new name', hpackAnswered(bytes(0x00, X_TEST_H2SPEC))],
    ['Sends a literal header field without indexing - new name (huffman encoded)', hpackAnswered(bytes(0x00, X_TEST_H2SPEC_HUFFMAN))],
    ['Sends a literal header field never indexed - indexed name', hpackAnswered(bytes(0x10, USER_AGENT_H2SPEC))],
    ['Sends a literal header field never indexed - indexed name (huffman encoded)', hpackAnswered(bytes(0x10, USER_AGENT_H2SPEC_HUFFMAN))],
    ['Sends a literal header field never indexed - new name', hpackAnswered(bytes(0x10, X_TEST_H2SPEC_HUFFMAN))],
    ['Sends a literal header field never indexed - new name (huffman encoded)', hpackAnswered(bytes(0x10, X_TEST_H2SPEC_HUFFMAN))],
    ['Sends a dynamic table size update', async (c, ctx) => {
      c.peer.encoder.headerTableSize = 128;
      c.send(headers(c, 1, ctx.common(), { endStream: true }));
      return c.headersFrame(1);
    }],
    ['Sends multiple dynamic table size update', async (c, ctx) => {
      hpackBlock(c, ctx, bytes(0x3f, 0x61, 0x3f, 0xe1, 0x1f), true);
      return c.headersFrame(1);
    }],
  ]),
];

const HPACK: H2SpecCase[] = [
  ...group('hpack', '2.3.3', [
    ['Sends a indexed header field representation with invalid index', hpackRefused(bytes(0xc6))],
    ['Sends a literal header field representation with invalid index', hpackRefused(bytes(0x7f, 0x07, 0x00))],
  ]),
  ...group('hpack', '4.2', [
    ['Sends a dynamic table size update at the end of header block', hpackRefused(bytes(0x21))],
  ]),
  ...group('hpack', '5.2', [
    ['Sends a Huffman-encoded string literal representation with padding longer than 7 bits', hpackRefused(bytes(0x00, 0x85, 0xf2, 0xb2, 0x4a, 0x84, 0xff, 0x84, 0x49, 0x50, 0x9f, 0xff))],
    ['Sends a Huffman-encoded string literal representation padded by zero', hpackRefused(bytes(0x00, 0x85, 0xf2, 0xb2, 0x4a, 0x84, 0xff, 0x83, 0x49, 0x50, 0x90))],
    ['Sends a Huffman-encoded string literal representation containing the EOS symbol', hpackRefused(bytes(0x00, 0x85, 0xf2, 0xb2, 0x4a, 0x84, 0xff, 0x87, 0x49, 0x51, 0xff, 0xff, 0xff, 0xfa, 0x7f))],
  ]),
  ...group('hpack', '6.1', [
    ['Sends a indexed header field representation with index 0', hpackRefused(bytes(0x80))],
  ]),
  ...group('hpack', '6.3', [
    ['Sends a dynamic table size update larger than the value of SETTINGS_HEADER_TABLE_SIZE', async (c, ctx) => {
      hpackBlock(c, ctx, tableSizeUpdate((c.settings.get(S.HEADER_TABLE_SIZE) ?? 4096) + 1), true);
      return c.connectionError(E.COMPRESSION_ERROR);
    }],
  ]),
];

/** An HPACK dynamic table size update (RFC 7541 §6.3) to `size`: 001 prefix, 5-bit prefix integer. */
function tableSizeUpdate(size: number): Uint8Array {
  if (size < 31) return bytes(0x20 | size);
  const out = [0x3f];
  let rest = size - 31;
  for (; rest >= 128; rest = Math.floor(rest / 128)) out.push(0x80 | (rest & 0x7f));
  out.push(rest);
  return Uint8Array.from(out);
}

/** All 146 default cases in h2spec's run order: generic, http2, hpack. */
export const H2SPEC_CASES: readonly H2SpecCase[] = [...GENERIC, ...HTTP2, ...HPACK];

/** h2spec's one strict case (`h2spec --strict`): numbered after 5.4.1's default case. */
export const H2SPEC_STRICT_CASES: readonly H2SpecCase[] = [
  {
    id: 'http2/5.4.1/2',
    desc: 'Sends an invalid PING frame to receive GOAWAY frame',
    handshake: true,
    run: async (c) => {
      // RFC 9113 §5.4.1: an endpoint that encounters a connection error SHOULD first send a GOAWAY.
      c.send(c.peer.raw(T.PING, 0, 3, new Uint8Array(8)));
      return c.firstOfType(T.GOAWAY, 'GOAWAY(PROTOCOL_ERROR)');
    },
  },
];

/** A case's result, with what the client sent and saw when it failed. */
export interface CaseResult {
  readonly case: H2SpecCase;
  readonly verdict: Verdict;
  readonly log: readonly string[];
}

/** Body of the test server's answer to `GET /`: long enough for every flow-control case (≥ 5 octets). */
export const SERVER_BODY = 'hello from h2flow, the h2spec target\n';

/**
 * The h2spec target: a real h2flow server on 127.0.0.1 (free port) that answers every request with 200
 * and {@link SERVER_BODY}, after reading the request body to its end.
 */
export async function startTarget(): Promise<{ port: number; stop(): Promise<void> }> {
  const server = serve(
    async (req) => {
      if (req.body !== null) await req.arrayBuffer();
      return new Response(req.method === 'HEAD' ? null : SERVER_BODY, { status: 200 });
    },
    // The suite provokes a connection error from 127.0.0.1 on purpose, case after case: no abuse guard.
    { port: 0, hostname: '127.0.0.1', abuse: false, onListen: () => undefined, onError: () => new Response(null, { status: 500 }) },
  );
  const { port } = await server.listening;
  return { port, stop: () => server.shutdown() };
}

/** Runs `cases` against `port`, each on its own connection, `concurrency` at a time, waiting `timeoutMs` per event. */
export function runCases(cases: readonly H2SpecCase[], port: number, { concurrency = 8, timeoutMs = 1000 } = {}): Promise<CaseResult[]> {
  const authority = `127.0.0.1:${port}`;
  const ctx: CaseContext = {
    common: () => [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', authority]],
    dummy: (n) => Array.from({ length: n }, (_, i): [string, string] => [`x-dummy${i}`, 'x'.repeat(4000)]),
    serverDataLength: SERVER_BODY.length,
  };
  return inBatches(cases.map((tc) => async (): Promise<CaseResult> => {
    const c = await H2SpecConn.open(port, timeoutMs);
    try {
      if (tc.handshake) await c.handshake();
      return { case: tc, verdict: await tc.run(c, ctx), log: c.log };
    } catch (e) {
      return { case: tc, verdict: { ok: false, expected: 'a completed case', actual: (e as Error).message }, log: c.log };
    } finally {
      c.close();
    }
  }), concurrency);
}

/** A failed verdict as one line, for assertion messages. */
export function describeVerdict(r: CaseResult): string {
  const v = r.verdict;
  if ('skipped' in v) return `skipped: ${v.skipped}`;
  return v.ok ? 'passed' : `expected ${v.expected}, got ${v.actual}\n  ${r.log.join('\n  ')}`;
}
