/**
 * The renderer's view of the flows, labels, models, detections and embedding contract: the
 * shared types re-exported under the names the views use, and the job-log curve parser.
 */
export type { FlowRow, FlowPage, FlowDetail, LabelEvent as LabelEntry, ClassInfo, LabelBatchResult, LabelBatchInfo } from '$shared/api/flows';
export type { CurvePoint, ModelMetrics, ModelInfo, ModelDetail, RunInfo, Verdict, DetectionRow, EmbeddingPage } from '$shared/api/models';
import type { CurvePoint } from '$shared/api/models';
import type { FlowDetail } from '$shared/api/flows';

export type SequencePacket = NonNullable<FlowDetail['sequence']>[number];

/** Pulls a `{step, loss, acc}` point out of a job log line (`metrics {...}`), if it is one. */
export function parseCurveLine(line: string): CurvePoint | null {
  const m = /^\s*metrics\s+(\{.*\})\s*$/.exec(line);
  if (!m) return null;
  try {
    const o = JSON.parse(m[1]!) as Partial<CurvePoint>;
    if (typeof o.step === 'number' && typeof o.loss === 'number') return { step: o.step, loss: o.loss, acc: typeof o.acc === 'number' ? o.acc : NaN };
  } catch {
    /* not a metrics line */
  }
  return null;
}
