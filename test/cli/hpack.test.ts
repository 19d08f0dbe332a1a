/** `h2flow hpack`: decode fills headers from wire, encode fills wire that decodes back, errors exit 1. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { runHpack, type CliIo } from '../../src/cli/hpack';
import { CORPUS, type Story } from '../support/hpack';

const Cli = suite('cli hpack');

function io(stdin = ''): CliIo & { out: string; err: string } {
  const result = {
    out: '',
    err: '',
    stdin: (async function* () {
      yield stdin;
    })(),
    stdout: { write: (s: string) => (result.out += s) },
    stderr: { write: (s: string) => (result.err += s) },
  };
  return result;
}

const NGHTTP2 = `${CORPUS}/nghttp2/story_05.json`;
const RAW = `${CORPUS}/raw-data/story_05.json`;

Cli('decode fills every case with exactly the headers of the story', async () => {
  const expected = JSON.parse(readFileSync(NGHTTP2, 'utf8')) as Story;
  const stripped = { ...expected, cases: expected.cases.map(({ headers: _h, ...rest }) => rest) };
  const run = io(JSON.stringify(stripped));
  assert.is(await runHpack(['decode'], run), 0, run.err);
  assert.equal(JSON.parse(run.out), expected);
});

Cli('decode reads a path argument', async () => {
  const run = io();
  assert.is(await runHpack(['decode', NGHTTP2], run), 0, run.err);
  assert.equal(JSON.parse(run.out), JSON.parse(readFileSync(NGHTTP2, 'utf8')));
});

for (const flags of [[], ['--no-huffman'], ['--table-size', '256']]) {
  Cli(`encode ${flags.join(' ')} fills wire that decodes back to the same headers`.replace('  ', ' '), async () => {
    const original = JSON.parse(readFileSync(RAW, 'utf8')) as Story;
    const encoded = io();
    assert.is(await runHpack(['encode', RAW, ...flags], encoded), 0, encoded.err);
    const story = JSON.parse(encoded.out) as Story;
    assert.ok(story.cases.every((c) => typeof c.wire === 'string' && c.wire.length > 0));
    if (flags[0] === '--table-size') assert.ok(story.cases.every((c) => c.header_table_size === 256));
    const decoded = io(JSON.stringify({ cases: story.cases.map(({ headers: _h, ...rest }) => rest) }));
    assert.is(await runHpack(['decode'], decoded), 0, decoded.err);
    assert.equal((JSON.parse(decoded.out) as Story).cases.map((c) => c.headers), original.cases.map((c) => c.headers));
  });
}

Cli('a malformed block is reported on stderr with exit status 1', async () => {
  const run = io('{"cases":[{"seqno":0,"wire":"80"}]}');
  assert.is(await runHpack(['decode'], run), 1);
  assert.match(run.err, /InvalidTableIndexError/);
  assert.is(run.out, '');
});

Cli('a header_table_size that is not an integer in 0..2^32-1 names its case and exits 1, decoding or encoding', async () => {
  for (const [command, field] of [['decode', '"wire":"82"'], ['encode', '"headers":[{":method":"GET"}]']] as const) {
    for (const size of ['-1', '1.5', '"4096"', '4294967296']) {
      const run = io(`{"cases":[{"seqno":7,${field},"header_table_size":${size}}]}`);
      assert.is(await runHpack([command], run), 1, `${command} with ${size}`);
      assert.match(run.err, 'case 7: "header_table_size" must be an integer in 0..2^32-1');
      assert.is(run.out, '');
    }
  }
});

Cli('bad JSON, a missing file and unknown arguments exit with status 1', async () => {
  for (const [args, stdin, pattern] of [
    [['decode'], 'nope', /not JSON/],
    [['decode', `${CORPUS}/no-such-file.json`], '', /ENOENT/],
    [['frob'], '', /unknown command frob/],
    [['encode', '--table-size', 'x'], '', /--table-size/],
  ] as const) {
    const run = io(stdin);
    assert.is(await runHpack([...args], run), 1, args.join(' '));
    assert.match(run.err, pattern);
  }
});

Cli('--help prints the usage and succeeds', async () => {
  const run = io();
  assert.is(await runHpack(['--help'], run), 0);
  assert.match(run.out, /h2flow hpack encode \[path\] \[--no-huffman\] \[--table-size N\]/);
});

Cli.run();
