/**
 * A file's bytes as a ReadableStream that holds its file descriptor only while it is being read. A peer
 * that asks for large files on many streams and never reads would otherwise keep a descriptor per stream
 * while flow control holds it, and a few such connections exhaust the process's descriptor limit
 * (EMFILE for everyone). Layer: CLI (Node).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { sameFile, type FileIdentity } from './file-cache.ts';

/** Options of {@link fileBody}. */
export interface FileBodyOptions {
  /** Bytes read per chunk (default 256 KiB: the session's default outbound high-water mark). */
  readonly chunkSize?: number;
  /**
   * After this many milliseconds without a read (the consumer, e.g. a peer's flow-control window, holds
   * the stream), the descriptor is closed; the next read reopens the file and checks it is the same
   * version. Default 1000.
   */
  readonly idleCloseMs?: number;
}

const DEFAULT_CHUNK = 256 * 1024;
const DEFAULT_IDLE_CLOSE_MS = 1000;

/** Thrown into the body when the file was replaced or changed while its descriptor was released. */
export class FileChangedError extends Error {
  override readonly name = 'FileChangedError';
}

/**
 * Bytes `[start, end]` of the file at `path` (which `identity` describes). `handle`, when given, is an
 * open descriptor of that file that the body takes over; it is closed when the body ends, is cancelled,
 * or idles for `idleCloseMs`.
 */
export function fileBody(path: string, identity: FileIdentity, start: number, end: number, handle: FileHandle | null = null, options: FileBodyOptions = {}): ReadableStream<Uint8Array> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  const idleCloseMs = options.idleCloseMs ?? DEFAULT_IDLE_CLOSE_MS;
  let fd: FileHandle | null = handle;
  let position = start;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const release = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const held = fd;
    fd = null;
    if (held !== null) void held.close().catch(() => undefined);
  };
  const idle = (): void => {
    timer = null;
    const held = fd;
    fd = null;
    if (held !== null) void held.close().catch(() => undefined);
  };
  const reopen = async (): Promise<FileHandle> => {
    const fresh = await open(path, 'r');
    try {
      if (!sameFile(identity, await fresh.stat())) throw new FileChangedError(`h2flow: ${path} changed while it was being sent`);
    } catch (error) {
      await fresh.close().catch(() => undefined);
      throw error;
    }
    return fresh;
  };

  return new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (timer !== null) clearTimeout(timer);
        timer = null;
        const want = Math.min(chunkSize, end + 1 - position);
        if (want <= 0) {
          release();
          controller.close();
          return;
        }
        try {
          fd ??= await reopen();
          const buffer = new Uint8Array(want);
          const { bytesRead } = await fd.read(buffer, 0, want, position);
          if (bytesRead === 0) throw new FileChangedError(`h2flow: ${path} is shorter than when it was opened`);
          position += bytesRead;
          controller.enqueue(bytesRead === want ? buffer : buffer.subarray(0, bytesRead));
        } catch (error) {
          release();
          throw error;
        }
        if (position > end) {
          release();
          controller.close();
          return;
        }
        timer = setTimeout(idle, idleCloseMs);
        timer.unref?.();
      },
      cancel() {
        release();
      },
  });
}
