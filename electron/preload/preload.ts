/**
 * The sandboxed preload: exposes `window.nstd`, the raw transport of the contract (RawTransport
 * in shared/api.ts) over one IPC channel per method. Names outside the contract never reach IPC.
 * Bundled to dist/preload/preload.cjs (CommonJS: sandboxed preloads cannot load modules).
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { isMethodName, type Envelope, type RawTransport } from '../../shared/api';
import { callChannel, EVENT_CHANNEL } from '../main/channels';

const call = (name: string, params: unknown): Promise<Envelope> =>
  isMethodName(name)
    ? (ipcRenderer.invoke(callChannel(name), params) as Promise<Envelope>)
    : Promise.resolve({ ok: false, error: { code: 'E_NOT_FOUND', message: `Unknown method ${JSON.stringify(String(name).slice(0, 100))}.` } });

const bridge: RawTransport & { importFiles(files: readonly File[]): Promise<Envelope> } = {
  call,
  subscribe(listener) {
    const forward = (_e: IpcRendererEvent, event: string, payload: unknown): void => listener(event, payload);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
  /** Files dropped on the window: their paths are looked up here (webUtils), so the page needs no path API. */
  importFiles(files) {
    const paths = Array.from(files, (f) => webUtils.getPathForFile(f)).filter((p) => p !== '');
    if (paths.length === 0) return Promise.resolve({ ok: false, error: { code: 'E_INVALID', message: 'Nothing to import: drop files from your disk, not from another page.' } });
    return call('sources.import', { paths });
  },
};

contextBridge.exposeInMainWorld('nstd', bridge);
