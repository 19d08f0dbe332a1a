/** Shared helpers for the HPACK tests: the hpack-test-case stories and dynamic-table snapshots. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Encoder, type DynamicTable } from '../../src/hpack/index';

/** One case of a story: a header block (`wire`, hex) and its header list. */
export interface StoryCase {
  seqno: number;
  header_table_size?: number | null;
  wire?: string;
  headers: Record<string, string>[];
}

/** One story: a compression context, its cases in order. */
export interface Story {
  description?: string;
  cases: StoryCase[];
}

/** Root of the shared corpus, relative to the project root (the tests' cwd). */
export const CORPUS = '../shared/hpack-test-case';

/** Lists `[file, story]` for every story of one corpus folder, in name order. */
export function loadStories(folder: string): [string, Story][] {
  const dir = join(CORPUS, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [join(dir, f), JSON.parse(readFileSync(join(dir, f), 'utf8')) as Story]);
}

/** The ByteString (one char per octet) of a JSON text string's UTF-8 octets. */
export function byteString(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** A case's header list as `[name, value]` ByteString pairs, in order. */
export function caseHeaders(c: StoryCase): [string, string][] {
  return c.headers.map((h) => {
    const [entry] = Object.entries(h);
    return [byteString(entry![0]), byteString(entry![1])];
  });
}

/** The dynamic table's entries, newest first. */
export function tableEntries(table: DynamicTable): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < table.length; i++) out.push([table.name(i), table.value(i)]);
  return out;
}

/** The encoder settings the round-trip tests sweep: Huffman on and off, table sizes 0, 512, 4096. */
export const ENCODE_SETTINGS: { huffman: boolean; tableSize: number }[] = [true, false].flatMap((huffman) =>
  [0, 512, 4096].map((tableSize) => ({ huffman, tableSize })),
);

/** Encodes every case of a story with one fresh encoder; returns the blocks and their header lists. */
export function encodeStory(story: Story, settings: { huffman: boolean; tableSize: number }): { blocks: Uint8Array[]; lists: [string, string][][] } {
  const encoder = new Encoder();
  encoder.headerTableSize = settings.tableSize;
  const lists = story.cases.map(caseHeaders);
  return { blocks: lists.map((list) => encoder.encode(list, { huffman: settings.huffman })), lists };
}
