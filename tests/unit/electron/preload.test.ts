import path from 'node:path';
import fs from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import type { RawTransport } from '../../../shared/api';
import { Workbench } from '../../../electron/core/workbench';
import { NodeWorkerHost } from '../../../electron/core/jobs/host';
import { workerEntry } from '../../../electron/core/worker-entry';
import { tmpDir } from '../../helpers/tmp';
import { BrowserWindow as FakeWindow, contextBridge, ipcMain, ipcRenderer } from './fake-electron';

vi.mock('electron', () => import('./fake-electron'));

const { registerIpc, mainFrameSenderCheck, forwardEvents } = await import('../../../electron/main/ipc');

/**
 * Both halves of the bridge, with only electron's transport faked: the preload's window.nstd
 * calls go through the main process's generated handlers into a real Workbench.
 */
const dir = tmpDir('nstd-preload-');
process.env.NSTD_HOME = path.join(dir, 'home');
const workbench = new Workbench({ host: 'electron', workerHost: new NodeWorkerHost(workerEntry()) });
const win = new FakeWindow({});
registerIpc(ipcMain as unknown as IpcMain, workbench, mainFrameSenderCheck(() => win as unknown as BrowserWindow));
forwardEvents(workbench, () => win.webContents as never);
const invoked: string[] = [];
ipcRenderer.invoke = async (channel: string, ...args: unknown[]) => {
  invoked.push(channel);
  const h = ipcMain.handlers.get(channel);
  if (!h) throw new Error(`Error invoking remote method '${channel}': No handler registered`);
  return h({ sender: win.webContents, senderFrame: win.webContents.mainFrame } as unknown as IpcMainInvokeEvent, ...args);
};
// Events the main process sends to the window arrive on the renderer's ipcRenderer.
win.webContents.send = (channel: string, ...args: unknown[]) => {
  ipcRenderer.emit(channel, {}, ...args);
};

await import('../../../electron/preload/preload');
const nstd = contextBridge.exposed.get('nstd') as RawTransport & { pathForFile(file: unknown): string };

afterAll(() => workbench.close());

describe('preload bridge (window.nstd)', () => {
  it('exposes only call, subscribe and pathForFile', () => {
    expect([...contextBridge.exposed.keys()]).toEqual(['nstd']);
    expect(Object.keys(nstd).sort()).toEqual(['call', 'pathForFile', 'subscribe']);
  });

  it('keeps names outside the contract away from IPC', async () => {
    for (const name of ['fs.readFile', '__proto__', 'constructor', 'toString', '']) {
      expect(await nstd.call(name, {}), name).toMatchObject({ ok: false, error: { code: 'E_NOT_FOUND' } });
    }
    expect(invoked).toEqual([]);
  });

  it('calls contract methods on their own channel and gets envelopes back', async () => {
    const file = path.join(dir, 'bridge.nstd');
    const r = await nstd.call('workspace.create', { path: file, name: 'Bridge' });
    expect(r).toMatchObject({ ok: true, result: { name: 'Bridge' } });
    expect(invoked).toEqual(['nstd:workspace.create']);
    expect(await nstd.call('workspace.open', { path: 7 })).toMatchObject({ ok: false, error: { code: 'E_INVALID' } });
  });

  it('delivers core events to subscribers until they unsubscribe', () => {
    const seen: [string, unknown][] = [];
    const off = nstd.subscribe((event, payload) => seen.push([event, payload]));
    workbench.emit('workspace.changed', { what: 'labels' });
    off();
    workbench.emit('workspace.changed', { what: 'models' });
    expect(seen).toEqual([['workspace.changed', { what: 'labels' }]]);
  });

  it('gives the disk path of a dropped file, which the renderer imports through the contract', async () => {
    const capture = path.join(dir, 'dropped.csv');
    fs.writeFileSync(capture, 'a,b\n1,2\n');
    const p = nstd.pathForFile({ name: 'dropped.csv', path: capture });
    expect(p).toBe(capture);
    expect(nstd.pathForFile({ name: 'from-a-page.txt' })).toBe('');
    const r = await nstd.call('sources.import', { paths: [p] });
    expect(r).toMatchObject({ ok: true, result: { jobId: expect.any(Number) } });
    expect(invoked.at(-1)).toBe('nstd:sources.import');
  });
});
