import type { Db } from './workspace';

/** One flow record as importers and the capture assembler hand it to the store. */
export interface FlowRecord {
  rowNo: number;
  ts: number | null;
  endTs: number | null;
  proto: number | null;
  srcIp: string | null;
  dstIp: string | null;
  srcPort: number | null;
  dstPort: number | null;
  vlan: number | null;
  communityId: string | null;
  packetsFwd: number;
  packetsBwd: number;
  bytesFwd: number;
  bytesBwd: number;
  payloadFwd: number;
  payloadBwd: number;
  frameBytesFwd: number;
  frameBytesBwd: number;
  tcpFlags: number | null;
  app: string | null;
  /** JSON text: e.g. Suricata alerts or service hints. */
  hints: string | null;
  features: Float32Array | null;
  sequence: Float32Array | null;
  /** Where the flow's packets are in the source file (for carving), encoded by the capture reader. */
  packetRefs: Uint8Array | null;
  truth: string | null;
  /** Current label class, when the source labels its records (dataset labels; see store/labels.ts). */
  labelId?: number | null;
}

const INSERT = `INSERT INTO flows (source_id, row_no, ts, end_ts, proto, src_ip, dst_ip, src_port, dst_port, vlan,
  community_id, packets_fwd, packets_bwd, bytes_fwd, bytes_bwd, payload_fwd, payload_bwd, frame_bytes_fwd,
  frame_bytes_bwd, tcp_flags, app, hints, schema, features, sequence, packet_refs, truth, label_id)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const blob = (a: ArrayBufferView | null): Buffer | null => (a ? Buffer.from(a.buffer, a.byteOffset, a.byteLength) : null);

/**
 * Batched inserts of one source's flows: one transaction per batch, so a crash loses at most
 * the batch in flight and readers (WAL) see whole batches. `onBatch` runs inside each batch's
 * transaction (e.g. to write dataset labels for the inserted ids).
 */
export class FlowWriter {
  private readonly stmt;
  private buf: FlowRecord[] = [];
  private readonly flush: (rows: FlowRecord[]) => number[];
  written = 0;

  constructor(
    private readonly db: Db,
    private readonly sourceId: number,
    private readonly schema: string,
    private readonly batchSize = 5000,
    onBatch?: (rows: FlowRecord[], ids: number[]) => void,
  ) {
    this.stmt = db.prepare(INSERT);
    this.flush = db.transaction((rows: FlowRecord[]) => {
      const ids: number[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const f = rows[i]!;
        const r = this.stmt.run(
          this.sourceId, f.rowNo, f.ts, f.endTs, f.proto, f.srcIp, f.dstIp, f.srcPort, f.dstPort, f.vlan,
          f.communityId, f.packetsFwd, f.packetsBwd, f.bytesFwd, f.bytesBwd, f.payloadFwd, f.payloadBwd,
          f.frameBytesFwd, f.frameBytesBwd, f.tcpFlags, f.app, f.hints, this.schema, blob(f.features),
          blob(f.sequence), blob(f.packetRefs), f.truth, f.labelId ?? null,
        );
        ids[i] = Number(r.lastInsertRowid);
      }
      onBatch?.(rows, ids);
      this.db.prepare('UPDATE sources SET flow_count = flow_count + ? WHERE id = ?').run(rows.length, this.sourceId);
      return ids;
    });
  }

  add(f: FlowRecord): void {
    this.buf.push(f);
    if (this.buf.length >= this.batchSize) this.commit();
  }

  /** Writes what is buffered; call at the end and before reporting progress that promises it. */
  commit(): void {
    if (this.buf.length === 0) return;
    const rows = this.buf;
    this.buf = [];
    this.flush(rows);
    this.written += rows.length;
  }
}
