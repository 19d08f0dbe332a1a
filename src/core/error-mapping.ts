/**
 * Maps errors of the layers below (frame layer, HPACK) to the h2 exceptions the connection raises
 * for the same faults. Sans-I/O core. Port of the exception translation in h2/connection.py and
 * h2/frame_buffer.py.
 */

import { FrameTooLargeError as FrameLayerTooLargeError, InvalidPaddingError } from '../frame/index.ts';
import type { FrameError } from '../frame/index.ts';
import { OversizedHeaderListError } from '../hpack/index.ts';
import type { HPACKError } from '../hpack/index.ts';
import { ErrorCodes } from './errors.ts';
import { DenialOfServiceError, FrameDataMissingError, FrameTooLargeError, ProtocolError } from './exceptions.ts';

/** The h2 exception for a frame-layer (hyperframe / FrameBuffer) error, keeping its error code. */
export function connectionErrorFromFrameError(e: FrameError): ProtocolError {
  let err: ProtocolError;
  if (e instanceof FrameLayerTooLargeError) err = new FrameTooLargeError(e.message);
  else if (e instanceof InvalidPaddingError) err = new ProtocolError('Received frame with invalid padding.');
  else if (e.errorCode === ErrorCodes.FRAME_SIZE_ERROR) err = new FrameDataMissingError(e.message);
  else if (e.errorCode === ErrorCodes.ENHANCE_YOUR_CALM) err = new DenialOfServiceError(e.message);
  else {
    err = new ProtocolError(e.message);
    err.errorCode = e.errorCode;
  }
  err.cause = e;
  return err;
}

/** The h2 exception for an HPACK decoding error. Port of h2.connection._decode_headers' mapping. */
export function connectionErrorFromHpackError(e: HPACKError): ProtocolError {
  // The HPACK bomb (CVE-2016-6581): the peer ignored our MAX_HEADER_LIST_SIZE.
  if (e instanceof OversizedHeaderListError) return new DenialOfServiceError(`Oversized header block: ${e.message}`);
  // RFC 9113 §4.3: "A decoding error in a field block MUST be treated as a connection error of type
  // COMPRESSION_ERROR." (h2 sends PROTOCOL_ERROR.)
  const err = new ProtocolError(`Error decoding header block: ${e.message}`);
  err.errorCode = ErrorCodes.COMPRESSION_ERROR;
  return err;
}
