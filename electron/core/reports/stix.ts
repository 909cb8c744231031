/**
 * A STIX 2.1 bundle of one detection run: an identity (the analyst), for every flagged or
 * reviewed detection an observed-data object referring to its network-traffic and
 * ipv4-addr/ipv6-addr objects, an indicator (with a based-on relationship) for each confirmed
 * detection, and a report object that ties them together.
 *
 * Ids are deterministic: the same workspace content gives the same bundle, byte for byte.
 * SCO ids follow STIX 2.1 §2.9 (UUIDv5 in the STIX namespace over the ID-contributing
 * properties); SDO/SRO ids are UUIDv5 in NSTD's own namespace over what identifies them.
 */
import net from 'node:net';
import { createHash } from 'node:crypto';
import type { Db } from '../store/workspace';
import { WorkbenchError } from '../errors';
import { ClassTable, detectionBatches, type ReportDetection } from './content';
import { clip, revealControls, safeJson } from './escape';
import { isoTime, protoName } from './format';
import type { AtomicFileWriter } from './writer';

/** The STIX 2.1 namespace for SCO deterministic ids. */
export const STIX_SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';
/** NSTD Workbench's namespace for its SDO/SRO ids (a fixed UUIDv4 chosen once). */
export const NSTD_NAMESPACE = '5a1b3c7e-93d4-4f0e-8f6b-2d9c4e7a1b58';

/** RFC 4122 name-based UUID, version 5 (SHA-1). */
export function uuidv5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`bad namespace uuid ${namespace}`);
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** RFC 8785 (JCS) canonical JSON, enough for STIX id contributions (strings, integers, arrays, objects). */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(v as Record<string, unknown>)
    .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

export function scoId(type: string, contributing: Record<string, unknown>): string {
  return `${type}--${uuidv5(canonicalJson(contributing), STIX_SCO_NAMESPACE)}`;
}

const sdoId = (type: string, name: string): string => `${type}--${uuidv5(`${type}|${name}`, NSTD_NAMESPACE)}`;

/** STIX timestamps: RFC 3339 in UTC with Z. Falls back when a stored value is not a date. */
function stamp(s: string | null | undefined, fallback: string): string {
  if (s) {
    const d = new Date(s);
    if (!Number.isNaN(d.getTime())) return d.toISOString();
  }
  return fallback;
}

/** An address STIX accepts, with its SCO type; null for anything else (flow-log junk, hostile text). */
export function stixAddress(ip: string | null): { type: 'ipv4-addr' | 'ipv6-addr'; value: string } | null {
  if (!ip) return null;
  const v = ip.trim();
  if (net.isIPv4(v)) return { type: 'ipv4-addr', value: v };
  if (net.isIPv6(v) && !v.includes('%')) {
    const embedded = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(v);
    if (embedded) {
      // The OASIS schema's IPv6 pattern rejects dotted tails; ::ffff:a.b.c.d is an IPv4 host.
      if (/^::ffff:$/i.test(embedded[1]!)) return { type: 'ipv4-addr', value: embedded[2]! };
      const o = embedded[2]!.split('.').map(Number);
      const hex = `${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
      return { type: 'ipv6-addr', value: `${embedded[1]}${hex}`.toLowerCase() };
    }
    return { type: 'ipv6-addr', value: v.toLowerCase() };
  }
  return null;
}

/** A string literal inside a STIX pattern: quote and backslash escaped. */
const patternString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Free text from the workspace put into STIX: controls made visible, length bounded. */
const stixText = (s: string, max = 4000): string => revealControls(clip(s, max));

const ATTACK_ID = /^T\d{4}(\.\d{3})?$/;

export interface StixInput {
  db: Db;
  runId: number;
  signal?: AbortSignal;
  onProgress?: (done: number) => void;
}

export interface StixSummary {
  objects: number;
  observed: number;
  indicators: number;
  /** Flagged detections left out: no valid IP address on either side. */
  skippedNoAddress: number;
  bundleId: string;
}

/** Whether a detection belongs in the bundle: flagged and not dismissed, or confirmed. */
function inBundle(d: ReportDetection, classes: ClassTable): boolean {
  if (d.verdict === 'dismissed') return false;
  if (d.verdict === 'confirmed') return true;
  if (d.verdict === 'relabelled') return d.label !== null && classes.kind(d.label) !== 'benign';
  return d.kind !== 'benign';
}

/** Writes the bundle; objects stream out one per line, the report object last. */
export async function writeStixBundle(input: StixInput, out: AtomicFileWriter): Promise<StixSummary> {
  const { db, runId } = input;
  const ws = db.prepare('SELECT name, analyst, created_at FROM workspace WHERE id = 1').get() as { name: string; analyst: string; created_at: string } | undefined;
  const run = db.prepare('SELECT id, created_at, filter, model_id FROM detection_runs WHERE id = ?').get(runId) as
    | { id: number; created_at: string; filter: string; model_id: number | null }
    | undefined;
  if (!ws || !run) throw new WorkbenchError('E_NOT_FOUND', `No detection run ${runId} in this workspace.`);
  const model = run.model_id === null ? undefined : (db.prepare('SELECT name, algorithm FROM models WHERE id = ?').get(run.model_id) as { name: string; algorithm: string } | undefined);
  const classes = new ClassTable(db);
  const attackIds = new Map<string, string[]>();
  for (const r of db.prepare('SELECT name, attack_ids FROM label_classes').all() as { name: string; attack_ids: string }[]) {
    try {
      const ids = JSON.parse(r.attack_ids) as unknown;
      if (Array.isArray(ids)) attackIds.set(r.name, ids.filter((x): x is string => typeof x === 'string' && ATTACK_ID.test(x)));
    } catch {
      // A malformed attack_ids cell just means no ATT&CK references.
    }
  }

  const epoch = '1970-01-01T00:00:00.000Z';
  const wsCreated = stamp(ws.created_at, epoch);
  const runCreated = stamp(run.created_at, wsCreated);
  // Everything an id is derived from starts with the workspace's identity and the run.
  const scope = `${wsCreated}|${ws.name}|run ${run.id}|${runCreated}`;
  const identity = {
    type: 'identity',
    spec_version: '2.1',
    id: sdoId('identity', `${wsCreated}|${ws.analyst || ws.name}`),
    created: wsCreated,
    modified: wsCreated,
    name: stixText(ws.analyst || `${ws.name} (NSTD Workbench workspace)`, 300),
    identity_class: ws.analyst ? 'individual' : 'system',
  };

  const refs: string[] = [identity.id];
  const emitted = new Set<string>();
  let objects = 0;
  let first = true;
  const emit = (o: { id: string }): void => {
    out.write(`${first ? '\n  ' : ',\n  '}${safeJson(o)}`);
    first = false;
    objects++;
  };
  // The bundle id is written first, so it comes from what the bundle is made of: the run and
  // the state of its review (verdicts, notes, labels), not from the objects still to stream.
  const review = db
    .prepare(
      `SELECT count(*) AS n, total(verdict = 'confirmed') AS c, total(verdict = 'dismissed') AS x, total(verdict = 'relabelled') AS r,
              max(reviewed_at) AS m, total(length(note)) AS l, total(id * (verdict = 'confirmed')) AS ci FROM detections WHERE run_id = ?`,
    )
    .get(runId);
  const labels = db.prepare('SELECT max(id) FROM labels').pluck().get();
  const bundleId = sdoId('bundle', `${scope}|${JSON.stringify(review)}|${String(labels)}`);
  out.write(`{\n "type": "bundle",\n "id": ${JSON.stringify(bundleId)},\n "objects": [`);
  emit(identity);

  let observed = 0;
  let indicators = 0;
  let skippedNoAddress = 0;
  let done = 0;
  let lastModified = runCreated;
  for await (const batch of detectionBatches(db, runId, classes, input.signal)) {
    for (const d of batch) {
      if (!inBundle(d, classes)) continue;
      const src = stixAddress(d.srcIp);
      const dst = stixAddress(d.dstIp);
      if (!src && !dst) {
        skippedNoAddress++;
        continue;
      }
      const first_observed = isoTime(d.ts) ?? runCreated;
      const last_observed = [isoTime(d.endTs), first_observed].filter((x): x is string => x !== null).sort().at(-1)!;
      const addrObj = (a: { type: string; value: string }): { type: string; spec_version: string; id: string; value: string } => ({
        type: a.type,
        spec_version: '2.1',
        id: scoId(a.type, { value: a.value }),
        value: a.value,
      });
      const srcObj = src ? addrObj(src) : null;
      const dstObj = dst ? addrObj(dst) : null;
      const l3 = (src ?? dst)!.type === 'ipv4-addr' ? 'ipv4' : 'ipv6';
      const l4 = protoName(d.proto);
      const protocols = l4 && l4 !== 'ipv6' ? [l3, l4] : [l3];
      const validPort = (p: number | null): number | undefined => (p !== null && Number.isInteger(p) && p >= 0 && p <= 65535 ? p : undefined);
      const ntContrib = {
        start: isoTime(d.ts) ?? undefined,
        end: isoTime(d.endTs) ?? undefined,
        src_ref: srcObj?.id,
        dst_ref: dstObj?.id,
        src_port: validPort(d.srcPort),
        dst_port: validPort(d.dstPort),
        protocols,
      };
      const nt = {
        type: 'network-traffic',
        spec_version: '2.1',
        id: scoId('network-traffic', ntContrib),
        ...ntContrib,
        src_packets: d.packetsFwd,
        dst_packets: d.packetsBwd,
        src_byte_count: d.bytesFwd,
        dst_byte_count: d.bytesBwd,
      };
      for (const o of [srcObj, dstObj, nt]) {
        if (o && !emitted.has(o.id)) {
          emitted.add(o.id);
          emit(o);
        }
      }
      const modified = stamp(d.reviewedAt, runCreated) < runCreated ? runCreated : stamp(d.reviewedAt, runCreated);
      if (modified > lastModified) lastModified = modified;
      const od = {
        type: 'observed-data',
        spec_version: '2.1',
        id: sdoId('observed-data', `${scope}|detection ${d.id}`),
        created_by_ref: identity.id,
        created: runCreated,
        modified,
        first_observed,
        last_observed,
        number_observed: 1,
        object_refs: [nt.id, ...(srcObj ? [srcObj.id] : []), ...(dstObj ? [dstObj.id] : [])],
        labels: [stixText(d.predicted, 200)],
        x_nstd_detection: {
          detection_id: d.id,
          flow_id: d.flowId,
          predicted_class: stixText(d.predicted, 200),
          class_kind: d.kind,
          score: d.score,
          attack_score: d.attackScore,
          novelty: d.novelty,
          verdict: d.verdict,
          ...(d.reviewer ? { reviewer: stixText(d.reviewer, 200) } : {}),
          ...(d.note ? { note: stixText(d.note) } : {}),
          ...(d.communityId ? { community_id: stixText(d.communityId, 100) } : {}),
        },
      };
      emit(od);
      refs.push(od.id);
      observed++;
      if (d.verdict === 'confirmed') {
        const terms: string[] = [];
        if (srcObj) terms.push(`network-traffic:src_ref.value = ${patternString(srcObj.value)}`);
        if (dstObj) terms.push(`network-traffic:dst_ref.value = ${patternString(dstObj.value)}`);
        if (ntContrib.dst_port !== undefined) terms.push(`network-traffic:dst_port = ${ntContrib.dst_port}`);
        if (l4 && l4 !== 'ipv6') terms.push(`network-traffic:protocols[*] = ${patternString(l4)}`);
        const techniques = attackIds.get(d.predicted) ?? [];
        const endpoint = (o: { value: string } | null, p: number | undefined): string => `${o?.value ?? '?'}${p !== undefined ? `:${p}` : ''}`;
        const ind = {
          type: 'indicator',
          spec_version: '2.1',
          id: sdoId('indicator', `${scope}|detection ${d.id}`),
          created_by_ref: identity.id,
          created: runCreated,
          modified,
          name: stixText(`${d.predicted}: ${endpoint(srcObj, ntContrib.src_port)} -> ${endpoint(dstObj, ntContrib.dst_port)}`, 400),
          description: stixText(
            `Confirmed by ${d.reviewer || 'the analyst'} in NSTD Workbench (detection ${d.id}, flow ${d.flowId}, score ${d.score.toFixed(3)}).${d.note ? ` Note: ${d.note}` : ''}`,
          ),
          indicator_types: [d.kind === 'unknown' ? 'anomalous-activity' : 'malicious-activity'],
          pattern: `[${terms.join(' AND ')}]`,
          pattern_type: 'stix',
          pattern_version: '2.1',
          valid_from: first_observed,
          labels: [stixText(d.predicted, 200)],
          ...(techniques.length ? { external_references: techniques.map((t) => ({ source_name: 'mitre-attack', external_id: t, url: `https://attack.mitre.org/techniques/${t.replace('.', '/')}/` })) } : {}),
        };
        emit(ind);
        const rel = {
          type: 'relationship',
          spec_version: '2.1',
          id: sdoId('relationship', `${scope}|detection ${d.id}|based-on`),
          created_by_ref: identity.id,
          created: runCreated,
          modified,
          relationship_type: 'based-on',
          source_ref: ind.id,
          target_ref: od.id,
        };
        emit(rel);
        refs.push(ind.id, rel.id);
        indicators++;
      }
    }
    done += batch.length;
    input.onProgress?.(done);
  }

  const report = {
    type: 'report',
    spec_version: '2.1',
    id: sdoId('report', scope),
    created_by_ref: identity.id,
    created: runCreated,
    modified: lastModified,
    name: stixText(`Detection report: ${ws.name}, run ${run.id}`, 400),
    description: stixText(
      `Detections of run ${run.id} (${runCreated})${model ? ` by model ${model.name} (${model.algorithm})` : ''}${run.filter ? ` over flows matching ${run.filter}` : ''}: ` +
        `${observed} flagged or reviewed flows as observed data, ${indicators} confirmed by the analyst as indicators.` +
        (skippedNoAddress ? ` ${skippedNoAddress} flagged flows had no IP address (flow-log rows without addresses) and are in the CSV/JSON exports only.` : ''),
    ),
    report_types: indicators ? ['indicator', 'observed-data'] : ['observed-data'],
    published: runCreated,
    object_refs: refs,
  };
  emit(report);
  out.write('\n ]\n}\n');
  return { objects, observed, indicators, skippedNoAddress, bundleId };
}
