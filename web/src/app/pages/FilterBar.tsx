// The task table's filter bar: a full-text search box and filter rows
// (column, type for data columns, an operator valid for it, and a value
// input of the column's kind), joined by AND or OR. Edits stay in the bar
// until "Apply filters" (or Enter), which hands the new state to the page;
// the page puts it in the URL. The filter model is ../dmFilters.ts.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { DmOperator, DmType, Member } from "../../model";
import {
  type Column, type Conjunction, type FilterRow, type FilterState, OPERATOR_TEXT, PREFILTER_FLAGS, STATUSES, findColumn, newRow,
  operatorsFor, rowToItem, valueKind, valueShape, withColumn, withOperator, withType,
} from "../dmFilters";
import { personName } from "../roles";

export function FilterBar(props: {
  catalogue: readonly Column[];
  state: FilterState;
  members: readonly Member[];
  labels: readonly string[];
  onApply: (state: FilterState) => void;
}): JSX.Element {
  const [rows, setRows] = useState<readonly FilterRow[]>(props.state.filters);
  const [conjunction, setConjunction] = useState<Conjunction>(props.state.conjunction);
  const [search, setSearch] = useState(props.state.search);
  // The URL changed (a tab, back, a link): show what now applies.
  const applied = JSON.stringify([props.state.filters, props.state.conjunction, props.state.search]);
  useEffect(() => {
    setRows(props.state.filters);
    setConjunction(props.state.conjunction);
    setSearch(props.state.search);
  }, [applied]);
  const dirty = applied !== JSON.stringify([rows, conjunction, search]);
  const setRow = (idx: number, row: FilterRow) => setRows((rs) => rs.map((r, i) => (i === idx ? row : r)));
  const apply = (next: Partial<FilterState> = {}) =>
    props.onApply({ filters: rows, conjunction, search: search.trim(), ordering: props.state.ordering, ...next });
  return (
    <section class="filter-bar panel" aria-label="Filters">
      <form aria-label="Filter tasks" onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}>
        <div class="row">
          <label class="grow">
            <span class="visually-hidden">Search</span>
            <input type="search" aria-label="Search task text" placeholder="Search task text…" value={search}
              onInput={(e) => setSearch(e.currentTarget.value)} />
          </label>
          <button type="submit" class="primary">{rows.length ? "Apply filters" : "Search"}</button>
          <button type="button" onClick={() => setRows((rs) => [...rs, newRow(props.catalogue, props.catalogue[0]?.id)])}>
            Add filter
          </button>
          {(props.state.filters.length > 0 || props.state.search) && (
            <button type="button" onClick={() => apply({ filters: [], search: "", conjunction: "and" })}>Clear filters</button>
          )}
          {dirty && <span class="hint" role="status">Not applied yet</span>}
        </div>
        {rows.length > 0 && (
          <ol class="filter-rows" aria-label="Filter rows">
            {rows.map((row, idx) => (
              <FilterRowEditor key={idx} idx={idx} row={row} catalogue={props.catalogue} members={props.members} labels={props.labels}
                conjunction={conjunction} onConjunction={setConjunction} onChange={(r) => setRow(idx, r)}
                onRemove={() => setRows((rs) => rs.filter((_, i) => i !== idx))} />
            ))}
          </ol>
        )}
      </form>
    </section>
  );
}

function FilterRowEditor(props: {
  idx: number;
  row: FilterRow;
  catalogue: readonly Column[];
  members: readonly Member[];
  labels: readonly string[];
  conjunction: Conjunction;
  onConjunction: (c: Conjunction) => void;
  onChange: (row: FilterRow) => void;
  onRemove: () => void;
}): JSX.Element {
  const { row, catalogue, idx } = props;
  const n = idx + 1;
  const column = findColumn(catalogue, row.column);
  const checked = rowToItem(row, catalogue);
  const problem = row.value === "" || (typeof row.value === "object" && row.value.min === "" && row.value.max === "")
    ? "" : "problem" in checked ? checked.problem : "";
  const dataCols = catalogue.filter((c) => c.id.startsWith("data."));
  const taskCols = catalogue.filter((c) => !c.id.startsWith("data."));
  return (
    <li class="filter-row">
      {idx === 0 ? <span class="conj">Where</span> : idx === 1 ? (
        <select aria-label="Match" value={props.conjunction} onChange={(e) => props.onConjunction(e.currentTarget.value === "or" ? "or" : "and")}>
          <option value="and">and</option><option value="or">or</option>
        </select>
      ) : <span class="conj">{props.conjunction}</span>}
      <select aria-label={`Filter ${n} column`} value={row.column} onChange={(e) => props.onChange(withColumn(row, catalogue, e.currentTarget.value))}>
        {!column && <option value={row.column}>{row.column}</option>}
        {dataCols.length > 0 && (
          <optgroup label="Data">{dataCols.map((c) => <option key={c.id} value={c.id}>{c.title}</option>)}</optgroup>
        )}
        <optgroup label="Task">{taskCols.map((c) => <option key={c.id} value={c.id}>{c.title}</option>)}</optgroup>
      </select>
      {column && column.types.length > 1 && (
        <select aria-label={`Filter ${n} type`} value={row.type} onChange={(e) => props.onChange(withType(row, catalogue, e.currentTarget.value as DmType))}>
          {column.types.map((t) => <option key={t} value={t}>{t === "Number" ? "as number" : "as text"}</option>)}
        </select>
      )}
      <select aria-label={`Filter ${n} operator`} value={row.operator}
        onChange={(e) => props.onChange(withOperator(row, catalogue, e.currentTarget.value as DmOperator))}>
        {(column ? operatorsFor(column, row.type) : [row.operator]).map((op) => <option key={op} value={op}>{OPERATOR_TEXT[op]}</option>)}
      </select>
      {column && <ValueInput n={n} row={row} column={column} members={props.members} labels={props.labels} onChange={props.onChange} />}
      <button type="button" aria-label={`Remove filter ${n}`} title="Remove this filter" onClick={props.onRemove}>✕</button>
      {problem && <span class="error">{problem}</span>}
    </li>
  );
}

function ValueInput(props: {
  n: number;
  row: FilterRow;
  column: Column;
  members: readonly Member[];
  labels: readonly string[];
  onChange: (row: FilterRow) => void;
}): JSX.Element {
  const { row, n } = props;
  const set = (value: FilterRow["value"]) => props.onChange({ ...row, value });
  const shape = valueShape(row);
  if (shape === "boolean") return <YesNo label={`Filter ${n} value`} value={typeof row.value === "string" ? row.value : "true"} onChange={set} />;
  const kind = valueKind(props.column, row.type);
  if (shape === "range") {
    const r = typeof row.value === "object" ? row.value : { min: "", max: "" };
    return (
      <span class="range">
        <Scalar kind={kind} label={`Filter ${n} from`} value={r.min} members={props.members} labels={props.labels} onValue={(min) => set({ ...r, min })} />
        <span aria-hidden="true">–</span>
        <Scalar kind={kind} label={`Filter ${n} to`} value={r.max} members={props.members} labels={props.labels} onValue={(max) => set({ ...r, max })} />
      </span>
    );
  }
  return <Scalar kind={kind} label={`Filter ${n} value`} value={typeof row.value === "string" ? row.value : ""} members={props.members} labels={props.labels} onValue={set} />;
}

function YesNo(props: { label: string; value: string; onChange: (v: string) => void }): JSX.Element {
  return (
    <select aria-label={props.label} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
      <option value="true">yes</option><option value="false">no</option>
    </select>
  );
}

function Scalar(props: {
  kind: ReturnType<typeof valueKind>;
  label: string;
  value: string;
  members: readonly Member[];
  labels: readonly string[];
  onValue: (v: string) => void;
}): JSX.Element {
  const { kind, label, value, onValue } = props;
  const pick = (options: readonly (readonly [string, string])[]) => (
    <select aria-label={label} value={value} onChange={(e) => onValue(e.currentTarget.value)}>
      {!options.some(([v]) => v === value) && <option value={value}>{value === "" ? "choose…" : value}</option>}
      {options.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
    </select>
  );
  if (kind === "boolean") return <YesNo label={label} value={value || "true"} onChange={onValue} />;
  if (kind === "status") return pick(STATUSES.map((s) => [s, s === "unlabeled" ? "open (unlabeled)" : s] as const));
  if (kind === "flag") return pick(PREFILTER_FLAGS.map((f) => [f, f.replace("_", " ")] as const));
  if (kind === "user" && props.members.length > 0) {
    return pick(props.members.map((m) => [String(m.user.id), personName(m.user)] as const));
  }
  if (kind === "label" && props.labels.length > 0) return pick(props.labels.map((l) => [l, l] as const));
  const type = kind === "number" || kind === "user" ? "number" : kind === "datetime" ? "datetime-local" : "text";
  return (
    <input type={type} step={type === "number" ? "any" : undefined} aria-label={label} value={value}
      placeholder={kind === "user" ? "user id" : undefined} onInput={(e) => onValue(e.currentTarget.value)} />
  );
}
