/**
 * The flow-log reader family: recognises CICFlowMeter CSV, UNSW-NB15 CSV, NSL-KDD / KDD'99,
 * Zeek conn.log (TSV, JSON) and Suricata eve.json by content, and streams them into the
 * workspace. The ingest job (electron/core/ingest) calls `sniff` on the first 64 KiB of the
 * decompressed file and `ingest` with the format sniffed.
 */
import type { SourceReader, IngestFileResult } from '../ingest/types';
import type { JobContext } from '../jobs/types';
import { WorkbenchError } from '../errors';
import { importTextFile, type LineParser } from './text';
import { sniffCic, cicParser } from './cic';
import { sniffUnsw, unswParser } from './unsw';
import { sniffKdd, kddParser } from './kdd';
import { sniffZeek, zeekTsvParser, zeekJsonParser } from './zeek';
import { sniffEve, eveParser } from './eve';

export { featureSchemas } from './schemas';

/** Format name -> schema and parser. Sniffers are tried in this order (most specific first). */
export const flowLogFormats: Record<string, { schema: string; parser: () => LineParser; description: string }> = {
  'suricata-eve': { schema: 'eve', parser: eveParser, description: 'Suricata eve.json (flow events; alerts as hints)' },
  'zeek-conn-tsv': { schema: 'zeek-conn', parser: zeekTsvParser, description: 'Zeek conn.log (TSV)' },
  'zeek-conn-json': { schema: 'zeek-conn', parser: zeekJsonParser, description: 'Zeek conn.log (JSON lines)' },
  'unsw-nb15-csv': { schema: 'unsw', parser: unswParser, description: 'UNSW-NB15 CSV' },
  'cic-csv': { schema: 'cic', parser: cicParser, description: 'CICFlowMeter CSV (CIC-IDS2017 original or improved layout)' },
  'nsl-kdd': { schema: 'nslkdd', parser: kddParser, description: 'NSL-KDD (41 features, label, difficulty)' },
  kdd99: { schema: 'nslkdd', parser: kddParser, description: "KDD Cup '99 (41 features, label)" },
};

const sniffers = [sniffEve, sniffZeek, sniffUnsw, sniffCic, sniffKdd];

/** The flow-log format of a file's first bytes, or null. Never decided by the file name. */
export function sniffFlowLog(head: Buffer): string | null {
  if (head.length === 0) return null;
  // Binary content (NUL bytes in the head) is never a text flow log.
  if (head.subarray(0, 4096).includes(0)) return null;
  for (const s of sniffers) {
    const f = s(head);
    if (f) return f;
  }
  return null;
}

export async function importFlowLog(ctx: JobContext, file: string, format: string, opts: { batchSize?: number } = {}): Promise<IngestFileResult> {
  const spec = flowLogFormats[format];
  if (!spec) throw new WorkbenchError('E_FORMAT', `${file}: ${format} is not a flow-log format this build reads (${Object.keys(flowLogFormats).join(', ')}).`);
  return importTextFile(ctx, { file, format, parser: spec.parser(), batchSize: opts.batchSize });
}

export const flowLogReader: SourceReader = {
  sniff: (head) => sniffFlowLog(head),
  ingest: (ctx, file, format) => importFlowLog(ctx, file, format),
};
