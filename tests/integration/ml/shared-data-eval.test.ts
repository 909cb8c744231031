import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { Workspace } from '../../../electron/core/store/workspace';
import { importFlowLog } from '../../../electron/core/importers';
import { evalJob } from '../../../electron/core/ml/jobs';
import { jobSpecs } from '../../../shared/jobs';
import type { JobContext } from '../../../electron/core/jobs/types';
import type { EvalResult } from '../../../electron/core/ml/evaluate';
import { sharedData } from '../../helpers/data';
import { tmpDir } from '../../helpers/tmp';

/**
 * The product path on real data: the CIC-IDS2017 sample imported by the flow-log importer,
 * then the held-out-attack evaluation (kept small for CI: one novel class, 2 repeats, 5 shots).
 * The full tables come from the commands in docs/meta-learning.md.
 */
const ctxFor = (ws: Workspace): JobContext => ({ jobId: 1, workspacePath: ws.path, signal: new AbortController().signal, progress: () => undefined, log: () => undefined, workspace: () => ws });

describe('evaluation on the CIC-IDS2017 sample', () => {
  const csv = sharedData('cicids2017', 'lccde-sample', 'CICIDS2017_sample.csv');
  it.skipIf(!csv)('learns PortScan from 5 flows with few false positives', async () => {
    const ws = Workspace.open(path.join(tmpDir('nstd-ml-cic-'), 'cic.nstd'), { create: { name: 'cic' } });
    // The importer records its job on the source: a jobs row like the JobManager's.
    ws.db.prepare(`INSERT INTO jobs (id, kind, spec, state, created_at) VALUES (1, 'ingest', '{}', 'running', ?)`).run(new Date().toISOString());
    const imported = await importFlowLog(ctxFor(ws), csv!, 'cic-csv');
    expect(imported.flows).toBe(6311);
    const r = (await evalJob(jobSpecs.eval.parse({ novel: ['PortScan'], shots: [5], repeats: 2, episodes: 400, seed: 1 }), ctxFor(ws))) as EvalResult;
    const row = r.results[0]!;
    console.log(`CIC sample, PortScan, 5-shot: F1 ${(row.f1.mean * 100).toFixed(1)}%, FPR ${(row.fpr.mean * 100).toFixed(2)}%, unknown AUROC ${r.unknownAuroc.mean.toFixed(3)}`);
    expect(row.f1.mean).toBeGreaterThan(0.8);
    expect(row.fpr.mean).toBeLessThan(0.03);
    expect(r.protocol.duplicatesRemoved).toBeGreaterThan(0);
    ws.close();
  });
});
