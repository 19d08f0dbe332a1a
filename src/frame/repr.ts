/*
 * Python-style text for frame `toString()`: hyperframe's `_raw_data_repr`, bytes/bool/dict reprs.
 * Frame layer (sans-I/O). Port of the repr helpers of hyperframe/frame.py; debugging only.
 */

const HEX = '0123456789abcdef';

/** Two lowercase hex digits for an octet. */
function hex2(b: number): string {
  return HEX[b >>> 4]! + HEX[b & 0xf]!;
}

/** hyperframe's `_raw_data_repr`: `None` when empty, else `<hex:…>` cut to 20 hex digits + `...`. */
export function rawDataRepr(data: Uint8Array): string {
  if (data.length === 0) return 'None';
  const shown = Math.min(data.length, 10);
  let r = '';
  for (let i = 0; i < shown; i++) r += hex2(data[i]!);
  return `<hex:${r}${data.length > 10 ? '...' : ''}>`;
}

/** Python's `repr(bytes)`, e.g. `b'ab\x00'` (double quotes when the bytes hold `'` but no `"`). */
export function bytesRepr(data: Uint8Array): string {
  const quote = data.includes(0x27) && !data.includes(0x22) ? 0x22 : 0x27;
  const parts: string[] = [];
  for (const b of data) {
    if (b === quote || b === 0x5c) parts.push('\\' + String.fromCharCode(b));
    else if (b === 0x09) parts.push('\\t');
    else if (b === 0x0a) parts.push('\\n');
    else if (b === 0x0d) parts.push('\\r');
    else if (b >= 0x20 && b < 0x7f) parts.push(String.fromCharCode(b));
    else parts.push('\\x' + hex2(b));
  }
  const q = String.fromCharCode(quote);
  return `b${q}${parts.join('')}${q}`;
}

/** Python's `repr(bool)`. */
export function boolRepr(value: boolean): string {
  return value ? 'True' : 'False';
}

/** Python's `repr(dict[int, int])`, e.g. `{1: 4096, 4: 65535}`. */
export function mapRepr(map: ReadonlyMap<number, number>): string {
  const parts: string[] = [];
  for (const [k, v] of map) parts.push(`${k}: ${v}`);
  return `{${parts.join(', ')}}`;
}
