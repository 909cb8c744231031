/**
 * Link, network and transport decoding of one frame into a reused Decoded record (no
 * allocation per packet). Every read is bounds-checked against the captured length: a frame
 * that ends early is `truncated`, one whose headers contradict themselves is `malformed`, and
 * neither throws.
 */

export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  PPP: 9,
  RAW_12: 12,
  RAW_14: 14,
  PPP_HDLC: 50,
  RAW: 101,
  C_HDLC: 104,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** Decoding outcome. */
export const DecodeStatus = {
  ip: 0,
  /** A frame of another network protocol (ARP, LLDP, 802.11...): counted, not a flow. */
  nonIp: 1,
  /** The frame ends inside a header the decoder needed. */
  truncated: 2,
  /** Header fields contradict themselves (IHL < 5, TCP offset < 5, wrong IP version). */
  malformed: 3,
  /** A link type this decoder does not read. */
  unsupportedLink: 4,
} as const;
export type DecodeStatus = (typeof DecodeStatus)[keyof typeof DecodeStatus];

export const Fragment = { none: 0, first: 1, later: 2 } as const;

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;
export const PROTO_SCTP = 132;

export class Decoded {
  status: DecodeStatus = DecodeStatus.nonIp;
  /** Why a frame is truncated/malformed (a constant string, no allocation). */
  reason = '';
  v6 = false;
  /** Addresses as big-endian 32-bit words; IPv4 uses word 0 only. */
  readonly src = new Uint32Array(4);
  readonly dst = new Uint32Array(4);
  proto = 0;
  /** IP-layer bytes as the IP header states them (NetFlow/Zeek ip_bytes). */
  ipLen = 0;
  /** IP header bytes including IPv6 extension headers and IPv4 options. */
  ipHdrLen = 0;
  l4HdrLen = 0;
  payloadLen = 0;
  /** Ports were decoded (TCP, UDP, SCTP; ICMP type/code in icmpType/icmpCode). */
  hasPorts = false;
  sport = 0;
  dport = 0;
  tcpFlags = 0;
  tcpWindow = 0;
  tcpSeq = 0;
  icmpType = -1;
  icmpCode = -1;
  /** Outermost 802.1Q VLAN id, or -1. */
  vlan = -1;
  fragment: number = Fragment.none;
  ipId = 0;
  /** IP header offset inside the frame data. */
  ipOffset = 0;
  /**
   * ICMP destination-unreachable messages: the tuple of the packet they quote,
   * so the error can be counted in the flow it refers to (as Suricata does).
   */
  hasEmbedded = false;
  embV6 = false;
  readonly embSrc = new Uint32Array(4);
  readonly embDst = new Uint32Array(4);
  embProto = 0;
  embSport = 0;
  embDport = 0;
}

const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
const u32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

function reset(d: Decoded): void {
  d.status = DecodeStatus.nonIp;
  d.reason = '';
  d.v6 = false;
  d.proto = 0;
  d.ipLen = 0;
  d.ipHdrLen = 0;
  d.l4HdrLen = 0;
  d.payloadLen = 0;
  d.hasPorts = false;
  d.sport = 0;
  d.dport = 0;
  d.tcpFlags = 0;
  d.tcpWindow = 0;
  d.tcpSeq = 0;
  d.icmpType = -1;
  d.icmpCode = -1;
  d.vlan = -1;
  d.fragment = Fragment.none;
  d.ipId = 0;
  d.ipOffset = 0;
  d.hasEmbedded = false;
}

function fail(d: Decoded, status: DecodeStatus, reason: string): void {
  d.status = status;
  d.reason = reason;
}

// End of the frame on the wire (offset in the data buffer) of the frame being decoded.
let wireEnd = 0;

/**
 * Decodes data[off, off+caplen) of the given link type into `d`. Never throws. `wireLen`
 * (the original length) tells a snaplen cut, which is fine, from an IP header that claims
 * more bytes than the frame had on the wire, which is malformed (Suricata drops those too).
 */
export function decodeFrame(linktype: number, b: Uint8Array, off: number, caplen: number, d: Decoded, wireLen = caplen): void {
  reset(d);
  const end = Math.min(off + caplen, b.length);
  wireEnd = off + Math.max(wireLen, caplen);
  switch (linktype) {
    case LINKTYPE.ETHERNET:
      if (end - off < 14) return fail(d, DecodeStatus.truncated, 'Ethernet header');
      return etherType(u16(b, off + 12), b, off + 14, end, d);
    case LINKTYPE.LINUX_SLL:
      if (end - off < 16) return fail(d, DecodeStatus.truncated, 'Linux cooked header');
      return etherType(u16(b, off + 14), b, off + 16, end, d);
    case LINKTYPE.LINUX_SLL2:
      if (end - off < 20) return fail(d, DecodeStatus.truncated, 'Linux cooked v2 header');
      return etherType(u16(b, off), b, off + 20, end, d);
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_12:
    case LINKTYPE.RAW_14:
      return ipByVersion(b, off, end, d);
    case LINKTYPE.IPV4:
      return ipv4(b, off, end, d);
    case LINKTYPE.IPV6:
      return ipv6(b, off, end, d);
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      if (end - off < 4) return fail(d, DecodeStatus.truncated, 'loopback header');
      // NULL: the family in the capturing host's byte order; LOOP: network order.
      const be = u32(b, off);
      const le = (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
      const fam = linktype === LINKTYPE.LOOP ? be : le < 256 ? le : be;
      if (fam === 2) return ipv4(b, off + 4, end, d);
      if (fam === 24 || fam === 28 || fam === 30 || fam === 10) return ipv6(b, off + 4, end, d);
      return fail(d, DecodeStatus.nonIp, '');
    }
    case LINKTYPE.PPP:
    case LINKTYPE.PPP_HDLC: {
      let o = off;
      if (end - o >= 2 && b[o] === 0xff && b[o + 1] === 0x03) o += 2;
      return pppProto(b, o, end, d);
    }
    case LINKTYPE.C_HDLC:
      if (end - off < 4) return fail(d, DecodeStatus.truncated, 'Cisco HDLC header');
      return etherType(u16(b, off + 2), b, off + 4, end, d);
    default:
      return fail(d, DecodeStatus.unsupportedLink, '');
  }
}

function pppProto(b: Uint8Array, o: number, end: number, d: Decoded): void {
  if (end - o < 1) return fail(d, DecodeStatus.truncated, 'PPP header');
  // Protocol field compression: an odd first byte is a one-byte protocol.
  let proto: number;
  if (b[o]! & 1) {
    proto = b[o]!;
    o += 1;
  } else {
    if (end - o < 2) return fail(d, DecodeStatus.truncated, 'PPP header');
    proto = u16(b, o);
    o += 2;
  }
  if (proto === 0x21) return ipv4(b, o, end, d);
  if (proto === 0x57) return ipv6(b, o, end, d);
  return fail(d, DecodeStatus.nonIp, '');
}

function etherType(et: number, b: Uint8Array, o: number, end: number, d: Decoded): void {
  // 802.1Q / 802.1ad / QinQ stacks; bounded so a frame of tags cannot loop long.
  for (let depth = 0; depth < 8; depth++) {
    if (et === 0x8100 || et === 0x88a8 || et === 0x9100 || et === 0x9200) {
      if (end - o < 4) return fail(d, DecodeStatus.truncated, 'VLAN tag');
      if (d.vlan < 0) d.vlan = u16(b, o) & 0x0fff;
      et = u16(b, o + 2);
      o += 4;
    } else break;
  }
  switch (et) {
    case 0x0800:
      return ipv4(b, o, end, d);
    case 0x86dd:
      return ipv6(b, o, end, d);
    case 0x8847:
    case 0x8848: {
      // MPLS: pop labels to the bottom of the stack, then guess IP from the version nibble.
      for (let i = 0; i < 16; i++) {
        if (end - o < 4) return fail(d, DecodeStatus.truncated, 'MPLS label');
        const bottom = b[o + 2]! & 1;
        o += 4;
        if (bottom) return ipByVersion(b, o, end, d);
      }
      return fail(d, DecodeStatus.malformed, 'MPLS label stack too deep');
    }
    case 0x8864: {
      // PPPoE session: 6-byte header, then a PPP protocol field.
      if (end - o < 8) return fail(d, DecodeStatus.truncated, 'PPPoE header');
      return pppProto(b, o + 6, end, d);
    }
    default:
      return fail(d, DecodeStatus.nonIp, '');
  }
}

function ipByVersion(b: Uint8Array, o: number, end: number, d: Decoded): void {
  if (end - o < 1) return fail(d, DecodeStatus.truncated, 'IP header');
  const v = b[o]! >> 4;
  if (v === 4) return ipv4(b, o, end, d);
  if (v === 6) return ipv6(b, o, end, d);
  return fail(d, DecodeStatus.malformed, 'IP version is neither 4 nor 6');
}

function ipv4(b: Uint8Array, o: number, end: number, d: Decoded): void {
  if (end - o < 20) return fail(d, DecodeStatus.truncated, 'IPv4 header');
  const vihl = b[o]!;
  if (vihl >> 4 !== 4) return fail(d, DecodeStatus.malformed, 'IPv4 header version is not 4');
  const ihl = (vihl & 0x0f) * 4;
  if (ihl < 20) return fail(d, DecodeStatus.malformed, 'IPv4 header length below 20');
  if (end - o < ihl) return fail(d, DecodeStatus.truncated, 'IPv4 options');
  let total = u16(b, o + 2);
  // TSO/GSO captures carry total length 0: fall back to what was captured.
  if (total === 0) total = end - o;
  if (total < ihl) return fail(d, DecodeStatus.malformed, 'IPv4 total length below its header length');
  if (o + total > wireEnd) return fail(d, DecodeStatus.malformed, 'IPv4 total length beyond the frame');
  d.v6 = false;
  d.ipOffset = o;
  d.ipLen = total;
  d.ipHdrLen = ihl;
  d.ipId = u16(b, o + 4);
  const fl = u16(b, o + 6);
  const fragOff = fl & 0x1fff;
  if (fragOff !== 0) d.fragment = Fragment.later;
  else if (fl & 0x2000) d.fragment = Fragment.first;
  d.proto = b[o + 9]!;
  d.src[0] = u32(b, o + 12);
  d.dst[0] = u32(b, o + 16);
  d.src[1] = d.src[2] = d.src[3] = 0;
  d.dst[1] = d.dst[2] = d.dst[3] = 0;
  d.status = DecodeStatus.ip;
  const l4end = Math.min(end, o + total);
  if (d.fragment === Fragment.later) {
    d.payloadLen = total - ihl;
    return;
  }
  transport(b, o + ihl, l4end, total - ihl, d);
}

function ipv6(b: Uint8Array, o: number, end: number, d: Decoded): void {
  if (end - o < 40) return fail(d, DecodeStatus.truncated, 'IPv6 header');
  if (b[o]! >> 4 !== 6) return fail(d, DecodeStatus.malformed, 'IPv6 header version is not 6');
  const plen = u16(b, o + 4);
  // Jumbograms (payload length 0 + hop-by-hop option) and TSO captures: use what was captured.
  const total = plen === 0 ? end - o : 40 + plen;
  if (o + total > wireEnd) return fail(d, DecodeStatus.malformed, 'IPv6 payload length beyond the frame');
  d.v6 = true;
  d.ipOffset = o;
  d.ipLen = total;
  for (let i = 0; i < 4; i++) {
    d.src[i] = u32(b, o + 8 + 4 * i);
    d.dst[i] = u32(b, o + 24 + 4 * i);
  }
  let next = b[o + 6]!;
  let p = o + 40;
  const l4end = Math.min(end, o + total);
  d.status = DecodeStatus.ip;
  // Extension headers, bounded in number.
  for (let i = 0; i < 16; i++) {
    if (next === 0 || next === 43 || next === 60 || next === 135 || next === 139 || next === 140) {
      if (l4end - p < 2) {
        d.proto = next;
        d.ipHdrLen = p - o;
        return fail(d, DecodeStatus.truncated, 'IPv6 extension header');
      }
      const len = (b[p + 1]! + 1) * 8;
      next = b[p]!;
      p += len;
    } else if (next === 44) {
      if (l4end - p < 8) {
        d.proto = next;
        d.ipHdrLen = p - o;
        return fail(d, DecodeStatus.truncated, 'IPv6 fragment header');
      }
      const fo = u16(b, p + 2);
      d.ipId = u32(b, p + 4);
      if (fo >> 3 !== 0) d.fragment = Fragment.later;
      else if (fo & 1) d.fragment = Fragment.first;
      next = b[p]!;
      p += 8;
    } else if (next === 51) {
      if (l4end - p < 2) {
        d.proto = next;
        d.ipHdrLen = p - o;
        return fail(d, DecodeStatus.truncated, 'IPv6 AH header');
      }
      const len = (b[p + 1]! + 2) * 4;
      next = b[p]!;
      p += len;
    } else break;
  }
  d.proto = next;
  d.ipHdrLen = p - o;
  if (d.ipHdrLen > total) {
    d.ipHdrLen = total;
    return fail(d, DecodeStatus.malformed, 'IPv6 extension headers run past the payload length');
  }
  if (d.fragment === Fragment.later) {
    d.payloadLen = total - d.ipHdrLen;
    return;
  }
  transport(b, p, l4end, total - d.ipHdrLen, d);
}

/** `len` is the transport length the IP header states; [o, end) is what was captured of it. */
function transport(b: Uint8Array, o: number, end: number, len: number, d: Decoded): void {
  const have = end - o;
  switch (d.proto) {
    case PROTO_TCP: {
      if (have < 20) return fail(d, DecodeStatus.truncated, 'TCP header');
      const hl = (b[o + 12]! >> 4) * 4;
      if (hl < 20) return fail(d, DecodeStatus.malformed, 'TCP data offset below 5');
      d.sport = u16(b, o);
      d.dport = u16(b, o + 2);
      d.tcpSeq = u32(b, o + 4);
      d.tcpFlags = b[o + 13]! | ((b[o + 12]! & 1) << 8);
      d.tcpWindow = u16(b, o + 14);
      d.l4HdrLen = hl;
      d.payloadLen = len > hl ? len - hl : 0;
      d.hasPorts = true;
      return;
    }
    case PROTO_UDP:
      if (have < 8) return fail(d, DecodeStatus.truncated, 'UDP header');
      d.sport = u16(b, o);
      d.dport = u16(b, o + 2);
      d.l4HdrLen = 8;
      d.payloadLen = len > 8 ? len - 8 : 0;
      d.hasPorts = true;
      return;
    case PROTO_SCTP:
      if (have < 12) return fail(d, DecodeStatus.truncated, 'SCTP header');
      d.sport = u16(b, o);
      d.dport = u16(b, o + 2);
      d.l4HdrLen = 12;
      d.payloadLen = len > 12 ? len - 12 : 0;
      d.hasPorts = true;
      return;
    case PROTO_ICMP:
    case PROTO_ICMPV6:
      if (have < 4) return fail(d, DecodeStatus.truncated, 'ICMP header');
      d.icmpType = b[o]!;
      d.icmpCode = b[o + 1]!;
      // Destination unreachable only, as Suricata associates them.
      if (d.icmpType === (d.proto === PROTO_ICMP ? 3 : 1)) embedded(b, o + 8, end, d);
      d.l4HdrLen = len >= 8 ? 8 : 4;
      d.payloadLen = len > d.l4HdrLen ? len - d.l4HdrLen : 0;
      return;
    default:
      d.payloadLen = len;
      return;
  }
}

/** The IP header and ports quoted by an ICMP error, when enough of them was captured. */
function embedded(b: Uint8Array, o: number, end: number, d: Decoded): void {
  if (end - o < 1) return;
  const v = b[o]! >> 4;
  let l4: number;
  if (v === 4) {
    const ihl = (b[o]! & 0x0f) * 4;
    if (ihl < 20 || end - o < ihl + 4) return;
    if (u16(b, o + 6) & 0x1fff) return; // a later fragment quotes no ports
    d.embV6 = false;
    d.embProto = b[o + 9]!;
    d.embSrc[0] = u32(b, o + 12);
    d.embDst[0] = u32(b, o + 16);
    d.embSrc[1] = d.embSrc[2] = d.embSrc[3] = d.embDst[1] = d.embDst[2] = d.embDst[3] = 0;
    l4 = o + ihl;
  } else if (v === 6) {
    if (end - o < 44) return;
    d.embV6 = true;
    d.embProto = b[o + 6]!;
    for (let i = 0; i < 4; i++) {
      d.embSrc[i] = u32(b, o + 8 + 4 * i);
      d.embDst[i] = u32(b, o + 24 + 4 * i);
    }
    l4 = o + 40;
  } else return;
  // The quoted transport header must be whole (TCP's 20 bytes are often cut to 8: no match).
  const need = d.embProto === PROTO_TCP ? 20 : d.embProto === PROTO_UDP ? 8 : 0;
  if (need === 0 || end - l4 < need) return;
  d.embSport = u16(b, l4);
  d.embDport = u16(b, l4 + 2);
  d.hasEmbedded = true;
}

/** Text form of an address held as big-endian words (IPv6 compressed per RFC 5952). */
export function formatIp(words: ArrayLike<number>, v6: boolean, at = 0): string {
  if (!v6) {
    const w = words[at]!;
    return `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
  }
  const g: number[] = [];
  for (let i = 0; i < 4; i++) {
    const w = words[at + i]!;
    g.push(w >>> 16, w & 0xffff);
  }
  // IPv4-mapped addresses are written the usual way.
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    const w = words[at + 3]!;
    return `::ffff:${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
  }
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (x: number): string => x.toString(16);
  if (bestAt < 0) return g.map(hex).join(':');
  return `${g.slice(0, bestAt).map(hex).join(':')}::${g.slice(bestAt + bestLen).map(hex).join(':')}`;
}
