import type { FlowRecord } from '../store/flow-writer';
import { InputError, type OpenedInput } from '../ingest/open';
import { FlowAssembler, type AssemblerOptions, type CaptureStats, type EndReason, DEFAULT_ASSEMBLER_OPTIONS } from './assembler';
import { communityId } from './community-id';
import { formatIp } from './decode';
import { computeFeatures, sequenceOf, type FlowView } from './features';
import * as L from './flow';
import { CaptureError, CaptureReader, type ReaderStats } from './reader';

/**
 * Capture -> flows, with no database: the reader, the decoder and the assembler over one
 * stream of decompressed chunks. Used by the ingest job (which writes the flows) and by the
 * benchmark (which only counts them).
 */

export interface CaptureFault {
  offset: number;
  message: string;
}

export interface CaptureRun {
  stats: CaptureStats;
  reader: ReaderStats;
  /** The error that stopped reading, with its byte offset in the decompressed stream. */
  error: CaptureFault | null;
  cancelled: boolean;
  /** Decompressed bytes read. */
  bytes: number;
  timeFirst: number | null;
  timeLast: number | null;
}

export interface CaptureRunOptions {
  assembler?: AssemblerOptions;
  signal?: AbortSignal;
  /** Called after each chunk with the bytes read from disk so far. */
  onChunk?: (diskBytes: number) => void;
}

/** Streams `input` through reader and assembler; `onFlow` sees every finished flow. */
export async function runCapture(
  input: OpenedInput,
  onFlow: (f: FlowView, reason: EndReason) => void,
  opts: CaptureRunOptions = {},
): Promise<CaptureRun> {
  let timeFirst: number | null = null;
  let timeLast: number | null = null;
  const asm = new FlowAssembler(onFlow, opts.assembler ?? DEFAULT_ASSEMBLER_OPTIONS);
  const reader = new CaptureReader((p) => {
    asm.packet(p);
    if (timeFirst === null || p.ts < timeFirst) timeFirst = p.ts;
    if (timeLast === null || p.ts > timeLast) timeLast = p.ts;
  });
  let error: CaptureFault | null = null;
  let cancelled = false;
  try {
    for await (const chunk of input) {
      reader.push(chunk);
      opts.onChunk?.(input.diskBytesRead);
      if (opts.signal?.aborted) {
        cancelled = true;
        break;
      }
    }
    if (!cancelled) reader.end();
  } catch (err) {
    if (err instanceof CaptureError || err instanceof InputError) {
      error = { offset: err.offset, message: err instanceof CaptureError ? `${err.message} (at byte ${err.offset})` : err.message };
    } else throw err;
  } finally {
    input.close();
  }
  // What was read stays: flows still open at the error or the cancel are written too.
  asm.finish();
  return { stats: asm.stats, reader: reader.stats, error, cancelled, bytes: input.bytesRead, timeFirst, timeLast };
}

/** The stored record of a finished flow (features, sequence and packet refs included). */
export function flowRecord(f: FlowView): FlowRecord {
  const F = f.F;
  const b = f.b;
  const st = F[b + L.STATE]!;
  const v6 = (st & L.ST_V6) !== 0;
  const initLo = (st & L.ST_INIT_LO) !== 0;
  const hasPorts = (st & L.ST_PORTS) !== 0;
  const k = f.keys;
  const kb = f.kb;
  const src = k.subarray(kb + (initLo ? 0 : 4), kb + (initLo ? 4 : 8));
  const dst = k.subarray(kb + (initLo ? 4 : 0), kb + (initLo ? 8 : 4));
  const ports = k[kb + 8]!;
  const sport = initLo ? ports >>> 16 : ports & 0xffff;
  const dport = initLo ? ports & 0xffff : ports >>> 16;
  const proto = F[b + L.PROTO]!;
  const icmpType = F[b + L.ICMP_TYPE]!;
  const icmpCode = F[b + L.ICMP_CODE]!;
  const icmp = icmpType >= 0;
  const vlan = F[b + L.VLAN]!;
  return {
    rowNo: F[b + L.ROW_NO]!,
    ts: F[b + L.FIRST_TS]!,
    endTs: F[b + L.LAST_TS]!,
    proto,
    srcIp: formatIp(src, v6),
    dstIp: formatIp(dst, v6),
    srcPort: hasPorts ? sport : icmp ? icmpType : null,
    dstPort: hasPorts ? dport : icmp ? icmpCode : null,
    vlan: vlan >= 0 ? vlan : null,
    communityId: communityId(v6, src, dst, proto, icmp ? icmpType : sport, icmp ? icmpCode : dport),
    packetsFwd: F[b + L.PKT_FWD]!,
    packetsBwd: F[b + L.PKT_BWD]!,
    bytesFwd: F[b + L.BYTES_FWD]!,
    bytesBwd: F[b + L.BYTES_BWD]!,
    payloadFwd: F[b + L.PAY_FWD]!,
    payloadBwd: F[b + L.PAY_BWD]!,
    frameBytesFwd: F[b + L.FRAME_FWD]!,
    frameBytesBwd: F[b + L.FRAME_BWD]!,
    tcpFlags: proto === 6 ? F[b + L.FLAGS_OR]! : null,
    app: null,
    hints: null,
    features: computeFeatures(f),
    sequence: sequenceOf(f),
    packetRefs: f.table.packetRefs(f.slot),
    truth: null,
  };
}
