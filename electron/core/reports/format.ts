/** Small formatters shared by the report renderers (plain strings; escaping happens later). */

const PROTOCOLS: Record<number, string> = {
  1: 'icmp',
  2: 'igmp',
  4: 'ipip',
  6: 'tcp',
  17: 'udp',
  41: 'ipv6',
  47: 'gre',
  50: 'esp',
  51: 'ah',
  58: 'ipv6-icmp',
  89: 'ospf',
  103: 'pim',
  112: 'vrrp',
  132: 'sctp',
};

/** IANA protocol keyword in lower case (STIX uses these), else `proto-N`; null when unknown. */
export function protoName(p: number | null): string | null {
  if (p === null || !Number.isInteger(p) || p < 0 || p > 255) return null;
  return PROTOCOLS[p] ?? `proto-${p}`;
}

/** Epoch seconds as `2024-05-01 12:00:03.250Z`; empty for null. */
export function fmtTime(t: number | null, withMs = true): string {
  if (t === null || !Number.isFinite(t)) return '';
  const d = new Date(t * 1000);
  if (Number.isNaN(d.getTime())) return '';
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${withMs ? iso.slice(11, 23) : iso.slice(11, 19)}Z`;
}

/** Epoch seconds as an RFC 3339 timestamp with Z, as STIX requires; null when out of range. */
export function isoTime(t: number | null): string | null {
  if (t === null || !Number.isFinite(t)) return null;
  const d = new Date(t * 1000);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1 || d.getUTCFullYear() > 9999) return null;
  return d.toISOString();
}

export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return '';
  const a = Math.abs(n);
  if (a >= 1e12) return `${(n / 1e12).toFixed(2)} TB`;
  if (a >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (a >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

export function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '';
}

export function fmtScore(n: number): string {
  return Number.isFinite(n) ? n.toFixed(3) : '';
}

export function fmtDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

/** `10.0.0.1:443` or `[2001:db8::1]:443`; the address alone when there is no port. */
export function endpoint(ip: string | null, port: number | null): string {
  if (ip === null || ip === '') return port === null ? '' : `:${port}`;
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return port === null ? host : `${host}:${port}`;
}
