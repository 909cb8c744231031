/**
 * Test-only readers for the public CSV datasets in ../shared/data, so the engine's evaluation
 * can be checked before (and independently of) the product's importers. The product path is
 * workspace -> eval; this helper exists for tests and for cross-checking figures.
 */
import fs from 'node:fs';
import type { LabelledData } from '../../../electron/core/ml/model';

export interface CsvDataset {
  data: LabelledData;
  counts: Record<string, number>;
}

interface Layout {
  schema: string;
  header: string[] | null;
  label: (cells: string[]) => string;
  drop: Set<string>;
  categorical: Set<string>;
  benign: string;
}

const NSL_NAMES = ['duration', 'protocol_type', 'service', 'flag', 'src_bytes', 'dst_bytes', 'land', 'wrong_fragment', 'urgent', 'hot', 'num_failed_logins', 'logged_in', 'num_compromised', 'root_shell', 'su_attempted', 'num_root', 'num_file_creations', 'num_shells', 'num_access_files', 'num_outbound_cmds', 'is_host_login', 'is_guest_login', 'count', 'srv_count', 'serror_rate', 'srv_serror_rate', 'rerror_rate', 'srv_rerror_rate', 'same_srv_rate', 'diff_srv_rate', 'srv_diff_host_rate', 'dst_host_count', 'dst_host_srv_count', 'dst_host_same_srv_rate', 'dst_host_diff_srv_rate', 'dst_host_same_src_port_rate', 'dst_host_srv_diff_host_rate', 'dst_host_serror_rate', 'dst_host_srv_serror_rate', 'dst_host_rerror_rate', 'dst_host_srv_rerror_rate', 'label', 'difficulty'];

function parse(file: string, layout: Layout, limit = Infinity): CsvDataset {
  const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = layout.header ?? lines.shift()!.split(',').map((h) => h.trim());
  const featCols: number[] = [];
  header.forEach((h, i) => {
    if (!layout.drop.has(h)) featCols.push(i);
  });
  const names = featCols.map((i) => header[i]!);
  const codes = new Map<string, Map<string, number>>();
  const classes: string[] = [];
  const classIdx = new Map<string, number>();
  const rows = Math.min(lines.length, limit);
  const x = new Float32Array(rows * names.length);
  const y = new Int32Array(rows);
  const counts: Record<string, number> = {};
  for (let r = 0; r < rows; r++) {
    const cells = lines[r]!.split(',');
    const lab = layout.label(cells);
    if (!classIdx.has(lab)) {
      classIdx.set(lab, classes.length);
      classes.push(lab);
    }
    y[r] = classIdx.get(lab)!;
    counts[lab] = (counts[lab] ?? 0) + 1;
    featCols.forEach((c, j) => {
      const s = (cells[c] ?? '').trim();
      const name = names[j]!;
      let v: number;
      if (layout.categorical.has(name)) {
        let m = codes.get(name);
        if (!m) codes.set(name, (m = new Map()));
        if (!m.has(s)) m.set(s, m.size);
        v = m.get(s)!;
      } else if (/^(inf|infinity)$/i.test(s)) v = Infinity;
      else if (/^-(inf|infinity)$/i.test(s)) v = -Infinity;
      else v = s === '' ? NaN : Number(s);
      x[r * names.length + j] = v;
    });
  }
  return {
    data: {
      schema: layout.schema,
      names,
      roles: names.map((n) => (layout.categorical.has(n) ? 'categorical' : 'numeric')),
      x: { data: x, rows, cols: names.length },
      y,
      classes: classes.map((name) => ({ name, kind: name === layout.benign ? 'benign' : 'attack' })),
    },
    counts,
  };
}

export function readCicSample(file: string): CsvDataset {
  return parse(file, { schema: 'cic', header: null, label: (c) => c[c.length - 1]!.trim(), drop: new Set(['Label']), categorical: new Set(), benign: 'BENIGN' });
}

export function readUnsw(file: string, limit?: number): CsvDataset {
  return parse(
    file,
    {
      schema: 'unsw',
      header: null,
      label: (c) => c[c.length - 2]!.trim(),
      drop: new Set(['id', 'attack_cat', 'label']),
      categorical: new Set(['proto', 'service', 'state']),
      benign: 'Normal',
    },
    limit,
  );
}

export function readNslKdd(file: string): CsvDataset {
  return parse(file, {
    schema: 'nslkdd',
    header: NSL_NAMES,
    label: (c) => c[41]!.trim(),
    drop: new Set(['label', 'difficulty']),
    categorical: new Set(['protocol_type', 'service', 'flag']),
    benign: 'normal',
  });
}
