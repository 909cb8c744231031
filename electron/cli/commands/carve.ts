import path from 'node:path';
import type { CliCommand } from '../command';
import { ExitCode, UsageError } from '../command';
import { carveFlow } from '../../core/capture/carve';
import { Workspace } from '../../core/store/workspace';
import { num, printJson, str, workspaceArg } from '../util';

export const command: CliCommand = {
  name: 'carve',
  summary: "Write one flow's packets from its source capture to a pcap for Wireshark",
  usage: 'nstd carve --workspace WS --flow ID --out FILE.pcap [--json]',
  help: [
    'Reads the flow\'s source capture again and copies the packets the flow was built from into',
    'a pcap (nanosecond timestamps, the source\'s link type). The capture must be unchanged since',
    'ingest (size and sha256 are checked). Flows keep the offsets of their first 100,000 packets.',
    '',
    'Options:',
    '  --workspace, -w WS   the workspace file',
    '  --flow ID            the flow id (as in the Flows view or `nstd flows`)',
    '  --out FILE           the pcap to write (replaced if it exists)',
  ].join('\n'),
  options: { workspace: { type: 'string', short: 'w' }, flow: { type: 'string' }, out: { type: 'string', short: 'o' } },
  async run(args, io) {
    const wsPath = workspaceArg(args);
    const flow = num(args, 'flow');
    const out = str(args, 'out');
    if (flow === undefined || !Number.isInteger(flow) || flow < 1) throw new UsageError('--flow ID (a positive integer) is required.');
    if (!out) throw new UsageError('--out FILE is required.');
    const ws = Workspace.open(wsPath, { readonly: true });
    try {
      const r = await carveFlow(ws.db, flow, path.resolve(out));
      if (args.values.json) printJson(io, r);
      else io.stdout.write(`Wrote ${r.packets} packets of flow ${flow} to ${r.out}${r.skipped ? ` (${r.skipped} not written)` : ''}\n`);
      return ExitCode.ok;
    } finally {
      ws.close();
    }
  },
};
