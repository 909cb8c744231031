import type { JobInfo } from './common';

/** Events pushed from the core to every connected renderer (IPC or server-sent events). */
export interface Events {
  'job.update': JobInfo;
  'job.log': { id: number; line: string };
  'workspace.changed': { what: 'workspace' | 'sources' | 'flows' | 'labels' | 'classes' | 'models' | 'detections' | 'reports' };
}
export type EventName = keyof Events;
export const eventNames: readonly EventName[] = ['job.update', 'job.log', 'workspace.changed'];
