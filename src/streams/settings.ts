/**
 * Friendly names for HTTP/2 SETTINGS (RFC 9113 §6.5.2, RFC 8441 §3) and their conversion to the
 * numeric codes the core's `updateSettings` takes. Layer: streams (runtime-neutral).
 */
import { SettingCodes } from '../core/index.ts';

/** SETTINGS a session advertises, by name; each maps to its RFC 9113 §6.5.2 code. */
export interface H2Settings {
  /** SETTINGS_HEADER_TABLE_SIZE: HPACK dynamic table size the peer may use (bytes). */
  readonly headerTableSize?: number;
  /** SETTINGS_ENABLE_PUSH: whether a client accepts server push. */
  readonly enablePush?: boolean;
  /** SETTINGS_MAX_CONCURRENT_STREAMS: streams the peer may open at once. */
  readonly maxConcurrentStreams?: number;
  /** SETTINGS_INITIAL_WINDOW_SIZE: per-stream receive window, i.e. the memory one stream may hold unread. */
  readonly initialWindowSize?: number;
  /** SETTINGS_MAX_FRAME_SIZE: largest frame payload accepted. */
  readonly maxFrameSize?: number;
  /** SETTINGS_MAX_HEADER_LIST_SIZE: largest decoded header list accepted. */
  readonly maxHeaderListSize?: number;
  /** SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441): extended CONNECT allowed. */
  readonly enableConnectProtocol?: boolean;
}

/** Converts named settings to the `{ [code]: value }` record of the core's `updateSettings`. */
export function settingsToCodes(settings: H2Settings): Record<number, number> {
  const out: Record<number, number> = {};
  if (settings.headerTableSize !== undefined) out[SettingCodes.HEADER_TABLE_SIZE] = settings.headerTableSize;
  if (settings.enablePush !== undefined) out[SettingCodes.ENABLE_PUSH] = settings.enablePush ? 1 : 0;
  if (settings.maxConcurrentStreams !== undefined) out[SettingCodes.MAX_CONCURRENT_STREAMS] = settings.maxConcurrentStreams;
  if (settings.initialWindowSize !== undefined) out[SettingCodes.INITIAL_WINDOW_SIZE] = settings.initialWindowSize;
  if (settings.maxFrameSize !== undefined) out[SettingCodes.MAX_FRAME_SIZE] = settings.maxFrameSize;
  if (settings.maxHeaderListSize !== undefined) out[SettingCodes.MAX_HEADER_LIST_SIZE] = settings.maxHeaderListSize;
  if (settings.enableConnectProtocol !== undefined) out[SettingCodes.ENABLE_CONNECT_PROTOCOL] = settings.enableConnectProtocol ? 1 : 0;
  return out;
}
