/**
 * `dataToSendVectored()` (beyond h2): pending output as a list of arrays with large DATA payloads
 * referenced, not copied, once it was used; `dataToSend()` and the plain API keep h2's copying contract.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { H2Connection } from '../../src/core';
import { REQUEST, RESPONSE, serverPair } from '../support/h2-connection';
import { concat } from '../support/bytes';

const Vectored = suite('vectored output');

/**
 * A server past the handshake with request 1 received and its response headers sent, drained with
 * the vectored form (which turns references on) or, for `plainServer`, only ever with `dataToSend`.
 */
function server(vectored: boolean): H2Connection {
  const { conn, peer } = serverPair();
  conn.receiveData(peer.headers(1, REQUEST, { endStream: true }));
  conn.sendHeaders(1, RESPONSE);
  if (vectored) conn.dataToSendVectored();
  else conn.dataToSend();
  return conn;
}

const respondingServer = (): H2Connection => server(true);
const plainServer = (): H2Connection => server(false);

function payload(size: number, fill: number): Uint8Array {
  return new Uint8Array(size).fill(fill);
}

Vectored('large unpadded DATA payloads come out as the very arrays given to sendData, in order with the frames around them', () => {
  const conn = respondingServer();
  const plain = plainServer();
  const big = payload(8192, 0x61);
  for (const c of [conn, plain]) {
    c.sendData(1, big);
    c.ping(new Uint8Array(8));
    c.sendData(1, payload(10, 0x62), { endStream: true });
  }
  const pieces = conn.dataToSendVectored();
  assert.ok(pieces.includes(big), 'the payload is referenced, not copied');
  assert.equal(concat(...pieces), plain.dataToSend(), 'the same bytes as the copying form');
});

Vectored('dataToSend copies referenced payloads into its one array', () => {
  const conn = respondingServer();
  const plain = plainServer();
  const big = payload(5000, 0x63);
  conn.sendData(1, big);
  plain.sendData(1, big);
  const expected = plain.dataToSend();
  const out = conn.dataToSend();
  big.fill(0);
  assert.equal(out, expected, 'a copy: later changes to the payload do not reach it');
});

Vectored('without dataToSendVectored, sendData copies as h2 does: changing the array afterwards changes nothing', () => {
  const conn = plainServer();
  const big = payload(8192, 0x64);
  conn.sendData(1, big);
  big.fill(0);
  const out = conn.dataToSend();
  assert.ok(out.subarray(9).every((b) => b === 0x64));
});

Vectored('small and padded payloads are copied even in vectored mode', () => {
  const conn = respondingServer();
  const small = payload(100, 0x65);
  const padded = payload(8192, 0x66);
  conn.sendData(1, small);
  conn.sendData(1, padded, { padLength: 4 });
  const pieces = conn.dataToSendVectored();
  assert.is(pieces.length, 1, 'one packed array');
  assert.not.ok(pieces.includes(small) || pieces.includes(padded));
});

Vectored('bufferedAmount counts referenced payloads and clearOutboundDataBuffer drops them', () => {
  const conn = respondingServer();
  conn.sendData(1, payload(16384, 0x67));
  assert.is(conn.bufferedAmount, 9 + 16384);
  conn.clearOutboundDataBuffer();
  assert.is(conn.bufferedAmount, 0);
  assert.equal(conn.dataToSendVectored(), []);
});

Vectored.run();
