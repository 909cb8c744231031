import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  newWorkspace(): Promise<void>;
  openWorkspace(): Promise<void>;
  importFiles(): Promise<void>;
  about(): Promise<void>;
}

/** The application menu. Roles give each platform its native items and shortcuts. */
export function buildMenuTemplate(actions: MenuActions, opts: { platform: NodeJS.Platform; devTools: boolean }): MenuItemConstructorOptions[] {
  const mac = opts.platform === 'darwin';
  const run = (fn: () => Promise<void>) => () => {
    void fn();
  };
  const template: MenuItemConstructorOptions[] = [];
  if (mac) template.push({ role: 'appMenu' });
  template.push(
    {
      label: '&File',
      submenu: [
        { label: 'New Workspace…', accelerator: 'CmdOrCtrl+N', click: run(() => actions.newWorkspace()) },
        { label: 'Open Workspace…', accelerator: 'CmdOrCtrl+O', click: run(() => actions.openWorkspace()) },
        { type: 'separator' },
        { label: 'Import…', accelerator: 'CmdOrCtrl+I', click: run(() => actions.importFiles()) },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        { role: 'reload' },
        ...(opts.devTools ? [{ role: 'toggleDevTools' } as const] : []),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ label: 'About NSTD Workbench', click: run(() => actions.about()) }],
    },
  );
  return template;
}
