import type { BrowserWindow, IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { methodNames, type Envelope } from '../../shared/api';
import type { EventName } from '../../shared/api/events';
import { callChannel, EVENT_CHANNEL } from './channels';
import { isAppUrl } from './guards';

/** What the IPC host needs from the Workbench: validation and dispatch happen there. */
export interface CallTarget {
  call(name: string, params: unknown): Promise<Envelope>;
}

export interface EventSource {
  onAny(listener: (event: EventName, payload: unknown) => void): () => void;
}

export type SenderCheck = (event: IpcMainInvokeEvent) => boolean;

/**
 * Accepts calls only from the main window's top frame showing app://nstd: not from another
 * window, an iframe, or a page the window was somehow navigated to.
 */
export function mainFrameSenderCheck(getWindow: () => BrowserWindow | null): SenderCheck {
  return (event) => {
    const win = getWindow();
    if (!win || win.isDestroyed()) return false;
    const contents = win.webContents;
    if (event.sender.id !== contents.id) return false;
    const frame = event.senderFrame;
    const main = contents.mainFrame;
    if (!frame || frame.parent !== null) return false;
    if (frame.processId !== main.processId || frame.routingId !== main.routingId) return false;
    return isAppUrl(frame.url);
  };
}

/**
 * Registers one `ipcMain.handle` channel per contract method, by iterating over the contract.
 * Each call's sender is checked, then `target.call` validates the params against the method's
 * schema and answers with an Envelope (errors are values, so their codes cross IPC intact).
 * Returns a function removing every handler.
 */
export function registerIpc(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, target: CallTarget, isTrusted: SenderCheck): () => void {
  for (const name of methodNames) {
    ipcMain.handle(callChannel(name), async (event, params: unknown): Promise<Envelope> => {
      if (!isTrusted(event)) {
        return { ok: false, error: { code: 'E_FORBIDDEN', message: `Refused ${name}: the call did not come from the app's main window.` } };
      }
      return target.call(name, params);
    });
  }
  return () => {
    for (const name of methodNames) ipcMain.removeHandler(callChannel(name));
  };
}

/** Forwards every core event to the window's renderer; returns the unsubscribe function. */
export function forwardEvents(source: EventSource, getContents: () => WebContents | null): () => void {
  return source.onAny((event, payload) => {
    const contents = getContents();
    if (contents && !contents.isDestroyed()) contents.send(EVENT_CHANNEL, event, payload);
  });
}
