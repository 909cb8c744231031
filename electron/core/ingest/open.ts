import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { WorkbenchError } from '../errors';

/**
 * Opening an input file for ingest: the one place that knows about compression. Readers see
 * the decompressed bytes as a stream of big chunks; progress is counted in bytes read from
 * disk (so it reaches the file size for gzipped files too), and the sha256 of the file as it
 * is on disk is computed while it streams past.
 */

/** gzip member magic (RFC 1952): ID1 ID2. */
const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** Readers want big chunks: per-chunk overhead, not per-byte, dominates at 1 MB and above. */
export const DEFAULT_CHUNK_SIZE = 1 << 20;

/** Bytes a reader's `sniff` sees. */
export const SNIFF_BYTES = 64 * 1024;

export type Compression = 'gzip' | null;

/** A failure to read or decompress the input; `offset` is in the decompressed stream. */
export class InputError extends WorkbenchError {
  readonly file: string;
  readonly offset: number;
  constructor(file: string, offset: number, message: string) {
    super('E_PARSE', message, { file, offset });
    this.name = 'InputError';
    this.file = file;
    this.offset = offset;
  }
}

export interface OpenedInput extends AsyncIterable<Buffer> {
  readonly file: string;
  /** Size of the file on disk (compressed size for gzip). */
  readonly size: number;
  readonly compression: Compression;
  /** Bytes read from disk so far: use for progress against `size`. */
  readonly diskBytesRead: number;
  /** Decompressed bytes handed to the consumer so far. */
  readonly bytesRead: number;
  /**
   * sha256 (hex) of the file on disk. When the consumer stopped early (error, cancel) the rest
   * of the file is read to complete the hash; call it after iteration ends.
   */
  sha256(): Promise<string>;
  /** Releases the file; safe to call more than once. Iteration that ends calls it too. */
  close(): void;
}

export interface OpenOptions {
  chunkSize?: number;
  /** Skip hashing (benchmarks that measure parsing only). */
  hash?: boolean;
}

async function readMagic(file: string): Promise<{ size: number; gzip: boolean }> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, 'r');
  } catch (err) {
    throw notReadable(file, err);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new WorkbenchError('E_INVALID', `${file} is not a regular file.`);
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return { size: st.size, gzip: bytesRead === 2 && b[0] === GZIP_MAGIC_0 && b[1] === GZIP_MAGIC_1 };
  } finally {
    await fh.close();
  }
}

function notReadable(file: string, err: unknown): WorkbenchError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new WorkbenchError('E_NOT_FOUND', `${file} does not exist.`);
  if (code === 'EACCES' || code === 'EPERM') return new WorkbenchError('E_INVALID', `${file} cannot be read (permission denied).`);
  if (code === 'EISDIR') return new WorkbenchError('E_INVALID', `${file} is a folder, not a file.`);
  return new WorkbenchError('E_INVALID', `${file} cannot be read: ${(err as Error).message}`);
}

/**
 * Opens `file` for streaming: gzip (magic 1f 8b, several members allowed) is decompressed
 * transparently. Throws WorkbenchError when the file cannot be opened; errors while reading
 * (I/O, corrupt gzip) are thrown from the iterator as InputError with the decompressed offset.
 */
export async function openInput(file: string, opts: OpenOptions = {}): Promise<OpenedInput> {
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const { size, gzip } = await readMagic(file);
  const raw = fs.createReadStream(file, { highWaterMark: chunkSize });
  const hash: Hash | null = opts.hash === false ? null : createHash('sha256');
  let diskBytesRead = 0;
  let bytesRead = 0;
  let closed = false;
  let hashDone = false;

  raw.on('data', (c: Buffer | string) => {
    const b = c as Buffer;
    diskBytesRead += b.length;
    hash?.update(b);
  });
  raw.on('end', () => {
    hashDone = true;
  });

  let out: Readable = raw;
  if (gzip) {
    // Unzip (not Gunzip) would also accept zlib/deflate; only real gzip is sniffed as gzip.
    const gunzip = zlib.createGunzip({ chunkSize });
    raw.on('error', (e) => gunzip.destroy(e));
    raw.pipe(gunzip);
    out = gunzip;
  }

  const close = (): void => {
    if (closed) return;
    closed = true;
    if (out !== raw) out.destroy();
    raw.destroy();
  };

  async function* iterate(): AsyncGenerator<Buffer> {
    try {
      for await (const c of out) {
        const b = c as Buffer;
        bytesRead += b.length;
        yield b;
      }
    } catch (err) {
      if (err instanceof WorkbenchError) throw err;
      const e = err as NodeJS.ErrnoException;
      const what = gzip && typeof e.code === 'string' && e.code.startsWith('Z_')
        ? `gzip data is corrupt or truncated (${e.message})`
        : gzip && e.message === 'unexpected end of file'
          ? 'gzip data is truncated (unexpected end of file)'
          : `read failed: ${e.message}`;
      throw new InputError(file, bytesRead, `${file}: ${what} at decompressed byte ${bytesRead} (disk byte ${diskBytesRead}).`);
    } finally {
      close();
    }
  }

  return {
    file,
    size,
    compression: gzip ? 'gzip' : null,
    get diskBytesRead() {
      return diskBytesRead;
    },
    get bytesRead() {
      return bytesRead;
    },
    [Symbol.asyncIterator]: () => iterate(),
    close,
    async sha256() {
      if (!hash) throw new WorkbenchError('E_INTERNAL', 'openInput was called with hash: false.');
      if (!hashDone) {
        // The consumer stopped early: hash the rest straight from disk.
        close();
        if (diskBytesRead < size) {
          for await (const c of fs.createReadStream(file, { start: diskBytesRead, highWaterMark: chunkSize })) {
            hash.update(c as Buffer);
          }
        }
        hashDone = true;
      }
      return hash.digest('hex');
    },
  };
}

/**
 * The first `n` decompressed bytes of `file` (fewer when it is shorter), for sniffing. A gzip
 * stream that is corrupt after the head still yields the head.
 */
export async function readHead(file: string, n = SNIFF_BYTES): Promise<Buffer> {
  const input = await openInput(file, { hash: false, chunkSize: Math.max(n, 64 * 1024) });
  const parts: Buffer[] = [];
  let have = 0;
  try {
    for await (const c of input) {
      parts.push(c);
      have += c.length;
      if (have >= n) break;
    }
  } catch (err) {
    if (have === 0) throw err;
  } finally {
    input.close();
  }
  const all = Buffer.concat(parts);
  return all.length > n ? all.subarray(0, n) : all;
}

/** A display name for a source: the file's base name without a trailing .gz. */
export function sourceName(file: string): string {
  return path.basename(file);
}
