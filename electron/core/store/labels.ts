/**
 * Labels: an append-only history (`labels`) grouped in batches (`label_batches`: one per
 * labelling action), and the current label `flows.label_id` kept in step in the same
 * transaction. The current label is the newest row of a flow's history. Undo appends a batch
 * that restores, for every flow whose newest label came from the undone batch, the label it
 * had before; flows relabelled since keep their newer label.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './workspace';
import { nowIso } from './workspace';
import { WorkbenchError } from '../errors';
import { classKey, lookupClass, normaliseClassName, ATTACK_ID, type ClassKind } from '../../../shared/taxonomy';
import { compileFilter, registerFilterFunctions } from './filter-sql';
import { splitDelimited } from '../importers/delimited';
import type { ClassInfo, LabelBatchInfo, LabelBatchResult, LabelEvent, LabelImportResult, LabelOrigin } from '../../../shared/api/flows';
export type { ClassInfo, LabelBatchInfo, LabelBatchResult, LabelEvent, LabelImportResult, LabelOrigin };


export interface ApplyLabels {
  flowIds: number[];
  /** null removes the label (the flow becomes unlabelled; the history keeps the removal). */
  classId: number | null;
  origin: LabelOrigin;
  author: string;
  note?: string;
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
      // an empty list on create means "none given": a known class keeps its ATT&CK ids
      JSON.stringify(c.attackIds && c.attackIds.length ? c.attackIds : (known?.attack ?? [])),
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
  private readonly insertRange;
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
    this.insertRange = db.prepare(
      `INSERT INTO labels (flow_id, class_id, origin, author, created_at, note, batch)
       SELECT id, label_id, 'dataset', ?, ?, '', ? FROM flows WHERE id BETWEEN ? AND ? AND label_id IS NOT NULL ORDER BY id`,
    );
    this.setCurrent = db.prepare('UPDATE flows SET label_id = ? WHERE id = ?');
    this.bump = db.prepare('UPDATE label_batches SET count = count + ? WHERE id = ?');
  }

  /**
   * The class of a truth value (created when new), or null when it labels nothing. Importers
   * put it in FlowRecord.labelId so the flow is written with its current label at once.
   */
  classFor(truth: string | null): number | null {
    if (truth === null || truth === '') return null;
    const name = this.className(truth);
    if (name === null || name === '') return null;
    return this.classes.resolve(name);
  }

  readonly onBatch = (rows: { truth: string | null; labelId?: number | null }[], ids: number[]): void => {
    const at = nowIso();
    let n = 0;
    // Flows written with their label and consecutive ids (one writer, one transaction): one
    // set-based statement instead of a call per row.
    if (rows.length > 0 && ids[ids.length - 1]! - ids[0]! === ids.length - 1 && rows.every((r) => r.labelId !== undefined)) {
      if (!rows.some((r) => r.labelId !== null)) return;
      if (this.batch === null) this.batch = newBatch(this.db, { origin: 'dataset', author: this.author, note: 'labels from the source file', sourceId: this.sourceId });
      n = Number(this.insertRange.run(this.author, at, this.batch, ids[0]!, ids[ids.length - 1]!).changes);
      this.bump.run(n, this.batch);
      this.labelled += n;
      return;
    }
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const preset = row.labelId !== undefined;
      const cls = preset ? row.labelId! : this.classFor(row.truth);
      if (cls === null) continue;
      if (this.batch === null) this.batch = newBatch(this.db, { origin: 'dataset', author: this.author, note: 'labels from the source file', sourceId: this.sourceId });
      this.insert.run(ids[i]!, cls, this.author, at, this.batch);
      if (!preset) this.setCurrent.run(cls, ids[i]!);
      n++;
    }
    if (n > 0 && this.batch !== null) this.bump.run(n, this.batch);
    this.labelled += n;
  };
}

// ---- history --------------------------------------------------------------------------------


export function flowLabelHistory(db: Db, flowId: number): LabelEvent[] {
  return db
    .prepare(
      `SELECT l.id, l.flow_id AS flowId, l.class_id AS classId, c.name AS className, l.origin, l.author,
              l.created_at AS createdAt, l.note, l.batch
       FROM labels l LEFT JOIN label_classes c ON c.id = l.class_id WHERE l.flow_id = ? ORDER BY l.id DESC`,
    )
    .all(flowId) as LabelEvent[];
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

// ---- moving labels between workspaces -------------------------------------------------------


export interface LabelExportEntry {
  community_id: string | null;
  ts: number | null;
  source_sha256: string | null;
  row: number;
  class: string;
  kind: ClassKind;
  attack_ids: string[];
  origin: LabelOrigin;
  author: string;
  created_at: string;
  note: string;
}

const EXPORT_COLUMNS = ['community_id', 'ts', 'source_sha256', 'row', 'class', 'kind', 'attack_ids', 'origin', 'author', 'created_at', 'note'] as const;

function csvText(s: string): string {
  const t = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/**
 * Writes the current label of every labelled flow a filter matches (optionally only some
 * origins) as CSV or JSON. Each entry carries what lets another workspace find the flow:
 * Community ID + start time, and source sha256 + row number (for records without addresses).
 */
export function exportLabels(
  db: Db,
  o: { path: string; format?: 'csv' | 'json'; filter?: string; origins?: LabelOrigin[] },
): { path: string; count: number; format: 'csv' | 'json' } {
  registerFilterFunctions(db);
  const format = o.format ?? (o.path.toLowerCase().endsWith('.json') ? 'json' : 'csv');
  const f = compileFilter(o.filter ?? '');
  const origins = o.origins && o.origins.length ? o.origins : null;
  const stmt = db.prepare(
    `SELECT f.community_id, f.ts, s.sha256 AS source_sha256, f.row_no AS row, c.name AS class, c.kind, c.attack_ids,
            l.origin, l.author, l.created_at, l.note
     FROM flows f
     JOIN labels l ON l.id = (SELECT max(m.id) FROM labels m WHERE m.flow_id = f.id)
     JOIN label_classes c ON c.id = l.class_id
     JOIN sources s ON s.id = f.source_id
     WHERE f.label_id IS NOT NULL AND ${f.where} ${origins ? `AND l.origin IN (${origins.map(() => '?').join(',')})` : ''}
     ORDER BY f.id`,
  );
  const tmp = `${o.path}.part`;
  const fd = fs.openSync(tmp, 'w');
  let count = 0;
  let buf = '';
  const flush = (force = false): void => {
    if (buf.length > (force ? 0 : 1 << 20)) {
      fs.writeSync(fd, buf);
      buf = '';
    }
  };
  try {
    if (format === 'csv') buf += EXPORT_COLUMNS.join(',') + '\n';
    else {
      const classes = listClasses(db).map((c) => ({ name: c.name, kind: c.kind, colour: c.colour, attackIds: c.attackIds, description: c.description }));
      buf += `{"format":"nstd-labels","version":1,"exportedAt":${JSON.stringify(nowIso())},"classes":${JSON.stringify(classes)},"labels":[\n`;
    }
    for (const r of stmt.iterate(...f.params, ...(origins ?? [])) as IterableIterator<Omit<LabelExportEntry, 'attack_ids'> & { attack_ids: string }>) {
      const e: LabelExportEntry = { ...r, attack_ids: JSON.parse(r.attack_ids) as string[] };
      if (format === 'csv') {
        buf +=
          [
            e.community_id ?? '',
            e.ts ?? '',
            e.source_sha256 ?? '',
            e.row,
            csvText(e.class),
            e.kind,
            e.attack_ids.join(' '),
            e.origin,
            csvText(e.author),
            e.created_at,
            csvText(e.note),
          ].join(',') + '\n';
      } else {
        buf += (count > 0 ? ',\n' : '') + JSON.stringify(e);
      }
      count++;
      flush();
    }
    if (format === 'json') buf += '\n]}\n';
    flush(true);
    fs.closeSync(fd);
    fs.renameSync(tmp, o.path);
  } catch (err) {
    try {
      fs.closeSync(fd);
    } catch {
      /* already closed */
    }
    fs.rmSync(tmp, { force: true });
    throw new WorkbenchError('E_INVALID', `Cannot write labels to ${o.path}: ${(err as Error).message}`);
  }
  return { path: path.resolve(o.path), count, format };
}

/** One CSV record's cells (the importers' splitter; an unclosed quote names the record). */
function parseCsvLine(line: string, file: string, lineNo: number): string[] {
  try {
    return splitDelimited(line, ',');
  } catch (err) {
    throw new WorkbenchError('E_PARSE', `${file}, record at line ${lineNo}: ${(err as Error).message}`);
  }
}

/** CSV rows may hold quoted newlines: split records, not lines. */
function csvRecords(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) q = !q;
    else if (c === 10 && !q) {
      out.push(text.slice(start, i).replace(/\r$/, ''));
      start = i + 1;
    }
  }
  if (start < text.length) out.push(text.slice(start));
  return out.filter((l) => l.trim() !== '');
}

const unformula = (s: string): string => (/^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s);

export const MAX_LABEL_FILE = 512 * 1024 * 1024;


/**
 * Reads a label export (CSV or JSON, recognised by content) and applies each entry to the
 * flows it matches: by Community ID and start time (within a millisecond), else by source
 * sha256 and row number. One batch; origin, author, time and note of each entry are kept (the
 * note says it was imported). Classes are created where missing.
 */
export function importLabels(db: Db, file: string, importer = ''): LabelImportResult {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new WorkbenchError('E_NOT_FOUND', `${file} does not exist.`);
  }
  if (st.size > MAX_LABEL_FILE) throw new WorkbenchError('E_INVALID', `${file} is ${st.size} bytes; a label file is at most ${MAX_LABEL_FILE}.`);
  const text = fs.readFileSync(file, 'utf8').replace(/^\ufeff/, '');
  const errors: LabelImportResult['errors'] = [];
  const entries: (Partial<LabelExportEntry> & { line: number })[] = [];
  const classMeta = new Map<string, { kind?: ClassKind; colour?: string; attackIds?: string[]; description?: string }>();
  if (text.trimStart().startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new WorkbenchError('E_PARSE', `${file} is not valid JSON: ${(err as Error).message}`);
    }
    const d = doc as { format?: unknown; labels?: unknown; classes?: unknown };
    if (d.format !== 'nstd-labels' || !Array.isArray(d.labels)) throw new WorkbenchError('E_FORMAT', `${file} is not an NSTD label export (no "format":"nstd-labels" with a "labels" list).`);
    if (Array.isArray(d.classes)) {
      for (const c of d.classes as Record<string, unknown>[]) {
        if (c && typeof c.name === 'string') classMeta.set(c.name, { kind: c.kind as ClassKind, colour: c.colour as string, attackIds: c.attackIds as string[], description: c.description as string });
      }
    }
    (d.labels as unknown[]).forEach((l, i) => {
      if (typeof l === 'object' && l !== null) entries.push({ ...(l as Partial<LabelExportEntry>), line: i + 1 });
      else errors.push({ line: i + 1, message: 'entry is not an object' });
    });
  } else {
    const recs = csvRecords(text);
    const header = parseCsvLine(recs[0] ?? '', file, 1).map((h) => h.trim());
    const idx = (n: string): number => header.indexOf(n);
    if (idx('class') < 0 || (idx('community_id') < 0 && idx('source_sha256') < 0)) {
      throw new WorkbenchError('E_FORMAT', `${file}: the header needs a class column and community_id+ts or source_sha256+row columns (found: ${header.slice(0, 12).join(', ')}).`);
    }
    for (let i = 1; i < recs.length; i++) {
      let c: string[];
      try {
        c = parseCsvLine(recs[i]!, file, i + 1);
      } catch (err) {
        errors.push({ line: i + 1, message: (err as Error).message });
        continue;
      }
      const g = (n: string): string | undefined => (idx(n) >= 0 ? c[idx(n)] : undefined);
      const num = (s: string | undefined): number | null => (s === undefined || s.trim() === '' ? null : Number(s));
      entries.push({
        line: i + 1,
        community_id: g('community_id') || null,
        ts: num(g('ts')),
        source_sha256: g('source_sha256') || null,
        row: num(g('row')) ?? undefined,
        class: unformula(g('class') ?? ''),
        kind: g('kind') as ClassKind | undefined,
        attack_ids: (g('attack_ids') ?? '').split(/\s+/).filter(Boolean),
        origin: g('origin') as LabelOrigin | undefined,
        author: unformula(g('author') ?? ''),
        created_at: g('created_at'),
        note: unformula(g('note') ?? ''),
      });
    }
  }

  const byCid = db.prepare('SELECT id FROM flows WHERE community_id = ? AND ts BETWEEN ? AND ?');
  const bySha = db.prepare('SELECT f.id FROM flows f WHERE f.source_id IN (SELECT id FROM sources WHERE sha256 = ?) AND f.row_no = ?');
  const insert = db.prepare('INSERT INTO labels (flow_id, class_id, origin, author, created_at, note, batch) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const origins = new Set<LabelOrigin>(['analyst', 'dataset', 'model-accepted']);
  let matched = 0;
  let unmatched = 0;
  let ambiguous = 0;
  const result = db.transaction((): number | null => {
    const batch = newBatch(db, { origin: 'analyst', author: importer, note: `imported from ${path.basename(file)}` });
    const classes = new ClassResolver(db);
    for (const e of entries) {
      if (typeof e.class !== 'string' || e.class.trim() === '') {
        errors.push({ line: e.line, message: 'no class' });
        continue;
      }
      let ids: number[] = [];
      if (typeof e.community_id === 'string' && e.community_id && typeof e.ts === 'number' && Number.isFinite(e.ts)) {
        ids = byCid.pluck().all(e.community_id, e.ts - 0.001, e.ts + 0.001) as number[];
      }
      if (ids.length === 0 && typeof e.source_sha256 === 'string' && /^[0-9a-f]{64}$/.test(e.source_sha256) && Number.isInteger(e.row)) {
        ids = bySha.pluck().all(e.source_sha256, e.row) as number[];
      }
      if (ids.length === 0) {
        unmatched++;
        continue;
      }
      if (ids.length > 1) ambiguous++;
      matched++;
      const existed = findClass(db, e.class);
      const cls = existed ? existed.id : classes.resolve(e.class);
      if (!existed) {
        const meta = classMeta.get(e.class);
        const kind = meta?.kind ?? e.kind;
        const attackIds = (meta?.attackIds ?? e.attack_ids ?? []).filter((a) => typeof a === 'string' && ATTACK_ID.test(a));
        db.prepare('UPDATE label_classes SET kind = coalesce(?, kind), colour = coalesce(?, colour), attack_ids = ?, description = coalesce(?, description) WHERE id = ?').run(
          kind === 'benign' || kind === 'attack' || kind === 'unknown' ? kind : null,
          meta?.colour && /^#[0-9a-fA-F]{6}$/.test(meta.colour) ? meta.colour : null,
          JSON.stringify(attackIds),
          typeof meta?.description === 'string' ? meta.description : null,
          cls,
        );
      }
      const origin = e.origin && origins.has(e.origin) ? e.origin : 'analyst';
      const note = `${typeof e.note === 'string' && e.note ? `${e.note} ` : ''}(imported from ${path.basename(file)})`;
      const at = typeof e.created_at === 'string' && !Number.isNaN(Date.parse(e.created_at)) ? e.created_at : nowIso();
      for (const id of ids) insert.run(id, cls, origin, typeof e.author === 'string' ? e.author : '', at, note, batch);
    }
    db.prepare(
      `UPDATE flows SET label_id = (SELECT class_id FROM labels WHERE batch = ? AND flow_id = flows.id ORDER BY id DESC LIMIT 1)
       WHERE id IN (SELECT flow_id FROM labels WHERE batch = ?)`,
    ).run(batch, batch);
    const count = db.prepare('SELECT count(*) FROM labels WHERE batch = ?').pluck().get(batch) as number;
    db.prepare('UPDATE label_batches SET count = ? WHERE id = ?').run(count, batch);
    return batch;
  })();
  return { batch: result, entries: entries.length, matched, unmatched, ambiguous, errors: errors.slice(0, 1000) };
}
