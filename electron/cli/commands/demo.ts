import fs from 'node:fs';
import path from 'node:path';
import type { CliCommand } from '../command';
import { projectRoot, userStateDir } from '../../core/data-dir';
import { jobResult, runJob, str } from '../util';
import { browserWorkbench, serveOptions, serveUntilStopped } from './serve';

/** The sample captures shipped in resources/sample (made by resources/base-model/make-corpus.sh). */
export function sampleCaptures(): string[] {
  const dir = path.join(projectRoot(), 'resources', 'sample');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.pcap(ng)?(\.gz)?$/.test(f)).sort().map((f) => path.join(dir, f)) : [];
}

export const command: CliCommand = {
  name: 'demo',
  summary: 'Open the workbench on its sample captures and base model (browser mode)',
  usage: 'nstd demo [--workspace FILE] [--port N] [--json]',
  help: [
    'The first run creates a demo workspace (default: ~/.config/nstd/demo.nstd, or NSTD_HOME),',
    'imports the sample captures from resources/sample (benign web, DNS and SSH; port scans, SSH and',
    'HTTP brute force, slowloris, web scanning — made with real tools by make-corpus.sh), runs',
    'detection with the shipped base model, then serves the app like `nstd serve`. Later runs',
    'open the same workspace as it was left.',
  ].join('\n'),
  options: serveOptions,
  async run(args, io) {
    const file = path.resolve(str(args, 'workspace') ?? path.join(userStateDir(), 'demo.nstd'));
    const wb = browserWorkbench();
    const fresh = !fs.existsSync(file);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    wb.openWorkspace(file, fresh ? { name: 'Demo case', analyst: 'Demo analyst' } : undefined);
    if ((await wb.invoke('sources.list', {})).length === 0) {
      const samples = sampleCaptures();
      io.stderr.write(`Importing ${samples.length} sample captures into ${file}…\n`);
      jobResult(await runJob(wb, 'ingest', { paths: samples }, io));
      io.stderr.write('Running detection with the base model…\n');
      jobResult(await runJob(wb, 'detect', { filter: '' }, io));
    }
    return serveUntilStopped(wb, args, io);
  },
};
