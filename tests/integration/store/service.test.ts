/** The flows/labels/classes contract through the Workbench: boundary validation, events, results. */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { tmpDir } from '../../helpers/tmp';
import { Workbench } from '../../../electron/core/workbench';
import { NodeWorkerHost } from '../../../electron/core/jobs/host';
import { workerEntry } from '../../../electron/core/worker-entry';
import { importFlowLog } from '../../../electron/core/importers';
import { cicFixture, unswFixture } from '../../fixtures/flow-logs';
import type { JobContext } from '../../../electron/core/jobs/types';

async function withWorkspace<T>(fn: (wb: Workbench, dir: string) => Promise<T>): Promise<T> {
  const dir = tmpDir('nstd-flows-svc-');
  const wb = new Workbench({ host: 'browser', workerHost: new NodeWorkerHost(workerEntry()) });
  const ws = wb.openWorkspace(path.join(dir, 'case.nstd'), { name: 'svc', analyst: 'alice' });
  for (const fx of [cicFixture(), unswFixture()]) {
    const f = path.join(dir, fx.name);
    fs.writeFileSync(f, fx.text);
    const ctx: JobContext = { jobId: 0, workspacePath: ws.path, signal: new AbortController().signal, progress: () => undefined, log: () => undefined, workspace: () => ws };
    await importFlowLog(ctx, f, fx.format);
  }
  try {
    return await fn(wb, dir);
  } finally {
    await wb.close();
  }
}

describe('flows service', () => {
  it('validates params at the boundary', async () => {
    await withWorkspace(async (wb) => {
      expect(await wb.call('labels.apply', { ids: [1], filter: 'id == 1', classId: 1 })).toMatchObject({ ok: false, error: { code: 'E_INVALID' } });
      expect(await wb.call('labels.apply', { ids: [1] })).toMatchObject({ ok: false, error: { code: 'E_INVALID' } });
      expect(await wb.call('classes.create', { name: 'X', attackIds: ['nope'] })).toMatchObject({ ok: false, error: { code: 'E_INVALID' } });
      expect(await wb.call('flows.page', { limit: 0 })).toMatchObject({ ok: false, error: { code: 'E_INVALID' } });
      const bad = await wb.call('flows.page', { filter: 'bytes >' });
      expect(bad).toMatchObject({ ok: false, error: { code: 'E_INVALID' } });
      expect(await wb.call('filter.check', { text: 'bytes >' })).toMatchObject({ ok: true, result: { ok: false, column: 8 } });
    });
  });

  it('pages, counts, labels by name with the analyst as author, emits changes, and undoes', async () => {
    await withWorkspace(async (wb) => {
      const events: string[] = [];
      wb.on('workspace.changed', (e) => events.push(e.what));
      const page = await wb.invoke('flows.page', { filter: 'source == 1', sort: 'ts', dir: 'desc', limit: 4 });
      expect(page.rows).toHaveLength(4);
      expect(page.next).not.toBeNull();
      const rest = await wb.invoke('flows.page', { filter: 'source == 1', sort: 'ts', dir: 'desc', limit: 4, after: page.next });
      expect(rest.rows.map((r) => r.id)).toHaveLength(2);
      expect(rest.prev).not.toBeNull();
      expect(await wb.invoke('flows.count', { filter: 'truth == BENIGN' })).toEqual({ flows: 3 });
      const r = await wb.invoke('labels.apply', { filter: 'source == 2 && truth != Normal', className: 'Needs review', kind: 'attack', note: 'n' });
      expect(r.count).toBe(2);
      const hist = await wb.invoke('labels.history', { flowId: 8 });
      expect(hist[0]).toMatchObject({ className: 'Needs review', origin: 'analyst', author: 'alice', note: 'n' });
      const detail = await wb.invoke('flows.get', { id: 8 });
      expect(detail.schema).toBe('unsw');
      expect(detail.features.find((f) => f.name === 'sbytes')!.value).toBe(258);
      expect(detail.labels.map((l) => l.origin)).toEqual(['analyst', 'dataset']);
      const u = await wb.invoke('labels.undo', { batch: r.batch });
      expect(u.count).toBe(2);
      expect((await wb.invoke('flows.get', { id: 8 })).row.label).toBe('Exploits');
      const batches = await wb.invoke('labels.batches', { limit: 10 });
      expect(batches[0]).toMatchObject({ undoOf: r.batch, author: 'alice' });
      expect(events).toEqual(['labels', 'labels']);
      const counts = await wb.invoke('flows.counts', {});
      expect(counts.total).toBe(9);
      const talkers = await wb.invoke('flows.topTalkers', { by: 'dst', metric: 'flows', limit: 1 });
      expect(talkers[0]).toMatchObject({ ip: '192.168.1.1', flows: 6 });
      const classes = await wb.invoke('classes.list', {});
      expect(classes.find((c) => c.name === 'Needs review')).toMatchObject({ kind: 'attack', flows: 0 });
    });
  });

  it('exports flows as CSV to a file', async () => {
    await withWorkspace(async (wb, dir) => {
      const out = path.join(dir, 'flows.csv');
      const r = await wb.invoke('flows.export', { path: out, filter: 'truth contains "hulk"', format: 'csv' });
      expect(r.rows).toBe(1);
      const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain('DoS Hulk');
    });
  });
});
