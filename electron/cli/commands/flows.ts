import fs from 'node:fs';
import type { CliCommand, CliIO } from '../command';
import { ExitCode, UsageError } from '../command';
import { flag, num, printJson, str, withWorkbench, workspaceArg } from '../util';
import { WorkbenchError } from '../../core/errors';
import { csvLine, exportColumns, iterateFlows } from '../../core/store/queries';
import type { Result } from '../../../shared/api';

/**
 * A sink that waits when the stream's buffer is full (a pipe never holds the whole export) and
 * notices when the reader went away (`nstd flows | head`): `closed` then stops the export.
 */
function sink(out: NodeJS.WritableStream): { write(chunk: string): Promise<void>; readonly closed: boolean } {
  let closed = false;
  const onError = (err: NodeJS.ErrnoException): void => {
    closed = true;
    if (err.code !== 'EPIPE') process.stderr.write(`nstd flows: ${err.message}\n`);
  };
  out.on('error', onError);
  return {
    get closed() {
      return closed;
    },
    async write(chunk: string) {
      if (closed) return;
      if (!out.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            out.off('drain', done);
            out.off('error', done);
            out.off('close', done);
            resolve();
          };
          out.once('drain', done);
          out.once('error', done);
          out.once('close', done);
        });
      }
    },
  };
}

export const command: CliCommand = {
  name: 'flows',
  summary: 'Print the flows a filter matches as CSV or JSON lines, or their counts',
  usage: 'nstd flows --workspace WS [--filter E] [--format csv|jsonl] [--limit N] [--run ID] [--output FILE] [--counts]',
  help: [
    'Columns are the filter field names (docs/filter-language.md): id, community_id, source, row,',
    'ts, end, duration, ip.src, ip.dst, src.port, dst.port, proto, vlan, app, packets, bytes,',
    'packets.fwd, packets.bwd, bytes.fwd, bytes.bwd, label, truth, prediction, score, novelty, verdict.',
    '',
    'Options:',
    '  --filter E      e.g. \'ip.addr == 10.0.0.5 && tcp.port in {22 2222} && bytes > 1e6\'',
    '  --format F      csv (default) or jsonl; --json means jsonl',
    '  --limit N       at most N flows',
    '  --run ID        detection run for prediction/score/novelty/verdict (default: the newest)',
    '  --output FILE   write there instead of stdout',
    '  --counts        print counts by class and by source instead of rows',
  ].join('\n'),
  options: {
    workspace: { type: 'string', short: 'w' },
    filter: { type: 'string', short: 'f' },
    format: { type: 'string' },
    limit: { type: 'string', short: 'n' },
    run: { type: 'string' },
    output: { type: 'string', short: 'o' },
    counts: { type: 'boolean' },
  },
  async run(args, io: CliIO) {
    const ws = workspaceArg(args);
    const filter = str(args, 'filter') ?? '';
    const format = str(args, 'format') ?? (flag(args, 'json') ? 'jsonl' : 'csv');
    if (format !== 'csv' && format !== 'jsonl') throw new UsageError('--format must be csv or jsonl.');
    const limit = num(args, 'limit');
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new UsageError('--limit must be a whole number >= 0.');
    const runId = num(args, 'run');
    return withWorkbench(ws, async (wb) => {
      if (flag(args, 'counts')) {
        const c: Result<'flows.counts'> = await wb.invoke('flows.counts', { filter, runId });
        if (flag(args, 'json')) printJson(io, c);
        else {
          io.stdout.write(`${c.total} flows\nby class:\n`);
          for (const k of c.byClass) io.stdout.write(`  ${String(k.flows).padStart(10)}  ${k.name} (${k.kind})\n`);
          io.stdout.write('by source:\n');
          for (const s of c.bySource) io.stdout.write(`  ${String(s.flows).padStart(10)}  ${s.sourceId} ${s.name}\n`);
        }
        return ExitCode.ok;
      }
      const check = await wb.invoke('filter.check', { text: filter });
      if (!check.ok) throw new WorkbenchError('E_INVALID', `Filter error: ${check.message}`);
      const db = wb.current!.db;
      const outPath = str(args, 'output');
      const out: NodeJS.WritableStream = outPath ? fs.createWriteStream(outPath) : io.stdout;
      const dest = sink(out);
      let buf = format === 'csv' ? exportColumns.join(',') + '\n' : '';
      let n = 0;
      try {
        for (const row of iterateFlows(db, { filter, runId, limit })) {
          buf += (format === 'csv' ? csvLine(row) : JSON.stringify(row)) + '\n';
          n++;
          if (buf.length >= 1 << 16) {
            await dest.write(buf);
            buf = '';
            if (dest.closed) break;
          }
        }
        if (buf) await dest.write(buf);
      } finally {
        if (outPath) await new Promise<void>((resolve, reject) => (out as fs.WriteStream).end((err?: Error | null) => (err ? reject(new WorkbenchError('E_INVALID', `Cannot write ${outPath}: ${err.message}`)) : resolve())));
      }
      if (outPath) io.stderr.write(`${n} flows written to ${outPath}\n`);
      return ExitCode.ok;
    });
  },
};
