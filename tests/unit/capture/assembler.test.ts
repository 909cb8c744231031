import { describe, expect, it } from 'vitest';
import { pcapFeatureNames } from '../../../electron/core/capture/features';
import { decodePacketRefs } from '../../../electron/core/capture/flow';
import { ACK, FIN, RST, SYN, T0, arpFrame, dnsExchange, icmpEcho, standardPackets, tcpConnection, writeCapture, type TimedPacket } from '../../fixtures/make-capture';
import { parse } from './helpers';

const feature = (f: { features: Float32Array | null }, name: string): number => f.features![pcapFeatureNames.indexOf(name)]!;

describe('capture formats', () => {
  const variants = [
    { name: 'pcap little-endian µs', opts: {} },
    { name: 'pcap big-endian ns', opts: { bigEndian: true, nano: true } },
    { name: 'pcapng µs', opts: { format: 'pcapng' as const } },
    { name: 'pcapng big-endian ns', opts: { format: 'pcapng' as const, nano: true, bigEndian: true } },
  ];
  it.each(variants)('$name: 3 flows, 14 IP packets, 1 non-IP frame, exact times', ({ opts }) => {
    const r = parse(writeCapture(standardPackets(), opts));
    expect(r.error).toBeNull();
    expect(r.stats.packets).toBe(15);
    expect(r.stats.ipPackets).toBe(14);
    expect(r.stats.nonIp).toBe(1);
    expect(r.flows.map((f) => [f.proto, f.packetsFwd, f.packetsBwd])).toEqual([[6, 6, 4], [17, 1, 1], [1, 1, 1]]);
    expect(r.flows[0]!.ts).toBe(T0);
    expect(r.flows[0]!.endTs).toBeCloseTo(T0 + 0.022, 6);
  });

  it('gives the same flows whatever the chunk boundaries', () => {
    const buf = writeCapture(standardPackets(), { format: 'pcapng' });
    const whole = parse(buf);
    for (const chunk of [1, 7, 64, 333]) {
      const r = parse(buf, { chunk });
      expect(r.flows.map((f) => [f.communityId, f.packetsFwd, f.bytesBwd, f.frameBytesFwd])).toEqual(
        whole.flows.map((f) => [f.communityId, f.packetsFwd, f.bytesBwd, f.frameBytesFwd]),
      );
    }
  });

  it('stops at a truncated record with its offset and keeps the flows before it', () => {
    const buf = writeCapture(standardPackets());
    const cut = buf.length - 20;
    const r = parse(buf.subarray(0, cut));
    expect(r.error?.message).toMatch(/truncated packet record/);
    // The last record (the ARP frame, 16 + 42 bytes) starts 58 bytes before the end.
    expect(r.error?.offset).toBe(buf.length - 58);
    expect(r.flows).toHaveLength(3);
  });
});

describe('flow records', () => {
  const r = parse(writeCapture(standardPackets()));
  const [tcp, dns, icmp] = r.flows;

  it('orients the flow by its initiator with IP, payload and frame bytes per direction', () => {
    expect(tcp).toMatchObject({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 40000, dstPort: 80, proto: 6, vlan: null });
    // 6 packets from the client, 4 from the server: 40-byte headers, payloads 100 and 1000 + 500.
    expect([tcp!.bytesFwd, tcp!.bytesBwd]).toEqual([6 * 40 + 100, 4 * 40 + 1500]);
    expect([tcp!.payloadFwd, tcp!.payloadBwd]).toEqual([100, 1500]);
    expect([tcp!.frameBytesFwd, tcp!.frameBytesBwd]).toEqual([6 * 54 + 100, 4 * 54 + 1500]);
    expect(tcp!.tcpFlags).toBe(SYN | ACK | FIN | 0x08);
    expect(dns).toMatchObject({ srcIp: '10.0.0.1', srcPort: 5353, dstPort: 53, payloadFwd: 40, payloadBwd: 120 });
    expect(icmp).toMatchObject({ proto: 1, srcIp: '10.0.0.1', dstIp: '10.0.0.9', srcPort: 8, dstPort: 0 });
  });

  it('computes the CICFlowMeter-named features', () => {
    expect(tcp!.features).toHaveLength(pcapFeatureNames.length);
    expect(feature(tcp!, 'Flow Duration')).toBeCloseTo(22_000, 0);
    expect(feature(tcp!, 'Total Fwd Packets')).toBe(6);
    expect(feature(tcp!, 'Total Length of Bwd Packets')).toBe(1500);
    expect(feature(tcp!, 'Bwd Packet Length Max')).toBe(1000);
    expect(feature(tcp!, 'Fwd Packet Length Mean')).toBeCloseTo(100 / 6, 5);
    expect(feature(tcp!, 'SYN Flag Count')).toBe(2);
    expect(feature(tcp!, 'FIN Flag Count')).toBe(2);
    expect(feature(tcp!, 'Init_Win_bytes_forward')).toBe(64240);
    expect(feature(tcp!, 'Init_Win_bytes_backward')).toBe(65160);
    expect(feature(tcp!, 'act_data_pkt_fwd')).toBe(1);
    expect(feature(tcp!, 'min_seg_size_forward')).toBe(40);
    expect(feature(tcp!, 'Flow IAT Max')).toBeCloseTo(10_000, 0);
    expect(feature(tcp!, 'Down/Up Ratio')).toBeCloseTo(4 / 6, 6);
    expect(feature(dns!, 'Init_Win_bytes_forward')).toBe(-1);
    expect(feature(tcp!, 'Size Spectrum 1')).toBeGreaterThan(0);
    for (const f of r.flows) expect([...f.features!].every(Number.isFinite)).toBe(true);
  });

  it('keeps the first packets as a sequence and every packet offset for carving', () => {
    const seq = tcp!.sequence!;
    expect(seq).toHaveLength(96);
    expect([...seq.subarray(0, 6)]).toEqual([40, 0, SYN, -40, expect.closeTo(0.001, 6), SYN | ACK]);
    expect(seq[10 * 3]).toBe(0); // zero-padded after the 10th packet
    const refs = decodePacketRefs(tcp!.packetRefs!);
    expect(refs.total).toBe(10);
    // Records follow the 24-byte header back to back: 16 + frame length each.
    expect(refs.offsets[0]).toBe(24);
    expect(refs.offsets[1]).toBe(24 + 16 + 54);
  });
});

describe('flow assembly rules', () => {
  it('a SYN+ACK seen first makes its receiver the initiator', () => {
    const r = parse(writeCapture(tcpConnection().slice(1)));
    expect(r.flows).toHaveLength(1);
    expect(r.flows[0]).toMatchObject({ srcIp: '10.0.0.1', srcPort: 40000, packetsFwd: 5, packetsBwd: 4 });
  });

  it('a SYN after FIN on both sides starts a new flow on the same tuple', () => {
    const again = tcpConnection(30_000).map((x) => ({ ...x, p: { ...x.p, seq: (x.p.seq ?? 0) + 7777 } }));
    const r = parse(writeCapture([...tcpConnection(), ...again]));
    expect(r.flows).toHaveLength(2);
    expect(r.flows[1]!.ts).toBeCloseTo(T0 + 0.03, 6);
    expect(r.flows.every((f) => f.packetsFwd === 6 && f.packetsBwd === 4)).toBe(true);
  });

  it('a SYN after a RST starts a new flow; packets after RST stay in the flow', () => {
    const c = tcpConnection();
    const rst: TimedPacket = { t: 5_000, p: { ...c[0]!.p, flags: RST | ACK } };
    const late: TimedPacket = { t: 6_000, p: { ...c[1]!.p, flags: ACK } };
    const next = tcpConnection(100_000).slice(0, 3).map((x) => ({ ...x, p: { ...x.p, seq: (x.p.seq ?? 0) + 7777 } }));
    const r = parse(writeCapture([c[0]!, c[1]!, c[2]!, rst, late, ...next]));
    expect(r.flows.map((f) => f.packetsFwd + f.packetsBwd)).toEqual([5, 3]);
    // A SYN repeating the first SYN's sequence number is a retransmission: same flow.
    const again = parse(writeCapture([c[0]!, rst, { t: 200_000, p: c[0]!.p }]));
    expect(again.flows.map((f) => f.packetsFwd + f.packetsBwd)).toEqual([3]);
  });

  it('a frame shorter on the wire than its IP length is malformed, a snaplen cut is not', () => {
    const frame = (tcpConnection()[3]!.p);
    const r = parse(writeCapture([{ t: 0, p: frame }], { snaplen: 60 }));
    expect(r.flows).toHaveLength(1);
    expect(r.flows[0]!.bytesFwd).toBe(140);
    expect(r.flows[0]!.frameBytesFwd).toBe(60);
  });

  it('idle timeouts split a flow (UDP new: 30 s, compared in whole seconds)', () => {
    const q = (t: number): TimedPacket => dnsExchange(t)[0]!;
    // 31 s later: a new flow; then 30.9 s later but only 30 whole seconds: the same flow.
    const r = parse(writeCapture([q(0), q(31_000_000), q(61_900_000)]));
    expect(r.flows.map((f) => f.packetsFwd + f.packetsBwd)).toEqual([1, 2]);
    // Answered (established) UDP flows wait 300 s.
    const e = parse(writeCapture([...dnsExchange(0), ...dnsExchange(200_000_000), ...dnsExchange(502_000_000)]));
    expect(e.flows.map((f) => f.packetsFwd + f.packetsBwd)).toEqual([4, 2]);
  });

  it('an active timeout splits a long flow and keeps its initiator', () => {
    const pkts: TimedPacket[] = [];
    for (let i = 0; i < 10; i++) pkts.push(...dnsExchange(i * 10_000_000));
    const r = parse(writeCapture(pkts), { assembler: { activeTimeout: 45 } });
    expect(r.flows.map((f) => f.packetsFwd + f.packetsBwd)).toEqual([10, 10]);
    expect(r.flows.every((f) => f.srcPort === 5353)).toBe(true);
  });

  it('keys flows by VLAN (802.1Q and QinQ): the same tuple on two VLANs is two flows', () => {
    const r = parse(writeCapture([...tcpConnection(0, 40000, { vlan: [10] }), ...tcpConnection(0, 40000, { vlan: [20, 30] })].sort((a, b) => a.t - b.t)));
    expect(r.flows.map((f) => f.vlan).sort()).toEqual([10, 20]);
    expect(r.flows.every((f) => f.packetsFwd === 6)).toBe(true);
  });

  it('IPv6 flows and ICMP echo pairs', () => {
    const v6: TimedPacket[] = [
      { t: 0, p: { src: 'fd00::1', dst: 'fd00::2', proto: 17, sport: 1000, dport: 53, payload: 10 } },
      { t: 10, p: { src: 'fd00::2', dst: 'fd00::1', proto: 17, sport: 53, dport: 1000, payload: 90 } },
      ...icmpEcho(20),
    ];
    const r = parse(writeCapture(v6));
    expect(r.flows).toHaveLength(2);
    expect(r.flows[0]).toMatchObject({ srcIp: 'fd00::1', dstIp: 'fd00::2', bytesFwd: 40 + 8 + 10, bytesBwd: 40 + 8 + 90 });
    expect(r.flows[1]).toMatchObject({ packetsFwd: 1, packetsBwd: 1 });
  });

  it('later IPv4 fragments join the flow of their first fragment; orphans are counted', () => {
    const base = { src: '10.0.0.1', dst: '10.0.0.2', proto: 17, sport: 7000, dport: 7001, ipId: 42 };
    const r = parse(
      writeCapture([
        { t: 0, p: { ...base, payload: 1472, moreFragments: true } },
        { t: 1, p: { ...base, payload: 1480, fragOffset: 185, moreFragments: true } },
        { t: 2, p: { ...base, payload: 100, fragOffset: 370 } },
        { t: 3, p: { ...base, ipId: 99, payload: 100, fragOffset: 370 } },
      ]),
    );
    expect(r.stats.fragments).toBe(4);
    expect(r.stats.orphanFragments).toBe(1);
    expect(r.flows).toHaveLength(1);
    expect(r.flows[0]!.packetsFwd).toBe(3);
  });

  it('non-IP frames are counted, never flows', () => {
    const r = parse(writeCapture([arpFrame(0), arpFrame(1)]));
    expect(r.flows).toHaveLength(0);
    expect(r.stats.nonIp).toBe(2);
  });

  it('memory stays bounded by maxFlows: the least recently seen flow is ended first', () => {
    const pkts: TimedPacket[] = [];
    for (let i = 0; i < 50; i++) pkts.push(...dnsExchange(i * 1000).map((p) => ({ ...p, p: { ...p.p, sport: 2000 + i, dport: p.p.dport === 53 ? 53 : 2000 + i } })));
    const r = parse(writeCapture(pkts), { assembler: { maxFlows: 8 } });
    expect(r.stats.peakActiveFlows).toBe(8);
    expect(r.stats.evicted).toBeGreaterThan(0);
    expect(r.flows.reduce((n, f) => n + f.packetsFwd + f.packetsBwd, 0)).toBe(100);
  });
});
