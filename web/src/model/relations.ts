// Relations (arrows between two regions), found by their end points: the
// editor allows one relation per ordered pair of regions, as Label Studio
// does, so (from, to) names a relation without an id of its own.
import type { AnnotationDoc, Relation } from "./annotation";
import type { LabelingConfig, LabelOption } from "./config";
import type { RegionId } from "./ids";

export interface RelationKey {
  readonly from: RegionId;
  readonly to: RegionId;
}

export const relations = (doc: AnnotationDoc): readonly Relation[] =>
  doc.entities.filter((e): e is Relation => e.kind === "relation");

export const findRelation = (doc: AnnotationDoc, k: RelationKey): Relation | undefined =>
  doc.entities.find((e): e is Relation => e.kind === "relation" && e.fromId === k.from && e.toId === k.to);

/** Replaces the relation `k` with `f(relation)`; bumps both versions. Same doc when absent. */
export function updateRelation(doc: AnnotationDoc, k: RelationKey, f: (r: Relation) => Relation): AnnotationDoc {
  let changed = false;
  const entities = doc.entities.map((e) => {
    if (e.kind !== "relation" || e.fromId !== k.from || e.toId !== k.to) return e;
    changed = true;
    return { ...f(e), version: e.version + 1 };
  });
  return changed ? { version: doc.version + 1, entities } : doc;
}

/** The labels a relation may carry: the <Relation> options of the config's <Relations>, if any. */
export function relationOptions(config: LabelingConfig): readonly LabelOption[] {
  return config.controls.find((c) => c.type === "Relations")?.options ?? [];
}
