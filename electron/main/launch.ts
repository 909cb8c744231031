import fs from 'node:fs';
import path from 'node:path';

/**
 * Files named on the command line: `nstd-workbench case.nstd capture.pcap` at the first launch,
 * or passed on by a second launch (single-instance lock). Chromium switches and the app path of
 * a development launch (`electron .`) are not files.
 */
export function filesFromArgv(argv: readonly string[], cwd: string, defaultApp: boolean): string[] {
  const args = argv.slice(1).filter((a) => a !== '' && !a.startsWith('-'));
  // `electron . FILE…`: the first plain argument is the app folder.
  if (defaultApp) args.shift();
  const files: string[] = [];
  for (const arg of args.slice(0, 1000)) {
    const abs = path.resolve(cwd, arg);
    try {
      if (fs.statSync(abs).isFile()) files.push(abs);
    } catch {
      // Not a file: ignored, as a shell would pass stray words.
    }
  }
  return files;
}

/** A workspace is a `.nstd` file; anything else opened with the app is imported into one. */
export function isWorkspacePath(file: string): boolean {
  return path.extname(file).toLowerCase() === '.nstd';
}

export interface OpenPlan {
  /** The workspace to open first (the last one named wins when several are). */
  workspace: string | null;
  imports: string[];
}

export function planOpen(files: readonly string[]): OpenPlan {
  const workspaces = files.filter(isWorkspacePath);
  return { workspace: workspaces.at(-1) ?? null, imports: files.filter((f) => !isWorkspacePath(f)) };
}
