/**
 * Static files for `h2flow serve`: a fetch-style handler (Request → Response) over a directory, with
 * content types, HEAD, conditional GET (ETag / If-None-Match), a single byte Range, directory indexes and
 * path-traversal safety (no `..`, no NUL, no symlink escaping the root). Layer: CLI (Node).
 */
import { open, realpath, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { contentTypeFor } from './content-types';

/** An inclusive byte range `[start, end]` of a representation (RFC 9110 §14.1.2). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

const CHUNK = 64 * 1024;

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

/** A ReadableStream of bytes `[start, end]` of an open file; closes the handle when done or cancelled. */
export function fileBody(handle: FileHandle, start: number, end: number): ReadableStream<Uint8Array> {
  let position = start;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const want = Math.min(CHUNK, end + 1 - position);
      if (want <= 0) {
        await handle.close();
        controller.close();
        return;
      }
      const buffer = new Uint8Array(want);
      const { bytesRead } = await handle.read(buffer, 0, want, position);
      if (bytesRead === 0) {
        await handle.close();
        controller.close();
        return;
      }
      position += bytesRead;
      controller.enqueue(bytesRead === want ? buffer : buffer.subarray(0, bytesRead));
    },
    async cancel() {
      await handle.close();
    },
  });
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

async function isInsideReal(root: string, file: string): Promise<boolean> {
  const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]);
  return realFile === realRoot || realFile.startsWith(realRoot + sep);
}

/**
 * Answers `request` from the files under `root`: GET and HEAD only (405 otherwise), 404 for anything
 * missing or outside the root, `index.html` or a generated listing for directories, 304 for a matching
 * `If-None-Match`, 206/416 for a single `Range`.
 */
export async function serveStatic(root: string, request: Request): Promise<Response> {
  const method = request.method;
  if (method !== 'GET' && method !== 'HEAD') return plain(405, 'method not allowed\n', { allow: 'GET, HEAD' });
  const { pathname } = new URL(request.url);
  let file = resolveInside(root, pathname);
  if (file === null) return plain(404, 'not found\n');
  let info;
  try {
    info = await stat(file);
    if (!(await isInsideReal(root, file))) return plain(404, 'not found\n');
  } catch {
    return plain(404, 'not found\n');
  }
  if (info.isDirectory()) {
    if (!pathname.endsWith('/')) return new Response(null, { status: 301, headers: { location: pathname + '/' } });
    const index = join(file, 'index.html');
    const indexInfo = await stat(index).catch(() => null);
    if (indexInfo === null || !indexInfo.isFile()) {
      const html = await listing(file, pathname);
      return new Response(method === 'HEAD' ? null : html, { headers: { 'content-type': 'text/html; charset=utf-8' } });
    }
    file = index;
    info = indexInfo;
  }
  if (!info.isFile()) return plain(404, 'not found\n');

  const size = info.size;
  const etag = `W/"${size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  const headers: Record<string, string> = {
    'content-type': contentTypeFor(file),
    'last-modified': info.mtime.toUTCString(),
    etag,
    'accept-ranges': 'bytes',
  };
  const ifNoneMatch = request.headers.get('if-none-match');
  if (ifNoneMatch !== null && ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
    return new Response(null, { status: 304, headers: { etag, 'last-modified': headers['last-modified']! } });
  }
  const ifRange = request.headers.get('if-range');
  const range = ifRange === null || ifRange === etag ? parseRange(request.headers.get('range'), size) : null;
  if (range === 'unsatisfiable') {
    return plain(416, 'range not satisfiable\n', { 'content-range': `bytes */${size}` });
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  headers['content-length'] = String(end + 1 - start);
  if (range !== null) headers['content-range'] = `bytes ${start}-${end}/${size}`;
  const status = range === null ? 200 : 206;
  if (method === 'HEAD' || end < start) return new Response(null, { status, headers });
  const handle = await open(file, 'r');
  return new Response(fileBody(handle, start, end), { status, headers });
}
