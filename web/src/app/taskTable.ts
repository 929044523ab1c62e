// The task table's state in the page's URL, so a filtered table can be
// shared and bookmarked, in readable parameters:
//   /projects/7?view=3&conjunction=or&f=data.text:contains:cat&f=agreement:less:50
//     &search=tabby&ordering=-data.score&status=unlabeled&page=2
// f= is <column>[:number|:string]:<operator>:<value> (the type only for data
// columns, text by default); ranges are written min..max. A link with Label
// Studio's ?query=<JSON> is read too. With ?view=V alone the view's saved
// filters apply; once the table is changed the URL spells everything out
// (conjunction= is then always written, which marks it). No DOM; tested in
// taskTable.test.ts.
import type { DmOperator, DmQuery } from "../model";
import {
  type Column, type FilterRow, type FilterState, type RowValue, FIXED_COLUMNS as FIXED, findColumn, fromDmData, operatorsFor, toDmQuery,
} from "./dmFilters";

export type TaskStatus = "labeled" | "unlabeled";

export interface TaskQuery extends FilterState {
  /** The selected saved view's id. */
  readonly view: number | undefined;
  /** The quick status filter (the API's own status=). */
  readonly status: TaskStatus | undefined;
  /** False for a bare ?view=V: the view's saved filters apply. */
  readonly explicit: boolean;
}

export const EMPTY_QUERY: TaskQuery = {
  view: undefined, filters: [], conjunction: "and", search: "", ordering: undefined, status: undefined, explicit: false,
};

// The legacy sort names the API takes as ordering= without a query.
const PLAIN_ORDERINGS: readonly string[] = ["id", "total_annotations", "updated_at"];
const COLUMN_NAME = /^(?:[a-z_]+|data\.[^:\s]+)$/;

function parseFilterParam(raw: string): FilterRow | undefined {
  const parts = raw.split(":");
  const column = parts.shift() ?? "";
  let type: FilterRow["type"] | undefined;
  if (column.startsWith("data.") && (parts[0] === "number" || parts[0] === "string")) {
    type = parts.shift() === "number" ? "Number" : "String";
  }
  const operator = parts.shift() as DmOperator | undefined;
  const rest = parts.join(":");
  const c = findColumn(FIXED, column);
  if (!c || operator === undefined) return undefined;
  const t = type ?? c.type;
  if (!operatorsFor(c, t).includes(operator)) return undefined;
  let value: RowValue = rest;
  if (operator === "in" || operator === "not_in") {
    const [min = "", max = ""] = rest.split("..");
    value = { min, max };
  }
  return { column, type: t, operator, value };
}

function filterParam(row: FilterRow): string {
  const type = row.column.startsWith("data.") && row.type === "Number" ? ":number" : "";
  const value = typeof row.value === "string" ? row.value : `${row.value.min}..${row.value.max}`;
  return `${row.column}${type}:${row.operator}:${value}`;
}

function parseOrdering(raw: string | null): string | undefined {
  if (!raw) return undefined;
  const desc = raw.startsWith("-");
  const name = (desc ? raw.slice(1) : raw).replace(/^tasks:/, "");
  if (!COLUMN_NAME.test(name)) return undefined;
  const c = findColumn(FIXED, name);
  if (!PLAIN_ORDERINGS.includes(name) && !(c && c.sortable)) return undefined;
  return `${desc ? "-" : ""}${name}`;
}

export function parseTaskQuery(q: URLSearchParams): TaskQuery {
  const s = q.get("status") ?? "";
  const viewRaw = q.get("view") ?? "";
  const view = /^\d+$/.test(viewRaw) ? Number(viewRaw) : undefined;
  const status: TaskStatus | undefined = s === "labeled" || s === "unlabeled" ? s : undefined;
  let state: FilterState = {
    filters: q.getAll("f").map(parseFilterParam).filter((r): r is FilterRow => r !== undefined),
    conjunction: q.get("conjunction") === "or" ? "or" : "and",
    search: q.get("search") ?? "",
    ordering: parseOrdering(q.get("ordering")),
  };
  const ls = q.get("query");
  if (ls) {
    // Label Studio's ?query=<JSON>: its keys fill in what the readable parameters leave out.
    try {
      const fromLs = fromDmData(JSON.parse(ls) as DmQuery, FIXED);
      state = {
        filters: state.filters.length ? state.filters : fromLs.filters,
        conjunction: state.filters.length ? state.conjunction : fromLs.conjunction,
        search: state.search || fromLs.search,
        ordering: state.ordering ?? parseOrdering(fromLs.ordering ?? null),
      };
    } catch {
      // Not JSON: ignored, like any other malformed parameter.
    }
  }
  const explicit = ["f", "conjunction", "search", "ordering", "status", "query"].some((k) => q.has(k));
  return { view, status, explicit, ...state };
}

/** The table's URL for `page` under `query`. */
export function taskTableHref(project: number, page: number, query: TaskQuery): string {
  const q = new URLSearchParams();
  if (page > 1) q.set("page", String(page));
  if (query.view !== undefined) q.set("view", String(query.view));
  if (query.view !== undefined || query.conjunction === "or") q.set("conjunction", query.conjunction);
  for (const row of query.filters) q.append("f", filterParam(row));
  if (query.search) q.set("search", query.search);
  if (query.ordering) q.set("ordering", query.ordering);
  if (query.status) q.set("status", query.status);
  const s = q.toString();
  return `/projects/${project}${s ? `?${s}` : ""}`;
}

/** The state a view's saved data gives, its id kept. */
export function queryOfView(view: { readonly id: number; readonly data: Parameters<typeof fromDmData>[0] }, catalogue: readonly Column[]): TaskQuery {
  return { ...fromDmData(view.data, catalogue), view: view.id, status: undefined, explicit: true };
}

/** Clicking a column's sort button: ascending first, then descending, then back to ascending. */
export function nextOrdering(current: string | undefined, column: string): string {
  return current === column ? `-${column}` : column;
}

/** aria-sort of a column header (the table is in id order by default). */
export function ariaSort(current: string | undefined, column: string): "ascending" | "descending" | "none" {
  const o = current ?? "id";
  return o === column ? "ascending" : o === `-${column}` ? "descending" : "none";
}

/** Whether anything beyond the status narrows the table (filters or search). */
export function isFiltered(query: FilterState, catalogue: readonly Column[]): boolean {
  const q = toDmQuery(query, catalogue);
  return q.filters !== undefined || q.search !== undefined;
}

/** GET /api/tasks's parameters: the plain ones when they suffice, else Label Studio's query JSON. */
export function taskListParams(query: TaskQuery, catalogue: readonly Column[]): { ordering?: string; status?: string; query?: string } {
  const status = query.status ? { status: query.status } : {};
  const plainSort = query.ordering === undefined || PLAIN_ORDERINGS.includes(query.ordering.replace(/^-/, ""));
  if (!isFiltered(query, catalogue) && plainSort) return { ...(query.ordering ? { ordering: query.ordering } : {}), ...status };
  return { query: JSON.stringify(toDmQuery(query, catalogue)), ...status };
}

/** The query an action on "all matching" sends: the status folded in as a filter when it can be (AND),
 *  else a message saying why not. */
export function actionQuery(query: TaskQuery, catalogue: readonly Column[]): { query: DmQuery } | { problem: string } {
  const base = toDmQuery(query, catalogue);
  if (!query.status) return { query: base };
  const status = { filter: "filter:tasks:status", operator: "equal" as const, type: "String" as const, value: query.status };
  if (base.filters && base.filters.conjunction === "or" && base.filters.items.length > 1) {
    return { problem: "The status filter cannot be combined with OR filters here: set Status to All or use AND." };
  }
  return { query: { ...base, filters: { conjunction: "and", items: [...(base.filters?.items ?? []), status] } } };
}

/** Which annotations stand for a task in an export (the route's `annotations`), in menu order. */
export const ANNOTATION_CHOICES = [
  { value: "all", title: "All annotations" },
  { value: "latest", title: "Latest" },
  { value: "accepted", title: "Accepted by review" },
  { value: "ground_truth", title: "Ground truth" },
  { value: "consensus", title: "Consensus (majority)" },
] as const;
export type AnnotationChoice = (typeof ANNOTATION_CHOICES)[number]["value"];

/** Formats that always carry every annotation, as Label Studio's JSON does. */
export function keepsAllAnnotations(format: string): boolean {
  return format === "JSON" || format === "JSONL";
}

/** "Export selection": ids= for the picked tasks, or the query of "all matching"; `withUnlabeled`
 *  adds tasks without annotations (the export leaves them out by default, as Label Studio's does);
 *  `annotations` other than "all" picks which annotations stand for each task. */
export function exportHref(
  project: number, format: string, what: { readonly ids: readonly number[] } | { readonly query: DmQuery }, withUnlabeled = false,
  annotations: AnnotationChoice = "all",
): string {
  const q = new URLSearchParams({ exportType: format });
  if ("ids" in what) q.set("ids", what.ids.join(","));
  else if (Object.keys(what.query).length) q.set("query", JSON.stringify(what.query));
  if (withUnlabeled) q.set("download_all_tasks", "true");
  if (annotations !== "all" && !keepsAllAnnotations(format)) q.set("annotations", annotations);
  return `/api/projects/${project}/export?${q.toString()}`;
}
