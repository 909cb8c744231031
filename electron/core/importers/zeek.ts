/**
 * Zeek conn.log, as TSV (#separator/#fields/#types header, or zeek-cut output with a plain
 * header line of field names) or JSON lines (one object per line,
 * dotted keys such as "id.orig_h", or nested "id" objects). Other Zeek logs (dns, ssl...) are
 * not flow records and are not claimed by sniff. A `label` / `detailed-label` column
 * (IoT-23 style) becomes the dataset label. A conn record without endpoint fields (a log
 * written with a field subset) is still a flow, with an empty 5-tuple.
 */
import { zeekConnFeatures, zeekConnStates, zeekProtos, zeekServices, categoryIndex } from './schemas';
import { LineError, canonicalIp, communityIdOf, counter, emptyRecord, headLines, newCellStats, numCell, protoByName, type CellStats, type LineParser } from './text';
import { parseTimeValue } from '../../../shared/filter/parse';
import type { FlowRecord } from '../store/flow-writer';
import { parseJsonObjectLine } from './delimited';

/** Field names of conn.log (Zeek 3..7, with common additions). */
const CONN_FIELDS = new Set(
  'ts uid id.orig_h id.orig_p id.resp_h id.resp_p id.vlan id.vlan_inner proto service duration orig_bytes resp_bytes conn_state local_orig local_resp missed_bytes history orig_pkts orig_ip_bytes resp_pkts resp_ip_bytes tunnel_parents ip_proto vlan inner_vlan orig_l2_addr resp_l2_addr community_id label detailed-label app'.split(' '),
);

/**
 * A header line of zeek-cut style output ("uid<TAB>service<TAB>history"): every cell a conn.log
 * field name, with uid or the originator address among them.
 */
export function isConnHeader(line: string): boolean {
  const cells = line.split('\t');
  return cells.length > 0 && cells.every((c) => CONN_FIELDS.has(c)) && (cells.includes('uid') || cells.includes('id.orig_h') || cells.includes('history'));
}

export function sniffZeek(head: Buffer): string | null {
  const lines = headLines(head, 40);
  const fields = lines.find((l) => l.startsWith('#fields'));
  if (fields) {
    const f = fields.split(/\s+/);
    const isConn = lines.some((l) => /^#path\s+conn\s*$/.test(l)) || (f.includes('conn_state') && f.includes('id.orig_h'));
    return isConn ? 'zeek-conn-tsv' : null;
  }
  const firstData = lines.find((l) => l.trim() !== '' && !l.startsWith('#'));
  if (firstData !== undefined && !firstData.trimStart().startsWith('{')) return isConnHeader(firstData) ? 'zeek-conn-tsv' : null;
  const first = lines.find((l) => l.trim() !== '');
  if (!first || !first.trimStart().startsWith('{')) return null;
  try {
    const o = JSON.parse(first) as Record<string, unknown>;
    if (typeof o !== 'object' || o === null || 'event_type' in o) return null;
    const hasOrig = 'id.orig_h' in o || (typeof o.id === 'object' && o.id !== null && 'orig_h' in o.id);
    return hasOrig && ('conn_state' in o || o._path === 'conn') ? 'zeek-conn-json' : null;
  } catch {
    return null;
  }
}

const NF = zeekConnFeatures.length;
const idx = (n: string): number => zeekConnFeatures.findIndex((f) => f.name === n);
const I = {
  duration: idx('duration'),
  proto: idx('proto'),
  service: idx('service'),
  conn_state: idx('conn_state'),
  orig_bytes: idx('orig_bytes'),
  resp_bytes: idx('resp_bytes'),
  missed_bytes: idx('missed_bytes'),
  orig_pkts: idx('orig_pkts'),
  orig_ip_bytes: idx('orig_ip_bytes'),
  resp_pkts: idx('resp_pkts'),
  resp_ip_bytes: idx('resp_ip_bytes'),
  local_orig: idx('local_orig'),
  local_resp: idx('local_resp'),
  history: idx('history_syn'),
};

type Get = (name: string) => string | undefined;

/** One conn record from a getter of its fields as text ('-' and '(empty)' mean unset). */
function connRecord(get: Get, rowNo: number, stats: CellStats, timeParse: (s: string) => number | null, counts: { badTime: number }): FlowRecord {
  const unset = (v: string | undefined): boolean => v === undefined || v === '-' || v === '(empty)' || v === '';
  const r = emptyRecord(rowNo);
  const f = new Float32Array(NF).fill(NaN);
  const tsText = get('ts');
  if (!unset(tsText)) {
    r.ts = timeParse(tsText!);
    if (r.ts === null) {
      counts.badTime++;
      stats.malformed++;
    }
  }
  const dur = numCell(get('duration'), stats);
  f[I.duration] = dur;
  if (r.ts !== null) r.endTs = r.ts + (Number.isFinite(dur) && dur > 0 ? dur : 0);
  const proto = get('proto')?.toLowerCase() ?? '';
  f[I.proto] = categoryIndex(zeekProtos, proto || null);
  const ipProto = Number(get('ip_proto'));
  r.proto = protoByName[proto] ?? (Number.isInteger(ipProto) && get('ip_proto') !== undefined && !unset(get('ip_proto')) ? ipProto : null);
  const svc = get('service');
  if (!unset(svc)) {
    r.app = svc!;
    const first = svc!.split(',')[0]!;
    const si = categoryIndex(zeekServices, first);
    f[I.service] = si;
  } else f[I.service] = 0; // '-' is the first category: no service detected
  f[I.conn_state] = categoryIndex(zeekConnStates, get('conn_state') ?? null);
  for (const k of ['orig_bytes', 'resp_bytes', 'missed_bytes', 'orig_pkts', 'orig_ip_bytes', 'resp_pkts', 'resp_ip_bytes'] as const) {
    f[I[k]] = numCell(get(k), stats);
  }
  const b = (v: string | undefined): number => (v === 'T' || v === 'true' ? 1 : v === 'F' || v === 'false' ? 0 : NaN);
  f[I.local_orig] = b(get('local_orig'));
  f[I.local_resp] = b(get('local_resp'));
  const h = get('history');
  if (!unset(h)) {
    const s = h!;
    f[I.history] = s.includes('S') ? 1 : 0;
    f[I.history + 1] = s.includes('h') ? 1 : 0;
    f[I.history + 2] = s.includes('F') ? 1 : 0;
    f[I.history + 3] = s.includes('f') ? 1 : 0;
    f[I.history + 4] = s.includes('R') ? 1 : 0;
    f[I.history + 5] = s.includes('r') ? 1 : 0;
    f[I.history + 6] = s.includes('D') ? 1 : 0;
    f[I.history + 7] = s.includes('d') ? 1 : 0;
    f[I.history + 8] = s.length;
  }
  r.features = f;
  r.srcIp = canonicalIp(get('id.orig_h'));
  r.dstIp = canonicalIp(get('id.resp_h'));
  const sp = Number(get('id.orig_p'));
  const dp = Number(get('id.resp_p'));
  r.srcPort = Number.isInteger(sp) && sp >= 0 && sp <= 65535 && !unset(get('id.orig_p')) ? sp : null;
  r.dstPort = Number.isInteger(dp) && dp >= 0 && dp <= 65535 && !unset(get('id.resp_p')) ? dp : null;
  const vlan = Number(get('vlan'));
  r.vlan = Number.isInteger(vlan) && !unset(get('vlan')) ? vlan : null;
  r.packetsFwd = counter(f[I.orig_pkts]!);
  r.packetsBwd = counter(f[I.resp_pkts]!);
  r.bytesFwd = counter(f[I.orig_ip_bytes]!);
  r.bytesBwd = counter(f[I.resp_ip_bytes]!);
  r.payloadFwd = counter(f[I.orig_bytes]!);
  r.payloadBwd = counter(f[I.resp_bytes]!);
  const cid = get('community_id');
  r.communityId = !unset(cid) ? cid! : communityIdOf(r.proto, r.srcIp, r.dstIp, r.srcPort, r.dstPort);
  const uid = get('uid');
  if (!unset(uid)) r.hints = JSON.stringify({ uid });
  const detailed = get('detailed-label');
  const label = get('label');
  const t = !unset(detailed) ? detailed! : !unset(label) ? label! : null;
  r.truth = t;
  return r;
}

const epochOrIso = (s: string): number | null => {
  const n = Number(s);
  if (s.trim() !== '' && Number.isFinite(n)) return n;
  return parseTimeValue(s);
};

function unescapeSeparator(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

export function zeekTsvParser(): LineParser {
  const stats = newCellStats();
  let sep = '\t';
  let fields: string[] | null = null;
  let col = new Map<string, number>();
  const counts = { badTime: 0 };
  return {
    schema: 'zeek-conn',
    stats,
    line(text, _lineNo, rowNo) {
      if (text.length === 0) return null;
      if (text.charCodeAt(0) === 35 /* # */) {
        if (text.startsWith('#separator')) {
          const v = text.slice('#separator'.length).trim();
          sep = unescapeSeparator(v) || '\t';
        } else if (text.startsWith('#fields')) {
          fields = text.split(sep).slice(1);
          col = new Map(fields.map((f, i) => [f, i]));
        } else if (text.startsWith('#types') && fields !== null && !col.has('id.orig_h')) {
          // Renamed fields (Zeek's Log::default_field_name_map, e.g. id.orig_h -> src): the
          // endpoints are the first two addr and port columns.
          const types = text.split(sep).slice(1);
          const addr = types.flatMap((t, i) => (t === 'addr' ? [i] : []));
          const port = types.flatMap((t, i) => (t === 'port' ? [i] : []));
          if (addr.length >= 2) {
            col.set('id.orig_h', addr[0]!);
            col.set('id.resp_h', addr[1]!);
          }
          if (port.length >= 2) {
            col.set('id.orig_p', port[0]!);
            col.set('id.resp_p', port[1]!);
          }
        }
        return null;
      }
      if (fields === null) {
        if (isConnHeader(text)) {
          // zeek-cut output: a plain header line of field names
          fields = text.split('\t');
          sep = '\t';
          col = new Map(fields.map((f, i) => [f, i]));
          return null;
        }
        throw new LineError('a record comes before the #fields header line');
      }
      const cells = text.split(sep);
      if (cells.length !== fields.length) {
        throw new LineError(`expected ${fields.length} fields separated by ${JSON.stringify(sep)}, found ${cells.length}${cells.length < fields.length ? ' (truncated line or wrong separator?)' : ''}`);
      }
      return connRecord((n) => {
        const i = col.get(n);
        return i === undefined ? undefined : cells[i];
      }, rowNo, stats, epochOrIso, counts);
    },
    extraStats: () => ({ unparsedTimestamps: counts.badTime }),
  };
}

export function zeekJsonParser(): LineParser {
  const stats = newCellStats();
  const counts = { badTime: 0 };
  let skipped = 0;
  return {
    schema: 'zeek-conn',
    stats,
    line(text, _lineNo, rowNo) {
      if (text.trim() === '') return null;
      const obj = parseJsonObjectLine(text);
      if (obj._path !== undefined && obj._path !== 'conn') {
        skipped++;
        return null;
      }
      const id = typeof obj.id === 'object' && obj.id !== null ? (obj.id as Record<string, unknown>) : null;
      const get: Get = (n) => {
        let v = obj[n];
        if (v === undefined && id && n.startsWith('id.')) v = id[n.slice(3)];
        if (v === undefined || v === null) return undefined;
        if (typeof v === 'boolean') return v ? 'T' : 'F';
        if (Array.isArray(v)) return v.join(',');
        return String(v);
      };
      return connRecord(get, rowNo, stats, epochOrIso, counts);
    },
    extraStats: () => ({ unparsedTimestamps: counts.badTime, otherPaths: skipped }),
  };
}
