/**
 * `for await (const stream of session)`: the session's own async iterator takes its streams (requests;
 * pushes on a client) straight from the queue behind `incoming`, with no ReadableStream and no reader.
 * It must mean what iterating `incoming` means — a `break` refuses what was not taken, the session's end
 * ends the loop (a failure too: the loop ends, the failure is `closed`'s, as `incoming`'s reads end), a
 * stream reset before it was taken is dropped — and keep one reader at a time against `incoming`.
 * Run on native Web Streams and on web-streams-polyfill (the `streams` option).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ReadableStream as PolyReadable, WritableStream as PolyWritable } from 'web-streams-polyfill';
import { ErrorCodes } from '../../src/core';
import { globalStreams, H2Session, H2SessionError, type H2Stream, type StreamConstructors } from '../../src/streams';
import { acceptIncoming, refuseIncoming } from '../../src/streams/session';
import { countingStreams, duplexPair, rejection, settle, type DuplexEnd } from '../support/duplex-pair';
import { facingPeer, GET, giveUpARead, OK, POST, track } from '../support/session-fixtures';
import type { PeerFrame } from '../support/peer';

const IMPLEMENTATIONS: [string, StreamConstructors][] = [
  ['native', globalStreams()],
  ['web-streams-polyfill', { ReadableStream: PolyReadable, WritableStream: PolyWritable } as unknown as StreamConstructors],
];

const pushedRequest = (path: string): [string, string][] => [[':method', 'GET'], [':scheme', 'http'], [':path', path], [':authority', 'example.com']];

/** The RST_STREAM frames among `frames`, as [stream id, error code]. */
const resets = (frames: readonly PeerFrame[]): [number, number | undefined][] =>
  frames.filter((f) => f.typeName === 'RST_STREAM').map((f) => [f.streamId, f.errorCode]);

/** The ids `for await` over the session yields before its `break` after the first. */
async function takeOne(session: H2Session): Promise<number[]> {
  const ids: number[] = [];
  for await (const stream of session) {
    ids.push(stream.id);
    break;
  }
  return ids;
}

for (const [name, streams] of IMPLEMENTATIONS) {
  const Iterate = suite(`for await over an H2Session (${name} Web Streams)`);

  /** A server and a client session over one in-memory pair; the server's streams counted. */
  function pair() {
    const counted = countingStreams(streams);
    const [a, b] = duplexPair({ streams });
    const server = new H2Session(a, { role: 'server', streams: counted });
    const client = new H2Session(b, { role: 'client', streams });
    return { server, client, counted, serverEnd: a as DuplexEnd, clientEnd: b as DuplexEnd };
  }

  Iterate("a server session is async-iterable: for await yields each request, and the session's end ends the loop", async () => {
    const { server, client, counted } = pair();
    const ids: number[] = [];
    const loop = track(
      (async () => {
        for await (const stream of server) {
          ids.push(stream.id);
          stream.respond(OK, { body: 'ok' });
        }
      })(),
    );
    for (let i = 0; i < 3; i++) {
      const stream = await client.request(GET, { endStream: true });
      assert.equal(await stream.response, OK);
    }
    await settle();
    assert.is(loop.settled, false, 'the loop waits for more while the session is open');
    await client.close();
    await server.closed;
    await settle();
    assert.is(loop.done, true, 'the loop ended with the session');
    assert.is(loop.failed, undefined);
    assert.equal(ids, [1, 3, 5]);
    assert.is(counted.readables, 0, 'no ReadableStream was made: not incoming, not a request body');
  });

  Iterate('break out of for await over the session refuses the requests not taken (REFUSED_STREAM), and every later one', async () => {
    const counted = countingStreams(streams);
    const { session: server, wire, peer } = await facingPeer('server', { streams: counted });
    const transportStreams = counted.readables; // the in-memory transport's own, made with the same constructors
    await wire.send(peer.headers(1, GET, { endStream: true }), peer.headers(3, GET, { endStream: true }), peer.headers(5, POST));
    await settle();
    for await (const stream of server) {
      assert.is(stream.id, 1);
      stream.respond(OK, { endStream: true });
      break;
    }
    await wire.send(peer.headers(7, GET, { endStream: true }));
    await settle();
    const frames = peer.drain();
    assert.ok(frames.some((f) => f.typeName === 'HEADERS' && f.streamId === 1), 'the request taken was answered');
    assert.equal(resets(frames), [
      [3, ErrorCodes.REFUSED_STREAM],
      [5, ErrorCodes.REFUSED_STREAM],
      [7, ErrorCodes.REFUSED_STREAM],
    ]);
    assert.is(counted.readables, transportStreams, 'cancelled with no ReadableStream made');
    await server.close({ graceful: false });
  });

  Iterate('iterating a session while incoming is being read throws a TypeError, and so does a second iterator', async () => {
    const { server, client } = pair();
    // incoming locked by a reader, then by its own iterator.
    const reader = server.incoming.getReader();
    assert.throws(() => server[Symbol.asyncIterator](), TypeError);
    reader.releaseLock();
    const overIncoming = server.incoming[Symbol.asyncIterator]();
    assert.throws(() => server[Symbol.asyncIterator](), TypeError);
    await overIncoming.return!();
    await client.close({ graceful: false });

    // A second iterator over the session while the first has not ended, with for await too.
    const other = pair();
    const first = other.server[Symbol.asyncIterator]();
    assert.throws(() => other.server[Symbol.asyncIterator](), TypeError);
    const second = await rejection(
      (async () => {
        for await (const _ of other.server) assert.unreachable('a second reader must not take streams');
      })(),
    );
    assert.instance(second, TypeError);
    await first.return!();
    // Once the first ended (by its break: the queue is cancelled), a new one may iterate: it ends at once.
    assert.equal(await other.server[Symbol.asyncIterator]().next(), { value: undefined, done: true });
    await other.client.close({ graceful: false });
  });

  Iterate("a session whose streams are taken by acceptIncoming (the fetch server's path) cannot be iterated", async () => {
    const { server, client } = pair();
    acceptIncoming(server, { take: () => undefined, end: () => undefined });
    assert.throws(() => server[Symbol.asyncIterator](), TypeError);
    await client.close({ graceful: false });
  });

  Iterate("incoming, touched while the session is iterated, is locked; after the loop's break it is cancelled and its reads end", async () => {
    const { session: server, wire, peer } = await facingPeer('server', { streams });
    const it = server[Symbol.asyncIterator]();
    const first = it.next();
    const incoming = server.incoming;
    assert.instance(incoming, streams.ReadableStream as unknown as typeof ReadableStream);
    assert.is(incoming.locked, true, 'made during the loop, it comes locked by it');
    assert.throws(() => incoming.getReader(), TypeError);
    assert.is(server.incoming, incoming, 'one incoming');
    await wire.send(peer.headers(1, GET, { endStream: true }));
    assert.is((await first).value!.id, 1, 'the waiting next() still gets the request');
    await wire.send(peer.headers(3, GET, { endStream: true }));
    await settle();
    const waiting = track(it.next().then((r) => r.value!.id));
    await settle();
    assert.is(waiting.settled, true, 'the queued request was taken');
    const last = track(it.next());
    await settle();
    assert.is(last.settled, false, 'waits for the next request');
    await wire.send(peer.headers(5, GET, { endStream: true }), peer.headers(7, GET, { endStream: true }));
    await settle();
    assert.is(last.settled, true);
    assert.equal(await it.return!(), { value: undefined, done: true });
    assert.is(incoming.locked, false, 'released by the break');
    const read = incoming.getReader().read();
    const tracked = track(read);
    await settle();
    assert.is(tracked.done, true, 'a read of the cancelled incoming ends');
    assert.equal(await read, { value: undefined, done: true });
    assert.equal(resets(peer.drain()), [[7, ErrorCodes.REFUSED_STREAM]], 'the request not taken was refused');
    assert.equal(await it.next(), { value: undefined, done: true });
    await server.close({ graceful: false });
  });

  Iterate('incoming made only after the loop over the session ended is closed: its reads end (after a break, after the session closed)', async () => {
    // After a break: the queue was cancelled with no ReadableStream to cancel.
    const { server, client } = pair();
    await client.request(GET, { endStream: true });
    await settle();
    for await (const stream of server) {
      stream.respond(OK, { endStream: true });
      break;
    }
    const afterBreak = track(server.incoming.getReader().read());
    await settle();
    assert.is(afterBreak.done, true, 'a read of incoming made after the break ends');
    await client.close({ graceful: false });

    // After the session closed: the loop ended with it.
    const other = pair();
    const loop = (async () => {
      for await (const stream of other.server) stream.respond(OK, { endStream: true });
    })();
    await (await other.client.request(GET, { endStream: true })).response;
    await other.client.close();
    await loop;
    const afterEnd = track(other.server.incoming.getReader().read());
    await settle();
    assert.is(afterEnd.done, true, 'a read of incoming made after the session ended ends');
  });

  Iterate('a next() waiting when the session ends settles done, whatever ends it (as incoming ends; the failure is in closed)', async () => {
    type Case = { name: string; fails: boolean; setUp: () => Promise<{ server: H2Session; end: () => unknown }> };
    const pairCase = (caseName: string, fails: boolean, end: (p: ReturnType<typeof pair>) => unknown): Case => ({
      name: caseName,
      fails,
      setUp: async () => {
        const p = pair();
        await p.client.ping();
        return { server: p.server, end: () => end(p) };
      },
    });
    const cases: Case[] = [
      pairCase('the server closes gracefully', false, (p) => p.server.close()),
      pairCase('the server closes at once', false, (p) => p.server.close({ graceful: false })),
      pairCase('the client closes', false, (p) => p.client.close()),
      pairCase('the transport fails', true, (p) => p.serverEnd.destroy(new Error('connection reset'))),
      {
        name: 'the peer breaks the protocol',
        fails: true,
        setUp: async () => {
          const { session, wire, peer } = await facingPeer('server', { streams });
          return { server: session, end: () => wire.send(peer.raw(0x0, 0, 0, 'x')) };
        },
      },
    ];
    for (const c of cases) {
      const { server, end } = await c.setUp();
      const it = server[Symbol.asyncIterator]();
      const waiting = track(it.next());
      await settle();
      assert.is(waiting.settled, false, `${c.name}: waits while the session is open`);
      void end();
      const closed = track(server.closed);
      for (let i = 0; i < 10 && !waiting.settled; i++) await settle();
      assert.is(waiting.settled, true, `${c.name}: the waiting next() settled`);
      assert.is(waiting.failed, undefined, `${c.name}: done, not rejected`);
      assert.equal(await it.next(), { value: undefined, done: true }, c.name);
      await settle();
      assert.is(closed.settled, true, `${c.name}: closed settled`);
      if (c.fails) assert.instance(await rejection(server.closed), H2SessionError, c.name);
      else assert.is(closed.failed, undefined, c.name);
      // incoming made now ends too.
      assert.equal(await server.incoming.getReader().read(), { value: undefined, done: true }, c.name);
    }
  });

  Iterate('a stream the peer resets before it is taken is not yielded', async () => {
    const { session: server, wire, peer } = await facingPeer('server', { streams });
    await wire.send(peer.headers(1, POST), peer.headers(3, GET, { endStream: true }), peer.rstStream(1, ErrorCodes.CANCEL));
    await settle();
    assert.equal(await takeOne(server), [3]);
    await server.close({ graceful: false });
  });

  Iterate('a session iterated after a read of incoming was given up yields its requests in order', async () => {
    const { server, client } = pair();
    await giveUpARead(server);
    // incoming exists: iterating the session locks it (a new reader: the read given up wants nothing any more).
    const it = server[Symbol.asyncIterator]();
    assert.is(server.incoming.locked, true);
    await client.request(GET, { endStream: true });
    await client.request(GET, { endStream: true });
    await settle();
    const ids: number[] = [];
    const taken = track(Promise.all([it.next(), it.next()]).then((results) => results.forEach((r) => ids.push(r.value!.id))));
    await settle();
    assert.is(taken.done, true, 'both requests that arrived are taken, none waited past');
    assert.equal(ids, [1, 3]);
    await it.return!();
    assert.is(server.incoming.locked, false);
    await client.close({ graceful: false });
  });

  Iterate('a break out of a loop begun after a read of incoming was given up refuses the request that arrived during its body', async () => {
    const { server, client } = pair();
    await giveUpARead(server);
    const first = await client.request(GET, { endStream: true });
    await settle();
    let second: H2Stream | null = null;
    for await (const stream of server) {
      assert.is(stream.id, 1);
      stream.respond(OK, { endStream: true });
      second = await client.request(GET, { endStream: true });
      await settle();
      break;
    }
    assert.equal(await first.response, OK);
    const refused = track((second as unknown as H2Stream).response);
    for (let i = 0; i < 10 && !refused.settled; i++) await settle();
    assert.is(refused.settled, true, 'the request that came during the body is answered (refused), not left hanging');
    assert.is((refused.failed as { code?: number }).code, ErrorCodes.REFUSED_STREAM);
    await client.close({ graceful: false });
  });

  Iterate('a client session iterates its pushed streams; a break resets the pushes not taken with CANCEL', async () => {
    const counted = countingStreams(streams);
    const { session: client, wire, peer } = await facingPeer('client', { streams: counted });
    const transportStreams = counted.readables; // the in-memory transport's own, made with the same constructors
    const stream = await client.request(GET, { endStream: true });
    await wire.send(
      peer.pushPromise(1, 2, pushedRequest('/a.css')),
      peer.pushPromise(1, 4, pushedRequest('/b.css')),
      peer.pushPromise(1, 6, pushedRequest('/c.css')),
      peer.headers(1, OK, { endStream: true }),
    );
    await stream.closed;
    peer.drain();
    const taken: H2Stream[] = [];
    for await (const pushed of client) {
      taken.push(pushed);
      break;
    }
    assert.equal(
      taken.map((s) => [s.id, s.parentId, s.headers.find(([n]) => n === ':path')?.[1]]),
      [[2, 1, '/a.css']],
    );
    await settle();
    assert.equal(resets(peer.drain()), [
      [4, ErrorCodes.CANCEL],
      [6, ErrorCodes.CANCEL],
    ]);
    await wire.send(peer.headers(2, OK), peer.data(2, 'p{}', { endStream: true }));
    assert.equal(await taken[0]!.response, OK, 'the push taken lives on');
    assert.is(counted.readables, transportStreams, 'no ReadableStream made for the pushes (nor a body: never read)');
    await client.close({ graceful: false });
  });

  Iterate('refuseIncoming (no pushes wanted, a session nobody took) refuses what is queued and what comes, making no incoming', async () => {
    const counted = countingStreams(streams);
    const { session: server, wire, peer } = await facingPeer('server', { streams: counted });
    const transportStreams = counted.readables;
    await wire.send(peer.headers(1, GET, { endStream: true }));
    await settle();
    refuseIncoming(server);
    await wire.send(peer.headers(3, GET, { endStream: true }));
    await settle();
    assert.equal(resets(peer.drain()), [
      [1, ErrorCodes.REFUSED_STREAM],
      [3, ErrorCodes.REFUSED_STREAM],
    ]);
    assert.is(counted.readables, transportStreams, 'no ReadableStream made to refuse them');
    await server.close({ graceful: false });

    // While incoming is being read, it leaves it alone (as incoming.cancel() would reject).
    const other = pair();
    const reader = other.server.incoming.getReader();
    refuseIncoming(other.server);
    const read = reader.read();
    await other.client.request(GET, { endStream: true });
    assert.is((await read).value!.id, 1, 'its reader still gets the requests');
    await other.client.close({ graceful: false });
  });

  Iterate.run();
}
