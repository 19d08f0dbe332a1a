/**
 * `Settings` (a connection's `localSettings` / `remoteSettings`) is Map-like: `get(code)`, `set`,
 * named getters. h2's `settings[code]` has no meaning here (it would read `undefined`), so it must not
 * compile. Compiled by test/types/consumer.test.ts (see entries.ts).
 */
import { H2Connection, SettingCodes, Settings } from 'h2flow/core';

const conn = new H2Connection();
const local: Settings = conn.localSettings;
const streams: number | undefined = local.get(SettingCodes.MAX_CONCURRENT_STREAMS);
const frameSize: number = conn.remoteSettings.maxFrameSize;
local.set(SettingCodes.MAX_CONCURRENT_STREAMS, 100);
for (const [code, value] of conn.remoteSettings) void (code + value);

// @ts-expect-error: no index access; use get(code) or a named getter
const indexed = local[SettingCodes.MAX_CONCURRENT_STREAMS];
// @ts-expect-error: no index access; use get(code) or a named getter
const remoteIndexed: number = conn.remoteSettings[SettingCodes.MAX_FRAME_SIZE];
// @ts-expect-error: no index assignment; use set(code, value)
conn.localSettings[SettingCodes.INITIAL_WINDOW_SIZE] = 65535;

export { frameSize, indexed, remoteIndexed, streams };
