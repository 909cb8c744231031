/**
 * The state of every active flow, as struct-of-arrays over typed arrays indexed by slot: one
 * Float64Array row of counters and feature accumulators per flow, the first packets in small
 * typed arrays, and the packets' file offsets in a shared block arena. No object per flow and
 * none per packet, so memory is ~1 KB per active flow and the garbage collector stays idle.
 */

export const SEQ_LEN = 32;
export const SEQ_CHANNELS = 3;
/** CICFlowMeter's activity timeout (µs) separating active and idle periods. */
export const ACTIVITY_TIMEOUT_US = 5_000_000;
/** CICFlowMeter's bulk and subflow gap (µs). */
const CLUMP_TIMEOUT_US = 1_000_000;
/** Packets whose file offsets a flow keeps for carving; beyond it only the count grows. */
export const MAX_REFS = 100_000;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

// State bits (field STATE).
export const ST_SYNACK = 1;
export const ST_ESTABLISHED = 2;
export const ST_FIN_FWD = 4;
export const ST_FIN_BWD = 8;
export const ST_RST = 16;
export const ST_INIT_LO = 32;
export const ST_V6 = 64;
export const ST_PORTS = 128;
/** A TCP flow that began with a SYN (a session in Suricata's stream engine). */
export const ST_SESSION = 256;

// ---- Row layout ---------------------------------------------------------------------------
// A running statistic occupies 6 fields: count, mean, M2 (Welford), min, max, sum.
export const SN = 0;
export const SMEAN = 1;
export const SM2 = 2;
export const SMIN = 3;
export const SMAX = 4;
export const SSUM = 5;
const STAT = 6;
// A bulk detector occupies 8 fields.
export const BK_START = 0;
export const BK_LAST = 1;
export const BK_COUNT = 2;
export const BK_SIZE = 3;
export const BK_STATES = 4;
export const BK_PACKETS = 5;
export const BK_BYTES = 6;
export const BK_DUR = 7;
const BULK = 8;

let n = 0;
const field = (width = 1): number => {
  const at = n;
  n += width;
  return at;
};
export const FIRST_TS = field();
export const LAST_TS = field();
export const LAST_FWD_US = field();
export const LAST_BWD_US = field();
export const PKT_FWD = field();
export const PKT_BWD = field();
export const BYTES_FWD = field();
export const BYTES_BWD = field();
export const PAY_FWD = field();
export const PAY_BWD = field();
export const FRAME_FWD = field();
export const FRAME_BWD = field();
export const FLAGS_OR = field();
export const SYN_SEQ = field();
export const STATE = field();
export const PROTO = field();
export const VLAN = field();
export const ICMP_TYPE = field();
export const ICMP_CODE = field();
export const ROW_NO = field();
export const GEN = field();
export const FWD_LEN = field(STAT);
export const BWD_LEN = field(STAT);
export const ALL_LEN = field(STAT);
export const FLOW_IAT = field(STAT);
export const FWD_IAT = field(STAT);
export const BWD_IAT = field(STAT);
export const ACTIVE = field(STAT);
export const IDLE = field(STAT);
export const BULK_FWD = field(BULK);
export const BULK_BWD = field(BULK);
export const C_FIN = field();
export const C_SYN = field();
export const C_RST = field();
export const C_PSH = field();
export const C_ACK = field();
export const C_URG = field();
export const C_CWR = field();
export const C_ECE = field();
export const C_FWD_PSH = field();
export const C_BWD_PSH = field();
export const C_FWD_URG = field();
export const C_BWD_URG = field();
export const FWD_HDR = field();
export const BWD_HDR = field();
export const INIT_WIN_FWD = field();
export const INIT_WIN_BWD = field();
export const ACT_DATA_FWD = field();
export const MIN_SEG_FWD = field();
export const START_ACTIVE_US = field();
export const END_ACTIVE_US = field();
export const SUBFLOWS = field();
export const LAST_US = field();
export const SEQ_N = field();
export const REF_COUNT = field();
export const REF_LAST = field();
export const REF_HEAD = field();
export const REF_TAIL = field();
export const REF_TAIL_LEN = field();
/** Fields per flow row. */
export const NF = n;

// Packet refs live in 64-byte blocks: 60 bytes of varints and a 4-byte next-block index.
const BLOCK = 64;
const BLOCK_DATA = 60;

/** Adds x to the running statistic at F[s..s+6) (Welford). */
export function statAdd(F: Float64Array, s: number, x: number): void {
  const c = ++F[s + SN]!;
  F[s + SSUM]! += x;
  if (c === 1) {
    F[s + SMEAN] = F[s + SMIN] = F[s + SMAX] = x;
    F[s + SM2] = 0;
    return;
  }
  const mean = F[s + SMEAN]!;
  const d = x - mean;
  const m = mean + d / c;
  F[s + SMEAN] = m;
  F[s + SM2]! += d * (x - m);
  if (x < F[s + SMIN]!) F[s + SMIN] = x;
  if (x > F[s + SMAX]!) F[s + SMAX] = x;
}

/** Sample standard deviation of a stat group (0 below two values). */
export function statStd(F: Float64Array, s: number): number {
  const c = F[s + SN]!;
  return c > 1 ? Math.sqrt(Math.max(0, F[s + SM2]! / (c - 1))) : 0;
}

export function statVar(F: Float64Array, s: number): number {
  const c = F[s + SN]!;
  return c > 1 ? Math.max(0, F[s + SM2]! / (c - 1)) : 0;
}

function bulkAdd(F: Float64Array, b: number, us: number, payload: number, otherLast: number): void {
  if (otherLast > F[b + BK_START]!) F[b + BK_START] = 0;
  if (payload <= 0) return;
  if (F[b + BK_START] === 0 || us - F[b + BK_LAST]! > CLUMP_TIMEOUT_US) {
    F[b + BK_START] = F[b + BK_LAST] = us;
    F[b + BK_COUNT] = 1;
    F[b + BK_SIZE] = payload;
    return;
  }
  const count = ++F[b + BK_COUNT]!;
  F[b + BK_SIZE]! += payload;
  if (count === 4) {
    F[b + BK_STATES]!++;
    F[b + BK_PACKETS]! += count;
    F[b + BK_BYTES]! += F[b + BK_SIZE]!;
    F[b + BK_DUR]! += us - F[b + BK_START]!;
  } else if (count > 4) {
    F[b + BK_PACKETS]!++;
    F[b + BK_BYTES]! += payload;
    F[b + BK_DUR]! += us - F[b + BK_LAST]!;
  }
  F[b + BK_LAST] = us;
}

/** Rows live in pages of 4096 slots: growing adds a page, never copies (no transient double). */
const PAGE_BITS = 12;
const PAGE_MASK = (1 << PAGE_BITS) - 1;

export class FlowTable {
  capacity: number;
  /** NF fields per slot, in pages; use rows(slot) and rowBase(slot). */
  private readonly pages: Float64Array[] = [];
  /** Per slot × SEQ_LEN: IP length, flags (bit 15 set = backward), inter-arrival seconds. */
  seqLen: Uint16Array;
  seqFlags: Uint16Array;
  seqIat: Float32Array;
  // The ref arena.
  private arena: Uint8Array;
  private blockNext: Int32Array;
  private freeBlocks: number[] = [];
  private nextBlock = 0;

  constructor(capacity = 4096) {
    this.capacity = 0;
    this.addPages(capacity);
    this.capacity = capacity;
    this.seqLen = new Uint16Array(capacity * SEQ_LEN);
    this.seqFlags = new Uint16Array(capacity * SEQ_LEN);
    this.seqIat = new Float32Array(capacity * SEQ_LEN);
    this.arena = new Uint8Array(capacity * BLOCK);
    this.blockNext = new Int32Array(capacity);
  }

  private addPages(capacity: number): void {
    while (this.pages.length << PAGE_BITS < capacity) this.pages.push(new Float64Array((1 << PAGE_BITS) * NF));
  }

  /** The row array holding a slot's fields (index it with rowBase(slot) + field). */
  rows(slot: number): Float64Array {
    return this.pages[slot >>> PAGE_BITS]!;
  }

  rowBase(slot: number): number {
    return (slot & PAGE_MASK) * NF;
  }

  grow(capacity: number): void {
    this.addPages(capacity);
    const g = <T extends Float64Array | Uint16Array | Float32Array>(a: T, make: (n: number) => T, per: number): T => {
      const b = make(capacity * per);
      b.set(a);
      return b;
    };
    this.seqLen = g(this.seqLen, (k) => new Uint16Array(k), SEQ_LEN);
    this.seqFlags = g(this.seqFlags, (k) => new Uint16Array(k), SEQ_LEN);
    this.seqIat = g(this.seqIat, (k) => new Float32Array(k), SEQ_LEN);
    this.capacity = capacity;
  }

  /** Clears a slot's row for a new flow. */
  init(slot: number, state: number, proto: number, vlan: number, rowNo: number): void {
    const F = this.pages[slot >>> PAGE_BITS]!;
    const b = (slot & PAGE_MASK) * NF;
    const gen = F[b + GEN]! + 1;
    F.fill(0, b, b + NF);
    F[b + GEN] = gen;
    F[b + STATE] = state;
    F[b + PROTO] = proto;
    F[b + VLAN] = vlan;
    F[b + ROW_NO] = rowNo;
    F[b + SYN_SEQ] = -1;
    F[b + ICMP_TYPE] = -1;
    F[b + ICMP_CODE] = -1;
    F[b + INIT_WIN_FWD] = -1;
    F[b + INIT_WIN_BWD] = -1;
    F[b + SUBFLOWS] = 1;
    F[b + REF_HEAD] = -1;
    F[b + REF_TAIL] = -1;
  }

  /** Releases a slot's ref blocks (after its record was built). */
  release(slot: number): void {
    const F = this.pages[slot >>> PAGE_BITS]!;
    const b = (slot & PAGE_MASK) * NF;
    let blk = F[b + REF_HEAD]!;
    while (blk >= 0) {
      this.freeBlocks.push(blk);
      blk = this.blockNext[blk]!;
    }
    F[b + REF_HEAD] = F[b + REF_TAIL] = -1;
  }

  /**
   * Accounts one packet. `fwd`: sent by the initiator. Lengths: `ipLen` IP-layer bytes,
   * `payload` transport payload, `frame` captured frame bytes, `hdr` IP + transport header.
   */
  add(
    slot: number,
    ts: number,
    fwd: boolean,
    ipLen: number,
    payload: number,
    frame: number,
    hdr: number,
    flags: number,
    window: number,
    isTcp: boolean,
    recordOffset: number,
  ): void {
    const F = this.pages[slot >>> PAGE_BITS]!;
    const b = (slot & PAGE_MASK) * NF;
    const us = ts * 1e6;
    const first = F[b + PKT_FWD]! + F[b + PKT_BWD]! === 0;
    let iatUs = 0;
    if (first) {
      F[b + FIRST_TS] = ts;
      F[b + START_ACTIVE_US] = F[b + END_ACTIVE_US] = us;
    } else {
      iatUs = us - F[b + LAST_US]!;
      statAdd(F, b + FLOW_IAT, iatUs);
      if (iatUs > CLUMP_TIMEOUT_US) F[b + SUBFLOWS]!++;
      const endActive = F[b + END_ACTIVE_US]!;
      if (us - endActive > ACTIVITY_TIMEOUT_US) {
        const startActive = F[b + START_ACTIVE_US]!;
        if (endActive - startActive > 0) statAdd(F, b + ACTIVE, endActive - startActive);
        statAdd(F, b + IDLE, us - endActive);
        F[b + START_ACTIVE_US] = us;
      }
      F[b + END_ACTIVE_US] = us;
    }
    const sn = F[b + SEQ_N]!;
    if (sn < SEQ_LEN) {
      const i = slot * SEQ_LEN + sn;
      this.seqLen[i] = ipLen > 65535 ? 65535 : ipLen;
      this.seqFlags[i] = (flags & 0x1ff) | (fwd ? 0 : 0x8000);
      this.seqIat[i] = iatUs * 1e-6;
      F[b + SEQ_N] = sn + 1;
    }
    F[b + LAST_US] = us;
    F[b + LAST_TS] = ts;
    statAdd(F, b + ALL_LEN, payload);
    if (fwd) {
      if (F[b + PKT_FWD]! > 0) statAdd(F, b + FWD_IAT, us - F[b + LAST_FWD_US]!);
      F[b + LAST_FWD_US] = us;
      const pk = ++F[b + PKT_FWD]!;
      F[b + BYTES_FWD]! += ipLen;
      F[b + PAY_FWD]! += payload;
      F[b + FRAME_FWD]! += frame;
      statAdd(F, b + FWD_LEN, payload);
      F[b + FWD_HDR]! += hdr;
      if (payload >= 1) F[b + ACT_DATA_FWD]!++;
      if (pk === 1 || hdr < F[b + MIN_SEG_FWD]!) F[b + MIN_SEG_FWD] = hdr;
      bulkAdd(F, b + BULK_FWD, us, payload, F[b + BULK_BWD + BK_LAST]!);
    } else {
      if (F[b + PKT_BWD]! > 0) statAdd(F, b + BWD_IAT, us - F[b + LAST_BWD_US]!);
      F[b + LAST_BWD_US] = us;
      F[b + PKT_BWD]!++;
      F[b + BYTES_BWD]! += ipLen;
      F[b + PAY_BWD]! += payload;
      F[b + FRAME_BWD]! += frame;
      statAdd(F, b + BWD_LEN, payload);
      F[b + BWD_HDR]! += hdr;
      bulkAdd(F, b + BULK_BWD, us, payload, F[b + BULK_FWD + BK_LAST]!);
    }
    if (isTcp) {
      F[b + FLAGS_OR] = F[b + FLAGS_OR]! | flags;
      if (flags & TCP_FIN) F[b + C_FIN]!++;
      if (flags & TCP_SYN) F[b + C_SYN]!++;
      if (flags & TCP_RST) F[b + C_RST]!++;
      if (flags & TCP_PSH) {
        F[b + C_PSH]!++;
        F[b + (fwd ? C_FWD_PSH : C_BWD_PSH)]!++;
      }
      if (flags & TCP_ACK) F[b + C_ACK]!++;
      if (flags & TCP_URG) {
        F[b + C_URG]!++;
        F[b + (fwd ? C_FWD_URG : C_BWD_URG)]!++;
      }
      if (flags & TCP_CWR) F[b + C_CWR]!++;
      if (flags & TCP_ECE) F[b + C_ECE]!++;
      const w = b + (fwd ? INIT_WIN_FWD : INIT_WIN_BWD);
      if (F[w]! < 0) F[w] = window;
    }
    this.addRef(F, b, recordOffset);
  }

  private newBlock(): number {
    const free = this.freeBlocks.pop();
    if (free !== undefined) {
      this.blockNext[free] = -1;
      return free;
    }
    const blk = this.nextBlock++;
    if (blk >= this.blockNext.length) {
      const next = new Int32Array(this.blockNext.length * 2);
      next.set(this.blockNext);
      this.blockNext = next;
      const arena = new Uint8Array(this.blockNext.length * BLOCK);
      arena.set(this.arena);
      this.arena = arena;
    }
    this.blockNext[blk] = -1;
    return blk;
  }

  private addRef(F: Float64Array, b: number, offset: number): void {
    const count = ++F[b + REF_COUNT]!;
    if (count > MAX_REFS) return;
    let delta = offset - F[b + REF_LAST]!;
    F[b + REF_LAST] = offset;
    let tail = F[b + REF_TAIL]!;
    let len = F[b + REF_TAIL_LEN]!;
    // A varint of a file offset takes at most 8 bytes: start a block when fewer are left.
    if (tail < 0 || len + 8 > BLOCK_DATA) {
      const blk = this.newBlock();
      if (tail < 0) F[b + REF_HEAD] = blk;
      else {
        this.blockNext[tail] = blk;
        // A full block records its used length in its byte 60.
        this.arena[tail * BLOCK + BLOCK_DATA] = len;
      }
      tail = blk;
      len = 0;
      F[b + REF_TAIL] = blk;
    }
    const a = this.arena;
    let o = tail * BLOCK + len;
    while (delta >= 0x80) {
      a[o++] = (delta % 0x80) | 0x80;
      delta = Math.floor(delta / 0x80);
    }
    a[o++] = delta;
    F[b + REF_TAIL_LEN] = o - tail * BLOCK;
  }

  /** The packet_refs blob: varint(version=1), varint(total packets), varint(stored), deltas. */
  packetRefs(slot: number): Uint8Array {
    const F = this.pages[slot >>> PAGE_BITS]!;
    const b = (slot & PAGE_MASK) * NF;
    const head: number[] = [];
    const put = (v: number): void => {
      while (v >= 0x80) {
        head.push((v % 0x80) | 0x80);
        v = Math.floor(v / 0x80);
      }
      head.push(v);
    };
    const count = F[b + REF_COUNT]!;
    put(1);
    put(count);
    put(Math.min(count, MAX_REFS));
    // Sum the block lengths, then copy.
    let total = head.length;
    const tail = F[b + REF_TAIL]!;
    for (let blk = F[b + REF_HEAD]!; blk >= 0; blk = this.blockNext[blk]!) {
      total += blk === tail ? F[b + REF_TAIL_LEN]! : this.arena[blk * BLOCK + BLOCK_DATA]!;
    }
    const out = new Uint8Array(total);
    out.set(head, 0);
    let o = head.length;
    for (let blk = F[b + REF_HEAD]!; blk >= 0; blk = this.blockNext[blk]!) {
      const len = blk === tail ? F[b + REF_TAIL_LEN]! : this.arena[blk * BLOCK + BLOCK_DATA]!;
      out.set(this.arena.subarray(blk * BLOCK, blk * BLOCK + len), o);
      o += len;
    }
    return out;
  }
}

/** Decodes a packet_refs blob into record offsets (and the total packet count). */
export function decodePacketRefs(blob: Uint8Array): { total: number; offsets: number[] } {
  let i = 0;
  const get = (): number => {
    let v = 0;
    let mul = 1;
    for (let k = 0; k < 8; k++) {
      if (i >= blob.length) throw new Error('packet_refs blob is truncated');
      const byte = blob[i++]!;
      v += (byte & 0x7f) * mul;
      if (!(byte & 0x80)) return v;
      mul *= 0x80;
    }
    throw new Error('packet_refs varint is too long');
  };
  const version = get();
  if (version !== 1) throw new Error(`packet_refs version ${version} is not known`);
  const total = get();
  const stored = get();
  const offsets: number[] = new Array(stored);
  let at = 0;
  for (let k = 0; k < stored; k++) {
    at += get();
    offsets[k] = at;
  }
  return { total, offsets };
}
