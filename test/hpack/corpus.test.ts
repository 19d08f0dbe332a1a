/** The hpack-test-case corpus: other implementations' blocks decode exactly; every raw story round-trips. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Decoder } from '../../src/hpack/index';
import { unhex } from '../support/bytes';
import { caseHeaders, encodeStory, ENCODE_SETTINGS, loadStories } from '../support/hpack';

const Corpus = suite('hpack-test-case corpus');

for (const folder of ['nghttp2', 'go-hpack', 'python-hpack']) {
  Corpus(`every ${folder} story decodes to exactly its headers, in order, with one decoder per story`, () => {
    const stories = loadStories(folder);
    assert.ok(stories.length >= 30, `only ${stories.length} stories in ${folder}`);
    for (const [file, story] of stories) {
      const decoder = new Decoder();
      for (const c of story.cases) {
        decoder.maxAllowedTableSize = c.header_table_size ?? 4096;
        assert.equal(decoder.decode(unhex(c.wire!)), caseHeaders(c), `${file} case ${c.seqno}`);
      }
    }
  });
}

for (const settings of ENCODE_SETTINGS) {
  Corpus(`every raw-data story round-trips through encoder and decoder (huffman ${settings.huffman}, table ${settings.tableSize})`, () => {
    const stories = loadStories('raw-data');
    assert.ok(stories.length >= 30);
    for (const [file, story] of stories) {
      const { blocks, lists } = encodeStory(story, settings);
      const decoder = new Decoder();
      blocks.forEach((block, i) => {
        assert.equal(decoder.decode(block), lists[i], `${file} case ${i}`);
      });
      assert.ok(decoder.headerTable.size <= settings.tableSize);
    }
  });
}

Corpus.run();
