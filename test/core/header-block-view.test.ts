/**
 * The connection encodes each HEADERS block into the HPACK encoders' shared scratch and copies it into
 * its outbound buffer at once (no block copy per response): blocks sent one after another, on several
 * connections, and split into CONTINUATION frames, all reach the peer as they were sent.
 */
import { test } from 'uvu';
import { REQUEST, serverPair } from '../support/h2-connection';
import type { HeaderPair } from '../support/peer';

test('responses on two connections, interleaved, one split into CONTINUATIONs, each arrive as sent', () => {
  const a = serverPair();
  const b = serverPair();
  for (const id of [1, 3, 5]) {
    a.conn.receiveData(a.peer.headers(id, REQUEST, { endStream: true }));
    b.conn.receiveData(b.peer.headers(id, REQUEST, { endStream: true }));
  }
  const big = 'v'.repeat(40_000);
  const sent: Array<[typeof a, number, HeaderPair[]]> = [
    [a, 1, [[':status', '200'], ['x-a', '1']]],
    [b, 1, [[':status', '404'], ['x-b', 'one']]],
    [a, 3, [[':status', '201'], ['x-big', big], ['x-after', 'big']]],
    [b, 3, [[':status', '200'], ['x-b', 'three']]],
    [a, 5, [[':status', '200'], ['x-a', '5']]],
    [b, 5, [[':status', '500']]],
  ];
  for (const [pair, id, headers] of sent) pair.conn.sendHeaders(id, headers, { endStream: true });
  for (const pair of [a, b]) {
    pair.peer.read(pair.conn.dataToSend());
    for (const [p, id, headers] of sent) if (p === pair) pair.peer.expectHeaders({ streamId: id, endStream: true, headers });
    pair.peer.expectNone();
  }
});

test.run();
