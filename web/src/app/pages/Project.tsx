// A project's task table (paged, sortable, filtered by status; all in the URL), import by file picker or drag-and-drop,
// and for managers bulk assignment: tick tasks (per row, the whole page, or
// every task of the project) and assign them to members, or unassign them.
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiFailure, api } from "../api";
import { navigate } from "../router";
import type { AssignmentType, Member, TaskPage, User } from "../../model";
import { filteredSummary } from "../prefilter";
import { mayViewQuality } from "../quality";
import { mayManage, mayReview, personName } from "../roles";
import {
  NOTHING, type Selection, everything, isSelected, offerSelectAll, pageState, selectedCount, selectedItems, selectionText,
  setSelected, toggle,
} from "../selection";
import { type TaskQuery, ariaSort, nextOrdering, taskTableHref } from "../taskTable";
import { ErrorBox, errorText, useLoad } from "./common";

const PAGE_SIZE = 30;

async function loadPage(project: number, page: number, query: TaskQuery): Promise<TaskPage> {
  try {
    return await api.tasks(project, page, PAGE_SIZE, { ordering: query.ordering, status: query.status });
  } catch (e: unknown) {
    // The server answers 404 past the last page: show an empty page.
    if (e instanceof ApiFailure && e.status === 404) return { tasks: [], total: 0 };
    throw e;
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
  const [selection, setSelection] = useState<Selection>(NOTHING);
  useEffect(() => setSelection(NOTHING), [props.id]);
  const { ordering, status } = props.query;
  const [page, error, reload] = useLoad(() => loadPage(props.id, props.pageNo, props.query), [props.id, props.pageNo, ordering, status]);
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
    } catch (e: unknown) {
      setImportMsg("");
      setImportError(errorText(e));
    }
  };
  const total = project?.task_number ?? page?.total ?? 0;
  // With a status filter the pages count the matching tasks only.
  const shown = status ? page?.total ?? 0 : total;
  const pages = Math.max(1, Math.ceil(shown / PAGE_SIZE));
  const go = (n: number) => navigate(taskTableHref(props.id, n, props.query));
  const sortButton = (column: "id" | "total_annotations", text: string) => (
    <th scope="col" aria-sort={ariaSort(ordering, column)}>
      <button type="button" class="sort" onClick={() => navigate(taskTableHref(props.id, 1, { ordering: nextOrdering(ordering, column), status }))}
        aria-label={`Sort by ${text.toLowerCase()}`}>
        {text} {ariaSort(ordering, column) === "ascending" ? "▲" : ariaSort(ordering, column) === "descending" ? "▼" : ""}
      </button>
    </th>
  );
  const pageIds = page?.tasks.map((t) => t.id) ?? [];
  const headState = pageState(selection, pageIds);
  const headBox = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (headBox.current) headBox.current.indeterminate = headState === "some";
  }, [headState]);
  const nSelected = selectedCount(selection, total);
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
      {manager && (
        <AssignBar projectId={props.id} members={members ?? []} selection={selection} total={total} count={nSelected}
          offerAll={offerSelectAll(selection, pageIds, total)} onSelectAll={() => setSelection(everything())}
          onClear={() => setSelection(NOTHING)} />
      )}
      <label class="status-filter">Status{" "}
        <select value={status ?? ""} onChange={(e) => {
          const v = e.currentTarget.value;
          navigate(taskTableHref(props.id, 1, { ordering, status: v === "labeled" || v === "unlabeled" ? v : undefined }));
        }}>
          <option value="">All</option><option value="labeled">Labeled</option><option value="unlabeled">Open (unlabeled)</option>
        </select>
      </label>
      <table class="tasks">
        <caption>Tasks {status ? `(${shown} ${status === "labeled" ? "labeled" : "open"} of ${total})` : total ? `(${total})` : ""}</caption>
        <thead><tr>{manager && (
          <th scope="col" class="check-cell">
            <input ref={headBox} type="checkbox" aria-label="Select all tasks on this page" checked={headState === "all"}
              disabled={pageIds.length === 0} onChange={() => setSelection((sel) => setSelected(sel, pageIds, headState !== "all"))} />
          </th>
        )}{sortButton("id", "ID")}<th scope="col">Data</th>{sortButton("total_annotations", "Annotations")}<th scope="col">Status</th></tr></thead>
        <tbody>
          {page?.tasks.map((t) => (
            <tr key={t.id} class={manager && isSelected(selection, t.id) ? "selected" : ""}>
              {manager && (
                <td class="check-cell">
                  <input type="checkbox" aria-label={`Select task ${t.id}`} checked={isSelected(selection, t.id)}
                    onChange={() => setSelection((sel) => toggle(sel, t.id))} />
                </td>
              )}
              <td><a href={`/projects/${props.id}/tasks/${t.id}`}>{t.id}</a></td>
              <td class="data-cell">{JSON.stringify(t.data).slice(0, 120)}</td>
              <td>{t.total_annotations ?? 0}{t.cancelled_annotations ? ` (+${t.cancelled_annotations} skipped)` : ""}</td>
              <td>{t.is_labeled ? "labeled" : "open"}</td>
            </tr>
          ))}
          {page && page.tasks.length === 0 && <tr><td colSpan={manager ? 5 : 4}>No tasks on this page.</td></tr>}
        </tbody>
      </table>
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={props.pageNo <= 1} onClick={() => go(props.pageNo - 1)}>Previous page</button>
        <span>Page {props.pageNo} of {pages}</span>
        <button type="button" disabled={props.pageNo >= pages} onClick={() => go(props.pageNo + 1)}>Next page</button>
      </nav>
    </main>
  );
}

/** The selection's toolbar and the assignment form: members to assign to (or
 *  unassign), and whether they annotate or review; the server's counts confirm. */
function AssignBar(props: {
  projectId: number;
  members: readonly Member[];
  selection: Selection;
  total: number;
  count: number;
  offerAll: boolean;
  onSelectAll: () => void;
  onClear: () => void;
}): JSX.Element | null {
  const [open, setOpen] = useState(false);
  const [users, setUsers] = useState<readonly number[]>([]);
  const [type, setType] = useState<AssignmentType>("AN");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");
  useEffect(() => {
    if (props.count === 0) setOpen(false);
  }, [props.count]);
  if (props.count === 0 && !message && !error) return null;
  const tasksText = (n: number) => `${n} ${n === 1 ? "task" : "tasks"}`;
  const run = async (what: "assign" | "unassign") => {
    setBusy(true);
    setError("");
    setMessage("");
    const body = { type, ...(users.length ? { users } : {}), selectedItems: selectedItems(props.selection) };
    try {
      if (what === "assign") {
        const r = await api.assign(props.projectId, body);
        const kind = r.type === "RE" ? "review" : "annotate";
        setMessage(`Assigned ${tasksText(r.tasks)} to ${r.users} ${r.users === 1 ? "member" : "members"} to ${kind}: ` +
          `${r.assignments} new ${r.assignments === 1 ? "assignment" : "assignments"}.`);
      } else {
        const r = await api.unassign(props.projectId, body);
        setMessage(`Removed ${r.removed} ${r.removed === 1 ? "assignment" : "assignments"}.`);
      }
      setOpen(false);
    } catch (e: unknown) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const pick = (id: number, on: boolean) => setUsers((u) => (on ? [...u, id] : u.filter((x) => x !== id)));
  const members = props.members.slice().sort((a, b) => personName(a.user).localeCompare(personName(b.user)));
  return (
    <section class="assign-bar panel" aria-label="Selected tasks">
      <div class="row">
        {props.count > 0 && (
          <>
            <strong>{selectionText(props.selection, props.total)}</strong>
            {props.offerAll && (
              <button type="button" onClick={props.onSelectAll}>Select all {props.total} tasks</button>
            )}
            <button type="button" class="primary" aria-expanded={open} onClick={() => setOpen(!open)}>Assign to…</button>
            <button type="button" onClick={props.onClear}>Clear selection</button>
          </>
        )}
      </div>
      {open && props.count > 0 && (
        <form class="assign-form" aria-label="Assign tasks" onSubmit={(e) => {
          e.preventDefault();
          void run("assign");
        }}>
          <fieldset>
            <legend>Members</legend>
            {members.length === 0 && <p class="hint">This project has no members yet: add them in Settings.</p>}
            {members.map((m) => (
              <label key={m.user.id} class="check">
                <input type="checkbox" checked={users.includes(m.user.id)} onChange={(e) => pick(m.user.id, e.currentTarget.checked)} />
                {personName(m.user)} <span class="hint">({m.role})</span>
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>Assignment</legend>
            <label class="check"><input type="radio" name="assign-type" checked={type === "AN"} onChange={() => setType("AN")} /> Annotate (AN)</label>
            <label class="check"><input type="radio" name="assign-type" checked={type === "RE"} onChange={() => setType("RE")} /> Review (RE)</label>
          </fieldset>
          <div class="row">
            <button type="submit" class="primary" disabled={busy || users.length === 0}>
              Assign {props.count === props.total && props.selection.all ? `all ${props.total}` : props.count} {props.count === 1 ? "task" : "tasks"}
            </button>
            <button type="button" disabled={busy} onClick={() => void run("unassign")}>
              Unassign {users.length ? "the ticked members" : "everyone"}
            </button>
            <span class="hint">Assigned tasks come first in each assignee's queue and go to nobody else.</span>
          </div>
        </form>
      )}
      <p role="status" aria-live="polite" class="ok">{message}</p>
      <ErrorBox error={error} />
    </section>
  );
}
