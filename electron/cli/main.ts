import { parseArgs } from 'node:util';
import { commands } from './commands/index';
import { ExitCode, UsageError, type CliIO } from './command';
import { WorkbenchError } from '../core/errors';

const io: CliIO = { stdout: process.stdout, stderr: process.stderr };

function mainHelp(): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return [
    'nstd — NSTD Workbench on the command line',
    '',
    'Usage: nstd <command> [options]     nstd <command> --help',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'Every command takes --json (one JSON object on stdout). Exit codes: 0 ok, 1 failed,',
    '2 usage error, 3 finished with input errors, 130 cancelled.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(mainHelp() + '\n');
    return name ? ExitCode.ok : ExitCode.usage;
  }
  if (name === '--version') {
    const { appVersion } = await import('../core/app-info');
    io.stdout.write(appVersion() + '\n');
    return ExitCode.ok;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    io.stderr.write(`nstd: unknown command "${name}".\n\n${mainHelp()}\n`);
    return ExitCode.usage;
  }
  const json = rest.includes('--json');
  try {
    const parsed = parseArgs({
      args: rest,
      options: { ...cmd.options, help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } },
      allowPositionals: cmd.allowPositionals ?? false,
      strict: true,
    });
    if (parsed.values.help) {
      io.stdout.write(`Usage: ${cmd.usage}\n\n${cmd.summary}.\n\n${cmd.help}\n`);
      return ExitCode.ok;
    }
    return await cmd.run({ values: parsed.values as Record<string, string | boolean | (string | boolean)[] | undefined>, positionals: parsed.positionals }, io);
  } catch (err) {
    const usage = err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS');
    const code = usage ? 'E_USAGE' : err instanceof WorkbenchError ? err.code : 'E_INTERNAL';
    const message = err instanceof Error ? err.message : String(err);
    if (json) io.stdout.write(JSON.stringify({ error: { code, message } }) + '\n');
    io.stderr.write(`nstd ${name}: ${message}\n${usage ? `Usage: ${cmd.usage}\n` : ''}`);
    if (usage) return ExitCode.usage;
    return err instanceof WorkbenchError && err.code === 'E_CANCELLED' ? ExitCode.cancelled : ExitCode.failed;
  }
}

const code = await main(process.argv.slice(2));
// Let stdout drain before exiting (large --json output through a pipe).
process.stdout.write('', () => process.exit(code));
