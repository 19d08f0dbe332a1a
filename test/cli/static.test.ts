/** `h2flow serve`'s static-file handler, called directly with Requests: types, HEAD, Range, 304, traversal. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRange, resolveInside, serveStatic } from '../../src/cli/static';
import { contentTypeFor } from '../../src/cli/content-types';

const Static = suite('static files');

let root = '';
let outside = '';
const BODY = '0123456789abcdefghij';

Static.before(async () => {
  outside = await mkdtemp(join(tmpdir(), 'h2flow-outside-'));
  root = await mkdtemp(join(tmpdir(), 'h2flow-static-'));
  await writeFile(join(outside, 'secret.txt'), 'secret');
  await writeFile(join(root, 'index.html'), '<h1>home</h1>');
  await writeFile(join(root, 'digits.txt'), BODY);
  await mkdir(join(root, 'sub dir'));
  await writeFile(join(root, 'sub dir', 'a.json'), '{}');
  await symlink(join(outside, 'secret.txt'), join(root, 'escape.txt'));
});

Static.after(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

const get = (path: string, init?: RequestInit): Promise<Response> => serveStatic(root, new Request(`http://x${path}`, init));

Static('content types follow the extension, case-insensitively, with octet-stream for unknown ones', () => {
  assert.is(contentTypeFor('a/b/page.HTML'), 'text/html; charset=utf-8');
  assert.is(contentTypeFor('x.wasm'), 'application/wasm');
  assert.is(contentTypeFor('noext'), 'application/octet-stream');
  assert.is(contentTypeFor('dir.d/.hidden'), 'application/octet-stream');
});

Static('paths with .. or encoded traversal or NUL never resolve outside the root', () => {
  assert.is(resolveInside('/srv', '/../etc/passwd'), null);
  assert.is(resolveInside('/srv', '/a/%2e%2e/%2e%2e/etc'), null);
  assert.is(resolveInside('/srv', '/..%2fetc'), null);
  assert.is(resolveInside('/srv', '/a%00b'), null);
  assert.is(resolveInside('/srv', '/a%5c..%5cb'), null);
  assert.is(resolveInside('/srv', '/%E0%A4%A'), null);
  assert.is(resolveInside('/srv', '/a/./b%20c'), '/srv/a/b c');
});

Static('a file is served with its type, length, validators and accept-ranges', async () => {
  const res = await get('/digits.txt');
  assert.is(res.status, 200);
  assert.is(res.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.is(res.headers.get('content-length'), String(BODY.length));
  assert.is(res.headers.get('accept-ranges'), 'bytes');
  assert.ok(res.headers.get('etag'));
  assert.is(await res.text(), BODY);
});

Static('HEAD answers the headers of GET without a body', async () => {
  const res = await get('/digits.txt', { method: 'HEAD' });
  assert.is(res.status, 200);
  assert.is(res.headers.get('content-length'), String(BODY.length));
  assert.is(res.body, null);
});

Static('a single Range gets 206 with Content-Range and exactly those bytes', async () => {
  const mid = await get('/digits.txt', { headers: { range: 'bytes=2-5' } });
  assert.is(mid.status, 206);
  assert.is(mid.headers.get('content-range'), `bytes 2-5/${BODY.length}`);
  assert.is(await mid.text(), '2345');
  const suffix = await get('/digits.txt', { headers: { range: 'bytes=-3' } });
  assert.is(await suffix.text(), 'hij');
  const open = await get('/digits.txt', { headers: { range: 'bytes=18-' } });
  assert.is(await open.text(), 'ij');
});

Static('a Range past the end is 416 with the size; multiple ranges are ignored', async () => {
  const res = await get('/digits.txt', { headers: { range: 'bytes=100-' } });
  assert.is(res.status, 416);
  assert.is(res.headers.get('content-range'), `bytes */${BODY.length}`);
  const multi = await get('/digits.txt', { headers: { range: 'bytes=0-1,4-5' } });
  assert.is(multi.status, 200);
  assert.is(await multi.text(), BODY);
});

Static('range parsing follows RFC 9110 for open, suffix and inverted ranges', () => {
  assert.equal(parseRange('bytes=0-0', 10), { start: 0, end: 0 });
  assert.equal(parseRange('bytes=5-100', 10), { start: 5, end: 9 });
  assert.equal(parseRange('bytes=-100', 10), { start: 0, end: 9 });
  assert.is(parseRange('bytes=-0', 10), 'unsatisfiable');
  assert.is(parseRange('bytes=5-2', 10), null);
  assert.is(parseRange('items=0-1', 10), null);
  assert.is(parseRange(null, 10), null);
});

Static('a matching If-None-Match gets 304 without a body', async () => {
  const first = await get('/digits.txt');
  await first.arrayBuffer();
  const res = await get('/digits.txt', { headers: { 'if-none-match': first.headers.get('etag')! } });
  assert.is(res.status, 304);
  assert.is(res.body, null);
});

Static('a directory serves its index.html, or a listing, and redirects without a trailing slash', async () => {
  const home = await get('/');
  assert.is(await home.text(), '<h1>home</h1>');
  assert.is(home.headers.get('content-type'), 'text/html; charset=utf-8');
  const redirect = await get('/sub%20dir');
  assert.is(redirect.status, 301);
  assert.is(redirect.headers.get('location'), '/sub%20dir/');
  const list = await get('/sub%20dir/');
  assert.match(await list.text(), 'href="a.json"');
});

Static('traversal, a symlink leaving the root, missing files and POST are refused', async () => {
  assert.is((await get('/..%2f..%2fetc%2fpasswd')).status, 404);
  assert.is((await get('/escape.txt')).status, 404);
  assert.is((await get('/missing')).status, 404);
  assert.is((await get('/digits.txt', { method: 'POST', body: 'x' })).status, 405);
});

Static.run();
