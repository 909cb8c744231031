import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { methodNames, type Envelope } from '../../../shared/api';
import { Workbench } from '../../../electron/core/workbench';
import { NodeWorkerHost } from '../../../electron/core/jobs/host';
import { workerEntry } from '../../../electron/core/worker-entry';
import { tmpDir } from '../../helpers/tmp';
import { BrowserWindow as FakeWindow, FakeFrame, FakeWebContents, ipcMain } from './fake-electron';

vi.mock('electron', () => import('./fake-electron'));

const { registerIpc, mainFrameSenderCheck, forwardEvents } = await import('../../../electron/main/ipc');
const { EVENT_CHANNEL } = await import('../../../electron/main/channels');

type InvokeHandler = (event: unknown, ...args: unknown[]) => Promise<Envelope>;

describe('IPC registration generated from the contract', () => {
  const dir = tmpDir('nstd-ipc-');
  process.env.NSTD_HOME = path.join(dir, 'home');
  const workbench = new Workbench({ host: 'electron', workerHost: new NodeWorkerHost(workerEntry()) });
  const win = new FakeWindow({});
  const check = mainFrameSenderCheck(() => win as unknown as BrowserWindow);
  let unregister: () => void;

  /** What Electron passes for a call from the window's own top frame. */
  const trusted = (): IpcMainInvokeEvent => ({ sender: win.webContents, senderFrame: win.webContents.mainFrame }) as unknown as IpcMainInvokeEvent;
  const invoke = (channel: string, event: IpcMainInvokeEvent, params: unknown): Promise<Envelope> => {
    const h = ipcMain.handlers.get(channel) as InvokeHandler | undefined;
    if (!h) throw new Error(`no handler for ${channel}`);
    return h(event, params);
  };

  beforeAll(() => {
    unregister = registerIpc(ipcMain as unknown as IpcMain, workbench, check);
  });
  afterAll(async () => {
    unregister();
    await workbench.close();
  });

  it('registers exactly one channel per contract method', () => {
    expect(methodNames.length).toBeGreaterThan(10);
    const expected = methodNames.map((n) => `nstd:${n}`).sort();
    expect([...ipcMain.handlers.keys()].filter((c) => c !== EVENT_CHANNEL).sort()).toEqual(expected);
  });

  it('runs a trusted call through the core: a real workspace file is created', async () => {
    const file = path.join(dir, 'case.nstd');
    const created = await invoke('nstd:workspace.create', trusted(), { path: file, name: 'IPC case' });
    expect(created).toMatchObject({ ok: true, result: { name: 'IPC case', path: file } });
    expect(fs.existsSync(file)).toBe(true);
    expect(await invoke('nstd:workspace.current', trusted(), {})).toMatchObject({ ok: true, result: { name: 'IPC case' } });
    expect(await invoke('nstd:sources.list', trusted(), {})).toEqual({ ok: true, result: [] });
  });

  it('answers invalid params with an E_INVALID envelope naming the field', async () => {
    const r = await invoke('nstd:workspace.create', trusted(), { path: '', name: 42 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('E_INVALID');
    expect(r.error.issues?.map((i) => i.path).sort()).toEqual(['name', 'path']);
    expect(await invoke('nstd:jobs.get', trusted(), { id: -1 })).toMatchObject({ ok: false, error: { code: 'E_INVALID' } });
    expect(await invoke('nstd:jobs.list', trusted(), 'not an object')).toMatchObject({ ok: false, error: { code: 'E_INVALID' } });
  });

  it('refuses calls from anything but the main window’s top frame on app://nstd', async () => {
    const other = new FakeWebContents();
    const subframe = new FakeFrame(win.webContents.mainFrame.processId, 7);
    subframe.parent = win.webContents.mainFrame;
    const navigated = new FakeFrame(win.webContents.mainFrame.processId, win.webContents.mainFrame.routingId);
    navigated.url = 'https://evil.example/';
    const foreignRouting = new FakeFrame(win.webContents.mainFrame.processId, 99);
    const refused: [string, unknown][] = [
      ['another webContents', { sender: other, senderFrame: other.mainFrame }],
      ['an iframe of the window', { sender: win.webContents, senderFrame: subframe }],
      ['the window showing a foreign page', { sender: win.webContents, senderFrame: navigated }],
      ['another frame id', { sender: win.webContents, senderFrame: foreignRouting }],
      ['a frame already gone', { sender: win.webContents, senderFrame: null }],
    ];
    const file = path.join(dir, 'forbidden.nstd');
    for (const [what, event] of refused) {
      const r = await invoke('nstd:workspace.create', event as IpcMainInvokeEvent, { path: file, name: 'x' });
      expect(r, what).toMatchObject({ ok: false, error: { code: 'E_FORBIDDEN' } });
    }
    expect(fs.existsSync(file)).toBe(false);
  });

  it('refuses every call once the window is gone', async () => {
    const gone = mainFrameSenderCheck(() => null);
    expect(gone(trusted())).toBe(false);
    const destroyed = new FakeWindow({});
    destroyed.destroy();
    expect(mainFrameSenderCheck(() => destroyed as unknown as BrowserWindow)(trusted())).toBe(false);
  });

  it('forwards core events to the window and stops when asked', () => {
    const contents = new FakeWebContents();
    const stop = forwardEvents(workbench, () => contents as unknown as WebContents);
    workbench.emit('workspace.changed', { what: 'sources' });
    expect(contents.sent).toEqual([[EVENT_CHANNEL, 'workspace.changed', { what: 'sources' }]]);
    contents.destroyed = true;
    workbench.emit('workspace.changed', { what: 'flows' });
    expect(contents.sent).toHaveLength(1);
    stop();
    contents.destroyed = false;
    workbench.emit('workspace.changed', { what: 'labels' });
    expect(contents.sent).toHaveLength(1);
  });

  it('removes every handler it registered', () => {
    unregister();
    expect([...ipcMain.handlers.keys()].filter((c) => c.startsWith('nstd:'))).toEqual([]);
    unregister = registerIpc(ipcMain as unknown as IpcMain, workbench, check);
    expect(ipcMain.handlers.size).toBe(methodNames.length);
  });
});
