import path from 'node:path';
import type { CliCommand } from '../command';
import { ExitCode, UsageError } from '../command';
import { num, printJson, withWorkbench, workspaceArg } from '../util';

export const command: CliCommand = {
  name: 'models',
  summary: 'List, export or import model versions (.nstdmodel files)',
  usage: 'nstd models --workspace WS [--export ID --out FILE | --import FILE] [--json]',
  help: [
    'Without an action: lists the workspace\'s models (id, parent, algorithm, schema, classes, metrics).',
    '  --export ID --out FILE   write model ID as one .nstdmodel file (weights, pipeline, prototypes,',
    '                           calibration, metrics, lineage) to move it to another workspace',
    '  --import FILE            add a .nstdmodel file to this workspace as a new model',
  ].join('\n'),
  options: {
    workspace: { type: 'string' },
    export: { type: 'string' },
    out: { type: 'string' },
    import: { type: 'string' },
  },
  async run(args, io) {
    const ws = workspaceArg(args);
    const json = args.values.json === true;
    return withWorkbench(ws, async (wb) => {
      const exportId = num(args, 'export');
      const importFile = typeof args.values.import === 'string' ? path.resolve(args.values.import) : undefined;
      if (exportId !== undefined) {
        const out = args.values.out;
        if (typeof out !== 'string') throw new UsageError('--export needs --out FILE.');
        const r = await wb.invoke('models.export', { id: exportId, path: path.resolve(out) });
        if (json) printJson(io, r);
        else io.stdout.write(`model ${exportId} written to ${r.path} (${r.bytes} bytes)\n`);
        return ExitCode.ok;
      }
      if (importFile) {
        const m = await wb.invoke('models.import', { path: importFile });
        if (json) printJson(io, m);
        else io.stdout.write(`imported as model ${m.id} (${m.algorithm}, ${m.schema})\n`);
        return ExitCode.ok;
      }
      const models = await wb.invoke('models.list', {});
      if (json) printJson(io, { models });
      else if (models.length === 0) io.stdout.write('No models in this workspace. Train one with `nstd train`.\n');
      else for (const m of models) io.stdout.write(`${String(m.id).padStart(4)}  ${m.name}  ${m.algorithm}  ${m.schema}${m.parentId ? `  (parent ${m.parentId})` : ''}\n`);
      return ExitCode.ok;
    });
  },
};
