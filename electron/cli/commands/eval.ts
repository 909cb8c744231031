import type { CliCommand } from '../command';
import { ExitCode, UsageError } from '../command';
import { flag, jobResult, list, num, printJson, runJob, str, withWorkbench, workspaceArg } from '../util';
import type { EvalResult } from '../../core/ml/evaluate';

const ALGS = ['protonet', 'fomaml', 'reptile', 'supervised', 'knn', 'prototype'] as const;

export const command: CliCommand = {
  name: 'eval',
  summary: 'Held-out-attack few-shot evaluation (F1, recall, precision, AUC, FPR with 95% t-intervals)',
  usage:
    'nstd eval --workspace WS --novel CLASS [--novel CLASS ...] [--base CLASS ...] [--benign CLASS] [--distractor CLASS ...] [--per-class 500] [--benign-ratio 4] [--pool 2000] [--shots 1,3,5,10] [--repeats R] [--algorithm A] [--seed S] [--json]',
  help: [
    'For each novel class: meta-train on benign plus the base attack classes (--per-class flows',
    'each; benign = --benign-ratio x all base-attack flows), adapt with N flows drawn from a pool',
    'of --pool novel flows, test on the rest of the pool with held-out benign and base flows in',
    'training proportion (and --distractor classes as negatives). Positive = the novel class.',
    'Duplicates are removed before any split; splits are by flow. Same seed, same numbers.',
    '',
    '  --episodes E    meta-training episodes per run (default 3000)',
    '  --json          {"results":[{"novel","shots","algorithm","f1":{"mean","lo","hi"},"recall","precision","auc","fpr"}],"unknownAuroc":{...}}',
  ].join('\n'),
  options: {
    workspace: { type: 'string', short: 'w' },
    novel: { type: 'string', multiple: true },
    base: { type: 'string', multiple: true },
    benign: { type: 'string' },
    distractor: { type: 'string', multiple: true },
    'per-class': { type: 'string' },
    'benign-ratio': { type: 'string' },
    pool: { type: 'string' },
    shots: { type: 'string' },
    repeats: { type: 'string' },
    algorithm: { type: 'string' },
    seed: { type: 'string' },
    episodes: { type: 'string' },
    schema: { type: 'string' },
    'fine-tune': { type: 'boolean' },
  },
  async run(args, io) {
    const ws = workspaceArg(args);
    const novel = list(args, 'novel');
    if (!novel.length) throw new UsageError('--novel CLASS is required (repeat it for several).');
    const algorithm = str(args, 'algorithm') ?? 'protonet';
    if (!(ALGS as readonly string[]).includes(algorithm)) throw new UsageError(`--algorithm must be one of ${ALGS.join(', ')}.`);
    const shots = str(args, 'shots')?.split(',').map(Number);
    if (shots?.some((s) => !Number.isInteger(s) || s < 1)) throw new UsageError('--shots takes positive integers, e.g. 1,3,5,10.');
    const base = list(args, 'base');
    const spec = {
      novel,
      base: base.length ? base : undefined,
      benign: str(args, 'benign'),
      distractors: list(args, 'distractor'),
      perClass: num(args, 'per-class'),
      benignRatio: num(args, 'benign-ratio'),
      pool: num(args, 'pool'),
      shots,
      repeats: num(args, 'repeats'),
      algorithm: algorithm as (typeof ALGS)[number],
      seed: num(args, 'seed'),
      episodes: num(args, 'episodes'),
      schema: str(args, 'schema'),
      fineTune: flag(args, 'fine-tune'),
    };
    const clean = Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)) as typeof spec;
    const info = await withWorkbench(ws, (wb) => runJob(wb, 'eval', clean, io));
    const r = jobResult(info) as EvalResult;
    if (flag(args, 'json')) {
      printJson(io, r);
      return ExitCode.ok;
    }
    const pct = (i: { mean: number; lo: number; hi: number }): string => `${(i.mean * 100).toFixed(1)} ± ${(((i.hi - i.lo) / 2) * 100).toFixed(1)}`;
    io.stdout.write(`${'novel'.padEnd(16)} ${'N'.padStart(3)}  ${'F1 %'.padEnd(13)} ${'FPR %'.padEnd(12)} ${'recall %'.padEnd(13)} ${'precision %'.padEnd(13)} AUC\n`);
    for (const row of r.results) {
      io.stdout.write(
        `${row.novel.padEnd(16)} ${String(row.shots).padStart(3)}  ${pct(row.f1).padEnd(13)} ${pct(row.fpr).padEnd(12)} ${pct(row.recall).padEnd(13)} ${pct(row.precision).padEnd(13)} ${row.auc.mean.toFixed(3)}\n`,
      );
    }
    io.stdout.write(`unknown-detection AUROC before adaptation: ${r.unknownAuroc.mean.toFixed(3)} [${r.unknownAuroc.lo.toFixed(3)}, ${r.unknownAuroc.hi.toFixed(3)}] (${algorithm}, seed ${r.protocol.seed}, ${r.protocol.repeats} repeats)\n`);
    return ExitCode.ok;
  },
};
