/**
 * The label taxonomy: how class names from datasets and analysts meet. `DoS Hulk`, `dos_hulk`
 * and `DoS-Hulk` share one key (lower case, letters and digits only), and known keys map to a
 * canonical display name, a kind and MITRE ATT&CK technique ids. Pure data and functions: the
 * renderer uses it too.
 */

export type ClassKind = 'benign' | 'attack' | 'unknown';

export interface KnownClass {
  name: string;
  kind: ClassKind;
  attack: string[];
  colour: string;
  /** Other spellings seen in datasets (compared by key, so case and punctuation do not matter). */
  aliases?: string[];
}

/** The comparison key of a class name: NFKD, lower case, ASCII letters and digits only. */
export function classKey(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

const RED = '#d62728';
const ORANGE = '#ff7f0e';
const PURPLE = '#9467bd';
const BROWN = '#8c564b';
const PINK = '#e377c2';
const OLIVE = '#bcbd22';
const CYAN = '#17becf';
const BLUE = '#1f77b4';

/**
 * Classes of the public datasets we read (CIC-IDS2017, UNSW-NB15, NSL-KDD / KDD'99) with the
 * ATT&CK techniques that describe them. Where a dataset class is too broad for one technique
 * (UNSW `Generic`, `Fuzzers`) the list is empty rather than a guess.
 */
export const knownClasses: KnownClass[] = [
  { name: 'Benign', kind: 'benign', attack: [], colour: '#2ca02c', aliases: ['normal', 'BENIGN', 'background', 'legitimate'] },
  { name: 'Attack', kind: 'attack', attack: [], colour: RED, aliases: ['malicious', 'anomaly'] },
  { name: 'Unknown', kind: 'unknown', attack: [], colour: '#7f7f7f', aliases: ['unknown'] },
  // CIC-IDS2017 (original and improved layouts) and its grouped labels (LCCDE sample)
  { name: 'DoS Hulk', kind: 'attack', attack: ['T1499.002'], colour: RED },
  { name: 'DoS GoldenEye', kind: 'attack', attack: ['T1499.002'], colour: RED },
  { name: 'DoS slowloris', kind: 'attack', attack: ['T1499.002'], colour: RED },
  { name: 'DoS Slowhttptest', kind: 'attack', attack: ['T1499.002'], colour: RED },
  { name: 'DoS', kind: 'attack', attack: ['T1499'], colour: RED, aliases: ['dos attack'] },
  { name: 'DDoS', kind: 'attack', attack: ['T1498'], colour: RED, aliases: ['ddos loit', 'ddos attack'] },
  { name: 'PortScan', kind: 'attack', attack: ['T1046'], colour: ORANGE, aliases: ['port scan', 'portscanning'] },
  { name: 'FTP-Patator', kind: 'attack', attack: ['T1110'], colour: PURPLE },
  { name: 'SSH-Patator', kind: 'attack', attack: ['T1110'], colour: PURPLE },
  { name: 'BruteForce', kind: 'attack', attack: ['T1110'], colour: PURPLE, aliases: ['brute force'] },
  { name: 'Bot', kind: 'attack', attack: ['T1071'], colour: BROWN, aliases: ['botnet', 'bot ares'] },
  { name: 'Web Attack Brute Force', kind: 'attack', attack: ['T1110'], colour: PINK, aliases: ['web attack \u2013 brute force', 'web attack \ufffd brute force'] },
  { name: 'Web Attack XSS', kind: 'attack', attack: ['T1189'], colour: PINK, aliases: ['web attack \u2013 xss', 'web attack \ufffd xss'] },
  { name: 'Web Attack Sql Injection', kind: 'attack', attack: ['T1190'], colour: PINK, aliases: ['web attack \u2013 sql injection', 'web attack \ufffd sql injection'] },
  { name: 'WebAttack', kind: 'attack', attack: ['T1190'], colour: PINK, aliases: ['web attack'] },
  { name: 'Infiltration', kind: 'attack', attack: ['T1204'], colour: OLIVE, aliases: ['infilteration'] },
  { name: 'Heartbleed', kind: 'attack', attack: ['T1190'], colour: OLIVE },
  // UNSW-NB15 attack_cat
  { name: 'Fuzzers', kind: 'attack', attack: [], colour: CYAN },
  { name: 'Analysis', kind: 'attack', attack: ['T1595'], colour: CYAN },
  { name: 'Backdoor', kind: 'attack', attack: ['T1505'], colour: BROWN, aliases: ['backdoors'] },
  { name: 'Exploits', kind: 'attack', attack: ['T1190', 'T1203'], colour: PINK },
  { name: 'Generic', kind: 'attack', attack: [], colour: CYAN },
  { name: 'Reconnaissance', kind: 'attack', attack: ['T1595', 'T1046'], colour: ORANGE },
  { name: 'Shellcode', kind: 'attack', attack: ['T1059'], colour: PINK },
  { name: 'Worms', kind: 'attack', attack: ['T1210'], colour: BROWN },
  // NSL-KDD / KDD'99 (41-feature records): DoS
  { name: 'back', kind: 'attack', attack: ['T1499.002'], colour: RED },
  { name: 'land', kind: 'attack', attack: ['T1499'], colour: RED },
  { name: 'neptune', kind: 'attack', attack: ['T1499.001'], colour: RED },
  { name: 'pod', kind: 'attack', attack: ['T1499'], colour: RED },
  { name: 'smurf', kind: 'attack', attack: ['T1498.001'], colour: RED },
  { name: 'teardrop', kind: 'attack', attack: ['T1499'], colour: RED },
  { name: 'apache2', kind: 'attack', attack: ['T1499.002'], colour: RED },
  { name: 'mailbomb', kind: 'attack', attack: ['T1499.002'], colour: RED },
  { name: 'processtable', kind: 'attack', attack: ['T1499'], colour: RED },
  { name: 'udpstorm', kind: 'attack', attack: ['T1498.001'], colour: RED },
  // probes
  { name: 'ipsweep', kind: 'attack', attack: ['T1595.001'], colour: ORANGE },
  { name: 'nmap', kind: 'attack', attack: ['T1046'], colour: ORANGE },
  { name: 'portsweep', kind: 'attack', attack: ['T1046'], colour: ORANGE },
  { name: 'satan', kind: 'attack', attack: ['T1595.002'], colour: ORANGE },
  { name: 'mscan', kind: 'attack', attack: ['T1595.002'], colour: ORANGE },
  { name: 'saint', kind: 'attack', attack: ['T1595.002'], colour: ORANGE },
  // remote to local
  { name: 'ftp_write', kind: 'attack', attack: ['T1105'], colour: PURPLE },
  { name: 'guess_passwd', kind: 'attack', attack: ['T1110.001'], colour: PURPLE },
  { name: 'imap', kind: 'attack', attack: ['T1190'], colour: PURPLE },
  { name: 'multihop', kind: 'attack', attack: ['T1021'], colour: PURPLE },
  { name: 'phf', kind: 'attack', attack: ['T1190'], colour: PURPLE },
  { name: 'spy', kind: 'attack', attack: ['T1005'], colour: PURPLE },
  { name: 'warezclient', kind: 'attack', attack: ['T1105'], colour: PURPLE },
  { name: 'warezmaster', kind: 'attack', attack: ['T1105'], colour: PURPLE },
  { name: 'named', kind: 'attack', attack: ['T1190'], colour: PURPLE },
  { name: 'sendmail', kind: 'attack', attack: ['T1190'], colour: PURPLE },
  { name: 'snmpgetattack', kind: 'attack', attack: ['T1602.001'], colour: PURPLE },
  { name: 'snmpguess', kind: 'attack', attack: ['T1110'], colour: PURPLE },
  { name: 'worm', kind: 'attack', attack: ['T1210'], colour: PURPLE },
  { name: 'xlock', kind: 'attack', attack: ['T1056'], colour: PURPLE },
  { name: 'xsnoop', kind: 'attack', attack: ['T1056'], colour: PURPLE },
  { name: 'httptunnel', kind: 'attack', attack: ['T1572'], colour: PURPLE },
  // user to root
  { name: 'buffer_overflow', kind: 'attack', attack: ['T1068'], colour: BLUE },
  { name: 'loadmodule', kind: 'attack', attack: ['T1068'], colour: BLUE },
  { name: 'perl', kind: 'attack', attack: ['T1068'], colour: BLUE },
  { name: 'rootkit', kind: 'attack', attack: ['T1014'], colour: BLUE },
  { name: 'ps', kind: 'attack', attack: ['T1068'], colour: BLUE },
  { name: 'sqlattack', kind: 'attack', attack: ['T1190'], colour: BLUE },
  { name: 'xterm', kind: 'attack', attack: ['T1068'], colour: BLUE },
];

const byKey = new Map<string, KnownClass>();
for (const c of knownClasses) {
  byKey.set(classKey(c.name), c);
  for (const a of c.aliases ?? []) byKey.set(classKey(a), c);
}

/** The known class for a raw name, if any. */
export function lookupClass(raw: string): KnownClass | undefined {
  return byKey.get(classKey(raw));
}

/**
 * The display name a raw dataset label gets: the canonical name when known, else the raw
 * name trimmed (first spelling wins in a workspace; see ensureClass).
 */
export function normaliseClassName(raw: string): string {
  const k = lookupClass(raw);
  return k ? k.name : raw.trim().replace(/\s+/g, ' ');
}

/** Kind for a name we do not know: 'unknown' (an analyst sets it in the taxonomy editor). */
export function kindOf(raw: string): ClassKind {
  return lookupClass(raw)?.kind ?? 'unknown';
}

/** ATT&CK technique ids look like T1234 or T1234.001. */
export const ATTACK_ID = /^T\d{4}(\.\d{3})?$/;

/** The label value a filter uses for flows without a current label. */
export const UNLABELLED = 'unlabelled';
