import type { CliCommand } from '../command';
import { ExitCode, UsageError } from '../command';
import { flag, list, num, printJson, str, withWorkbench, workspaceArg } from '../util';
import type { Result } from '../../../shared/api';

export const command: CliCommand = {
  name: 'label',
  summary: 'Label flows (by filter or ids), undo a batch, list batches, export or import labels',
  usage: 'nstd label --workspace WS (--filter E | --ids 1,2,3) --class NAME [--kind K] [--note TEXT] | --undo BATCH | --batches | --export FILE [--filter E] | --import FILE',
  help: [
    'Every labelling is a batch in the append-only history (origin analyst, author = the',
    "workspace's analyst); the current label of a flow is the newest. Class names meet the",
    'taxonomy: DoS Hulk, dos_hulk and DoS-Hulk are one class; a new name is created.',
    '',
    'Options:',
    '  --filter E        label every flow the filter matches (see docs/filter-language.md)',
    '  --ids 1,2,3       label these flows',
    '  --class NAME      the class (created when missing); --unlabel removes the label instead',
    '  --kind K          benign, attack or unknown, for a class created here',
    '  --note TEXT       kept with each label',
    '  --run ID          detection run for prediction/score/novelty/verdict in the filter',
    '  --undo BATCH      undo a batch (flows relabelled since keep their newer label)',
    '  --batches         list the labelling history (newest first)',
    '  --export FILE     write current labels (CSV, or JSON when FILE ends in .json); --filter narrows,',
    '                    --origins analyst,model-accepted keeps only those',
    '  --import FILE     apply a label export (matched by Community ID + time, or source sha256 + row)',
  ].join('\n'),
  options: {
    workspace: { type: 'string', short: 'w' },
    filter: { type: 'string', short: 'f' },
    ids: { type: 'string', multiple: true },
    class: { type: 'string', short: 'c' },
    unlabel: { type: 'boolean' },
    kind: { type: 'string' },
    note: { type: 'string' },
    run: { type: 'string' },
    undo: { type: 'string' },
    batches: { type: 'boolean' },
    export: { type: 'string' },
    origins: { type: 'string', multiple: true },
    import: { type: 'string' },
  },
  async run(args, io) {
    const ws = workspaceArg(args);
    const json = flag(args, 'json');
    return withWorkbench(ws, async (wb) => {
      const undo = num(args, 'undo');
      if (undo !== undefined) {
        const r = await wb.invoke('labels.undo', { batch: undo });
        if (json) printJson(io, r);
        else io.stdout.write(`batch ${undo} undone by batch ${r.batch}: ${r.count} flows restored\n`);
        return ExitCode.ok;
      }
      if (flag(args, 'batches')) {
        const r: Result<'labels.batches'> = await wb.invoke('labels.batches', { limit: 100 });
        if (json) printJson(io, r);
        else
          for (const b of r)
            io.stdout.write(
              `${String(b.id).padStart(5)}  ${b.createdAt}  ${b.origin.padEnd(14)} ${String(b.count).padStart(9)} flows  ${b.className ?? (b.undoOf ? `undo of ${b.undoOf}` : 'mixed')}${b.filter ? `  [${b.filter}]` : ''}${b.undoneBy ? `  (undone by ${b.undoneBy})` : ''}\n`,
            );
        return ExitCode.ok;
      }
      const exportPath = str(args, 'export');
      if (exportPath) {
        const origins = list(args, 'origins') as ('analyst' | 'dataset' | 'model-accepted')[];
        const r = await wb.invoke('labels.export', { path: exportPath, filter: str(args, 'filter') ?? '', origins: origins.length ? origins : undefined });
        if (json) printJson(io, r);
        else io.stdout.write(`${r.count} labels written to ${r.path} (${r.format})\n`);
        return ExitCode.ok;
      }
      const importPath = str(args, 'import');
      if (importPath) {
        const r = await wb.invoke('labels.import', { path: importPath });
        if (json) printJson(io, r);
        else io.stdout.write(`${r.entries} entries: ${r.matched} matched, ${r.unmatched} unmatched${r.ambiguous ? `, ${r.ambiguous} matched several flows` : ''} (batch ${r.batch})\n`);
        return r.unmatched > 0 || r.errors.length > 0 ? ExitCode.partial : ExitCode.ok;
      }
      const filter = str(args, 'filter');
      const ids = list(args, 'ids').map((s) => {
        const n = Number(s);
        if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--ids takes flow ids, not ${JSON.stringify(s)}.`);
        return n;
      });
      if ((filter === undefined) === (ids.length === 0)) throw new UsageError('Give --filter E or --ids 1,2,3 (one of them).');
      const className = str(args, 'class');
      const unlabel = flag(args, 'unlabel');
      if (!className && !unlabel) throw new UsageError('Give --class NAME (or --unlabel).');
      const kind = str(args, 'kind');
      if (kind !== undefined && !['benign', 'attack', 'unknown'].includes(kind)) throw new UsageError('--kind must be benign, attack or unknown.');
      const r = await wb.invoke('labels.apply', {
        ...(filter !== undefined ? { filter } : { ids }),
        ...(unlabel ? { classId: null } : { className, kind: kind as 'benign' | 'attack' | 'unknown' | undefined }),
        note: str(args, 'note') ?? '',
        runId: num(args, 'run'),
      });
      if (json) printJson(io, r);
      else io.stdout.write(`${r.count} flows ${unlabel ? 'unlabelled' : `labelled ${className}`} (batch ${r.batch}; undo with --undo ${r.batch})\n`);
      return ExitCode.ok;
    });
  },
};
