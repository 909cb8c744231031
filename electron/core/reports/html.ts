/**
 * The HTML report: one self-contained file (no external resource, no script), charts as inline
 * SVG, a strict Content-Security-Policy, print styles for the PDF. Every value goes through the
 * `html` template, which escapes anything that is not markup built here.
 */
import { createHash } from 'node:crypto';
import { html, SafeHtml, safeColour, text } from './escape';
import type { ClassDrivers, ReportContent, ReportDetection, ReportModel, ReportSource, Talker } from './content';
import { fmtNum } from './content';
import { classBarChart, confusionChart, effectBar, KIND_COLOURS, timelineChart } from './charts';
import { endpoint, fmtBytes, fmtDuration, fmtInt, fmtScore, fmtTime, protoName } from './format';

const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { overflow-wrap: anywhere; font: 10.5pt/1.45 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1b1f23; margin: 0 auto; max-width: 1100px; padding: 24px 28px 40px; background: #fff; }
h1 { font-size: 20pt; margin: 0 0 4px; }
h2 { font-size: 13.5pt; margin: 28px 0 8px; padding-bottom: 3px; border-bottom: 2px solid #1b1f23; }
h3 { font-size: 11pt; margin: 16px 0 6px; }
.muted { color: #5f6a72; }
.sub { color: #3c464e; margin: 0 0 14px; }
.cards { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0; }
.card { border: 1px solid #cfd6dc; border-radius: 4px; padding: 6px 12px; min-width: 120px; }
.card b { display: block; font-size: 15pt; }
.card.attack b { color: ${KIND_COLOURS.attack}; }
.card.unknown b { color: ${KIND_COLOURS.unknown}; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 9pt; }
th, td { border: 1px solid #d5dbe0; padding: 3px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; word-break: break-word; }
th { background: #eef1f4; font-weight: 600; overflow-wrap: normal; word-break: normal; hyphens: none; }
td.hash { word-break: break-all; }
td.n, th.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.mono, .mono { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 8.5pt; }
tr.confirmed td:first-child { border-left: 4px solid ${KIND_COLOURS.attack}; }
tr.dismissed td { color: #7b868f; }
table.fixed { table-layout: fixed; }
col.w-id { width: 8%; } col.w-time { width: 14%; } col.w-flow { width: 23%; } col.w-class { width: 11%; }
col.w-score { width: 12%; } col.w-verdict { width: 11%; } col.w-note { width: 21%; }
.verdict { font-weight: 600; overflow-wrap: normal; word-break: normal; }
.k-attack { color: ${KIND_COLOURS.attack}; }
.k-unknown { color: ${KIND_COLOURS.unknown}; }
.k-benign { color: #4d5a63; }
.swatch { display: inline-block; margin-right: 5px; vertical-align: baseline; }
.note { white-space: pre-wrap; }
.notes { white-space: pre-wrap; border-left: 3px solid #cfd6dc; padding: 4px 10px; margin: 6px 0; }
svg.chart { max-width: 100%; height: auto; display: block; margin: 6px 0 4px; }
svg text.lbl { font-size: 11px; fill: #1b1f23; }
svg text.val { font-size: 10px; fill: #4d5a63; }
svg text.inv { font-size: 10px; fill: #fff; }
.small { font-size: 8.5pt; }
.nowrap { white-space: nowrap; }
.lines { white-space: pre; }
footer { margin-top: 30px; font-size: 8.5pt; color: #5f6a72; border-top: 1px solid #cfd6dc; padding-top: 6px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  .card { min-width: 0; padding: 4px 9px; }
  h2 { break-after: avoid; }
  thead { display: table-header-group; }
  tr, .card, svg.chart, .drivers { break-inside: avoid; }
  section.detections table { font-size: 8pt; }
  a { color: inherit; text-decoration: none; }
}
`;

/** The one style sheet, allowed by hash; scripts, frames, fonts, images from anywhere: none. */
export function contentSecurityPolicy(style = STYLE): string {
  const hash = createHash('sha256').update(style, 'utf8').digest('base64');
  return `default-src 'none'; style-src 'sha256-${hash}'; img-src data:; base-uri 'none'; form-action 'none'`;
}

const swatch = (fill: string): SafeHtml =>
  html`<svg class="swatch" viewBox="0 0 9 9" width="9" height="9" xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9" fill="${fill}"/></svg>`;

/** Milliseconds matter when the whole span is under a minute. */
const shortSpan = (a: number | null, b: number | null): boolean => a !== null && b !== null && b - a < 60;

const kindClass = (k: string): string => (k === 'attack' ? 'k-attack' : k === 'unknown' ? 'k-unknown' : 'k-benign');

function sourcesSection(sources: ReportSource[]): SafeHtml {
  if (sources.length === 0) return html`<p class="muted">No sources.</p>`;
  const rows = sources.map(
    (s) => html`<tr>
      <td>${s.name}<div class="muted small">${s.path}</div></td>
      <td>${s.format}${s.schema ? html` <span class="muted">(${s.schema})</span>` : ''}</td>
      <td class="n">${fmtBytes(s.size)}</td>
      <td class="mono hash">${s.sha256 ?? html`<span class="muted">not computed</span>`}</td>
      <td class="n">${fmtInt(s.packets)}</td>
      <td class="n">${fmtInt(s.flowCount)}</td>
      <td class="small">${fmtTime(s.timeFirst, shortSpan(s.timeFirst, s.timeLast))}${s.timeLast !== null ? html`<br>${fmtTime(s.timeLast, shortSpan(s.timeFirst, s.timeLast))}` : ''}</td>
      <td class="nowrap">${s.status}</td>
    </tr>`,
  );
  const errors = sources
    .filter((s) => s.errorCount > 0)
    .map(
      (s) => html`<h3>Import errors in ${s.name} (${fmtInt(s.errorCount)})</h3><ul class="small">${s.errors.map(
        (e) => html`<li>${e.file ?? s.name}${e.offset !== undefined ? ` at byte ${fmtInt(e.offset)}` : ''}${e.line !== undefined ? ` line ${fmtInt(e.line)}` : ''}: ${e.message}</li>`,
      )}${s.errorCount > s.errors.length ? html`<li class="muted">… ${fmtInt(s.errorCount - s.errors.length)} more in the workspace</li>` : ''}</ul>`,
    );
  return html`<table><thead><tr><th>File</th><th>Format</th><th class="n">Size</th><th>SHA-256</th><th class="n">Packets</th><th class="n">Flows</th><th>Time range (UTC)</th><th>Status</th></tr></thead><tbody>${rows}</tbody></table>${errors}`;
}

function modelSection(m: ReportModel | null): SafeHtml {
  if (!m) return html`<p class="muted">The model of this run is no longer in the workspace.</p>`;
  const adapted = m.adaptations;
  const lineage = m.lineage.map(
    (v, i) => html`<li>${i === m.lineage.length - 1 ? html`<b>${v.name}</b>` : v.name} <span class="muted">#${v.id} · ${v.algorithm} · ${v.createdAt}</span>${v.adaptedClass !== null ? html` — adapted to <b>${v.adaptedClass}</b>` : i === 0 ? ' — meta-trained base' : ''}</li>`,
  );
  return html`
    <table><tbody>
      <tr><th>Model</th><td>${m.name} <span class="muted">#${m.id}</span></td><th>Algorithm</th><td>${m.algorithm}</td></tr>
      <tr><th>Feature schema</th><td>${m.schema}</td><th>Created</th><td>${m.createdAt}</td></tr>
      <tr><th>Base classes</th><td colspan="3">${m.baseClasses.length ? m.baseClasses.join(', ') : html`<span class="muted">not recorded</span>`}</td></tr>
      <tr><th>All classes</th><td colspan="3">${m.classes.join(', ')}</td></tr>
    </tbody></table>
    <h3>Lineage</h3><ol class="small">${lineage}</ol>
    ${adapted.length
      ? html`<h3>Few-shot adaptations</h3><table><thead><tr><th>Class</th><th class="n">K</th><th>Support flows</th><th>Fine-tuned</th><th>Version</th></tr></thead><tbody>${adapted.map(
          (a) => html`<tr><td>${a.className}</td><td class="n">${a.k ?? ''}</td><td class="mono small">${a.supportFlowIds.length ? `flows ${a.supportFlowIds.slice(0, 30).join(', ')}${a.supportFlowIds.length > 30 ? ` … (${a.supportFlowIds.length})` : ''}` : ''}${a.filter !== null ? html`<div>filter: ${a.filter}</div>` : ''}</td><td>${a.fineTuned === null ? '' : a.fineTuned ? 'yes' : 'no'}</td><td class="small">#${a.modelId} · ${a.createdAt}</td></tr>`,
        )}</tbody></table>`
      : ''}
    ${m.metrics.length
      ? html`<h3>Evaluation metrics</h3><table class="small"><thead><tr><th>Metric</th><th class="n">Value</th></tr></thead><tbody>${m.metrics.map(
          (x) => html`<tr><td>${x.name}</td><td class="n">${typeof x.value === 'number' ? fmtNum(x.value) : x.value}</td></tr>`,
        )}</tbody></table>`
      : html`<p class="muted">No evaluation metrics recorded with this model.</p>`}
    ${m.perClass.length
      ? html`<h3>Per class (validation)</h3><table class="small"><thead><tr><th>Class</th><th class="n">Precision</th><th class="n">Recall</th><th class="n">F1</th><th class="n">Support</th></tr></thead><tbody>${m.perClass.map(
          (c) => html`<tr><td>${c.name}</td><td class="n">${fmtScore(c.precision)}</td><td class="n">${fmtScore(c.recall)}</td><td class="n">${fmtScore(c.f1)}</td><td class="n">${fmtInt(c.support)}</td></tr>`,
        )}</tbody></table>`
      : ''}
    ${m.confusion ? html`<h3>Confusion matrix (validation; rows: true class, columns: predicted)</h3>${confusionChart(m.confusion.classes, m.confusion.matrix)}` : ''}`;
}

function runSection(c: ReportContent): SafeHtml {
  const r = c.run;
  const rows = r.classes.map(
    (k) => html`<tr><td>${swatch(safeColour(k.colour, KIND_COLOURS[k.kind]))}${k.name}</td><td class="${kindClass(k.kind)}">${k.kind}</td><td class="n">${fmtInt(k.detections)}</td><td class="n">${fmtInt(k.verdicts.confirmed)}</td><td class="n">${fmtInt(k.verdicts.relabelled)}</td><td class="n">${fmtInt(k.verdicts.dismissed)}</td><td class="n">${fmtInt(k.verdicts.new)}</td><td class="n">${fmtScore(k.meanScore)}</td></tr>`,
  );
  return html`
    <table><tbody>
      <tr><th>Run</th><td>#${r.id}, ${r.createdAt}</td><th>Model</th><td>${c.model ? html`${c.model.name} <span class="muted">#${c.model.id}</span>` : r.modelId ?? ''}</td></tr>
      <tr><th>Filter</th><td class="mono">${r.filter || html`<span class="muted">all flows</span>`}</td><th>Traffic span</th><td>${fmtTime(r.timeFirst, shortSpan(r.timeFirst, r.timeLast))}${r.timeLast !== null && r.timeFirst !== null ? html` → ${fmtTime(r.timeLast, shortSpan(r.timeFirst, r.timeLast))} (${fmtDuration(r.timeLast - r.timeFirst)})` : ''}</td></tr>
    </tbody></table>
    ${classBarChart(r.classes)}
    <table><thead><tr><th>Predicted class</th><th>Kind</th><th class="n">Detections</th><th class="n">Confirmed</th><th class="n">Relabelled</th><th class="n">Dismissed</th><th class="n">Not reviewed</th><th class="n">Mean score</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function talkersTable(title: string, ts: Talker[]): SafeHtml {
  if (ts.length === 0) return html``;
  return html`<div><h3>${title}</h3><table><thead><tr><th>Address</th><th class="n">Flows</th><th class="n">Bytes</th><th class="n">Flagged</th></tr></thead><tbody>${ts.map(
    (t) => html`<tr><td class="mono">${t.ip}</td><td class="n">${fmtInt(t.flows)}</td><td class="n">${fmtBytes(t.bytes)}</td><td class="n">${fmtInt(t.flagged)}</td></tr>`,
  )}</tbody></table></div>`;
}

function driversSection(ds: ClassDrivers[]): SafeHtml {
  if (ds.length === 0) return html`<p class="muted">No flagged class with flow features to compare.</p>`;
  return html`<p class="small muted">For each flagged class, the flow features whose values differ most from ${ds[0]!.reference === 'benign' ? 'the flows predicted benign' : 'all analysed flows'} in this run (standardised difference of means of sign·log(1+|x|); positive: higher in the class). Samples of up to 2,000 flows per class.</p>
  ${ds.map(
    (d) => html`<div class="drivers"><h3><span class="${kindClass(d.kind)}">${d.className}</span> <span class="muted small">(${fmtInt(d.sampled)} flows vs ${fmtInt(d.referenceSampled)})</span></h3><table class="small"><thead><tr><th>Feature</th><th class="n">Median in class</th><th class="n">Median in reference</th><th class="n">Effect</th><th></th></tr></thead><tbody>${d.features.map(
      (f) => html`<tr><td class="mono">${f.name}</td><td class="n">${fmtNum(f.classMedian)}</td><td class="n">${fmtNum(f.referenceMedian)}</td><td class="n">${f.effect.toFixed(2)}</td><td>${effectBar(f.effect)}</td></tr>`,
    )}</tbody></table></div>`,
  )}`;
}

function detectionRow(d: ReportDetection): SafeHtml {
  const extra: SafeHtml[] = [];
  if (d.app) extra.push(html`<div class="small muted">app: ${d.app}</div>`);
  if (d.hints) extra.push(html`<div class="small muted">${d.hints}</div>`);
  return html`<tr class="${d.verdict}">
    <td class="n">${d.id}<div class="muted small">flow ${d.flowId}</div></td>
    <td class="small lines">${fmtTime(d.ts).replace(' ', '\n')}</td>
    <td class="mono">${endpoint(d.srcIp, d.srcPort)} → ${endpoint(d.dstIp, d.dstPort)}<div class="muted small">${protoName(d.proto) ?? ''}${d.vlan !== null ? ` vlan ${d.vlan}` : ''} · ${fmtInt(d.packets)} pkts · ${fmtBytes(d.bytes)}</div>${extra}</td>
    <td class="${kindClass(d.kind)}">${d.predicted}${d.label !== null && d.label !== d.predicted ? html`<div class="small muted">label: ${d.label}</div>` : ''}${d.truth !== null ? html`<div class="small muted">truth: ${d.truth}</div>` : ''}</td>
    <td class="n">${fmtScore(d.score)}<div class="muted small">attack ${fmtScore(d.attackScore)}</div><div class="muted small">novelty ${fmtScore(d.novelty)}</div></td>
    <td class="verdict">${d.verdict}${d.reviewer ? html`<div class="small muted">${d.reviewer}</div>` : ''}</td>
    <td class="note">${d.note}</td>
  </tr>`;
}

function detectionsSection(c: ReportContent): SafeHtml {
  const shown = c.detections.length;
  const more = c.detectionsQualified - shown;
  return html`<p class="small muted">Detections an analyst reviewed and those predicted as an attack class or unknown — confirmed first, then by attack score. ${fmtInt(c.detectionsQualified)} qualify${more > 0 ? html`; the first ${fmtInt(shown)} are listed, all are in the CSV and JSON exports` : ''}. Benign predictions nobody reviewed are counted above, not listed.</p>
  ${shown === 0
    ? html`<p class="muted">No flagged or reviewed detections.</p>`
    : html`<table class="fixed"><colgroup><col class="w-id"><col class="w-time"><col class="w-flow"><col class="w-class"><col class="w-score"><col class="w-verdict"><col class="w-note"></colgroup><thead><tr><th class="n">ID</th><th>First packet (UTC)</th><th>Flow</th><th>Class</th><th class="n">Score</th><th>Verdict</th><th>Analyst note</th></tr></thead><tbody>${c.detections.map(detectionRow)}</tbody></table>`}`;
}

/** The whole report as one HTML document string. */
export function renderHtml(c: ReportContent): string {
  const r = c.run;
  const title = `Detection report — ${c.workspace.name}`;
  const body = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy()}">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light">
<meta name="generator" content="${c.tool.name} ${c.tool.version}">
<title>${text(title, 300)}</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body>
<header>
<h1>${text(title, 300)}</h1>
<p class="sub">Analyst: <b>${c.workspace.analyst || '—'}</b> · Workspace ${c.workspace.file} (created ${c.workspace.createdAt}) · Report generated ${c.generatedAt} by ${c.tool.name} ${c.tool.version}, offline</p>
<div class="cards">
  <div class="card"><b>${fmtInt(r.detectionCount)}</b>flows analysed</div>
  <div class="card attack"><b>${fmtInt(r.flagged - r.unknowns)}</b>predicted attack</div>
  <div class="card unknown"><b>${fmtInt(r.unknowns)}</b>unknown (novel)</div>
  <div class="card attack"><b>${fmtInt(r.verdicts.confirmed)}</b>confirmed by analyst</div>
  <div class="card"><b>${fmtInt(r.verdicts.dismissed)}</b>dismissed</div>
  <div class="card"><b>${fmtInt(r.verdicts.relabelled)}</b>relabelled</div>
</div>
${c.workspace.notes ? html`<h3>Case notes</h3><div class="notes">${text(c.workspace.notes, 20_000)}</div>` : ''}
</header>
<section><h2>Sources</h2>${sourcesSection(c.sources)}</section>
<section><h2>Model</h2>${modelSection(c.model)}</section>
<section><h2>Detection run</h2>${runSection(c)}</section>
<section><h2>Time-line</h2>${c.timeline ? timelineChart(c.timeline) : html`<p class="muted">The analysed flows carry no timestamps (flow-log rows without time columns).</p>`}</section>
<section><h2>Top talkers</h2>${c.topTalkers.byBytes.length ? html`${talkersTable('By bytes', c.topTalkers.byBytes)}${talkersTable('By flagged flows', c.topTalkers.byFlagged)}` : html`<p class="muted">The analysed flows carry no addresses.</p>`}</section>
<section><h2>What drove each class</h2>${driversSection(c.drivers)}</section>
<section class="detections"><h2>Detections</h2>${detectionsSection(c)}</section>
<footer>Values taken from traffic, logs and notes are shown as text: markup is escaped, invisible and direction-changing characters appear as &lt;U+XXXX&gt;, and long values are cut (the CSV and JSON exports keep them). Colours: <span class="k-attack">attack</span>, <span class="k-unknown">unknown</span>, <span class="k-benign">benign</span>.</footer>
</body>
</html>
`;
  return body.value;
}
