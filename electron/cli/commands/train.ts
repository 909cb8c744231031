import type { CliCommand } from '../command';
import { ExitCode, UsageError } from '../command';
import { flag, jobResult, list, num, printJson, runJob, str, withWorkbench, workspaceArg } from '../util';

const ALGS = ['protonet', 'fomaml', 'reptile', 'supervised', 'knn', 'prototype'] as const;

export const command: CliCommand = {
  name: 'train',
  summary: 'Meta-train a detection model on the labelled flows of a workspace',
  usage: 'nstd train --workspace WS [--algorithm protonet|fomaml|reptile|supervised|knn|prototype] [--ways N --shots K --queries Q --episodes E] [--classes A,B] [--seed S] [--json]',
  help: [
    'Trains on the flows whose current label is a benign or attack class (dataset labels count),',
    'of one feature schema (the one with most labelled flows unless --schema). Duplicate feature',
    'rows are removed; 10% of each class is held out to calibrate the open-set threshold and to',
    'give the metrics. The model is stored in the workspace.',
    '',
    'Options:',
    '  --algorithm A     protonet (default), fomaml, reptile; baselines: supervised, knn, prototype',
    '  --ways N --shots K --queries Q   episode shape (default 5-way 5-shot 15-query)',
    '  --episodes E      meta-training episodes (default 3000; steps for supervised)',
    '  --classes A,B     train on these classes only',
    '  --per-class N     at most N flows per class (default 5000)',
    '  --schema S        pcap, cic, unsw, nslkdd, zeek-conn, eve',
    '  --filter E        only flows matching the filter',
    '  --seed S          (default 1): same seed, same model',
    '  --name NAME       model name',
    '  --json            print the job result',
  ].join('\n'),
  options: {
    workspace: { type: 'string', short: 'w' },
    algorithm: { type: 'string' },
    ways: { type: 'string' },
    shots: { type: 'string' },
    queries: { type: 'string' },
    episodes: { type: 'string' },
    classes: { type: 'string', multiple: true },
    'per-class': { type: 'string' },
    schema: { type: 'string' },
    filter: { type: 'string' },
    seed: { type: 'string' },
    name: { type: 'string' },
  },
  async run(args, io) {
    const ws = workspaceArg(args);
    const algorithm = str(args, 'algorithm') ?? 'protonet';
    if (!(ALGS as readonly string[]).includes(algorithm)) throw new UsageError(`--algorithm must be one of ${ALGS.join(', ')}.`);
    const classes = list(args, 'classes');
    const spec = {
      algorithm: algorithm as (typeof ALGS)[number],
      ways: num(args, 'ways'),
      shots: num(args, 'shots'),
      queries: num(args, 'queries'),
      episodes: num(args, 'episodes'),
      seed: num(args, 'seed'),
      perClass: num(args, 'per-class'),
      schema: str(args, 'schema'),
      filter: str(args, 'filter'),
      name: str(args, 'name'),
      classes: classes.length ? classes : undefined,
    };
    const clean = Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)) as typeof spec;
    const info = await withWorkbench(ws, (wb) => runJob(wb, 'train', clean, io));
    const r = jobResult(info) as { modelId: number; name: string; classes: string[]; accuracy: number; auc: number; fpr: number; seconds: number; backend: string; trainRows: number };
    if (flag(args, 'json')) printJson(io, r);
    else
      io.stdout.write(
        `model ${r.modelId} "${r.name}": ${r.classes.length} classes, ${r.trainRows} training flows, validation accuracy ${(r.accuracy * 100).toFixed(1)}%, attack AUC ${r.auc.toFixed(3)}, FPR ${(r.fpr * 100).toFixed(2)}% (${r.seconds.toFixed(1)} s, ${r.backend})\n`,
      );
    return ExitCode.ok;
  },
};
