/** Display formatting shared by the views: sizes, times, protocols, numbers, flow cells. */
import { protoNames } from '$shared/filter/fields';

const protoByNumber = new Map<number, string>(Object.entries(protoNames).map(([k, v]) => [v, k]));

export function size(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toLocaleString('en-US');
}

/** Epoch seconds as UTC `YYYY-MM-DD HH:MM:SS.mmm`. */
export function time(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '';
  return new Date(sec * 1000).toISOString().replace('T', ' ').replace('Z', '');
}

export function proto(p: number | null | undefined): string {
  if (p === null || p === undefined) return '';
  return protoByNumber.get(p) ?? String(p);
}

export function num(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined) return '';
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return v.toFixed(digits);
}

export function pct(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(1)} %`;
}

/** One flow table cell as text, by column (filter field) name. */
export function cell(col: string, v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  switch (col) {
    case 'ts':
    case 'end':
      return time(v);
    case 'proto':
      return proto(v);
    case 'duration':
      return v.toFixed(3);
    case 'score':
    case 'novelty':
      return v.toFixed(3);
    case 'id':
    case 'row':
    case 'src.port':
    case 'dst.port':
    case 'source':
    case 'vlan':
      return String(v);
    default:
      return num(v);
  }
}

/** TCP flag bits as letters (FSRPAUEC). */
export function tcpFlags(bits: number): string {
  const names = 'FSRPAUEC';
  let s = '';
  for (let i = 0; i < 8; i++) if (bits & (1 << i)) s += names[i];
  return s || '·';
}

export function ago(iso: string): string {
  const d = Date.parse(iso);
  if (!Number.isFinite(d)) return iso;
  return new Date(d).toISOString().replace('T', ' ').slice(0, 19);
}
