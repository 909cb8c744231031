import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Dialog, MessageBoxOptions } from 'electron';
import { Workbench } from '../../../electron/core/workbench';
import { NodeWorkerHost } from '../../../electron/core/jobs/host';
import { workerEntry } from '../../../electron/core/worker-entry';
import { tmpDir } from '../../helpers/tmp';

vi.mock('electron', () => import('./fake-electron'));

const { ShellActions, aboutDetail } = await import('../../../electron/main/actions');

/** A dialog that answers with what the test queued and records the message boxes shown. */
function scriptedDialog() {
  const answers: unknown[] = [];
  const boxes: MessageBoxOptions[] = [];
  const dialog = {
    showOpenDialog: async () => answers.shift() ?? { canceled: true, filePaths: [] },
    showSaveDialog: async () => answers.shift() ?? { canceled: true },
    showMessageBox: async (...args: unknown[]) => {
      boxes.push(args.at(-1) as MessageBoxOptions);
      return { response: 0, checkboxChecked: false };
    },
  } as unknown as Pick<Dialog, 'showOpenDialog' | 'showSaveDialog' | 'showMessageBox'>;
  return { dialog, answers, boxes };
}

describe('shell actions (menu, command line, second launch)', () => {
  const dir = tmpDir('nstd-actions-');
  process.env.NSTD_HOME = path.join(dir, 'home');
  const workbench = new Workbench({ host: 'electron', workerHost: new NodeWorkerHost(workerEntry()) });
  const { dialog, answers, boxes } = scriptedDialog();
  const actions = new ShellActions({ target: workbench, dialog, window: () => null, versions: { electron: '45.6.1', chrome: '142.0' } });
  afterAll(() => workbench.close());

  it('File > New Workspace creates the file chosen, adding .nstd', async () => {
    answers.push({ canceled: false, filePath: path.join(dir, 'incident-42') });
    await actions.newWorkspace();
    expect(fs.existsSync(path.join(dir, 'incident-42.nstd'))).toBe(true);
    expect(workbench.current?.meta().name).toBe('incident-42');
    expect(boxes).toEqual([]);
  });

  it('shows why when the workspace cannot be created, and does nothing when cancelled', async () => {
    answers.push({ canceled: false, filePath: path.join(dir, 'incident-42.nstd') });
    await actions.newWorkspace();
    expect(boxes.at(-1)).toMatchObject({ type: 'error', message: 'Could not create the workspace' });
    expect(boxes.at(-1)?.detail).toMatch(/already exists/);
    const before = boxes.length;
    await actions.openWorkspace();
    await actions.importFiles();
    expect(boxes.length).toBe(before);
  });

  it('File > Open Workspace opens it; Import… starts an ingest job', async () => {
    const other = path.join(dir, 'other.nstd');
    await workbench.call('workspace.create', { path: other, name: 'other' });
    answers.push({ canceled: false, filePaths: [path.join(dir, 'incident-42.nstd')] });
    await actions.openWorkspace();
    expect(workbench.current?.path).toBe(path.join(dir, 'incident-42.nstd'));
    const log = path.join(dir, 'rows.csv');
    fs.writeFileSync(log, 'a,b\n1,2\n');
    answers.push({ canceled: false, filePaths: [log] });
    await actions.importFiles();
    const jobs = workbench.jobs!.list(10);
    expect(jobs.map((j) => j.kind)).toContain('ingest');
    // Let it finish before another workspace is opened (the core closes this one then).
    await Promise.all(jobs.map((j) => workbench.jobs!.wait(j.id)));
  });

  it('opens the workspace and imports the files a launch names', async () => {
    const capture = path.join(dir, 'second.csv');
    fs.writeFileSync(capture, 'x\n1\n');
    await actions.openPaths([capture, path.join(dir, 'other.nstd')]);
    expect(workbench.current?.path).toBe(path.join(dir, 'other.nstd'));
    const job = workbench.jobs!.list(10).find((j) => j.kind === 'ingest');
    expect(job?.spec).toMatchObject({ paths: [capture] });
    await workbench.jobs!.wait(job!.id);
  });

  it('stops at a workspace that cannot be opened, saying so', async () => {
    const before = boxes.length;
    await actions.openPaths([path.join(dir, 'missing.nstd'), path.join(dir, 'second.csv')]);
    // One box, for the workspace: the files were not imported into whatever was open before.
    expect(boxes.slice(before)).toHaveLength(1);
    expect(boxes.at(-1)).toMatchObject({ type: 'error', message: 'Could not open the workspace' });
    expect(boxes.at(-1)?.detail).toMatch(/missing\.nstd/);
  });

  it('About names the version and the TensorFlow.js backend from app.info', async () => {
    await actions.about();
    const box = boxes.at(-1)!;
    expect(box).toMatchObject({ type: 'info', title: 'About NSTD Workbench' });
    const info = await workbench.invoke('app.info', {});
    expect(box.detail).toContain(`TensorFlow.js backend: ${info.tfBackend}`);
    expect(box.detail).toContain(`Version ${info.version}`);
    expect(box.detail).toContain('Electron 45.6.1');
    expect(aboutDetail(null, { electron: '1', chrome: '2' })).toContain('TensorFlow.js backend: unknown');
  });
});
