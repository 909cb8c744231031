import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireTool, sharedData } from '../../helpers/data';
import { tmpDir } from '../../helpers/tmp';
import { crossCheck, listCaptures, type CrossCheck } from './suricata';

/**
 * Ground truth for the flow assembler: Suricata's eve `flow` records on the same captures,
 * with our timeouts set to Suricata's (and no active timeout). Flows are matched on Community
 * ID plus start time; packets and frame bytes must agree per direction. The remaining
 * mismatch classes are explained in docs/capture-crosscheck.md.
 *
 * CI runs every capture of real traffic (the Wireshark 101, ESnet, stopDDoS and Zeus folders:
 * most of the flows) and every SAMPLE_STEP-th of the test-suite captures (suricata-verify,
 * Zeek, tcpdump: mostly one-flow decoder edge cases), among those whose link type both tools
 * read. `CROSSCHECK_STEP=1` runs all of them (about 25 minutes on two cores).
 */
const REAL_TRAFFIC = ['chappell-wireshark101', 'esnet-curated', 'stopddos', 'zeus-suricata'];
const SAMPLE_STEP = Number(process.env.CROSSCHECK_STEP ?? 40);
const REQUIRED_RATE = 0.99;

describe('flows against Suricata', () => {
  const root = sharedData('pcap');
  const suricata = requireTool('suricata');

  it.skipIf(!root || !suricata)('at least 99 % of TCP and UDP flows match exactly', { timeout: 600_000 }, async () => {
    const files = listCaptures(root!).filter((f, i) => REAL_TRAFFIC.some((d) => f.includes(`${path.sep}${d}${path.sep}`)) || i % SAMPLE_STEP === 0);
    const out = tmpDir('nstd-suricata-');
    const results: CrossCheck[] = [];
    const failures: string[] = [];
    // Two at a time: Suricata's start-up dominates on small captures.
    const queue = [...files];
    const workers = Array.from({ length: Math.min(2, os.availableParallelism()) }, async () => {
      for (let f = queue.shift(); f; f = queue.shift()) {
        try {
          results.push(await crossCheck(f, path.join(out, String(results.length + failures.length))));
        } catch (err) {
          failures.push(`${f}: ${(err as Error).message}`);
        }
      }
    });
    await Promise.all(workers);
    const total = results.reduce((n, r) => n + r.suricata, 0);
    const exact = results.reduce((n, r) => n + r.exact, 0);
    const differing = results.reduce((n, r) => n + r.differing.length, 0);
    const missing = results.reduce((n, r) => n + r.missing.length, 0);
    const rate = exact / total;
    console.log(
      `Suricata cross-check: ${files.length} captures, ${total} TCP/UDP flows, ${exact} exact (${(100 * rate).toFixed(2)} %), ${differing} differing, ${missing} without a match`,
    );
    for (const r of results) {
      for (const d of r.differing.slice(0, 2)) console.log(`  differs: ${path.relative(root!, r.file)} ${JSON.stringify(d)}`);
      for (const m of r.missing.slice(0, 2)) console.log(`  no match: ${path.relative(root!, r.file)} ${JSON.stringify(m)}`);
    }
    expect(failures.length, failures.join('\n')).toBeLessThanOrEqual(Math.ceil(files.length * 0.05));
    expect(total).toBeGreaterThan(200);
    expect(rate).toBeGreaterThanOrEqual(REQUIRED_RATE);
  });
});
