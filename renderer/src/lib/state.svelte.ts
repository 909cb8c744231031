import type { AppInfo } from '$shared/api/workspace';
import type { JobInfo, SourceInfo, WorkspaceInfo } from '$shared/api';
import { invoke, on } from './api';

export type ViewName = 'workspace' | 'flows' | 'labels' | 'models' | 'detections' | 'embedding' | 'reports';

/** App-wide state: the open workspace, its sources and jobs, the current view, the theme. */
class AppState {
  view = $state<ViewName>('workspace');
  workspace = $state<WorkspaceInfo | null>(null);
  info = $state<AppInfo | null>(null);
  sources = $state.raw<SourceInfo[]>([]);
  jobs = $state.raw<JobInfo[]>([]);
  error = $state<string | null>(null);
  theme = $state<'light' | 'dark'>(localStorage.getItem('nstd.theme') === 'dark' ? 'dark' : 'light');
  /** Bumped on every workspace change so views reload what they show. */
  revision = $state(0);

  async init(): Promise<void> {
    on('job.update', (job) => {
      const rest = this.jobs.filter((j) => j.id !== job.id);
      this.jobs = [job, ...rest].sort((a, b) => b.id - a.id).slice(0, 50);
      if (job.kind === 'ingest') void this.refreshSources();
    });
    on('workspace.changed', () => {
      this.revision++;
      void this.refreshSources();
    });
    try {
      this.info = await invoke('app.info', {});
      this.workspace = await invoke('workspace.current', {});
      await this.refresh();
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  async refresh(): Promise<void> {
    if (!this.workspace) {
      this.sources = [];
      this.jobs = [];
      return;
    }
    await Promise.all([this.refreshSources(), this.refreshJobs()]);
  }

  async refreshSources(): Promise<void> {
    if (this.workspace) this.sources = await invoke('sources.list', {});
  }

  async refreshJobs(): Promise<void> {
    if (this.workspace) this.jobs = await invoke('jobs.list', { limit: 50 });
  }

  async setWorkspace(ws: WorkspaceInfo): Promise<void> {
    this.workspace = ws;
    this.revision++;
    await this.refresh();
  }

  toggleTheme(): void {
    this.theme = this.theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem('nstd.theme', this.theme);
  }

  /** Runs an action, showing its error in the app's error bar instead of losing it. */
  async attempt<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      this.error = null;
      return await fn();
    } catch (err) {
      this.error = (err as Error).message;
      return undefined;
    }
  }
}

export const app = new AppState();
