/**
 * The Electron shell: app lifecycle and wiring only. Everything it wires lives in small modules
 * (protocol, guards, ipc, actions, menu, window, utility-host) that are unit-tested with electron
 * mocked; the work itself is the Workbench core, shared with `nstd serve` and the CLI.
 */
import path from 'node:path';
import { app, dialog, ipcMain, Menu, protocol, session, type BrowserWindow } from 'electron';
import { Workbench } from '../core/workbench';
import { APP_SCHEME } from './channels';
import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './protocol';
import { installSessionGuards, installWebContentsGuards } from './guards';
import { forwardEvents, mainFrameSenderCheck, registerIpc } from './ipc';
import { ShellActions } from './actions';
import { buildMenuTemplate } from './menu';
import { createMainWindow, focusWindow } from './window';
import { filesFromArgv } from './launch';
import { ElectronWorkerHost } from './utility-host';
import { ElectronPdfPrinter } from './pdf';
import { setHostPdfPrinter } from '../core/reports/pdf';

// Both must happen before the app is ready.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  // Another instance owns the window; it receives our files through 'second-instance'.
  app.quit();
} else {
  start();
}

function start(): void {
  // dist/main/main.js -> the app root holds dist/ (inside app.asar when packaged).
  const dist = path.join(app.getAppPath(), 'dist');
  const workbench = new Workbench({ host: 'electron', workerHost: new ElectronWorkerHost(path.join(dist, 'worker.js')) });
  let win: BrowserWindow | null = null;
  const actions = new ShellActions({
    target: workbench,
    dialog,
    window: () => win,
    versions: { electron: process.versions.electron ?? '', chrome: process.versions.chrome ?? '' },
  });
  // Files handed to the app before its window exists (macOS open-file, command line).
  const pending: string[] = filesFromArgv(process.argv, process.cwd(), Boolean(process.defaultApp));
  let ready = false;

  const openWindow = (): void => {
    win = createMainWindow(path.join(dist, 'preload', 'preload.cjs'));
    win.on('closed', () => {
      win = null;
    });
  };

  app.on('web-contents-created', (_e, contents) => installWebContentsGuards(contents));

  app.on('second-instance', (_e, argv, cwd) => {
    // macOS keeps the app running without a window; a new launch brings one back.
    if (ready && !win) openWindow();
    focusWindow(win);
    void actions.openPaths(filesFromArgv(argv, cwd, Boolean(process.defaultApp)));
  });

  app.on('open-file', (e, file) => {
    e.preventDefault();
    if (ready) void actions.openPaths([file]);
    else pending.push(file);
  });

  void app.whenReady().then(() => {
    installSessionGuards(session.defaultSession);
    protocol.handle(APP_SCHEME, createAppProtocolHandler(path.join(dist, 'renderer')));
    registerIpc(ipcMain, workbench, mainFrameSenderCheck(() => win));
    forwardEvents(workbench, () => win?.webContents ?? null);
    // PDF reports are printed by this app's Chromium once their job has built the HTML.
    setHostPdfPrinter(new ElectronPdfPrinter());
    Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate(actions, { platform: process.platform, devTools: !app.isPackaged })));
    openWindow();
    ready = true;
    if (pending.length > 0) void actions.openPaths(pending.splice(0));
  });

  app.on('activate', () => {
    if (ready && !win) openWindow();
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Running jobs are stopped and the workspace closed before the process ends.
  let closed = false;
  app.on('will-quit', (e) => {
    if (closed) return;
    e.preventDefault();
    void workbench
      .close()
      .catch((err: unknown) => console.error('Closing the workspace failed:', err))
      .finally(() => {
        closed = true;
        app.quit();
      });
  });
}
