import path from 'node:path';
import type { BrowserWindow, Dialog, MessageBoxOptions } from 'electron';
import type { AppInfo } from '../../shared/api/workspace';
import type { Envelope } from '../../shared/api';
import type { CallTarget } from './ipc';
import { planOpen } from './launch';

/**
 * What the menu, the command line and a second launch can ask of the app. Every action goes
 * through the contract (`target.call`), as a click in the renderer would; the renderer learns the
 * outcome from the events (workspace.changed, job.update). Failures are shown in a dialog.
 */
export interface ShellDeps {
  target: CallTarget;
  dialog: Pick<Dialog, 'showOpenDialog' | 'showSaveDialog' | 'showMessageBox'>;
  window: () => BrowserWindow | null;
  versions: { electron: string; chrome: string };
}

export const WORKSPACE_FILTER = { name: 'NSTD workspace', extensions: ['nstd'] };
export const IMPORT_FILTERS = [
  { name: 'Captures and flow logs', extensions: ['pcap', 'pcapng', 'cap', 'dmp', 'gz', 'csv', 'log', 'json', 'txt', 'binetflow', 'conn'] },
  { name: 'All files', extensions: ['*'] },
];

/** The About box text: versions, and the TensorFlow.js backend the core picked. */
export function aboutDetail(info: AppInfo | null, versions: ShellDeps['versions']): string {
  return [
    `Version ${info?.version ?? 'unknown'}`,
    `TensorFlow.js backend: ${info ? (info.tfBackend ?? 'none could start') : 'unknown'}`,
    `Electron ${versions.electron} · Chromium ${versions.chrome} · Node ${info?.node ?? 'unknown'}`,
    `Platform: ${info?.platform ?? 'unknown'}`,
    `Datasets folder: ${info ? `${info.dataDir}${info.dataDirExists ? '' : ' (missing)'}` : 'unknown'}`,
    '',
    'Offline workbench for network security threat detection. Nothing leaves this machine.',
  ].join('\n');
}

export class ShellActions {
  constructor(private readonly deps: ShellDeps) {}

  async newWorkspace(): Promise<void> {
    const r = await this.deps.dialog.showSaveDialog({
      title: 'New workspace',
      buttonLabel: 'Create',
      defaultPath: 'case.nstd',
      filters: [WORKSPACE_FILTER],
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
    if (r.canceled || !r.filePath) return;
    const file = path.extname(r.filePath).toLowerCase() === '.nstd' ? r.filePath : `${r.filePath}.nstd`;
    await this.run('Could not create the workspace', 'workspace.create', { path: file, name: path.basename(file, path.extname(file)) });
  }

  async openWorkspace(): Promise<void> {
    const r = await this.deps.dialog.showOpenDialog({ title: 'Open workspace', properties: ['openFile'], filters: [WORKSPACE_FILTER] });
    if (r.canceled || r.filePaths.length === 0) return;
    await this.run('Could not open the workspace', 'workspace.open', { path: r.filePaths[0] });
  }

  async importFiles(): Promise<void> {
    const r = await this.deps.dialog.showOpenDialog({ title: 'Import captures and flow logs', properties: ['openFile', 'multiSelections'], filters: IMPORT_FILTERS });
    if (r.canceled || r.filePaths.length === 0) return;
    await this.run('Could not import', 'sources.import', { paths: r.filePaths });
  }

  /** Files from the command line or a second launch: open the workspace named, import the rest. */
  async openPaths(files: readonly string[]): Promise<void> {
    const plan = planOpen(files);
    if (plan.workspace && !(await this.run('Could not open the workspace', 'workspace.open', { path: plan.workspace }))) return;
    if (plan.imports.length > 0) await this.run('Could not import', 'sources.import', { paths: plan.imports });
  }

  async about(): Promise<void> {
    const r = await this.deps.target.call('app.info', {});
    const info = r.ok ? (r.result as AppInfo) : null;
    await this.show({ type: 'info', title: 'About NSTD Workbench', message: 'NSTD Workbench', detail: aboutDetail(info, this.deps.versions), buttons: ['OK'] });
  }

  /** Calls one contract method; on failure shows why and returns false. */
  private async run(failure: string, name: string, params: unknown): Promise<boolean> {
    let r: Envelope;
    try {
      r = await this.deps.target.call(name, params);
    } catch (err) {
      r = { ok: false, error: { code: 'E_INTERNAL', message: err instanceof Error ? err.message : String(err) } };
    }
    if (r.ok) return true;
    await this.show({ type: 'error', title: 'NSTD Workbench', message: failure, detail: r.error.message, buttons: ['OK'] });
    return false;
  }

  private async show(options: MessageBoxOptions): Promise<void> {
    const win = this.deps.window();
    if (win && !win.isDestroyed()) await this.deps.dialog.showMessageBox(win, options);
    else await this.deps.dialog.showMessageBox(options);
  }
}
