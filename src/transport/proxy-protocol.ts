/**
 * The PROXY protocol (HAProxy's "proxy-protocol.txt", versions 1 and 2): a header a trusted proxy sends
 * first on each connection it opens to a backend, carrying the client's address. This file is the parser
 * only, runtime-neutral (bytes in, a verdict out); `proxy-header-reader.ts` feeds it from a Node socket.
 * Every byte comes from whoever connects, so each field is validated exactly and the header is bounded.
 * Layer: transport.
 */
import type { NetAddr } from '../fetch/fetch-server.ts';

/** v1 (text): at most 107 bytes, CRLF included (spec §2.1). */
export const PROXY_V1_MAX_LENGTH = 107;
/**
 * v2 (binary): the most address + TLV bytes accepted after the 16-byte fixed part. The spec allows up to
 * 65,535; a peer claiming more than this is closed rather than buffered (memory per connection before any
 * byte is trusted). 2,048 holds the IPv6 block and every TLV HAProxy sends (ALPN, authority, SSL, unique-id).
 */
export const PROXY_V2_MAX_BLOCK = 2048;

/** v2 signature (spec §2.2): "\r\n\r\n\0\r\nQUIT\n". */
const V2_SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a] as const;
const V1_PREFIX = [0x50, 0x52, 0x4f, 0x58, 0x59, 0x20] as const; // "PROXY "

/** A parsed header: its length in bytes and the client's address (`null`: use the connection's own). */
export interface ProxyHeader {
  readonly version: 1 | 2;
  /** Bytes the header took; what follows belongs to the next protocol. */
  readonly length: number;
  /** The source address it carries; null for v1 UNKNOWN, v2 LOCAL and v2 UNSPEC (health checks). */
  readonly source: NetAddr | null;
}

/** Why a header was refused. */
export class ProxyHeaderError extends Error {
  override readonly name = 'ProxyHeaderError';
}

/**
 * Parses the start of `bytes`: a {@link ProxyHeader}, `undefined` while `bytes` is a valid but incomplete
 * prefix of one (read more), or throws {@link ProxyHeaderError} as soon as the bytes cannot be a header.
 * Incomplete never lasts past {@link PROXY_V1_MAX_LENGTH} or 16 + {@link PROXY_V2_MAX_BLOCK} bytes.
 */
export function parseProxyHeader(bytes: Uint8Array): ProxyHeader | undefined {
  if (bytes.length === 0) return undefined;
  if (bytes[0] === V1_PREFIX[0]) return parseV1(bytes);
  if (bytes[0] === V2_SIGNATURE[0]) return parseV2(bytes);
  throw new ProxyHeaderError('not a PROXY protocol header');
}

function parseV1(bytes: Uint8Array): ProxyHeader | undefined {
  const n = Math.min(bytes.length, PROXY_V1_MAX_LENGTH);
  for (let i = 0; i < Math.min(n, V1_PREFIX.length); i++) if (bytes[i] !== V1_PREFIX[i]) throw new ProxyHeaderError('not a PROXY protocol header');
  let cr = -1;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0x0d) {
      cr = i;
      break;
    }
    // Printable US-ASCII only (spec §2.1: the line is text).
    if (b < 0x20 || b > 0x7e) throw new ProxyHeaderError('v1: a control byte before CRLF');
  }
  if (cr < 0) {
    if (bytes.length >= PROXY_V1_MAX_LENGTH) throw new ProxyHeaderError('v1: longer than 107 bytes');
    return undefined;
  }
  if (cr + 1 >= PROXY_V1_MAX_LENGTH) throw new ProxyHeaderError('v1: longer than 107 bytes');
  if (cr + 1 >= bytes.length) return undefined;
  if (bytes[cr + 1] !== 0x0a) throw new ProxyHeaderError('v1: CR not followed by LF');
  let line = '';
  for (let i = 0; i < cr; i++) line += String.fromCharCode(bytes[i]!);
  const length = cr + 2;
  const fields = line.split(' ');
  // "PROXY UNKNOWN" may carry anything up to CRLF; the receiver ignores it (spec §2.1).
  if (fields[1] === 'UNKNOWN') return { version: 1, length, source: null };
  if (fields.length !== 6) throw new ProxyHeaderError('v1: expected "PROXY TCP4|TCP6 src dst sport dport"');
  const [, proto, src, dst, sport, dport] = fields as [string, string, string, string, string, string];
  const valid = proto === 'TCP4' ? isIPv4 : proto === 'TCP6' ? isIPv6 : null;
  if (valid === null) throw new ProxyHeaderError('v1: protocol is not TCP4, TCP6 or UNKNOWN');
  if (!valid(src)) throw new ProxyHeaderError('v1: invalid source address');
  if (!valid(dst)) throw new ProxyHeaderError('v1: invalid destination address');
  const port = parsePort(sport);
  if (port < 0) throw new ProxyHeaderError('v1: invalid source port');
  if (parsePort(dport) < 0) throw new ProxyHeaderError('v1: invalid destination port');
  return { version: 1, length, source: { transport: 'tcp', hostname: proto === 'TCP6' ? formatIPv6(parseIPv6(src)!) : src, port } };
}

function parseV2(bytes: Uint8Array): ProxyHeader | undefined {
  for (let i = 0; i < Math.min(bytes.length, V2_SIGNATURE.length); i++) if (bytes[i] !== V2_SIGNATURE[i]) throw new ProxyHeaderError('not a PROXY protocol header');
  if (bytes.length < 13) return undefined;
  const versionCommand = bytes[12]!;
  if (versionCommand >> 4 !== 2) throw new ProxyHeaderError('v2: version is not 2');
  const command = versionCommand & 0x0f;
  if (command !== 0 && command !== 1) throw new ProxyHeaderError('v2: command is neither LOCAL nor PROXY');
  if (bytes.length < 16) return undefined;
  const familyProtocol = bytes[13]!;
  const blockLength = (bytes[14]! << 8) | bytes[15]!;
  if (blockLength > PROXY_V2_MAX_BLOCK) throw new ProxyHeaderError(`v2: address block of ${blockLength} bytes (at most ${PROXY_V2_MAX_BLOCK})`);
  const length = 16 + blockLength;
  // LOCAL (health checks, spec §2.2): the connection's own endpoints; the block is skipped unread.
  if (command === 0) return bytes.length < length ? undefined : { version: 2, length, source: null };
  const family = familyProtocol >> 4;
  const protocol = familyProtocol & 0x0f;
  // AF_UNSPEC: the sender does not know the addresses; the receiver uses the real endpoints.
  if (familyProtocol === 0x00) return bytes.length < length ? undefined : { version: 2, length, source: null };
  if ((family !== 1 && family !== 2) || protocol !== 1) throw new ProxyHeaderError('v2: only TCP over IPv4 or IPv6 is accepted');
  const addressLength = family === 1 ? 12 : 36;
  if (blockLength < addressLength) throw new ProxyHeaderError('v2: address block shorter than its family needs');
  if (bytes.length < length) return undefined;
  // What follows the addresses up to `length` are TLVs (spec §2.2.7): skipped, bounded by the cap above.
  let hostname: string;
  let port: number;
  if (family === 1) {
    hostname = `${bytes[16]}.${bytes[17]}.${bytes[18]}.${bytes[19]}`;
    port = (bytes[24]! << 8) | bytes[25]!;
  } else {
    const groups: number[] = [];
    for (let i = 0; i < 8; i++) groups.push((bytes[16 + 2 * i]! << 8) | bytes[17 + 2 * i]!);
    hostname = formatIPv6(groups);
    port = (bytes[48]! << 8) | bytes[49]!;
  }
  return { version: 2, length, source: { transport: 'tcp', hostname, port } };
}

/** A decimal port 0..65535 without leading zeros, or -1. */
function parsePort(text: string): number {
  if (!/^(0|[1-9]\d{0,4})$/.test(text)) return -1;
  const port = Number(text);
  return port <= 65535 ? port : -1;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Dotted-quad IPv4, each part 0..255 without leading zeros. */
export function isIPv4(text: string): boolean {
  return IPV4.test(text);
}

/** Whether `text` is an IPv6 address in RFC 4291 §2.2 text form (no zone). */
export function isIPv6(text: string): boolean {
  return parseIPv6(text) !== null;
}

/** The eight 16-bit groups of an RFC 4291 §2.2 IPv6 text address, or null. */
function parseIPv6(text: string): number[] | null {
  if (text.length < 2 || text.length > 45) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string, allowV4Tail: boolean): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (allowV4Tail && i === items.length - 1 && item.includes('.')) {
        if (!isIPv4(item)) return null;
        const q = item.split('.').map(Number);
        out.push((q[0]! << 8) | q[1]!, (q[2]! << 8) | q[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return null;
        out.push(Number.parseInt(item, 16));
      }
    }
    return out;
  };
  if (halves.length === 1) {
    const groups = parse(text, true);
    return groups !== null && groups.length === 8 ? groups : null;
  }
  const head = parse(halves[0]!, false);
  const tail = parse(halves[1]!, true);
  if (head === null || tail === null || head.length + tail.length > 7) return null;
  return [...head, ...Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/**
 * RFC 5952 text of eight groups (lowercase, the longest run of two or more zero groups as `::`), with
 * IPv4-mapped addresses as `::ffff:a.b.c.d`: the forms Node gives `socket.remoteAddress`, so an address
 * read from a header and one read from a socket compare (and key the abuse guard) alike.
 */
function formatIPv6(groups: readonly number[]): string {
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `::ffff:${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  return bestStart < 0 ? hex(0, 8) : `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}
