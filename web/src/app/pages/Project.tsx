// A project's data manager: the task table (paged; sorted by any column header,
// data columns included; narrowed by a status, filter rows and a full-text
// search, all in the URL), saved views as tabs, import by file picker or
// drag-and-drop, and for managers a selection (per row, the page, or every
// matching task) with bulk actions, assignment and export. The filter model
// is ../dmFilters.ts, its URL form ../taskTable.ts.
import type { JSX } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiFailure, api } from "../api";
import { navigate } from "../router";
import { type Member, type Task, type TaskPage, type User, parseLabelingConfig } from "../../model";
import { type Column, type FilterState, columnCatalogue, dataKeys, fromDmData, labelValues, sameQuery, toDmQuery } from "../dmFilters";
import { filteredSummary } from "../prefilter";
import { mayViewQuality } from "../quality";
import { mayManage, mayReview, personName } from "../roles";
import { NOTHING, type Selection, everything, isSelected, offerSelectAll, pageState, selectedCount, setSelected, toggle } from "../selection";
import {
  EMPTY_QUERY, type TaskQuery, actionQuery, ariaSort, isFiltered, nextOrdering, queryOfView, taskListParams, taskTableHref,
} from "../taskTable";
import { FilterBar } from "./FilterBar";
import { SelectionBar } from "./TaskActions";
import { ViewTabs } from "./ViewTabs";
import { ErrorBox, errorText, useLoad } from "./common";

const PAGE_SIZE = 30;
/** Data columns shown in the table (all of them can be filtered). */
const MAX_DATA_COLUMNS = 6;

type ListParams = ReturnType<typeof taskListParams> & { fields?: "task_only" };

async function loadPage(project: number, page: number, params: ListParams | undefined, size = PAGE_SIZE): Promise<TaskPage | undefined> {
  if (!params) return undefined; // a saved view's filters are still loading
  try {
    return await api.tasks(project, page, size, params);
  } catch (e: unknown) {
    // The server answers 404 past the last page: show an empty page.
    if (e instanceof ApiFailure && e.status === 404) return { tasks: [], total: 0 };
    throw e;
  }
}

/** Every task id matching `params` (for exporting "all but some"). */
async function matchingIds(project: number, params: ReturnType<typeof taskListParams>): Promise<number[]> {
  const ids: number[] = [];
  for (let page = 1; ; page++) {
    const batch = await loadPage(project, page, { ...params, fields: "task_only" }, 10000);
    ids.push(...(batch?.tasks ?? []).map((t) => t.id));
    if (!batch || batch.tasks.length < 10000) return ids;
  }
}

export function ProjectPage(props: { id: number; pageNo: number; query: TaskQuery; user: User }): JSX.Element {
  const [project, projectError, reloadProject] = useLoad(() => api.project(props.id), [props.id]);
  // The quality dashboard is for reviewers and above: hide its link from
  // annotators once the role is known (the page itself explains a 403).
  const [members, membersError] = useLoad(() => api.members(props.id), [props.id]);
  const roleKnown = members !== undefined || membersError !== "";
  const showQuality = roleKnown && mayViewQuality(props.user, members);
  const showReview = roleKnown && mayReview(props.user, members);
  const manager = roleKnown && mayManage(props.user, members);
  const [views, viewsError, reloadViews] = useLoad(() => api.views(props.id), [props.id]);
  const [actions] = useLoad(() => (manager ? api.actions(props.id) : Promise.resolve(undefined)), [props.id, manager]);
  // The filterable columns: the config's $variables and the first task's data keys.
  const [first, , reloadFirst] = useLoad(() => loadPage(props.id, 1, { fields: "task_only" }, 1).then((p) => p?.tasks[0]), [props.id]);
  const config = useMemo(() => {
    const parsed = project ? parseLabelingConfig(project.label_config) : undefined;
    return parsed?.ok ? parsed.config : undefined;
  }, [project?.label_config]);
  const catalogue = useMemo(() => columnCatalogue(dataKeys(config?.dataKeys ?? [], first?.data)), [config, first]);
  const labels = useMemo(() => labelValues(config?.controls.flatMap((c) => c.options.filter((o) => o.tag !== "Relation")) ?? []), [config]);

  // A bare ?view=V opens the view's saved filters once the views are loaded.
  const saved = views?.find((v) => v.id === props.query.view);
  const pendingView = props.query.view !== undefined && !props.query.explicit;
  const missingView = props.query.view !== undefined && views !== undefined && !saved;
  const query: TaskQuery | undefined = pendingView ? (saved ? queryOfView(saved, catalogue) : missingView ? EMPTY_QUERY : undefined) : props.query;
  const params = query ? taskListParams(query, catalogue) : undefined;
  const paramsKey = JSON.stringify(params ?? null);
  const [page, error, reload] = useLoad(() => loadPage(props.id, props.pageNo, params), [props.id, props.pageNo, paramsKey]);

  const [selection, setSelection] = useState<Selection>(NOTHING);
  const setKey = query ? JSON.stringify([toDmQuery({ ...query, ordering: undefined }, catalogue), query.status]) : "";
  useEffect(() => setSelection(NOTHING), [props.id, setKey]);
  const [importMsg, setImportMsg] = useState("");
  const [importError, setImportError] = useState("");
  const [dragging, setDragging] = useState(false);

  const upload = async (files: readonly File[]) => {
    if (files.length === 0) return;
    setImportMsg("Importing…");
    setImportError("");
    try {
      const r = await api.importFiles(props.id, files);
      const filtered = filteredSummary(r.filtered);
      setImportMsg(`Imported ${r.task_count ?? 0} tasks.${filtered ? ` Pre-filtering: ${filtered}.` : ""}`);
      reload();
      reloadProject();
      if (!first) reloadFirst();
    } catch (e: unknown) {
      setImportMsg("");
      setImportError(errorText(e));
    }
  };
  const q = query ?? EMPTY_QUERY;
  const go = (next: TaskQuery, pageNo = 1) => navigate(taskTableHref(props.id, pageNo, { ...next, explicit: true }));
  const total = project?.task_number ?? page?.total ?? 0;
  // Narrowed, the pages (and "select all") count the matching tasks only.
  const filtered = isFiltered(q, catalogue);
  const narrowed = filtered || q.status !== undefined;
  const shown = narrowed ? page?.total ?? 0 : total;
  const pages = Math.max(1, Math.ceil(shown / PAGE_SIZE));
  const savedState: FilterState | undefined = saved ? fromDmData(saved.data, catalogue) : undefined;
  const dirty = savedState !== undefined && query !== undefined && (q.status !== undefined || !sameQuery(q, savedState, catalogue));
  const forAction = actionQuery(q, catalogue);
  const names = useMemo(() => new Map((members ?? []).map((m: Member) => [m.user.id, personName(m.user)])), [members]);

  const pageIds = page?.tasks.map((t) => t.id) ?? [];
  const headState = pageState(selection, pageIds);
  const headBox = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (headBox.current) headBox.current.indeterminate = headState === "some";
  }, [headState]);
  const nSelected = selectedCount(selection, shown);
  const dataCols = catalogue.filter((c) => c.id.startsWith("data.")).slice(0, MAX_DATA_COLUMNS);
  const sortHeader = (column: string, text: string) => (
    <th scope="col" aria-sort={ariaSort(q.ordering, column)} key={column}>
      <button type="button" class="sort" onClick={() => go({ ...q, ordering: nextOrdering(q.ordering, column) })}
        aria-label={`Sort by ${text.toLowerCase()}`}>
        {text} {ariaSort(q.ordering, column) === "ascending" ? "▲" : ariaSort(q.ordering, column) === "descending" ? "▼" : ""}
      </button>
    </th>
  );
  const nColumns = (manager ? 1 : 0) + 1 + dataCols.length + 7;
  const statusText = q.status === "labeled" ? "labeled" : "open";
  const caption = filtered ? `(${shown} matching${q.status ? `, ${statusText}` : ""}, of ${total})`
    : q.status ? `(${shown} ${statusText} of ${total})` : total ? `(${total})` : "";
  return (
    <main
      class={dragging ? "dropping" : ""}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        void upload(Array.from(e.dataTransfer?.files ?? []));
      }}
    >
      <h1>{project?.title ?? `Project ${props.id}`}</h1>
      <nav class="subnav" aria-label="Project">
        <a href={`/projects/${props.id}/label`} class="button primary">Label tasks</a>
        <a href={`/projects/${props.id}/settings`}>Settings</a>
        {showReview && <a href={`/projects/${props.id}/review`}>Review</a>}
        {showQuality && <a href={`/projects/${props.id}/quality`}>Quality</a>}
        {manager && <a href={`/projects/${props.id}/dashboard`}>Dashboard</a>}
      </nav>
      <ErrorBox error={projectError || error} />
      <section class="import" aria-label="Import tasks">
        <label class="button">
          Import files (JSON, CSV, TSV, TXT, images…)
          <input type="file" multiple class="visually-hidden" aria-label="Import files"
            onChange={(e) => void upload(Array.from(e.currentTarget.files ?? []))} />
        </label>
        <span class="hint">or drop files anywhere on this page</span>
        <p aria-live="polite">{importMsg}</p>
        <ErrorBox error={importError} />
      </section>
      {views && (
        <ViewTabs projectId={props.id} views={views} selected={missingView ? undefined : props.query.view} manager={manager}
          current={"problem" in forAction ? forAction : { query: forAction.query, conjunction: q.conjunction }} dirty={dirty}
          panelId="task-table" onOpen={(v) => go(v ? queryOfView(v, catalogue) : EMPTY_QUERY)}
          onChanged={(open) => {
            reloadViews();
            if (open) go(queryOfView(open, catalogue));
            else if (open === null) go(EMPTY_QUERY);
          }} />
      )}
      <ErrorBox error={missingView ? `View ${props.query.view} does not exist (any more): showing all tasks.` : props.query.view !== undefined ? viewsError : ""} />
      <FilterBar catalogue={catalogue} state={q} members={members ?? []} labels={labels} onApply={(s) => go({ ...q, ...s })} />
      {manager && (
        <SelectionBar projectId={props.id} members={members ?? []} selection={selection} total={shown} count={nSelected}
          offerAll={offerSelectAll(selection, pageIds, shown)} onSelectAll={() => setSelection(everything())}
          onClear={() => setSelection(NOTHING)} actions={actions} query={forAction} narrowed={narrowed}
          matchingIds={() => matchingIds(props.id, params ?? {})}
          onChanged={() => {
            reload();
            reloadProject();
          }} />
      )}
      <label class="status-filter">Status{" "}
        <select value={q.status ?? ""} onChange={(e) => {
          const v = e.currentTarget.value;
          go({ ...q, status: v === "labeled" || v === "unlabeled" ? v : undefined });
        }}>
          <option value="">All</option><option value="labeled">Labeled</option><option value="unlabeled">Open (unlabeled)</option>
        </select>
      </label>
      <div id="task-table" role={views ? "tabpanel" : undefined} class="table-wrap">
        <table class="tasks">
          <caption>Tasks {caption}</caption>
          <thead><tr>{manager && (
            <th scope="col" class="check-cell">
              <input ref={headBox} type="checkbox" aria-label="Select all tasks on this page" checked={headState === "all"}
                disabled={pageIds.length === 0} onChange={() => setSelection((sel) => setSelected(sel, pageIds, headState !== "all"))} />
            </th>
          )}
          {sortHeader("id", "ID")}
          {dataCols.map((c) => sortHeader(c.id, c.title))}
          {sortHeader("total_annotations", "Annotations")}
          {sortHeader("agreement", "Agreement")}
          <th scope="col">Annotators</th>
          <th scope="col">Guideline</th>
          <th scope="col">Flags</th>
          {sortHeader("predictions_score", "Prediction score")}
          <th scope="col">Status</th></tr></thead>
          <tbody>
            {page?.tasks.map((t) => (
              <TaskRow key={t.id} task={t} projectId={props.id} dataCols={dataCols} names={names}
                selectable={manager} selected={isSelected(selection, t.id)} onToggle={() => setSelection((sel) => toggle(sel, t.id))} />
            ))}
            {page && page.tasks.length === 0 && (
              <tr><td colSpan={nColumns}>{narrowed ? "No tasks match these filters." : "No tasks on this page."}</td></tr>
            )}
            {!page && !error && <tr><td colSpan={nColumns}>Loading…</td></tr>}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={props.pageNo <= 1} onClick={() => go(q, props.pageNo - 1)}>Previous page</button>
        <span>Page {props.pageNo} of {pages}</span>
        <button type="button" disabled={props.pageNo >= pages} onClick={() => go(q, props.pageNo + 1)}>Next page</button>
      </nav>
    </main>
  );
}

const cellText = (v: unknown): string => (typeof v === "string" ? v : v === undefined ? "" : JSON.stringify(v)).slice(0, 120);

function TaskRow(props: {
  task: Task;
  projectId: number;
  dataCols: readonly Column[];
  names: ReadonlyMap<number, string>;
  selectable: boolean;
  selected: boolean;
  onToggle: () => void;
}): JSX.Element {
  const t = props.task;
  const value = (key: string): unknown => key.split(".").reduce<unknown>((v, k) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[k] : undefined), t.data);
  const flags = (t.prefilter_flags ?? []).map((f) => f.replace("_", " "));
  return (
    <tr class={props.selectable && props.selected ? "selected" : ""}>
      {props.selectable && (
        <td class="check-cell">
          <input type="checkbox" aria-label={`Select task ${t.id}`} checked={props.selected} onChange={props.onToggle} />
        </td>
      )}
      <td><a href={`/projects/${props.projectId}/tasks/${t.id}`}>{t.id}</a></td>
      {props.dataCols.map((c) => <td key={c.id} class="data-cell">{cellText(value(c.id.slice(5)))}</td>)}
      <td>{t.total_annotations ?? 0}{t.cancelled_annotations ? ` (+${t.cancelled_annotations} skipped)` : ""}</td>
      <td class="num">{t.agreement === null || t.agreement === undefined ? "—" : `${Math.round(t.agreement)}%`}</td>
      <td>{(t.annotators ?? []).map((id) => props.names.get(id) ?? `user ${id}`).join(", ")}</td>
      <td>{(t.guideline_versions ?? []).map((v) => `v${v}`).join(", ")}</td>
      <td>{flags.join(", ")}</td>
      <td class="num">{t.predictions_score === null || t.predictions_score === undefined ? "—" : t.predictions_score.toFixed(2)}</td>
      <td>{t.is_labeled ? "labeled" : "open"}{t.ground_truth ? " · ground truth" : ""}</td>
    </tr>
  );
}
