/**
 * The HPACK static table (RFC 7541 Appendix A) and its lookup maps.
 * Sans-I/O hpack layer. Port of hpack/table.py STATIC_TABLE and STATIC_TABLE_MAPPING.
 */

/** The 61 static entries; index `i` (1-based on the wire) is `STATIC_TABLE[i - 1]`. */
export const STATIC_TABLE: readonly (readonly [string, string])[] = [
  [':authority', ''],
  [':method', 'GET'],
  [':method', 'POST'],
  [':path', '/'],
  [':path', '/index.html'],
  [':scheme', 'http'],
  [':scheme', 'https'],
  [':status', '200'],
  [':status', '204'],
  [':status', '206'],
  [':status', '304'],
  [':status', '400'],
  [':status', '404'],
  [':status', '500'],
  ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'],
  ['accept-language', ''],
  ['accept-ranges', ''],
  ['accept', ''],
  ['access-control-allow-origin', ''],
  ['age', ''],
  ['allow', ''],
  ['authorization', ''],
  ['cache-control', ''],
  ['content-disposition', ''],
  ['content-encoding', ''],
  ['content-language', ''],
  ['content-length', ''],
  ['content-location', ''],
  ['content-range', ''],
  ['content-type', ''],
  ['cookie', ''],
  ['date', ''],
  ['etag', ''],
  ['expect', ''],
  ['expires', ''],
  ['from', ''],
  ['host', ''],
  ['if-match', ''],
  ['if-modified-since', ''],
  ['if-none-match', ''],
  ['if-range', ''],
  ['if-unmodified-since', ''],
  ['last-modified', ''],
  ['link', ''],
  ['location', ''],
  ['max-forwards', ''],
  ['proxy-authenticate', ''],
  ['proxy-authorization', ''],
  ['range', ''],
  ['referer', ''],
  ['refresh', ''],
  ['retry-after', ''],
  ['server', ''],
  ['set-cookie', ''],
  ['strict-transport-security', ''],
  ['transfer-encoding', ''],
  ['user-agent', ''],
  ['vary', ''],
  ['via', ''],
  ['www-authenticate', ''],
];

/** Number of static entries: wire indices 1..61 are static, 62 and up are dynamic. */
export const STATIC_TABLE_LENGTH = STATIC_TABLE.length;

/** Static lookups for one name: its lowest index and the index of each value it has. */
export interface StaticNameEntry {
  /** The lowest wire index (1-based) whose entry has this name. */
  readonly index: number;
  /** Each value this name has in the static table → the wire index of that exact entry. */
  readonly values: ReadonlyMap<string, number>;
}

function buildStaticMap(): ReadonlyMap<string, StaticNameEntry> {
  const map = new Map<string, { index: number; values: Map<string, number> }>();
  STATIC_TABLE.forEach(([name, value], i) => {
    let entry = map.get(name);
    if (!entry) map.set(name, (entry = { index: i + 1, values: new Map() }));
    if (!entry.values.has(value)) entry.values.set(value, i + 1);
  });
  return map;
}

/** Name → lowest static index and value → index, so the encoder never scans the static table. */
export const STATIC_TABLE_MAP: ReadonlyMap<string, StaticNameEntry> = buildStaticMap();
