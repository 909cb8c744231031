import type { CliCommand } from '../command';
import { ExitCode, UsageError } from '../command';
import { jobResult, num, printJson, runJob, str, withWorkbench, workspaceArg } from '../util';
import { ReportFormat, type ReportJobResult } from '../../../shared/api/reports';
import { prepareReportSpec } from '../../core/reports/report-job';

export const command: CliCommand = {
  name: 'report',
  summary: 'Export a detection run as HTML, PDF, CSV, JSON or a STIX 2.1 bundle',
  usage: 'nstd report --workspace WS [--run ID] --format html|pdf|csv|json|stix --out FILE [--json]',
  help: [
    'Options:',
    '  --workspace FILE   the workspace (.nstd)',
    '  --run ID           the detection run (default: the newest)',
    '  --format F         html  one self-contained file: case, sources with sha256, model and lineage,',
    '                           counts, time-line, top talkers, feature drivers, detections with verdicts',
    '                     pdf   that HTML printed by headless Chromium (/usr/bin/chromium or CHROME_PATH)',
    '                     csv   every detection with its flow (formula-safe for spreadsheets)',
    '                     json  every detection with its flow',
    '                     stix  STIX 2.1 bundle: observed-data, network-traffic, addresses, indicators',
    '                           for confirmed detections, a report object; same input, same ids',
    '  --out FILE         where to write (replaced only once the report is complete)',
    '',
    'The report is built in a worker process; Ctrl-C cancels it and leaves no partial file.',
    '',
    'Examples:',
    '  nstd report --workspace case.nstd --format html --out case-report.html',
    '  nstd report --workspace case.nstd --run 3 --format stix --out run3.stix.json --json',
  ].join('\n'),
  options: {
    workspace: { type: 'string' },
    run: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
  },
  async run(args, io) {
    const ws = workspaceArg(args);
    const format = ReportFormat.safeParse(str(args, 'format'));
    if (!format.success) throw new UsageError(`--format must be one of ${ReportFormat.options.join(', ')}.`);
    const out = str(args, 'out');
    if (!out) throw new UsageError('--out FILE is required.');
    const run = num(args, 'run');
    if (run !== undefined && (!Number.isInteger(run) || run < 1)) throw new UsageError('--run must be a positive whole number.');
    return withWorkbench(ws, async (wb) => {
      const spec = prepareReportSpec(wb.current!.db, run === undefined ? { format: format.data, path: out } : { format: format.data, path: out, runId: run }, 'cli');
      const info = await runJob(wb, 'report', spec, io);
      const result = jobResult(info) as ReportJobResult;
      if (args.values.json) printJson(io, { jobId: info.id, ...result });
      else {
        io.stdout.write(`${result.path}\n`);
        io.stderr.write(`${format.data.toUpperCase()} report of run ${result.runId}: ${result.bytes.toLocaleString('en-US')} bytes, ${result.detections.toLocaleString('en-US')} detections, sha256 ${result.sha256}\n`);
        for (const n of result.notes) io.stderr.write(`  ${n}\n`);
      }
      return ExitCode.ok;
    });
  },
};
