/**
 * The streaming skeleton every flow-log importer shares: decompressed bytes (openInput) ->
 * lines (bounded length) -> one record per line -> FlowWriter batches with dataset labels in
 * the same transactions -> the source finished with its status, errors and cell statistics.
 * Memory is bounded by a chunk plus the longest line accepted; a longer line (a 100 MB line,
 * binary garbage without newlines) is skipped and reported with its line number.
 */
import { StringDecoder } from 'node:string_decoder';
import { LineError, splitDelimited } from './delimited';
import path from 'node:path';
import type { JobContext } from '../jobs/types';
import type { IngestError, IngestFileResult } from '../ingest/types';
import { openInput } from '../ingest/open';
import { createSource, finishSource } from '../store/sources';
import { FlowWriter, type FlowRecord } from '../store/flow-writer';
import { DatasetLabeler } from '../store/labels';
import { WorkbenchError } from '../errors';

export { LineError, splitDelimited };
import { canonicalIPv6, isIPv4 } from '../../../shared/filter/parse';
import { communityId, parseIp } from '../capture/community-id';

/** Lines longer than this are skipped (CIC rows are ~1 KB; a Zeek/eve line rarely over 64 KB). */
export const MAX_LINE = 1 << 20;
/** After this many bad lines in a row with nothing good in between, the file is not of this format. */
export const MAX_CONSECUTIVE_BAD = 1000;
/** Page cache of the importing connection, negative = KiB (512 MiB; pages are allocated as used). */
const IMPORT_CACHE_KIB = -524_288;
/** Errors kept in the source row (the total is counted in stats). */
const MAX_ERRORS_KEPT = 1000;


/** Splits decoded text into lines; calls back per line with its 1-based number. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private skipping = false;
  private skippedBytes = 0;
  lineNo = 0;

  constructor(
    private readonly onLine: (line: string, lineNo: number) => void,
    private readonly onTooLong: (lineNo: number, length: number) => void,
    private readonly maxLine = MAX_LINE,
  ) {}

  push(chunk: Buffer): void {
    this.feed(this.decoder.write(chunk));
  }

  end(): void {
    this.feed(this.decoder.end());
    if (this.skipping) {
      this.lineNo++;
      this.onTooLong(this.lineNo, this.skippedBytes);
    } else if (this.pending.length > 0) {
      this.lineNo++;
      this.emit(this.pending);
    }
    this.pending = '';
    this.skipping = false;
  }

  private emit(line: string): void {
    const l = line.length > 0 && line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
    this.onLine(l, this.lineNo);
  }

  private feed(text: string): void {
    if (text.length === 0) return;
    let start = 0;
    if (this.skipping) {
      const nl = text.indexOf('\n');
      if (nl < 0) {
        this.skippedBytes += text.length;
        return;
      }
      this.skippedBytes += nl;
      this.lineNo++;
      this.onTooLong(this.lineNo, this.skippedBytes);
      this.skipping = false;
      this.skippedBytes = 0;
      start = nl + 1;
    }
    let nl = text.indexOf('\n', start);
    if (nl >= 0 && this.pending.length > 0) {
      const line = this.pending + text.slice(start, nl);
      this.pending = '';
      this.lineNo++;
      if (line.length > this.maxLine) this.onTooLong(this.lineNo, line.length);
      else this.emit(line);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    while (nl >= 0) {
      this.lineNo++;
      if (nl - start > this.maxLine) this.onTooLong(this.lineNo, nl - start);
      else this.emit(text.slice(start, nl));
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    if (start < text.length) {
      const rest = this.pending + text.slice(start);
      if (rest.length > this.maxLine) {
        this.pending = '';
        this.skipping = true;
        this.skippedBytes = rest.length;
      } else {
        this.pending = rest;
      }
    }
  }
}

/** Counts of odd cells, kept in sources.stats. */
export interface CellStats {
  inf: number;
  nan: number;
  empty: number;
  malformed: number;
}

export const newCellStats = (): CellStats => ({ inf: 0, nan: 0, empty: 0, malformed: 0 });

/** A numeric cell: empty -> NaN, "Infinity"/"inf" -> Infinity, "NaN" -> NaN, junk -> NaN; counted. */
export function numCell(s: string | undefined, st: CellStats): number {
  if (s === undefined || s === '' || s === '-' || s === '(empty)') {
    st.empty++;
    return NaN;
  }
  const v = +s;
  if (v === v) {
    if (v === Infinity || v === -Infinity) st.inf++;
    return v;
  }
  const t = s.trim().toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') {
    st.inf++;
    return Infinity;
  }
  if (t === '-inf' || t === '-infinity') {
    st.inf++;
    return -Infinity;
  }
  if (t === 'nan') {
    st.nan++;
    return NaN;
  }
  if (t === '') {
    st.empty++;
    return NaN;
  }
  st.malformed++;
  return NaN;
}

/** A non-negative integer for flow counters (NaN/negative/Inf -> 0). */
export const counter = (v: number): number => (Number.isFinite(v) && v > 0 ? Math.round(v) : 0);

/** Canonical address text (IPv4 dotted, IPv6 compressed lower case) or null when not an address. */
export function canonicalIp(s: string | undefined | null): string | null {
  if (!s) return null;
  if (isIPv4(s)) return s;
  if (s.includes(':')) return canonicalIPv6(s);
  return null;
}

/** Community ID v1 when the record has addresses and a protocol. */
export function communityIdOf(proto: number | null, src: string | null, dst: string | null, sport: number | null, dport: number | null): string | null {
  if (proto === null || src === null || dst === null) return null;
  const a = parseIp(src);
  const b = parseIp(dst);
  if (a.v6 !== b.v6) return null;
  return communityId(a.v6, a.words, b.words, proto, sport ?? 0, dport ?? 0);
}

export function emptyRecord(rowNo: number): FlowRecord {
  return {
    rowNo,
    ts: null,
    endTs: null,
    proto: null,
    srcIp: null,
    dstIp: null,
    srcPort: null,
    dstPort: null,
    vlan: null,
    communityId: null,
    packetsFwd: 0,
    packetsBwd: 0,
    bytesFwd: 0,
    bytesBwd: 0,
    payloadFwd: 0,
    payloadBwd: 0,
    frameBytesFwd: 0,
    frameBytesBwd: 0,
    tcpFlags: null,
    app: null,
    hints: null,
    features: null,
    sequence: null,
    packetRefs: null,
    truth: null,
  };
}

/**
 * What a format supplies: a parser of lines. `line` returns a record, null for a line that is
 * not a record (comment, header), or throws LineError for a bad line. `finish` runs after the
 * last line (inside no transaction) for work such as late hints.
 */
export interface LineParser {
  schema: string;
  line(text: string, lineNo: number, rowNo: number): FlowRecord | null;
  /** Class name for a dataset label (default: the truth itself). */
  className?(truth: string): string | null;
  /** Called after each FlowWriter batch is committed, with the ids written. */
  afterBatch?(rows: FlowRecord[], ids: number[]): void;
  finish?(ctx: { db: import('../store/workspace').Db; sourceId: number }): void;
  stats: CellStats;
  /** Extra per-format statistics for sources.stats. */
  extraStats?(): Record<string, unknown>;
}

export interface TextImportOptions {
  file: string;
  format: string;
  parser: LineParser;
  /** Test hook: smaller batches show partial commits. */
  batchSize?: number;
}

/** Streams one text flow log into the workspace. */
export async function importTextFile(ctx: JobContext, o: TextImportOptions): Promise<IngestFileResult> {
  const db = ctx.workspace().db;
  const input = await openInput(o.file);
  // Index pages of a million-flow table outgrow the default cache and random-key inserts
  // (community id, bytes, addresses) then read from disk: give the import a big cache.
  const cacheBefore = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = ${IMPORT_CACHE_KIB}`);
  const sourceId = createSource(db, {
    path: path.resolve(o.file),
    name: path.basename(o.file),
    size: input.size,
    format: o.format,
    schema: o.parser.schema,
    jobId: ctx.jobId > 0 ? ctx.jobId : null,
  });
  const author = (db.prepare('SELECT analyst FROM workspace WHERE id = 1').pluck().get() as string | undefined) ?? '';
  const labeler = new DatasetLabeler(db, sourceId, author, o.parser.className ? (t) => o.parser.className!(t) : undefined);
  // Big batches: fewer commits rewrite the same index pages less often. A crash loses at most
  // the batch in flight; readers see whole batches.
  const writer = new FlowWriter(db, sourceId, o.parser.schema, o.batchSize ?? 20_000, (rows, ids) => {
    labeler.onBatch(rows, ids);
    o.parser.afterBatch?.(rows, ids);
  });

  const errors: IngestError[] = [];
  let errorCount = 0;
  let consecutiveBad = 0;
  let rows = 0;
  let tooLong = 0;
  let timeFirst: number | null = null;
  let timeLast: number | null = null;
  let stopped: string | null = null;

  const addError = (line: number, message: string): void => {
    errorCount++;
    if (errors.length < MAX_ERRORS_KEPT) errors.push({ file: o.file, line, message });
    consecutiveBad++;
    if (consecutiveBad >= MAX_CONSECUTIVE_BAD && stopped === null) {
      stopped = `stopped after ${MAX_CONSECUTIVE_BAD} bad lines in a row (line ${line}): the rest of the file does not look like ${o.format}`;
    }
  };

  const splitter = new LineSplitter(
    (text, lineNo) => {
      if (stopped !== null) return;
      let rec: FlowRecord | null;
      try {
        rec = o.parser.line(text, lineNo, rows + 1);
      } catch (err) {
        if (err instanceof LineError) {
          addError(lineNo, `line ${lineNo}: ${err.message}`);
          return;
        }
        throw err;
      }
      if (rec === null) return;
      rec.labelId = labeler.classFor(rec.truth);
      consecutiveBad = 0;
      rows++;
      if (rec.ts !== null) {
        if (timeFirst === null || rec.ts < timeFirst) timeFirst = rec.ts;
        const last = rec.endTs ?? rec.ts;
        if (timeLast === null || last > timeLast) timeLast = last;
      }
      writer.add(rec);
    },
    (lineNo, length) => {
      tooLong++;
      addError(lineNo, `line ${lineNo}: ${length} characters long, over the ${MAX_LINE}-character limit of a record; skipped`);
    },
  );

  let status: 'ok' | 'partial' | 'failed' = 'ok';
  let fatal: string | null = null;
  let cancelled = false;
  try {
    for await (const chunk of input) {
      splitter.push(chunk);
      ctx.progress(input.diskBytesRead, input.size, 'bytes', `${rows.toLocaleString('en-US')} flows`);
      if (stopped !== null) break;
      if (ctx.signal.aborted) {
        cancelled = true;
        break;
      }
    }
    if (stopped === null && !cancelled) splitter.end();
    writer.commit();
    o.parser.finish?.({ db, sourceId });
  } catch (err) {
    // What was read before the error stays: commit it and mark the source partial.
    fatal = err instanceof Error ? err.message : String(err);
    try {
      writer.commit();
    } catch {
      /* the database itself failed: nothing more to save */
    }
  }
  if (fatal !== null) errors.push({ file: o.file, line: splitter.lineNo, message: fatal });
  if (stopped !== null) errors.push({ file: o.file, line: splitter.lineNo, message: stopped });
  if (cancelled) errors.push({ file: o.file, line: splitter.lineNo, message: `cancelled after line ${splitter.lineNo}` });
  if (rows === 0 && (fatal !== null || stopped !== null || errorCount > 0)) status = 'failed';
  else if (fatal !== null || stopped !== null || errorCount > 0 || cancelled) status = 'partial';

  let sha256: string | null = null;
  try {
    sha256 = await input.sha256();
  } catch {
    sha256 = null;
  }
  if (writer.written > 0) {
    // Planner statistics (sampled, so quick): with them a filtered page picks the right index.
    try {
      db.exec('PRAGMA analysis_limit = 1000; ANALYZE flows; ANALYZE labels;');
    } catch {
      /* statistics are an optimisation */
    }
  }
  db.pragma(`cache_size = ${cacheBefore}`);
  finishSource(db, sourceId, {
    status,
    sha256,
    flowCount: writer.written,
    timeFirst,
    timeLast,
    errors,
    stats: {
      lines: splitter.lineNo,
      rows,
      errors: errorCount,
      tooLongLines: tooLong,
      labelled: labeler.labelled,
      cells: o.parser.stats,
      ...(o.parser.extraStats?.() ?? {}),
    },
  });
  if (cancelled) throw new WorkbenchError('E_CANCELLED', `Import of ${o.file} cancelled after ${writer.written} flows (kept; the source is partial).`);
  return { sourceId, format: o.format, packets: 0, flows: writer.written, bytes: input.bytesRead, errors, status };
}


/** The delimiter of a header line: the one of , ; TAB that splits it into the most cells. */
export function guessDelimiter(header: string): string {
  let best = ',';
  let n = 0;
  for (const d of [',', ';', '\t']) {
    const k = header.split(d).length;
    if (k > n) {
      n = k;
      best = d;
    }
  }
  return best;
}

export const stripBom = (s: string): string => (s.charCodeAt(0) === 0xfeff ? s.slice(1) : s);

/** Complete lines of a sniff buffer (the last, possibly cut, line dropped when the buffer is full). */
export function headLines(head: Buffer, max = 50): string[] {
  const text = stripBom(head.toString('utf8'));
  const lines = text.split('\n');
  if (head.length >= 64 * 1024 && lines.length > 1) lines.pop();
  return lines.slice(0, max).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

export const protoByName: Readonly<Record<string, number>> = {
  icmp: 1,
  igmp: 2,
  ipip: 4,
  tcp: 6,
  egp: 8,
  igp: 9,
  udp: 17,
  rdp: 27,
  ipv6: 41,
  'ipv6-route': 43,
  'ipv6-frag': 44,
  rsvp: 46,
  gre: 47,
  esp: 50,
  ah: 51,
  icmpv6: 58,
  'ipv6-icmp': 58,
  'ipv6-no': 59,
  'ipv6-opts': 60,
  eigrp: 88,
  ospf: 89,
  pim: 103,
  vrrp: 112,
  l2tp: 115,
  sctp: 132,
};
