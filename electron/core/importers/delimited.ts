/**
 * Reading one record (a delimited line, a JSON line), shared by the flow-log importers and the label import (no
 * dependencies, so both can use it without importing each other).
 */

/** A line that cannot be read; the importer adds its line number and goes on. */
export class LineError extends Error {}

/** Splits a delimited line; quotes are honoured only when the line has any. */
export function splitDelimited(line: string, delim: string): string[] {
  if (line.indexOf('"') < 0) return line.split(delim);
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else q = false;
      } else cur += c;
    } else if (c === '"') q = true;
    else if (c === delim) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (q) throw new LineError('a quoted cell is not closed before the end of the line (truncated line?)');
  out.push(cur);
  return out;
}

/** One JSON-lines record: an object, else a LineError that says what is wrong with the line. */
export function parseJsonObjectLine(text: string): Record<string, unknown> {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (err) {
    throw new LineError(`not valid JSON (${(err as Error).message})${!text.trimEnd().endsWith('}') ? ' (truncated line?)' : ''}`);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new LineError('a line is not a JSON object');
  return o as Record<string, unknown>;
}
