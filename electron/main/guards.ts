import type { Session, WebContents } from 'electron';
import { APP_HOST, APP_SCHEME } from './channels';

/**
 * Security guards of Electron's checklist that are not window options: navigation, new windows,
 * webviews, permissions, downloads and network requests. Applied to every webContents and session.
 */

/** True for the app's own pages (app://nstd/…), the only place a window may be. */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Schemes the app never loads: it is offline, and files reach it only through the contract. */
const BLOCKED_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:', 'file:']);

export function isBlockedRequest(url: string): boolean {
  try {
    return BLOCKED_SCHEMES.has(new URL(url).protocol);
  } catch {
    return true;
  }
}

/**
 * Pages may only move within app://nstd; new windows and <webview> are refused. A file dropped
 * outside the renderer's drop zone would navigate to file://…; that is refused here too.
 */
export function installWebContentsGuards(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Every permission (camera, notifications, USB, HID, serial, …) is denied without asking. */
export function installSessionGuards(ses: Session): void {
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.on('will-download', (event) => event.preventDefault());
  ses.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: isBlockedRequest(details.url) });
  });
}
