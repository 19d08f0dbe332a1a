/**
 * The small-file cache of `h2flow serve`: whole contents of small files, bounded in bytes (least recently
 * used leave first), each entry revalidated against a fresh `stat` of its path before use. Layer: CLI (Node).
 */
import type { Stats } from 'node:fs';

/** What identifies one version of a file: an entry is used only while a fresh stat still matches it. */
export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

/** A cached file: its contents and the response headers that depend only on the file. */
export interface CachedFile {
  readonly identity: FileIdentity;
  /** The file whose stat revalidates the entry (a directory's entry revalidates its index.html). */
  readonly statPath: string;
  readonly bytes: Uint8Array;
  readonly contentType: string;
  readonly etag: string;
  readonly lastModified: string;
}

/** True when `info` describes the same version of the same file as `identity`. */
export function sameFile(identity: FileIdentity, info: Stats): boolean {
  return info.ino === identity.ino && info.dev === identity.dev && info.size === identity.size && info.mtimeMs === identity.mtimeMs && info.ctimeMs === identity.ctimeMs;
}

/** Copies the identifying fields of `info` (a Stats object keeps much more alive than these five numbers). */
export function identityOf(info: Stats): FileIdentity {
  return { dev: info.dev, ino: info.ino, size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs };
}

/**
 * Least-recently-used file contents, at most `maxBytes` in all. A Map keeps insertion order, so a hit
 * re-inserts its entry and eviction takes from the front.
 */
export class FileCache {
  readonly #entries = new Map<string, CachedFile>();
  #bytes = 0;

  /** @param maxBytes the bound on cached contents (0: the cache keeps nothing). */
  constructor(readonly maxBytes: number) {}

  /** Bytes of file contents held now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Number of files held now. */
  get size(): number {
    return this.#entries.size;
  }

  /** The entry for `key`, marked most recently used; the caller revalidates it. */
  get(key: string): CachedFile | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** Keeps `entry` under `key` if it fits the bound, evicting the least recently used as needed. */
  set(key: string, entry: CachedFile): void {
    this.delete(key);
    const size = entry.bytes.byteLength;
    if (size > this.maxBytes) return;
    for (const [oldest, old] of this.#entries) {
      if (this.#bytes + size <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= old.bytes.byteLength;
    }
    this.#entries.set(key, entry);
    this.#bytes += size;
  }

  /** Forgets `key` (a stale or vanished file). */
  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes.byteLength;
  }
}
