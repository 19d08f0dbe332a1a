/**
 * Static files for `h2flow serve`: a fetch-style handler (Request → Response) over a directory, with
 * content types, HEAD, conditional GET (ETag / If-None-Match), a single byte Range, directory indexes and
 * path-traversal safety (no `..`, no NUL, no symlink escaping the root). Layer: CLI (Node).
 */
import type { Stats } from 'node:fs';
import { open, realpath, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { contentTypeFor } from './content-types.ts';
import { fileBody, type FileBodyOptions } from './file-body.ts';
import { FileCache, identityOf, sameFile, type CachedFile } from './file-cache.ts';

/** An inclusive byte range `[start, end]` of a representation (RFC 9110 §14.1.2). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Maps a URL path onto a file path inside `root`, or null when it would leave it. Percent-decodes each
 * segment, then refuses `..`, NUL and backslashes outright instead of normalizing them away.
 */
export function resolveInside(root: string, pathname: string): string | null {
  const base = resolve(root);
  const segments: string[] = [];
  for (const raw of pathname.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (segment === '' || segment === '.') continue;
    if (segment === '..' || segment.includes('\0') || segment.includes('/') || segment.includes('\\')) return null;
    segments.push(segment);
  }
  const full = join(base, ...segments);
  return full === base || full.startsWith(base + sep) ? full : null;
}

/**
 * Parses a `Range` header against a representation of `size` bytes (RFC 9110 §14.2). Returns the range, the
 * string `'unsatisfiable'` (answer 416), or null to ignore the header and send the whole representation —
 * which RFC 9110 §14.2 allows ("A server MAY ignore the Range header field"), and which h2flow does for
 * multiple ranges and syntax it does not understand.
 */
export function parseRange(value: string | null, size: number): ByteRange | 'unsatisfiable' | null {
  if (value === null) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(value);
  if (m === null) return null;
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return null;
  if (first === '') {
    // Suffix range: the last N bytes (RFC 9110 §14.1.2 "suffix-length").
    const n = Number(last);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function listing(dir: string, pathname: string): Promise<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const items = entries.map((e) => {
    const name = e.name + (e.isDirectory() ? '/' : '');
    return `<li><a href="${escapeHtml(encodeURIComponent(e.name) + (e.isDirectory() ? '/' : ''))}">${escapeHtml(name)}</a></li>`;
  });
  const title = `Index of ${escapeHtml(pathname)}`;
  return `<!doctype html>\n<meta charset="utf-8">\n<title>${title}</title>\n<h1>${title}</h1>\n<ul>\n${pathname === '/' ? '' : '<li><a href="../">../</a></li>\n'}${items.join('\n')}\n</ul>\n`;
}

function plain(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } });
}

/** Options of {@link StaticFiles}. */
export interface StaticOptions {
  /**
   * Bytes of small files kept in memory (least recently used leave first), each revalidated by a `stat`
   * of its path on every request. Default 32 MiB; 0 turns the cache off.
   */
  readonly cacheBytes?: number;
  /** Files up to this size are read in one go, sent from memory and may be cached; larger ones stream. Default 1 MiB. */
  readonly smallFileSize?: number;
  /** Options of the streamed bodies of large files (chunk size, when an idle descriptor is released). */
  readonly body?: FileBodyOptions;
}

const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;
const DEFAULT_SMALL_FILE = 1024 * 1024;

/** An open file inside the root: its descriptor and what fstat said of it. */
interface Opened {
  readonly handle: FileHandle;
  readonly info: Stats;
}

/** Reads all of a small file from its descriptor (a short read, e.g. a file that shrank, ends early). */
async function readAll(handle: FileHandle, size: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(size);
  let filled = 0;
  while (filled < size) {
    const { bytesRead } = await handle.read(bytes, filled, size - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === size ? bytes : bytes.subarray(0, filled);
}

/**
 * A static-file handler over one directory: GET and HEAD only (405 otherwise), 404 for anything missing
 * or outside the root (`..`, NUL, a symlink leading out), `index.html` or a generated listing for
 * directories, 304 for a matching `If-None-Match`, 206/416 for a single `Range`.
 *
 * Per request on a cache hit: one `stat` (revalidation). On a miss: `realpath` (symlink safety; the
 * root's own realpath is computed once), `open`, `fstat` on the handle and, for a small file, one read;
 * the descriptor is closed off the response path. Large files stream, holding their descriptor only while
 * they are being read.
 */
export class StaticFiles {
  readonly root: string;
  readonly #cache: FileCache;
  readonly #smallFileSize: number;
  readonly #bodyOptions: FileBodyOptions;
  #realRoot: Promise<string> | null = null;
  /** Revalidation stats under way, by path: requests for the same file at the same time share one. */
  readonly #stats = new Map<string, Promise<Stats | null>>();

  constructor(root: string, options: StaticOptions = {}) {
    this.root = resolve(root);
    this.#cache = new FileCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES);
    this.#smallFileSize = options.smallFileSize ?? DEFAULT_SMALL_FILE;
    this.#bodyOptions = options.body ?? {};
  }

  /** The small-file cache (for inspection: `bytes`, `size`). */
  get cache(): FileCache {
    return this.#cache;
  }

  /**
   * Answers `request` from the files under the root. `pathname` is its URL's, when the caller already
   * parsed `request.url` (one parse per request instead of two).
   */
  async serve(request: Request, pathname?: string): Promise<Response> {
    const method = request.method;
    if (method !== 'GET' && method !== 'HEAD') return plain(405, 'method not allowed\n', { allow: 'GET, HEAD' });
    pathname ??= new URL(request.url).pathname;
    const file = resolveInside(this.root, pathname);
    if (file === null) return plain(404, 'not found\n');
    const directoryForm = pathname.endsWith('/');
    const key = directoryForm ? file + sep : file;
    const cached = this.#cache.get(key);
    if (cached !== undefined) {
      const info = await this.#revalidate(cached.statPath);
      if (info !== null && sameFile(cached.identity, info)) return answer(request, cached, cached.bytes);
      this.#cache.delete(key);
    }

    let opened = await this.#openInside(file);
    if (opened === null) return plain(404, 'not found\n');
    let target = file;
    if (opened.info.isDirectory()) {
      void opened.handle.close().catch(ignore);
      // Leading slashes collapsed: `//host/dir` would make the Location a protocol-relative URL to `host`.
      if (!directoryForm) return new Response(null, { status: 301, headers: { location: `/${pathname.replace(/^\/+/, '')}/` } });
      target = join(file, 'index.html');
      opened = await this.#openInside(target);
      if (opened === null || opened.info.isDirectory()) {
        if (opened !== null) void opened.handle.close().catch(ignore);
        const html = await listing(file, pathname);
        return new Response(method === 'HEAD' ? null : html, { headers: { 'content-type': 'text/html; charset=utf-8' } });
      }
    }
    const { handle, info } = opened;
    if (!info.isFile()) {
      void handle.close().catch(ignore);
      return plain(404, 'not found\n');
    }
    const meta = { identity: identityOf(info), statPath: target, contentType: contentTypeFor(target), etag: etagOf(info), lastModified: info.mtime.toUTCString() };
    if (info.size <= this.#smallFileSize) {
      let bytes: Uint8Array;
      try {
        bytes = await readAll(handle, info.size);
      } finally {
        void handle.close().catch(ignore);
      }
      const entry: CachedFile = { ...meta, bytes };
      // A file that changed size under the read is sent as read, never cached.
      if (bytes.byteLength === info.size) this.#cache.set(key, entry);
      return answer(request, entry, bytes);
    }
    return answer(request, meta, null, (start, end) => fileBody(target, meta.identity, start, end, handle, this.#bodyOptions), () => void handle.close().catch(ignore));
  }

  /**
   * A fresh stat of `path` (null if it failed). Requests for one file at the same time share the stat
   * in flight, so a busy file costs one thread-pool stat per round trip instead of one per request
   * (the 100-byte file bench went from ~6k to ~15k req/s). A request that joins may see the file as it
   * was a moment before it arrived: no older than the first of the requests sharing the stat.
   */
  #revalidate(path: string): Promise<Stats | null> {
    let pending = this.#stats.get(path);
    if (pending === undefined) {
      pending = stat(path).then(
        (info) => (this.#stats.delete(path), info),
        () => (this.#stats.delete(path), null),
      );
      this.#stats.set(path, pending);
    }
    return pending;
  }

  /** Opens `path` if its real path is inside the root's, with an fstat of the descriptor; else null. */
  async #openInside(path: string): Promise<Opened | null> {
    let handle: FileHandle;
    try {
      this.#realRoot ??= realpath(this.root);
      const [realRoot, real] = await Promise.all([this.#realRoot, realpath(path)]);
      if (real !== realRoot && !real.startsWith(realRoot + sep)) return null;
      // The real path is opened, so a symlink swapped in after the check is not followed.
      handle = await open(real, 'r');
    } catch {
      return null;
    }
    try {
      return { handle, info: await handle.stat() };
    } catch {
      void handle.close().catch(ignore);
      return null;
    }
  }
}

function ignore(): void {}

function etagOf(info: Stats): string {
  return `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
}

type FileMeta = Omit<CachedFile, 'bytes'>;

/**
 * The response for one version of a file: 304, 416, HEAD, or the bytes (`bytes` in memory, else from
 * `stream`). `discard` releases a descriptor the response does not use.
 */
function answer(
  request: Request,
  meta: FileMeta,
  bytes: Uint8Array | null,
  stream?: (start: number, end: number) => ReadableStream<Uint8Array>,
  discard?: () => void,
): Response {
  const size = meta.identity.size;
  const etag = meta.etag;
  const ifNoneMatch = request.headers.get('if-none-match');
  if (ifNoneMatch !== null && ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
    discard?.();
    return new Response(null, { status: 304, headers: { etag, 'last-modified': meta.lastModified } });
  }
  const ifRange = request.headers.get('if-range');
  const range = ifRange === null || ifRange === etag ? parseRange(request.headers.get('range'), size) : null;
  if (range === 'unsatisfiable') {
    discard?.();
    return plain(416, 'range not satisfiable\n', { 'content-range': `bytes */${size}` });
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  const headers: Record<string, string> = {
    'content-type': meta.contentType,
    'last-modified': meta.lastModified,
    etag,
    'accept-ranges': 'bytes',
    'content-length': String(end + 1 - start),
  };
  if (range !== null) headers['content-range'] = `bytes ${start}-${end}/${size}`;
  const status = range === null ? 200 : 206;
  if (request.method === 'HEAD' || end < start) {
    discard?.();
    return new Response(null, { status, headers });
  }
  if (bytes !== null) {
    const part = range === null ? bytes : bytes.subarray(start, end + 1);
    return new Response(part.byteLength <= COPY_LIMIT ? part : oneChunk(part), { status, headers });
  }
  return new Response(stream!(start, end), { status, headers });
}

/**
 * Up to this size a body is handed to `Response` as bytes. Larger ones go as a one-chunk stream: a
 * runtime's Response copies a byte body (undici's `extractBody` copies it whole: a 1 MiB file cost a
 * 1 MiB copy and its garbage per request), while a stream's chunk is passed through.
 */
const COPY_LIMIT = 16 * 1024;

/** A stream of exactly `bytes` (shared, never copied: cached contents are never written to). */
function oneChunk(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

const handlers = new Map<string, StaticFiles>();

/**
 * Answers `request` from the files under `root` with a {@link StaticFiles} kept per root (default
 * options), so its cache and the root's real path live across requests.
 */
export function serveStatic(root: string, request: Request, pathname?: string): Promise<Response> {
  let files = handlers.get(root);
  if (files === undefined) handlers.set(root, (files = new StaticFiles(root)));
  return files.serve(request, pathname);
}
