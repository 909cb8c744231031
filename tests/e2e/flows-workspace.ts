/**
 * A workspace filled with synthetic flows straight through the store (FlowWriter), for the UI
 * performance run and for looking at the views before any importer runs: deterministic,
 * about 100k flows/s. Flow shapes follow the capture generator's kinds (web, dns, scan probes,
 * SYN flood, UDP flood) and each flow carries its kind as `truth`.
 */
import { Workspace } from '../../electron/core/store/workspace';
import { createSource, finishSource } from '../../electron/core/store/sources';
import { FlowWriter, type FlowRecord } from '../../electron/core/store/flow-writer';
import { rng } from '../../electron/core/capture/synth';

const KINDS = [
  { name: 'web', p: 0.45, proto: 6, port: () => 443 },
  { name: 'dns', p: 0.25, proto: 17, port: () => 53 },
  { name: 'scan', p: 0.15, proto: 6, port: (r: () => number) => 1 + Math.floor(r() * 1024) },
  { name: 'synflood', p: 0.1, proto: 6, port: () => 80 },
  { name: 'udpflood', p: 0.05, proto: 17, port: () => 9999 },
] as const;

/**
 * The flows' feature schema is "synthetic" by default (16 made-up features): no model is bound
 * to it, so detection and embedding leave these flows alone.
 */
export function makeFlowsWorkspace(file: string, flows: number, opts: { seed?: number; name?: string; schema?: string } = {}): { file: string; flows: number } {
  const schema = opts.schema ?? 'synthetic';
  const r = rng(opts.seed ?? 7);
  const ws = Workspace.open(file, { create: { name: opts.name ?? `Synthetic ${flows.toLocaleString('en-US')} flows`, analyst: 'e2e' } });
  try {
    const sourceId = createSource(ws.db, { path: `/synthetic/flows-${flows}`, name: `synthetic-${flows}-flows`, size: flows * 180, format: 'synthetic', schema, jobId: null });
    const w = new FlowWriter(ws.db, sourceId, schema, 20_000);
    let t = 1_700_000_000;
    for (let i = 0; i < flows; i++) {
      const u = r();
      let acc = 0;
      let kind: (typeof KINDS)[number] = KINDS[0];
      for (const k of KINDS) {
        acc += k.p;
        if (u < acc) { kind = k; break; }
      }
      t += r() * 0.01;
      const pf = kind.name === 'web' ? 6 + Math.floor(r() * 10) : kind.name === 'udpflood' ? 5 + Math.floor(r() * 40) : 1;
      const pb = kind.name === 'web' ? 4 + Math.floor(r() * 12) : kind.name === 'dns' || kind.name === 'scan' ? 1 : 0;
      const bf = pf * (kind.name === 'web' ? 80 + Math.floor(r() * 200) : kind.name === 'udpflood' ? 540 : 60);
      const bb = pb * (kind.name === 'web' ? 1200 : 90);
      const dur = kind.name === 'web' ? r() * 3 : r() * 0.01;
      const features = new Float32Array(16);
      for (let k = 0; k < 16; k++) features[k] = r() * (k + 1);
      const rec: FlowRecord = {
        rowNo: i + 1,
        ts: t,
        endTs: t + dur,
        proto: kind.proto,
        srcIp: `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`,
        dstIp: kind.name === 'web' ? `192.168.0.${1 + (i % 20)}` : kind.name === 'dns' ? '192.168.0.53' : `192.168.9.${1 + (i % 4)}`,
        srcPort: 1024 + (i % 60000),
        dstPort: kind.port(r),
        vlan: null,
        communityId: null,
        packetsFwd: pf,
        packetsBwd: pb,
        bytesFwd: bf,
        bytesBwd: bb,
        payloadFwd: Math.max(0, bf - pf * 40),
        payloadBwd: Math.max(0, bb - pb * 40),
        frameBytesFwd: bf + pf * 14,
        frameBytesBwd: bb + pb * 14,
        tcpFlags: kind.proto === 6 ? 0x12 : null,
        app: kind.name === 'web' ? 'tls' : kind.name === 'dns' ? 'dns' : null,
        hints: null,
        features,
        sequence: null,
        packetRefs: null,
        truth: kind.name,
      };
      w.add(rec);
    }
    w.commit();
    finishSource(ws.db, sourceId, { status: 'ok', flowCount: flows, errors: [], packets: 0, timeFirst: 1_700_000_000, timeLast: t });
  } finally {
    ws.close();
  }
  return { file, flows };
}
