/**
 * Labels: an append-only history (`labels`) grouped in batches (`label_batches`: one per
 * labelling action), and the current label `flows.label_id` kept in step in the same
 * transaction. The current label is the newest row of a flow's history. Undo appends a batch
 * that restores, for every flow whose newest label came from the undone batch, the label it
 * had before; flows relabelled since keep their newer label.
 */
import type { Db } from './workspace';
import { nowIso } from './workspace';
import { WorkbenchError } from '../errors';
import { classKey, lookupClass, normaliseClassName, ATTACK_ID, type ClassKind } from '../../../shared/taxonomy';
import { compileFilter, registerFilterFunctions } from './filter-sql';

export type LabelOrigin = 'analyst' | 'dataset' | 'model-accepted';

export interface ApplyLabels {
  flowIds: number[];
  /** null removes the label (the flow becomes unlabelled; the history keeps the removal). */
  classId: number | null;
  origin: LabelOrigin;
  author: string;
  note?: string;
}

export interface LabelBatchResult {
  batch: number;
  count: number;
}

export interface ClassInfo {
  id: number;
  name: string;
  kind: ClassKind;
  colour: string;
  attackIds: string[];
  description: string;
  createdAt: string;
  /** Flows whose current label is this class. */
  flows: number;
}

interface ClassRow {
  id: number;
  name: string;
  kind: ClassKind;
  colour: string;
  attack_ids: string;
  description: string;
  created_at: string;
}

// ---- classes --------------------------------------------------------------------------------

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function colourFor(name: string): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

/** The class whose name has the same key as `name` (DoS Hulk = dos_hulk = DoS-Hulk), if any. */
export function findClass(db: Db, name: string): { id: number; name: string } | undefined {
  const key = classKey(name);
  const canonical = lookupClass(name);
  const rows = db.prepare('SELECT id, name FROM label_classes').all() as { id: number; name: string }[];
  return (
    rows.find((r) => classKey(r.name) === key) ??
    (canonical ? rows.find((r) => lookupClass(r.name)?.name === canonical.name) : undefined)
  );
}

/**
 * The id of the class `name` normalises to, created when missing (canonical name, kind,
 * colour and ATT&CK ids from the taxonomy where the name is known).
 */
export function ensureClass(db: Db, name: string, kind?: ClassKind): number {
  const trimmed = name.trim();
  if (!trimmed) throw new WorkbenchError('E_INVALID', 'A class name cannot be empty.');
  const found = findClass(db, trimmed);
  if (found) return found.id;
  const known = lookupClass(trimmed);
  const display = normaliseClassName(trimmed);
  const r = db
    .prepare('INSERT INTO label_classes (name, kind, colour, attack_ids, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(display, kind ?? known?.kind ?? 'unknown', known?.colour ?? colourFor(display), JSON.stringify(known?.attack ?? []), nowIso());
  return Number(r.lastInsertRowid);
}

/** A per-import cache over ensureClass: one lookup per distinct raw name. */
export class ClassResolver {
  private readonly cache = new Map<string, number>();
  constructor(private readonly db: Db) {}
  resolve(raw: string): number {
    let id = this.cache.get(raw);
    if (id === undefined) {
      id = ensureClass(this.db, raw);
      this.cache.set(raw, id);
    }
    return id;
  }
}

function toClassInfo(r: ClassRow & { flows: number }): ClassInfo {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    colour: r.colour,
    attackIds: JSON.parse(r.attack_ids) as string[],
    description: r.description,
    createdAt: r.created_at,
    flows: r.flows,
  };
}

export function listClasses(db: Db): ClassInfo[] {
  const rows = db
    .prepare(
      `SELECT c.*, coalesce(n.flows, 0) AS flows FROM label_classes c
       LEFT JOIN (SELECT label_id, count(*) AS flows FROM flows WHERE label_id IS NOT NULL GROUP BY label_id) n ON n.label_id = c.id
       ORDER BY c.kind <> 'benign', c.name COLLATE NOCASE`,
    )
    .all() as (ClassRow & { flows: number })[];
  return rows.map(toClassInfo);
}

export function getClass(db: Db, id: number): ClassInfo {
  const r = db
    .prepare('SELECT c.*, (SELECT count(*) FROM flows WHERE label_id = c.id) AS flows FROM label_classes c WHERE id = ?')
    .get(id) as (ClassRow & { flows: number }) | undefined;
  if (!r) throw new WorkbenchError('E_NOT_FOUND', `No label class with id ${id}.`);
  return toClassInfo(r);
}

export interface ClassPatch {
  name?: string;
  kind?: ClassKind;
  colour?: string;
  attackIds?: string[];
  description?: string;
}

function checkPatch(p: ClassPatch): void {
  if (p.colour !== undefined && !/^#[0-9a-fA-F]{6}$/.test(p.colour)) throw new WorkbenchError('E_INVALID', `Colour ${JSON.stringify(p.colour)} is not #rrggbb.`);
  for (const a of p.attackIds ?? []) {
    if (!ATTACK_ID.test(a)) throw new WorkbenchError('E_INVALID', `${JSON.stringify(a)} is not an ATT&CK technique id (T1234 or T1234.001).`);
  }
  if (p.name !== undefined && !p.name.trim()) throw new WorkbenchError('E_INVALID', 'A class name cannot be empty.');
}

export function createClass(db: Db, c: ClassPatch & { name: string }): ClassInfo {
  checkPatch(c);
  const existing = findClass(db, c.name);
  if (existing) throw new WorkbenchError('E_INVALID', `Class "${c.name}" already exists as "${existing.name}" (names are compared without case and punctuation).`);
  const known = lookupClass(c.name);
  const r = db
    .prepare('INSERT INTO label_classes (name, kind, colour, attack_ids, description, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(
      c.name.trim(),
      c.kind ?? known?.kind ?? 'unknown',
      c.colour ?? known?.colour ?? colourFor(c.name),
      JSON.stringify(c.attackIds ?? known?.attack ?? []),
      c.description ?? '',
      nowIso(),
    );
  return getClass(db, Number(r.lastInsertRowid));
}

export function updateClass(db: Db, id: number, p: ClassPatch): ClassInfo {
  checkPatch(p);
  const cur = getClass(db, id);
  if (p.name !== undefined) {
    const clash = findClass(db, p.name);
    if (clash && clash.id !== id) throw new WorkbenchError('E_INVALID', `Another class, "${clash.name}", already has that name.`);
  }
  db.prepare('UPDATE label_classes SET name = ?, kind = ?, colour = ?, attack_ids = ?, description = ? WHERE id = ?').run(
    p.name?.trim() ?? cur.name,
    p.kind ?? cur.kind,
    p.colour ?? cur.colour,
    JSON.stringify(p.attackIds ?? cur.attackIds),
    p.description ?? cur.description,
    id,
  );
  return getClass(db, id);
}

/** Deletes a class no label (current or past) refers to; otherwise says how to proceed. */
export function deleteClass(db: Db, id: number): void {
  const cur = getClass(db, id);
  const used = db.prepare('SELECT count(*) FROM labels WHERE class_id = ?').pluck().get(id) as number;
  if (used > 0) {
    throw new WorkbenchError(
      'E_INVALID',
      `Class "${cur.name}" is used by ${used} label(s) in the history, which is never rewritten. Rename it, or relabel its flows and keep it.`,
    );
  }
  db.transaction(() => {
    db.prepare('UPDATE label_batches SET class_id = NULL WHERE class_id = ?').run(id);
    db.prepare('DELETE FROM label_classes WHERE id = ?').run(id);
  })();
}

// ---- applying labels ------------------------------------------------------------------------

function checkClass(db: Db, classId: number | null): void {
  if (classId === null) return;
  const ok = db.prepare('SELECT 1 FROM label_classes WHERE id = ?').get(classId);
  if (!ok) throw new WorkbenchError('E_NOT_FOUND', `No label class with id ${classId}.`);
}

function newBatch(
  db: Db,
  b: { origin: LabelOrigin; author: string; note?: string; classId?: number | null; filter?: string | null; sourceId?: number | null; undoOf?: number | null },
): number {
  const r = db
    .prepare('INSERT INTO label_batches (origin, author, created_at, note, class_id, filter, source_id, undo_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(b.origin, b.author, nowIso(), b.note ?? '', b.classId ?? null, b.filter ?? null, b.sourceId ?? null, b.undoOf ?? null);
  return Number(r.lastInsertRowid);
}

function finishBatch(db: Db, batch: number, classId: number | null): number {
  db.prepare('UPDATE flows SET label_id = ? WHERE id IN (SELECT flow_id FROM labels WHERE batch = ?)').run(classId, batch);
  const count = db.prepare('SELECT count(*) FROM labels WHERE batch = ?').pluck().get(batch) as number;
  db.prepare('UPDATE label_batches SET count = ? WHERE id = ?').run(count, batch);
  return count;
}

/** Labels a list of flows (ids that do not exist are skipped) as one batch. */
export function applyLabels(db: Db, a: ApplyLabels): LabelBatchResult {
  checkClass(db, a.classId);
  return db.transaction((): LabelBatchResult => {
    const batch = newBatch(db, { origin: a.origin, author: a.author, note: a.note, classId: a.classId });
    db.prepare(
      `INSERT INTO labels (flow_id, class_id, origin, author, created_at, note, batch)
       SELECT f.id, ?, ?, ?, ?, ?, ? FROM flows f WHERE f.id IN (SELECT DISTINCT value FROM json_each(?))`,
    ).run(a.classId, a.origin, a.author, nowIso(), a.note ?? '', batch, JSON.stringify(a.flowIds));
    return { batch, count: finishBatch(db, batch, a.classId) };
  })();
}

/** Labels every flow a filter matches as one batch. */
export function applyLabelsByFilter(db: Db, a: Omit<ApplyLabels, 'flowIds'> & { filter: string; runId?: number }): LabelBatchResult {
  checkClass(db, a.classId);
  registerFilterFunctions(db);
  const { where, params } = compileFilter(a.filter, { runId: a.runId });
  return db.transaction((): LabelBatchResult => {
    const batch = newBatch(db, { origin: a.origin, author: a.author, note: a.note, classId: a.classId, filter: a.filter });
    db.prepare(
      `INSERT INTO labels (flow_id, class_id, origin, author, created_at, note, batch)
       SELECT f.id, ?, ?, ?, ?, ?, ? FROM flows f WHERE ${where}`,
    ).run(a.classId, a.origin, a.author, nowIso(), a.note ?? '', batch, ...params);
    return { batch, count: finishBatch(db, batch, a.classId) };
  })();
}

/**
 * Undoes a batch by appending one: each flow whose newest label is from `batch` gets back the
 * class (and origin) it had before. Returns the new batch and how many flows changed.
 */
export function undoBatch(db: Db, batch: number, author = ''): LabelBatchResult {
  const b = db.prepare('SELECT id, undone_by FROM label_batches WHERE id = ?').get(batch) as { id: number; undone_by: number | null } | undefined;
  if (!b) throw new WorkbenchError('E_NOT_FOUND', `No label batch ${batch}.`);
  if (b.undone_by !== null) throw new WorkbenchError('E_INVALID', `Label batch ${batch} was already undone by batch ${b.undone_by}.`);
  return db.transaction((): LabelBatchResult => {
    const undo = newBatch(db, { origin: 'analyst', author, note: `undo of batch ${batch}`, undoOf: batch });
    db.prepare(
      `INSERT INTO labels (flow_id, class_id, origin, author, created_at, note, batch)
       SELECT l.flow_id, p.class_id, coalesce(p.origin, 'analyst'), ?, ?, ?, ?
       FROM labels l
       LEFT JOIN labels p ON p.id = (SELECT max(q.id) FROM labels q WHERE q.flow_id = l.flow_id AND q.id < l.id)
       WHERE l.batch = ? AND l.id = (SELECT max(m.id) FROM labels m WHERE m.flow_id = l.flow_id)`,
    ).run(author, nowIso(), `undo of batch ${batch}`, undo, batch);
    db.prepare(
      `UPDATE flows SET label_id = (SELECT class_id FROM labels WHERE batch = ? AND flow_id = flows.id)
       WHERE id IN (SELECT flow_id FROM labels WHERE batch = ?)`,
    ).run(undo, undo);
    const count = db.prepare('SELECT count(*) FROM labels WHERE batch = ?').pluck().get(undo) as number;
    db.prepare('UPDATE label_batches SET count = ? WHERE id = ?').run(count, undo);
    db.prepare('UPDATE label_batches SET undone_by = ? WHERE id = ?').run(undo, batch);
    return { batch: undo, count };
  })();
}

// ---- dataset labels written during an import -------------------------------------------------

/**
 * Writes the `dataset` labels of one import inside FlowWriter's batch transactions (pass
 * `onBatch`): one label batch for the whole source, created with its first rows.
 */
export class DatasetLabeler {
  private batch: number | null = null;
  private readonly classes: ClassResolver;
  private readonly insert;
  private readonly setCurrent;
  private readonly bump;
  labelled = 0;

  constructor(
    private readonly db: Db,
    private readonly sourceId: number,
    private readonly author: string,
    /** Class name for a row's truth; null leaves the flow unlabelled. */
    private readonly className: (truth: string) => string | null = (t) => t,
  ) {
    this.classes = new ClassResolver(db);
    this.insert = db.prepare(`INSERT INTO labels (flow_id, class_id, origin, author, created_at, note, batch) VALUES (?, ?, 'dataset', ?, ?, '', ?)`);
    this.setCurrent = db.prepare('UPDATE flows SET label_id = ? WHERE id = ?');
    this.bump = db.prepare('UPDATE label_batches SET count = count + ? WHERE id = ?');
  }

  readonly onBatch = (rows: { truth: string | null }[], ids: number[]): void => {
    const at = nowIso();
    let n = 0;
    for (let i = 0; i < rows.length; i++) {
      const t = rows[i]!.truth;
      if (t === null || t === '') continue;
      const name = this.className(t);
      if (name === null || name === '') continue;
      if (this.batch === null) this.batch = newBatch(this.db, { origin: 'dataset', author: this.author, note: 'labels from the source file', sourceId: this.sourceId });
      const cls = this.classes.resolve(name);
      this.insert.run(ids[i]!, cls, this.author, at, this.batch);
      this.setCurrent.run(cls, ids[i]!);
      n++;
    }
    if (n > 0 && this.batch !== null) this.bump.run(n, this.batch);
    this.labelled += n;
  };
}

// ---- history --------------------------------------------------------------------------------

export interface LabelEvent {
  id: number;
  flowId: number;
  classId: number | null;
  className: string | null;
  origin: LabelOrigin;
  author: string;
  createdAt: string;
  note: string;
  batch: number | null;
}

export function flowLabelHistory(db: Db, flowId: number): LabelEvent[] {
  return db
    .prepare(
      `SELECT l.id, l.flow_id AS flowId, l.class_id AS classId, c.name AS className, l.origin, l.author,
              l.created_at AS createdAt, l.note, l.batch
       FROM labels l LEFT JOIN label_classes c ON c.id = l.class_id WHERE l.flow_id = ? ORDER BY l.id DESC`,
    )
    .all(flowId) as LabelEvent[];
}

export interface LabelBatchInfo {
  id: number;
  origin: LabelOrigin;
  author: string;
  createdAt: string;
  note: string;
  classId: number | null;
  className: string | null;
  filter: string | null;
  sourceId: number | null;
  count: number;
  undoOf: number | null;
  undoneBy: number | null;
}

/** Labelling actions, newest first (keyset paging on the batch id). */
export function listBatches(db: Db, opts: { before?: number; limit?: number } = {}): LabelBatchInfo[] {
  return db
    .prepare(
      `SELECT b.id, b.origin, b.author, b.created_at AS createdAt, b.note, b.class_id AS classId, c.name AS className,
              b.filter, b.source_id AS sourceId, b.count, b.undo_of AS undoOf, b.undone_by AS undoneBy
       FROM label_batches b LEFT JOIN label_classes c ON c.id = b.class_id
       WHERE b.id < ? ORDER BY b.id DESC LIMIT ?`,
    )
    .all(opts.before ?? Number.MAX_SAFE_INTEGER, opts.limit ?? 100) as LabelBatchInfo[];
}
