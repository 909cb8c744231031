/**
 * CICFlowMeter CSV: the original CIC-IDS2017 layout (MachineLearningCVE / GeneratedLabelledFlows),
 * the "improved" layout of Engelen et al. (data_header_reference.csv), and CICFlowMeter v4 /
 * Python-port spellings. Columns are matched by key through the aliases of the `cic` schema,
 * so one schema serves all; a feature a layout lacks is NaN.
 */
import { cicFeatures } from './schemas';
import {
  LineError,
  canonicalIp,
  communityIdOf,
  counter,
  emptyRecord,
  guessDelimiter,
  headLines,
  newCellStats,
  numCell,
  splitDelimited,
  stripBom,
  type LineParser,
} from './text';
import type { FlowRecord } from '../store/flow-writer';

export const colKey = (s: string): string => s.trim().toLowerCase().replace(/[^a-z0-9]/g, '');

const featureByKey = new Map<string, number>();
cicFeatures.forEach((c, i) => {
  featureByKey.set(colKey(c.def.name), i);
  for (const a of c.aliases) featureByKey.set(colKey(a), i);
});

type Meta = 'flowid' | 'srcip' | 'srcport' | 'dstip' | 'dstport' | 'protocol' | 'timestamp' | 'label' | 'attempted';
const META: Record<string, Meta> = {
  flowid: 'flowid',
  srcip: 'srcip',
  sourceip: 'srcip',
  srcport: 'srcport',
  sourceport: 'srcport',
  dstip: 'dstip',
  destinationip: 'dstip',
  dstport: 'dstport',
  destinationport: 'dstport',
  protocol: 'protocol',
  timestamp: 'timestamp',
  label: 'label',
  labelb: 'label',
  attemptedcategory: 'attempted',
};

/** How many columns of a header line are CICFlowMeter features. */
function featureColumns(cells: string[]): number {
  const seen = new Set<number>();
  for (const c of cells) {
    const i = featureByKey.get(colKey(c));
    if (i !== undefined) seen.add(i);
  }
  return seen.size;
}

export function sniffCic(head: Buffer): string | null {
  const first = headLines(head, 1)[0];
  if (!first) return null;
  const cells = stripBom(first).split(guessDelimiter(first));
  const n = featureColumns(cells);
  const hasDuration = cells.some((c) => colKey(c) === 'flowduration');
  return n >= 10 || (hasDuration && n >= 5) ? 'cic-csv' : null;
}

let lastMinute = '\u0000';
let lastMinuteEpoch = 0;
const DMY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp][Mm]))?$/;
const YMD = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/;

/**
 * CIC timestamps: "2017-07-03 11:55:58.598" (improved layout), "3/7/2017 8:55" and
 * "6/7/2017 9:00:00 AM" (original, day first), or epoch seconds/milliseconds. Read as UTC (the
 * files carry no zone; CIC-IDS2017 wrote local time in New Brunswick, UTC-3 in July).
 */
export function parseCicTime(s: string): number | null {
  const t = s.trim();
  if (t === '') return null;
  // Consecutive rows share the minute: reuse its epoch and add the seconds.
  if (t.length >= 19 && t.startsWith(lastMinute) && t[16] === ':' && t.charCodeAt(4) === 45) {
    const sec = Number(t.slice(17));
    if (Number.isFinite(sec) && sec >= 0 && sec < 61) return lastMinuteEpoch + sec;
  }
  let m = YMD.exec(t);
  if (m && m[6] !== undefined) {
    lastMinute = t.slice(0, 16);
    lastMinuteEpoch = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!) / 1000;
  }
  if (m) {
    const v = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0)) / 1000 + (m[7] ? +m[7] : 0);
    return Number.isFinite(v) ? v : null;
  }
  m = DMY.exec(t);
  if (m) {
    let h = +m[4]!;
    const ampm = m[7]?.toLowerCase();
    if (ampm === 'pm' && h < 12) h += 12;
    if (ampm === 'am' && h === 12) h = 0;
    const v = Date.UTC(+m[3]!, +m[2]! - 1, +m[1]!, h, +m[5]!, +(m[6] ?? 0)) / 1000;
    return Number.isFinite(v) ? v : null;
  }
  const n = Number(t);
  if (Number.isFinite(n) && n > 0) return n > 1e12 ? n / 1000 : n;
  return null;
}

const F = (name: string): number => featureByKey.get(colKey(name))!;
const I_DURATION = F('Flow Duration');
const I_FWD_PKTS = F('Total Fwd Packets');
const I_BWD_PKTS = F('Total Backward Packets');
const I_FWD_LEN = F('Total Length of Fwd Packets');
const I_BWD_LEN = F('Total Length of Bwd Packets');
const I_FWD_HDR = F('Fwd Header Length');
const I_BWD_HDR = F('Bwd Header Length');
const FLAG_BITS: [number, number][] = [
  [F('FIN Flag Count'), 0x01],
  [F('SYN Flag Count'), 0x02],
  [F('RST Flag Count'), 0x04],
  [F('PSH Flag Count'), 0x08],
  [F('ACK Flag Count'), 0x10],
  [F('URG Flag Count'), 0x20],
  [F('ECE Flag Count'), 0x40],
  [F('CWE Flag Count'), 0x80],
];
const NF = cicFeatures.length;

export function cicParser(): LineParser {
  const stats = newCellStats();
  let header: string[] | null = null;
  let delim = ',';
  let colFeature = new Int32Array(0);
  const meta: Partial<Record<Meta, number>> = {};
  let binaryLabels = false;
  let badTimes = 0;

  const parser: LineParser = {
    schema: 'cic',
    stats,
    line(text, _lineNo, rowNo): FlowRecord | null {
      if (header === null) {
        const h = stripBom(text);
        if (h.trim() === '') return null;
        const d = guessDelimiter(h);
        const cells = splitDelimited(h, d);
        if (featureColumns(cells) < 5) throw new LineError('not a CICFlowMeter header line (too few known column names), and no header came before it');
        delim = d;
        header = cells;
        colFeature = new Int32Array(header.length).fill(-1);
        const used = new Set<number>();
        header.forEach((c, i) => {
          const k = colKey(c);
          const fi = featureByKey.get(k);
          // "Fwd Header Length.1" is a duplicate of "Fwd Header Length" in the original layout.
          if (fi !== undefined && !used.has(fi)) {
            colFeature[i] = fi;
            used.add(fi);
          }
          const m = META[k];
          if (m && meta[m] === undefined) meta[m] = i;
        });
        binaryLabels = header[meta.label ?? -1]?.trim().toLowerCase() === 'labelb';
        return null;
      }
      if (text.length === 0) return null;
      const cells = splitDelimited(text, delim);
      if (cells.length !== header.length) {
        const other = [',', ';', '\t'].find((d) => d !== delim && text.split(d).length === header!.length);
        throw new LineError(
          `expected ${header.length} fields separated by ${JSON.stringify(delim)}, found ${cells.length}` +
            (other ? ` (this line uses ${JSON.stringify(other)}: wrong delimiter)` : cells.length < header.length ? ' (truncated line?)' : ''),
        );
      }
      const feats = new Float32Array(NF).fill(NaN);
      for (let i = 0; i < cells.length; i++) {
        const fi = colFeature[i]!;
        if (fi >= 0) feats[fi] = numCell(cells[i], stats);
      }
      const r = emptyRecord(rowNo);
      r.features = feats;
      if (meta.timestamp !== undefined) {
        r.ts = parseCicTime(cells[meta.timestamp]!);
        if (r.ts === null && cells[meta.timestamp]!.trim() !== '') badTimes++;
      }
      const dur = feats[I_DURATION]!;
      if (r.ts !== null && Number.isFinite(dur) && dur >= 0) r.endTs = r.ts + dur / 1e6;
      if (meta.protocol !== undefined) {
        const p = Number(cells[meta.protocol]);
        r.proto = Number.isInteger(p) && p >= 0 && p <= 255 ? p : null;
      }
      if (meta.srcip !== undefined) r.srcIp = canonicalIp(cells[meta.srcip]!.trim());
      if (meta.dstip !== undefined) r.dstIp = canonicalIp(cells[meta.dstip]!.trim());
      if (meta.srcport !== undefined) r.srcPort = port(cells[meta.srcport]!);
      if (meta.dstport !== undefined) r.dstPort = port(cells[meta.dstport]!);
      r.packetsFwd = counter(feats[I_FWD_PKTS]!);
      r.packetsBwd = counter(feats[I_BWD_PKTS]!);
      r.payloadFwd = counter(feats[I_FWD_LEN]!);
      r.payloadBwd = counter(feats[I_BWD_LEN]!);
      r.bytesFwd = r.payloadFwd + counter(feats[I_FWD_HDR]!);
      r.bytesBwd = r.payloadBwd + counter(feats[I_BWD_HDR]!);
      let flags = 0;
      let anyFlag = false;
      for (const [fi, bit] of FLAG_BITS) {
        const v = feats[fi]!;
        if (v === v) anyFlag = true;
        if (v > 0) flags |= bit;
      }
      r.tcpFlags = anyFlag ? flags : null;
      r.communityId = communityIdOf(r.proto, r.srcIp, r.dstIp, r.srcPort, r.dstPort);
      if (meta.label !== undefined) {
        const l = cells[meta.label]!.trim();
        r.truth = l === '' ? null : l;
      }
      if (meta.attempted !== undefined) {
        const a = cells[meta.attempted]!.trim();
        if (a !== '' && a !== '-1') r.hints = JSON.stringify({ attemptedCategory: a });
      }
      return r;
    },
    className(truth) {
      // Binary datasets (a "Labelb" column, or 0/1 labels): 0 is benign, 1 an attack.
      if (truth === '0') return 'Benign';
      if (truth === '1') return 'Attack';
      return binaryLabels ? null : truth;
    },
    extraStats: () => ({ unparsedTimestamps: badTimes, layout: header && meta.srcip !== undefined ? 'with addresses' : 'features only' }),
  };
  return parser;
}

function port(s: string): number | null {
  const p = Number(s);
  return s.trim() !== '' && Number.isInteger(p) && p >= 0 && p <= 65535 ? p : null;
}
