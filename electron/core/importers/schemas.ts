/**
 * Feature schemas of the flow-log importers: the order of values in a flow's `features` BLOB
 * (Float32Array) for each schema, and what kind of quantity each is so a model's scaling
 * pipeline can treat it (log1p for counts, sizes and rates; robust scaling; one-hot for
 * categorical columns).
 *
 * Encoding rules, the same for every schema:
 * - a missing, empty or unparsable cell is NaN; an infinite value (CICFlowMeter writes
 *   "Infinity" for rates of zero-length flows) is kept as +/-Infinity;
 * - a categorical column holds the index of its value in `categories`, or -1 for a value not
 *   in the list (NaN when the cell is missing).
 */

export type FeatureKind = 'count' | 'rate' | 'size' | 'time' | 'ratio' | 'flag' | 'categorical';

export interface FeatureDef {
  name: string;
  kind: FeatureKind;
  categories?: string[];
}

export interface FeatureSchema {
  features: FeatureDef[];
}

const f = (name: string, kind: FeatureKind, categories?: string[]): FeatureDef => (categories ? { name, kind, categories } : { name, kind });

// ---- CICFlowMeter (CIC-IDS2017 original and improved layouts) ------------------------------
/**
 * Canonical names are the original CIC-IDS2017 column names; `aliases` lists the spellings of
 * the improved layout (Engelen et al.) and of CICFlowMeter v4 / the Python port, compared by
 * key (lower case, letters and digits only).
 */
export const cicFeatures: { def: FeatureDef; aliases: string[] }[] = [
  { def: f('Flow Duration', 'time'), aliases: ['Flow_Duration'] },
  { def: f('Total Fwd Packets', 'count'), aliases: ['Total Fwd Packet', 'Tot Fwd Pkts'] },
  { def: f('Total Backward Packets', 'count'), aliases: ['Total Bwd packets', 'Tot Bwd Pkts'] },
  { def: f('Total Length of Fwd Packets', 'size'), aliases: ['Total Length of Fwd Packet', 'TotLen Fwd Pkts'] },
  { def: f('Total Length of Bwd Packets', 'size'), aliases: ['Total Length of Bwd Packet', 'TotLen Bwd Pkts'] },
  { def: f('Fwd Packet Length Max', 'size'), aliases: ['Fwd Pkt Len Max'] },
  { def: f('Fwd Packet Length Min', 'size'), aliases: ['Fwd Pkt Len Min'] },
  { def: f('Fwd Packet Length Mean', 'size'), aliases: ['Fwd Pkt Len Mean'] },
  { def: f('Fwd Packet Length Std', 'size'), aliases: ['Fwd Pkt Len Std'] },
  { def: f('Bwd Packet Length Max', 'size'), aliases: ['Bwd Pkt Len Max'] },
  { def: f('Bwd Packet Length Min', 'size'), aliases: ['Bwd Pkt Len Min'] },
  { def: f('Bwd Packet Length Mean', 'size'), aliases: ['Bwd Pkt Len Mean'] },
  { def: f('Bwd Packet Length Std', 'size'), aliases: ['Bwd Pkt Len Std'] },
  { def: f('Flow Bytes/s', 'rate'), aliases: ['Flow Byts/s'] },
  { def: f('Flow Packets/s', 'rate'), aliases: ['Flow Pkts/s'] },
  { def: f('Flow IAT Mean', 'time'), aliases: [] },
  { def: f('Flow IAT Std', 'time'), aliases: [] },
  { def: f('Flow IAT Max', 'time'), aliases: [] },
  { def: f('Flow IAT Min', 'time'), aliases: [] },
  { def: f('Fwd IAT Total', 'time'), aliases: ['Fwd IAT Tot'] },
  { def: f('Fwd IAT Mean', 'time'), aliases: [] },
  { def: f('Fwd IAT Std', 'time'), aliases: [] },
  { def: f('Fwd IAT Max', 'time'), aliases: [] },
  { def: f('Fwd IAT Min', 'time'), aliases: [] },
  { def: f('Bwd IAT Total', 'time'), aliases: ['Bwd IAT Tot'] },
  { def: f('Bwd IAT Mean', 'time'), aliases: [] },
  { def: f('Bwd IAT Std', 'time'), aliases: [] },
  { def: f('Bwd IAT Max', 'time'), aliases: [] },
  { def: f('Bwd IAT Min', 'time'), aliases: [] },
  { def: f('Fwd PSH Flags', 'count'), aliases: [] },
  { def: f('Bwd PSH Flags', 'count'), aliases: [] },
  { def: f('Fwd URG Flags', 'count'), aliases: [] },
  { def: f('Bwd URG Flags', 'count'), aliases: [] },
  { def: f('Fwd RST Flags', 'count'), aliases: [] },
  { def: f('Bwd RST Flags', 'count'), aliases: [] },
  { def: f('Fwd Header Length', 'size'), aliases: ['Fwd Header Len'] },
  { def: f('Bwd Header Length', 'size'), aliases: ['Bwd Header Len'] },
  { def: f('Fwd Packets/s', 'rate'), aliases: ['Fwd Pkts/s'] },
  { def: f('Bwd Packets/s', 'rate'), aliases: ['Bwd Pkts/s'] },
  { def: f('Min Packet Length', 'size'), aliases: ['Packet Length Min', 'Pkt Len Min'] },
  { def: f('Max Packet Length', 'size'), aliases: ['Packet Length Max', 'Pkt Len Max'] },
  { def: f('Packet Length Mean', 'size'), aliases: ['Pkt Len Mean'] },
  { def: f('Packet Length Std', 'size'), aliases: ['Pkt Len Std'] },
  { def: f('Packet Length Variance', 'size'), aliases: ['Pkt Len Var'] },
  { def: f('FIN Flag Count', 'count'), aliases: ['FIN Flag Cnt'] },
  { def: f('SYN Flag Count', 'count'), aliases: ['SYN Flag Cnt'] },
  { def: f('RST Flag Count', 'count'), aliases: ['RST Flag Cnt'] },
  { def: f('PSH Flag Count', 'count'), aliases: ['PSH Flag Cnt'] },
  { def: f('ACK Flag Count', 'count'), aliases: ['ACK Flag Cnt'] },
  { def: f('URG Flag Count', 'count'), aliases: ['URG Flag Cnt'] },
  // The original layout misspells CWR as "CWE".
  { def: f('CWE Flag Count', 'count'), aliases: ['CWR Flag Count', 'CWE Flag Cnt', 'CWR Flag Cnt'] },
  { def: f('ECE Flag Count', 'count'), aliases: ['ECE Flag Cnt'] },
  { def: f('Down/Up Ratio', 'ratio'), aliases: [] },
  { def: f('Average Packet Size', 'size'), aliases: ['Pkt Size Avg'] },
  { def: f('Avg Fwd Segment Size', 'size'), aliases: ['Fwd Segment Size Avg', 'Fwd Seg Size Avg'] },
  { def: f('Avg Bwd Segment Size', 'size'), aliases: ['Bwd Segment Size Avg', 'Bwd Seg Size Avg'] },
  { def: f('Fwd Avg Bytes/Bulk', 'size'), aliases: ['Fwd Bytes/Bulk Avg', 'Fwd Byts/b Avg'] },
  { def: f('Fwd Avg Packets/Bulk', 'count'), aliases: ['Fwd Packet/Bulk Avg', 'Fwd Pkts/b Avg'] },
  { def: f('Fwd Avg Bulk Rate', 'rate'), aliases: ['Fwd Bulk Rate Avg', 'Fwd Blk Rate Avg'] },
  { def: f('Bwd Avg Bytes/Bulk', 'size'), aliases: ['Bwd Bytes/Bulk Avg', 'Bwd Byts/b Avg'] },
  { def: f('Bwd Avg Packets/Bulk', 'count'), aliases: ['Bwd Packet/Bulk Avg', 'Bwd Pkts/b Avg'] },
  { def: f('Bwd Avg Bulk Rate', 'rate'), aliases: ['Bwd Bulk Rate Avg', 'Bwd Blk Rate Avg'] },
  { def: f('Subflow Fwd Packets', 'count'), aliases: ['Subflow Fwd Pkts'] },
  { def: f('Subflow Fwd Bytes', 'size'), aliases: ['Subflow Fwd Byts'] },
  { def: f('Subflow Bwd Packets', 'count'), aliases: ['Subflow Bwd Pkts'] },
  { def: f('Subflow Bwd Bytes', 'size'), aliases: ['Subflow Bwd Byts'] },
  { def: f('Init_Win_bytes_forward', 'size'), aliases: ['FWD Init Win Bytes', 'Init Fwd Win Byts'] },
  { def: f('Init_Win_bytes_backward', 'size'), aliases: ['Bwd Init Win Bytes', 'Init Bwd Win Byts'] },
  { def: f('act_data_pkt_fwd', 'count'), aliases: ['Fwd Act Data Pkts'] },
  { def: f('min_seg_size_forward', 'size'), aliases: ['Fwd Seg Size Min'] },
  { def: f('Active Mean', 'time'), aliases: [] },
  { def: f('Active Std', 'time'), aliases: [] },
  { def: f('Active Max', 'time'), aliases: [] },
  { def: f('Active Min', 'time'), aliases: [] },
  { def: f('Idle Mean', 'time'), aliases: [] },
  { def: f('Idle Std', 'time'), aliases: [] },
  { def: f('Idle Max', 'time'), aliases: [] },
  { def: f('Idle Min', 'time'), aliases: [] },
  { def: f('ICMP Code', 'count'), aliases: [] },
  { def: f('ICMP Type', 'count'), aliases: [] },
  { def: f('Total TCP Flow Time', 'time'), aliases: [] },
];

// ---- UNSW-NB15 (training/testing set CSV) -------------------------------------------------
export const unswProtos = 'tcp udp unas arp ospf sctp any gre ipv6 ip igmp icmp pim rtp 3pc a/n aes-sp3-d argus aris ax.25 bbn-rcc bna br-sat-mon cbt cftp chaos compaq-peer cphb cpnx crtp crudp dcn ddp ddx dgp egp eigrp emcon encap etherip fc fire ggp gmtp hmp i-nlsp iatp ib idpr idpr-cmtp idrp ifmp igp il ipcomp ipcv ipip iplt ipnip ippc ipv6-frag ipv6-no ipv6-opts ipv6-route ipx-n-ip irtp isis iso-ip iso-tp4 kryptolan l2tp larp leaf-1 leaf-2 merit-inp mfe-nsp mhrp micp mobile mtp mux narp netblt nsfnet-igp nvp pgm pipe pnni pri-enc prm ptp pup pvp qnx rdp rsvp rvd sat-expak sat-mon sccopmce scps sdrp secure-vmtp sep skip sm smp snp sprite-rpc sps srp st2 stp sun-nd swipe tcf tlsp tp++ trunk-1 trunk-2 ttp uti vines visa vmtp vrrp wb-expak wb-mon wsn xnet xns-idp xtp zero'.split(' ');
export const unswServices = ['-', 'dns', 'http', 'smtp', 'ftp-data', 'ftp', 'ssh', 'pop3', 'dhcp', 'snmp', 'ssl', 'irc', 'radius'];
export const unswStates = ['FIN', 'INT', 'CON', 'REQ', 'RST', 'ACC', 'CLO', 'ECO', 'PAR', 'URN', 'no'];

export const unswFeatures: FeatureDef[] = [
  f('dur', 'time'),
  f('proto', 'categorical', unswProtos),
  f('service', 'categorical', unswServices),
  f('state', 'categorical', unswStates),
  f('spkts', 'count'),
  f('dpkts', 'count'),
  f('sbytes', 'size'),
  f('dbytes', 'size'),
  f('rate', 'rate'),
  f('sttl', 'count'),
  f('dttl', 'count'),
  f('sload', 'rate'),
  f('dload', 'rate'),
  f('sloss', 'count'),
  f('dloss', 'count'),
  f('sinpkt', 'time'),
  f('dinpkt', 'time'),
  f('sjit', 'time'),
  f('djit', 'time'),
  f('swin', 'size'),
  f('stcpb', 'count'),
  f('dtcpb', 'count'),
  f('dwin', 'size'),
  f('tcprtt', 'time'),
  f('synack', 'time'),
  f('ackdat', 'time'),
  f('smean', 'size'),
  f('dmean', 'size'),
  f('trans_depth', 'count'),
  f('response_body_len', 'size'),
  f('ct_srv_src', 'count'),
  f('ct_state_ttl', 'count'),
  f('ct_dst_ltm', 'count'),
  f('ct_src_dport_ltm', 'count'),
  f('ct_dst_sport_ltm', 'count'),
  f('ct_dst_src_ltm', 'count'),
  f('is_ftp_login', 'flag'),
  f('ct_ftp_cmd', 'count'),
  f('ct_flw_http_mthd', 'count'),
  f('ct_src_ltm', 'count'),
  f('ct_srv_dst', 'count'),
  f('is_sm_ips_ports', 'flag'),
];

// ---- NSL-KDD and KDD'99 (41 features, no header) -------------------------------------------
export const kddProtocols = ['tcp', 'udp', 'icmp'];
export const kddServices = 'IRC X11 Z39_50 aol auth bgp courier csnet_ns ctf daytime discard domain domain_u echo eco_i ecr_i efs exec finger ftp ftp_data gopher harvest hostnames http http_2784 http_443 http_8001 imap4 iso_tsap klogin kshell ldap link login mtp name netbios_dgm netbios_ns netbios_ssn netstat nnsp nntp ntp_u other pm_dump pop_2 pop_3 printer private red_i remote_job rje shell smtp sql_net ssh sunrpc supdup systat telnet tftp_u tim_i time urh_i urp_i uucp uucp_path vmnet whois'.split(' ');
export const kddFlags = ['OTH', 'REJ', 'RSTO', 'RSTOS0', 'RSTR', 'S0', 'S1', 'S2', 'S3', 'SF', 'SH'];

export const nslkddFeatures: FeatureDef[] = [
  f('duration', 'time'),
  f('protocol_type', 'categorical', kddProtocols),
  f('service', 'categorical', kddServices),
  f('flag', 'categorical', kddFlags),
  f('src_bytes', 'size'),
  f('dst_bytes', 'size'),
  f('land', 'flag'),
  f('wrong_fragment', 'count'),
  f('urgent', 'count'),
  f('hot', 'count'),
  f('num_failed_logins', 'count'),
  f('logged_in', 'flag'),
  f('num_compromised', 'count'),
  f('root_shell', 'flag'),
  f('su_attempted', 'flag'),
  f('num_root', 'count'),
  f('num_file_creations', 'count'),
  f('num_shells', 'count'),
  f('num_access_files', 'count'),
  f('num_outbound_cmds', 'count'),
  f('is_host_login', 'flag'),
  f('is_guest_login', 'flag'),
  f('count', 'count'),
  f('srv_count', 'count'),
  f('serror_rate', 'ratio'),
  f('srv_serror_rate', 'ratio'),
  f('rerror_rate', 'ratio'),
  f('srv_rerror_rate', 'ratio'),
  f('same_srv_rate', 'ratio'),
  f('diff_srv_rate', 'ratio'),
  f('srv_diff_host_rate', 'ratio'),
  f('dst_host_count', 'count'),
  f('dst_host_srv_count', 'count'),
  f('dst_host_same_srv_rate', 'ratio'),
  f('dst_host_diff_srv_rate', 'ratio'),
  f('dst_host_same_src_port_rate', 'ratio'),
  f('dst_host_srv_diff_host_rate', 'ratio'),
  f('dst_host_serror_rate', 'ratio'),
  f('dst_host_srv_serror_rate', 'ratio'),
  f('dst_host_rerror_rate', 'ratio'),
  f('dst_host_srv_rerror_rate', 'ratio'),
];

// ---- Zeek conn.log --------------------------------------------------------------------------
export const zeekProtos = ['tcp', 'udp', 'icmp', 'unknown_transport'];
export const zeekConnStates = ['S0', 'S1', 'SF', 'REJ', 'S2', 'S3', 'RSTO', 'RSTR', 'RSTOS0', 'RSTRH', 'SH', 'SHR', 'OTH'];
export const zeekServices = ['-', 'dns', 'http', 'ssl', 'ssh', 'ftp', 'ftp-data', 'smtp', 'dhcp', 'ntp', 'snmp', 'smb', 'krb', 'ldap', 'dce_rpc', 'rdp', 'sip', 'irc', 'mysql', 'radius', 'quic', 'pop3', 'imap', 'socks', 'gssapi', 'ntlm', 'modbus', 'dnp3', 'syslog', 'xmpp', 'other'];

export const zeekConnFeatures: FeatureDef[] = [
  f('duration', 'time'),
  f('proto', 'categorical', zeekProtos),
  f('service', 'categorical', zeekServices),
  f('conn_state', 'categorical', zeekConnStates),
  f('orig_bytes', 'size'),
  f('resp_bytes', 'size'),
  f('missed_bytes', 'size'),
  f('orig_pkts', 'count'),
  f('orig_ip_bytes', 'size'),
  f('resp_pkts', 'count'),
  f('resp_ip_bytes', 'size'),
  f('local_orig', 'flag'),
  f('local_resp', 'flag'),
  /** History letters (originator upper case, responder lower case) as flags. */
  f('history_syn', 'flag'),
  f('history_synack', 'flag'),
  f('history_fin_orig', 'flag'),
  f('history_fin_resp', 'flag'),
  f('history_rst_orig', 'flag'),
  f('history_rst_resp', 'flag'),
  f('history_data_orig', 'flag'),
  f('history_data_resp', 'flag'),
  f('history_length', 'count'),
];

// ---- Suricata eve.json flow events -------------------------------------------------------------
export const eveProtos = ['TCP', 'UDP', 'ICMP', 'IPV6-ICMP', 'SCTP', 'GRE'];
export const eveAppProtos = ['failed', 'dns', 'http', 'http2', 'tls', 'ssh', 'smb', 'dcerpc', 'ftp', 'ftp-data', 'smtp', 'dhcp', 'ntp', 'snmp', 'krb5', 'ikev2', 'nfs', 'tftp', 'sip', 'rdp', 'rfb', 'mqtt', 'quic', 'modbus', 'dnp3', 'enip', 'imap', 'pop3', 'ldap', 'websocket'];
export const eveStates = ['new', 'established', 'closed', 'bypassed'];
export const eveReasons = ['timeout', 'forced', 'shutdown', 'tcp_reuse', 'unknown'];

export const eveFeatures: FeatureDef[] = [
  f('duration', 'time'),
  f('proto', 'categorical', eveProtos),
  f('app_proto', 'categorical', eveAppProtos),
  f('state', 'categorical', eveStates),
  f('reason', 'categorical', eveReasons),
  f('pkts_toserver', 'count'),
  f('pkts_toclient', 'count'),
  f('bytes_toserver', 'size'),
  f('bytes_toclient', 'size'),
  f('alerted', 'flag'),
  f('alert_count', 'count'),
  f('tcp_syn', 'flag'),
  f('tcp_fin', 'flag'),
  f('tcp_rst', 'flag'),
  f('tcp_psh', 'flag'),
  f('tcp_ack', 'flag'),
];

export const featureSchemas: Record<string, FeatureSchema> = {
  cic: { features: cicFeatures.map((c) => c.def) },
  unsw: { features: unswFeatures },
  nslkdd: { features: nslkddFeatures },
  'zeek-conn': { features: zeekConnFeatures },
  eve: { features: eveFeatures },
};

/** Index of `value` in a categorical feature's list: -1 when absent, NaN when missing. */
export function categoryIndex(categories: readonly string[], value: string | null | undefined): number {
  if (value === null || value === undefined || value === '') return NaN;
  return categories.indexOf(value);
}
