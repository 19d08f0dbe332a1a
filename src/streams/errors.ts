/**
 * Errors of the Web Streams layer: a stream reset (RST_STREAM, either side) and a session failure
 * (GOAWAY with an error, a protocol error, a transport failure). Layer: streams (runtime-neutral).
 */

/** A stream ended abnormally: the peer or this side sent RST_STREAM, or GOAWAY refused it. */
export class H2StreamError extends Error {
  /** The HTTP/2 error code (RFC 9113 §7) carried by the RST_STREAM or implied by the refusal. */
  readonly code: number;
  /** The stream the error belongs to. */
  readonly streamId: number;
  /** True when the peer ended the stream (its RST_STREAM or GOAWAY), false when this side did. */
  readonly remote: boolean;

  constructor(streamId: number, code: number, remote: boolean, message?: string, options?: { cause?: unknown }) {
    super(message ?? `stream ${streamId} reset by ${remote ? 'peer' : 'local side'} (error code ${code})`, options);
    this.name = 'H2StreamError';
    this.code = code;
    this.streamId = streamId;
    this.remote = remote;
  }
}

/** The whole connection failed or was torn down; every stream still open fails with it. */
export class H2SessionError extends Error {
  /** The HTTP/2 error code of the GOAWAY sent or received (RFC 9113 §7); INTERNAL_ERROR for transport failures. */
  readonly code: number;
  /** True when the peer ended the connection (its GOAWAY or its end of the transport). */
  readonly remote: boolean;

  constructor(code: number, remote: boolean, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'H2SessionError';
    this.code = code;
    this.remote = remote;
  }
}
