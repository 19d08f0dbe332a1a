/** `h2flow serve`'s static-file handler, called directly with Requests: types, HEAD, Range, 304, traversal. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, mkdir, readdir, rename, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRange, resolveInside, serveStatic, StaticFiles } from '../../src/cli/static';
import { FileCache, type CachedFile } from '../../src/cli/file-cache';
import { FileChangedError } from '../../src/cli/file-body';
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
  const doubled = await get('//sub%20dir');
  assert.is(doubled.headers.get('location'), '/sub%20dir/', 'a :path of //sub%20dir is no open redirect to the host sub%20dir');
  const list = await get('/sub%20dir/');
  assert.match(await list.text(), 'href="a.json"');
});

Static('traversal, a symlink leaving the root, missing files and POST are refused', async () => {
  assert.is((await get('/..%2f..%2fetc%2fpasswd')).status, 404);
  assert.is((await get('/escape.txt')).status, 404);
  assert.is((await get('/missing')).status, 404);
  assert.is((await get('/digits.txt', { method: 'POST', body: 'x' })).status, 405);
});

const openDescriptors = async (): Promise<number> => (await readdir('/proc/self/fd')).length;
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

Static('a small file is served from memory until a stat shows it changed on disk', async () => {
  const files = new StaticFiles(root);
  const path = join(root, 'cached.txt');
  await writeFile(path, 'first');
  const one = await files.serve(new Request('http://x/cached.txt'));
  assert.is(await one.text(), 'first');
  assert.is(files.cache.size, 1);
  assert.is(files.cache.bytes, 5);
  assert.is(await (await files.serve(new Request('http://x/cached.txt'))).text(), 'first');
  await writeFile(path, 'second!');
  await utimes(path, new Date(), new Date(Date.now() + 5000));
  const two = await files.serve(new Request('http://x/cached.txt'));
  assert.is(await two.text(), 'second!');
  assert.is(two.headers.get('content-length'), '7');
  assert.is.not(two.headers.get('etag'), one.headers.get('etag'));
  assert.is(files.cache.bytes, 7);
  await unlink(path);
  assert.is((await files.serve(new Request('http://x/cached.txt'))).status, 404);
  assert.is(files.cache.size, 0);
});

Static('concurrent requests for a cached file share revalidation and all get it; a change is seen by the next', async () => {
  const files = new StaticFiles(root);
  const path = join(root, 'busy.txt');
  await writeFile(path, 'v1');
  await (await files.serve(new Request('http://x/busy.txt'))).text();
  const many = await Promise.all(Array.from({ length: 50 }, () => files.serve(new Request('http://x/busy.txt'))));
  assert.equal(await Promise.all(many.map((r) => r.text())), new Array(50).fill('v1'));
  await writeFile(path, 'v2!');
  assert.is(await (await files.serve(new Request('http://x/busy.txt'))).text(), 'v2!');
  await unlink(path);
  const gone = await Promise.all(Array.from({ length: 5 }, () => files.serve(new Request('http://x/busy.txt'))));
  assert.equal(gone.map((r) => r.status), [404, 404, 404, 404, 404]);
});

Static('a cached file replaced by a symlink leading out of the root is refused', async () => {
  const files = new StaticFiles(root);
  const path = join(root, 'swap.txt');
  await writeFile(path, 'inside');
  assert.is(await (await files.serve(new Request('http://x/swap.txt'))).text(), 'inside');
  await unlink(path);
  await symlink(join(outside, 'secret.txt'), path);
  assert.is((await files.serve(new Request('http://x/swap.txt'))).status, 404);
  await unlink(path);
});

Static('ranges and conditional requests are answered from a cached file too', async () => {
  const files = new StaticFiles(root);
  const first = await files.serve(new Request('http://x/digits.txt'));
  await first.arrayBuffer();
  const range = await files.serve(new Request('http://x/digits.txt', { headers: { range: 'bytes=3-4' } }));
  assert.is(range.status, 206);
  assert.is(await range.text(), '34');
  const notModified = await files.serve(new Request('http://x/digits.txt', { headers: { 'if-none-match': first.headers.get('etag')! } }));
  assert.is(notModified.status, 304);
  const dir = await files.serve(new Request('http://x/'));
  assert.is(await dir.text(), '<h1>home</h1>');
  assert.is((await files.serve(new Request('http://x/'))).headers.get('content-type'), 'text/html; charset=utf-8');
});

Static('the file cache stays within its byte bound, least recently used leaving first', () => {
  const cache = new FileCache(10);
  const entry = (n: number): CachedFile => ({
    identity: { dev: 1, ino: n, size: n, mtimeMs: 0, ctimeMs: 0 },
    statPath: `/f${n}`,
    bytes: new Uint8Array(n),
    contentType: 'x',
    etag: 'e',
    lastModified: 'l',
  });
  cache.set('a', entry(4));
  cache.set('b', entry(4));
  assert.ok(cache.get('a'));
  cache.set('c', entry(4));
  assert.is(cache.get('b'), undefined);
  assert.ok(cache.get('a'));
  assert.ok(cache.get('c'));
  assert.is(cache.bytes, 8);
  cache.set('big', entry(11));
  assert.is(cache.get('big'), undefined);
  assert.is(cache.bytes, 8);
  assert.is(new FileCache(0).maxBytes, 0);
});

Static('a large file streams, and its descriptor is released while the reader waits', async () => {
  const big = new Uint8Array(300_000).map((_, i) => i % 251);
  await writeFile(join(root, 'big.bin'), big);
  const files = new StaticFiles(root, { smallFileSize: 1000, body: { chunkSize: 64 * 1024, idleCloseMs: 20 } });
  const before = await openDescriptors();
  const res = await files.serve(new Request('http://x/big.bin'));
  assert.is(res.headers.get('content-length'), '300000');
  const reader = res.body!.getReader();
  const first = await reader.read();
  assert.is(first.value!.byteLength, 64 * 1024);
  await sleep(80);
  assert.is(await openDescriptors(), before, 'the idle body holds no descriptor');
  const chunks = [first.value!];
  for (;;) {
    const next = await reader.read();
    if (next.done) break;
    chunks.push(next.value);
  }
  assert.equal(Buffer.concat(chunks), Buffer.from(big));
  assert.is(files.cache.size, 0, 'large files are not cached');
  await sleep(5);
  assert.is(await openDescriptors(), before);
});

Static('a large file replaced while its descriptor was released fails its body instead of mixing versions', async () => {
  const path = join(root, 'moving.bin');
  await writeFile(path, new Uint8Array(200_000));
  const files = new StaticFiles(root, { smallFileSize: 1000, body: { chunkSize: 64 * 1024, idleCloseMs: 10 } });
  const res = await files.serve(new Request('http://x/moving.bin'));
  const reader = res.body!.getReader();
  await reader.read();
  await sleep(50);
  await writeFile(path + '.new', new Uint8Array(200_000).fill(1));
  await rename(path + '.new', path);
  let failure: unknown = null;
  try {
    for (;;) if ((await reader.read()).done) break;
  } catch (error) {
    failure = error;
  }
  assert.instance(failure, FileChangedError);
});

Static('HEAD and 304 on a large file leave no descriptor open', async () => {
  await writeFile(join(root, 'big2.bin'), new Uint8Array(50_000));
  const files = new StaticFiles(root, { smallFileSize: 1000 });
  const before = await openDescriptors();
  const head = await files.serve(new Request('http://x/big2.bin', { method: 'HEAD' }));
  const etag = head.headers.get('etag')!;
  await files.serve(new Request('http://x/big2.bin', { headers: { 'if-none-match': etag } }));
  await files.serve(new Request('http://x/big2.bin', { headers: { range: 'bytes=60000-' } }));
  await sleep(20);
  assert.is(await openDescriptors(), before);
});

Static.run();
