import path from 'node:path';
import type { JobContext } from '../jobs/types';
import type { IngestError, IngestFileResult, SourceReader } from '../ingest/types';
import { openInput } from '../ingest/open';
import { FlowWriter } from '../store/flow-writer';
import { createSource, finishSource } from '../store/sources';
import { assemblerOptions, type AssemblerOptions } from './assembler';
import { flowRecord, runCapture } from './pipeline';
import { sniffCapture } from './reader';

/** Flow assembler options for one ingest (from the job spec); set before `ingest`. */
export interface CaptureIngestOptions {
  assembler?: AssemblerOptions;
  /** Flows per insert transaction. */
  batchSize?: number;
}

/**
 * Ingests one capture file into the workspace: a `sources` row (size, sha256, status), flows
 * of schema "pcap" written in batches as the assembler ends them, progress in bytes read from
 * disk. A malformed file keeps what was read before the fault and ends `partial` with the
 * byte offset in its errors; the job goes on with the next file.
 */
export async function ingestCapture(ctx: JobContext, file: string, format: string, opts: CaptureIngestOptions = {}): Promise<IngestFileResult> {
  const abs = path.resolve(file);
  const input = await openInput(abs);
  const db = ctx.workspace().db;
  const sourceId = createSource(db, {
    path: abs,
    name: path.basename(abs),
    size: input.size,
    format: input.compression ? `${format}+${input.compression}` : format,
    schema: 'pcap',
    jobId: ctx.jobId,
  });
  const writer = new FlowWriter(db, sourceId, 'pcap', opts.batchSize ?? 5000);
  const name = path.basename(abs);
  let lastProgress = 0;
  const run = await runCapture(input, (f) => writer.add(flowRecord(f)), {
    assembler: opts.assembler ?? assemblerOptions(),
    signal: ctx.signal,
    onChunk: (disk) => {
      const now = Date.now();
      if (now - lastProgress >= 200) {
        lastProgress = now;
        ctx.progress(disk, input.size, 'bytes', name);
      }
    },
  });
  writer.commit();
  ctx.progress(input.diskBytesRead, input.size, 'bytes', name);
  const errors: IngestError[] = [];
  if (run.error) errors.push({ file: abs, offset: run.error.offset, message: run.error.message });
  const s0 = run.stats;
  if (s0.packets > 0 && s0.ipPackets === 0 && s0.unsupportedLink > 0) {
    const types = Object.keys(s0.unsupportedLinkTypes).join(', ');
    errors.push({ file: abs, offset: 0, message: `${name}: none of its ${s0.packets} frames could be decoded: link type ${types} is not one this build reads (Ethernet, Linux cooked v1/v2, raw IPv4/IPv6, BSD loopback, PPP, Cisco HDLC).` });
  }
  if (s0.truncated + s0.malformed > 0) ctx.log(`${name}: ${s0.truncated} truncated and ${s0.malformed} malformed frames counted, not in flows`);
  if (run.cancelled) errors.push({ file: abs, offset: run.bytes, message: `Cancelled after ${run.bytes} bytes; the flows read so far are kept.` });
  const status: IngestFileResult['status'] = errors.length === 0 ? 'ok' : run.stats.packets > 0 || run.bytes > 0 ? 'partial' : 'failed';
  const sha256 = await input.sha256();
  const s = run.stats;
  finishSource(db, sourceId, {
    status,
    sha256,
    packets: s.packets,
    flowCount: writer.written,
    timeFirst: run.timeFirst,
    timeLast: run.timeLast,
    errors,
    stats: {
      ...s,
      linktypes: run.reader.linktypes,
      skippedBlocks: run.reader.skippedBlocks,
      oddLengths: run.reader.oddLengths,
      bytes: run.bytes,
    },
  });
  return { sourceId, format, packets: s.packets, flows: writer.written, bytes: run.bytes, errors, status };
}

export const captureReader: SourceReader = {
  sniff(head) {
    return sniffCapture(head);
  },
  ingest(ctx, file, format, options) {
    return ingestCapture(ctx, file, format, { assembler: assemblerOptions(options ?? {}) });
  },
};
