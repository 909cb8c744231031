/**
 * The filter language (Wireshark-like): a lexer, a recursive-descent parser and a type check
 * against the field table. Produces a typed tree that the store compiles to parameterised SQL.
 * Pure TypeScript: the renderer checks filters as they are typed.
 *
 *   expr    := or
 *   or      := and (('||' | 'or') and)*
 *   and     := unary (('&&' | 'and') unary)*
 *   unary   := ('!' | 'not') unary | '(' expr ')' | test
 *   test    := FIELD [ op value | 'in' set | ('contains' | '~') value ]
 *   set     := '{' item ((',')? item)* '}'      item := value | NUMBER '..' NUMBER
 *   op      := == | != | < | <= | > | >= | eq | ne | lt | le | gt | ge
 */
import { fieldByName, fields, protoNames, verdicts, type FieldDef } from './fields';

export class FilterError extends Error {
  /** 1-based column in the filter text where the problem starts. */
  readonly column: number;
  readonly length: number;
  constructor(message: string, column: number, length = 1) {
    super(`${message} (column ${column})`);
    this.name = 'FilterError';
    this.column = column;
    this.length = Math.max(1, length);
  }
}

export type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** A value after type checking: what SQL compares against. */
export type TypedValue =
  | { kind: 'num'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'cidr'; version: 4 | 6; network: string; prefix: number }
  | { kind: 'range'; lo: number; hi: number }
  | { kind: 'none' }; // label == "unlabelled"

export type FilterNode =
  | { type: 'and'; left: FilterNode; right: FilterNode }
  | { type: 'or'; left: FilterNode; right: FilterNode }
  | { type: 'not'; expr: FilterNode }
  | { type: 'exists'; field: FieldDef }
  | { type: 'cmp'; field: FieldDef; op: CmpOp; value: TypedValue }
  | { type: 'in'; field: FieldDef; values: TypedValue[] }
  | { type: 'contains'; field: FieldDef; value: string }
  | { type: 'true' };

export const MAX_FILTER_LENGTH = 20_000;
const MAX_DEPTH = 64;
const MAX_SET = 10_000;

type TokKind = 'lp' | 'rp' | 'lb' | 'rb' | 'comma' | 'and' | 'or' | 'not' | 'op' | 'in' | 'contains' | 'str' | 'bare' | 'eof';
interface Tok {
  kind: TokKind;
  text: string;
  /** Decoded value for strings; the text for others. */
  value: string;
  col: number;
}

const KEYWORDS: Record<string, TokKind> = { and: 'and', or: 'or', not: 'not', in: 'in', contains: 'contains' };
const WORD_OPS: Record<string, CmpOp> = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };
const BARE = /[A-Za-z0-9_.:/+\-]/;

function lex(text: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    const col = i + 1;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '&&' || two === '||') {
      toks.push({ kind: two === '&&' ? 'and' : 'or', text: two, value: two, col });
      i += 2;
      continue;
    }
    if (two === '==' || two === '!=' || two === '<=' || two === '>=') {
      toks.push({ kind: 'op', text: two, value: two, col });
      i += 2;
      continue;
    }
    if (c === '<' || c === '>') {
      toks.push({ kind: 'op', text: c, value: c, col });
      i++;
      continue;
    }
    if (c === '=') {
      throw new FilterError('"=" is not an operator: write "==" to compare', col);
    }
    if (c === '!') {
      toks.push({ kind: 'not', text: c, value: c, col });
      i++;
      continue;
    }
    if (c === '~') {
      toks.push({ kind: 'contains', text: c, value: c, col });
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === '{' || c === '}' || c === ',') {
      const kind: TokKind = c === '(' ? 'lp' : c === ')' ? 'rp' : c === '{' ? 'lb' : c === '}' ? 'rb' : 'comma';
      toks.push({ kind, text: c, value: c, col });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let out = '';
      for (;;) {
        if (j >= n) throw new FilterError(`the string that starts here has no closing ${c}`, col);
        const d = text[j]!;
        if (d === c) break;
        if (d === '\\') {
          const e = text[j + 1];
          if (e === undefined) throw new FilterError(`the string that starts here has no closing ${c}`, col);
          if (e === 'n') out += '\n';
          else if (e === 't') out += '\t';
          else if (e === 'x') {
            const h = text.slice(j + 2, j + 4);
            if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new FilterError('"\\x" needs two hex digits', j + 1, 2);
            out += String.fromCharCode(parseInt(h, 16));
            j += 2;
          } else out += e;
          j += 2;
          continue;
        }
        out += d;
        j++;
      }
      toks.push({ kind: 'str', text: text.slice(i, j + 1), value: out, col });
      i = j + 1;
      continue;
    }
    if (BARE.test(c)) {
      let j = i + 1;
      while (j < n && BARE.test(text[j]!)) j++;
      const w = text.slice(i, j);
      const kw = KEYWORDS[w.toLowerCase()];
      const wop = WORD_OPS[w.toLowerCase()];
      if (kw) toks.push({ kind: kw, text: w, value: w, col });
      else if (wop) toks.push({ kind: 'op', text: w, value: wop, col });
      else toks.push({ kind: 'bare', text: w, value: w, col });
      i = j;
      continue;
    }
    throw new FilterError(`unexpected character ${JSON.stringify(c)}`, col);
  }
  toks.push({ kind: 'eof', text: '', value: '', col: n + 1 });
  return toks;
}

// ---- values ---------------------------------------------------------------------------------

const NUM = /^[+-]?(0x[0-9a-fA-F]+|(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?)$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseNumber(s: string): number | null {
  if (!NUM.test(s)) return null;
  const neg = s.startsWith('-');
  const body = s.replace(/^[+-]/, '');
  const v = body.startsWith('0x') || body.startsWith('0X') ? parseInt(body.slice(2), 16) : Number(body);
  if (!Number.isFinite(v)) return null;
  return neg ? -v : v;
}

export function isIPv4(s: string): boolean {
  const m = IPV4.exec(s);
  return !!m && m.slice(1).every((o) => Number(o) <= 255 && (o.length === 1 || o[0] !== '0'));
}

/** Canonical IPv6 text (lower case, zero runs compressed like inet_ntop) or null. */
export function canonicalIPv6(s: string): string | null {
  const words = expandIPv6(s);
  return words ? ipv6ToText(words) : null;
}

export function expandIPv6(s: string): number[] | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':')) return null;
  let tail: number[] = [];
  let str = s;
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    if (!isIPv4(last)) return null;
    const o = last.split('.').map(Number);
    tail = [(o[0]! << 8) | o[1]!, (o[2]! << 8) | o[3]!];
    str = s.slice(0, lastColon + 1) + '0';
  }
  const halves = str.split('::');
  if (halves.length > 2) return null;
  const parse = (h: string): number[] | null => {
    if (h === '') return [];
    const parts = h.split(':');
    const out: number[] = [];
    for (const p of parts) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
      out.push(parseInt(p, 16));
    }
    return out;
  };
  const a = parse(halves[0]!);
  const b = halves.length === 2 ? parse(halves[1]!) : [];
  if (!a || !b) return null;
  if (tail.length) {
    // the '0' placeholder took the last word
    (halves.length === 2 ? b : a).pop();
  }
  const have = a.length + b.length + tail.length;
  if (halves.length === 1 && have !== 8) return null;
  if (halves.length === 2 && have > 7) return null;
  const zeros = new Array<number>(8 - have).fill(0);
  return [...a, ...(halves.length === 2 ? zeros : []), ...b, ...tail];
}

export function ipv6ToText(w: number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = w.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** An address or CIDR block as typed in a filter; null when it is neither. */
export function parseIpValue(s: string): TypedValue | null {
  const slash = s.indexOf('/');
  const addr = slash >= 0 ? s.slice(0, slash) : s;
  const pfx = slash >= 0 ? s.slice(slash + 1) : null;
  if (isIPv4(addr)) {
    if (pfx === null) return { kind: 'str', value: addr };
    if (!/^\d{1,2}$/.test(pfx) || Number(pfx) > 32) return null;
    return { kind: 'cidr', version: 4, network: addr, prefix: Number(pfx) };
  }
  const v6 = canonicalIPv6(addr);
  if (v6) {
    if (pfx === null) return { kind: 'str', value: v6 };
    if (!/^\d{1,3}$/.test(pfx) || Number(pfx) > 128) return null;
    return { kind: 'cidr', version: 6, network: v6, prefix: Number(pfx) };
  }
  return null;
}

/** "2017-07-07", "2017-07-07 15:00[:00[.123]]" or ISO with zone; no zone means UTC. */
export function parseTimeValue(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(s.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone] = m;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec)) / 1000;
  if (!Number.isFinite(t)) return null;
  if (frac) t += Number(frac);
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const z = zone.slice(1).replace(':', '');
    t -= sign * (Number(z.slice(0, 2)) * 3600 + Number(z.slice(2)) * 60);
  }
  return t;
}

// ---- parser ---------------------------------------------------------------------------------

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok {
    return this.toks[this.i]!;
  }
  private next(): Tok {
    return this.toks[this.i++]!;
  }

  parseAll(): FilterNode {
    if (this.peek().kind === 'eof') return { type: 'true' };
    const e = this.or(0);
    const t = this.peek();
    if (t.kind !== 'eof') {
      throw new FilterError(t.kind === 'rp' ? 'this ")" has no matching "("' : `expected "&&", "||" or the end of the filter, found ${describe(t)}`, t.col, t.text.length);
    }
    return e;
  }

  private or(depth: number): FilterNode {
    let left = this.and(depth);
    while (this.peek().kind === 'or') {
      this.next();
      left = { type: 'or', left, right: this.and(depth) };
    }
    return left;
  }

  private and(depth: number): FilterNode {
    let left = this.unary(depth);
    while (this.peek().kind === 'and') {
      this.next();
      left = { type: 'and', left, right: this.unary(depth) };
    }
    return left;
  }

  private unary(depth: number): FilterNode {
    const t = this.peek();
    if (depth > MAX_DEPTH) throw new FilterError(`the filter nests deeper than ${MAX_DEPTH} levels`, t.col);
    if (t.kind === 'not') {
      this.next();
      return { type: 'not', expr: this.unary(depth + 1) };
    }
    if (t.kind === 'lp') {
      this.next();
      const e = this.or(depth + 1);
      const r = this.peek();
      if (r.kind !== 'rp') throw new FilterError(`expected ")" to close the "(" at column ${t.col}, found ${describe(r)}`, r.col, r.text.length);
      this.next();
      return e;
    }
    return this.test();
  }

  private test(): FilterNode {
    const t = this.next();
    if (t.kind !== 'bare') {
      throw new FilterError(t.kind === 'eof' ? 'the filter ends where a field name was expected' : `expected a field name, found ${describe(t)}`, t.col, t.text.length);
    }
    const field = fieldByName.get(t.text.toLowerCase());
    if (!field) throw new FilterError(`unknown field "${t.text}"${suggest(t.text)}`, t.col, t.text.length);
    const o = this.peek();
    if (o.kind === 'op') {
      this.next();
      const v = this.next();
      const op = o.value as CmpOp;
      checkOp(field, op, o);
      return { type: 'cmp', field, op, value: typeValue(field, v, op) };
    }
    if (o.kind === 'in') {
      this.next();
      return { type: 'in', field, values: this.set(field) };
    }
    if (o.kind === 'contains') {
      this.next();
      const v = this.next();
      if (!['string', 'class', 'source'].includes(field.type)) {
        throw new FilterError(`"contains" works on text fields; ${field.name} is ${article(field.type)}`, o.col, o.text.length);
      }
      if (v.kind !== 'str' && v.kind !== 'bare') throw new FilterError(`expected text after "contains", found ${describe(v)}`, v.col, v.text.length);
      return { type: 'contains', field, value: v.value };
    }
    return { type: 'exists', field };
  }

  private set(field: FieldDef): TypedValue[] {
    const lb = this.next();
    if (lb.kind !== 'lb') throw new FilterError(`expected "{" after "in", found ${describe(lb)}`, lb.col, lb.text.length);
    const out: TypedValue[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'rb') {
        this.next();
        break;
      }
      if (t.kind === 'comma') {
        this.next();
        continue;
      }
      if (t.kind === 'eof') throw new FilterError(`the set opened at column ${lb.col} has no closing "}"`, t.col);
      this.next();
      const range = t.kind === 'bare' ? /^(.+?)\.\.(.+)$/.exec(t.text) : null;
      if (range) {
        if (!isNumericType(field.type)) throw new FilterError(`a range needs a numeric field; ${field.name} is ${article(field.type)}`, t.col, t.text.length);
        const lo = parseNumber(range[1]!);
        const hi = parseNumber(range[2]!);
        if (lo === null || hi === null) throw new FilterError(`"${t.text}" is not a range of numbers (write 1..1024)`, t.col, t.text.length);
        if (lo > hi) throw new FilterError(`the range ${t.text} is empty (its start is above its end)`, t.col, t.text.length);
        out.push({ kind: 'range', lo, hi });
      } else {
        out.push(typeValue(field, t, '=='));
      }
      if (out.length > MAX_SET) throw new FilterError(`a set holds at most ${MAX_SET} values`, t.col);
    }
    if (out.length === 0) throw new FilterError('the set is empty', lb.col);
    return out;
  }
}

function isNumericType(t: FieldDef['type']): boolean {
  return t === 'int' || t === 'real' || t === 'time' || t === 'port' || t === 'proto';
}

function article(t: string): string {
  return `${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t} field`;
}

function describe(t: Tok): string {
  if (t.kind === 'eof') return 'the end of the filter';
  return JSON.stringify(t.text);
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]!;
}

function suggest(name: string): string {
  const n = name.toLowerCase().slice(0, 40);
  const near = fields
    .map((f) => ({ f: f.name, d: Math.min(distance(n, f.name), distance(n.replace(/_/g, '.'), f.name)) }))
    .filter((x) => x.d <= 2)
    .sort((a, b) => a.d - b.d)
    .map((x) => x.f);
  return near.length ? ` (did you mean ${near.slice(0, 3).join(', ')}?)` : ' (see the field list in the filter help)';
}

function checkOp(field: FieldDef, op: CmpOp, at: Tok): void {
  if (op === '==' || op === '!=') return;
  const ordered = isNumericType(field.type);
  if (!ordered) throw new FilterError(`"${at.text}" compares numbers; ${field.name} is ${article(field.type)} (use == , != , in or contains)`, at.col, at.text.length);
}

function typeValue(field: FieldDef, v: Tok, op: CmpOp): TypedValue {
  if (v.kind !== 'str' && v.kind !== 'bare') {
    throw new FilterError(v.kind === 'eof' ? `the filter ends where a value for ${field.name} was expected` : `expected a value for ${field.name}, found ${describe(v)}`, v.col, v.text.length);
  }
  const s = v.value;
  const bad = (why: string): never => {
    throw new FilterError(why, v.col, v.text.length);
  };
  switch (field.type) {
    case 'int':
    case 'real':
    case 'port': {
      const x = v.kind === 'bare' ? parseNumber(s) : null;
      if (x === null) bad(`${field.name} compares with a number, not ${JSON.stringify(s)}`);
      if (field.type === 'port' && (x! < 0 || x! > 65535 || !Number.isInteger(x))) bad(`a port is a whole number 0..65535, not ${s}`);
      return { kind: 'num', value: x! };
    }
    case 'time': {
      const x = v.kind === 'bare' ? parseNumber(s) : null;
      if (x !== null) return { kind: 'num', value: x };
      const t = parseTimeValue(s);
      if (t === null) bad(`${field.name} takes epoch seconds or a date like "2017-07-07 15:00:00" (UTC), not ${JSON.stringify(s)}`);
      return { kind: 'num', value: t! };
    }
    case 'proto': {
      const x = parseNumber(s);
      if (x !== null) {
        if (!Number.isInteger(x) || x < 0 || x > 255) bad(`a protocol number is 0..255, not ${s}`);
        return { kind: 'num', value: x };
      }
      const p = protoNames[s.toLowerCase()];
      if (p === undefined) bad(`unknown protocol ${JSON.stringify(s)} (use a number or one of ${Object.keys(protoNames).join(', ')})`);
      return { kind: 'num', value: p! };
    }
    case 'ip': {
      const ip = parseIpValue(s);
      if (!ip) bad(`${JSON.stringify(s)} is not an IPv4/IPv6 address or CIDR block`);
      if (ip!.kind === 'cidr' && op !== '==' && op !== '!=') bad('a CIDR block works with ==, != and in');
      return ip!;
    }
    case 'verdict': {
      const w = s.toLowerCase();
      if (!(verdicts as readonly string[]).includes(w)) bad(`verdict is one of ${verdicts.join(', ')}, not ${JSON.stringify(s)}`);
      return { kind: 'str', value: w };
    }
    case 'source': {
      if (v.kind === 'bare') {
        const x = parseNumber(s);
        if (x !== null) return { kind: 'num', value: x };
      }
      return { kind: 'str', value: s };
    }
    case 'class':
      if (s.toLowerCase() === 'unlabelled' || s.toLowerCase() === 'unlabeled') return { kind: 'none' };
      return { kind: 'str', value: s };
    case 'string':
      return { kind: 'str', value: s };
  }
}

/** Parses and type-checks a filter; throws FilterError with the column of the problem. */
export function parseFilter(text: string): FilterNode {
  if (text.length > MAX_FILTER_LENGTH) throw new FilterError(`a filter is at most ${MAX_FILTER_LENGTH} characters`, MAX_FILTER_LENGTH + 1);
  return new Parser(lex(text)).parseAll();
}

export type FilterCheck = { ok: true; fields: string[]; detection: boolean } | { ok: false; message: string; column: number; length: number };

/** For the filter bar: never throws. */
export function checkFilter(text: string): FilterCheck {
  try {
    const node = parseFilter(text);
    const used = new Set<string>();
    let detection = false;
    const walk = (n: FilterNode): void => {
      if (n.type === 'true') return;
      if (n.type === 'and' || n.type === 'or') {
        walk(n.left);
        walk(n.right);
      } else if (n.type === 'not') walk(n.expr);
      else {
        used.add(n.field.name);
        if (n.field.detection) detection = true;
      }
    };
    walk(node);
    return { ok: true, fields: [...used], detection };
  } catch (err) {
    if (err instanceof FilterError) return { ok: false, message: err.message, column: err.column, length: err.length };
    throw err;
  }
}
