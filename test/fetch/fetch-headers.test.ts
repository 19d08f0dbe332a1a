/** Header mapping of the fetch layer: HTTP/2 lists ↔ fetch Headers, as RFC 9113 §8.2 requires. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { appendHeaderFields, headerPairs, headersFromList, trailerFields } from '../../src/fetch/fetch-headers';

const Fields = suite('fetch header mapping');

Fields('split cookie fields are joined with "; " and pseudo-headers are left out', () => {
  const list = [[':method', 'GET'], [':path', '/'], ['cookie', 'a=1'], ['accept', '*/*'], ['cookie', 'b=2']] as const;
  const headers = headersFromList(list);
  assert.is(headers.get('cookie'), 'a=1; b=2');
  assert.is(headers.get('accept'), '*/*');
  assert.equal([...headers.keys()], ['accept', 'cookie']);
  assert.equal(headerPairs(list), { pairs: [['cookie', 'a=1; b=2'], ['accept', '*/*']], host: null });
  assert.is(headerPairs([['host', 'h:1']]).host, 'h:1');
});

Fields('connection-specific fields and host are not sent over HTTP/2; te survives only as trailers', () => {
  const out: Array<readonly [string, string]> = [];
  appendHeaderFields(
    new Headers({ connection: 'keep-alive', 'keep-alive': '5', 'transfer-encoding': 'chunked', upgrade: 'h2c', host: 'x', te: 'trailers', 'x-ok': '1' }),
    out,
  );
  assert.equal(out, [['te', 'trailers'], ['x-ok', '1']]);
  const gzip: Array<readonly [string, string]> = [];
  appendHeaderFields(new Headers({ te: 'gzip' }), gzip);
  assert.equal(gzip, []);
});

Fields('trailers from a record, pairs or Headers become lowercase fields', () => {
  assert.equal(trailerFields({ 'X-Sum': 'a' }), [['x-sum', 'a']]);
  assert.equal(trailerFields([['X-Sum', 'b']]), [['x-sum', 'b']]);
  assert.equal(trailerFields(new Headers({ 'x-sum': 'c' })), [['x-sum', 'c']]);
});

Fields.run();
