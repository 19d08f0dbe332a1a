/**
 * Shared by the Node, Deno and Bun pairs; no runtime API, so that Bun's and the browser's declarations do
 * not reach Node's. Layer: transport.
 */

/** The error a pair's streams carry when the connection closes under them without an error of its own. */
export class SocketClosedError extends Error {
  /** Node-style error code: `'ERR_SOCKET_CLOSED'`. */
  readonly code = 'ERR_SOCKET_CLOSED';
  constructor(message = 'socket closed') {
    super(message);
    this.name = 'SocketClosedError';
  }
}
