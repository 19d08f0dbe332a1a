/**
 * Seeded fuzz inputs for one client connection to a server: the preface and SETTINGS, then frames
 * drawn from structure-aware generators — valid frames, valid frames with mutated fields, HPACK blocks
 * with mutated octets, legal-looking sequences in illegal states, floods, random octets — cut into
 * random chunks, sometimes truncated. Same seed, same connection.
 */
import { frameBytes, TestPeer, E, S, T, type HeaderPair } from '../support/peer';
import { mulberry32, type Prng } from '../support/prng';

/** One fuzzed connection: the chunks to write, in order, and how many frames they carry. */
export interface FuzzConnection {
  readonly seed: number;
  readonly chunks: Uint8Array[];
  readonly frames: number;
}

const METHODS = ['GET', 'POST', 'HEAD', 'PUT', 'CONNECT', 'OPTIONS', 'get', ''];
const NAMES = ['x-a', 'cookie', 'content-length', 'te', 'connection', 'host', ':path', ':method', ':status', ':protocol', 'X-Upper', 'a b', '', 'user-agent'];
const VALUES = ['', 'v', '0', '-1', '10', 'trailers', 'keep-alive', 'a\r\nb', ' x ', 'é', '/', '*'];
const ERROR_CODES = [E.NO_ERROR, E.PROTOCOL_ERROR, E.CANCEL, E.ENHANCE_YOUR_CALM, E.REFUSED_STREAM, 0xffffffff, 0x1234];
const INTERESTING_U32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 16383, 16384, 16777215, 65535, 65536, 2 ** 31 - 1];

/** A request header list, sometimes malformed (missing, duplicated or misplaced pseudo-headers, bad fields, large values). */
function requestHeaders(r: Prng): HeaderPair[] {
  const out: HeaderPair[] = [];
  if (r.next() < 0.9) out.push([':method', r.next() < 0.8 ? 'GET' : r.pick(METHODS)]);
  if (r.next() < 0.9) out.push([':scheme', r.next() < 0.9 ? 'http' : 'ftp']);
  if (r.next() < 0.9) out.push([':authority', 'localhost']);
  if (r.next() < 0.9) out.push([':path', r.next() < 0.9 ? `/${r.int(100)}` : r.pick(['', '*', 'x', '/a b'])]);
  const extra = r.next() < 0.1 ? r.int(300) : r.int(6);
  for (let i = 0; i < extra; i++) {
    const big = r.next() < 0.002;
    out.push([r.next() < 0.7 ? `x-${r.int(20)}` : r.pick(NAMES), big ? 'v'.repeat(r.int(120_000)) : r.pick(VALUES)]);
  }
  if (r.next() < 0.05) out.reverse();
  return out;
}

/** Flips, overwrites, inserts or deletes a few octets of `bytes` (never the empty array). */
function mutate(r: Prng, bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0) return r.bytes(1 + r.int(8));
  let b = Uint8Array.from(bytes);
  const n = 1 + r.int(4);
  for (let i = 0; i < n; i++) {
    const at = r.int(b.length);
    switch (r.int(5)) {
      case 0:
        b[at] = b[at]! ^ (1 << r.int(8));
        break;
      case 1:
        b[at] = r.int(256);
        break;
      case 2:
        b[at] = r.pick([0x00, 0x7f, 0x80, 0xff]);
        break;
      case 3: {
        const ins = r.bytes(1 + r.int(4));
        const c = new Uint8Array(b.length + ins.length);
        c.set(b.subarray(0, at));
        c.set(ins, at);
        c.set(b.subarray(at), at + ins.length);
        b = c;
        break;
      }
      default:
        if (b.length > 1) b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + 1)]);
    }
  }
  return b;
}

/** A frame whose 9-octet header fields are mutated: length, type, flags, or stream ID. */
function mutateHeader(r: Prng, frame: Uint8Array): Uint8Array {
  const b = Uint8Array.from(frame);
  const v = new DataView(b.buffer);
  switch (r.int(4)) {
    case 0: {
      const len = r.pick([0, 1, 7, 8, 9, 16384, 16385, 0xffffff, r.int(64)]);
      b[0] = len >>> 16;
      b[1] = (len >>> 8) & 0xff;
      b[2] = len & 0xff;
      break;
    }
    case 1:
      b[3] = r.next() < 0.7 ? r.int(11) : r.int(256);
      break;
    case 2:
      b[4] = r.int(256);
      break;
    default:
      v.setUint32(5, r.pick(INTERESTING_U32) || r.int(20));
  }
  return b;
}

/** Generates frames for one connection against a server; `frames` counts what was generated. */
export function fuzzConnection(seed: number, maxFrames: number): FuzzConnection {
  const r = mulberry32(seed);
  const peer = new TestPeer('client');
  const parts: Uint8Array[] = [];
  let frames = 0;
  let nextId = 1;
  const open: number[] = [];
  const streamId = (): number => {
    const x = r.next();
    if (x < 0.5 && open.length > 0) return r.pick(open);
    if (x < 0.8) {
      const id = nextId;
      nextId += 2;
      open.push(id);
      if (open.length > 64) open.shift();
      return id;
    }
    return r.pick([0, 2, 1, nextId + 10, 0x7fffffff, Math.max(1, nextId - 4)]);
  };
  const push = (b: Uint8Array, n = 1): void => {
    parts.push(b);
    frames += n;
  };
  // The preface, usually intact.
  parts.push(r.next() < 0.97 ? peer.greeting(r.next() < 0.2 ? { [S.INITIAL_WINDOW_SIZE]: r.pick(INTERESTING_U32), [S.MAX_FRAME_SIZE]: r.pick([16384, 16777215, 100]) } : {}) : mutate(r, peer.greeting()));
  frames++;
  const count = 1 + r.int(maxFrames);
  while (frames < count) {
    const kind = r.int(100);
    if (kind < 25) {
      // Valid frames of every type.
      switch (r.int(12)) {
        case 0:
        case 1:
          push(peer.headers(streamId(), requestHeaders(r), { endStream: r.next() < 0.5, ...(r.next() < 0.1 ? { fragments: 1 + r.int(8) } : {}), ...(r.next() < 0.1 ? { padLength: r.int(256) } : {}) }));
          break;
        case 2:
          push(peer.data(streamId(), r.bytes(r.int(r.next() < 0.1 ? 70_000 : 100)), { endStream: r.next() < 0.3 }));
          break;
        case 3:
          push(peer.settings({ [r.pick([1, 2, 3, 4, 5, 6, 8, 9, 0x10])]: r.pick(INTERESTING_U32) }));
          break;
        case 4:
          push(peer.ping(r.bytes(8), { ack: r.next() < 0.2 }));
          break;
        case 5:
          push(peer.rstStream(streamId(), r.pick(ERROR_CODES)));
          break;
        case 6:
          push(peer.windowUpdate(r.next() < 0.5 ? 0 : streamId(), r.pick(INTERESTING_U32.filter((x) => x > 0 && x < 2 ** 31))));
          break;
        case 7:
          push(peer.priority(streamId(), { dependsOn: r.next() < 0.3 ? 0 : streamId(), weight: 1 + r.int(256), exclusive: r.next() < 0.5 }));
          break;
        case 8:
          push(peer.goAway(r.int(100), r.pick(ERROR_CODES), r.bytes(r.int(20))));
          break;
        case 9:
          push(peer.continuation(streamId(), peer.headerBlock(requestHeaders(r)), { endHeaders: r.next() < 0.5 }));
          break;
        case 10:
          push(peer.priorityUpdate(streamId(), r.pick(['u=0', 'u=7, i', 'garbage', ''])));
          break;
        default:
          push(peer.raw(r.pick([0x0a, 0x0c, 0x10, 0xfa]), r.int(256), r.int(5), r.bytes(r.int(40))));
      }
    } else if (kind < 45) {
      // A valid frame with a mutated header (length, type, flags, stream ID).
      const f = r.next() < 0.5 ? peer.data(streamId(), r.bytes(r.int(30))) : r.next() < 0.5 ? peer.settings({ [S.MAX_CONCURRENT_STREAMS]: r.int(1000) }) : peer.rstStream(streamId());
      push(mutateHeader(r, f));
    } else if (kind < 60) {
      // An HPACK block with mutated octets (the peer's encoder is now ahead of the server's decoder).
      push(peer.headersRaw(streamId(), mutate(r, peer.headerBlock(requestHeaders(r), { huffman: r.next() < 0.5 })), { endStream: r.next() < 0.5 }));
    } else if (kind < 72) {
      // A payload with mutated octets.
      push(mutate(r, r.next() < 0.5 ? peer.settings({ [S.ENABLE_PUSH]: 0 }) : peer.ping(r.bytes(8))));
    } else if (kind < 82) {
      // Legal-looking sequences in illegal states.
      const id = streamId();
      const seqs = [
        () => [peer.headers(id, requestHeaders(r), { endStream: true }), peer.data(id, 'late')],
        () => [peer.headers(id, requestHeaders(r)), peer.headers(id, requestHeaders(r))],
        () => [peer.headers(id, requestHeaders(r), { endStream: true }), peer.rstStream(id), peer.rstStream(id), peer.windowUpdate(id, 1)],
        () => [peer.headersRaw(id, peer.headerBlock(requestHeaders(r)).subarray(0, 3), { endHeaders: false }), peer.ping(r.bytes(8))],
        () => [peer.headers(id, [[':method', 'POST'], [':scheme', 'http'], [':authority', 'x'], [':path', '/'], ['content-length', '3']]), peer.data(id, 'toolong', { endStream: true })],
        () => [peer.headers(id, requestHeaders(r)), peer.windowUpdate(id, 0x7fffffff), peer.windowUpdate(id, 0x7fffffff)],
        () => [peer.pushPromise(id, id + 1, requestHeaders(r))],
        () => [peer.settings({}, { ack: true }), peer.settings({}, { ack: true })],
      ];
      const seq = r.pick(seqs)();
      push(peer.concat(...seq), seq.length);
    } else if (kind < 88) {
      // Floods: one small frame many times.
      const f = r.pick([
        () => peer.ping(r.bytes(8)),
        () => peer.settings({}),
        () => peer.data(streamId(), ''),
        () => peer.priority(streamId()),
        () => frameBytes(0x0c, 0, 0),
        () => peer.continuation(streamId(), new Uint8Array(0), { endHeaders: false }),
        () => peer.concat(peer.headers(nextId, [[':method', 'GET'], [':scheme', 'http'], [':authority', 'x'], [':path', '/']]), peer.rstStream(nextId)),
      ])();
      const n = 10 + r.int(r.next() < 0.3 ? 3000 : 200);
      const flood = new Uint8Array(f.length * n);
      for (let i = 0; i < n; i++) flood.set(f, i * f.length);
      if (f.length > 13) nextId += 2 * n; // rapid reset: each copy reuses the same ID after the first
      push(flood, n);
    } else if (kind < 90 && r.next() < 0.3) {
      // A big header block spread over CONTINUATIONs, or one past the hard cap.
      push(peer.headers(streamId(), [[':method', 'GET'], [':scheme', 'http'], [':authority', 'x'], [':path', '/'], ['cookie', 'c'.repeat(r.pick([1000, 70_000, 140_000, 300_000]))]], { fragments: 1 + r.int(80) }));
    } else if (kind >= 90) {
      // Random octets.
      push(r.bytes(1 + r.int(64)));
    }
    if (r.next() < 0.01) break;
  }
  let bytes = peer.concat(...parts);
  // Truncated mid-frame now and then.
  if (r.next() < 0.1) bytes = bytes.subarray(0, r.int(bytes.length + 1));
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const n = r.next() < 0.5 ? bytes.length - at : 1 + r.int(Math.min(bytes.length - at, 4096));
    chunks.push(bytes.subarray(at, at + n));
    at += n;
  }
  return { seed, chunks, frames };
}

export { T };
