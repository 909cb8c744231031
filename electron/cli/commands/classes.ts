import type { CliCommand } from '../command';
import { ExitCode, UsageError } from '../command';
import { flag, list, num, printJson, str, withWorkbench, workspaceArg } from '../util';
import type { Result } from '../../../shared/api';

type Kind = 'benign' | 'attack' | 'unknown';

export const command: CliCommand = {
  name: 'classes',
  summary: 'List the label taxonomy (with flow counts), or add and edit a class',
  usage: 'nstd classes --workspace WS [--json] | --create NAME [--kind K] [--attack T1046,...] [--colour #rrggbb] | --update ID [--name N] [--kind K] [--attack ...] | --delete ID',
  help: [
    'Classes have a kind (benign, attack, unknown), a colour and MITRE ATT&CK technique ids.',
    'Dataset labels create classes as they import (known names get their kind and ATT&CK ids).',
    '',
    'Options:',
    '  --create NAME       add a class',
    '  --update ID         change a class: --name, --kind, --attack, --colour, --description',
    '  --delete ID         remove a class no label (past or present) uses',
  ].join('\n'),
  options: {
    workspace: { type: 'string', short: 'w' },
    create: { type: 'string' },
    update: { type: 'string' },
    delete: { type: 'string' },
    name: { type: 'string' },
    kind: { type: 'string' },
    attack: { type: 'string', multiple: true },
    colour: { type: 'string' },
    description: { type: 'string' },
  },
  async run(args, io) {
    const ws = workspaceArg(args);
    const json = flag(args, 'json');
    const kind = str(args, 'kind');
    if (kind !== undefined && !['benign', 'attack', 'unknown'].includes(kind)) throw new UsageError('--kind must be benign, attack or unknown.');
    const attack = list(args, 'attack');
    const patch = {
      kind: kind as Kind | undefined,
      attackIds: args.values.attack !== undefined ? attack : undefined,
      colour: str(args, 'colour'),
      description: str(args, 'description'),
    };
    return withWorkbench(ws, async (wb) => {
      const create = str(args, 'create');
      const update = num(args, 'update');
      const del = num(args, 'delete');
      if (create !== undefined) {
        const c = await wb.invoke('classes.create', { name: create, ...patch });
        if (json) printJson(io, c);
        else io.stdout.write(`class ${c.id} "${c.name}" (${c.kind}) created\n`);
        return ExitCode.ok;
      }
      if (update !== undefined) {
        const c = await wb.invoke('classes.update', { id: update, name: str(args, 'name'), ...patch });
        if (json) printJson(io, c);
        else io.stdout.write(`class ${c.id} is now "${c.name}" (${c.kind}${c.attackIds.length ? `, ${c.attackIds.join(' ')}` : ''})\n`);
        return ExitCode.ok;
      }
      if (del !== undefined) {
        await wb.invoke('classes.delete', { id: del });
        if (json) printJson(io, { deleted: del });
        else io.stdout.write(`class ${del} deleted\n`);
        return ExitCode.ok;
      }
      const classes: Result<'classes.list'> = await wb.invoke('classes.list', {});
      if (json) printJson(io, classes);
      else {
        if (classes.length === 0) io.stdout.write('No classes yet: they come with a dataset\'s labels (nstd ingest) or with nstd classes --create.\n');
        for (const c of classes) {
          io.stdout.write(`${String(c.id).padStart(4)}  ${c.name.padEnd(28)} ${c.kind.padEnd(8)} ${String(c.flows).padStart(10)} flows  ${c.attackIds.join(' ')}\n`);
        }
      }
      return ExitCode.ok;
    });
  },
};
