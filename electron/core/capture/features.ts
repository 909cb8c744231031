import * as L from './flow';
import { SEQ_CHANNELS, SEQ_LEN, statAdd, statStd, statVar, type FlowTable } from './flow';

/** A finished flow as the feature functions see it: its row in the flow table. */
export interface FlowView {
  F: Float64Array;
  /** The flow's key words at keys[kb, kb + 10): low address, high address, ports, proto. */
  keys: Uint32Array;
  kb: number;
  /** Row base: slot * NF. */
  b: number;
  slot: number;
  table: FlowTable;
}

/**
 * The "pcap" feature schema: every feature defined once, here (name, unit, how the ML
 * pipeline should scale it, definition, and the code that computes it). docs/features-pcap.md
 * is generated from this table (scripts/features-pcap-doc.ts) and a test checks it is current.
 *
 * Names follow CICFlowMeter (CIC-IDS2017 column names) where a feature is theirs. Lengths are
 * transport payload bytes and times are microseconds, as in CICFlowMeter; "forward" is the
 * initiator's direction.
 */

export type FeatureScale = 'log1p' | 'linear' | 'categorical';

export interface FeatureDef {
  name: string;
  unit: string;
  /** How to scale before learning: log1p for counts, sizes, rates and times. */
  scale: FeatureScale;
  definition: string;
  value: (f: FlowView) => number;
}

const g = (f: FlowView, field: number): number => f.F[f.b + field]!;
const durUs = (f: FlowView): number => (g(f, L.LAST_TS) - g(f, L.FIRST_TS)) * 1e6;
const packets = (f: FlowView): number => g(f, L.PKT_FWD) + g(f, L.PKT_BWD);
const perSecond = (count: number, f: FlowView): number => {
  const d = g(f, L.LAST_TS) - g(f, L.FIRST_TS);
  return d > 0 ? count / d : 0;
};
const std = (f: FlowView, stat: number): number => statStd(f.F, f.b + stat);

/** Spectrum bins kept per series (1..SPECTRUM_BINS of a SEQ_LEN-point DFT). */
export const SPECTRUM_BINS = 8;

const COS = new Float64Array(SEQ_LEN * (SPECTRUM_BINS + 1));
const SIN = new Float64Array(SEQ_LEN * (SPECTRUM_BINS + 1));
for (let k = 0; k <= SPECTRUM_BINS; k++) {
  for (let n = 0; n < SEQ_LEN; n++) {
    COS[k * SEQ_LEN + n] = Math.cos((2 * Math.PI * k * n) / SEQ_LEN);
    SIN[k * SEQ_LEN + n] = Math.sin((2 * Math.PI * k * n) / SEQ_LEN);
  }
}

/** |X_k| / N of the first SEQ_LEN values of a series (zero-padded), for k = 1..SPECTRUM_BINS. */
function spectrum(get: (n: number) => number, count: number, out: Float64Array): void {
  for (let k = 1; k <= SPECTRUM_BINS; k++) {
    let re = 0;
    let im = 0;
    const base = k * SEQ_LEN;
    for (let n = 0; n < count; n++) {
      const x = get(n);
      re += x * COS[base + n]!;
      im -= x * SIN[base + n]!;
    }
    out[k - 1] = Math.sqrt(re * re + im * im) / SEQ_LEN;
  }
}

// The spectra are computed once per flow (computeFeatures) and read by the feature functions.
const sizeSpec = new Float64Array(SPECTRUM_BINS);
const iatSpec = new Float64Array(SPECTRUM_BINS);
function spectra(f: FlowView): void {
  const at = f.slot * SEQ_LEN;
  const t = f.table;
  const count = g(f, L.SEQ_N);
  spectrum((k) => (t.seqFlags[at + k]! & 0x8000 ? -t.seqLen[at + k]! : t.seqLen[at + k]!), count, sizeSpec);
  spectrum((k) => t.seqIat[at + k]! * 1e6, count, iatSpec);
}

const defs: FeatureDef[] = [
  { name: 'Protocol', unit: 'IANA number', scale: 'categorical', definition: 'IP protocol number of the flow (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, others as numbered).', value: (f) => g(f, L.PROTO) },
  { name: 'Flow Duration', unit: 'µs', scale: 'log1p', definition: 'Time from the first to the last packet of the flow.', value: durUs },
  { name: 'Total Fwd Packets', unit: 'packets', scale: 'log1p', definition: 'Packets sent by the initiator.', value: (f) => g(f, L.PKT_FWD) },
  { name: 'Total Backward Packets', unit: 'packets', scale: 'log1p', definition: 'Packets sent by the responder.', value: (f) => g(f, L.PKT_BWD) },
  { name: 'Total Length of Fwd Packets', unit: 'bytes', scale: 'log1p', definition: 'Sum of transport payload bytes sent by the initiator.', value: (f) => g(f, L.PAY_FWD) },
  { name: 'Total Length of Bwd Packets', unit: 'bytes', scale: 'log1p', definition: 'Sum of transport payload bytes sent by the responder.', value: (f) => g(f, L.PAY_BWD) },
  { name: 'Fwd Packet Length Max', unit: 'bytes', scale: 'log1p', definition: 'Largest payload of a forward packet (0 without forward packets).', value: (f) => g(f, L.FWD_LEN + L.SMAX) },
  { name: 'Fwd Packet Length Min', unit: 'bytes', scale: 'log1p', definition: 'Smallest payload of a forward packet.', value: (f) => g(f, L.FWD_LEN + L.SMIN) },
  { name: 'Fwd Packet Length Mean', unit: 'bytes', scale: 'log1p', definition: 'Mean payload of forward packets.', value: (f) => g(f, L.FWD_LEN + L.SMEAN) },
  { name: 'Fwd Packet Length Std', unit: 'bytes', scale: 'log1p', definition: 'Sample standard deviation of forward payloads (0 below two packets).', value: (f) => std(f, L.FWD_LEN) },
  { name: 'Bwd Packet Length Max', unit: 'bytes', scale: 'log1p', definition: 'Largest payload of a backward packet.', value: (f) => g(f, L.BWD_LEN + L.SMAX) },
  { name: 'Bwd Packet Length Min', unit: 'bytes', scale: 'log1p', definition: 'Smallest payload of a backward packet.', value: (f) => g(f, L.BWD_LEN + L.SMIN) },
  { name: 'Bwd Packet Length Mean', unit: 'bytes', scale: 'log1p', definition: 'Mean payload of backward packets.', value: (f) => g(f, L.BWD_LEN + L.SMEAN) },
  { name: 'Bwd Packet Length Std', unit: 'bytes', scale: 'log1p', definition: 'Sample standard deviation of backward payloads.', value: (f) => std(f, L.BWD_LEN) },
  { name: 'Flow Bytes/s', unit: 'bytes/s', scale: 'log1p', definition: 'Payload bytes of both directions divided by the duration in seconds (0 when the duration is 0).', value: (f) => perSecond(g(f, L.PAY_FWD) + g(f, L.PAY_BWD), f) },
  { name: 'Flow Packets/s', unit: 'packets/s', scale: 'log1p', definition: 'Packets of both directions divided by the duration in seconds (0 when the duration is 0).', value: (f) => perSecond(packets(f), f) },
  { name: 'Flow IAT Mean', unit: 'µs', scale: 'log1p', definition: 'Mean time between consecutive packets of the flow (either direction).', value: (f) => g(f, L.FLOW_IAT + L.SMEAN) },
  { name: 'Flow IAT Std', unit: 'µs', scale: 'log1p', definition: 'Sample standard deviation of the flow inter-arrival times.', value: (f) => std(f, L.FLOW_IAT) },
  { name: 'Flow IAT Max', unit: 'µs', scale: 'log1p', definition: 'Longest flow inter-arrival time.', value: (f) => g(f, L.FLOW_IAT + L.SMAX) },
  { name: 'Flow IAT Min', unit: 'µs', scale: 'log1p', definition: 'Shortest flow inter-arrival time.', value: (f) => g(f, L.FLOW_IAT + L.SMIN) },
  { name: 'Fwd IAT Total', unit: 'µs', scale: 'log1p', definition: 'Sum of the times between consecutive forward packets.', value: (f) => g(f, L.FWD_IAT + L.SSUM) },
  { name: 'Fwd IAT Mean', unit: 'µs', scale: 'log1p', definition: 'Mean time between consecutive forward packets.', value: (f) => g(f, L.FWD_IAT + L.SMEAN) },
  { name: 'Fwd IAT Std', unit: 'µs', scale: 'log1p', definition: 'Sample standard deviation of forward inter-arrival times.', value: (f) => std(f, L.FWD_IAT) },
  { name: 'Fwd IAT Max', unit: 'µs', scale: 'log1p', definition: 'Longest forward inter-arrival time.', value: (f) => g(f, L.FWD_IAT + L.SMAX) },
  { name: 'Fwd IAT Min', unit: 'µs', scale: 'log1p', definition: 'Shortest forward inter-arrival time.', value: (f) => g(f, L.FWD_IAT + L.SMIN) },
  { name: 'Bwd IAT Total', unit: 'µs', scale: 'log1p', definition: 'Sum of the times between consecutive backward packets.', value: (f) => g(f, L.BWD_IAT + L.SSUM) },
  { name: 'Bwd IAT Mean', unit: 'µs', scale: 'log1p', definition: 'Mean time between consecutive backward packets.', value: (f) => g(f, L.BWD_IAT + L.SMEAN) },
  { name: 'Bwd IAT Std', unit: 'µs', scale: 'log1p', definition: 'Sample standard deviation of backward inter-arrival times.', value: (f) => std(f, L.BWD_IAT) },
  { name: 'Bwd IAT Max', unit: 'µs', scale: 'log1p', definition: 'Longest backward inter-arrival time.', value: (f) => g(f, L.BWD_IAT + L.SMAX) },
  { name: 'Bwd IAT Min', unit: 'µs', scale: 'log1p', definition: 'Shortest backward inter-arrival time.', value: (f) => g(f, L.BWD_IAT + L.SMIN) },
  { name: 'Fwd PSH Flags', unit: 'packets', scale: 'log1p', definition: 'Forward TCP packets with PSH set.', value: (f) => g(f, L.C_FWD_PSH) },
  { name: 'Bwd PSH Flags', unit: 'packets', scale: 'log1p', definition: 'Backward TCP packets with PSH set.', value: (f) => g(f, L.C_BWD_PSH) },
  { name: 'Fwd URG Flags', unit: 'packets', scale: 'log1p', definition: 'Forward TCP packets with URG set.', value: (f) => g(f, L.C_FWD_URG) },
  { name: 'Bwd URG Flags', unit: 'packets', scale: 'log1p', definition: 'Backward TCP packets with URG set.', value: (f) => g(f, L.C_BWD_URG) },
  { name: 'Fwd Header Length', unit: 'bytes', scale: 'log1p', definition: 'Sum of IP (with options and IPv6 extension headers) plus transport header bytes of forward packets.', value: (f) => g(f, L.FWD_HDR) },
  { name: 'Bwd Header Length', unit: 'bytes', scale: 'log1p', definition: 'Sum of IP plus transport header bytes of backward packets.', value: (f) => g(f, L.BWD_HDR) },
  { name: 'Fwd Packets/s', unit: 'packets/s', scale: 'log1p', definition: 'Forward packets divided by the duration in seconds (0 when the duration is 0).', value: (f) => perSecond(g(f, L.PKT_FWD), f) },
  { name: 'Bwd Packets/s', unit: 'packets/s', scale: 'log1p', definition: 'Backward packets divided by the duration in seconds (0 when the duration is 0).', value: (f) => perSecond(g(f, L.PKT_BWD), f) },
  { name: 'Min Packet Length', unit: 'bytes', scale: 'log1p', definition: 'Smallest payload of any packet of the flow.', value: (f) => g(f, L.ALL_LEN + L.SMIN) },
  { name: 'Max Packet Length', unit: 'bytes', scale: 'log1p', definition: 'Largest payload of any packet of the flow.', value: (f) => g(f, L.ALL_LEN + L.SMAX) },
  { name: 'Packet Length Mean', unit: 'bytes', scale: 'log1p', definition: 'Mean payload over all packets.', value: (f) => g(f, L.ALL_LEN + L.SMEAN) },
  { name: 'Packet Length Std', unit: 'bytes', scale: 'log1p', definition: 'Sample standard deviation of payloads over all packets.', value: (f) => std(f, L.ALL_LEN) },
  { name: 'Packet Length Variance', unit: 'bytes²', scale: 'log1p', definition: 'Sample variance of payloads over all packets.', value: (f) => statVar(f.F, f.b + L.ALL_LEN) },
  { name: 'FIN Flag Count', unit: 'packets', scale: 'log1p', definition: 'TCP packets with FIN set (both directions).', value: (f) => g(f, L.C_FIN) },
  { name: 'SYN Flag Count', unit: 'packets', scale: 'log1p', definition: 'TCP packets with SYN set.', value: (f) => g(f, L.C_SYN) },
  { name: 'RST Flag Count', unit: 'packets', scale: 'log1p', definition: 'TCP packets with RST set.', value: (f) => g(f, L.C_RST) },
  { name: 'PSH Flag Count', unit: 'packets', scale: 'log1p', definition: 'TCP packets with PSH set.', value: (f) => g(f, L.C_PSH) },
  { name: 'ACK Flag Count', unit: 'packets', scale: 'log1p', definition: 'TCP packets with ACK set.', value: (f) => g(f, L.C_ACK) },
  { name: 'URG Flag Count', unit: 'packets', scale: 'log1p', definition: 'TCP packets with URG set.', value: (f) => g(f, L.C_URG) },
  { name: 'CWE Flag Count', unit: 'packets', scale: 'log1p', definition: 'TCP packets with CWR set (CICFlowMeter calls it CWE).', value: (f) => g(f, L.C_CWR) },
  { name: 'ECE Flag Count', unit: 'packets', scale: 'log1p', definition: 'TCP packets with ECE set.', value: (f) => g(f, L.C_ECE) },
  { name: 'Down/Up Ratio', unit: 'ratio', scale: 'log1p', definition: 'Backward packets divided by forward packets (0 without forward packets).', value: (f) => (g(f, L.PKT_FWD) > 0 ? g(f, L.PKT_BWD) / g(f, L.PKT_FWD) : 0) },
  { name: 'Average Packet Size', unit: 'bytes', scale: 'log1p', definition: 'Payload bytes of both directions divided by the number of packets.', value: (f) => (g(f, L.PAY_FWD) + g(f, L.PAY_BWD)) / Math.max(1, packets(f)) },
  { name: 'Avg Fwd Segment Size', unit: 'bytes', scale: 'log1p', definition: 'Forward payload bytes divided by forward packets.', value: (f) => (g(f, L.PKT_FWD) > 0 ? g(f, L.PAY_FWD) / g(f, L.PKT_FWD) : 0) },
  { name: 'Avg Bwd Segment Size', unit: 'bytes', scale: 'log1p', definition: 'Backward payload bytes divided by backward packets.', value: (f) => (g(f, L.PKT_BWD) > 0 ? g(f, L.PAY_BWD) / g(f, L.PKT_BWD) : 0) },
  { name: 'Fwd Avg Bytes/Bulk', unit: 'bytes', scale: 'log1p', definition: 'Mean payload bytes per forward bulk (a bulk: at least 4 consecutive forward data packets with gaps up to 1 s and no backward data between them, as in CICFlowMeter).', value: (f) => (g(f, L.BULK_FWD + L.BK_STATES) > 0 ? g(f, L.BULK_FWD + L.BK_BYTES) / g(f, L.BULK_FWD + L.BK_STATES) : 0) },
  { name: 'Fwd Avg Packets/Bulk', unit: 'packets', scale: 'log1p', definition: 'Mean packets per forward bulk.', value: (f) => (g(f, L.BULK_FWD + L.BK_STATES) > 0 ? g(f, L.BULK_FWD + L.BK_PACKETS) / g(f, L.BULK_FWD + L.BK_STATES) : 0) },
  { name: 'Fwd Avg Bulk Rate', unit: 'bytes/s', scale: 'log1p', definition: 'Forward bulk payload bytes divided by the total forward bulk duration in seconds.', value: (f) => (g(f, L.BULK_FWD + L.BK_DUR) > 0 ? g(f, L.BULK_FWD + L.BK_BYTES) / (g(f, L.BULK_FWD + L.BK_DUR) * 1e-6) : 0) },
  { name: 'Bwd Avg Bytes/Bulk', unit: 'bytes', scale: 'log1p', definition: 'Mean payload bytes per backward bulk.', value: (f) => (g(f, L.BULK_BWD + L.BK_STATES) > 0 ? g(f, L.BULK_BWD + L.BK_BYTES) / g(f, L.BULK_BWD + L.BK_STATES) : 0) },
  { name: 'Bwd Avg Packets/Bulk', unit: 'packets', scale: 'log1p', definition: 'Mean packets per backward bulk.', value: (f) => (g(f, L.BULK_BWD + L.BK_STATES) > 0 ? g(f, L.BULK_BWD + L.BK_PACKETS) / g(f, L.BULK_BWD + L.BK_STATES) : 0) },
  { name: 'Bwd Avg Bulk Rate', unit: 'bytes/s', scale: 'log1p', definition: 'Backward bulk payload bytes divided by the total backward bulk duration in seconds.', value: (f) => (g(f, L.BULK_BWD + L.BK_DUR) > 0 ? g(f, L.BULK_BWD + L.BK_BYTES) / (g(f, L.BULK_BWD + L.BK_DUR) * 1e-6) : 0) },
  { name: 'Subflow Fwd Packets', unit: 'packets', scale: 'log1p', definition: 'Forward packets divided by the number of subflows (subflows: 1 + gaps longer than 1 s between packets; CICFlowMeter 4 counts only the gaps).', value: (f) => g(f, L.PKT_FWD) / g(f, L.SUBFLOWS) },
  { name: 'Subflow Fwd Bytes', unit: 'bytes', scale: 'log1p', definition: 'Forward payload bytes divided by the number of subflows.', value: (f) => g(f, L.PAY_FWD) / g(f, L.SUBFLOWS) },
  { name: 'Subflow Bwd Packets', unit: 'packets', scale: 'log1p', definition: 'Backward packets divided by the number of subflows.', value: (f) => g(f, L.PKT_BWD) / g(f, L.SUBFLOWS) },
  { name: 'Subflow Bwd Bytes', unit: 'bytes', scale: 'log1p', definition: 'Backward payload bytes divided by the number of subflows.', value: (f) => g(f, L.PAY_BWD) / g(f, L.SUBFLOWS) },
  { name: 'Init_Win_bytes_forward', unit: 'bytes', scale: 'linear', definition: 'TCP window field of the first forward packet (-1 when not TCP or no forward packet; hence linear scale).', value: (f) => g(f, L.INIT_WIN_FWD) },
  { name: 'Init_Win_bytes_backward', unit: 'bytes', scale: 'linear', definition: 'TCP window field of the first backward packet (-1 when not TCP or no backward packet).', value: (f) => g(f, L.INIT_WIN_BWD) },
  { name: 'act_data_pkt_fwd', unit: 'packets', scale: 'log1p', definition: 'Forward packets with at least one byte of payload.', value: (f) => g(f, L.ACT_DATA_FWD) },
  { name: 'min_seg_size_forward', unit: 'bytes', scale: 'log1p', definition: 'Smallest IP plus transport header size of a forward packet.', value: (f) => g(f, L.MIN_SEG_FWD) },
  { name: 'Active Mean', unit: 'µs', scale: 'log1p', definition: 'Mean length of active periods (runs of packets separated by less than 5 s; the last period counts at the end of the flow).', value: (f) => g(f, L.ACTIVE + L.SMEAN) },
  { name: 'Active Std', unit: 'µs', scale: 'log1p', definition: 'Sample standard deviation of active period lengths.', value: (f) => std(f, L.ACTIVE) },
  { name: 'Active Max', unit: 'µs', scale: 'log1p', definition: 'Longest active period.', value: (f) => g(f, L.ACTIVE + L.SMAX) },
  { name: 'Active Min', unit: 'µs', scale: 'log1p', definition: 'Shortest active period.', value: (f) => g(f, L.ACTIVE + L.SMIN) },
  { name: 'Idle Mean', unit: 'µs', scale: 'log1p', definition: 'Mean length of idle periods (gaps of more than 5 s between packets).', value: (f) => g(f, L.IDLE + L.SMEAN) },
  { name: 'Idle Std', unit: 'µs', scale: 'log1p', definition: 'Sample standard deviation of idle period lengths.', value: (f) => std(f, L.IDLE) },
  { name: 'Idle Max', unit: 'µs', scale: 'log1p', definition: 'Longest idle period.', value: (f) => g(f, L.IDLE + L.SMAX) },
  { name: 'Idle Min', unit: 'µs', scale: 'log1p', definition: 'Shortest idle period.', value: (f) => g(f, L.IDLE + L.SMIN) },
];

for (let k = 1; k <= SPECTRUM_BINS; k++) {
  defs.push({
    name: `Size Spectrum ${k}`,
    unit: 'bytes',
    scale: 'log1p',
    definition: `Magnitude of DFT bin ${k} (of ${SEQ_LEN}) of the direction-signed IP length series of the first ${SEQ_LEN} packets (zero-padded), divided by ${SEQ_LEN}.`,
    value: () => sizeSpec[k - 1]!,
  });
}
for (let k = 1; k <= SPECTRUM_BINS; k++) {
  defs.push({
    name: `IAT Spectrum ${k}`,
    unit: 'µs',
    scale: 'log1p',
    definition: `Magnitude of DFT bin ${k} (of ${SEQ_LEN}) of the inter-arrival time series of the first ${SEQ_LEN} packets (first value 0, zero-padded), divided by ${SEQ_LEN}.`,
    value: () => iatSpec[k - 1]!,
  });
}

export const pcapFeatures: readonly FeatureDef[] = defs;
export const pcapFeatureNames: string[] = defs.map((d) => d.name);
/** [packets, channels]: channel 0 direction-signed IP length (bytes, + from the initiator), 1 inter-arrival time (s), 2 TCP flags (0..511). */
export const pcapSequenceShape: readonly [number, number] = [SEQ_LEN, SEQ_CHANNELS];
export const pcapSequenceChannels: readonly string[] = ['signed IP length (bytes)', 'inter-arrival time (s)', 'TCP flags'];

/** The feature vector of a finished flow (call after the flow's last packet). */
export function computeFeatures(f: FlowView): Float32Array {
  // Close the last active period as CICFlowMeter does at flow end.
  const F = f.F;
  const b = f.b;
  const active = F[b + L.END_ACTIVE_US]! - F[b + L.START_ACTIVE_US]!;
  if (active > 0) {
    statAdd(F, b + L.ACTIVE, active);
    F[b + L.START_ACTIVE_US] = F[b + L.END_ACTIVE_US]!;
  }
  spectra(f);
  const out = new Float32Array(defs.length);
  for (let i = 0; i < defs.length; i++) {
    const v = defs[i]!.value(f);
    out[i] = Number.isFinite(v) ? v : 0;
  }
  return out;
}

/** The sequence blob of a finished flow: SEQ_LEN x SEQ_CHANNELS, zero-padded. */
export function sequenceOf(f: FlowView): Float32Array {
  const out = new Float32Array(SEQ_LEN * SEQ_CHANNELS);
  const t = f.table;
  const at = f.slot * SEQ_LEN;
  const count = g(f, L.SEQ_N);
  for (let k = 0; k < count; k++) {
    const flags = t.seqFlags[at + k]!;
    out[k * SEQ_CHANNELS] = flags & 0x8000 ? -t.seqLen[at + k]! : t.seqLen[at + k]!;
    out[k * SEQ_CHANNELS + 1] = t.seqIat[at + k]!;
    out[k * SEQ_CHANNELS + 2] = flags & 0x1ff;
  }
  return out;
}
