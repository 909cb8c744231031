/**
 * NSL-KDD (41 features, label, difficulty) and KDD Cup '99 (41 features, label ending in '.'):
 * comma-separated, no header, usually gzipped. Both use the `nslkdd` schema.
 */
import { nslkddFeatures, kddProtocols, kddFlags, categoryIndex } from './schemas';
import { LineError, counter, emptyRecord, headLines, newCellStats, numCell, protoByName, type LineParser } from './text';
import type { FlowRecord } from '../store/flow-writer';

const NF = nslkddFeatures.length; // 41

export function sniffKdd(head: Buffer): string | null {
  const lines = headLines(head, 5).filter((l) => l.trim() !== '');
  if (lines.length === 0) return null;
  let format: string | null = null;
  for (const l of lines) {
    const c = l.split(',');
    if (c.length !== 42 && c.length !== 43) return null;
    if (!/^\d+(\.\d+)?$/.test(c[0]!) || !kddProtocols.includes(c[1]!) || !kddFlags.includes(c[3]!)) return null;
    const f = c.length === 43 ? 'nsl-kdd' : 'kdd99';
    if (format && format !== f) return null;
    format = f;
  }
  return format;
}

export function kddParser(): LineParser {
  const stats = newCellStats();
  const cats = nslkddFeatures.map((f) => f.categories);
  let width = 0;
  const unknownCategory = new Map<string, number>();
  return {
    schema: 'nslkdd',
    stats,
    line(text, _lineNo, rowNo): FlowRecord | null {
      if (text.length === 0) return null;
      const c = text.split(',');
      if (width === 0 && (c.length === 42 || c.length === 43)) width = c.length;
      if (c.length !== width) {
        throw new LineError(`expected ${width || '42 or 43'} comma-separated fields (41 features, label${width === 43 ? ', difficulty' : ''}), found ${c.length}${c.length < width ? ' (truncated line?)' : ''}`);
      }
      const feats = new Float32Array(NF);
      for (let i = 0; i < NF; i++) {
        const cs = cats[i];
        if (cs) {
          const idx = categoryIndex(cs, c[i]);
          if (idx === -1) unknownCategory.set(c[i]!, (unknownCategory.get(c[i]!) ?? 0) + 1);
          feats[i] = idx;
        } else feats[i] = numCell(c[i], stats);
      }
      const r = emptyRecord(rowNo);
      r.features = feats;
      r.proto = protoByName[c[1]!] ?? null;
      r.app = c[2] || null;
      r.bytesFwd = r.payloadFwd = counter(feats[4]!);
      r.bytesBwd = r.payloadBwd = counter(feats[5]!);
      let label = c[41]!.trim();
      if (label.endsWith('.')) label = label.slice(0, -1);
      if (label === '') throw new LineError('the label (field 42) is empty');
      r.truth = label;
      if (width === 43) {
        const d = Number(c[42]);
        if (Number.isFinite(d)) r.hints = `{"difficulty":${d}}`;
      }
      return r;
    },
    extraStats: () => ({ unknownCategories: Object.fromEntries([...unknownCategory].slice(0, 50)) }),
  };
}
