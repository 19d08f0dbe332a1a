/** Differential: Debian's Python hpack decodes our encoder's blocks to the same header lists as we do. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Decoder } from '../../src/hpack/index';
import { runPython } from '../support/python';
import { hex as toHex } from '../support/bytes';
import { encodeStory, ENCODE_SETTINGS, loadStories } from '../support/hpack';

const Differential = suite('hpack differential against python hpack');

// One python process for the whole batch: a list of sequences (one per story and setting), each a
// list of hex blocks decoded by one fresh Decoder; header octets come back as latin-1 text.
const PYTHON = `
import json, sys
from hpack import Decoder
out = []
for seq in json.load(sys.stdin):
    d = Decoder()
    out.append([[[n.decode('latin-1'), v.decode('latin-1')] for n, v in d.decode(bytes.fromhex(b), raw=True)] for b in seq])
print(json.dumps(out))
`;

Differential('python hpack and h2flow decode every encoded raw-data story identically', () => {
  const sequences: string[][] = [];
  const ours: [string, string][][][] = [];
  for (const settings of ENCODE_SETTINGS) {
    for (const [, story] of loadStories('raw-data')) {
      const { blocks } = encodeStory(story, settings);
      const decoder = new Decoder();
      ours.push(blocks.map((b) => decoder.decode(b)));
      sequences.push(blocks.map(toHex));
    }
  }
  const theirs = runPython<[string, string][][][]>(PYTHON, sequences);
  assert.is(theirs.length, ours.length);
  for (let i = 0; i < ours.length; i++) assert.equal(theirs[i], ours[i], `sequence ${i}`);
});

Differential.run();
