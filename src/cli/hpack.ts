/**
 * `h2flow hpack decode|encode`: runs HPACK over stories in the hpack-test-case JSON format.
 * CLI layer (Node). Decode fills each case's `headers` from `wire`; encode fills `wire` from `headers`.
 */
import { readFile } from 'node:fs/promises';
import { Decoder, Encoder, HPACKError } from '../hpack/index.ts';

/** Where `runHpack` reads and writes: the process's streams, or test doubles. */
export interface CliIo {
  stdin: AsyncIterable<Uint8Array | string>;
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

/** Usage text of `h2flow hpack`. */
export const HPACK_USAGE = `Usage: h2flow hpack decode [path]
       h2flow hpack encode [path] [--no-huffman] [--table-size N]

Reads a story in the hpack-test-case format ({"cases": [{"wire", "headers", "header_table_size"?}]})
from path, or stdin when no path is given, and prints it back with:
  decode   "headers" filled from each case's "wire" (one decoder per story; a case's
           "header_table_size" is the maximum table size the encoder may choose)
  encode   "wire" filled from each case's "headers" (one encoder per story)
Options (encode):
  --no-huffman     send every string literal raw
  --table-size N   set the encoder's table size to N (a size update opens the first block);
                   N is written to each case's "header_table_size"
Exit status: 0 on success, 1 on any error (message on stderr).
`;

interface StoryCase {
  seqno?: number;
  header_table_size?: number | null;
  wire?: string;
  headers?: Record<string, string>[];
  [key: string]: unknown;
}

interface Options {
  command: 'decode' | 'encode';
  path: string | null;
  huffman: boolean;
  tableSize: number | null;
}

/** An invocation mistake: reported with the usage text. */
class UsageError extends Error {}

function parseArgs(args: string[]): Options {
  const [command, ...rest] = args;
  if (command !== 'decode' && command !== 'encode') throw new UsageError(command === undefined ? 'missing command' : `unknown command ${command}`);
  const options: Options = { command, path: null, huffman: true, tableSize: null };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--no-huffman' && command === 'encode') options.huffman = false;
    else if (arg === '--table-size' && command === 'encode') {
      const n = Number(rest[++i]);
      if (rest[i] === undefined || !Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new UsageError(`--table-size needs an integer in 0..2^32-1`);
      options.tableSize = n;
    } else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg}`);
    else if (options.path === null) options.path = arg;
    else throw new UsageError(`unexpected argument ${arg}`);
  }
  return options;
}

async function readAll(stdin: CliIo['stdin']): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** JSON text of a decoded ByteString: its octets as UTF-8 when they are valid UTF-8, else as latin-1. */
function textOf(byteString: string): string {
  const bytes = Buffer.from(byteString, 'latin1');
  try {
    return utf8.decode(bytes);
  } catch {
    return byteString;
  }
}

function casesOf(story: unknown): StoryCase[] {
  const cases = (story as { cases?: unknown } | null)?.cases;
  if (!Array.isArray(cases)) throw new Error('input is not a story: expected an object with a "cases" array');
  return cases as StoryCase[];
}

/** A case's `header_table_size`, or `fallback` when absent; anything but an integer in 0..2^32-1 is an input error. */
function tableSizeOf(c: StoryCase, i: number, fallback: number): number {
  const size: unknown = c.header_table_size ?? fallback;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > 0xffffffff) {
    throw new Error(`case ${c.seqno ?? i}: "header_table_size" must be an integer in 0..2^32-1`);
  }
  return size;
}

function decodeStory(story: unknown): void {
  const decoder = new Decoder();
  casesOf(story).forEach((c, i) => {
    if (typeof c.wire !== 'string' || !/^(?:[0-9a-fA-F]{2})*$/.test(c.wire)) throw new Error(`case ${c.seqno ?? i}: "wire" must be a hex string`);
    decoder.maxAllowedTableSize = tableSizeOf(c, i, 4096);
    try {
      c.headers = decoder.decode(Buffer.from(c.wire, 'hex')).map(([name, value]) => ({ [textOf(name)]: textOf(value) }));
    } catch (err) {
      if (err instanceof HPACKError) throw new Error(`case ${c.seqno ?? i}: ${err.name}: ${err.message}`);
      throw err;
    }
  });
}

function encodeStory(story: unknown, options: Options): void {
  const encoder = new Encoder();
  casesOf(story).forEach((c, i) => {
    if (!Array.isArray(c.headers)) throw new Error(`case ${c.seqno ?? i}: "headers" must be a list of {name: value} objects`);
    if (options.tableSize !== null) {
      encoder.headerTableSize = options.tableSize;
      c.header_table_size = options.tableSize;
    } else if (c.header_table_size !== undefined) encoder.headerTableSize = tableSizeOf(c, i, encoder.headerTableSize);
    const fields: [Uint8Array, Uint8Array][] = [];
    for (const h of c.headers) {
      for (const [name, value] of Object.entries(h)) fields.push([Buffer.from(name, 'utf8'), Buffer.from(String(value), 'utf8')]);
    }
    c.wire = Buffer.from(encoder.encode(fields, { huffman: options.huffman })).toString('hex');
  });
}

/**
 * Runs `h2flow hpack <args>` and resolves to the exit status: 0, or 1 after writing the error to
 * stderr. `--help` prints the usage.
 */
export async function runHpack(args: string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(HPACK_USAGE);
    return 0;
  }
  try {
    const options = parseArgs(args);
    const text = options.path === null || options.path === '-' ? await readAll(io.stdin) : await readFile(options.path, 'utf8');
    let story: unknown;
    try {
      story = JSON.parse(text);
    } catch (err) {
      throw new Error(`input is not JSON: ${(err as Error).message}`);
    }
    if (options.command === 'decode') decodeStory(story);
    else encodeStory(story, options);
    io.stdout.write(JSON.stringify(story, null, 2) + '\n');
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`h2flow hpack: ${message}\n${err instanceof UsageError ? '\n' + HPACK_USAGE : ''}`);
    return 1;
  }
}
