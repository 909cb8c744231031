import fs from 'node:fs';
import zlib from 'node:zlib';
import { mulberry32 } from '../../../shared/random';

/**
 * Writing captures: a pcap/pcapng writer (used by carve, the test fixtures and the benchmark)
 * and a deterministic traffic generator whose ground truth (packets and flows) is known, so
 * tests can assert exact results and `nstd bench ingest --generate` works on a clean clone.
 */

export interface WriterOptions {
  format?: 'pcap' | 'pcapng';
  linktype?: number;
  /** pcap: nanosecond timestamps (magic a1b23c4d). pcapng: if_tsresol 9. */
  nano?: boolean;
  bigEndian?: boolean;
  snaplen?: number;
}

/** Buffers records and hands full chunks to `out` (a file descriptor or a collector). */
export class CaptureWriter {
  private buf = Buffer.alloc(1 << 20);
  private pos = 0;
  readonly format: 'pcap' | 'pcapng';
  private readonly le: boolean;
  private readonly nano: boolean;
  readonly snaplen: number;
  packets = 0;

  constructor(
    private readonly out: (chunk: Buffer) => void,
    opts: WriterOptions = {},
  ) {
    this.format = opts.format ?? 'pcap';
    this.le = !opts.bigEndian;
    this.nano = opts.nano ?? false;
    this.snaplen = opts.snaplen ?? 262144;
    const linktype = opts.linktype ?? 1;
    if (this.format === 'pcap') {
      const h = this.reserve(24);
      this.u32(h, this.nano ? 0xa1b23c4d : 0xa1b2c3d4);
      this.u16(h + 4, 2);
      this.u16(h + 6, 4);
      this.u32(h + 8, 0);
      this.u32(h + 12, 0);
      this.u32(h + 16, this.snaplen);
      this.u32(h + 20, linktype);
    } else {
      const s = this.reserve(28);
      this.u32(s, 0x0a0d0d0a);
      this.u32(s + 4, 28);
      this.u32(s + 8, 0x1a2b3c4d);
      this.u16(s + 12, 1);
      this.u16(s + 14, 0);
      this.u32(s + 16, 0xffffffff);
      this.u32(s + 20, 0xffffffff);
      this.u32(s + 24, 28);
      this.addInterface(linktype, this.nano ? 9 : 6);
    }
  }

  /** pcapng only: describes another interface (returns its index). */
  interfaces = 0;
  addInterface(linktype: number, tsresol = 6): number {
    if (this.format !== 'pcapng') throw new Error('interfaces exist in pcapng only');
    const withRes = tsresol !== 6;
    const len = 20 + (withRes ? 8 : 0) + 4;
    const b = this.reserve(len);
    this.u32(b, 1);
    this.u32(b + 4, len);
    this.u16(b + 8, linktype);
    this.u16(b + 10, 0);
    this.u32(b + 12, this.snaplen);
    let o = b + 16;
    if (withRes) {
      this.u16(o, 9);
      this.u16(o + 2, 1);
      this.buf[o + 4] = tsresol;
      this.buf[o + 5] = this.buf[o + 6] = this.buf[o + 7] = 0;
      o += 8;
    }
    this.u16(o, 0);
    this.u16(o + 2, 0);
    this.u32(o + 4, len);
    return this.interfaces++;
  }

  /** Writes one packet: `frame` is the whole frame; it is cut to the snaplen. */
  write(tsSec: number, tsNsec: number, frame: Uint8Array, origlen = frame.length, iface = 0): void {
    const cap = Math.min(frame.length, this.snaplen);
    this.packets++;
    if (this.format === 'pcap') {
      const o = this.reserve(16 + cap);
      this.u32(o, tsSec);
      this.u32(o + 4, this.nano ? tsNsec : Math.floor(tsNsec / 1000));
      this.u32(o + 8, cap);
      this.u32(o + 12, origlen);
      this.buf.set(frame.subarray(0, cap), o + 16);
      return;
    }
    const pad = (4 - (cap % 4)) % 4;
    const len = 32 + cap + pad;
    const o = this.reserve(len);
    // Units of the interface resolution: µs unless nano.
    const ticks = BigInt(tsSec) * (this.nano ? 1_000_000_000n : 1_000_000n) + BigInt(this.nano ? tsNsec : Math.floor(tsNsec / 1000));
    this.u32(o, 6);
    this.u32(o + 4, len);
    this.u32(o + 8, iface);
    this.u32(o + 12, Number(ticks >> 32n));
    this.u32(o + 16, Number(ticks & 0xffffffffn));
    this.u32(o + 20, cap);
    this.u32(o + 24, origlen);
    this.buf.set(frame.subarray(0, cap), o + 28);
    this.buf.fill(0, o + 28 + cap, o + 28 + cap + pad);
    this.u32(o + len - 4, len);
  }

  /** Raw bytes (for hand-made malformed records in tests). */
  raw(bytes: Uint8Array): void {
    const o = this.reserve(bytes.length);
    this.buf.set(bytes, o);
  }

  flush(): void {
    if (this.pos > 0) this.out(Buffer.from(this.buf.subarray(0, this.pos)));
    this.pos = 0;
  }

  private reserve(n: number): number {
    if (this.pos + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) this.buf = Buffer.alloc(n);
    }
    const o = this.pos;
    this.pos += n;
    return o;
  }

  private u16(o: number, v: number): void {
    if (this.le) this.buf.writeUInt16LE(v & 0xffff, o);
    else this.buf.writeUInt16BE(v & 0xffff, o);
  }

  private u32(o: number, v: number): void {
    if (this.le) this.buf.writeUInt32LE(v >>> 0, o);
    else this.buf.writeUInt32BE(v >>> 0, o);
  }
}

/** A writer into memory; `bytes()` returns the capture. */
export function memoryWriter(opts: WriterOptions = {}): { w: CaptureWriter; bytes: () => Buffer } {
  const parts: Buffer[] = [];
  const w = new CaptureWriter((c) => parts.push(c), opts);
  return {
    w,
    bytes: () => {
      w.flush();
      return Buffer.concat(parts);
    },
  };
}

// ---- Frame building --------------------------------------------------------------------

export interface PacketSpec {
  v6?: boolean;
  src: string;
  dst: string;
  proto: number;
  sport?: number;
  dport?: number;
  /** TCP flags byte. */
  flags?: number;
  seq?: number;
  ack?: number;
  window?: number;
  payload?: number;
  icmpType?: number;
  icmpCode?: number;
  vlan?: number[];
  ipId?: number;
  /** IPv4: fragment offset in 8-byte units and the more-fragments bit. */
  fragOffset?: number;
  moreFragments?: boolean;
}

function ipv4Bytes(s: string): number[] {
  return s.split('.').map(Number);
}

function ipv6Bytes(s: string): number[] {
  const [head, tail] = s.includes('::') ? s.split('::') : [s, ''];
  const hs = head ? head.split(':') : [];
  const ts = tail ? tail.split(':') : [];
  const g = [...hs, ...new Array<string>(8 - hs.length - ts.length).fill('0'), ...ts].map((x) => parseInt(x, 16));
  return g.flatMap((x) => [x >> 8, x & 255]);
}

/** An Ethernet frame (with optional 802.1Q tags) carrying one IP packet. */
export function buildFrame(p: PacketSpec): Uint8Array {
  const v6 = p.v6 ?? p.src.includes(':');
  const payload = p.payload ?? 0;
  const l4 = p.proto === 6 ? 20 : p.proto === 17 ? 8 : p.proto === 1 || p.proto === 58 ? 8 : 0;
  const ipHdr = v6 ? 40 : 20;
  const tags = p.vlan ?? [];
  const later = (p.fragOffset ?? 0) > 0;
  const l4len = later ? 0 : l4;
  const len = 14 + 4 * tags.length + ipHdr + l4len + payload;
  const b = new Uint8Array(len);
  const dv = new DataView(b.buffer);
  b.set([0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0x66, 0x77, 0x88, 0x99, 0xaa], 0);
  let o = 12;
  for (let i = 0; i < tags.length; i++) {
    dv.setUint16(o, i === 0 && tags.length > 1 ? 0x88a8 : 0x8100);
    dv.setUint16(o + 2, tags[i]! & 0xfff);
    o += 4;
  }
  dv.setUint16(o, v6 ? 0x86dd : 0x0800);
  o += 2;
  const ip = o;
  const ipPayload = l4len + payload;
  if (v6) {
    b[ip] = 0x60;
    dv.setUint16(ip + 4, ipPayload);
    b[ip + 6] = p.proto;
    b[ip + 7] = 64;
    b.set(ipv6Bytes(p.src), ip + 8);
    b.set(ipv6Bytes(p.dst), ip + 24);
  } else {
    b[ip] = 0x45;
    dv.setUint16(ip + 2, 20 + ipPayload);
    dv.setUint16(ip + 4, p.ipId ?? 0);
    dv.setUint16(ip + 6, ((p.moreFragments ? 1 : 0) << 13) | ((p.fragOffset ?? 0) & 0x1fff));
    b[ip + 8] = 64;
    b[ip + 9] = p.proto;
    b.set(ipv4Bytes(p.src), ip + 12);
    b.set(ipv4Bytes(p.dst), ip + 16);
  }
  const t = ip + ipHdr;
  if (later) return b;
  if (p.proto === 6) {
    dv.setUint16(t, p.sport ?? 0);
    dv.setUint16(t + 2, p.dport ?? 0);
    dv.setUint32(t + 4, (p.seq ?? 0) >>> 0);
    dv.setUint32(t + 8, (p.ack ?? 0) >>> 0);
    b[t + 12] = 5 << 4;
    b[t + 13] = p.flags ?? 0;
    dv.setUint16(t + 14, p.window ?? 65535);
  } else if (p.proto === 17) {
    dv.setUint16(t, p.sport ?? 0);
    dv.setUint16(t + 2, p.dport ?? 0);
    dv.setUint16(t + 4, 8 + payload);
  } else if (p.proto === 1 || p.proto === 58) {
    b[t] = p.icmpType ?? 8;
    b[t + 1] = p.icmpCode ?? 0;
  }
  return b;
}

// ---- Deterministic traffic ---------------------------------------------------------------

/** The generator's deterministic stream. */
export const rng = mulberry32;

export interface SynthOptions {
  packets: number;
  seed?: number;
  /** Concurrent conversations interleaved (more = more active flows). */
  concurrency?: number;
  snaplen?: number;
  format?: 'pcap' | 'pcapng';
  /** Start time, seconds since the epoch. */
  start?: number;
}

export interface SynthTruth {
  packets: number;
  /** Flows the generator made (each conversation or probe is one flow). */
  flows: number;
  byKind: Record<string, { flows: number; packets: number }>;
  bytes: number;
  seconds: number;
}

interface Conv {
  kind: string;
  pkts: PacketSpec[];
  fromClient: boolean[];
  i: number;
}

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;

/** One conversation's packets; every conversation is exactly one flow on a fresh tuple. */
function makeConv(r: () => number, serial: number): Conv {
  const pick = r();
  const sport = 1024 + (serial % 60000);
  // A fresh client address per conversation keeps every tuple unique (exact ground truth).
  const client = `10.${(serial >>> 16) & 255}.${(serial >>> 8) & 255}.${serial & 255}`;
  const pkts: PacketSpec[] = [];
  const dir: boolean[] = [];
  const push = (fromClient: boolean, p: PacketSpec): void => {
    pkts.push(p);
    dir.push(fromClient);
  };
  if (pick < 0.45) {
    // A web-like TCP connection: handshake, request, response segments, FIN teardown.
    const server = `192.168.${Math.floor(r() * 4)}.${1 + Math.floor(r() * 20)}`;
    const dport = r() < 0.7 ? 443 : 80;
    let cs = Math.floor(r() * 2 ** 31);
    let ss = Math.floor(r() * 2 ** 31);
    const c = (flags: number, payload: number): void => {
      push(true, { src: client, dst: server, proto: 6, sport, dport, flags, seq: cs, ack: ss, payload, window: 64240 });
      cs += payload + (flags & (SYN | FIN) ? 1 : 0);
    };
    const s = (flags: number, payload: number): void => {
      push(false, { src: server, dst: client, proto: 6, sport: dport, dport: sport, flags, seq: ss, ack: cs, payload, window: 65160 });
      ss += payload + (flags & (SYN | FIN) ? 1 : 0);
    };
    c(SYN, 0);
    s(SYN | ACK, 0);
    c(ACK, 0);
    c(PSH | ACK, 200 + Math.floor(r() * 600));
    const segs = 1 + Math.floor(r() * 12);
    for (let k = 0; k < segs; k++) {
      s(ACK, 1448);
      if (k % 2 === 1) c(ACK, 0);
    }
    s(PSH | ACK, Math.floor(r() * 1448));
    c(ACK, 0);
    c(FIN | ACK, 0);
    s(FIN | ACK, 0);
    c(ACK, 0);
    return { kind: 'tcp', pkts, fromClient: dir, i: 0 };
  }
  if (pick < 0.7) {
    const resolver = r() < 0.5 ? '192.168.0.53' : 'fd00::53';
    const src = resolver.includes(':') ? `fd00::${(serial & 0xffff).toString(16)}:${((serial >>> 16) & 0xffff).toString(16)}` : client;
    push(true, { src, dst: resolver, proto: 17, sport, dport: 53, payload: 30 + Math.floor(r() * 30) });
    if (r() < 0.95) push(false, { src: resolver, dst: src, proto: 17, sport: 53, dport: sport, payload: 60 + Math.floor(r() * 200) });
    return { kind: 'dns', pkts, fromClient: dir, i: 0 };
  }
  if (pick < 0.85) {
    // One probe of a port scan: SYN, answered by RST+ACK (closed) or SYN+ACK then RST (open).
    const target = `192.168.9.${1 + Math.floor(r() * 4)}`;
    const dport = 1 + Math.floor(r() * 1024);
    const seq = Math.floor(r() * 2 ** 31);
    push(true, { src: client, dst: target, proto: 6, sport, dport, flags: SYN, seq, window: 1024 });
    if (r() < 0.9) push(false, { src: target, dst: client, proto: 6, sport: dport, dport: sport, flags: RST | ACK, ack: seq + 1, window: 0 });
    else {
      push(false, { src: target, dst: client, proto: 6, sport: dport, dport: sport, flags: SYN | ACK, seq: 7, ack: seq + 1 });
      push(true, { src: client, dst: target, proto: 6, sport, dport, flags: RST, seq: seq + 1, window: 0 });
    }
    return { kind: 'scan', pkts, fromClient: dir, i: 0 };
  }
  if (pick < 0.95) {
    // A SYN flood packet from a spoofed source: one unanswered SYN per flow.
    push(true, { src: client, dst: '192.168.1.80', proto: 6, sport, dport: 80, flags: SYN, seq: Math.floor(r() * 2 ** 31), window: 512 });
    return { kind: 'synflood', pkts, fromClient: dir, i: 0 };
  }
  // A UDP flood burst and an ICMP echo exchange.
  if (r() < 0.5) {
    const n = 5 + Math.floor(r() * 40);
    for (let k = 0; k < n; k++) push(true, { src: client, dst: '192.168.1.99', proto: 17, sport, dport: 9999, payload: 512 });
    return { kind: 'udpflood', pkts, fromClient: dir, i: 0 };
  }
  push(true, { src: client, dst: '192.168.0.1', proto: 1, icmpType: 8, payload: 56 });
  push(false, { src: '192.168.0.1', dst: client, proto: 1, icmpType: 0, payload: 56 });
  return { kind: 'icmp', pkts, fromClient: dir, i: 0 };
}

/**
 * Writes a deterministic capture of at least `packets` packets through `out` (conversations
 * are finished, so the count may exceed it slightly). Returns the ground truth.
 */
export function synthesize(out: (chunk: Buffer) => void, opts: SynthOptions): SynthTruth {
  const r = rng(opts.seed ?? 1);
  const w = new CaptureWriter(out, { format: opts.format ?? 'pcap', snaplen: opts.snaplen ?? 128 });
  const conc = opts.concurrency ?? 256;
  const active: Conv[] = [];
  const truth: SynthTruth = { packets: 0, flows: 0, byKind: {}, bytes: 0, seconds: 0 };
  let serial = 1;
  let t = opts.start ?? 1_700_000_000;
  let ns = 0;
  // Frames are cached per conversation packet only while written; building is the cost.
  while (truth.packets < opts.packets || active.length > 0) {
    while (active.length < conc && truth.packets < opts.packets) {
      const c = makeConv(r, serial++);
      active.push(c);
      const k = (truth.byKind[c.kind] ??= { flows: 0, packets: 0 });
      k.flows++;
      truth.flows++;
    }
    const idx = Math.floor(r() * active.length);
    const c = active[idx]!;
    const spec = c.pkts[c.i++]!;
    const frame = buildFrame(spec);
    ns += 1000 + Math.floor(r() * 40_000);
    if (ns >= 1e9) {
      t += Math.floor(ns / 1e9);
      ns %= 1e9;
    }
    w.write(t, ns, frame);
    truth.packets++;
    truth.bytes += Math.min(frame.length, w.snaplen);
    truth.byKind[c.kind]!.packets++;
    if (c.i >= c.pkts.length) {
      active[idx] = active[active.length - 1]!;
      active.pop();
    }
  }
  w.flush();
  truth.seconds = t - (opts.start ?? 1_700_000_000) + ns / 1e9;
  return truth;
}

/** Writes a synthetic capture to `file` (gzipped when the name ends in .gz). */
export function synthesizeFile(file: string, opts: SynthOptions): SynthTruth {
  const fd = fs.openSync(file, 'w');
  try {
    if (file.endsWith('.gz')) {
      const parts: Buffer[] = [];
      const truth = synthesize((c) => parts.push(c), opts);
      fs.writeSync(fd, zlib.gzipSync(Buffer.concat(parts)));
      return truth;
    }
    return synthesize((c) => fs.writeSync(fd, c), opts);
  } finally {
    fs.closeSync(fd);
  }
}
