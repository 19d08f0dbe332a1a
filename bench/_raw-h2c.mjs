// A raw h2c client for the memory tools (bench/memory.bench.mjs, heap-breakdown.mjs,
// alloc-per-connection.mjs): frames written by hand, so that what is measured on the server side is the
// server's alone, and the same connections and requests for every tool. Also the message plumbing to the
// tools' server child process.
import { connect } from 'node:net';

/** One HTTP/2 frame: the 9-byte header, then `payload`. */
export const frame = (type, flags, stream, payload) => {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream, 5);
  return Buffer.concat([h, payload]);
};

const PREFACE_AND_SETTINGS = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), frame(4, 0, 0, Buffer.alloc(0))]);
const SETTINGS_ACK = frame(4, 1, 0, Buffer.alloc(0));
// :method GET, :scheme http, :path /, :authority x (literal without indexing, name index 1).
const BLOCK = Buffer.from([0x82, 0x86, 0x84, 0x01, 0x01, 0x78]);

/**
 * A connection that sent its preface and SETTINGS, resolved once the server's SETTINGS arrived (the
 * session exists) and acknowledged (its SETTINGS timer is done: an idle connection as it stays).
 */
export function openIdle(port) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(PREFACE_AND_SETTINGS));
    let seen = false;
    socket.on('data', () => {
      if (seen) return;
      seen = true;
      socket.write(SETTINGS_ACK);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** `n` idle connections (see openIdle), opened 50 at a time. */
export async function openIdleMany(port, n) {
  const sockets = [];
  for (let i = 0; i < n; i += 50) sockets.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => openIdle(port)))));
  return sockets;
}

/** `n` GET requests on streams 2·from+1, 2·from+3, …: HEADERS with END_HEADERS, no END_STREAM (held open). */
export function heldRequests(from, n) {
  return Buffer.concat(Array.from({ length: n }, (_, i) => frame(1, 0x4, 2 * (from + i) + 1, BLOCK)));
}

/** The child's messages in order: `next()` the next one, `ask(m)` sends `m` and waits for the reply. */
export function childReplies(child) {
  const replies = [];
  let waiting = null;
  child.on('message', (m) => (waiting ? (waiting(m), (waiting = null)) : replies.push(m)));
  const next = () => (replies.length ? Promise.resolve(replies.shift()) : new Promise((r) => (waiting = r)));
  const ask = (m) => {
    child.send(m);
    return next();
  };
  return { next, ask };
}
