/*
 * Frame-layer errors, each carrying the RFC 9113 §7 error code the connection answers with.
 * Frame layer (sans-I/O). Port of hyperframe/exceptions.py, plus typed FrameBuffer errors that
 * replace the ProtocolError/FrameTooLargeError h2's frame_buffer.py raises (the core maps them).
 */

/** RFC 9113 §7 PROTOCOL_ERROR. */
const PROTOCOL_ERROR = 0x1;
/** RFC 9113 §7 FRAME_SIZE_ERROR. */
const FRAME_SIZE_ERROR = 0x6;

/**
 * Base class of every frame-layer error (hyperframe's `HyperframeError`). Subclasses without a
 * constructor of their own answer PROTOCOL_ERROR, the code of most faults.
 */
export class FrameError extends Error {
  override name = 'FrameError';
  /** The RFC 9113 error code a peer's frame with this fault calls for. */
  readonly errorCode: number;

  /** Creates the error with `message` and the RFC 9113 `errorCode` it maps to (PROTOCOL_ERROR unless given). */
  constructor(message: string, errorCode: number = PROTOCOL_ERROR) {
    super(message);
    this.errorCode = errorCode;
  }
}

/** A frame type hyperframe does not know, met by `parseFrameHeader(…, { strict: true })`. */
export class UnknownFrameError extends FrameError {
  override name = 'UnknownFrameError';
  /** The unknown type octet. */
  readonly frameType: number;
  /** The announced payload length. */
  readonly length: number;

  /** Creates the error for a frame of `frameType` with a `length`-byte payload. */
  constructor(frameType: number, length: number) {
    super(`UnknownFrameError: Unknown frame type 0x${frameType.toString(16).toUpperCase()} received, length ${length} bytes`, PROTOCOL_ERROR);
    this.frameType = frameType;
    this.length = length;
  }
}

/** Padding longer than the payload can hold (RFC 9113 §6.1: PROTOCOL_ERROR). */
export class InvalidPaddingError extends FrameError {
  override name = 'InvalidPaddingError';
}

/** A payload laid out wrongly or of the wrong length (RFC 9113 §4.2: FRAME_SIZE_ERROR). */
export class InvalidFrameError extends FrameError {
  override name = 'InvalidFrameError';
  /** Creates the error; the code is FRAME_SIZE_ERROR. */
  constructor(message: string) {
    super(message, FRAME_SIZE_ERROR);
  }
}

/** Frame content that violates the specification, e.g. a stream frame on stream 0 (PROTOCOL_ERROR). */
export class InvalidDataError extends FrameError {
  override name = 'InvalidDataError';
}

/** Base class of the errors `FrameBuffer` raises about the byte stream as a whole. */
export class FrameBufferError extends FrameError {
  override name = 'FrameBufferError';
}

/** The server did not receive the client connection preface (RFC 9113 §3.4: PROTOCOL_ERROR). */
export class PrefaceError extends FrameBufferError {
  override name = 'PrefaceError';
  /** Creates the error; the code is PROTOCOL_ERROR. */
  constructor(message = 'Invalid HTTP/2 preamble.') {
    super(message);
  }
}

/** A frame longer than SETTINGS_MAX_FRAME_SIZE (RFC 9113 §4.2: FRAME_SIZE_ERROR). */
export class FrameTooLargeError extends FrameBufferError {
  override name = 'FrameTooLargeError';
  /** The announced payload length. */
  readonly length: number;
  /** The limit in force. */
  readonly maxFrameSize: number;

  /** Creates the error for a `length`-byte payload over `maxFrameSize`; the code is FRAME_SIZE_ERROR. */
  constructor(length: number, maxFrameSize: number) {
    super(`Received overlong frame: length ${length}, max ${maxFrameSize}`, FRAME_SIZE_ERROR);
    this.length = length;
    this.maxFrameSize = maxFrameSize;
  }
}

/**
 * A broken header block sequence: a CONTINUATION with no open block or on another stream, or another
 * frame inside a block (RFC 9113 §6.10: PROTOCOL_ERROR).
 */
export class ContinuationError extends FrameBufferError {
  override name = 'ContinuationError';
}

/**
 * A header block over the frame-count or byte budget: the CONTINUATION flood (CERT VU#421644).
 * PROTOCOL_ERROR, as h2 answers "Too many continuation frames received.".
 */
export class HeaderBlockTooLargeError extends FrameBufferError {
  override name = 'HeaderBlockTooLargeError';
}
