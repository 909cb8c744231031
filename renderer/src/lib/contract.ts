/**
 * The renderer's view of the flows, labels, models, detections and embedding contract: the
 * shared types re-exported under the names the views use, `has()` for methods a build may lack
 * (the view then says what it needs instead of failing), and the job-log curve parser.
 */
import { isMethodName, methods, type MethodName, type Params } from '$shared/api';

export type { FlowRow, FlowPage, FlowDetail, LabelEvent as LabelEntry, ClassInfo, LabelBatchResult, LabelBatchInfo } from '$shared/api/flows';
export type { CurvePoint, ModelMetrics, ModelInfo, ModelDetail, RunInfo, Verdict, DetectionRow, EmbeddingPage } from '$shared/api/models';
import type { CurvePoint } from '$shared/api/models';
import { invoke } from './api';
import type { FlowDetail } from '$shared/api/flows';

export type SequencePacket = NonNullable<FlowDetail['sequence']>[number];

/** Whether the contract (the one the renderer was built with) has the method. */
export function has(name: string): boolean {
  return isMethodName(name) && Object.prototype.hasOwnProperty.call(methods, name);
}

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

/**
 * Calls a method this build's contract may not have yet (checked by `has` first), for the
 * few actions whose method is still to come (`flows.carve`).
 */
export async function invokeOptional<R>(name: string, params: Record<string, unknown>): Promise<R> {
  if (!has(name)) throw new Error(`This needs the contract method ${name}, which this build of the core does not have.`);
  return (await invoke(name as MethodName, params as Params<MethodName>)) as R;
}
