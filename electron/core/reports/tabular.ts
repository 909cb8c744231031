/**
 * CSV and JSON of a run's detections: every detection with its flow, streamed in batches, so a
 * run over millions of flows is exported in bounded memory.
 */
import type { Db } from '../store/workspace';
import { ClassTable, detectionBatches, type ReportDetection } from './content';
import { csvRow, safeJson } from './escape';
import { isoTime, protoName } from './format';
import type { AtomicFileWriter } from './writer';

export interface ExportContext {
  db: Db;
  runId: number;
  signal?: AbortSignal;
  /** Called after each batch with the detections written so far. */
  onProgress?: (done: number) => void;
}

/** CSV columns, in order; the header row uses these names. */
export const CSV_COLUMNS = [
  'detection_id',
  'run_id',
  'flow_id',
  'time_first',
  'time_last',
  'src_ip',
  'src_port',
  'dst_ip',
  'dst_port',
  'protocol',
  'vlan',
  'community_id',
  'packets_fwd',
  'packets_bwd',
  'bytes_fwd',
  'bytes_bwd',
  'predicted_class',
  'class_kind',
  'score',
  'attack_score',
  'novelty',
  'verdict',
  'reviewer',
  'reviewed_at',
  'note',
  'current_label',
  'dataset_truth',
  'source',
  'app',
  'hints',
] as const;

function csvValues(d: ReportDetection, runId: number): unknown[] {
  return [
    d.id,
    runId,
    d.flowId,
    isoTime(d.ts),
    isoTime(d.endTs),
    d.srcIp,
    d.srcPort,
    d.dstIp,
    d.dstPort,
    protoName(d.proto),
    d.vlan,
    d.communityId,
    d.packetsFwd,
    d.packetsBwd,
    d.bytesFwd,
    d.bytesBwd,
    d.predicted,
    d.kind,
    d.score,
    d.attackScore,
    d.novelty,
    d.verdict,
    d.reviewer,
    d.reviewedAt,
    d.note,
    d.label,
    d.truth,
    d.source,
    d.app,
    d.hints,
  ];
}

/** Writes the CSV (RFC 4180, CRLF, UTF-8 with BOM so spreadsheets read it as UTF-8). */
export async function writeDetectionsCsv(ctx: ExportContext, out: AtomicFileWriter): Promise<number> {
  out.write('\uFEFF');
  out.write(csvRow(CSV_COLUMNS));
  const classes = new ClassTable(ctx.db);
  let n = 0;
  for await (const batch of detectionBatches(ctx.db, ctx.runId, classes, ctx.signal)) {
    for (const d of batch) out.write(csvRow(csvValues(d, ctx.runId)));
    n += batch.length;
    ctx.onProgress?.(n);
  }
  return n;
}

/** One detection as the JSON export writes it. */
export function detectionJson(d: ReportDetection): Record<string, unknown> {
  return {
    id: d.id,
    flowId: d.flowId,
    timeFirst: isoTime(d.ts),
    timeLast: isoTime(d.endTs),
    src: { ip: d.srcIp, port: d.srcPort },
    dst: { ip: d.dstIp, port: d.dstPort },
    protocol: protoName(d.proto),
    vlan: d.vlan,
    communityId: d.communityId,
    packets: { fwd: d.packetsFwd, bwd: d.packetsBwd },
    bytes: { fwd: d.bytesFwd, bwd: d.bytesBwd },
    predicted: d.predicted,
    kind: d.kind,
    score: d.score,
    attackScore: d.attackScore,
    novelty: d.novelty,
    verdict: d.verdict,
    reviewer: d.reviewer,
    reviewedAt: d.reviewedAt,
    note: d.note,
    label: d.label,
    truth: d.truth,
    source: d.source,
    app: d.app,
    hints: d.hints,
  };
}

/**
 * Writes `{ format, run, detections: [...] }`. Strings keep their exact value; characters that
 * could hurt a viewer (markup, bidi and other controls) are \u-escaped, which JSON parsers undo.
 */
export async function writeDetectionsJson(ctx: ExportContext, out: AtomicFileWriter, header: Record<string, unknown>): Promise<number> {
  const head = safeJson({ format: 'nstd-detections', version: 1, ...header }, 1);
  // Open the object and append the detections array by hand so it can stream.
  out.write(head.slice(0, head.lastIndexOf('}')).trimEnd() + ',\n "detections": [');
  const classes = new ClassTable(ctx.db);
  let n = 0;
  for await (const batch of detectionBatches(ctx.db, ctx.runId, classes, ctx.signal)) {
    for (const d of batch) out.write(`${n++ === 0 ? '\n  ' : ',\n  '}${safeJson(detectionJson(d))}`);
    ctx.onProgress?.(n);
  }
  out.write(n ? '\n ]\n}\n' : ']\n}\n');
  return n;
}
