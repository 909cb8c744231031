import type { CliArgs, CliCommand, CliIO, CliOptions } from '../command';
import { UsageError } from '../command';

/**
 * `nstd bench <what>`: each benchmark prints its figures (human text, or one JSON object with
 * --json). A benchmark gets the arguments after its name. To add one: an entry in
 * `benchmarks` (load its module lazily) and its options in `benchOptions`.
 */
export type Benchmark = (args: CliArgs, io: CliIO) => Promise<number>;

export const benchmarks: Record<string, Benchmark> = {
  ingest: async (args, io) => (await import('../../core/capture/bench')).benchIngest(args, io),
  train: async (args, io) => (await import('../../core/ml/bench')).benchTrainCli(args, io),
  detect: async (args, io) => (await import('../../core/ml/bench')).benchDetectCli(args, io),
  store: async (args, io) => (await import('../../core/store/bench')).benchStoreCli(args, io),
  reports: async (args, io) => (await import('../../core/reports/bench')).benchReports(args, io),
};

/** The options of every benchmark (one parser reads them all; each uses its own). */
export const benchOptions: CliOptions = {
  workspace: { type: 'string', short: 'w' },
  generate: { type: 'boolean' },
  packets: { type: 'string' },
  stream: { type: 'string' },
  out: { type: 'string', short: 'o' },
  'no-compare': { type: 'boolean' },
  episodes: { type: 'string' },
  flows: { type: 'string' },
  detections: { type: 'string' },
  formats: { type: 'string' },
};

export const command: CliCommand = {
  name: 'bench',
  summary: 'Measure a part of the workbench and print its figures',
  usage: 'nstd bench <what> [options] [--json]',
  help: [
    `Benchmarks: ${Object.keys(benchmarks).join(', ')}.`,
    '',
    'nstd bench ingest FILE [--workspace WS] [--no-compare] [--json]',
    '    parse + assemble + features of a capture (no database), or capture -> workspace with',
    '    --workspace; prints packets/s, MB/s, flows and peak RSS, and the speed of tcpdump',
    '    (-r F -w /dev/null) and Suricata (--runmode single -k none) on the same file when installed.',
    'nstd bench ingest --generate [--packets N] [--out FILE]',
    '    writes the deterministic benchmark capture (default 2,100,000 packets: TCP connections',
    '    with handshake and teardown, DNS over UDP and IPv6, port scans, SYN and UDP floods,',
    '    ICMP echo) and benchmarks it.',
    'nstd bench ingest --stream N',
    '    feeds N generated packets straight into the parser (no file) to show that memory is',
    '    bounded by the active flows, not by the size of the input.',
    'nstd bench train [--episodes N] [--json]',
    '    meta-training episodes/s (5-way 5-shot 15-query) for the cic and pcap encoders, prototype',
    '    and fine-tune adaptation time (generated flows; TF_BACKEND picks the backend).',
    'nstd bench detect [--flows N] [--json]',
    '    detection flows/s in memory (default 1,000,000 flows) and workspace -> detections end to end.',
    'nstd bench store [--flows N] [--json]',
    '    imports a generated CICFlowMeter CSV of N flows (default 1,000,000) and the UNSW-NB15 training',
    '    set when NSTD_DATA has it, then times filtered pages of 100, counts by class, label by filter',
    '    (and undo), top talkers and the histogram; prints rows/s and rows per CPU-second.',
    'nstd bench reports [--detections N] [--formats html,pdf,csv,json,stix] [--out DIR] [--json]',
    '    builds each report format over a generated run of N detections (default 200,000); prints',
    '    seconds, detections/s, output size and peak RSS.',
  ].join('\n'),
  options: benchOptions,
  allowPositionals: true,
  async run(args, io) {
    const [what, ...rest] = args.positionals;
    const b = what ? benchmarks[what] : undefined;
    if (!what || !b) throw new UsageError(`Name a benchmark: ${Object.keys(benchmarks).join(', ')}.`);
    return b({ values: args.values, positionals: rest }, io);
  },
};
