import { describe, expect, it, vi } from 'vitest';
import type { Session, WebContents } from 'electron';
import { FakeEvent, FakeSession, FakeWebContents } from './fake-electron';

vi.mock('electron', () => import('./fake-electron'));

const { installSessionGuards, installWebContentsGuards, isAppUrl, isBlockedRequest } = await import('../../../electron/main/guards');

function guarded(): FakeWebContents {
  const wc = new FakeWebContents();
  installWebContentsGuards(wc as unknown as WebContents);
  return wc;
}

describe('navigation guards', () => {
  it('knows the app’s own pages', () => {
    expect(isAppUrl('app://nstd/index.html')).toBe(true);
    expect(isAppUrl('app://nstd/#/flows')).toBe(true);
    expect(isAppUrl('app://evil/index.html')).toBe(false);
    expect(isAppUrl('app://nstd.evil.example/')).toBe(false);
    expect(isAppUrl('https://nstd/')).toBe(false);
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });

  it('refuses navigation away from app://nstd (links, dropped files, redirects, frames)', () => {
    const wc = guarded();
    for (const [url, allowed] of [
      ['https://example.com/', false],
      ['file:///home/analyst/capture.pcap', false],
      ['javascript:alert(1)', false],
      ['app://other/index.html', false],
      ['app://nstd/index.html#/flows', true],
    ] as const) {
      const nav = new FakeEvent(url);
      wc.emit('will-navigate', nav, url);
      expect(nav.defaultPrevented, url).toBe(!allowed);
      const frame = new FakeEvent(url);
      wc.emit('will-frame-navigate', frame);
      expect(frame.defaultPrevented, url).toBe(!allowed);
      const redirect = new FakeEvent(url);
      wc.emit('will-redirect', redirect);
      expect(redirect.defaultPrevented, url).toBe(!allowed);
    }
  });

  it('denies every new window and webview', () => {
    const wc = guarded();
    expect(wc.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(wc.windowOpenHandler?.({ url: 'app://nstd/index.html' })).toEqual({ action: 'deny' });
    const attach = new FakeEvent();
    wc.emit('will-attach-webview', attach, {}, {});
    expect(attach.defaultPrevented).toBe(true);
  });
});

describe('session guards', () => {
  const ses = new FakeSession('test');
  installSessionGuards(ses as unknown as Session);

  it('denies every permission request and check without asking', () => {
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'fileSystem', 'hid', 'serial', 'usb']) {
      const callback = vi.fn();
      (ses.permissionRequest as unknown as (wc: unknown, p: string, cb: (ok: boolean) => void) => void)(null, permission, callback);
      expect(callback, permission).toHaveBeenCalledWith(false);
      expect((ses.permissionCheck as unknown as (wc: unknown, p: string) => boolean)(null, permission), permission).toBe(false);
    }
    expect((ses.devicePermission as unknown as (d: unknown) => boolean)({ deviceType: 'usb' })).toBe(false);
  });

  it('cancels downloads', () => {
    const e = new FakeEvent();
    ses.emit('will-download', e, {}, {});
    expect(e.defaultPrevented).toBe(true);
  });

  it('cancels every network and file request: the app is offline', () => {
    for (const [url, blocked] of [
      ['https://example.com/x.js', true],
      ['http://127.0.0.1:8080/', true],
      ['wss://example.com/', true],
      ['file:///etc/passwd', true],
      ['app://nstd/assets/index.js', false],
      ['data:image/png;base64,AAAA', false],
      ['devtools://devtools/bundled/inspector.html', false],
    ] as const) {
      expect(isBlockedRequest(url), url).toBe(blocked);
      const cb = vi.fn();
      ses.beforeRequest?.({ url }, cb);
      expect(cb, url).toHaveBeenCalledWith({ cancel: blocked });
    }
  });
});
