/**
 * Suricata eve.json: `flow` events become flows; `alert` events are kept as hints on the flow
 * with the same flow_id (alerts usually come before their flow event, sometimes after: those
 * are attached when the import ends). Other event types are counted and skipped. Suricata
 * counts bytes per direction at the link layer: they go to frame bytes, and to `bytes` as
 * well, since eve has no IP-layer count.
 */
import { eveFeatures, eveProtos, eveAppProtos, eveStates, eveReasons, categoryIndex } from './schemas';
import { parseJsonObjectLine } from './delimited';
import { LineError, canonicalIp, communityIdOf, counter, emptyRecord, headLines, newCellStats, protoByName, type LineParser } from './text';
import { parseTimeValue } from '../../../shared/filter/parse';
import type { FlowRecord } from '../store/flow-writer';

export function sniffEve(head: Buffer): string | null {
  const lines = headLines(head, 5).filter((l) => l.trim() !== '');
  if (lines.length === 0) return null;
  try {
    const o = JSON.parse(lines[0]!) as Record<string, unknown>;
    return typeof o === 'object' && o !== null && typeof o.event_type === 'string' && ('timestamp' in o || 'flow_id' in o) ? 'suricata-eve' : null;
  } catch {
    return null;
  }
}

interface AlertHint {
  sid: number | null;
  signature: string;
  category: string;
  severity: number | null;
}

const MAX_PENDING_FLOWS = 200_000;
const MAX_ALERTS_PER_FLOW = 20;
const MAX_WRITTEN_INDEX = 2_000_000;
const NF = eveFeatures.length;
const fi = (n: string): number => eveFeatures.findIndex((f) => f.name === n);
const I = {
  duration: fi('duration'),
  proto: fi('proto'),
  app: fi('app_proto'),
  state: fi('state'),
  reason: fi('reason'),
  pts: fi('pkts_toserver'),
  ptc: fi('pkts_toclient'),
  bts: fi('bytes_toserver'),
  btc: fi('bytes_toclient'),
  alerted: fi('alerted'),
  alerts: fi('alert_count'),
  syn: fi('tcp_syn'),
};

const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function eveParser(): LineParser {
  const stats = newCellStats();
  const pending = new Map<string, AlertHint[]>();
  const flowIdOf = new WeakMap<FlowRecord, string>();
  const written = new Map<string, number>();
  const events: Record<string, number> = {};
  let lateAlerts = 0;
  let droppedAlerts = 0;

  return {
    schema: 'eve',
    stats,
    line(text, _lineNo, rowNo) {
      if (text.trim() === '') return null;
      const e = parseJsonObjectLine(text);
      const type = str(e.event_type);
      if (type === null) throw new LineError('the event has no event_type');
      events[type] = (events[type] ?? 0) + 1;
      const flowId = e.flow_id !== undefined ? String(e.flow_id) : null;
      if (type === 'alert') {
        if (flowId === null) return null;
        const a = (typeof e.alert === 'object' && e.alert !== null ? e.alert : {}) as Record<string, unknown>;
        const hint: AlertHint = { sid: Number.isFinite(num(a.signature_id)) ? num(a.signature_id) : null, signature: str(a.signature) ?? '', category: str(a.category) ?? '', severity: Number.isFinite(num(a.severity)) ? num(a.severity) : null };
        let list = pending.get(flowId);
        if (!list) {
          if (pending.size >= MAX_PENDING_FLOWS) {
            droppedAlerts++;
            return null;
          }
          list = [];
          pending.set(flowId, list);
        }
        if (list.length < MAX_ALERTS_PER_FLOW) list.push(hint);
        else droppedAlerts++;
        return null;
      }
      if (type !== 'flow') return null;
      const flow = (typeof e.flow === 'object' && e.flow !== null ? e.flow : null) as Record<string, unknown> | null;
      if (!flow) throw new LineError('a flow event has no "flow" object');
      const r = emptyRecord(rowNo);
      const f = new Float32Array(NF).fill(NaN);
      const start = str(flow.start);
      const end = str(flow.end);
      r.ts = start ? parseTimeValue(start) : null;
      r.endTs = end ? parseTimeValue(end) : null;
      if ((start && r.ts === null) || (end && r.endTs === null)) stats.malformed++;
      if (r.ts !== null && r.endTs !== null) f[I.duration] = r.endTs - r.ts;
      const protoText = str(e.proto) ?? (typeof e.proto === 'number' ? String(e.proto) : '');
      f[I.proto] = categoryIndex(eveProtos, protoText.toUpperCase() || null);
      const pn = Number(protoText);
      r.proto = protoByName[protoText.toLowerCase()] ?? (protoText !== '' && Number.isInteger(pn) ? pn : null);
      const app = str(e.app_proto);
      f[I.app] = categoryIndex(eveAppProtos, app);
      if (app && app !== 'failed') r.app = app;
      f[I.state] = categoryIndex(eveStates, str(flow.state));
      f[I.reason] = categoryIndex(eveReasons, str(flow.reason));
      f[I.pts] = num(flow.pkts_toserver);
      f[I.ptc] = num(flow.pkts_toclient);
      f[I.bts] = num(flow.bytes_toserver);
      f[I.btc] = num(flow.bytes_toclient);
      f[I.alerted] = flow.alerted === true ? 1 : 0;
      r.srcIp = canonicalIp(str(e.src_ip));
      r.dstIp = canonicalIp(str(e.dest_ip));
      const sp = num(e.src_port);
      const dp = num(e.dest_port);
      r.srcPort = Number.isInteger(sp) ? sp : null;
      r.dstPort = Number.isInteger(dp) ? dp : null;
      const vlan = Array.isArray(e.vlan) ? num(e.vlan[0]) : NaN;
      r.vlan = Number.isInteger(vlan) ? vlan : null;
      r.packetsFwd = counter(f[I.pts]!);
      r.packetsBwd = counter(f[I.ptc]!);
      r.frameBytesFwd = r.bytesFwd = counter(f[I.bts]!);
      r.frameBytesBwd = r.bytesBwd = counter(f[I.btc]!);
      const tcp = (typeof e.tcp === 'object' && e.tcp !== null ? e.tcp : null) as Record<string, unknown> | null;
      if (tcp) {
        const flags = str(tcp.tcp_flags);
        r.tcpFlags = flags && /^[0-9a-fA-F]{1,4}$/.test(flags) ? parseInt(flags, 16) : null;
        f[I.syn] = tcp.syn === true ? 1 : 0;
        f[I.syn + 1] = tcp.fin === true ? 1 : 0;
        f[I.syn + 2] = tcp.rst === true ? 1 : 0;
        f[I.syn + 3] = tcp.psh === true ? 1 : 0;
        f[I.syn + 4] = tcp.ack === true ? 1 : 0;
      }
      const icmpType = num(e.icmp_type);
      const icmpCode = num(e.icmp_code);
      const isIcmp = r.proto === 1 || r.proto === 58;
      r.communityId =
        str(e.community_id) ??
        communityIdOf(r.proto, r.srcIp, r.dstIp, isIcmp ? (Number.isInteger(icmpType) ? icmpType : 0) : r.srcPort, isIcmp ? (Number.isInteger(icmpCode) ? icmpCode : 0) : r.dstPort);
      const alerts = flowId !== null ? pending.get(flowId) : undefined;
      if (flowId !== null) pending.delete(flowId);
      f[I.alerts] = alerts?.length ?? 0;
      r.features = f;
      r.hints = JSON.stringify(alerts ? { flow_id: flowId, alerts } : { flow_id: flowId });
      if (flowId !== null) flowIdOf.set(r, flowId);
      return r;
    },
    afterBatch(rows, ids) {
      for (let i = 0; i < rows.length; i++) {
        const fid = flowIdOf.get(rows[i]!);
        if (fid !== undefined && written.size < MAX_WRITTEN_INDEX) written.set(fid, ids[i]!);
      }
    },
    finish({ db }) {
      // Alerts logged after their flow event.
      const upd = db.prepare('UPDATE flows SET hints = ? WHERE id = ?');
      const get = db.prepare('SELECT hints, features FROM flows WHERE id = ?');
      const setFeat = db.prepare('UPDATE flows SET features = ? WHERE id = ?');
      db.transaction(() => {
        for (const [fid, alerts] of pending) {
          const id = written.get(fid);
          if (id === undefined) continue;
          const row = get.get(id) as { hints: string | null; features: Buffer | null } | undefined;
          if (!row) continue;
          const h = (row.hints ? JSON.parse(row.hints) : {}) as { alerts?: AlertHint[] };
          h.alerts = [...(h.alerts ?? []), ...alerts].slice(0, MAX_ALERTS_PER_FLOW);
          upd.run(JSON.stringify(h), id);
          if (row.features) {
            const fa = new Float32Array(row.features.buffer.slice(row.features.byteOffset, row.features.byteOffset + row.features.byteLength));
            fa[I.alerts] = h.alerts.length;
            setFeat.run(Buffer.from(fa.buffer), id);
          }
          lateAlerts += alerts.length;
        }
      })();
    },
    extraStats: () => ({ events, lateAlerts, droppedAlerts, alertsWithoutFlow: [...pending.values()].reduce((a, l) => a + l.length, 0) - lateAlerts }),
  };
}
