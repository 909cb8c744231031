import { describe, expect, it, vi } from 'vitest';
import type { BrowserWindow as ElectronWindow, MenuItemConstructorOptions } from 'electron';
import { BrowserWindow } from './fake-electron';

vi.mock('electron', () => import('./fake-electron'));

const { createMainWindow, focusWindow } = await import('../../../electron/main/window');
const { buildMenuTemplate } = await import('../../../electron/main/menu');

describe('main window', () => {
  it('is isolated, sandboxed, without Node, and loads the app from app://nstd', () => {
    createMainWindow('/app/dist/preload/preload.cjs');
    const win = BrowserWindow.instances.at(-1)!;
    expect(win.options.webPreferences).toMatchObject({
      preload: '/app/dist/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
    expect(win.options.webPreferences).not.toHaveProperty('enableBlinkFeatures');
    expect(win.loadedUrl).toBe('app://nstd/index.html');
    expect(win.shown).toBe(false);
    win.emit('ready-to-show');
    expect(win.shown).toBe(true);
  });

  it('is brought to the front by a second launch, restored when minimized', () => {
    const win = new BrowserWindow({});
    win.minimized = true;
    focusWindow(win as unknown as ElectronWindow);
    expect(win).toMatchObject({ minimized: false, shown: true, focused: true });
    const gone = new BrowserWindow({});
    gone.destroy();
    focusWindow(gone as unknown as ElectronWindow);
    expect(gone.focused).toBe(false);
    focusWindow(null);
  });
});

describe('application menu', () => {
  const calls: string[] = [];
  const actions = {
    newWorkspace: async () => void calls.push('new'),
    openWorkspace: async () => void calls.push('open'),
    importFiles: async () => void calls.push('import'),
    about: async () => void calls.push('about'),
  };
  const find = (items: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions | undefined => {
    for (const item of items) {
      if (item.label === label) return item;
      if (Array.isArray(item.submenu)) {
        const hit = find(item.submenu, label);
        if (hit) return hit;
      }
    }
    return undefined;
  };

  it('has File (New, Open, Import…, Quit), Edit, View and Help (About) wired to the actions', () => {
    const menu = buildMenuTemplate(actions, { platform: 'linux', devTools: false });
    expect(menu.map((m) => m.label ?? m.role)).toEqual(['&File', 'editMenu', '&View', 'windowMenu', 'help']);
    const file = menu[0]!.submenu as MenuItemConstructorOptions[];
    expect(file.filter((i) => i.type !== 'separator').map((i) => i.label ?? i.role)).toEqual(['New Workspace…', 'Open Workspace…', 'Import…', 'quit']);
    for (const [label, accel, call] of [
      ['New Workspace…', 'CmdOrCtrl+N', 'new'],
      ['Open Workspace…', 'CmdOrCtrl+O', 'open'],
      ['Import…', 'CmdOrCtrl+I', 'import'],
      ['About NSTD Workbench', undefined, 'about'],
    ] as const) {
      const item = find(menu, label)!;
      expect(item.accelerator).toBe(accel);
      (item.click as () => void)();
      expect(calls.at(-1)).toBe(call);
    }
    expect(JSON.stringify(menu)).not.toContain('toggleDevTools');
  });

  it('follows the platform: app menu on macOS, devtools only in development', () => {
    const mac = buildMenuTemplate(actions, { platform: 'darwin', devTools: true });
    expect(mac[0]!.role).toBe('appMenu');
    expect((mac[1]!.submenu as MenuItemConstructorOptions[]).at(-1)!.role).toBe('close');
    expect(JSON.stringify(mac)).toContain('toggleDevTools');
  });
});
