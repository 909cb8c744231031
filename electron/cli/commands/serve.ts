import path from 'node:path';
import fs from 'node:fs';
import type { CliArgs, CliCommand, CliIO, CliOptions } from '../command';
import { ExitCode, UsageError } from '../command';
import { Workbench } from '../../core/workbench';
import { NodeWorkerHost } from '../../core/jobs/host';
import { workerEntry } from '../../core/worker-entry';
import { projectRoot } from '../../core/data-dir';
import { startServer } from '../../web/server';
import { num, str } from '../util';

/** The options of every command that ends by serving the app (serve, demo). */
export const serveOptions: CliOptions = {
  workspace: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
};

/** A Workbench for browser mode: jobs in child_process workers. */
export function browserWorkbench(): Workbench {
  return new Workbench({ host: 'browser', workerHost: new NodeWorkerHost(workerEntry()) });
}

export const command: CliCommand = {
  name: 'serve',
  summary: 'Run the workbench in a browser on 127.0.0.1 (browser mode)',
  usage: 'nstd serve [--workspace FILE] [--port N] [--host ADDR] [--json]',
  help: [
    'Serves the app and its API on 127.0.0.1 (a random free port unless --port) and prints the URL',
    'with a per-launch token. Open it in Chromium or Firefox on this machine, or through an SSH',
    'tunnel (ssh -L 8080:127.0.0.1:PORT lab-host). --workspace opens (or creates) that file.',
    '--host binds another address: only on a network you trust; a warning is printed.',
    'With --json, prints {"url","port","token"} once listening.',
  ].join('\n'),
  options: serveOptions,
  async run(args, io) {
    const wb = browserWorkbench();
    const wsPath = str(args, 'workspace');
    if (wsPath) {
      const abs = path.resolve(wsPath);
      wb.openWorkspace(abs, fs.existsSync(abs) ? undefined : { name: path.basename(abs, '.nstd') });
    }
    return serveUntilStopped(wb, args, io);
  },
};

/** Serves `wb` in browser mode until SIGINT or SIGTERM (shared by `serve` and `demo`). */
export async function serveUntilStopped(wb: Workbench, args: CliArgs, io: CliIO): Promise<number> {
  const port = num(args, 'port') ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0-65535.');
  const host = str(args, 'host') ?? '127.0.0.1';
  if (host !== '127.0.0.1') {
    io.stderr.write(`WARNING: binding ${host}: anyone who can reach it and learns the token can read this workspace.\n`);
  }
  const server = await startServer({ workbench: wb, staticDir: path.join(projectRoot(), 'dist', 'renderer'), host, port });
  if (args.values.json) io.stdout.write(JSON.stringify({ url: server.url, port: server.port, token: server.token }) + '\n');
  else io.stdout.write(`NSTD Workbench is serving on ${server.url}\nOpen that URL in a browser on this machine. Ctrl-C stops.\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await wb.close();
  return ExitCode.ok;
}
