import fs from 'node:fs';
import path from 'node:path';
import type { JobContext, JobHandler } from '../jobs/types';
import { WorkbenchError, errorMessage } from '../errors';
import { captureReader } from '../capture';
import { flowLogReader } from '../importers';
import { readHead, SNIFF_BYTES } from './open';
import type { IngestError, IngestFileResult, SourceReader } from './types';

/** What `nstd ingest --json` prints and the job returns. */
export interface IngestJobResult {
  packets: number;
  flows: number;
  /** Decompressed bytes read across all files. */
  bytes: number;
  seconds: number;
  errors: IngestError[];
  sources: Array<{ file: string; sourceId: number | null; format: string | null; status: IngestFileResult['status']; packets: number; flows: number; bytes: number }>;
}

const readers: Array<{ name: string; reader: SourceReader }> = [
  { name: 'capture', reader: captureReader },
  { name: 'flow log', reader: flowLogReader },
];

function hex(head: Buffer): string {
  return [...head.subarray(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * One command for every kind of source: each file is recognised by its content (captures
 * first, then flow logs) and handed to its reader. A file that fails is reported and the job
 * goes on with the next one; progress is in bytes read from disk across all files.
 */
export const ingestJob: JobHandler<'ingest'> = async (spec, ctx) => {
  const t0 = performance.now();
  const files = spec.paths.map((p) => path.resolve(p));
  const sizes = files.map((f) => {
    try {
      return fs.statSync(f).size;
    } catch {
      return 0;
    }
  });
  const total = sizes.reduce((a, b) => a + b, 0);
  const result: IngestJobResult = { packets: 0, flows: 0, bytes: 0, seconds: 0, errors: [], sources: [] };
  let base = 0;
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    if (ctx.signal.aborted) break;
    // Progress of this file is reported by its reader; shift it by the files before it.
    const fileCtx: JobContext = {
      jobId: ctx.jobId,
      workspacePath: ctx.workspacePath,
      signal: ctx.signal,
      log: (line) => ctx.log(line),
      workspace: () => ctx.workspace(),
      progress: (done, _t, unit, message) => ctx.progress(base + done, total, unit === 'bytes' ? 'bytes' : unit, message ?? path.basename(file)),
    };
    ctx.progress(base, total, 'bytes', path.basename(file));
    let r: IngestFileResult | null = null;
    let format: string | null = null;
    try {
      const head = await readHead(file, SNIFF_BYTES);
      let chosen: SourceReader | null = null;
      for (const { reader } of readers) {
        format = reader.sniff(head, path.basename(file));
        if (format) {
          chosen = reader;
          break;
        }
      }
      if (!chosen || !format) {
        throw new WorkbenchError(
          'E_FORMAT',
          head.length === 0
            ? `${file} is empty.`
            : `${file} is neither a capture (pcap, pcapng) nor a flow log this build reads; it starts with ${hex(head)}.`,
        );
      }
      ctx.log(`${path.basename(file)}: ${format}`);
      r = await chosen.ingest(fileCtx, file, format, { idleTimeout: spec.idleTimeout, activeTimeout: spec.activeTimeout });
    } catch (err) {
      if (ctx.signal.aborted) break;
      result.errors.push({ file, offset: 0, message: errorMessage(err) });
      result.sources.push({ file, sourceId: null, format, status: 'failed', packets: 0, flows: 0, bytes: 0 });
    }
    if (r) {
      result.packets += r.packets;
      result.flows += r.flows;
      result.bytes += r.bytes;
      result.errors.push(...r.errors);
      result.sources.push({ file, sourceId: r.sourceId, format: r.format, status: r.status, packets: r.packets, flows: r.flows, bytes: r.bytes });
      ctx.log(`${path.basename(file)}: ${r.status}, ${r.flows} flows${r.packets ? `, ${r.packets} packets` : ''}${r.errors.length ? `, ${r.errors.length} error(s)` : ''}`);
    }
    base += sizes[i]!;
    ctx.progress(base, total, 'bytes', path.basename(file));
  }
  result.seconds = Number(((performance.now() - t0) / 1000).toFixed(3));
  if (ctx.signal.aborted) {
    // What was written stays (the source is marked partial by its reader); the job ends as
    // cancelled so every host shows it so.
    throw new WorkbenchError('E_CANCELLED', `Ingest cancelled after ${result.flows} flows; they are kept and the source is marked partial.`);
  }
  return result;
};
