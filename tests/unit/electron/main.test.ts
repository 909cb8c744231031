import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { methodNames } from '../../../shared/api';
import { hostPdfPrinter } from '../../../electron/core/reports/pdf';
import { tmpDir } from '../../helpers/tmp';

vi.mock('electron', () => import('./fake-electron'));

/**
 * main.ts runs once per test file (vitest isolates files): this file drives the first instance
 * of the app; main-second-instance.test.ts the one that finds the lock taken.
 */
const dir = tmpDir('nstd-main-');
process.env.NSTD_HOME = path.join(dir, 'home');
// No files on this "command line".
process.argv = [process.execPath];
const fake = await import('./fake-electron');
fake.app.appPath = dir;
await import('../../../electron/main/main');

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('main process wiring', () => {
  it('registers app:// as privileged and enables the sandbox before ready, wiring nothing else yet', async () => {
    expect(fake.protocol.privileged).toEqual([expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) })]);
    expect(fake.app.sandboxEnabled).toBe(true);
    expect(fake.ipcMain.handlers.size).toBe(0);
    expect(fake.BrowserWindow.instances).toHaveLength(0);
    expect(hostPdfPrinter()).toBeNull();
  });

  it('on ready: guards, protocol, one IPC channel per method, menu, then the window', async () => {
    fake.app.fireReady();
    await tick();
    expect(fake.session.defaultSession.permissionRequest).not.toBeNull();
    expect(fake.session.defaultSession.beforeRequest).not.toBeNull();
    expect([...fake.protocol.handlers.keys()]).toEqual(['app']);
    expect(fake.ipcMain.handlers.size).toBe(methodNames.length);
    expect(fake.Menu.current).not.toBeNull();
    expect(hostPdfPrinter()?.name).toMatch(/^Electron printToPDF/);
    expect(fake.BrowserWindow.instances).toHaveLength(1);
    const win = fake.BrowserWindow.instances[0]!;
    expect(win.options.webPreferences?.preload).toBe(path.join(dir, 'dist', 'preload', 'preload.cjs'));
    expect(win.loadedUrl).toBe('app://nstd/index.html');

    // The protocol serves dist/renderer of the app.
    fs.mkdirSync(path.join(dir, 'dist', 'renderer'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dist', 'renderer', 'index.html'), '<title>x</title>');
    const res = await fake.protocol.handlers.get('app')!(new Request('app://nstd/index.html'));
    expect(await res.text()).toBe('<title>x</title>');

    // Every webContents created later gets the navigation guards.
    const contents = new fake.FakeWebContents();
    fake.app.emit('web-contents-created', {}, contents);
    expect(contents.windowOpenHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });

    // A second launch focuses the window and opens the workspace it names.
    const file = path.join(dir, 'second.nstd');
    const call = (name: string, params: unknown) =>
      fake.ipcMain.handlers.get(`nstd:${name}`)!({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, params) as Promise<{ ok: boolean; result?: unknown }>;
    expect(await call('workspace.create', { path: file, name: 'second' })).toMatchObject({ ok: true });
    expect(await call('workspace.close', {})).toMatchObject({ ok: true });
    win.minimized = true;
    fake.app.emit('second-instance', {}, ['/opt/nstd/nstd-workbench', '--flag', 'second.nstd'], dir);
    await vi.waitFor(async () => expect(await call('workspace.current', {})).toMatchObject({ ok: true, result: { path: file } }));
    expect(win).toMatchObject({ minimized: false, focused: true });
    // Events of the core reach the window.
    expect(win.webContents.sent.some(([channel, event]) => channel === 'nstd:event' && event === 'workspace.changed')).toBe(true);

    // Quitting closes the workbench first, then quits for real.
    const quit = new fake.FakeEvent();
    fake.app.emit('will-quit', quit);
    expect(quit.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(fake.app.quitCalls).toBe(1));
    expect(await call('workspace.current', {})).toMatchObject({ ok: true, result: null });
    const again = new fake.FakeEvent();
    fake.app.emit('will-quit', again);
    expect(again.defaultPrevented).toBe(false);

    // With its window closed (macOS keeps the app), a new launch brings a window back; the old
    // window's frame is no longer trusted.
    win.emit('closed');
    fake.app.emit('second-instance', {}, ['/opt/nstd/nstd-workbench'], dir);
    expect(fake.BrowserWindow.instances).toHaveLength(2);
    expect(fake.BrowserWindow.instances[1]!.focused).toBe(true);
    expect(await call('workspace.current', {})).toMatchObject({ ok: false, error: { code: 'E_FORBIDDEN' } });
  });
});
