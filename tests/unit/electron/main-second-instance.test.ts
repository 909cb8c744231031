import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron'));

const fake = await import('./fake-electron');
fake.app.singleInstance = false;
process.argv = [process.execPath];
await import('../../../electron/main/main');

describe('main process, lock taken by a running instance', () => {
  it('hands over (Electron passes our argv to the owner) and quits without wiring anything', async () => {
    fake.app.fireReady();
    await new Promise((r) => setTimeout(r, 0));
    expect(fake.app.quitCalls).toBe(1);
    expect(fake.ipcMain.handlers.size).toBe(0);
    expect(fake.protocol.handlers.size).toBe(0);
    expect(fake.BrowserWindow.instances).toHaveLength(0);
  });
});
