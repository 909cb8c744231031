/**
 * UNSW-NB15 training/testing-set CSV (header with id ... attack_cat,label; the published files
 * start with a UTF-8 BOM). No addresses or times: the flow's 5-tuple columns stay empty.
 */
import { unswFeatures, categoryIndex } from './schemas';
import { LineError, counter, emptyRecord, guessDelimiter, headLines, newCellStats, numCell, protoByName, splitDelimited, stripBom, type LineParser } from './text';
import type { FlowRecord } from '../store/flow-writer';

export function sniffUnsw(head: Buffer): string | null {
  const first = headLines(head, 1)[0];
  if (!first) return null;
  const cells = new Set(stripBom(first).split(guessDelimiter(first)).map((c) => c.trim().toLowerCase()));
  return cells.has('sbytes') && cells.has('dbytes') && cells.has('sttl') && (cells.has('spkts') || cells.has('attack_cat')) ? 'unsw-nb15-csv' : null;
}

export function unswParser(): LineParser {
  const stats = newCellStats();
  let header: string[] | null = null;
  let delim = ',';
  let colFeature = new Int32Array(0);
  const cat = new Map<number, readonly string[]>();
  let iAttack = -1;
  let iLabel = -1;
  const col: Record<string, number> = {};
  const NF = unswFeatures.length;
  const unknownCategory = new Map<string, number>();

  return {
    schema: 'unsw',
    stats,
    line(text, _lineNo, rowNo): FlowRecord | null {
      if (header === null) {
        const h = stripBom(text);
        if (h.trim() === '') return null;
        const d = guessDelimiter(h);
        const cells = splitDelimited(h, d).map((c) => c.trim().toLowerCase());
        if (!cells.includes('sbytes')) throw new LineError('not a UNSW-NB15 header line (no sbytes column), and no header came before it');
        delim = d;
        header = cells;
        colFeature = new Int32Array(header.length).fill(-1);
        header.forEach((c, i) => {
          const fi = unswFeatures.findIndex((f) => f.name === c);
          if (fi >= 0) {
            colFeature[i] = fi;
            const cats = unswFeatures[fi]!.categories;
            if (cats) cat.set(i, cats);
          }
          col[c] = i;
        });
        iAttack = header.indexOf('attack_cat');
        iLabel = header.indexOf('label');
        return null;
      }
      if (text.length === 0) return null;
      const cells = splitDelimited(text, delim);
      if (cells.length !== header.length) {
        throw new LineError(`expected ${header.length} fields separated by ${JSON.stringify(delim)}, found ${cells.length}${cells.length < header.length ? ' (truncated line or wrong delimiter?)' : ''}`);
      }
      const feats = new Float32Array(NF).fill(NaN);
      for (let i = 0; i < cells.length; i++) {
        const fi = colFeature[i]!;
        if (fi < 0) continue;
        const cats = cat.get(i);
        if (cats) {
          const v = cells[i]!.trim();
          const idx = categoryIndex(cats, v);
          if (idx === -1) unknownCategory.set(v, (unknownCategory.get(v) ?? 0) + 1);
          feats[fi] = idx;
        } else feats[fi] = numCell(cells[i], stats);
      }
      const r = emptyRecord(rowNo);
      r.features = feats;
      const g = (name: string): string => (col[name] !== undefined ? cells[col[name]!]!.trim() : '');
      const proto = g('proto').toLowerCase();
      r.proto = protoByName[proto] ?? null;
      const svc = g('service');
      r.app = svc && svc !== '-' ? svc : null;
      r.packetsFwd = counter(Number(g('spkts')));
      r.packetsBwd = counter(Number(g('dpkts')));
      r.bytesFwd = counter(Number(g('sbytes')));
      r.bytesBwd = counter(Number(g('dbytes')));
      let truth = iAttack >= 0 ? cells[iAttack]!.trim() : '';
      if (truth === '' && iLabel >= 0) {
        const l = cells[iLabel]!.trim();
        truth = l === '0' ? 'Normal' : l === '1' ? 'Attack' : l;
      }
      r.truth = truth === '' ? null : truth;
      return r;
    },
    extraStats: () => ({ unknownCategories: Object.fromEntries([...unknownCategory].slice(0, 50)) }),
  };
}
