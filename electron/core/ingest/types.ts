import type { JobContext } from '../jobs/types';

/**
 * The interface between the ingest job (one command for every kind of source) and the two
 * families of readers: captures (electron/core/capture) and flow logs (electron/core/importers).
 */
export interface IngestError {
  file: string;
  /** Byte offset in the (decompressed) input where reading failed, for binary formats. */
  offset?: number;
  /** 1-based line number, for text formats. */
  line?: number;
  message: string;
}

export interface IngestFileResult {
  sourceId: number;
  format: string;
  packets: number;
  flows: number;
  /** Bytes of input read (decompressed). */
  bytes: number;
  errors: IngestError[];
  status: 'ok' | 'partial' | 'failed';
}

/**
 * One reader family. `sniff` sees the first 64 KiB of the decompressed file and returns a
 * format name when the content is theirs (never decided by file name alone). `ingest` creates
 * the `sources` row (createSource with jobId = ctx.jobId), streams the file, writes flows
 * with FlowWriter, finishes the source (finishSource) and reports progress in bytes.
 */
export interface SourceReader {
  sniff(head: Buffer, fileName: string): string | null;
  ingest(ctx: JobContext, file: string, format: string, options?: IngestOptions): Promise<IngestFileResult>;
}

/** Options of the ingest job that a reader may use (flow-log readers ignore the timeouts). */
export interface IngestOptions {
  /** Capture flow assembler: one idle timeout (s) for every protocol state. */
  idleTimeout?: number;
  /** Capture flow assembler: longest flow (s) before it is split. */
  activeTimeout?: number;
}
