import { pcapFeatures, pcapSequenceChannels, pcapSequenceShape } from './features';
import { ACTIVITY_TIMEOUT_US } from './flow';

/** docs/features-pcap.md, rendered from the feature table in features.ts. */
export function renderFeatureDoc(): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const rows = pcapFeatures.map((f, i) => `| ${i} | ${esc(f.name)} | ${esc(f.unit)} | ${f.scale} | ${esc(f.definition)} |`);
  return [
    '# The "pcap" feature schema',
    '',
    '<!-- Generated from electron/core/capture/features.ts by renderFeatureDoc(); do not edit.',
    '     Regenerate: UPDATE_DOCS=1 npx vitest run tests/unit/capture/features-doc.test.ts -->',
    '',
    `Flows built from captures store \`features\` as a Float32Array of these ${pcapFeatures.length} values, in this`,
    'order. Names follow CICFlowMeter (the CIC-IDS2017 column names) where the feature is theirs.',
    '"Forward" is the initiator\'s direction (the sender of the first packet; for TCP the sender of',
    'the SYN). Packet lengths are transport payload bytes and times are microseconds, as in',
    `CICFlowMeter; an idle gap is one longer than ${ACTIVITY_TIMEOUT_US / 1e6} s. Non-finite values are stored as 0.`,
    'The scale column tells the ML pipeline how to transform the column before robust scaling.',
    '',
    '| # | name | unit | scale | definition |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    '## Packet sequence',
    '',
    `\`sequence\` is a Float32Array of shape [${pcapSequenceShape.join(', ')}] (packets x channels, row-major):`,
    `the first ${pcapSequenceShape[0]} packets of the flow, zero-padded, with channels`,
    ...pcapSequenceChannels.map((c, i) => `${i}. ${c}`),
    '',
    'The IP length is positive for packets from the initiator and negative for packets from the',
    'responder; the inter-arrival time of the first packet is 0; TCP flags are the 9 flag bits (0',
    'for other protocols).',
    '',
  ].join('\n');
}
