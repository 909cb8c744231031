import { Decoded, DecodeStatus, decodeFrame, Fragment, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from './decode';
import { icmpPorts } from './community-id';
import {
  FIRST_TS, FlowTable, GEN, ICMP_CODE, ICMP_TYPE, LAST_TS, PKT_BWD, PKT_FWD, PROTO, STATE, ST_ESTABLISHED, ST_FIN_BWD,
  ST_FIN_FWD, ST_INIT_LO, ST_PORTS, ST_RST, ST_SESSION, ST_SYNACK, ST_V6, SYN_SEQ, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN,
} from './flow';
import type { FlowView } from './features';
import type { RawPacket } from './reader';

/**
 * Bidirectional flow assembly with numeric keys in an open-addressing hash table over typed
 * arrays (linear probing, backward-shift deletion), flow rows in a FlowTable (flow.ts) and an LRU list
 * in Int32Arrays. Memory grows with the number of active flows only; `maxFlows` bounds it.
 *
 * Timeouts follow Suricata's flow engine (per protocol and state: new / established /
 * closed), checked when a packet arrives (so a tuple seen again after its timeout starts a new
 * flow exactly) and by a sweep from the least recently used end every `sweepInterval` seconds
 * of capture time (so quiet flows leave memory).
 */

export interface FlowTimeouts {
  tcpNew: number;
  tcpEstablished: number;
  tcpClosed: number;
  udpNew: number;
  udpEstablished: number;
  otherNew: number;
  otherEstablished: number;
}

/** Suricata 7's default flow-timeouts (suricata.yaml), in seconds. */
export const SURICATA_TIMEOUTS: FlowTimeouts = {
  tcpNew: 60,
  tcpEstablished: 600,
  tcpClosed: 60,
  udpNew: 30,
  udpEstablished: 300,
  otherNew: 30,
  otherEstablished: 300,
};

export interface AssemblerOptions {
  timeouts: FlowTimeouts;
  /** A flow longer than this (seconds) is ended and continues as a new flow. */
  activeTimeout: number;
  /** Active flows kept at most; beyond it the least recently seen flow is ended. */
  maxFlows: number;
  sweepInterval: number;
}

export const DEFAULT_ASSEMBLER_OPTIONS: AssemblerOptions = {
  timeouts: SURICATA_TIMEOUTS,
  activeTimeout: 1800,
  maxFlows: 250_000,
  sweepInterval: 5,
};

/** Builds options from the ingest spec: one idle timeout replaces every state's. */
export function assemblerOptions(o: { idleTimeout?: number | undefined; activeTimeout?: number | undefined } = {}): AssemblerOptions {
  const t = o.idleTimeout;
  return {
    ...DEFAULT_ASSEMBLER_OPTIONS,
    timeouts: t === undefined ? SURICATA_TIMEOUTS : { tcpNew: t, tcpEstablished: t, tcpClosed: t, udpNew: t, udpEstablished: t, otherNew: t, otherEstablished: t },
    activeTimeout: o.activeTimeout ?? DEFAULT_ASSEMBLER_OPTIONS.activeTimeout,
  };
}

export type EndReason = 'idle' | 'active' | 'closed' | 'reused' | 'evicted' | 'end';

export interface CaptureStats {
  packets: number;
  /** Frame bytes captured (all packets). */
  frameBytes: number;
  ipPackets: number;
  nonIp: number;
  truncated: number;
  malformed: number;
  unsupportedLink: number;
  fragments: number;
  /** Non-first fragments whose first fragment was not seen (counted, not in a flow). */
  orphanFragments: number;
  flows: number;
  evicted: number;
  peakActiveFlows: number;
  /** Packets by link type whose decoder is missing (link type -> count). */
  unsupportedLinkTypes: Record<number, number>;
}

const KW = 10; // key words: lo addr (4), hi addr (4), ports, proto|v6|vlan

/** Receives each finished flow; the state is recycled after the call returns. */
export type FlowSink = (f: FlowView, reason: EndReason) => void;

export class FlowAssembler {
  readonly stats: CaptureStats = {
    packets: 0, frameBytes: 0, ipPackets: 0, nonIp: 0, truncated: 0, malformed: 0, unsupportedLink: 0,
    fragments: 0, orphanFragments: 0, flows: 0, evicted: 0, peakActiveFlows: 0, unsupportedLinkTypes: {},
  };
  private readonly d = new Decoded();
  private readonly key = new Uint32Array(KW);
  // Hash table: slot + 1 per bucket, 0 = empty.
  private table: Int32Array;
  private mask: number;
  // Per slot.
  private keys: Uint32Array;
  private hashes: Uint32Array;
  private prev: Int32Array;
  private next: Int32Array;
  /** Row state of every slot. */
  readonly flows: FlowTable;
  private readonly view: FlowView;
  private free: number[] = [];
  private nextSlot = 0;
  private lruHead = -1;
  private lruTail = -1;
  active = 0;
  private nextSweep = -Infinity;
  private rowNo = 0;
  private readonly minTimeout: number;
  /** First fragments: "src dst proto id" -> slot * 2^21 + gen, for the later fragments. */
  private frags = new Map<string, number>();

  constructor(
    private readonly sink: FlowSink,
    private readonly opts: AssemblerOptions = DEFAULT_ASSEMBLER_OPTIONS,
  ) {
    const t = opts.timeouts;
    this.minTimeout = Math.min(t.tcpNew, t.tcpEstablished, t.tcpClosed, t.udpNew, t.udpEstablished, t.otherNew, t.otherEstablished);
    const cap = 1 << 10;
    this.table = new Int32Array(cap * 2);
    this.mask = cap * 2 - 1;
    this.keys = new Uint32Array(cap * KW);
    this.hashes = new Uint32Array(cap);
    this.prev = new Int32Array(cap);
    this.next = new Int32Array(cap);
    this.flows = new FlowTable(cap);
    this.view = { F: this.flows.rows(0), b: 0, slot: 0, table: this.flows, keys: this.keys, kb: 0 };
  }

  /** Decodes and accounts one packet from the reader. */
  packet(p: RawPacket): void {
    const s = this.stats;
    s.packets++;
    s.frameBytes += p.caplen;
    const d = this.d;
    decodeFrame(p.linktype, p.data, p.off, p.caplen, d, p.origlen);
    const ts = p.ts;
    if (ts >= this.nextSweep) {
      if (this.nextSweep !== -Infinity) this.sweep(ts);
      this.nextSweep = ts + this.opts.sweepInterval;
    }
    if (d.status !== DecodeStatus.ip) {
      if (d.status === DecodeStatus.nonIp) s.nonIp++;
      else if (d.status === DecodeStatus.truncated) s.truncated++;
      else if (d.status === DecodeStatus.malformed) s.malformed++;
      else {
        s.unsupportedLink++;
        s.unsupportedLinkTypes[p.linktype] = (s.unsupportedLinkTypes[p.linktype] ?? 0) + 1;
      }
      return;
    }
    s.ipPackets++;
    if (d.fragment !== Fragment.none) {
      s.fragments++;
      if (d.fragment === Fragment.later) {
        this.laterFragment(p, d);
        return;
      }
    }
    if (d.hasEmbedded && this.icmpError(p, d, ts)) return;
    const slot = this.lookup(d, ts);
    const fwd = this.fwd;
    this.flows.add(slot, ts, fwd, d.ipLen, d.payloadLen, p.caplen, d.ipHdrLen + d.l4HdrLen, d.tcpFlags, d.tcpWindow, d.proto === PROTO_TCP, p.recordOffset);
    if (d.fragment === Fragment.first) this.rememberFragment(d, slot);
    if (d.proto === PROTO_TCP) this.tcpState(slot, fwd, d.tcpFlags);
  }

  /**
   * Counts an ICMP error in the flow of the packet it quotes, when that flow is active (as
   * Suricata does); returns false when there is none, and the error makes its own ICMP flow.
   */
  private icmpError(p: RawPacket, d: Decoded, ts: number): boolean {
    if (d.embV6 !== d.v6) return false;
    const k = this.key;
    const src = d.embSrc;
    const dst = d.embDst;
    const sport = d.embSport;
    const dport = d.embDport;
    let srcLo = true;
    for (let i = 0; i < 4; i++) {
      if (src[i] !== dst[i]) {
        srcLo = src[i]! < dst[i]!;
        break;
      }
      if (i === 3) srcLo = sport <= dport;
    }
    const lo = srcLo ? src : dst;
    const hi = srcLo ? dst : src;
    k[0] = lo[0]!; k[1] = lo[1]!; k[2] = lo[2]!; k[3] = lo[3]!;
    k[4] = hi[0]!; k[5] = hi[1]!; k[6] = hi[2]!; k[7] = hi[3]!;
    k[8] = (srcLo ? (sport << 16) | dport : (dport << 16) | sport) >>> 0;
    k[9] = (d.embProto | (d.v6 ? 0x100 : 0) | ((d.vlan + 1) << 16)) >>> 0;
    const slot = this.find(this.hashKey());
    if (slot < 0) return false;
    const F = this.flows.rows(slot);
    const b = this.flows.rowBase(slot);
    if (Math.floor(ts) > Math.floor(F[b + LAST_TS]!) + this.timeoutOf(slot)) return false;
    // The error travels against the quoted packet's direction.
    const quotedFwd = srcLo === ((F[b + STATE]! & ST_INIT_LO) !== 0);
    this.flows.add(slot, ts, !quotedFwd, d.ipLen, d.payloadLen, p.caplen, d.ipHdrLen + d.l4HdrLen, 0, 0, false, p.recordOffset);
    this.touch(slot);
    return true;
  }

  private hashKey(): number {
    const k = this.key;
    let h = 0x9e3779b9;
    for (let i = 0; i < KW; i++) {
      h = Math.imul(h ^ k[i]!, 0x85ebca6b);
      h ^= h >>> 13;
    }
    h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }

  /** Ends every active flow (end of the capture). */
  finish(): void {
    while (this.lruHead >= 0) this.end(this.lruHead, 'end');
  }

  // The direction of the packet just looked up (set by lookup; avoids returning a tuple).
  private fwd = true;

  private lookup(d: Decoded, ts: number): number {
    const k = this.key;
    let sport = d.sport;
    let dport = d.dport;
    if (d.proto === PROTO_ICMP || d.proto === PROTO_ICMPV6) {
      const [a, b] = icmpPorts(d.proto, d.icmpType, d.icmpCode);
      sport = a;
      dport = b;
    } else if (!d.hasPorts) {
      sport = dport = 0;
    }
    // Order endpoints: the lower (address, port) first.
    const src = d.src;
    const dst = d.dst;
    let srcLo = true;
    for (let i = 0; i < 4; i++) {
      if (src[i] !== dst[i]) {
        srcLo = src[i]! < dst[i]!;
        break;
      }
      if (i === 3) srcLo = sport <= dport;
    }
    if (srcLo) {
      k[0] = src[0]!; k[1] = src[1]!; k[2] = src[2]!; k[3] = src[3]!;
      k[4] = dst[0]!; k[5] = dst[1]!; k[6] = dst[2]!; k[7] = dst[3]!;
      k[8] = ((sport << 16) | dport) >>> 0;
    } else {
      k[0] = dst[0]!; k[1] = dst[1]!; k[2] = dst[2]!; k[3] = dst[3]!;
      k[4] = src[0]!; k[5] = src[1]!; k[6] = src[2]!; k[7] = src[3]!;
      k[8] = ((dport << 16) | sport) >>> 0;
    }
    k[9] = (d.proto | (d.v6 ? 0x100 : 0) | ((d.vlan + 1) << 16)) >>> 0;
    const h = this.hashKey();

    const slot = this.find(h);
    if (slot >= 0) {
      const initLo = (this.flows.rows(slot)[this.flows.rowBase(slot) + STATE]! & ST_INIT_LO) !== 0;
      const fwd = srcLo === initLo;
      const reason = this.expiredOnArrival(slot, ts, fwd, d);
      if (reason === null) {
        this.fwd = fwd;
        this.touch(slot);
        return slot;
      }
      const inherit = reason === 'active' ? initLo : null;
      this.end(slot, reason);
      return this.create(h, d, srcLo, inherit);
    }
    return this.create(h, d, srcLo, null);
  }

  private find(h: number): number {
    const t = this.table;
    const k = this.key;
    const keys = this.keys;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const e = t[i]!;
      if (e === 0) return -1;
      const slot = e - 1;
      if (this.hashes[slot] !== h) continue;
      const base = slot * KW;
      if (
        keys[base + 8] === k[8] && keys[base + 9] === k[9] && keys[base] === k[0] && keys[base + 4] === k[4] &&
        keys[base + 1] === k[1] && keys[base + 2] === k[2] && keys[base + 3] === k[3] &&
        keys[base + 5] === k[5] && keys[base + 6] === k[6] && keys[base + 7] === k[7]
      ) return slot;
    }
  }

  /** Why the flow ends before this packet, or null when the packet belongs to it. */
  private expiredOnArrival(slot: number, ts: number, fwd: boolean, d: Decoded): EndReason | null {
    const F = this.flows.rows(slot);
    const b = this.flows.rowBase(slot);
    // Whole seconds, as Suricata compares them: a flow times out when the packet's second is
    // past the last packet's second plus the timeout.
    if (Math.floor(ts) > Math.floor(F[b + LAST_TS]!) + this.timeoutOf(slot)) return 'idle';
    if (ts - F[b + FIRST_TS]! > this.opts.activeTimeout) return 'active';
    if (d.proto === PROTO_TCP && (d.tcpFlags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) === TCP_SYN) {
      // A fresh SYN on a closed session starts a new connection on the same tuple (Suricata's
      // session reuse).
      // A flow that did not begin with a SYN has no session to protect: the SYN starts a new
      // flow, whichever side sends it (Suricata "steals" it too).
      const st = F[b + STATE]!;
      if (!(st & ST_SESSION)) return 'reused';
      // A SYN repeating the first SYN's sequence number is a retransmission, not a reuse.
      const synSeq = F[b + SYN_SEQ]!;
      const retransmit = fwd && synSeq >= 0 && d.tcpSeq === synSeq;
      // (A SYN with a new sequence number while the handshake is pending stays in the flow,
      // as in Suricata's stream engine.)
      if (!retransmit && (st & ST_RST || (st & (ST_FIN_FWD | ST_FIN_BWD)) === (ST_FIN_FWD | ST_FIN_BWD))) return 'reused';
    }
    return null;
  }

  private timeoutOf(slot: number): number {
    const t = this.opts.timeouts;
    const F = this.flows.rows(slot);
    const b = this.flows.rowBase(slot);
    const proto = F[b + PROTO]!;
    if (proto === PROTO_TCP) {
      const st = F[b + STATE]!;
      if (st & ST_RST || (st & (ST_FIN_FWD | ST_FIN_BWD)) === (ST_FIN_FWD | ST_FIN_BWD)) return t.tcpClosed;
      return st & ST_ESTABLISHED ? t.tcpEstablished : t.tcpNew;
    }
    const both = F[b + PKT_FWD]! > 0 && F[b + PKT_BWD]! > 0;
    if (proto === PROTO_UDP) return both ? t.udpEstablished : t.udpNew;
    return both ? t.otherEstablished : t.otherNew;
  }

  private tcpState(slot: number, fwd: boolean, flags: number): void {
    const F = this.flows.rows(slot);
    const b = this.flows.rowBase(slot);
    let st = F[b + STATE]!;
    if (flags & TCP_RST) st |= ST_RST;
    if (flags & TCP_FIN) st |= fwd ? ST_FIN_FWD : ST_FIN_BWD;
    if ((flags & (TCP_SYN | TCP_ACK)) === TCP_SYN && fwd && F[b + SYN_SEQ]! < 0) F[b + SYN_SEQ] = this.d.tcpSeq;
    if ((flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK) && !fwd) st |= ST_SYNACK;
    else if (st & ST_SYNACK && fwd && flags & TCP_ACK) st |= ST_ESTABLISHED;
    F[b + STATE] = st;
  }

  private create(h: number, d: Decoded, srcLo: boolean, inheritInitLo: boolean | null): number {
    if (this.active >= this.opts.maxFlows && this.lruHead >= 0) {
      this.stats.evicted++;
      this.end(this.lruHead, 'evicted');
    }
    let slot: number;
    if (this.free.length > 0) slot = this.free.pop()!;
    else {
      if (this.nextSlot >= this.hashes.length) this.growSlots();
      slot = this.nextSlot++;
    }
    if ((this.active + 1) * 2 > this.table.length) this.rehash(this.table.length * 2);
    this.keys.set(this.key, slot * KW);
    this.hashes[slot] = h;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      if (this.table[i] === 0) {
        this.table[i] = slot + 1;
        break;
      }
    }
    // Initiator: the sender of the first packet; a SYN+ACK first means its receiver started.
    let initIsSrc = true;
    if (inheritInitLo !== null) initIsSrc = inheritInitLo === srcLo;
    else if (d.proto === PROTO_TCP && (d.tcpFlags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) initIsSrc = false;
    const initLo = initIsSrc ? srcLo : !srcLo;
    this.fwd = initIsSrc;
    const pureSyn = d.proto === PROTO_TCP && (d.tcpFlags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) === TCP_SYN;
    const state = (initLo ? ST_INIT_LO : 0) | (d.v6 ? ST_V6 : 0) | (d.hasPorts ? ST_PORTS : 0) | (pureSyn && initIsSrc ? ST_SESSION : 0);
    this.flows.init(slot, state, d.proto, d.vlan, this.rowNo++);
    if (d.proto === PROTO_ICMP || d.proto === PROTO_ICMPV6) {
      const F = this.flows.rows(slot);
      F[this.flows.rowBase(slot) + ICMP_TYPE] = d.icmpType;
      F[this.flows.rowBase(slot) + ICMP_CODE] = d.icmpCode;
    }
    this.active++;
    if (this.active > this.stats.peakActiveFlows) this.stats.peakActiveFlows = this.active;
    // Append to the LRU tail.
    this.prev[slot] = this.lruTail;
    this.next[slot] = -1;
    if (this.lruTail >= 0) this.next[this.lruTail] = slot;
    else this.lruHead = slot;
    this.lruTail = slot;
    return slot;
  }

  private touch(slot: number): void {
    if (this.lruTail === slot) return;
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    if (p >= 0) this.next[p] = n;
    else this.lruHead = n;
    this.prev[n] = p; // n >= 0 because slot is not the tail
    this.prev[slot] = this.lruTail;
    this.next[slot] = -1;
    this.next[this.lruTail] = slot;
    this.lruTail = slot;
  }

  private end(slot: number, reason: EndReason): void {
    // Unlink from the LRU list.
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    if (p >= 0) this.next[p] = n;
    else this.lruHead = n;
    if (n >= 0) this.prev[n] = p;
    else this.lruTail = p;
    // Remove from the table (backward-shift deletion keeps probe chains intact).
    const t = this.table;
    const mask = this.mask;
    let i = this.hashes[slot]! & mask;
    while (t[i] !== slot + 1) i = (i + 1) & mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const e = t[j]!;
      if (e === 0) break;
      const home = this.hashes[e - 1]! & mask;
      // Move e back to i when its home is not in the cyclic range (i, j].
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        t[i] = e;
        i = j;
      }
    }
    t[i] = 0;
    this.prev[slot] = -2; // not in use (see inUse)
    this.free.push(slot);
    this.active--;
    this.stats.flows++;
    const v = this.view;
    v.F = this.flows.rows(slot);
    v.b = this.flows.rowBase(slot);
    v.slot = slot;
    v.keys = this.keys;
    v.kb = slot * KW;
    this.sink(v, reason);
    this.flows.release(slot);
  }

  private sweep(now: number): void {
    // Least recently seen first; stop at the first flow too recent for any timeout.
    let s = this.lruHead;
    const sec = Math.floor(now);
    while (s >= 0) {
      const idle = sec - Math.floor(this.flows.rows(s)[this.flows.rowBase(s) + LAST_TS]!);
      if (idle <= this.minTimeout) break;
      const nxt = this.next[s]!;
      if (idle > this.timeoutOf(s)) this.end(s, 'idle');
      s = nxt;
    }
  }

  private growSlots(): void {
    const cap = this.hashes.length * 2;
    const keys = new Uint32Array(cap * KW);
    keys.set(this.keys);
    this.keys = keys;
    const hashes = new Uint32Array(cap);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const prev = new Int32Array(cap);
    prev.set(this.prev);
    this.prev = prev;
    const next = new Int32Array(cap);
    next.set(this.next);
    this.next = next;
    this.flows.grow(cap);
  }

  private rehash(size: number): void {
    const t = new Int32Array(size);
    const mask = size - 1;
    const old = this.table;
    for (let i = 0; i < old.length; i++) {
      const e = old[i]!;
      if (e === 0) continue;
      let j = this.hashes[e - 1]! & mask;
      while (t[j] !== 0) j = (j + 1) & mask;
      t[j] = e;
    }
    this.table = t;
    this.mask = mask;
  }

  private fragKey(d: Decoded): string {
    return d.v6
      ? `${d.src[0]},${d.src[1]},${d.src[2]},${d.src[3]}>${d.dst[0]},${d.dst[1]},${d.dst[2]},${d.dst[3]}/${d.proto}/${d.ipId}`
      : `${d.src[0]}>${d.dst[0]}/${d.proto}/${d.ipId}`;
  }

  private rememberFragment(d: Decoded, slot: number): void {
    if (this.frags.size > 65_536) this.frags = new Map();
    this.frags.set(this.fragKey(d), slot * 2097152 + (this.flows.rows(slot)[this.flows.rowBase(slot) + GEN]! % 2097152));
  }

  private laterFragment(p: RawPacket, d: Decoded): void {
    const ref = this.frags.get(this.fragKey(d));
    if (ref !== undefined) {
      const slot = Math.floor(ref / 2097152);
      // The slot must still hold the same flow (same generation) and be in use.
      const F = slot < this.nextSlot ? this.flows.rows(slot) : null;
      const b = this.flows.rowBase(slot);
      if (F && F[b + GEN]! % 2097152 === ref % 2097152 && this.inUse(slot)) {
        // The fragment's sender decides its direction: compare with the initiator's address.
        const initLo = (F[b + STATE]! & ST_INIT_LO) !== 0;
        const kb = slot * KW + (initLo ? 0 : 4);
        let fromInit = true;
        for (let i = 0; i < 4; i++) {
          if (this.keys[kb + i] !== d.src[i]) {
            fromInit = false;
            break;
          }
        }
        this.flows.add(slot, p.ts, fromInit, d.ipLen, d.payloadLen, p.caplen, d.ipHdrLen, 0, 0, false, p.recordOffset);
        this.touch(slot);
        return;
      }
    }
    this.stats.orphanFragments++;
  }

  /** Whether a slot holds an active flow (it is linked in the LRU list). */
  private inUse(slot: number): boolean {
    return this.prev[slot] !== -2;
  }
}
