import type { CliCommand } from '../command';
import { ExitCode, UsageError } from '../command';
import { flag, jobResult, list, num, printJson, runJob, str, withWorkbench, workspaceArg } from '../util';

export const command: CliCommand = {
  name: 'adapt',
  summary: 'Teach a model a class from a few labelled flows (few-shot): a new model version',
  usage: 'nstd adapt --workspace WS --model ID --class NAME (--flows IDS | --filter E) [--fine-tune] [--benign] [--json]',
  help: [
    'The class prototype is computed from the given flows at once; --fine-tune also refines the',
    'encoder on them (with replayed flows of the known classes). The result is a new model whose',
    'parent is --model; the old version stays.',
    '',
    'Options:',
    '  --model ID        the model to adapt',
    '  --class NAME      the class the flows belong to (new or known)',
    '  --flows 1,2,3     flow ids      |  --filter E   every flow matching the filter',
    '  --fine-tune       refine the encoder too (slower)',
    '  --benign          the class is benign traffic (default: an attack)',
    '  --json            print {"modelId","parentId","className","shots","ms"}',
  ].join('\n'),
  options: {
    workspace: { type: 'string', short: 'w' },
    model: { type: 'string' },
    class: { type: 'string' },
    flows: { type: 'string', multiple: true },
    filter: { type: 'string' },
    'fine-tune': { type: 'boolean' },
    benign: { type: 'boolean' },
    seed: { type: 'string' },
  },
  async run(args, io) {
    const ws = workspaceArg(args);
    const modelId = num(args, 'model');
    const className = str(args, 'class');
    if (!modelId) throw new UsageError('--model ID is required.');
    if (!className) throw new UsageError('--class NAME is required.');
    const flows = list(args, 'flows').map(Number);
    const filter = str(args, 'filter');
    if ((flows.length ? 1 : 0) + (filter ? 1 : 0) !== 1) throw new UsageError('Give exactly one of --flows IDS or --filter E.');
    if (flows.some((f) => !Number.isInteger(f) || f <= 0)) throw new UsageError('--flows takes positive integer flow ids, comma-separated.');
    const spec = {
      modelId,
      className,
      kind: flag(args, 'benign') ? ('benign' as const) : ('attack' as const),
      fineTune: flag(args, 'fine-tune'),
      seed: num(args, 'seed') ?? 1,
      ...(flows.length ? { flowIds: flows } : { filter: filter! }),
    };
    const info = await withWorkbench(ws, (wb) => runJob(wb, 'adapt', spec, io));
    const r = jobResult(info) as { modelId: number; parentId: number; className: string; shots: number; ms: number };
    if (flag(args, 'json')) printJson(io, r);
    else io.stdout.write(`model ${r.modelId} (parent ${r.parentId}) knows ${r.className} from ${r.shots} flows (${r.ms.toFixed(1)} ms)\n`);
    return ExitCode.ok;
  },
};
