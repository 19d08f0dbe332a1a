/**
 * The option objects of H2Connection's methods: h2's optional keyword arguments, in h2's order.
 * Sans-I/O core. Part of the port of h2/connection.py H2Connection.
 */

/** Options of {@link H2Connection.sendHeaders}. */
export interface SendHeadersOptions {
  /** Set END_STREAM on the header block. Default `false`. */
  endStream?: boolean;
  /** RFC 7540 priority weight 1–256 (clients only); any priority option sets the PRIORITY flag. */
  priorityWeight?: number | null;
  /** RFC 7540 stream dependency (clients only). */
  priorityDependsOn?: number | null;
  /** RFC 7540 exclusive flag (clients only). */
  priorityExclusive?: boolean | null;
}

/** Options of {@link H2Connection.sendData}. */
export interface SendDataOptions {
  /** Set END_STREAM on the DATA frame. Default `false`. */
  endStream?: boolean;
  /** Padding octets (0–255); sets PADDED and costs `padLength + 1` flow-control bytes. */
  padLength?: number | null;
}

/** Options of {@link H2Connection.closeConnection}. */
export interface CloseConnectionOptions {
  /** The GOAWAY error code. Default NO_ERROR (a graceful close). */
  errorCode?: number;
  /** Opaque debug data for the GOAWAY. */
  additionalData?: Uint8Array | null;
  /** The last stream ID we processed. Default: the highest peer-initiated stream ID seen. */
  lastStreamId?: number | null;
}

/** Options of {@link H2Connection.prioritize}. */
export interface PrioritizeOptions {
  /** Weight 1–256; default 16. */
  weight?: number | null;
  /** The stream this one depends on; default 0. */
  dependsOn?: number | null;
  /** Exclusive dependency; default `false`. */
  exclusive?: boolean | null;
}

/** Options of {@link H2Connection.advertiseAlternativeService}. */
export interface AltSvcOptions {
  /** Explicit origin (sent on stream 0). Exclusive with `streamId`. */
  origin?: Uint8Array | string | null;
  /** Stream whose origin the service applies to (implicit form). Exclusive with `origin`. */
  streamId?: number | null;
}
