import { FlowAssembler, DEFAULT_ASSEMBLER_OPTIONS, type AssemblerOptions, type CaptureStats } from '../../../electron/core/capture/assembler';
import { flowRecord } from '../../../electron/core/capture/pipeline';
import { CaptureReader, type ReaderStats } from '../../../electron/core/capture/reader';
import type { FlowRecord } from '../../../electron/core/store/flow-writer';

export interface Parsed {
  flows: FlowRecord[];
  stats: CaptureStats;
  reader: ReaderStats;
  error: { offset: number; message: string } | null;
}

/** Reads a capture held in memory in chunks of `chunk` bytes; flows in the order they end. */
export function parse(buf: Uint8Array, opts: { chunk?: number; assembler?: Partial<AssemblerOptions> } = {}): Parsed {
  const flows: FlowRecord[] = [];
  const asm = new FlowAssembler((f) => flows.push(flowRecord(f)), { ...DEFAULT_ASSEMBLER_OPTIONS, ...opts.assembler });
  const reader = new CaptureReader((p) => asm.packet(p));
  const step = opts.chunk ?? buf.length;
  let error: Parsed['error'] = null;
  try {
    for (let i = 0; i < buf.length; i += step) reader.push(buf.subarray(i, Math.min(buf.length, i + step)));
    reader.end();
  } catch (err) {
    const e = err as { offset?: number; message: string };
    if (typeof e.offset !== 'number') throw err;
    error = { offset: e.offset, message: e.message };
  }
  asm.finish();
  flows.sort((a, b) => a.rowNo - b.rowNo);
  return { flows, stats: asm.stats, reader: reader.stats, error };
}
