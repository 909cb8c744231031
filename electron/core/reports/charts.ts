/**
 * Inline SVG charts for the HTML report. Presentation attributes only (no `style` attributes:
 * the report's CSP allows one hashed style sheet), every label escaped through `html`.
 */
import { html, safeColour, SafeHtml, text } from './escape';
import type { ClassCount, ClassKind, Timeline } from './content';
import { fmtInt, fmtTime } from './format';

export const KIND_COLOURS: Record<ClassKind, string> = { attack: '#c0392b', unknown: '#d68910', benign: '#7f8c8d' };

const r1 = (n: number): string => (Math.round(n * 10) / 10).toString();

/** Rounds a maximum up to a tick-friendly value (1, 2, 5 × 10^k). */
function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** Horizontal bars: detections per predicted class, coloured by the class (or its kind). */
export function classBarChart(classes: ClassCount[]): SafeHtml {
  const rows = classes.slice(0, 20);
  if (rows.length === 0) return html`<p class="muted">No detections in this run.</p>`;
  const labelW = 170;
  const barW = 420;
  const rowH = 22;
  const width = labelW + barW + 90;
  const height = rows.length * rowH + 8;
  const max = Math.max(...rows.map((c) => c.detections), 1);
  const bars = rows.map((c, i) => {
    const y = 4 + i * rowH;
    const w = Math.max(1, (c.detections / max) * barW);
    const fill = safeColour(c.colour, KIND_COLOURS[c.kind]);
    return html`<g><text x="${labelW - 6}" y="${r1(y + 15)}" text-anchor="end" class="lbl">${text(c.name, 40)}</text><rect x="${labelW}" y="${y + 3}" width="${r1(w)}" height="${rowH - 6}" fill="${fill}"><title>${text(c.name, 200)}: ${fmtInt(c.detections)}</title></rect><text x="${r1(labelW + w + 6)}" y="${r1(y + 15)}" class="val">${fmtInt(c.detections)}</text></g>`;
  });
  return html`<svg class="chart" role="img" aria-label="Detections per class" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${bars}</svg>`;
}

/**
 * The run's time-line: flagged detections (attack and unknown, stacked) per time bucket on
 * top, all flows per bucket below, so a few attack flows are not flattened by benign volume.
 */
export function timelineChart(t: Timeline): SafeHtml {
  const left = 56;
  const plotW = 640;
  const topH = 120;
  const botH = 60;
  const gap = 34;
  const width = left + plotW + 16;
  const height = topH + gap + botH + 36;
  const n = t.buckets.length;
  const bw = plotW / n;
  const flaggedMax = niceMax(Math.max(...t.buckets.map((b) => b.attack + b.unknown), 0));
  const allMax = niceMax(Math.max(...t.buckets.map((b) => b.attack + b.unknown + b.benign), 0));
  const parts: SafeHtml[] = [];
  parts.push(html`<text x="${left}" y="11" class="lbl">Flagged detections (attack, unknown) per ${bucketName(t.bucketSeconds)}</text>`);
  parts.push(html`<text x="${left}" y="${topH + gap - 4}" class="lbl">All analysed flows per ${bucketName(t.bucketSeconds)}</text>`);
  const y0 = 16;
  const y1 = topH + gap;
  parts.push(html`<line x1="${left}" y1="${y0 + topH - 16}" x2="${left + plotW}" y2="${y0 + topH - 16}" stroke="#555" stroke-width="0.6"/>`);
  parts.push(html`<line x1="${left}" y1="${y1 + botH}" x2="${left + plotW}" y2="${y1 + botH}" stroke="#555" stroke-width="0.6"/>`);
  parts.push(html`<text x="${left - 4}" y="${y0 + 8}" text-anchor="end" class="val">${fmtInt(flaggedMax)}</text><text x="${left - 4}" y="${y0 + topH - 16}" text-anchor="end" class="val">0</text>`);
  parts.push(html`<text x="${left - 4}" y="${y1 + 8}" text-anchor="end" class="val">${fmtInt(allMax)}</text><text x="${left - 4}" y="${y1 + botH}" text-anchor="end" class="val">0</text>`);
  const hTop = topH - 16;
  t.buckets.forEach((b, i) => {
    const x = left + i * bw + 0.5;
    const w = Math.max(0.5, bw - 1);
    const ha = (b.attack / flaggedMax) * hTop;
    const hu = (b.unknown / flaggedMax) * hTop;
    const base = y0 + hTop;
    const tip = `${fmtTime(b.start, t.bucketSeconds < 1)}: ${fmtInt(b.attack)} attack, ${fmtInt(b.unknown)} unknown, ${fmtInt(b.benign)} benign`;
    if (ha > 0) parts.push(html`<rect x="${r1(x)}" y="${r1(base - ha)}" width="${r1(w)}" height="${r1(ha)}" fill="${KIND_COLOURS.attack}"><title>${tip}</title></rect>`);
    if (hu > 0) parts.push(html`<rect x="${r1(x)}" y="${r1(base - ha - hu)}" width="${r1(w)}" height="${r1(hu)}" fill="${KIND_COLOURS.unknown}"><title>${tip}</title></rect>`);
    const total = b.attack + b.unknown + b.benign;
    const ht = (total / allMax) * botH;
    if (ht > 0) parts.push(html`<rect x="${r1(x)}" y="${r1(y1 + botH - ht)}" width="${r1(w)}" height="${r1(ht)}" fill="${KIND_COLOURS.benign}"><title>${tip}</title></rect>`);
  });
  const end = t.start + n * t.bucketSeconds;
  const ms = t.bucketSeconds < 1;
  parts.push(html`<text x="${left}" y="${height - 6}" class="val">${fmtTime(t.start, ms)}</text>`);
  parts.push(html`<text x="${left + plotW}" y="${height - 6}" text-anchor="end" class="val">${fmtTime(end, ms)}</text>`);
  return html`<svg class="chart" role="img" aria-label="Time-line of detections" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${parts}</svg>`;
}

function bucketName(s: number): string {
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s % 86400 === 0) return s === 86400 ? 'day' : `${s / 86400} days`;
  if (s % 3600 === 0) return s === 3600 ? 'hour' : `${s / 3600} hours`;
  if (s % 60 === 0) return s === 60 ? 'minute' : `${s / 60} minutes`;
  return s === 1 ? 'second' : `${s} seconds`;
}

/** A diverging bar for one feature's effect size (−4..4 shown), for the drivers table. */
export function effectBar(effect: number): SafeHtml {
  const w = 120;
  const mid = w / 2;
  const clamped = Math.max(-4, Math.min(4, effect));
  const len = (Math.abs(clamped) / 4) * mid;
  const x = clamped >= 0 ? mid : mid - len;
  const fill = clamped >= 0 ? KIND_COLOURS.attack : '#2e86c1';
  return html`<svg class="effect" viewBox="0 0 ${w} 12" width="${w}" height="12" xmlns="http://www.w3.org/2000/svg"><rect x="0" y="5.5" width="${w}" height="1" fill="#ccc"/><rect x="${r1(x)}" y="1" width="${r1(Math.max(1, len))}" height="10" fill="${fill}"/><line x1="${mid}" y1="0" x2="${mid}" y2="12" stroke="#555" stroke-width="0.8"/></svg>`;
}

/** A confusion matrix as an SVG heat map: rows true class, columns predicted, row-normalised shade. */
export function confusionChart(classes: string[], matrix: number[][]): SafeHtml {
  const n = classes.length;
  const cell = n > 12 ? 18 : 30;
  const labelW = 130;
  const longest = Math.max(...classes.map((c) => Math.min(22, c.length)), 1);
  const top = Math.round(16 + longest * 5.5);
  const width = labelW + n * cell + 10;
  const height = top + n * cell + 10;
  const parts: SafeHtml[] = [];
  classes.forEach((c, i) => {
    parts.push(html`<text x="${labelW - 6}" y="${r1(top + i * cell + cell / 2 + 4)}" text-anchor="end" class="val">${text(c, 22)}</text>`);
    const x = labelW + i * cell + cell / 2 + 4;
    parts.push(html`<text x="${r1(x)}" y="${top - 6}" transform="rotate(-60 ${r1(x)} ${top - 6})" class="val">${text(c, 22)}</text>`);
  });
  matrix.forEach((row, i) => {
    const total = row.reduce((s, v) => s + (Number.isFinite(v) ? v : 0), 0);
    row.slice(0, n).forEach((v, j) => {
      const share = total > 0 && Number.isFinite(v) ? v / total : 0;
      const fill = i === j ? '#1e8449' : KIND_COLOURS.attack;
      parts.push(
        html`<rect x="${labelW + j * cell}" y="${top + i * cell}" width="${cell - 1}" height="${cell - 1}" fill="${fill}" fill-opacity="${(0.06 + share * 0.94).toFixed(3)}"><title>${text(classes[i], 100)} → ${text(classes[j], 100)}: ${fmtInt(v)}</title></rect>`,
      );
      if (cell >= 24 && v > 0) parts.push(html`<text x="${r1(labelW + j * cell + cell / 2)}" y="${r1(top + i * cell + cell / 2 + 4)}" text-anchor="middle" class="${share > 0.55 ? 'inv' : 'val'}">${v >= 1000 ? `${Math.round(v / 1000)}k` : fmtInt(v)}</text>`);
    });
  });
  return html`<svg class="chart" role="img" aria-label="Confusion matrix (rows: true class, columns: predicted)" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${parts}</svg>`;
}
