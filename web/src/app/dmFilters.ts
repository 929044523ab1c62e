// The data manager's filter model (no DOM): the columns a task table can be
// filtered and sorted by, the operators valid for each column's type, and
// the conversion between the filter bar's rows and Label Studio's `query`
// JSON ({"filters": {"conjunction", "items": [{"filter": "filter:tasks:<column>",
// "operator", "type", "value"}]}, "ordering": ["-tasks:<column>"], "search"}),
// which the task list, saved views and bulk actions all take. Rows hold
// what the user typed (strings); only complete rows become filter items.
// Tested in dmFilters.test.ts; the URL form is in taskTable.ts.
import type { DmFilterItem, DmOperator, DmQuery, DmType, DmViewData, PrefilterReason } from "../model";

/** Which input the value of a filter takes. */
export type ValueKind = "number" | "text" | "datetime" | "user" | "label" | "flag" | "status" | "boolean";

export interface Column {
  /** The API's name: "id", "agreement", "data.text". */
  readonly id: string;
  readonly title: string;
  /** The type filter items carry (data columns may be String or Number: see `types`). */
  readonly type: DmType;
  /** Types the user may pick (data columns: String or Number). */
  readonly types: readonly DmType[];
  readonly value: ValueKind;
  readonly operators: readonly DmOperator[];
  readonly sortable: boolean;
}

export type Conjunction = "and" | "or";
export type RowValue = string | { readonly min: string; readonly max: string };

/** One row of the filter bar. */
export interface FilterRow {
  readonly column: string;
  readonly type: DmType;
  readonly operator: DmOperator;
  readonly value: RowValue;
}

const NUMBER_OPS: readonly DmOperator[] = ["equal", "not_equal", "less", "greater", "less_or_equal", "greater_or_equal", "in", "not_in"];
const OPS: Readonly<Record<DmType, readonly DmOperator[]>> = {
  Number: [...NUMBER_OPS, "empty"],
  String: ["contains", "not_contains", "equal", "not_equal", "empty"],
  Datetime: ["less", "greater", "less_or_equal", "greater_or_equal", "in", "not_in", "empty"],
  List: ["contains", "not_contains", "empty"],
  Boolean: ["equal"],
};

export const OPERATOR_TEXT: Readonly<Record<DmOperator, string>> = {
  equal: "is", not_equal: "is not", contains: "contains", not_contains: "does not contain",
  less: "<", greater: ">", less_or_equal: "≤", greater_or_equal: "≥",
  in: "is between", not_in: "is not between", empty: "is empty",
};

export const PREFILTER_FLAGS: readonly PrefilterReason[] = ["duplicate", "near_duplicate", "blurry", "unreadable", "empty"];
export const STATUSES: readonly string[] = ["labeled", "unlabeled"];

const col = (id: string, title: string, type: DmType, value: ValueKind, operators: readonly DmOperator[], sortable: boolean): Column =>
  ({ id, title, type, types: [type], value, operators, sortable });

/** The columns every project has, in the picker's order. */
export const FIXED_COLUMNS: readonly Column[] = [
  col("id", "ID", "Number", "number", NUMBER_OPS, true),
  col("status", "Status", "String", "status", ["equal", "not_equal"], false),
  col("completed_at", "Completed", "Datetime", "datetime", OPS.Datetime, true),
  col("total_annotations", "Annotations", "Number", "number", NUMBER_OPS, true),
  col("cancelled_annotations", "Skipped", "Number", "number", NUMBER_OPS, true),
  col("total_predictions", "Predictions", "Number", "number", NUMBER_OPS, true),
  col("annotators", "Annotator", "List", "user", OPS.List, false),
  col("annotations_results", "Label", "String", "label", ["contains", "not_contains"], false),
  col("agreement", "Agreement", "Number", "number", OPS.Number, true),
  col("predictions_score", "Prediction score", "Number", "number", OPS.Number, true),
  col("guideline_version", "Guideline version", "Number", "number", OPS.Number, false),
  col("prefilter_flag", "Pre-filter flag", "String", "flag", ["equal", "not_equal", "empty"], false),
  col("ground_truth", "Ground truth", "Boolean", "boolean", OPS.Boolean, false),
  col("reviews_accepted", "Reviews accepted", "Number", "number", NUMBER_OPS, true),
  col("reviews_rejected", "Reviews rejected", "Number", "number", NUMBER_OPS, true),
];

/** A data column, "data.<key>": text by default, or a number. */
export function dataColumn(key: string): Column {
  return { id: `data.${key}`, title: key, type: "String", types: ["String", "Number"], value: "text", operators: OPS.String, sortable: true };
}

/** Keys of the labeling config's $variables first, then the first task's other keys. */
export function dataKeys(configKeys: readonly string[], firstTaskData: object | undefined): string[] {
  const keys = [...configKeys];
  for (const k of Object.keys(firstTaskData ?? {})) if (!keys.includes(k)) keys.push(k);
  return keys;
}

/** Every filterable column: the data columns, then the fixed ones. */
export function columnCatalogue(keys: readonly string[]): Column[] {
  return [...keys.map(dataColumn), ...FIXED_COLUMNS];
}

/** The column named `id` ("data.x" even when the key is unknown to the catalogue). */
export function findColumn(catalogue: readonly Column[], id: string): Column | undefined {
  return catalogue.find((c) => c.id === id) ?? (id.startsWith("data.") && id.length > 5 ? dataColumn(id.slice(5)) : undefined);
}

/** The operators valid for `column` filtered as `type`. */
export function operatorsFor(column: Column, type: DmType): readonly DmOperator[] {
  if (column.id.startsWith("data.")) return type === "Number" ? OPS.Number : OPS.String;
  return column.operators;
}

/** What input a row's value takes: a yes/no for `empty`, two bounds for ranges. */
export function valueShape(row: Pick<FilterRow, "operator">): "single" | "range" | "boolean" {
  if (row.operator === "empty") return "boolean";
  return row.operator === "in" || row.operator === "not_in" ? "range" : "single";
}

/** The kind of input for a row: the column's own, or a number for numeric data columns. */
export function valueKind(column: Column, type: DmType): ValueKind {
  return column.id.startsWith("data.") && type === "Number" ? "number" : column.value;
}

function defaultValue(column: Column, operator: DmOperator): RowValue {
  if (operator === "empty") return "true";
  if (operator === "in" || operator === "not_in") return { min: "", max: "" };
  if (column.value === "status") return "labeled";
  if (column.value === "flag") return "duplicate";
  if (column.value === "boolean") return "true";
  return "";
}

/** A fresh row for `columnId` (the first column when unknown). */
export function newRow(catalogue: readonly Column[], columnId?: string): FilterRow {
  const column = (columnId !== undefined ? findColumn(catalogue, columnId) : undefined) ?? catalogue[0] ?? FIXED_COLUMNS[0]!;
  const operator = column.operators[0]!;
  return { column: column.id, type: column.type, operator, value: defaultValue(column, operator) };
}

/** The row with another column: its operator and value kept where they still fit. */
export function withColumn(row: FilterRow, catalogue: readonly Column[], columnId: string): FilterRow {
  const column = findColumn(catalogue, columnId);
  if (!column) return row;
  const fresh = newRow(catalogue, column.id);
  const type = column.types.includes(row.type) ? row.type : column.type;
  if (!operatorsFor(column, type).includes(row.operator) || valueKind(column, type) !== valueKindOf(catalogue, row)) {
    return { ...fresh, type, operator: operatorsFor(column, type)[0]! };
  }
  return { ...row, column: column.id, type };
}

function valueKindOf(catalogue: readonly Column[], row: FilterRow): ValueKind | undefined {
  const c = findColumn(catalogue, row.column);
  return c ? valueKind(c, row.type) : undefined;
}

/** The row filtered as another type (data columns: String or Number). */
export function withType(row: FilterRow, catalogue: readonly Column[], type: DmType): FilterRow {
  const column = findColumn(catalogue, row.column);
  if (!column || !column.types.includes(type) || type === row.type) return row;
  const ops = operatorsFor(column, type);
  const operator = ops.includes(row.operator) ? row.operator : ops[0]!;
  return { ...row, type, operator, value: operator === row.operator ? row.value : defaultValue(column, operator) };
}

/** The row with another operator; the value is reset when its shape changes. */
export function withOperator(row: FilterRow, catalogue: readonly Column[], operator: DmOperator): FilterRow {
  const column = findColumn(catalogue, row.column);
  if (!column) return row;
  const same = valueShape(row) === valueShape({ operator });
  return { ...row, operator, value: same ? row.value : defaultValue(column, operator) };
}

function scalar(kind: ValueKind, type: DmType, raw: string): { value: string | number | boolean } | { problem: string } {
  const s = raw.trim();
  if (s === "") return { problem: "enter a value" };
  if (kind === "boolean") return s === "true" || s === "false" ? { value: s === "true" } : { problem: "choose yes or no" };
  if (kind === "number" || kind === "user" || type === "Number") {
    const n = Number(s);
    return Number.isFinite(n) ? { value: n } : { problem: `"${s}" is not a number` };
  }
  if (kind === "datetime") {
    const t = Date.parse(s);
    return Number.isNaN(t) ? { problem: `"${s}" is not a date` } : { value: new Date(t).toISOString() };
  }
  return { value: s };
}

/** The LS filter item of a row, or why the row is not complete yet. */
export function rowToItem(row: FilterRow, catalogue: readonly Column[]): { item: DmFilterItem } | { problem: string } {
  const column = findColumn(catalogue, row.column);
  if (!column) return { problem: `unknown column ${row.column}` };
  if (!operatorsFor(column, row.type).includes(row.operator)) return { problem: `"${row.operator}" does not apply to ${column.title}` };
  const filter = `filter:tasks:${column.id}`;
  const base = { filter, operator: row.operator, type: row.type };
  const shape = valueShape(row);
  if (shape === "boolean") {
    const v = scalar("boolean", "Boolean", typeof row.value === "string" ? row.value : "");
    return "problem" in v ? v : { item: { ...base, value: v.value } };
  }
  const kind = valueKind(column, row.type);
  if (shape === "range") {
    const r = typeof row.value === "string" ? { min: "", max: "" } : row.value;
    const lo = scalar(kind, row.type, r.min);
    const hi = scalar(kind, row.type, r.max);
    if ("problem" in lo) return { problem: `from: ${lo.problem}` };
    if ("problem" in hi) return { problem: `to: ${hi.problem}` };
    return { item: { ...base, value: { min: lo.value as number | string, max: hi.value as number | string } } };
  }
  const v = scalar(kind, row.type, typeof row.value === "string" ? row.value : "");
  return "problem" in v ? v : { item: { ...base, value: v.value } };
}

const TYPES: readonly DmType[] = ["Number", "String", "Datetime", "List", "Boolean"];
const text = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : "");

/** A row from an LS filter item (a view's or a `query` link's), or undefined when it names no known column/operator. */
export function itemToRow(item: unknown, catalogue: readonly Column[]): FilterRow | undefined {
  if (typeof item !== "object" || item === null) return undefined;
  const it = item as { filter?: unknown; operator?: unknown; type?: unknown; value?: unknown };
  if (typeof it.filter !== "string" || !it.filter.startsWith("filter:tasks:")) return undefined;
  const column = findColumn(catalogue, it.filter.slice("filter:tasks:".length));
  if (!column) return undefined;
  const type = TYPES.find((t) => t === it.type && column.types.includes(t)) ?? column.type;
  const operator = operatorsFor(column, type).find((o) => o === it.operator);
  if (!operator) return undefined;
  const v = it.value;
  let value: RowValue;
  if (operator === "in" || operator === "not_in") {
    const r = (typeof v === "object" && v !== null ? v : {}) as { min?: unknown; max?: unknown };
    value = { min: text(r.min), max: text(r.max) };
  } else value = text(v);
  return { column: column.id, type, operator, value };
}

/** ["-tasks:data.score"] from "-data.score"; [] without an ordering. */
export function orderingList(ordering: string | undefined): string[] {
  if (!ordering) return [];
  const desc = ordering.startsWith("-");
  return [`${desc ? "-" : ""}tasks:${desc ? ordering.slice(1) : ordering}`];
}

/** "-data.score" from ["-tasks:data.score"] (or a bare "-data.score"). */
export function orderingFromList(list: unknown): string | undefined {
  const first = Array.isArray(list) ? (list[0] as unknown) : list;
  if (typeof first !== "string" || first === "") return undefined;
  const desc = first.startsWith("-");
  const name = (desc ? first.slice(1) : first).replace(/^tasks:/, "");
  return name ? `${desc ? "-" : ""}${name}` : undefined;
}

/** What the filter bar holds: the rows, their conjunction, the search box and the sort. */
export interface FilterState {
  readonly filters: readonly FilterRow[];
  readonly conjunction: Conjunction;
  readonly search: string;
  readonly ordering: string | undefined;
}

export const NO_FILTERS: FilterState = { filters: [], conjunction: "and", search: "", ordering: undefined };

/** The LS query of a state: complete rows only; keys left out when empty. */
export function toDmQuery(state: FilterState, catalogue: readonly Column[]): DmQuery {
  const items = state.filters.map((r) => rowToItem(r, catalogue)).flatMap((r) => ("item" in r ? [r.item] : []));
  const ordering = orderingList(state.ordering);
  return {
    ...(items.length ? { filters: { conjunction: state.conjunction, items } } : {}),
    ...(ordering.length ? { ordering } : {}),
    ...(state.search.trim() ? { search: state.search.trim() } : {}),
  };
}

/** A saved view's data (or an LS `query`) as a filter state; unknown items are dropped. */
export function fromDmData(data: DmViewData | DmQuery | undefined, catalogue: readonly Column[]): FilterState {
  const f = data?.filters;
  const items: readonly unknown[] = Array.isArray(f?.items) ? f.items : [];
  return {
    filters: items.map((i) => itemToRow(i, catalogue)).filter((r): r is FilterRow => r !== undefined),
    conjunction: f?.conjunction === "or" ? "or" : "and",
    search: typeof data?.search === "string" ? data.search : "",
    ordering: orderingFromList(data?.ordering),
  };
}

/** Whether two states ask the server the same thing (a view's "unsaved changes"). */
export function sameQuery(a: FilterState, b: FilterState, catalogue: readonly Column[]): boolean {
  return JSON.stringify(toDmQuery(a, catalogue)) === JSON.stringify(toDmQuery(b, catalogue));
}

/** The label values a config offers (for the label picker), sorted and unique. */
export function labelValues(options: readonly { readonly value: string; readonly alias: string }[]): string[] {
  return [...new Set(options.map((o) => o.alias || o.value))].sort((a, b) => a.localeCompare(b));
}

/** A view's filter data from a query, every key present: PATCH merges key by key, so an emptied key must be sent. */
export function viewData(query: DmQuery, conjunction: Conjunction): Required<DmQuery> {
  return { filters: query.filters ?? { conjunction, items: [] }, ordering: query.ordering ?? [], search: query.search ?? "" };
}
