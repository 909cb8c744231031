import crypto from 'node:crypto';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_SCTP, PROTO_TCP, PROTO_UDP } from './decode';

/**
 * Community ID v1 (corelight/community-id-spec): sha1 over seed, ordered endpoints, protocol,
 * a zero pad byte and ports (when the protocol has them), base64, prefixed "1:". ICMP types
 * map to "ports" as Zeek does, so a request and its reply get the same ID.
 */

// Zeek's ICMP4_counterpart / ICMP6_counterpart (router advert has no v4 counterpart on purpose).
const ICMP4_PAIR = new Map<number, number>([
  [8, 0], [0, 8], [13, 14], [14, 13], [15, 16], [16, 15], [10, 9], [17, 18], [18, 17],
]);
const ICMP6_PAIR = new Map<number, number>([
  [128, 129], [129, 128], [133, 134], [134, 133], [135, 136], [136, 135],
  [130, 131], [131, 130], [139, 140], [140, 139], [144, 145], [145, 144],
]);

/** ICMP type/code as Community ID "ports": [sport, dport, oneWay]. */
export function icmpPorts(proto: number, type: number, code: number): [number, number, boolean] {
  const pair = (proto === PROTO_ICMPV6 ? ICMP6_PAIR : ICMP4_PAIR).get(type);
  return pair === undefined ? [type, code, true] : [type, pair, false];
}

// Reused hash inputs for the common IPv4 shapes (with and without ports).
const scratch16 = Buffer.alloc(16);
const scratch12 = Buffer.alloc(12);

function lessThan(a: ArrayLike<number>, b: ArrayLike<number>, words: number, pa: number, pb: number): boolean {
  for (let i = 0; i < words; i++) {
    if (a[i]! !== b[i]!) return a[i]! < b[i]!;
  }
  return pa < pb;
}

/**
 * `src`/`dst` are big-endian 32-bit words (IPv4: word 0). For ICMP pass the type as sport and
 * the code as dport; `hasPorts` false for protocols without ports.
 */
export function communityId(
  v6: boolean,
  src: ArrayLike<number>,
  dst: ArrayLike<number>,
  proto: number,
  sport: number,
  dport: number,
  seed = 0,
): string {
  const words = v6 ? 4 : 1;
  let withPorts = proto === PROTO_TCP || proto === PROTO_UDP || proto === PROTO_SCTP;
  let oneWay = false;
  if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
    [sport, dport, oneWay] = icmpPorts(proto, sport, dport);
    withPorts = true;
  }
  if (!withPorts) sport = dport = 0;
  let a = src;
  let b = dst;
  let pa = sport;
  let pb = dport;
  if (!oneWay && !lessThan(src, dst, words, withPorts ? sport : 0, withPorts ? dport : 0)) {
    a = dst;
    b = src;
    pa = dport;
    pb = sport;
  }
  const len = 2 + 8 * words + 2 + (withPorts ? 4 : 0);
  const buf = len === 16 ? scratch16 : len === 12 ? scratch12 : Buffer.alloc(len);
  buf.writeUInt16BE(seed & 0xffff, 0);
  let o = 2;
  for (let i = 0; i < words; i++, o += 4) buf.writeUInt32BE(a[i]! >>> 0, o);
  for (let i = 0; i < words; i++, o += 4) buf.writeUInt32BE(b[i]! >>> 0, o);
  buf[o++] = proto & 0xff;
  buf[o++] = 0;
  if (withPorts) {
    buf.writeUInt16BE(pa & 0xffff, o);
    buf.writeUInt16BE(pb & 0xffff, o + 2);
  }
  // One-shot hashing (Node 21.7+) avoids a Hash object per flow.
  return '1:' + crypto.hash('sha1', buf, 'base64');
}

/** Parses dotted IPv4 or IPv6 text into big-endian words (for tests and tools). */
export function parseIp(text: string): { v6: boolean; words: number[] } {
  if (!text.includes(':')) {
    const p = text.split('.').map(Number);
    return { v6: false, words: [(((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0), 0, 0, 0] };
  }
  // An IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4tail) {
    const [a, b, c, d] = v4tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  let head = text;
  let tail = '';
  const dbl = text.indexOf('::');
  if (dbl >= 0) {
    head = text.slice(0, dbl);
    tail = text.slice(dbl + 2);
  }
  const hs = head ? head.split(':') : [];
  const ts = tail ? tail.split(':') : [];
  const groups = [...hs, ...new Array<string>(8 - hs.length - ts.length).fill('0'), ...ts].map((g) => parseInt(g, 16));
  const words: number[] = [];
  for (let i = 0; i < 4; i++) words.push(((groups[2 * i]! << 16) | groups[2 * i + 1]!) >>> 0);
  return { v6: true, words };
}
