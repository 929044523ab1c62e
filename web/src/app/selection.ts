// The task table's selection (no DOM): either some tasks by id, or every task
// of the project except some ("select all N tasks"), which is what the
// assignment endpoint's selectedItems says: {"all": false, "included": [...]}
// or {"all": true, "excluded": [...]}. Values are immutable; every change
// returns a new selection. Tested in team.test.ts.
import type { SelectedItems } from "../model";

export type Selection =
  | { readonly all: false; readonly ids: ReadonlySet<number> }
  | { readonly all: true; readonly excluded: ReadonlySet<number> };

export const NOTHING: Selection = { all: false, ids: new Set() };

/** Every task of the project (the table's `total`), none excluded yet. */
export const everything = (): Selection => ({ all: true, excluded: new Set() });

export const isSelected = (s: Selection, id: number): boolean => (s.all ? !s.excluded.has(id) : s.ids.has(id));

function withOut(set: ReadonlySet<number>, ids: readonly number[]): Set<number> {
  const out = new Set(set);
  for (const id of ids) out.delete(id);
  return out;
}
function withIn(set: ReadonlySet<number>, ids: readonly number[]): Set<number> {
  const out = new Set(set);
  for (const id of ids) out.add(id);
  return out;
}

/** Selects (`on`) or deselects `ids`. */
export function setSelected(s: Selection, ids: readonly number[], on: boolean): Selection {
  if (s.all) return { all: true, excluded: on ? withOut(s.excluded, ids) : withIn(s.excluded, ids) };
  return { all: false, ids: on ? withIn(s.ids, ids) : withOut(s.ids, ids) };
}

export const toggle = (s: Selection, id: number): Selection => setSelected(s, [id], !isSelected(s, id));

/** How many tasks are selected, `total` being the project's task count. */
export function selectedCount(s: Selection, total: number): number {
  return s.all ? Math.max(0, total - s.excluded.size) : s.ids.size;
}

/** The select-all-on-page checkbox: all of `pageIds` selected, some, or none. */
export function pageState(s: Selection, pageIds: readonly number[]): "all" | "some" | "none" {
  const n = pageIds.filter((id) => isSelected(s, id)).length;
  if (n === 0) return "none";
  return n === pageIds.length ? "all" : "some";
}

/** Offer "select all N tasks" when the whole page is selected but not every task is. */
export function offerSelectAll(s: Selection, pageIds: readonly number[], total: number): boolean {
  return !s.all && pageIds.length > 0 && pageState(s, pageIds) === "all" && total > s.ids.size;
}

/** The assignment endpoint's selectedItems (ids sorted, for stable requests). */
export function selectedItems(s: Selection): SelectedItems {
  const sorted = (set: ReadonlySet<number>) => [...set].sort((a, b) => a - b);
  return s.all ? { all: true, excluded: sorted(s.excluded) } : { all: false, included: sorted(s.ids) };
}

/** "3 tasks", "all 120 tasks", "all 118 of 120 tasks". */
export function selectionText(s: Selection, total: number): string {
  const n = selectedCount(s, total);
  if (!s.all) return `${n} ${n === 1 ? "task" : "tasks"} selected`;
  return s.excluded.size === 0 ? `All ${total} tasks selected` : `All but ${s.excluded.size}: ${n} of ${total} tasks selected`;
}
