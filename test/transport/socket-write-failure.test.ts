/**
 * A Node socket the peer resets (RST: ECONNRESET, EPIPE on our writes) settles everything the session
 * handed out: the sweep of test/support/socket-sweep.ts (the points of a server session's life: before its
 * SETTINGS went out, a body mid-transfer, several bodies mid-transfer, writes waiting for 'drain' from a
 * client that stopped reading, a graceful close under way, the client's GOAWAY received, an abortive close)
 * × the ways the session drives the socket (`direct`, vectored or not, or the pair's Web Streams views).
 * The same sweep runs over Deno's and Bun's sockets in runtime-write-failure.test.ts; the scripted
 * transport failures (a write rejecting or throwing at a chosen moment) are swept in
 * test/streams/write-failure-sweep.test.ts.
 */
import { test } from 'uvu';
import { netDrive, SOCKET_PAIR_VIEWS, SWEEP_POINTS, sweepCase } from '../support/socket-sweep';

for (const drive of SOCKET_PAIR_VIEWS.map((view) => netDrive(view))) {
  for (const point of SWEEP_POINTS) {
    test(`a Node socket (${drive.name}) reset by the peer when ${point.name}: every promise settles, typed, and closed reports the socket's error once`, () =>
      sweepCase(drive, point));
  }
}

test.run();
