// Predictions as pre-annotations: when someone opens a task with no
// annotation or draft of their own, the editor starts from the task's best
// prediction (highest score; the first listed on a tie or without scores).
// Editing or submitting makes it an annotation that names its
// parent_prediction, as Label Studio's does.
import type { AnnotationDoc } from "./annotation";
import type { Prediction, ResultEntry, Task } from "./contract";

export interface PreAnnotation {
  readonly prediction: Prediction;
  /** Its index in task.predictions, for showing "1 of 3". */
  readonly index: number;
}

const scoreOf = (p: Prediction): number => (typeof p.score === "number" && Number.isFinite(p.score) ? p.score : -Infinity);

/** The prediction to start from, or null when there is nothing usable. */
export function topPrediction(predictions: readonly Prediction[] | undefined): PreAnnotation | null {
  let best: PreAnnotation | null = null;
  (predictions ?? []).forEach((p, index) => {
    if (!Array.isArray(p.result) || p.result.length === 0) return;
    if (best === null || scoreOf(p) > scoreOf(best.prediction)) best = { prediction: p, index };
  });
  return best;
}

/** The pre-annotation for `task` when the editor opens with `initial` (the caller's annotation or draft). */
export function preAnnotationFor(task: Task, initial: readonly ResultEntry[]): PreAnnotation | null {
  return initial.length > 0 ? null : topPrediction(task.predictions);
}

/** "score 0.87 · model v2" — what the editor shows about a prediction. */
export function describePrediction(p: Prediction): string {
  const parts: string[] = [];
  if (typeof p.score === "number" && Number.isFinite(p.score)) parts.push(`score ${p.score.toFixed(2)}`);
  parts.push(p.model_version ? `model ${p.model_version}` : "unnamed model");
  return parts.join(" · ");
}

/** True while `doc` keeps any region or answer of the pre-annotation (by id). */
export function keepsPrediction(doc: AnnotationDoc, pre: PreAnnotation | null): boolean {
  if (!pre) return false;
  const ids = new Set(pre.prediction.result.map((r) => r["id"]).filter((x): x is string => typeof x === "string"));
  return doc.entities.some((e) => e.kind !== "relation" && ids.has(e.id));
}

/** The prediction id an annotation grew from (its parent_prediction), or undefined when it kept nothing of it. */
export function parentPrediction(doc: AnnotationDoc, pre: PreAnnotation | null): number | undefined {
  const id = pre?.prediction.id;
  return typeof id === "number" && keepsPrediction(doc, pre) ? id : undefined;
}
