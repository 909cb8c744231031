import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { assemblerOptions, SURICATA_TIMEOUTS } from '../../../electron/core/capture/assembler';
import { flowRecord, runCapture } from '../../../electron/core/capture/pipeline';
import { parseIp } from '../../../electron/core/capture/community-id';
import { openInput } from '../../../electron/core/ingest/open';

/**
 * The Suricata cross-check: Suricata's eve `flow` records against our flows on the same
 * capture, matched on Community ID plus start time; packets and frame bytes per direction.
 */

export interface SideFlow {
  cid: string;
  /** Suricata's Community ID for flows whose two addresses are equal (see suricataQuirkId). */
  altCid?: string;
  /** Start, integer microseconds. */
  start: number;
  proto: string;
  src: string;
  sport: number;
  pktsA: number;
  pktsB: number;
  bytesA: number;
  bytesB: number;
}

export interface CrossCheck {
  file: string;
  suricata: number;
  ours: number;
  exact: number;
  /** Suricata flows matched on Community ID + start but with other counts. */
  differing: Array<{ suricata: SideFlow; ours: SideFlow }>;
  /** Suricata flows with no flow of ours at the same Community ID + start. */
  missing: SideFlow[];
  error?: string;
}

const normIp = (s: string): string => parseIp(s).words.join('.') + (s.includes(':') ? '/6' : '/4');

export function runSuricata(pcap: string, outDir: string): SideFlow[] {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  // Suricata does not read gzip: give it the decompressed capture.
  const head = Buffer.alloc(2);
  const fd = fs.openSync(pcap, 'r');
  fs.readSync(fd, head, 0, 2, 0);
  fs.closeSync(fd);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const plain = path.join(outDir, 'input.pcap');
    fs.writeFileSync(plain, zlib.gunzipSync(fs.readFileSync(pcap)));
    pcap = plain;
  }
  const r = spawnSync(
    'suricata',
    ['--runmode', 'single', '-k', 'none', '-S', '/dev/null', '-l', outDir, '-r', pcap, '--set', 'outputs.1.eve-log.community-id=true', '--set', 'outputs.0.fast.enabled=no', '--set', 'outputs.2.stats.enabled=no'],
    { encoding: 'utf8', timeout: 30_000 },
  );
  const eve = path.join(outDir, 'eve.json');
  if (r.error || r.signal) throw new Error(`suricata did not finish on ${pcap} within 30 s`);
  if (!fs.existsSync(eve)) throw new Error(`suricata wrote no eve.json for ${pcap}: ${r.stderr?.slice(-500)}`);
  const flows: SideFlow[] = [];
  for (const line of fs.readFileSync(eve, 'utf8').split('\n')) {
    if (!line.includes('"event_type":"flow"')) continue;
    const e = JSON.parse(line) as {
      proto: string; src_ip: string; src_port?: number; community_id?: string;
      flow: { pkts_toserver: number; pkts_toclient: number; bytes_toserver: number; bytes_toclient: number; start: string };
    };
    if (e.proto !== 'TCP' && e.proto !== 'UDP') continue;
    // "2024-12-18T00:19:11.815121+0000" -> µs
    const m = /^(.*)\.(\d{6})([+-]\d{4})$/.exec(e.flow.start);
    const start = m ? Date.parse(`${m[1]}${m[3]!.slice(0, 3)}:${m[3]!.slice(3)}`) * 1000 + Number(m[2]) : NaN;
    flows.push({
      cid: e.community_id ?? '', start, proto: e.proto, src: normIp(e.src_ip), sport: e.src_port ?? 0,
      pktsA: e.flow.pkts_toserver, pktsB: e.flow.pkts_toclient, bytesA: e.flow.bytes_toserver, bytesB: e.flow.bytes_toclient,
    });
  }
  return flows;
}

export async function ourFlows(pcap: string): Promise<SideFlow[]> {
  const input = await openInput(pcap, { hash: false });
  const out: SideFlow[] = [];
  await runCapture(
    input,
    (f) => {
      const r = flowRecord(f);
      if (r.proto !== 6 && r.proto !== 17) return;
      out.push({
        cid: r.communityId ?? '',
        ...(r.srcIp === r.dstIp ? { altCid: suricataQuirkId(r.srcIp!, r.proto!, r.srcPort!, r.dstPort!) } : {}), start: Math.round((r.ts ?? 0) * 1e6), proto: r.proto === 6 ? 'TCP' : 'UDP',
        src: normIp(r.srcIp!), sport: r.srcPort ?? 0,
        pktsA: r.packetsFwd, pktsB: r.packetsBwd, bytesA: r.frameBytesFwd, bytesB: r.frameBytesBwd,
      });
    },
    { assembler: { ...assemblerOptions(), timeouts: SURICATA_TIMEOUTS, activeTimeout: Infinity, maxFlows: 1 << 22 } },
  );
  return out;
}

/**
 * Suricata 7 orders the endpoints of a flow whose two addresses are equal (loopback) by its
 * ports in network byte order read as host integers, not numerically as the Community ID
 * spec (and Zeek) do, so such flows get another ID from Suricata. This reproduces its choice.
 */
export function suricataQuirkId(ip: string, proto: number, sport: number, dport: number): string {
  const { v6, words } = parseIp(ip);
  const swap16 = (p: number): number => ((p & 0xff) << 8) | (p >> 8);
  const [a, b] = swap16(sport) < swap16(dport) ? [sport, dport] : [dport, sport];
  const n = v6 ? 4 : 1;
  const buf = Buffer.alloc(2 + 8 * n + 6);
  let o = 2;
  for (let k = 0; k < 2; k++) for (let i = 0; i < n; i++, o += 4) buf.writeUInt32BE(words[i]!, o);
  buf[o] = proto;
  buf.writeUInt16BE(a, o + 2);
  buf.writeUInt16BE(b, o + 4);
  return '1:' + createHash('sha1').update(buf).digest('base64');
}

export function compare(file: string, suri: SideFlow[], ours: SideFlow[]): CrossCheck {
  const byKey = new Map<string, SideFlow[]>();
  for (const o of ours) {
    for (const k of o.altCid ? [o.cid, o.altCid] : [o.cid]) {
      const list = byKey.get(k) ?? [];
      list.push(o);
      byKey.set(k, list);
    }
  }
  const res: CrossCheck = { file, suricata: suri.length, ours: ours.length, exact: 0, differing: [], missing: [] };
  for (const s of suri) {
    const list = byKey.get(s.cid) ?? [];
    // Start times agree to the microsecond (eve prints µs; ours are rounded from the record).
    const i = list.findIndex((o) => Math.abs(o.start - s.start) <= 1);
    if (i < 0) {
      res.missing.push(s);
      continue;
    }
    const o = list.splice(i, 1)[0]!;
    if (o.altCid) {
      // Taken: remove it from its other key too.
      const other = byKey.get(o.cid === s.cid ? o.altCid : o.cid);
      const j = other?.indexOf(o) ?? -1;
      if (j >= 0) other!.splice(j, 1);
    }
    const same = o.src === s.src && o.sport === s.sport;
    const [pa, pb, ba, bb] = same ? [o.pktsA, o.pktsB, o.bytesA, o.bytesB] : [o.pktsB, o.pktsA, o.bytesB, o.bytesA];
    if (pa === s.pktsA && pb === s.pktsB && ba === s.bytesA && bb === s.bytesB) res.exact++;
    else res.differing.push({ suricata: s, ours: o });
  }
  return res;
}

export async function crossCheck(pcap: string, outDir: string): Promise<CrossCheck> {
  const suri = runSuricata(pcap, outDir);
  const ours = await ourFlows(pcap);
  return compare(pcap, suri, ours);
}

const SUPPORTED = new Set(['ether', 'linux-sll', 'linux-sll2', 'rawip', 'rawip4', 'rawip6', 'null']);

/**
 * Every capture under `root` whose link type both tools read (PCAP_INDEX.csv where a folder
 * has one; suricata-verify's captures are all Ethernet-family), sorted by path.
 */
export function listCaptures(root: string, opts: { all?: boolean } = {}): string[] {
  const out: string[] = [];
  const walk = (dir: string, allowed: Set<string> | null): void => {
    const idx = path.join(dir, 'PCAP_INDEX.csv');
    if (fs.existsSync(idx)) {
      allowed = new Set();
      for (const line of fs.readFileSync(idx, 'utf8').split('\n').slice(1)) {
        const [file, , , , enc] = line.split(',');
        if (file && (opts.all || SUPPORTED.has(enc ?? ''))) allowed.add(path.join(dir, file));
      }
    }
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p, allowed);
      else if (/\.(pcap|pcapng|cap|dump|trace)(\.gz)?$/i.test(e.name) && (allowed === null || allowed.has(p))) out.push(p);
    }
  };
  walk(root, null);
  return out.sort();
}
