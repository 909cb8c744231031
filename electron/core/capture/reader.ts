/**
 * pcap and pcapng record readers, push-based: feed decompressed chunks with `push`, finish with
 * `end`. Each packet is announced through one reused RawPacket (no allocation per packet); the
 * frame bytes are valid only during the callback. A capture is hostile input: every length is
 * checked before use, a record that cannot be framed stops the reader with a CaptureError that
 * names the byte offset, and everything before it has already been delivered.
 */

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;

/** tcpdump's MAXIMUM_SNAPLEN; records above this (or the file's larger snaplen) are corrupt. */
const MAX_RECORD = 262_144;
/** pcapng blocks larger than this are treated as corrupt (no sane block is bigger). */
const MAX_BLOCK = 16 * 1024 * 1024;

export type CaptureFormat = 'pcap' | 'pcapng';

/** What the first bytes say, or null when they are neither pcap nor pcapng. */
export function sniffCapture(head: Uint8Array): CaptureFormat | null {
  if (head.length < 4) return null;
  const be = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
  const le = ((head[3]! << 24) | (head[2]! << 16) | (head[1]! << 8) | head[0]!) >>> 0;
  if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS || le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) return 'pcap';
  if (be === PCAPNG_SHB) {
    // The byte-order magic follows the block length; insist on it so random text that starts
    // with "\n\r\r\n" is not taken for a capture.
    if (head.length < 12) return 'pcapng';
    const bom = ((head[8]! << 24) | (head[9]! << 16) | (head[10]! << 8) | head[11]!) >>> 0;
    const bomLe = ((head[11]! << 24) | (head[10]! << 16) | (head[9]! << 8) | head[8]!) >>> 0;
    return bom === PCAPNG_BOM || bomLe === PCAPNG_BOM ? 'pcapng' : null;
  }
  return null;
}

export class CaptureError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
    this.name = 'CaptureError';
  }
}

/** One packet as the reader saw it. Reused: copy what you keep. */
export class RawPacket {
  linktype = 0;
  /** Seconds since the epoch. */
  ts = 0;
  /** Raw timestamp for lossless rewriting: seconds and nanoseconds. */
  tsSec = 0;
  tsNsec = 0;
  caplen = 0;
  origlen = 0;
  /** The frame is data[off, off + caplen). */
  data: Uint8Array = new Uint8Array(0);
  off = 0;
  /** Byte offset of this packet's record (header) in the decompressed file. */
  recordOffset = 0;
  /** Interface index (pcapng); 0 for pcap. */
  iface = 0;
}

interface Iface {
  linktype: number;
  snaplen: number;
  /** Timestamp units per second (10^n or 2^n). */
  unitsPerSec: number;
  /** Whether unitsPerSec is a power of ten ≤ 1e9 (exact integer split). */
  decimal: boolean;
  tsOffset: number;
}

export type PacketCallback = (p: RawPacket) => void;

export interface ReaderStats {
  format: CaptureFormat | null;
  /** Link types seen (pcapng may have several interfaces). */
  linktypes: number[];
  records: number;
  /** pcapng blocks skipped because their type is unknown or not a packet. */
  skippedBlocks: number;
  /** Records whose captured length exceeds the original length or the snaplen (kept). */
  oddLengths: number;
}

const u16le = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const u16be = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
const u32le = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
const u32be = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

/**
 * Reads pcap or pcapng (decided by the first bytes). Throws CaptureError from push/end when
 * the stream cannot be framed any further; the caller keeps what was delivered.
 */
export class CaptureReader {
  readonly stats: ReaderStats = { format: null, linktypes: [], records: 0, skippedBlocks: 0, oddLengths: 0 };
  private readonly pkt = new RawPacket();
  private pending: Uint8Array | null = null;
  /** File offset of the first byte of `pending` (or of the next chunk when none). */
  private base = 0;
  private started = false;
  private failed: CaptureError | null = null;
  // pcap
  private le = true;
  private nano = false;
  private linktype = 0;
  private snaplen = 0;
  // pcapng
  private ngLe = true;
  private ifaces: Iface[] = [];

  constructor(private readonly onPacket: PacketCallback) {}

  get format(): CaptureFormat | null {
    return this.stats.format;
  }

  /** Bytes consumed so far (the offset of the next unread record). */
  get offset(): number {
    return this.base;
  }

  push(chunk: Uint8Array): void {
    if (this.failed) throw this.failed;
    let buf: Uint8Array;
    if (this.pending && this.pending.length > 0) {
      buf = new Uint8Array(this.pending.length + chunk.length);
      buf.set(this.pending, 0);
      buf.set(chunk, this.pending.length);
    } else {
      buf = chunk;
    }
    this.pending = null;
    let pos = 0;
    try {
      if (!this.started) {
        pos = this.header(buf);
        if (pos < 0) {
          this.pending = buf;
          return;
        }
        this.started = true;
      }
      pos = this.stats.format === 'pcap' ? this.pcapRecords(buf, pos) : this.ngBlocks(buf, pos);
    } catch (err) {
      if (err instanceof CaptureError) this.failed = err;
      throw err;
    }
    this.base += pos;
    this.pending = pos < buf.length ? buf.subarray(pos) : null;
  }

  /** Call after the last chunk: leftover bytes are a truncated record. */
  end(): void {
    if (this.failed) throw this.failed;
    const left = this.pending?.length ?? 0;
    if (!this.started) {
      this.failed = new CaptureError(0, left === 0 ? 'the file is empty' : `the file is too short for a capture header (${left} bytes)`);
      throw this.failed;
    }
    if (left > 0) {
      this.failed = new CaptureError(this.base, `truncated ${this.stats.format === 'pcap' ? 'packet record' : 'block'}: ${left} bytes at the end of the file do not make a whole one`);
      throw this.failed;
    }
  }

  /** Parses the file header; returns the bytes used, or -1 when more are needed. */
  private header(b: Uint8Array): number {
    if (b.length < 4) return -1;
    const fmt = sniffCapture(b.length >= 12 ? b : b.subarray(0, 4));
    if (fmt === null) throw new CaptureError(0, 'not a pcap or pcapng capture (unknown magic number)');
    this.stats.format = fmt;
    if (fmt === 'pcapng') return 0; // the SHB is a block like the others
    if (b.length < 24) return -1;
    const magicLe = u32le(b, 0);
    this.le = magicLe === PCAP_MAGIC_US || magicLe === PCAP_MAGIC_NS;
    const magic = this.le ? magicLe : u32be(b, 0);
    this.nano = magic === PCAP_MAGIC_NS;
    const rd32 = this.le ? u32le : u32be;
    this.snaplen = rd32(b, 16);
    // The upper bits of the link-type field carry FCS information (pcap-savefile(5)).
    this.linktype = rd32(b, 20) & 0x0fffffff;
    this.stats.linktypes.push(this.linktype);
    return 24;
  }

  private pcapRecords(b: Uint8Array, pos: number): number {
    const p = this.pkt;
    const le = this.le;
    const limit = Math.max(MAX_RECORD, Math.min(this.snaplen, MAX_BLOCK));
    const fracScale = this.nano ? 1 : 1000;
    const fracMax = this.nano ? 1_000_000_000 : 1_000_000;
    p.linktype = this.linktype;
    p.iface = 0;
    p.data = b;
    const n = b.length;
    while (pos + 16 <= n) {
      const sec = le ? u32le(b, pos) : u32be(b, pos);
      const frac = le ? u32le(b, pos + 4) : u32be(b, pos + 4);
      const caplen = le ? u32le(b, pos + 8) : u32be(b, pos + 8);
      const origlen = le ? u32le(b, pos + 12) : u32be(b, pos + 12);
      if (caplen > limit) {
        throw new CaptureError(this.base + pos, `packet record claims ${caplen} captured bytes (more than the ${limit}-byte limit): the file is corrupt here`);
      }
      if (pos + 16 + caplen > n) break;
      if (frac >= fracMax) this.stats.oddLengths++;
      if (caplen > origlen || (this.snaplen > 0 && caplen > this.snaplen)) this.stats.oddLengths++;
      p.tsSec = sec;
      p.tsNsec = frac * fracScale;
      p.ts = sec + p.tsNsec * 1e-9;
      p.caplen = caplen;
      p.origlen = origlen;
      p.off = pos + 16;
      p.recordOffset = this.base + pos;
      this.stats.records++;
      this.onPacket(p);
      pos += 16 + caplen;
    }
    return pos;
  }

  private ngBlocks(b: Uint8Array, pos: number): number {
    const n = b.length;
    while (pos + 12 <= n) {
      const at = this.base + pos;
      const typeRaw = this.ngLe ? u32le(b, pos) : u32be(b, pos);
      let le = this.ngLe;
      if (typeRaw === PCAPNG_SHB || u32be(b, pos) === PCAPNG_SHB) {
        // A new section may switch byte order: read it from the byte-order magic.
        if (u32le(b, pos + 8) === PCAPNG_BOM) le = true;
        else if (u32be(b, pos + 8) === PCAPNG_BOM) le = false;
        else throw new CaptureError(at + 8, 'pcapng section header has no valid byte-order magic');
      }
      const type = le ? u32le(b, pos) : u32be(b, pos);
      const len = le ? u32le(b, pos + 4) : u32be(b, pos + 4);
      if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK) {
        throw new CaptureError(at, `pcapng block of type 0x${type.toString(16)} has an invalid length ${len} (must be a multiple of 4 between 12 and ${MAX_BLOCK})`);
      }
      if (pos + len > n) break;
      const trailer = le ? u32le(b, pos + len - 4) : u32be(b, pos + len - 4);
      if (trailer !== len) {
        throw new CaptureError(at, `pcapng block of type 0x${type.toString(16)}: trailing length ${trailer} differs from leading length ${len}`);
      }
      switch (type) {
        case PCAPNG_SHB:
          this.ngLe = le;
          this.ifaces = [];
          break;
        case 1:
          this.idb(b, pos, len, at);
          break;
        case 6:
          this.epb(b, pos, len, at, false);
          break;
        case 2:
          this.epb(b, pos, len, at, true);
          break;
        case 3:
          this.spb(b, pos, len, at);
          break;
        default:
          this.stats.skippedBlocks++;
      }
      pos += len;
    }
    return pos;
  }

  private idb(b: Uint8Array, pos: number, len: number, at: number): void {
    if (len < 20) throw new CaptureError(at, `pcapng interface description block is too short (${len} bytes)`);
    const le = this.ngLe;
    const linktype = le ? u16le(b, pos + 8) : u16be(b, pos + 8);
    const snaplen = le ? u32le(b, pos + 12) : u32be(b, pos + 12);
    const iface: Iface = { linktype, snaplen, unitsPerSec: 1e6, decimal: true, tsOffset: 0 };
    // Options: code(2) length(2) value, padded to 4.
    let o = pos + 16;
    const end = pos + len - 4;
    while (o + 4 <= end) {
      const code = le ? u16le(b, o) : u16be(b, o);
      const olen = le ? u16le(b, o + 2) : u16be(b, o + 2);
      if (code === 0) break;
      if (o + 4 + olen > end) break; // a lying option length: ignore the rest of the options
      if (code === 9 && olen >= 1) {
        const r = b[o + 4]!;
        const exp = r & 0x7f;
        if (r & 0x80) {
          iface.unitsPerSec = 2 ** Math.min(exp, 63);
          iface.decimal = false;
        } else {
          iface.unitsPerSec = 10 ** Math.min(exp, 18);
          iface.decimal = exp <= 9;
        }
      } else if (code === 14 && olen >= 8) {
        const hi = le ? u32le(b, o + 8) : u32be(b, o + 4);
        const lo = le ? u32le(b, o + 4) : u32be(b, o + 8);
        iface.tsOffset = hi * 4294967296 + lo;
      }
      o += 4 + ((olen + 3) & ~3);
    }
    this.ifaces.push(iface);
    if (!this.stats.linktypes.includes(linktype)) this.stats.linktypes.push(linktype);
  }

  private setTs(hi: number, lo: number, ifc: Iface): void {
    const p = this.pkt;
    const ups = ifc.unitsPerSec;
    if (ifc.decimal) {
      // Exact split of the 64-bit tick count into seconds and remainder without BigInt:
      // (hi * 2^32 + lo) / ups, done in two steps that stay below 2^53.
      const qHi = Math.floor(hi / ups);
      const rHi = hi - qHi * ups;
      // rHi < ups ≤ 1e9 < 2^30, so rHi * 2^32 < 2^62: split 2^32 as 2^16 * 2^16.
      const mid = rHi * 65536 + (lo >>> 16);
      const qMid = Math.floor(mid / ups);
      const rMid = mid - qMid * ups;
      const low = rMid * 65536 + (lo & 0xffff);
      const qLow = Math.floor(low / ups);
      const rem = low - qLow * ups;
      const sec = qHi * 4294967296 + qMid * 65536 + qLow;
      p.tsSec = sec + ifc.tsOffset;
      p.tsNsec = Math.round((rem * 1e9) / ups);
    } else {
      const ticks = hi * 4294967296 + lo;
      const sec = Math.floor(ticks / ups);
      p.tsSec = sec + ifc.tsOffset;
      p.tsNsec = Math.round(((ticks - sec * ups) * 1e9) / ups);
    }
    p.ts = p.tsSec + p.tsNsec * 1e-9;
  }

  private iface(id: number, at: number): Iface {
    const ifc = this.ifaces[id];
    if (!ifc) throw new CaptureError(at, `pcapng packet refers to interface ${id}, but only ${this.ifaces.length} interface(s) are described before it`);
    return ifc;
  }

  private epb(b: Uint8Array, pos: number, len: number, at: number, obsolete: boolean): void {
    if (len < 32) throw new CaptureError(at, `pcapng packet block is too short (${len} bytes)`);
    const le = this.ngLe;
    const id = obsolete ? (le ? u16le(b, pos + 8) : u16be(b, pos + 8)) : le ? u32le(b, pos + 8) : u32be(b, pos + 8);
    const ifc = this.iface(id, at);
    const hi = le ? u32le(b, pos + 12) : u32be(b, pos + 12);
    const lo = le ? u32le(b, pos + 16) : u32be(b, pos + 16);
    const caplen = le ? u32le(b, pos + 20) : u32be(b, pos + 20);
    const origlen = le ? u32le(b, pos + 24) : u32be(b, pos + 24);
    if (28 + caplen + 4 > len) {
      throw new CaptureError(at, `pcapng packet block claims ${caplen} captured bytes but the block holds only ${len - 32}`);
    }
    if (caplen > origlen || (ifc.snaplen > 0 && caplen > ifc.snaplen)) this.stats.oddLengths++;
    this.emit(b, pos + 28, caplen, origlen, at, id, ifc, hi, lo);
  }

  private spb(b: Uint8Array, pos: number, len: number, at: number): void {
    if (len < 16) throw new CaptureError(at, `pcapng simple packet block is too short (${len} bytes)`);
    const le = this.ngLe;
    const ifc = this.iface(0, at);
    const origlen = le ? u32le(b, pos + 8) : u32be(b, pos + 8);
    let caplen = Math.min(origlen, len - 16);
    if (ifc.snaplen > 0) caplen = Math.min(caplen, ifc.snaplen);
    // SPB has no timestamp: it inherits 0 (readers such as Wireshark show the epoch too).
    this.emit(b, pos + 12, caplen, origlen, at, 0, ifc, 0, 0);
  }

  private emit(b: Uint8Array, off: number, caplen: number, origlen: number, at: number, id: number, ifc: Iface, hi: number, lo: number): void {
    const p = this.pkt;
    p.linktype = ifc.linktype;
    p.iface = id;
    p.data = b;
    p.off = off;
    p.caplen = caplen;
    p.origlen = origlen;
    p.recordOffset = at;
    this.setTs(hi, lo, ifc);
    this.stats.records++;
    this.onPacket(p);
  }
}
