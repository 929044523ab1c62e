// The side panel's list of relations: each with its two ends (click to
// select), its direction, its labels (the config's <Relations> options) and
// a delete button. Every change goes out as a callback the editor turns into
// a command, so it can be undone.
import type { JSX } from "preact";
import {
  type AnnotationDoc, type Direction, type LabelingConfig, type RegionId, type RelationKey,
  regions, relationOptions, relations, resultValue,
} from "../../model";
import { regionCaption } from "./colors";

export interface RelationListProps {
  readonly config: LabelingConfig;
  readonly doc: AnnotationDoc;
  readonly readOnly: boolean;
  readonly onDelete: (k: RelationKey) => void;
  readonly onToggleLabel: (k: RelationKey, value: string) => void;
  readonly onDirection: (k: RelationKey, d: Direction) => void;
  readonly onSelect: (id: RegionId) => void;
}

const ARROWS: Readonly<Record<Direction, string>> = { right: "→", left: "←", bi: "↔" };

export function RelationList(props: RelationListProps): JSX.Element | null {
  const rels = relations(props.doc);
  if (rels.length === 0) return null;
  const all = regions(props.doc);
  const options = relationOptions(props.config);
  const end = (id: RegionId): JSX.Element => {
    const i = all.findIndex((r) => r.id === id);
    const r = all[i];
    const text = r ? `${i + 1}. ${regionCaption(r)}` : `missing region ${id}`;
    return r ? <button type="button" class="link" onClick={() => props.onSelect(id)}>{text}</button> : <span>{text}</span>;
  };
  return (
    <section class="relations" aria-label="Relations">
      <h2>Relations ({rels.length})</h2>
      <ul class="relation-list">
        {rels.map((rel, i) => {
          const k: RelationKey = { from: rel.fromId, to: rel.toId };
          const n = i + 1;
          return (
            <li key={`${rel.fromId}>${rel.toId}`} aria-label={`Relation ${n}`}>
              <div class="relation-ends">
                {end(rel.fromId)}
                <select aria-label={`Direction of relation ${n}`} value={rel.direction} disabled={props.readOnly}
                  onChange={(e) => props.onDirection(k, (e.currentTarget as HTMLSelectElement).value as Direction)}>
                  {(Object.keys(ARROWS) as Direction[]).map((d) => <option key={d} value={d}>{ARROWS[d]}</option>)}
                </select>
                {end(rel.toId)}
                {!props.readOnly && (
                  <button type="button" class="danger" aria-label={`Delete relation ${n}`} onClick={() => props.onDelete(k)}>×</button>
                )}
              </div>
              {options.length > 0 && (
                <div class="relation-labels" role="group" aria-label={`Labels of relation ${n}`}>
                  {options.map((o) => {
                    const v = resultValue(o);
                    const on = (rel.labels ?? []).includes(v);
                    return (
                      <button type="button" key={v} aria-pressed={on} disabled={props.readOnly} onClick={() => props.onToggleLabel(k, v)}>{o.value}</button>
                    );
                  })}
                </div>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
