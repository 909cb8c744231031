import type { MethodName } from '../../shared/api';

/**
 * IPC channel names shared by the main process and the preload. One channel per contract
 * method (`nstd:<method>`), so a method the main process did not register cannot be reached.
 */
export const CHANNEL_PREFIX = 'nstd:';
export const EVENT_CHANNEL = 'nstd:event';

export function callChannel(name: MethodName): string {
  return CHANNEL_PREFIX + name;
}

/** The custom scheme and host the renderer is served from (never file://). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'nstd';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;
