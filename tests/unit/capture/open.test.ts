import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InputError, openInput, readHead } from '../../../electron/core/ingest/open';
import { tmpDir } from '../../helpers/tmp';

function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

async function readAll(file: string, chunkSize?: number) {
  const input = await openInput(file, chunkSize ? { chunkSize } : {});
  const parts: Buffer[] = [];
  for await (const c of input) parts.push(c);
  return { input, data: Buffer.concat(parts), sha: await input.sha256() };
}

describe('openInput', () => {
  const dir = tmpDir();
  const plain = bytes(3_000_000);

  it('streams a plain file in chunks with disk progress and its sha256', async () => {
    const f = path.join(dir, 'plain.bin');
    fs.writeFileSync(f, plain);
    const { input, data, sha } = await readAll(f, 1 << 16);
    expect(input.compression).toBeNull();
    expect(data.equals(plain)).toBe(true);
    expect(input.diskBytesRead).toBe(plain.length);
    expect(input.bytesRead).toBe(plain.length);
    expect(sha).toBe(createHash('sha256').update(plain).digest('hex'));
  });

  it('decompresses gzip (several members) transparently; progress counts disk bytes', async () => {
    const f = path.join(dir, 'data.gz');
    const gz = Buffer.concat([zlib.gzipSync(plain.subarray(0, 1_000_000)), zlib.gzipSync(plain.subarray(1_000_000))]);
    fs.writeFileSync(f, gz);
    const { input, data, sha } = await readAll(f);
    expect(input.compression).toBe('gzip');
    expect(data.equals(plain)).toBe(true);
    expect(input.diskBytesRead).toBe(gz.length);
    expect(input.size).toBe(gz.length);
    expect(sha).toBe(createHash('sha256').update(gz).digest('hex'));
  });

  it('truncated gzip: keeps what was decompressed, then an InputError with the offset', async () => {
    const f = path.join(dir, 'trunc.gz');
    const gz = zlib.gzipSync(plain);
    fs.writeFileSync(f, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const input = await openInput(f);
    let got = 0;
    let error: unknown;
    try {
      for await (const c of input) got += c.length;
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).offset).toBe(got);
    expect((error as InputError).message).toContain('trunc.gz');
    expect(got).toBeGreaterThan(0);
    // The hash still covers the whole file on disk.
    expect(await input.sha256()).toBe(createHash('sha256').update(fs.readFileSync(f)).digest('hex'));
  });

  it('sha256 completes when the consumer stops early', async () => {
    const f = path.join(dir, 'early.bin');
    fs.writeFileSync(f, plain);
    const input = await openInput(f, { chunkSize: 1 << 16 });
    for await (const _ of input) break;
    expect(await input.sha256()).toBe(createHash('sha256').update(plain).digest('hex'));
  });

  it('readHead returns the first decompressed bytes, and all of a short file', async () => {
    const f = path.join(dir, 'head.gz');
    fs.writeFileSync(f, zlib.gzipSync(plain));
    expect((await readHead(f, 65536)).equals(plain.subarray(0, 65536))).toBe(true);
    const s = path.join(dir, 'short.bin');
    fs.writeFileSync(s, Buffer.from([1, 2, 3]));
    expect([...(await readHead(s))]).toEqual([1, 2, 3]);
    const e = path.join(dir, 'empty.bin');
    fs.writeFileSync(e, '');
    expect((await readHead(e)).length).toBe(0);
  });

  it('names the file when it cannot be opened', async () => {
    await expect(openInput(path.join(dir, 'missing.pcap'))).rejects.toThrow(/missing\.pcap does not exist/);
    await expect(openInput(dir)).rejects.toThrow(/not a regular file/);
  });
});
