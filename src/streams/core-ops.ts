/**
 * The session's calls into the protocol core, each a module-level function of the connection and up
 * to two arguments, so the session's one `#run(op, a, b)` entry point needs no closure per call.
 * Layer: streams (runtime-neutral).
 */
import type { H2Connection, H2Event } from '../core/index.ts';
import type { H2HeaderList } from './types.ts';

const END = { endStream: true } as const;
const NO_END = { endStream: false } as const;

/**
 * A core call, as a module-level function of the connection and up to two arguments (no closure per
 * call). It returns the events the core produced, if any (only `receiveData` does).
 */
export type CoreOp<A, B> = (conn: H2Connection, a: A, b: B) => readonly H2Event[] | void;

/** Feeds received bytes; returns the events they completed (throws on a connection error). */
export const RECEIVE: CoreOp<Uint8Array, null> = (c, chunk) => c.receiveData(chunk);
/** Hands over events already decoded (those attached to a connection error). */
export const DELIVER: CoreOp<readonly H2Event[], null> = (_c, events) => events;
/**
 * Preface and the one initial SETTINGS frame, carrying `settings` (peers expect our values in the first
 * SETTINGS, and conformance tests the ACK right after it), then a connection-window increment.
 */
export const INITIATE: CoreOp<Record<number, number> | null, number> = (c, settings, windowIncrement) => {
  if (settings !== null) c.localSettings.update(settings);
  c.initiateConnection();
  if (windowIncrement > 0) c.incrementFlowControlWindow(windowIncrement);
};
/** `INITIATE` for a connection upgraded from HTTP/1.1 (RFC 7540 §3.2): stream 1 exists from the start. */
export const INITIATE_UPGRADE: CoreOp<{ readonly header: string | null; readonly settings: Record<number, number> | null }, number> = (c, a, windowIncrement) => {
  // Our settings go in the one initial SETTINGS frame (and, on a client, in the HTTP2-Settings header).
  if (a.settings !== null) c.localSettings.update(a.settings);
  c.initiateUpgradeConnection(a.header);
  if (windowIncrement > 0) c.incrementFlowControlWindow(windowIncrement);
};
/** Opens the next client stream with a request header block (END_STREAM if `b`). */
export const OPEN_STREAM: CoreOp<H2HeaderList, boolean> = (c, headers, options) => {
  c.sendHeaders(c.getNextAvailableStreamId(), headers, options ? END : NO_END);
};
/** PUSH_PROMISE on stream `a` for the next server stream, with request headers `b`. */
export const PUSH_STREAM: CoreOp<number, H2HeaderList> = (c, parentId, headers) => {
  c.pushStream(parentId, c.getNextAvailableStreamId(), headers);
};
/** A header block that leaves the stream open (response, 1xx). */
export const SEND_HEADERS: CoreOp<number, H2HeaderList> = (c, id, headers) => c.sendHeaders(id, headers, NO_END);
/** A header block with END_STREAM (response without body, trailers). */
export const SEND_LAST_HEADERS: CoreOp<number, H2HeaderList> = (c, id, headers) => c.sendHeaders(id, headers, END);
/** DATA frames (as many as the max frame size makes of `b`). */
export const SEND_DATA: CoreOp<number, Uint8Array> = (c, id, data) => {
  c.sendDataFrames(id, data, false);
};
/** DATA frames, END_STREAM on the last. */
export const SEND_LAST_DATA: CoreOp<number, Uint8Array> = (c, id, data) => {
  c.sendDataFrames(id, data, true);
};
/** An empty DATA frame with END_STREAM. */
export const END_STREAM: CoreOp<number, null> = (c, id) => c.endStream(id);
/** RST_STREAM on stream `a` with error code `b`. */
export const RESET_STREAM: CoreOp<number, number> = (c, id, code) => c.resetStream(id, code);
/** Reports `b` consumed bytes of stream `a` (WINDOW_UPDATEs follow when worthwhile). */
export const ACKNOWLEDGE: CoreOp<number, number> = (c, id, bytes) => c.acknowledgeReceivedData(bytes, id);
/** PING with 8 opaque octets. */
export const PING: CoreOp<Uint8Array, null> = (c, data) => c.ping(data);
/** SETTINGS with the given codes and values. */
export const UPDATE_SETTINGS: CoreOp<Record<number, number>, null> = (c, settings) => c.updateSettings(settings);
/** GOAWAY with an error code (NO_ERROR drains gracefully in the core). */
export const GOAWAY: CoreOp<number, null> = (c, errorCode) => c.closeConnection({ errorCode });
/** The core's two-step graceful GOAWAY (GOAWAY 2^31-1 + PING, then the real last stream ID). */
export const GRACEFUL_SHUTDOWN: CoreOp<null, null> = (c) => c.startGracefulShutdown();

