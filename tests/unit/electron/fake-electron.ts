/**
 * A stand-in for the `electron` module (the one module our tests mock: its binary cannot run on
 * build machines). Only what the shell touches, recording calls so tests can drive and inspect it.
 * Use it as `vi.mock('electron', () => import('./fake-electron'))`.
 */
import { EventEmitter } from 'node:events';
import { fork, type ChildProcess } from 'node:child_process';

type Handler = (...args: never[]) => unknown;

/** An Electron-style event: `preventDefault()` marks it. */
export class FakeEvent {
  defaultPrevented = false;
  constructor(readonly url = '') {}
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

let nextId = 1;

export class FakeFrame {
  url = 'app://nstd/index.html';
  parent: FakeFrame | null = null;
  constructor(
    readonly processId: number,
    readonly routingId: number,
  ) {}
}

export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  readonly mainFrame = new FakeFrame(100 + this.id, 1);
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  destroyed = false;
  sent: unknown[][] = [];
  printToPDFOptions: unknown = null;
  printToPDFImpl: () => Promise<Buffer> = async () => Buffer.from('%PDF-1.7 fake\n');
  setWindowOpenHandler(h: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = h;
  }
  send(...args: unknown[]): void {
    this.sent.push(args);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  printToPDF(options: unknown): Promise<Buffer> {
    this.printToPDFOptions = options;
    return this.printToPDFImpl();
  }
}

export class FakeProtocolRegistry {
  handlers = new Map<string, (req: Request) => Response | Promise<Response>>();
  /** Every handler ever registered, kept after unhandle so tests can still call it. */
  history: [string, (req: Request) => Response | Promise<Response>][] = [];
  handle(scheme: string, h: (req: Request) => Response | Promise<Response>): void {
    this.handlers.set(scheme, h);
    this.history.push([scheme, h]);
  }
  unhandle(scheme: string): void {
    this.handlers.delete(scheme);
  }
}

export class FakeSession extends EventEmitter {
  permissionRequest: Handler | null = null;
  permissionCheck: Handler | null = null;
  devicePermission: Handler | null = null;
  beforeRequest: ((details: { url: string }, cb: (r: { cancel: boolean }) => void) => void) | null = null;
  readonly protocol = new FakeProtocolRegistry();
  readonly webRequest = {
    onBeforeRequest: (h: (details: { url: string }, cb: (r: { cancel: boolean }) => void) => void) => {
      this.beforeRequest = h;
    },
  };
  constructor(readonly partition = '') {
    super();
  }
  setPermissionRequestHandler(h: Handler): void {
    this.permissionRequest = h;
  }
  setPermissionCheckHandler(h: Handler): void {
    this.permissionCheck = h;
  }
  setDevicePermissionHandler(h: Handler): void {
    this.devicePermission = h;
  }
}

export const createdSessions: FakeSession[] = [];
export const session = {
  defaultSession: new FakeSession('default'),
  fromPartition(partition: string): FakeSession {
    const s = new FakeSession(partition);
    createdSessions.push(s);
    return s;
  },
};

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  destroyed = false;
  shown = false;
  focused = false;
  minimized = false;
  constructor(readonly options: { webPreferences?: Record<string, unknown> } & Record<string, unknown>) {
    super();
    BrowserWindow.instances.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    return Promise.resolve();
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
    this.webContents.destroyed = true;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  show(): void {
    this.shown = true;
  }
  focus(): void {
    this.focused = true;
  }
}

export const protocol = Object.assign(new FakeProtocolRegistry(), {
  privileged: [] as unknown[],
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    this.privileged.push(...schemes);
  },
});

export const ipcMain = {
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  handle(channel: string, h: (event: unknown, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, h);
  },
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  },
};

/** The renderer half (preload): invoke is routed to whatever the test plugs in. */
export const ipcRenderer = Object.assign(new EventEmitter(), {
  invoke: (channel: string, ...args: unknown[]): Promise<unknown> => Promise.reject(new Error(`No handler registered for '${channel}' ${args.length}`)),
});

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown): void {
    this.exposed.set(key, api);
  },
};

export const webUtils = {
  getPathForFile(file: { path?: string }): string {
    return file.path ?? '';
  },
};

export const Menu = {
  current: null as unknown,
  buildFromTemplate(template: unknown): unknown {
    return { template };
  },
  setApplicationMenu(menu: unknown): void {
    this.current = menu;
  },
};

export const dialog = {
  showOpenDialog: async (..._a: unknown[]) => ({ canceled: true, filePaths: [] as string[] }),
  showSaveDialog: async (..._a: unknown[]) => ({ canceled: true, filePath: '' }),
  showMessageBox: async (..._a: unknown[]) => ({ response: 0, checkboxChecked: false }),
};

class FakeApp extends EventEmitter {
  isPackaged = false;
  singleInstance = true;
  sandboxEnabled = false;
  quitCalls = 0;
  appPath = process.cwd();
  private readyResolve!: () => void;
  private readonly ready = new Promise<void>((r) => (this.readyResolve = r));
  enableSandbox(): void {
    this.sandboxEnabled = true;
  }
  requestSingleInstanceLock(): boolean {
    return this.singleInstance;
  }
  getAppPath(): string {
    return this.appPath;
  }
  whenReady(): Promise<void> {
    return this.ready;
  }
  fireReady(): void {
    this.readyResolve();
  }
  quit(): void {
    this.quitCalls++;
  }
}
export const app = new FakeApp();

/**
 * utilityProcess.fork stand-in: a real Node child (child_process.fork) behind the UtilityProcess
 * surface (postMessage / 'message' / 'exit' with a code / kill), so the real worker entry runs.
 */
export class FakeUtilityProcess extends EventEmitter {
  static instances: FakeUtilityProcess[] = [];
  readonly child: ChildProcess;
  constructor(
    readonly modulePath: string,
    readonly options: unknown,
  ) {
    super();
    this.child = fork(modulePath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    this.child.on('message', (m) => this.emit('message', m));
    // Electron reports only an exit code; a signal death shows as 128 + signal number.
    this.child.once('exit', (code, signal) => this.emit('exit', code ?? (signal === 'SIGKILL' ? 137 : 143)));
    FakeUtilityProcess.instances.push(this);
  }
  get pid(): number | undefined {
    return this.child.pid;
  }
  postMessage(msg: unknown): void {
    if (this.child.connected) this.child.send(msg as never);
  }
  kill(): boolean {
    return this.child.kill('SIGTERM');
  }
}

export const utilityProcess = {
  fork(modulePath: string, _args: string[] = [], options: unknown = {}): FakeUtilityProcess {
    return new FakeUtilityProcess(modulePath, options);
  },
};

export default { app, BrowserWindow, contextBridge, dialog, ipcMain, ipcRenderer, Menu, protocol, session, utilityProcess, webUtils };
