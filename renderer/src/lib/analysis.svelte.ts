/**
 * State the analysis views share: the label classes (for hotkeys 1-9 and pickers), the flows the
 * analyst selected in the Flows or Embedding view (the adapt form teaches a class from them),
 * and the filter last applied in the Flows view.
 */
import { app } from './state.svelte';
import { invoke, on } from './api';
import { type ClassInfo } from './contract';
import { lookupClass } from '$shared/taxonomy';

class Analysis {
  classes = $state.raw<ClassInfo[]>([]);
  classesError = $state<string | null>(null);
  /** Flow ids the analyst selected last (Flows table or Embedding lasso). */
  selection = $state.raw<number[]>([]);
  filter = $state('');
  private loadedRevision = -1;

  /** The classes bound to hotkeys 1-9, in list order (attack and unknown first, then benign). */
  hotkeyClasses = $derived(this.classes.slice(0, 9));

  async loadClasses(force = false): Promise<void> {
    if (!app.workspace) return;
    if (!force && this.loadedRevision === app.revision) return;
    this.loadedRevision = app.revision;
    try {
      this.classes = await invoke('classes.list', {});
      this.classesError = null;
    } catch (err) {
      this.classesError = (err as Error).message;
    }
  }

  colourOf(name: string | null | undefined): string {
    if (!name || name === 'unlabelled' || name === 'unknown') return GREY;
    // The workspace's class colour, else the taxonomy's for a known name (a model's class the
    // workspace has no label for yet), else a stable palette colour.
    return this.classes.find((c) => c.name === name)?.colour ?? lookupClass(name)?.colour ?? hashColour(name);
  }
}

const GREY = '#9aa3b0';
/** Distinct colours (Tableau 10 without its grey) for names without a class colour. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f'];

/** A stable colour for names that have no class colour (predictions, sources). */
export function hashColour(name: string): string {
  if (name === 'unknown' || name === 'unlabelled') return GREY;
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return PALETTE[(h >>> 0) % PALETTE.length]!;
}

export const analysis = new Analysis();

// A job that finishes changes what the views show (a new model, run, projection, report or
// source) without a workspace.changed event of its own: bump the revision so they reload.
const changesWorkspace = new Set(['ingest', 'train', 'adapt', 'detect', 'embed', 'report', 'eval']);
const finished = new Set<number>();
on('job.update', (job) => {
  if (job.state === 'done' && changesWorkspace.has(job.kind) && !finished.has(job.id)) {
    finished.add(job.id);
    app.revision++;
  }
});
