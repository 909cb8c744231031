import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clip, csvCell, csvRow, escapeHtml, html, revealControls, safeColour, safeJson, SafeHtml, text } from '../../../electron/core/reports/escape';
import { parseCsv } from './harness';
import { HOSTILE } from './fixture';

const DANGEROUS_BIDI = /[\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;

describe('HTML escaping', () => {
  it('escapes the five HTML-special characters and the backtick', () => {
    expect(escapeHtml(`<a href="x" title='y'>&\`</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;');
  });

  it('escapes every interpolated value in the html template but keeps markup it built', () => {
    const evil = '<script>alert(1)</script>';
    const out = html`<p title="${evil}">${evil}${html`<b>${evil}</b>`}${[evil, 3]}</p>`.value;
    expect(out).toBe(
      '<p title="&lt;script&gt;alert(1)&lt;/script&gt;">&lt;script&gt;alert(1)&lt;/script&gt;<b>&lt;script&gt;alert(1)&lt;/script&gt;</b>&lt;script&gt;alert(1)&lt;/script&gt;3</p>',
    );
  });

  it('leaves no markup character and no direction control from any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const out = text(s).value;
        expect(out).not.toMatch(/[<>"'`]/);
        expect(out).not.toMatch(DANGEROUS_BIDI);
      }),
      { numRuns: 500 },
    );
  });

  it('shows an RTL override as a visible marker instead of obeying it', () => {
    expect(revealControls('invoice\u202Egpj.exe')).toBe('invoice<U+202E>gpj.exe');
    expect(text('invoice\u202Egpj.exe').value).toBe('invoice&lt;U+202E&gt;gpj.exe');
    expect(revealControls('a\u0000b\u001b[0m\tc\nd')).toBe('a<U+0000>b<U+001B>[0m\tc\nd');
  });

  it('clips long values, says how much was cut and never splits a surrogate pair', () => {
    expect(clip('abcdef', 4)).toBe('abcd… [2 more characters]');
    expect(clip('ab😀cd', 3)).toBe('ab… [4 more characters]');
    expect(text('x'.repeat(1 << 20)).value.length).toBeLessThan(5000);
  });

  it('accepts only #rgb and #rrggbb colours', () => {
    expect(safeColour('#c0392b')).toBe('#c0392b');
    expect(safeColour('#abc')).toBe('#abc');
    expect(safeColour('red" onload="x')).toBe('#888888');
    expect(safeColour('url(javascript:x)', '#000')).toBe('#000');
  });

  it('SafeHtml is the only thing passed through', () => {
    expect(text(new SafeHtml('<i>ok</i>')).value).toBe('<i>ok</i>');
    expect(text(null).value).toBe('');
  });
});

describe('CSV cells', () => {
  it('neutralises formula injection with a leading apostrophe', () => {
    for (const s of ['=1+1', '+1', '-1+1', '@SUM(A1)', '\t=1', '\r=1', ' =1', '=HYPERLINK("http://x","y")']) {
      const cell = parseCsv(csvRow([s]))[0]![0]!;
      expect(cell.startsWith("'"), JSON.stringify(s)).toBe(true);
    }
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(null)).toBe('');
  });

  it('quotes commas, quotes and newlines so every row parses back to its cells', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 60 }), { minLength: 1, maxLength: 6 }), (cells) => {
        const parsed = parseCsv(csvRow(cells));
        expect(parsed).toHaveLength(1);
        expect(parsed[0]).toHaveLength(cells.length);
        parsed[0]!.forEach((got, i) => {
          expect(got).not.toMatch(/^[=+\-@\t\r]/);
          const want = cells[i]!;
          const plain = !/^[\s\u00A0\u3000]*[=+\-@]/.test(want) && !/^[\t\r]/.test(want) && revealControls(want) === want;
          if (plain) expect(got).toBe(want);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('neutralises every string of the hostile corpus', () => {
    const rows = parseCsv(HOSTILE.map((s) => csvRow([s, 'x'])).join(''));
    expect(rows).toHaveLength(HOSTILE.length);
    for (const [cell] of rows) {
      expect(cell).not.toMatch(/^[=+\-@\t\r]/);
      expect(cell).not.toMatch(DANGEROUS_BIDI);
    }
  });
});

describe('safe JSON', () => {
  it('parses back to the same value and hides markup and direction controls', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary', maxLength: 80 }), (v, s) => {
        const value = { v, s };
        const out = safeJson(value);
        expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(out).not.toMatch(/[<>&]/);
        expect(out).not.toMatch(DANGEROUS_BIDI);
      }),
      { numRuns: 300 },
    );
  });
});
