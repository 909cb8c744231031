import fs from 'node:fs';
import path from 'node:path';
import type { Handlers } from './types';
import type { workspaceMethods } from '../../../shared/api/workspace';
import { listSources } from '../store/sources';
import { listRecent } from '../recent';
import { dataDir } from '../data-dir';
import { WorkbenchError } from '../errors';
import { appVersion, backendName } from '../app-info';

/** Workspace lifecycle, sources and jobs. */
export const workspaceHandlers: Handlers<typeof workspaceMethods> = {
  'app.info': async (_p, ctx) => ({
    version: appVersion(),
    host: ctx.host,
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
    tfBackend: await backendName(),
    dataDir: dataDir(),
    dataDirExists: fs.existsSync(dataDir()),
  }),
  'workspace.create': (p, ctx) => {
    const file = path.resolve(p.path);
    if (fs.existsSync(file)) throw new WorkbenchError('E_INVALID', `${file} already exists. Open it instead, or choose another name.`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    return ctx.openWorkspace(file, { name: p.name, analyst: p.analyst }).meta();
  },
  'workspace.open': (p, ctx) => ctx.openWorkspace(path.resolve(p.path)).meta(),
  'workspace.current': (_p, ctx) => {
    try {
      return ctx.ws().meta();
    } catch {
      return null;
    }
  },
  'workspace.update': (p, ctx) => {
    const ws = ctx.ws();
    ws.updateMeta(p);
    ctx.emit('workspace.changed', { what: 'workspace' });
    return ws.meta();
  },
  'workspace.close': async (_p, ctx) => {
    await ctx.closeWorkspace();
    return null;
  },
  'workspace.recent': () => listRecent(),
  'sources.list': (_p, ctx) => listSources(ctx.ws().db),
  'sources.import': (p, ctx) => {
    const missing = p.paths.filter((f) => !fs.existsSync(f));
    if (missing.length) throw new WorkbenchError('E_NOT_FOUND', `Not found: ${missing.join(', ')}`);
    return { jobId: ctx.jobs().start('ingest', { paths: p.paths.map((f) => path.resolve(f)) }) };
  },
  'jobs.start': (p, ctx) => ({ jobId: ctx.jobs().start(p.kind, p.spec) }),
  'jobs.list': (p, ctx) => ctx.jobs().list(p.limit),
  'jobs.get': (p, ctx) => ctx.jobs().get(p.id),
  'jobs.cancel': (p, ctx) => ctx.jobs().cancel(p.id),
};
