import fs from 'node:fs';
import path from 'node:path';
import type { Handlers, ServiceContext } from './types';
import type { flowsMethods } from '../../../shared/api/flows';
import { checkFilter } from '../../../shared/filter/parse';
import { WorkbenchError } from '../errors';
import { carveFlow } from '../capture/carve';
import { countFlows, csvLine, exportColumns, flowCounts, flowDetail, histogram, iterateFlows, pageFlows, topTalkers } from '../store/queries';
import {
  applyLabels,
  applyLabelsByFilter,
  createClass,
  deleteClass,
  ensureClass,
  exportLabels,
  flowLabelHistory,
  importLabels,
  listBatches,
  listClasses,
  undoBatch,
  updateClass,
} from '../store/labels';

/** Writes a filter's flows as CSV (header = the field vocabulary) or JSON lines; returns rows. */
export function exportFlows(
  db: import('../store/workspace').Db,
  o: { filter?: string; runId?: number; format: 'csv' | 'jsonl'; limit?: number },
  write: (chunk: string) => void,
): number {
  let buf = o.format === 'csv' ? exportColumns.join(',') + '\n' : '';
  let n = 0;
  for (const row of iterateFlows(db, o)) {
    buf += (o.format === 'csv' ? csvLine(row) : JSON.stringify(row)) + '\n';
    n++;
    if (buf.length > 1 << 20) {
      write(buf);
      buf = '';
    }
  }
  if (buf) write(buf);
  return n;
}

const author = (ctx: ServiceContext): string => ctx.ws().meta().analyst;

/** Flows, labels, classes and queries (issue 4). */
export const flowsHandlers: Handlers<typeof flowsMethods> = {
  'flows.page': (p, ctx) => pageFlows(ctx.ws().db, p),
  'flows.count': (p, ctx) => ({ flows: countFlows(ctx.ws().db, p) }),
  'flows.get': (p, ctx) => flowDetail(ctx.ws().db, p.id, p.runId),
  'flows.counts': (p, ctx) => flowCounts(ctx.ws().db, p),
  'flows.topTalkers': (p, ctx) => topTalkers(ctx.ws().db, p),
  'flows.histogram': (p, ctx) => histogram(ctx.ws().db, p),
  'flows.export': (p, ctx) => {
    const file = path.resolve(p.path);
    const tmp = `${file}.part`;
    const fd = fs.openSync(tmp, 'w');
    let rows = 0;
    try {
      rows = exportFlows(ctx.ws().db, p, (s) => void fs.writeSync(fd, s));
      fs.closeSync(fd);
      fs.renameSync(tmp, file);
    } catch (err) {
      fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    return { path: file, rows };
  },
  'flows.carve': async (p, ctx) => {
    const r = await carveFlow(ctx.ws().db, p.id, path.resolve(p.path));
    return { path: r.out, packets: r.packets, skipped: r.skipped };
  },
  'filter.check': (p) => checkFilter(p.text),
  'labels.apply': (p, ctx) => {
    const db = ctx.ws().db;
    let classId: number | null;
    if (p.classId !== undefined) classId = p.classId;
    else if (p.className !== undefined) classId = ensureClass(db, p.className, p.kind);
    else throw new WorkbenchError('E_INVALID', 'Give classId or className.');
    const common = { classId, origin: 'analyst' as const, author: author(ctx), note: p.note };
    const r = p.ids ? applyLabels(db, { ...common, flowIds: p.ids }) : applyLabelsByFilter(db, { ...common, filter: p.filter!, runId: p.runId });
    ctx.emit('workspace.changed', { what: 'labels' });
    return r;
  },
  'labels.undo': (p, ctx) => {
    const r = undoBatch(ctx.ws().db, p.batch, author(ctx));
    ctx.emit('workspace.changed', { what: 'labels' });
    return r;
  },
  'labels.history': (p, ctx) => flowLabelHistory(ctx.ws().db, p.flowId),
  'labels.batches': (p, ctx) => listBatches(ctx.ws().db, p),
  'labels.export': (p, ctx) => exportLabels(ctx.ws().db, p),
  'labels.import': (p, ctx) => {
    const r = importLabels(ctx.ws().db, p.path, author(ctx));
    ctx.emit('workspace.changed', { what: 'labels' });
    return r;
  },
  'classes.list': (_p, ctx) => listClasses(ctx.ws().db),
  'classes.create': (p, ctx) => {
    const r = createClass(ctx.ws().db, p);
    ctx.emit('workspace.changed', { what: 'classes' });
    return r;
  },
  'classes.update': (p, ctx) => {
    const { id, ...patch } = p;
    const r = updateClass(ctx.ws().db, id, patch);
    ctx.emit('workspace.changed', { what: 'classes' });
    return r;
  },
  'classes.delete': (p, ctx) => {
    deleteClass(ctx.ws().db, p.id);
    ctx.emit('workspace.changed', { what: 'classes' });
    return null;
  },
};
