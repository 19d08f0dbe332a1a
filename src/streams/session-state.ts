/**
 * The phases of a session's life, in order (compared with `<`/`>=`). Layer: streams (runtime-neutral).
 */

/** Streams open and run. */
export const OPEN = 0;
/** Graceful close: GOAWAY sent or received, streams in flight finish, no new ones. */
export const DRAINING = 1;
/** Ending: nothing new is sent; the last frames are flushed and the transport closes. */
export const CLOSING = 2;
/** The transport is closed or closing; `closed` settles once it is. */
export const DONE = 3;
