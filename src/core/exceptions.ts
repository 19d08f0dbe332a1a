/**
 * The 15 exceptions of the protocol core, each carrying the HTTP/2 error code it maps to.
 * Sans-I/O core. Port of h2/exceptions.py.
 */

// Differences from h2 (JS has single inheritance and an `Error.message`):
// - `InvalidSettingsValueError` extends `ProtocolError` only (h2 adds `ValueError` as a second base).
// - `String(err)` is `"<Name>: <message>"`, so `StreamIDTooLowError` and `InvalidBodyLengthError`
//   print exactly as h2's `__str__` does.
// - Every exception has an `events` array: `H2Connection.receiveData` stores there the events it had
//   decoded before a connection error, so nothing that completed is lost.

import { ErrorCodes } from './errors.ts';
import type { H2Event } from './events.ts';

/** The base class for all exceptions of the protocol core. Port of h2.exceptions.H2Error. */
export class H2Error extends Error {
  override name = 'H2Error';

  /**
   * Events decoded by `receiveData` before this error was raised (empty otherwise). The layer above
   * still delivers them, then tears the connection down.
   */
  events: H2Event[] = [];
}

/**
 * An action was attempted in violation of the HTTP/2 protocol (by us or by the peer).
 * Port of h2.exceptions.ProtocolError.
 */
export class ProtocolError extends H2Error {
  override name = 'ProtocolError';

  /** The HTTP/2 error code this kind of protocol error maps to (sent in GOAWAY / RST_STREAM). */
  errorCode: number = ErrorCodes.PROTOCOL_ERROR;
}

/** The frame that we tried to send or that we received was too large. Port of h2.exceptions.FrameTooLargeError. */
export class FrameTooLargeError extends ProtocolError {
  override name = 'FrameTooLargeError';
  override errorCode: number = ErrorCodes.FRAME_SIZE_ERROR;
}

/** The frame that we received is missing some data. Port of h2.exceptions.FrameDataMissingError. */
export class FrameDataMissingError extends ProtocolError {
  override name = 'FrameDataMissingError';
  override errorCode: number = ErrorCodes.FRAME_SIZE_ERROR;
}

/**
 * An attempt was made to open a stream that would lead to too many concurrent streams.
 * Port of h2.exceptions.TooManyStreamsError.
 */
export class TooManyStreamsError extends ProtocolError {
  override name = 'TooManyStreamsError';
}

/** An attempted action violates flow control constraints. Port of h2.exceptions.FlowControlError. */
export class FlowControlError extends ProtocolError {
  override name = 'FlowControlError';
  override errorCode: number = ErrorCodes.FLOW_CONTROL_ERROR;
}

/**
 * An attempt was made to open a stream whose ID is not higher than the highest ID seen so far on
 * this connection. Port of h2.exceptions.StreamIDTooLowError.
 */
export class StreamIDTooLowError extends ProtocolError {
  override name = 'StreamIDTooLowError';

  /**
   * @param streamId The ID of the stream that we attempted to open.
   * @param maxStreamId The current highest-seen stream ID.
   */
  constructor(
    readonly streamId: number,
    readonly maxStreamId: number,
  ) {
    super(`${streamId} is lower than ${maxStreamId}`);
  }
}

/**
 * There are no available stream IDs left to the connection: all stream IDs have been exhausted.
 * Port of h2.exceptions.NoAvailableStreamIDError.
 */
export class NoAvailableStreamIDError extends ProtocolError {
  override name = 'NoAvailableStreamIDError';
}

/**
 * A stream-specific action referenced a stream that does not exist.
 * Port of h2.exceptions.NoSuchStreamError.
 */
export class NoSuchStreamError extends ProtocolError {
  override name = 'NoSuchStreamError';

  /**
   * @param streamId The ID of the non-existent stream.
   * @param message Optional detail.
   */
  constructor(
    readonly streamId: number,
    message = `stream ${streamId} does not exist`,
  ) {
    super(message);
  }
}

/**
 * The stream has been closed, and all state relating to it may have been removed. A more specific
 * form of {@link NoSuchStreamError}. Port of h2.exceptions.StreamClosedError.
 */
export class StreamClosedError extends NoSuchStreamError {
  override name = 'StreamClosedError';
  override errorCode: number = ErrorCodes.STREAM_CLOSED;

  /**
   * Events the connection returns if it answers this error with RST_STREAM instead of tearing the
   * connection down (h2's private `_events`: the one-time `StreamReset(remoteReset: false)`).
   * Internal to the core.
   */
  streamEvents: H2Event[] = [];

  /** @param streamId The ID of the closed stream. */
  constructor(streamId: number) {
    super(streamId, `stream ${streamId} is closed`);
  }
}

/**
 * An attempt was made to set an invalid Settings value; the error code depends on the setting
 * (RFC 9113 §6.5.2). Port of h2.exceptions.InvalidSettingsValueError.
 */
export class InvalidSettingsValueError extends ProtocolError {
  override name = 'InvalidSettingsValueError';

  /**
   * @param message What was wrong.
   * @param errorCode The error code for this setting (PROTOCOL_ERROR or FLOW_CONTROL_ERROR).
   */
  constructor(message: string, errorCode: number) {
    super(message);
    this.errorCode = errorCode;
  }
}

/**
 * The remote peer sent more or less data than the Content-Length header indicated.
 * Port of h2.exceptions.InvalidBodyLengthError. Kept for parity: h2flow does not raise it, since such
 * a message is malformed, a stream error (RFC 9113 §8.1.1; `H2Stream.receiveError` carries this message).
 */
export class InvalidBodyLengthError extends ProtocolError {
  override name = 'InvalidBodyLengthError';

  /**
   * @param expectedLength The content-length the peer announced.
   * @param actualLength The number of body bytes received so far.
   */
  constructor(
    readonly expectedLength: number,
    readonly actualLength: number,
  ) {
    super(`Expected ${expectedLength} bytes, received ${actualLength}`);
  }
}

/**
 * The remote peer sent a frame that is unsupported in this context. Defined for parity; h2 never
 * raises it. Port of h2.exceptions.UnsupportedFrameError.
 */
export class UnsupportedFrameError extends ProtocolError {
  override name = 'UnsupportedFrameError';
}

/**
 * The user attempted something that the RFC literally allows but that is too ill-defined to emit
 * (e.g. a server sending priority information). Not a {@link ProtocolError}.
 * Port of h2.exceptions.RFC1122Error.
 */
export class RFC1122Error extends H2Error {
  override name = 'RFC1122Error';
}

/**
 * The remote peer behaves like it is attempting a Denial of Service attack (e.g. an oversized
 * header list). Port of h2.exceptions.DenialOfServiceError.
 */
export class DenialOfServiceError extends ProtocolError {
  override name = 'DenialOfServiceError';
  override errorCode: number = ErrorCodes.ENHANCE_YOUR_CALM;
}
