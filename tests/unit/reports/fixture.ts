/**
 * A real workspace file with a detection run, written row by row with SQL so the report tests
 * do not wait for the importers or the ML engine. `hostile` strings go into every text column
 * a report shows (names, notes, addresses, app hints, class names, errors, metrics keys).
 */
import { Workspace } from '../../../electron/core/store/workspace';
import { mulberry32 } from '../../../shared/random';

export const HOSTILE: readonly string[] = [
  '<script>window.__pwned=1;alert(1)</script>',
  '"><img src=x onerror="window.__pwned=2">',
  "' onmouseover='window.__pwned=3' x='",
  'javascript:window.__pwned=4',
  '<a href="javascript:window.__pwned=5">click</a>',
  '<svg onload=window.__pwned=6><circle r=9 /></svg>',
  '<iframe srcdoc="<script>parent.__pwned=7</script>"></iframe>',
  '<meta http-equiv="refresh" content="0;url=javascript:window.__pwned=8">',
  '</style><script>window.__pwned=9</script><style>',
  '</title><script>window.__pwned=10</script>',
  '<style>body{display:none}</style>',
  '<base href="javascript:/">',
  '=HYPERLINK("http://203.0.113.9/x","open")',
  "+cmd|' /C calc'!A0",
  '-2+3+cmd|\' /C calc\'!A0',
  '@SUM(1+1)*cmd|\' /C calc\'!A0',
  '\t=1+1',
  '\r=1+1',
  ' =1+1',
  'invoice\u202Egpj.exe',
  '\u2066isolated\u2069 \u202Bembedding\u202C \u200Fmark',
  'nul\u0000byte and \u001b[31mANSI\u001b[0m',
  'lone \uD800 surrogate',
  'line\u2028separator',
  '"},{"injected":true,"x":"',
  "10.0.0.1' OR 1=1 --",
  '${7*7}{{7*7}}`backtick`',
  '<b>bold</b>&amp;&lt;',
];

/** 1 MiB of text with markup at both ends. */
export const HUGE = `<script>window.__pwned=11</script>${'A'.repeat(1 << 20)}<img src=x onerror=window.__pwned=12>`;

export interface FixtureOptions {
  hostile?: readonly string[];
  flows?: number;
}

export interface Fixture {
  runId: number;
  modelId: number;
  flowIds: number[];
  detectionIds: number[];
  confirmed: number[];
}

const FEATURES = ['duration_s', 'fwd_packets', 'bwd_packets', 'fwd_bytes', 'bwd_bytes', 'syn_count', 'mean_iat_s', 'dst_port_entropy'];
const T0 = 1_714_557_600; // 2024-05-01T10:00:00Z

const rng = mulberry32;

export function buildReportWorkspace(file: string, opts: FixtureOptions = {}): Fixture {
  const hostile = opts.hostile ?? [];
  const h = (i: number, plain: string): string => (hostile.length ? `${plain} ${hostile[i % hostile.length]}` : plain);
  const ws = Workspace.open(file, { create: { name: h(0, 'Case 42: lab capture'), analyst: h(1, 'A. Analyst') } });
  const db = ws.db;
  const rand = rng(7);
  try {
    db.transaction(() => {
      db.prepare('UPDATE workspace SET created_at = ?, notes = ? WHERE id = 1').run(
        '2024-05-01T09:00:00.000Z',
        hostile.length ? `Notes:\n${hostile.join('\n')}\n${HUGE}` : 'Lab capture made by the project generator.\nSecond line.',
      );
      const jobs = db.prepare(`INSERT INTO jobs (kind, spec, state, created_at) VALUES ('detect', '{}', 'done', '2024-05-01T11:00:00.000Z')`).run();
      const jobId = Number(jobs.lastInsertRowid);
      const src = db
        .prepare(
          `INSERT INTO sources (path, name, size, sha256, format, schema, imported_at, status, packets, flow_count, time_first, time_last, errors)
           VALUES (?, ?, ?, ?, 'pcap', 'pcap', '2024-05-01T10:30:00.000Z', ?, 5000, ?, ?, ?, ?)`,
        )
        .run(
          h(2, '/cases/42/lab.pcap'),
          h(3, 'lab.pcap'),
          123_456,
          'a'.repeat(64),
          hostile.length ? 'partial' : 'ok',
          opts.flows ?? 200,
          T0,
          T0 + 600,
          JSON.stringify(hostile.length ? hostile.map((m, i) => ({ file: 'lab.pcap', offset: 1000 + i, message: m })) : []),
        );
      const sourceId = Number(src.lastInsertRowid);
      const cls = db.prepare(`INSERT INTO label_classes (name, kind, colour, attack_ids, created_at) VALUES (?, ?, ?, ?, '2024-05-01T09:00:00.000Z')`);
      const benign = 'benign';
      const portscan = h(4, 'portscan');
      const ddos = h(5, 'ddos');
      const cBenign = Number(cls.run(benign, 'benign', '#2e86c1', '[]').lastInsertRowid);
      const cScan = Number(cls.run(portscan, 'attack', hostile.length ? '" onload="window.__pwned=13' : '#c0392b', '["T1046"]').lastInsertRowid);
      const cDdos = Number(cls.run(ddos, 'attack', '#8e44ad', hostile.length ? '["T1498","<script>x</script>"]' : '["T1498"]').lastInsertRowid);

      const m1 = db
        .prepare(
          `INSERT INTO models (name, algorithm, schema, classes, hyper, metrics, pipeline, calibration, created_at)
           VALUES (?, 'protonet', 'pcap', ?, ?, ?, ?, '{}', '2024-05-01T10:40:00.000Z')`,
        )
        .run(
          h(6, 'base protonet'),
          JSON.stringify([benign, portscan]),
          JSON.stringify({ ways: 2, shots: 5, queries: 10, embedding: 64 }),
          JSON.stringify({ recall: { mean: 0.91, ci95: 0.03 }, precision: { mean: 0.88, ci95: 0.04 }, auc: 0.97, ...(hostile.length ? { [hostile[0]!]: 1, note: hostile[1] } : {}) }),
          JSON.stringify({ featureNames: FEATURES }),
        );
      const base = Number(m1.lastInsertRowid);
      const m2 = db
        .prepare(
          `INSERT INTO models (parent_id, name, algorithm, schema, classes, hyper, metrics, pipeline, calibration, adaptation, created_at)
           VALUES (?, ?, 'protonet', 'pcap', ?, '{}', ?, ?, '{}', ?, '2024-05-01T10:50:00.000Z')`,
        )
        .run(
          base,
          h(7, 'adapted to ddos'),
          JSON.stringify([benign, portscan, ddos]),
          JSON.stringify({
            f1: 0.84,
            fpr: 0.012,
            perClass: [
              { name: benign, precision: 0.97, recall: 0.98, f1: 0.975, support: 120 },
              { name: portscan, precision: 0.9, recall: 0.85, f1: 0.874, support: 40 },
              { name: ddos, precision: 0.8, recall: 0.7, f1: 0.747, support: 20 },
            ],
            confusion: { classes: [benign, portscan, ddos], matrix: [[118, 1, 1], [5, 34, 1], [4, 2, 14]] },
            curve: Array.from({ length: 50 }, (_, i) => ({ step: i, loss: 1 / (i + 1), acc: i / 50 })),
            roc: { fpr: [0, 0.1, 1], tpr: [0, 0.9, 1], auc: 0.95 },
          }),
          JSON.stringify({ featureNames: FEATURES }),
          // The shape the ML engine stores (electron/core/ml/store.ts Adaptation).
          JSON.stringify({ className: ddos, shots: 3, fineTune: false, flowIds: [3, 4, 5] }),
        );
      const modelId = Number(m2.lastInsertRowid);

      const flow = db.prepare(
        `INSERT INTO flows (source_id, row_no, ts, end_ts, proto, src_ip, dst_ip, src_port, dst_port, community_id,
           packets_fwd, packets_bwd, bytes_fwd, bytes_bwd, app, hints, schema, features, truth, label_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pcap', ?, ?, ?)`,
      );
      const n = opts.flows ?? 200;
      const flowIds: number[] = [];
      const kinds: ('benign' | 'scan' | 'ddos' | 'unknown')[] = [];
      for (let i = 0; i < n; i++) {
        const k = i % 10 < 6 ? 'benign' : i % 10 < 8 ? 'scan' : i % 10 < 9 ? 'ddos' : 'unknown';
        kinds.push(k);
        const ts = T0 + (i / n) * 600 + rand();
        const v6 = i % 17 === 0;
        const noAddr = i === 6;
        const srcIp = noAddr ? null : v6 ? `2001:db8::${(i % 200) + 1}` : hostile.length && i === 16 ? hostile[25]! : `10.0.${i % 4}.${(i % 50) + 1}`;
        const dstIp = noAddr ? null : v6 ? '2001:db8::ffff' : k === 'ddos' ? '192.0.2.80' : `198.51.100.${(i % 7) + 1}`;
        const f = new Float32Array(FEATURES.length);
        f[0] = k === 'scan' ? 0.01 : 2 + rand() * 5;
        f[1] = k === 'scan' ? 1 : k === 'ddos' ? 500 + rand() * 100 : 10 + rand() * 20;
        f[2] = k === 'scan' ? 1 : 8 + rand() * 10;
        f[3] = f[1] * (k === 'ddos' ? 60 : 400);
        f[4] = f[2] * 600;
        f[5] = k === 'scan' ? 1 : 1;
        f[6] = k === 'ddos' ? 0.001 : 0.2 + rand();
        f[7] = k === 'scan' ? 3 + rand() : rand();
        const r = flow.run(
          sourceId,
          i + 1,
          ts,
          ts + f[0],
          i % 13 === 0 ? 17 : 6,
          srcIp,
          dstIp,
          noAddr ? null : 40_000 + i,
          noAddr ? null : k === 'scan' ? 1 + i : 443,
          noAddr ? null : `1:${Buffer.from(`cid${i}`).toString('base64')}`,
          Math.round(f[1]),
          Math.round(f[2]),
          Math.round(f[3]),
          Math.round(f[4]),
          hostile.length && i % 3 === 0 ? hostile[(i + 5) % hostile.length]! : k === 'benign' ? 'tls' : null,
          hostile.length && i === 12 ? HUGE : hostile.length && i % 4 === 0 ? hostile[(i + 9) % hostile.length]! : null,
          Buffer.from(f.buffer),
          k === 'benign' ? 'BENIGN' : k === 'scan' ? h(i, 'PortScan') : k === 'ddos' ? 'DDoS' : 'Bot',
          k === 'benign' ? cBenign : k === 'scan' ? cScan : k === 'ddos' ? cDdos : null,
        );
        flowIds.push(Number(r.lastInsertRowid));
      }
      const label = db.prepare(`INSERT INTO labels (flow_id, class_id, origin, author, created_at, note) VALUES (?, ?, 'dataset', '', '2024-05-01T10:31:00.000Z', '')`);
      flowIds.forEach((id, i) => {
        const k = kinds[i];
        if (k !== 'unknown') label.run(id, k === 'benign' ? cBenign : k === 'scan' ? cScan : cDdos);
      });

      const run = db
        .prepare(`INSERT INTO detection_runs (model_id, job_id, filter, created_at, flow_count, counts) VALUES (?, ?, ?, '2024-05-01T11:00:00.000Z', ?, '{}')`)
        .run(modelId, jobId, h(8, 'proto = tcp and bytes > 0'), n);
      const runId = Number(run.lastInsertRowid);
      const det = db.prepare(
        `INSERT INTO detections (run_id, flow_id, predicted, score, novelty, attack_score, verdict, reviewer, note, reviewed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const detectionIds: number[] = [];
      const confirmed: number[] = [];
      flowIds.forEach((fid, i) => {
        const k = kinds[i]!;
        const predicted = k === 'benign' ? benign : k === 'scan' ? portscan : k === 'ddos' ? ddos : 'unknown';
        let verdict: 'new' | 'confirmed' | 'dismissed' | 'relabelled' = 'new';
        if (k !== 'benign' && i % 4 === 0) verdict = 'confirmed';
        else if (k !== 'benign' && i % 4 === 1) verdict = 'dismissed';
        else if (k === 'unknown' && i % 4 === 3) verdict = 'relabelled';
        const reviewed = verdict !== 'new';
        const note = reviewed ? (hostile.length ? (i === 16 ? HUGE : hostile[i % hostile.length]!) : `Checked flow ${fid}: ${verdict}.`) : '';
        const r = det.run(
          runId,
          fid,
          predicted,
          0.5 + rand() / 2,
          k === 'unknown' ? 2 + rand() : rand(),
          k === 'benign' ? rand() * 0.2 : 0.7 + rand() * 0.3,
          verdict,
          reviewed ? h(i, 'A. Analyst') : null,
          note,
          reviewed ? '2024-05-01T12:00:00.000Z' : null,
        );
        const id = Number(r.lastInsertRowid);
        if (verdict === 'relabelled') {
          // The analyst's new label for the flow (append-only history, current label on the flow).
          db.prepare(`INSERT INTO labels (flow_id, class_id, origin, author, created_at, note) VALUES (?, ?, 'analyst', ?, '2024-05-01T12:00:00.000Z', ?)`).run(fid, cDdos, h(i, 'A. Analyst'), note);
          db.prepare('UPDATE flows SET label_id = ? WHERE id = ?').run(cDdos, fid);
        }
        detectionIds.push(id);
        if (verdict === 'confirmed') confirmed.push(id);
      });
      return undefined;
    })();
    const runId = db.prepare('SELECT max(id) FROM detection_runs').pluck().get() as number;
    const modelId = db.prepare('SELECT max(id) FROM models').pluck().get() as number;
    const flowIds = db.prepare('SELECT id FROM flows ORDER BY id').pluck().all() as number[];
    const detectionIds = db.prepare('SELECT id FROM detections ORDER BY id').pluck().all() as number[];
    const confirmed = db.prepare(`SELECT id FROM detections WHERE verdict = 'confirmed' ORDER BY id`).pluck().all() as number[];
    return { runId, modelId, flowIds, detectionIds, confirmed };
  } finally {
    ws.close();
  }
}
