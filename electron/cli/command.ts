import type { ParseArgsConfig } from 'node:util';

export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

export type CliOptions = NonNullable<ParseArgsConfig['options']>;

export interface CliArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/**
 * One `nstd` subcommand. `--help` and `--json` are handled by the dispatcher for every command;
 * `run` returns the exit code (see ExitCode).
 */
export interface CliCommand {
  name: string;
  summary: string;
  /** Full help text after the usage line: options and examples. */
  help: string;
  usage: string;
  options: CliOptions;
  allowPositionals?: boolean;
  run(args: CliArgs, io: CliIO): Promise<number>;
}

export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  /** The work finished but some input could not be read (e.g. an ingest with errors). */
  partial: 3,
  cancelled: 130,
} as const;

export class UsageError extends Error {}
