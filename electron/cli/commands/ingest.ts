import path from 'node:path';
import type { CliCommand } from '../command';
import { ExitCode, UsageError } from '../command';
import type { IngestJobResult } from '../../core/ingest/ingest-job';
import { jobResult, num, printJson, runJob, withWorkbench, workspaceArg } from '../util';

export const command: CliCommand = {
  name: 'ingest',
  summary: 'Import captures (pcap, pcapng, gzipped) and flow logs into a workspace',
  usage: 'nstd ingest FILE... --workspace WS [--idle-timeout S] [--active-timeout S] [--json]',
  help: [
    'Each FILE is recognised by its content, never its name: pcap (both byte orders, µs or ns),',
    'pcapng, or a flow log (CICFlowMeter, UNSW-NB15, NSL-KDD/KDD\'99, Zeek conn, Suricata eve);',
    'gzip is read transparently. Captures become bidirectional flows with the "pcap" features.',
    'The workspace is created when it does not exist. A malformed file keeps what was read',
    'before the fault (its source is marked partial) and the exit code is 3.',
    '',
    'Options:',
    '  --workspace, -w WS     the workspace file (.nstd)',
    '  --idle-timeout S       one idle timeout for every flow state (default: Suricata\'s per',
    '                         protocol and state: TCP 60/600/60 s, UDP 30/300 s, other 30/300 s)',
    '  --active-timeout S     split flows longer than S seconds (default 1800)',
    '  --json                 print {"packets","flows","bytes","seconds","errors":[{"file","offset","message"}],"sources"}',
    '',
    'Example: nstd ingest capture.pcapng.gz conn.log --workspace case.nstd --json',
  ].join('\n'),
  options: {
    workspace: { type: 'string', short: 'w' },
    'idle-timeout': { type: 'string' },
    'active-timeout': { type: 'string' },
  },
  allowPositionals: true,
  async run(args, io) {
    const ws = workspaceArg(args);
    if (args.positionals.length === 0) throw new UsageError('Give at least one FILE to ingest.');
    const idleTimeout = num(args, 'idle-timeout');
    const activeTimeout = num(args, 'active-timeout');
    for (const [n, v] of [['idle-timeout', idleTimeout], ['active-timeout', activeTimeout]] as const) {
      if (v !== undefined && !(v > 0)) throw new UsageError(`--${n} must be a positive number of seconds.`);
    }
    const paths = args.positionals.map((p) => path.resolve(p));
    const info = await withWorkbench(
      ws,
      (wb) => runJob(wb, 'ingest', { paths, ...(idleTimeout !== undefined ? { idleTimeout } : {}), ...(activeTimeout !== undefined ? { activeTimeout } : {}) }, io),
      { create: { name: path.basename(ws).replace(/\.nstd$/, '') } },
    );
    const r = jobResult(info) as IngestJobResult;
    if (args.values.json) {
      printJson(io, { packets: r.packets, flows: r.flows, bytes: r.bytes, seconds: r.seconds, errors: r.errors, sources: r.sources });
    } else {
      for (const s of r.sources) {
        io.stdout.write(`${s.file}: ${s.format ?? 'unknown format'}, ${s.status}, ${s.flows} flows${s.packets ? `, ${s.packets} packets` : ''}\n`);
      }
      for (const e of r.errors) {
        io.stderr.write(`${e.file}${e.offset !== undefined ? ` (byte ${e.offset})` : ''}${e.line !== undefined ? ` (line ${e.line})` : ''}: ${e.message}\n`);
      }
      const rate = r.seconds > 0 && r.packets > 0 ? `, ${Math.round(r.packets / r.seconds).toLocaleString('en')} packets/s` : '';
      io.stdout.write(`${r.flows} flows from ${r.sources.length} file(s) in ${r.seconds.toFixed(1)} s${rate}\n`);
    }
    return r.errors.length > 0 ? ExitCode.partial : ExitCode.ok;
  },
};
