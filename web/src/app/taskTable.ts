// The task table's sort and status filter, kept in the page's URL
// (/projects/{id}?page=2&ordering=-total_annotations&status=unlabeled) with
// the API's own names and values, so a filtered table can be shared.
export type TaskOrdering = "id" | "-id" | "total_annotations" | "-total_annotations" | "updated_at" | "-updated_at";
export type TaskStatus = "labeled" | "unlabeled";

export interface TaskQuery {
  readonly ordering: TaskOrdering | undefined;
  readonly status: TaskStatus | undefined;
}

const ORDERINGS: readonly string[] = ["id", "-id", "total_annotations", "-total_annotations", "updated_at", "-updated_at"];

export function parseTaskQuery(q: URLSearchParams): TaskQuery {
  const o = q.get("ordering") ?? "";
  const s = q.get("status") ?? "";
  return {
    ordering: ORDERINGS.includes(o) ? (o as TaskOrdering) : undefined,
    status: s === "labeled" || s === "unlabeled" ? s : undefined,
  };
}

/** The table's URL for `page` under `query`. */
export function taskTableHref(project: number, page: number, query: TaskQuery): string {
  const q = new URLSearchParams();
  if (page > 1) q.set("page", String(page));
  if (query.ordering) q.set("ordering", query.ordering);
  if (query.status) q.set("status", query.status);
  const s = q.toString();
  return `/projects/${project}${s ? `?${s}` : ""}`;
}

/** Clicking a column's sort button: ascending first, then descending, then back to ascending. */
export function nextOrdering(current: TaskOrdering | undefined, column: "id" | "total_annotations" | "updated_at"): TaskOrdering {
  return current === column ? (`-${column}` as TaskOrdering) : column;
}

/** aria-sort of a column header. */
export function ariaSort(current: TaskOrdering | undefined, column: string): "ascending" | "descending" | "none" {
  const o = current ?? "id";
  return o === column ? "ascending" : o === `-${column}` ? "descending" : "none";
}
