import fs from 'node:fs';
import type { CliCommand } from '../command';
import { ExitCode } from '../command';
import { appVersion } from '../../core/app-info';
import { dataDir } from '../../core/data-dir';
import { printJson } from '../util';
import { findChromium } from '../../core/reports/pdf';

export const command: CliCommand = {
  name: 'doctor',
  summary: 'Show versions, the TensorFlow.js backend and the data folder',
  usage: 'nstd doctor [--json]',
  help: 'Checks this installation: Node and SQLite versions, which TensorFlow.js backend loads\n(tfjs-node, else wasm with SIMD, else cpu; TF_BACKEND forces one), and the datasets folder (NSTD_DATA).',
  options: {},
  async run(args, io) {
    const { pickBackend } = await import('../../core/ml/backend');
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(':memory:');
    const sqlite = db.prepare('select sqlite_version()').pluck().get() as string;
    db.close();
    let backend: { name: string; simd: boolean | null; notes: string[] } | { error: string };
    try {
      backend = await pickBackend();
    } catch (err) {
      backend = { error: (err as Error).message };
    }
    const chromium = findChromium();
    const report = {
      version: appVersion(),
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
      sqlite,
      backend,
      dataDir: dataDir(),
      dataDirExists: fs.existsSync(dataDir()),
      chromium,
    };
    if (args.values.json) {
      printJson(io, report);
    } else {
      const b = 'error' in backend ? `unavailable (${backend.error})` : `${backend.name}${backend.simd ? ' (SIMD)' : ''}${backend.notes.length ? ` — ${backend.notes.join('; ')}` : ''}`;
      io.stdout.write(
        [
          `NSTD Workbench ${report.version}`,
          `Node ${report.node} on ${report.platform}, SQLite ${sqlite}`,
          `TensorFlow.js backend: ${b}`,
          `Data folder: ${report.dataDir}${report.dataDirExists ? '' : ' (missing)'}`,
          `Chromium for PDF and browser mode: ${chromium ?? 'not found'}`,
        ].join('\n') + '\n',
      );
    }
    return 'error' in backend ? ExitCode.failed : ExitCode.ok;
  },
};
