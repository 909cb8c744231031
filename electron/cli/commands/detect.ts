import type { CliCommand } from '../command';
import { ExitCode } from '../command';
import { flag, jobResult, num, printJson, runJob, str, withWorkbench, workspaceArg } from '../util';

export const command: CliCommand = {
  name: 'detect',
  summary: 'Run a model over flows and write detections for review',
  usage: 'nstd detect --workspace WS [--model ID] [--filter E] [--json]',
  help: [
    'Nearest prototype gives the class and its score; a flow farther than the calibrated distance',
    'from every prototype is "unknown". Results go to the review queue with verdict new.',
    'Without --model: the newest model of the flows\' schema, else the shipped base model (pcap).',
    '',
    'Options:',
    '  --model ID     the model (default: see above)',
    '  --filter E     only flows matching the filter',
    '  --schema S     which flows when the workspace holds several schemas',
    '  --json         print {"runId","modelId","flows","counts","unknown","seconds"}',
  ].join('\n'),
  options: {
    workspace: { type: 'string', short: 'w' },
    model: { type: 'string' },
    filter: { type: 'string' },
    schema: { type: 'string' },
  },
  async run(args, io) {
    const ws = workspaceArg(args);
    const modelId = num(args, 'model');
    const schema = str(args, 'schema');
    const spec = { filter: str(args, 'filter') ?? '', ...(modelId ? { modelId } : {}), ...(schema ? { schema } : {}) };
    const info = await withWorkbench(ws, (wb) => runJob(wb, 'detect', spec, io));
    const r = jobResult(info) as { runId: number; modelId: number; flows: number; counts: Record<string, number>; unknown: number; seconds: number; flowsPerSecond: number };
    if (flag(args, 'json')) printJson(io, { runId: r.runId, modelId: r.modelId, flows: r.flows, counts: r.counts, unknown: r.unknown, seconds: r.seconds });
    else {
      io.stdout.write(`run ${r.runId}: ${r.flows} flows with model ${r.modelId} in ${r.seconds.toFixed(1)} s (${Math.round(r.flowsPerSecond).toLocaleString('en')} flows/s)\n`);
      for (const [k, v] of Object.entries(r.counts).sort((a, b) => b[1] - a[1])) io.stdout.write(`  ${k.padEnd(24)} ${v}\n`);
    }
    return ExitCode.ok;
  },
};
