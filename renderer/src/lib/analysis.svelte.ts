/**
 * State the analysis views share: the label classes (for hotkeys 1-9 and pickers), the flows the
 * analyst selected in the Flows or Embedding view (the adapt form teaches a class from them),
 * and the filter last applied in the Flows view.
 */
import { app } from './state.svelte';
import { call, has, type ClassInfo } from './contract';

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
    if (!has('classes.list')) {
      this.classesError = 'needs classes.list';
      return;
    }
    try {
      this.classes = await call<ClassInfo[]>('classes.list', {});
      this.classesError = null;
    } catch (err) {
      this.classesError = (err as Error).message;
    }
  }

  colourOf(name: string | null | undefined): string {
    if (!name) return '#9aa3b0';
    return this.classes.find((c) => c.name === name)?.colour ?? hashColour(name);
  }
}

/** A stable colour for names that have no class colour (predictions, sources). */
export function hashColour(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  const hue = (h >>> 0) % 360;
  return `hsl(${hue} 65% 50%)`;
}

export const analysis = new Analysis();
