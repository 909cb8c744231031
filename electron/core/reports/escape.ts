/**
 * Neutralising strings that came from traffic, logs or analysts before they reach a report.
 * Every format goes through here: HTML text and attributes, CSV cells, JSON text.
 */

/**
 * Bidirectional-text controls (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI, LRM, RLM, ALM):
 * an RLO in a host name can make `gpj.exe` read as `exe.jpg`. Reports show them as visible
 * `<U+202E>` markers instead of obeying them; so are zero-width spaces and line/paragraph
 * separators, which hide text.
 */
const BIDI = /[\u061C\u200B\u200E\u200F\u2028\u2029\u202A-\u202E\u2060\u2066-\u2069]/g;
/** C0/C1 controls except tab, newline and carriage return; plus lone surrogates and U+FEFF. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFEFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** One cheap test before the replacements: most values have nothing to reveal. */
const NEEDS_REVEAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200B\u200E\u200F\u2028\u2029\u202A-\u202E\u2060\u2066-\u2069\uFEFF\uD800-\uDFFF]/;

const hex4 = (c: string): string => c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');

/** Makes invisible and direction-changing characters visible: `<U+202E>`. */
export function revealControls(s: string): string {
  if (!NEEDS_REVEAL.test(s)) return s;
  return s.replace(BIDI, (c) => `<U+${hex4(c)}>`).replace(CONTROL, (c) => `<U+${hex4(c)}>`);
}

/** Cuts a string to `max` characters (not splitting a surrogate pair) and says how much was cut. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max;
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${s.slice(0, end)}… [${(s.length - end).toLocaleString('en-US')} more characters]`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes for HTML text and double- or single-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]!);
}

/** A piece of markup the renderer built itself; the only thing `html` interpolates unescaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

/** The longest run of characters from one value shown in HTML (1 MB user agents stay in the CSV/JSON). */
export const HTML_MAX_CHARS = 4000;

/** Text from anywhere, made safe and visible for HTML: controls revealed, clipped, escaped. */
export function text(v: unknown, max = HTML_MAX_CHARS): SafeHtml {
  if (v instanceof SafeHtml) return v;
  if (v === null || v === undefined) return new SafeHtml('');
  return new SafeHtml(escapeHtml(revealControls(clip(String(v), max))));
}

function render(v: HtmlValue): string {
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return (v as readonly HtmlValue[]).map(render).join('');
  return text(v).value;
}

/**
 * Tagged template for markup: every interpolated value is escaped unless it is SafeHtml made by
 * this module, so forgetting to escape is not possible.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** A CSS colour we wrote ourselves or a checked `#rgb`/`#rrggbb`; anything else becomes grey. */
export function safeColour(c: unknown, fallback = '#888888'): string {
  return typeof c === 'string' && /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(c) ? c : fallback;
}

/** Excel's cell limit is 32,767 characters; longer cells are clipped with a note. */
export const CSV_MAX_CHARS = 32_000;

/**
 * One CSV cell (RFC 4180) safe to open in a spreadsheet: a value starting with = + - @, tab or
 * carriage return (formula injection) gets a leading apostrophe, as OWASP recommends; controls
 * and bidi overrides are made visible; quotes doubled; the cell quoted when it needs to be.
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = String(v);
  if (s.length <= CSV_MAX_CHARS && CSV_PLAIN.test(s)) return s;
  s = revealControls(clip(s, CSV_MAX_CHARS));
  if (/^[=+\-@\t\r]/.test(s) || /^[\s\u00A0\u3000]+[=+\-@]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A cell that needs no quoting, no neutralising and no revealing (the common case). */
const CSV_PLAIN = /^[^=+\-@\s",\u0000-\u001F\u007F-\u009F\u061C\u200B\u200E\u200F\u2028\u2029\u202A-\u202E\u2060\u2066-\u2069\uFEFF\uD800-\uDFFF\u00A0\u3000][^",\u0000-\u001F\u007F-\u009F\u061C\u200B\u200E\u200F\u2028\u2029\u202A-\u202E\u2060\u2066-\u2069\uFEFF\uD800-\uDFFF]*(?<!\s)$/;

export function csvRow(cells: readonly unknown[]): string {
  return cells.map(csvCell).join(',') + '\r\n';
}

/**
 * JSON text whose strings cannot hurt a terminal, a browser or a reader: `<`, `>`, `&`,
 * controls, bidi controls and U+2028/2029 written as \u escapes. Parses to the same value.
 */
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    /[<>&\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
