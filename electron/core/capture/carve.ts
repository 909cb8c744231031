import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../store/workspace';
import { WorkbenchError } from '../errors';
import { openInput } from '../ingest/open';
import { decodePacketRefs } from './flow';
import { CaptureReader } from './reader';
import { CaptureWriter } from './synth';

export interface CarveResult {
  flowId: number;
  source: string;
  out: string;
  packets: number;
  /** Packets of the flow not written: beyond the stored refs, or on another link type. */
  skipped: number;
  linktype: number;
}

/**
 * Writes one flow's packets from its source capture into a pcap (nanosecond timestamps) that
 * Wireshark opens. The source is read again by the capture reader and the packets at the
 * flow's record offsets are copied; the file must be unchanged since ingest (size and sha256
 * are checked), else the offsets would point at other packets.
 */
export async function carveFlow(db: Db, flowId: number, out: string): Promise<CarveResult> {
  const row = db
    .prepare(`SELECT f.packet_refs AS refs, s.path AS path, s.size AS size, s.sha256 AS sha256, s.schema AS schema
              FROM flows f JOIN sources s ON s.id = f.source_id WHERE f.id = ?`)
    .get(flowId) as { refs: Buffer | null; path: string; size: number; sha256: string | null; schema: string | null } | undefined;
  if (!row) throw new WorkbenchError('E_NOT_FOUND', `Flow ${flowId} does not exist in this workspace.`);
  if (!row.refs || row.schema !== 'pcap') {
    throw new WorkbenchError('E_INVALID', `Flow ${flowId} did not come from a capture (its source is a flow log), so it has no packets to carve.`);
  }
  if (!fs.existsSync(row.path)) throw new WorkbenchError('E_NOT_FOUND', `The source capture ${row.path} of flow ${flowId} is no longer there.`);
  if (fs.statSync(row.path).size !== row.size) {
    throw new WorkbenchError('E_INVALID', `${row.path} changed since it was ingested (size ${fs.statSync(row.path).size}, was ${row.size}); re-ingest it to carve.`);
  }
  const { total, offsets } = decodePacketRefs(row.refs);
  const wanted = new Set(offsets);
  const last = offsets.length ? offsets[offsets.length - 1]! : -1;
  const tmp = `${out}.part-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  let writer: CaptureWriter | null = null;
  let linktype = -1;
  let packets = 0;
  let skipped = 0;
  try {
    const input = await openInput(row.path);
    const reader = new CaptureReader((p) => {
      if (!wanted.has(p.recordOffset)) return;
      if (!writer) {
        linktype = p.linktype;
        writer = new CaptureWriter((c) => fs.writeSync(fd, c), { format: 'pcap', nano: true, linktype });
      }
      if (p.linktype !== linktype) {
        skipped++;
        return;
      }
      writer.write(p.tsSec, p.tsNsec, p.data.subarray(p.off, p.off + p.caplen), p.origlen);
      packets++;
    });
    try {
      for await (const chunk of input) {
        reader.push(chunk);
        if (reader.offset > last) break;
      }
    } catch (err) {
      // A fault after the flow's last packet does not matter; before it, it does.
      if (packets < offsets.length) throw err;
    }
    const sha = await input.sha256();
    if (row.sha256 && sha !== row.sha256) {
      throw new WorkbenchError('E_INVALID', `${row.path} changed since it was ingested (sha256 differs); re-ingest it to carve.`);
    }
    (writer as CaptureWriter | null)?.flush();
    fs.closeSync(fd);
    fs.renameSync(tmp, path.resolve(out));
  } catch (err) {
    try {
      fs.closeSync(fd);
    } catch {
      /* already closed */
    }
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return { flowId, source: row.path, out: path.resolve(out), packets, skipped: skipped + (total - offsets.length), linktype };
}
