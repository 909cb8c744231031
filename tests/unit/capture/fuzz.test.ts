import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decoded, decodeFrame, DecodeStatus } from '../../../electron/core/capture/decode';
import { CaptureError } from '../../../electron/core/capture/reader';
import { standardPackets, writeCapture } from '../../fixtures/make-capture';
import { parse } from './helpers';

/**
 * Hostile input: truncated, bit-flipped and length-lying captures and random frames. Nothing
 * may escape but a CaptureError with an offset inside the input; every run terminates.
 */

const samples = [
  writeCapture(standardPackets()),
  writeCapture(standardPackets(), { bigEndian: true, nano: true }),
  writeCapture(standardPackets(), { format: 'pcapng' }),
  writeCapture(standardPackets(), { format: 'pcapng', bigEndian: true, nano: true }),
];

function checkRun(buf: Uint8Array, chunk?: number): void {
  let r;
  try {
    r = parse(buf, chunk ? { chunk } : {});
  } catch (err) {
    // parse() only rethrows errors without an offset: those are bugs.
    throw new Error(`unexpected ${(err as Error).name}: ${(err as Error).message}`);
  }
  if (r.error) {
    expect(r.error.offset).toBeGreaterThanOrEqual(0);
    expect(r.error.offset).toBeLessThanOrEqual(buf.length);
    expect(r.error.message.length).toBeGreaterThan(10);
  }
  expect(r.stats.packets).toBeLessThanOrEqual(buf.length / 12);
}

describe('readers and decoders on hostile input', () => {
  it('truncated captures end with an offset error or cleanly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.nat(), fc.integer({ min: 1, max: 97 }), (which, cut, chunk) => {
        const s = samples[which]!;
        checkRun(s.subarray(0, cut % (s.length + 1)), chunk);
      }),
      { numRuns: 300 },
    );
  });

  it('bit flips never crash and never loop', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 12 }), (which, flips) => {
        const b = Uint8Array.from(samples[which]!);
        for (const [at, bit] of flips) b[at % b.length]! ^= 1 << bit;
        checkRun(b, 50);
      }),
      { numRuns: 500 },
    );
  });

  it('lying record and block lengths are caught with the record offset', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.nat(14), fc.integer({ min: 0, max: 0xffffffff }), (which, record, value) => {
        const b = Buffer.from(samples[which]!);
        const pcapng = which >= 2;
        const le = which % 2 === 0;
        // Walk to the record-th record, then overwrite its length field.
        let o = pcapng ? 0 : 24;
        for (let i = 0; i < record && o < b.length; i++) {
          o += pcapng ? (le ? b.readUInt32LE(o + 4) : b.readUInt32BE(o + 4)) : 16 + (le ? b.readUInt32LE(o + 8) : b.readUInt32BE(o + 8));
        }
        if (o + 12 > b.length) return;
        const at = pcapng ? o + 4 : o + 8;
        if (le) b.writeUInt32LE(value, at);
        else b.writeUInt32BE(value, at);
        const r = parse(b);
        if (r.error) expect(r.error.offset).toBeLessThanOrEqual(b.length);
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes after a valid header', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.uint8Array({ maxLength: 600 }), (which, tail) => {
        const head = samples[which]!.subarray(0, which >= 2 ? 48 : 24);
        checkRun(Buffer.concat([head, tail]), 13);
      }),
      { numRuns: 400 },
    );
  });

  it('decodeFrame reads any bytes under any link type without throwing', () => {
    const d = new Decoded();
    const statuses = new Set<number>(Object.values(DecodeStatus));
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 9, 12, 14, 50, 101, 104, 108, 113, 127, 228, 229, 276), fc.uint8Array({ maxLength: 200 }), fc.nat(250), (lt, bytes, caplen) => {
        decodeFrame(lt, bytes, 0, caplen, d);
        expect(statuses.has(d.status)).toBe(true);
        if (d.status === DecodeStatus.ip) {
          expect(d.ipHdrLen).toBeGreaterThanOrEqual(0);
          expect(d.payloadLen).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('IP headers with options, extension headers and VLAN stacks inside frames', () => {
    const d = new Decoded();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 14, maxLength: 120 }), fc.constantFrom(0x0800, 0x86dd, 0x8100, 0x88a8, 0x8847, 0x8864), (bytes, et) => {
        const b = Uint8Array.from(bytes);
        b[12] = et >> 8;
        b[13] = et & 255;
        if (b.length > 14) b[14] = (b[14]! & 0x0f) | (et === 0x86dd ? 0x60 : 0x40);
        decodeFrame(1, b, 0, b.length, d);
        expect(d.status).toBeLessThanOrEqual(4);
      }),
      { numRuns: 3000 },
    );
  });

  it('an error is a CaptureError naming the offset', () => {
    const b = Buffer.from(samples[0]!);
    b.writeUInt32LE(0x7fffffff, 24 + 8);
    const r = parse(b);
    expect(r.error).toEqual({ offset: 24, message: expect.stringMatching(/claims 2147483647 captured bytes/) });
    expect(new CaptureError(5, 'x').offset).toBe(5);
  });
});
