import fs from 'node:fs';
import path from 'node:path';
import { createHash, type Hash } from 'node:crypto';
import { WorkbenchError } from '../errors';

/**
 * Writes a report file in buffered chunks to a temporary name beside the target and renames
 * it into place on commit, so a crash or cancel never leaves a half-written report under the
 * name the analyst asked for. Hashes what it writes (the `reports` table keeps the sha256).
 */
export class AtomicFileWriter {
  readonly target: string;
  private readonly tmp: string;
  private fd: number | null;
  private chunks: string[] = [];
  private pending = 0;
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;

  constructor(target: string) {
    this.target = path.resolve(target);
    const dir = path.dirname(this.target);
    if (!fs.existsSync(dir)) throw new WorkbenchError('E_NOT_FOUND', `Cannot write the report: the folder ${dir} does not exist. Create it or choose another output path.`);
    if (fs.existsSync(this.target) && fs.statSync(this.target).isDirectory()) {
      throw new WorkbenchError('E_INVALID', `Cannot write the report to ${this.target}: it is a folder. Give a file name.`);
    }
    this.tmp = path.join(dir, `.${path.basename(this.target)}.${process.pid}.${Date.now()}.partial`);
    try {
      this.fd = fs.openSync(this.tmp, 'w', 0o644);
    } catch (err) {
      throw new WorkbenchError('E_INVALID', `Cannot write the report in ${dir}: ${(err as Error).message}`);
    }
  }

  write(s: string): void {
    this.chunks.push(s);
    this.pending += s.length;
    if (this.pending >= 1 << 20) this.flush();
  }

  writeBytes(b: Uint8Array): void {
    this.flush();
    this.put(b);
  }

  private put(b: Uint8Array): void {
    if (this.fd === null) throw new Error('AtomicFileWriter used after commit or abort');
    let off = 0;
    while (off < b.byteLength) off += fs.writeSync(this.fd, b, off, b.byteLength - off);
    this.hash.update(b);
    this.bytes += b.byteLength;
  }

  flush(): void {
    if (this.chunks.length === 0) return;
    const buf = Buffer.from(this.chunks.join(''), 'utf8');
    this.chunks = [];
    this.pending = 0;
    this.put(buf);
  }

  /** Moves the finished file into place; returns its size and sha256. */
  commit(): { path: string; bytes: number; sha256: string } {
    this.flush();
    if (this.fd === null) throw new Error('AtomicFileWriter committed twice');
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = null;
    fs.renameSync(this.tmp, this.target);
    return { path: this.target, bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  abort(): void {
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
    }
    fs.rmSync(this.tmp, { force: true });
  }
}
