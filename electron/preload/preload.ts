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

const bridge: RawTransport & { pathForFile(file: File): string } = {
  call,
  subscribe(listener) {
    const forward = (_e: IpcRendererEvent, event: string, payload: unknown): void => listener(event, payload);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
  /**
   * The path on disk of a file dropped on the window or picked in a file input ('' when it has
   * none, e.g. dragged from a web page); the renderer then imports it with `sources.import`.
   */
  pathForFile(file) {
    return webUtils.getPathForFile(file);
  },
};

contextBridge.exposeInMainWorld('nstd', bridge);
