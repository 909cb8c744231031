import fs from 'node:fs';
import path from 'node:path';
import { userStateDir } from './data-dir';

export interface RecentWorkspace {
  path: string;
  name: string;
  openedAt: string;
}

const MAX = 12;
const file = (): string => path.join(userStateDir(), 'recent.json');

export function listRecent(): RecentWorkspace[] {
  try {
    const data = JSON.parse(fs.readFileSync(file(), 'utf8')) as unknown;
    if (!Array.isArray(data)) return [];
    return data.filter(
      (r): r is RecentWorkspace => typeof r === 'object' && r !== null && typeof (r as RecentWorkspace).path === 'string' && typeof (r as RecentWorkspace).name === 'string',
    );
  } catch {
    return [];
  }
}

/** Moves `wsPath` to the top of the recent list (atomic write: a crash never leaves half a file). */
export function rememberRecent(wsPath: string, name: string): void {
  const list = [{ path: wsPath, name, openedAt: new Date().toISOString() }, ...listRecent().filter((r) => r.path !== wsPath)].slice(0, MAX);
  fs.mkdirSync(userStateDir(), { recursive: true });
  const tmp = `${file()}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(list, null, 2));
  fs.renameSync(tmp, file());
}
