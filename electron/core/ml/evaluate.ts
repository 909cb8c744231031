import { distinctRows, takeRows, type Matrix } from './matrix';
import { deriveSeed, rng, shuffle } from './random';
import { auroc, binaryMetrics, tInterval, type Interval } from './metrics';
import { trainModel, type Algorithm, type ClassInfo, type Hyper, type LabelledData } from './model';

/**
 * The held-out-attack protocol of the issue: per novel class and repeat, meta-train on benign
 * plus the base attack classes, adapt with N novel flows, test on the rest of the novel pool
 * with held-out benign and base flows in training proportion (plus distractor attacks as
 * negatives). Duplicates are removed first; splits are by flow. Same seed, same numbers.
 */
export interface EvalOptions {
  novel: string[];
  base?: string[];
  benign: string;
  distractors: string[];
  perClass: number;
  benignRatio: number;
  pool: number;
  shots: number[];
  repeats: number;
  algorithm: Algorithm;
  seed: number;
  hyper?: Partial<Hyper>;
  /** Fine-tune the embedder at adaptation (slower). */
  fineTune?: boolean;
}

export interface EvalRow {
  novel: string;
  shots: number;
  algorithm: Algorithm;
  f1: Interval;
  recall: Interval;
  precision: Interval;
  auc: Interval;
  fpr: Interval;
  /** FPR over the distractor flows alone (when there are distractors). */
  distractorFpr?: Interval;
}

export interface EvalResult {
  results: EvalRow[];
  unknownAuroc: Interval;
  /** Per novel class. */
  unknownAurocByNovel: Record<string, Interval>;
  protocol: {
    seed: number;
    repeats: number;
    perClass: number;
    benignRatio: number;
    pool: number;
    shots: number[];
    base: string[];
    benign: string;
    distractors: string[];
    duplicatesRemoved: number;
    /** Rows per role in the first repeat of each novel class. */
    sizes: Record<string, { train: Record<string, number>; test: Record<string, number> }>;
  };
}

export interface EvalProgress {
  done: number;
  total: number;
  message: string;
}

const TEST_FRACTION = 0.3;

/** Labelled rows with distinct features and sequence (first occurrence kept). */
function distinct(data: LabelledData): number[] {
  const labelled: number[] = [];
  for (let r = 0; r < data.x.rows; r++) if (data.y[r]! >= 0) labelled.push(r);
  return distinctRows(data.x, labelled, data.seq?.m);
}

export async function runEvaluation(data: LabelledData, opts: EvalOptions, onProgress?: (p: EvalProgress) => void, signal?: AbortSignal): Promise<EvalResult> {
  const idxOf = (name: string): number => {
    const i = data.classes.findIndex((c) => c.name === name);
    if (i < 0) throw new Error(`Class "${name}" has no flows here. Classes: ${data.classes.map((c) => c.name).join(', ')}.`);
    return i;
  };
  const benign = idxOf(opts.benign);
  const novelIdx = opts.novel.map(idxOf);
  const distractorIdx = opts.distractors.map(idxOf);
  const keep = distinct(data);
  const duplicatesRemoved = data.y.filter((c) => c >= 0).length - keep.length;
  const rowsOf = new Map<number, number[]>();
  for (const r of keep) {
    const c = data.y[r]!;
    if (!rowsOf.has(c)) rowsOf.set(c, []);
    rowsOf.get(c)!.push(r);
  }
  const shots = [...opts.shots].sort((a, b) => a - b);
  const maxShots = shots[shots.length - 1]!;
  const results: EvalRow[] = [];
  const unknownAll: number[] = [];
  const unknownByNovel: Record<string, number[]> = {};
  const sizes: EvalResult['protocol']['sizes'] = {};
  const total = novelIdx.length * opts.repeats;
  let done = 0;
  let baseNames: string[] = [];
  for (const nv of novelIdx) {
    const novelName = data.classes[nv]!.name;
    const base = (opts.base?.map(idxOf) ?? data.classes.map((_, i) => i).filter((i) => data.classes[i]!.kind !== 'benign')).filter(
      (i) => i !== nv && i !== benign && !distractorIdx.includes(i) && !novelIdx.includes(i) && (rowsOf.get(i)?.length ?? 0) >= 2,
    );
    // Other novel classes are base classes for this one when nothing else is left.
    const baseFinal = base.length ? base : novelIdx.filter((i) => i !== nv);
    baseNames = baseFinal.map((i) => data.classes[i]!.name);
    const per: Record<number, { f1: number[]; recall: number[]; precision: number[]; auc: number[]; fpr: number[]; dfpr: number[] }> = {};
    for (const n of shots) per[n] = { f1: [], recall: [], precision: [], auc: [], fpr: [], dfpr: [] };
    unknownByNovel[novelName] = [];
    for (let rep = 0; rep < opts.repeats; rep++) {
      if (signal?.aborted) throw new Error('Cancelled.');
      const seed = deriveSeed(opts.seed, nv, rep);
      const rand = rng(seed);
      const train: number[] = [];
      const trainY: number[] = [];
      const test: number[] = [];
      const testRole: number[] = []; // 1 novel, 0 known negative, 2 distractor
      const sizeTrain: Record<string, number> = {};
      const sizeTest: Record<string, number> = {};
      const split = (c: number): { tr: number[]; te: number[] } => {
        const rows = shuffle([...(rowsOf.get(c) ?? [])], rand);
        const nTe = Math.max(1, Math.round(rows.length * TEST_FRACTION));
        return { te: rows.slice(0, nTe), tr: rows.slice(nTe) };
      };
      // Classes of the trained model: benign first, then the base attacks.
      const modelClasses: ClassInfo[] = [{ name: data.classes[benign]!.name, kind: 'benign' }, ...baseFinal.map((i) => ({ name: data.classes[i]!.name, kind: 'attack' as const }))];
      const pools: { c: number; te: number[]; nTrain: number }[] = [];
      let baseTotal = 0;
      baseFinal.forEach((c, k) => {
        const { tr, te } = split(c);
        const t = tr.slice(0, opts.perClass);
        train.push(...t);
        trainY.push(...t.map(() => k + 1));
        baseTotal += t.length;
        pools.push({ c, te, nTrain: t.length });
      });
      {
        const { tr, te } = split(benign);
        const t = tr.slice(0, Math.max(1, Math.round(opts.benignRatio * baseTotal)));
        train.push(...t);
        trainY.push(...t.map(() => 0));
        pools.push({ c: benign, te, nTrain: t.length });
      }
      // Held-out negatives in training proportion.
      for (const p of pools) {
        const want = Math.round((p.nTrain * TEST_FRACTION) / (1 - TEST_FRACTION));
        const t = p.te.slice(0, Math.min(p.te.length, Math.max(1, want)));
        test.push(...t);
        testRole.push(...t.map(() => 0));
        sizeTrain[data.classes[p.c]!.name] = p.nTrain;
        sizeTest[data.classes[p.c]!.name] = t.length;
      }
      for (const d of distractorIdx) {
        const rows = shuffle([...(rowsOf.get(d) ?? [])], rand).slice(0, Math.max(1, Math.round((opts.perClass * TEST_FRACTION) / (1 - TEST_FRACTION))));
        test.push(...rows);
        testRole.push(...rows.map(() => 2));
        sizeTest[data.classes[d]!.name] = rows.length;
      }
      const pool = shuffle([...(rowsOf.get(nv) ?? [])], rand).slice(0, opts.pool);
      if (pool.length < 2) throw new Error(`Novel class ${novelName} has ${pool.length} distinct flows; at least 2 are needed.`);
      const nSupport = Math.min(maxShots, pool.length - 1);
      const support = pool.slice(0, nSupport);
      const novelTest = pool.slice(nSupport);
      test.push(...novelTest);
      testRole.push(...novelTest.map(() => 1));
      sizeTest[novelName] = novelTest.length;
      sizeTrain[`${novelName} (support)`] = nSupport;
      if (rep === 0) sizes[novelName] = { train: sizeTrain, test: sizeTest };

      const trainData: LabelledData = {
        schema: data.schema,
        names: data.names,
        roles: data.roles,
        x: takeRows(data.x, train),
        seq: data.seq ? { m: takeRows(data.seq.m, train), len: data.seq.len, channels: data.seq.channels } : null,
        y: Int32Array.from(trainY),
        classes: modelClasses,
      };
      const report = await trainModel(trainData, { ...opts.hyper, algorithm: opts.algorithm, seed }, undefined, signal);
      const model = report.model;
      const testX = model.scale(takeRows(data.x, test), data.seq ? takeRows(data.seq.m, test) : null);
      const supX = model.scale(takeRows(data.x, support), data.seq ? takeRows(data.seq.m, support) : null);
      // Unknown detection before adaptation: novel and distractor flows vs known flows.
      const before = model.detectScaled(testX);
      const ua = auroc(before.novelty, testRole.map((r) => r !== 0));
      unknownAll.push(ua);
      unknownByNovel[novelName]!.push(ua);
      for (const n of shots) {
        const k = Math.min(n, support.length);
        const sub: Matrix = { data: supX.data.subarray(0, k * supX.cols), rows: k, cols: supX.cols };
        const adapted = await model.adapt(novelName, 'attack', sub, { fineTune: opts.fineTune, seed });
        const out = adapted.detectScaled(testX);
        const C = adapted.classes.length;
        const ni = C - 1;
        const truth = testRole.map((r) => r === 1);
        const predicted = Array.from(out.nearest, (p) => p === ni);
        const b = binaryMetrics(truth, predicted);
        // Ranking score: how much nearer the novel class is than any other.
        const score = new Float64Array(test.length);
        const rad = adapted.scales();
        for (let i = 0; i < test.length; i++) {
          let other = Infinity;
          for (let c = 0; c < C - 1; c++) other = Math.min(other, out.classDist[i * C + c]! * rad[c]!);
          score[i] = Math.log((other === Infinity ? 1e9 : other) + 1e-9) - Math.log(out.classDist[i * C + ni]! * rad[ni]! + 1e-9);
        }
        const r = per[n]!;
        r.f1.push(b.f1);
        r.recall.push(b.recall);
        r.precision.push(b.precision);
        r.fpr.push(b.fpr);
        r.auc.push(auroc(score, truth));
        if (distractorIdx.length) {
          const dTruth: boolean[] = [];
          const dPred: boolean[] = [];
          testRole.forEach((role, i) => {
            if (role === 2) {
              dTruth.push(false);
              dPred.push(predicted[i]!);
            }
          });
          r.dfpr.push(binaryMetrics(dTruth, dPred).fpr);
        }
        if (adapted !== model) disposeAdapted(adapted, model);
      }
      model.dispose();
      done++;
      onProgress?.({ done, total, message: `${novelName} repeat ${rep + 1}/${opts.repeats}` });
    }
    for (const n of shots) {
      const r = per[n]!;
      const row: EvalRow = {
        novel: novelName,
        shots: n,
        algorithm: opts.algorithm,
        f1: tInterval(r.f1),
        recall: tInterval(r.recall),
        precision: tInterval(r.precision),
        auc: tInterval(r.auc),
        fpr: tInterval(r.fpr),
      };
      if (distractorIdx.length) row.distractorFpr = tInterval(r.dfpr);
      results.push(row);
    }
  }
  return {
    results,
    unknownAuroc: tInterval(unknownAll),
    unknownAurocByNovel: Object.fromEntries(Object.entries(unknownByNovel).map(([k, v]) => [k, tInterval(v)])),
    protocol: {
      seed: opts.seed,
      repeats: opts.repeats,
      perClass: opts.perClass,
      benignRatio: opts.benignRatio,
      pool: opts.pool,
      shots,
      base: opts.base ?? baseNames,
      benign: opts.benign,
      distractors: opts.distractors,
      duplicatesRemoved,
      sizes,
    },
  };
}

function disposeAdapted(adapted: { encoder: unknown; sup: unknown; dispose(): void }, base: { encoder: unknown; sup: unknown }): void {
  // Adapted models share the base's embedder unless they were fine-tuned.
  if (adapted.encoder !== base.encoder || adapted.sup !== base.sup) adapted.dispose();
}
