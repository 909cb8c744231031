import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCapture } from '../../../electron/core/capture/pipeline';
import { openInput } from '../../../electron/core/ingest/open';
import { sharedData } from '../../helpers/data';
import { listCaptures } from './suricata';

/**
 * Every capture in the shared data (about 3,200 files: suricata-verify, Zeek and tcpdump test
 * suites, DDoS and scan captures) goes through reader, decoder and assembler. None may throw
 * or hang; a file that cannot be framed ends with an error naming the byte offset; every frame
 * is accounted for (in a flow, or counted as non-IP, truncated, malformed or unsupported).
 */

// tcpdump's deliberately malformed captures (PCAP_INDEX.csv lists them with no link type).
const MALFORMED = [
  'brcm-tag-prepend.pcap', 'brcm-tag.pcap', 'dsa-high-vid.pcap', 'dsa.pcap', 'edsa-high-vid.pcap', 'edsa.pcap',
  'frf16_magic_ie-oobr.pcap', 'hoobr_juniper3.pcap', 'juniper_es_oobr.pcap', 'juniper_monitor_invalid_cookie_length.pcap',
  'kday6.pcap', 'vtp_asan-2.pcap', 'vtp_asan-3.pcap', 'vtp_asan.pcap',
];

/** Generous: the slowest capture here takes well under a second; this only catches hangs. */
const PER_FILE_MS = 20_000;

describe('every shared capture ingests without a crash or a hang', () => {
  const root = sharedData('pcap');

  it.skipIf(!root)('walks all captures', { timeout: 900_000 }, async () => {
    const files = listCaptures(root!, { all: true });
    expect(files.length).toBeGreaterThan(3000);
    const failures: string[] = [];
    let packets = 0;
    let withErrors = 0;
    const malformed = new Map<string, string>();
    for (const f of files) {
      const t0 = performance.now();
      let r;
      try {
        r = await runCapture(await openInput(f, { hash: false }), () => {});
      } catch (err) {
        failures.push(`${f}: threw ${(err as Error).name}: ${(err as Error).message}`);
        continue;
      }
      const ms = performance.now() - t0;
      if (ms > PER_FILE_MS) failures.push(`${f}: took ${ms.toFixed(0)} ms`);
      const s = r.stats;
      if (s.packets !== s.ipPackets + s.nonIp + s.truncated + s.malformed + s.unsupportedLink) failures.push(`${f}: frames unaccounted for`);
      if (r.error) {
        withErrors++;
        if (!(r.error.offset >= 0) || !/\S/.test(r.error.message)) failures.push(`${f}: error without offset or message`);
      }
      packets += s.packets;
      const base = path.basename(f);
      if (f.includes('tcpdump-tests') && MALFORMED.includes(base)) {
        // Each is reported: an error with its offset, or frames counted as not decodable.
        const notDecoded = s.packets - s.ipPackets;
        malformed.set(base, r.error ? `error at ${r.error.offset}` : notDecoded > 0 ? `${notDecoded} frames not decoded` : 'no complaint');
      }
    }
    console.log(`walked ${files.length} captures, ${packets} packets, ${withErrors} ended with a framing error`);
    expect(failures).toEqual([]);
    expect(malformed.size).toBe(MALFORMED.length);
    expect([...malformed].filter(([, v]) => v === 'no complaint')).toEqual([]);
  });
});
