// The task table's selection toolbar (managers): the selection's size and
// "select all N matching", the bulk Actions menu (GET /api/dm/actions; the
// destructive ones ask first), assignment to members, and "Export selection".
// When every matching task is selected and filters narrow the table, the
// request carries the filters, so the server acts on the same tasks.
import type { JSX } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";
import type { AssignmentType, DmAction, DmQuery, Member } from "../../model";
import { actionRequest, confirmText, isDestructive, needsConfirm, resultText, sortActions } from "../dmActions";
import { personName } from "../roles";
import { type Selection, selectedItems, selectionText } from "../selection";
import { ANNOTATION_CHOICES, type AnnotationChoice, exportHref, keepsAllAnnotations } from "../taskTable";
import { ConfirmDialog } from "./ConfirmDialog";
import { ErrorBox, errorText, useLoad } from "./common";

const tasksText = (n: number) => `${n} ${n === 1 ? "task" : "tasks"}`;

export function SelectionBar(props: {
  projectId: number;
  members: readonly Member[];
  selection: Selection;
  /** How many tasks match the table's filters. */
  total: number;
  count: number;
  offerAll: boolean;
  onSelectAll: () => void;
  onClear: () => void;
  actions: readonly DmAction[] | undefined;
  /** The table's filters as an action's query, or why they cannot be sent. */
  query: { query: DmQuery } | { problem: string };
  /** Filters, search or status narrow the table ("all" then needs the data manager's routes). */
  narrowed: boolean;
  /** Every task id matching the filters (for exporting "all but some"). */
  matchingIds: () => Promise<number[]>;
  /** The server's tasks changed. */
  onChanged: () => void;
}): JSX.Element | null {
  const [open, setOpen] = useState(false);
  // Kept while the assignment form is closed and opened again.
  const [users, setUsers] = useState<readonly number[]>([]);
  const [type, setType] = useState<AssignmentType>("AN");
  const [exporting, setExporting] = useState(false);
  const [pending, setPending] = useState<DmAction | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");
  useEffect(() => {
    if (props.count === 0) {
      setOpen(false);
      setExporting(false);
    }
  }, [props.count]);
  if (props.count === 0 && !message && !error) return null;

  const start = () => {
    setBusy(true);
    setError("");
    setMessage("");
  };
  const perform = async (a: DmAction) => {
    if ("problem" in props.query) {
      setError(props.query.problem);
      return;
    }
    start();
    try {
      const reply = await api.runAction(props.projectId, a.id, actionRequest(selectedItems(props.selection), props.query.query));
      setMessage(resultText(a, reply));
      setPending(undefined);
      props.onClear();
      props.onChanged();
    } catch (e: unknown) {
      setError(errorText(e));
      setPending(undefined);
    } finally {
      setBusy(false);
    }
  };
  const choose = (a: DmAction) => {
    if (a.id === "assign") {
      setOpen(true);
      return;
    }
    if (needsConfirm(a)) setPending(a);
    else void perform(a);
  };
  const all = props.selection.all && props.count === props.total;
  return (
    <section class="assign-bar panel" aria-label="Selected tasks">
      <div class="row wrap">
        {props.count > 0 && (
          <>
            <strong>{selectionText(props.selection, props.total)}</strong>
            {props.offerAll && (
              <button type="button" onClick={props.onSelectAll}>Select all {props.total} tasks</button>
            )}
            {props.actions && props.actions.length > 0 && <ActionsMenu actions={props.actions} disabled={busy} onChoose={choose} />}
            <button type="button" class="primary" aria-expanded={open} onClick={() => setOpen(!open)}>Assign to…</button>
            <button type="button" aria-expanded={exporting} onClick={() => setExporting(!exporting)}>Export selection</button>
            <button type="button" onClick={props.onClear}>Clear selection</button>
          </>
        )}
      </div>
      {open && props.count > 0 && (
        <AssignForm {...props} all={all} users={users} setUsers={setUsers} type={type} setType={setType} onDone={(text) => {
          setMessage(text);
          setError("");
          setOpen(false);
        }} onError={setError} />
      )}
      {exporting && props.count > 0 && (
        <ExportForm projectId={props.projectId} selection={props.selection} count={props.count} query={props.query}
          narrowed={props.narrowed} matchingIds={props.matchingIds} />
      )}
      {pending && (
        <ConfirmDialog title={pending.title} text={confirmText(pending, props.count)} confirm={`${pending.title} (${tasksText(props.count)})`}
          danger={isDestructive(pending)} busy={busy} onConfirm={() => void perform(pending)} onCancel={() => setPending(undefined)} />
      )}
      <p role="status" aria-live="polite" class="ok">{message}</p>
      <ErrorBox error={error} />
    </section>
  );
}

/** A menu button (WAI-ARIA menu pattern): arrows move, Escape closes and returns focus. */
function ActionsMenu(props: { actions: readonly DmAction[]; disabled: boolean; onChoose: (a: DmAction) => void }): JSX.Element {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  const items = () => Array.from(menu.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? []);
  // Before the open menu is painted: a key pressed as soon as it shows goes to its first item.
  useLayoutEffect(() => {
    if (open) items()[0]?.focus();
  }, [open]);
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };
  const onKey = (e: KeyboardEvent) => {
    const list = items();
    const at = list.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === "Escape") {
      e.preventDefault();
      close(true);
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      list[(at + step + list.length) % list.length]?.focus();
    } else if (e.key === "Home" || e.key === "End") {
      e.preventDefault();
      (e.key === "Home" ? list[0] : list[list.length - 1])?.focus();
    } else if (e.key === "Tab") close(false);
  };
  return (
    <span class="menu-wrap">
      <button ref={button} type="button" aria-haspopup="menu" aria-expanded={open} disabled={props.disabled}
        onClick={() => setOpen(!open)} onKeyDown={(e) => {
          if (e.key === "ArrowDown") {
            e.preventDefault();
            setOpen(true);
          } else if (e.key === "Escape" && open) {
            e.preventDefault();
            close(true);
          }
        }}>
        Actions ▾
      </button>
      {open && (
        <ul ref={menu} role="menu" aria-label="Actions" class="menu" onKeyDown={onKey}>
          {sortActions(props.actions).map((a) => (
            <li key={a.id} role="none">
              <button type="button" role="menuitem" tabIndex={-1} class={isDestructive(a) ? "danger" : ""} onClick={() => {
                close(true);
                props.onChoose(a);
              }}>{a.title}{needsConfirm(a) || a.id === "assign" ? "…" : ""}</button>
            </li>
          ))}
        </ul>
      )}
    </span>
  );
}

/** Members to assign to (or unassign), and whether they annotate or review; the server's counts confirm. */
function AssignForm(props: {
  projectId: number;
  members: readonly Member[];
  selection: Selection;
  total: number;
  count: number;
  all: boolean;
  query: { query: DmQuery } | { problem: string };
  narrowed: boolean;
  users: readonly number[];
  setUsers: (f: (users: readonly number[]) => readonly number[]) => void;
  type: AssignmentType;
  setType: (t: AssignmentType) => void;
  onDone: (message: string) => void;
  onError: (message: string) => void;
}): JSX.Element {
  const { users, setUsers, type, setType } = props;
  const [busy, setBusy] = useState(false);
  // "All matching" under filters: only the data manager's assign action knows the filters.
  const viaActions = props.selection.all && props.narrowed;
  const run = async (what: "assign" | "unassign") => {
    setBusy(true);
    props.onError("");
    const body = { type, ...(users.length ? { users } : {}), selectedItems: selectedItems(props.selection) };
    try {
      if (what === "assign" && viaActions) {
        if ("problem" in props.query) throw new Error(props.query.problem);
        const r = await api.runAction(props.projectId, "assign", actionRequest(body.selectedItems, props.query.query, { type, users }));
        props.onDone(`Assigned ${tasksText(r.processed_items)} to ${users.length} ${users.length === 1 ? "member" : "members"} to ${type === "RE" ? "review" : "annotate"}.`);
      } else if (what === "assign") {
        const r = await api.assign(props.projectId, body);
        const kind = r.type === "RE" ? "review" : "annotate";
        props.onDone(`Assigned ${tasksText(r.tasks)} to ${r.users} ${r.users === 1 ? "member" : "members"} to ${kind}: ` +
          `${r.assignments} new ${r.assignments === 1 ? "assignment" : "assignments"}.`);
      } else {
        const r = await api.unassign(props.projectId, body);
        props.onDone(`Removed ${r.removed} ${r.removed === 1 ? "assignment" : "assignments"}.`);
      }
    } catch (e: unknown) {
      props.onError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const pick = (id: number, on: boolean) => setUsers((u) => (on ? [...u, id] : u.filter((x) => x !== id)));
  const members = props.members.slice().sort((a, b) => personName(a.user).localeCompare(personName(b.user)));
  return (
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
          Assign {props.all ? `all ${props.total}` : props.count} {props.count === 1 ? "task" : "tasks"}
        </button>
        <button type="button" disabled={busy || viaActions} onClick={() => void run("unassign")}>
          Unassign {users.length ? "the ticked members" : "everyone"}
        </button>
        <span class="hint">
          {viaActions ? "Unassigning works on picked tasks, not on all filtered ones." : "Assigned tasks come first in each assignee's queue and go to nobody else."}
        </span>
      </div>
    </form>
  );
}

/** Format picker and the download link of the selected tasks. */
function ExportForm(props: {
  projectId: number;
  selection: Selection;
  count: number;
  query: { query: DmQuery } | { problem: string };
  narrowed: boolean;
  matchingIds: () => Promise<number[]>;
}): JSX.Element {
  const [formats, formatsError] = useLoad(() => api.exportFormats(props.projectId), [props.projectId]);
  const [format, setFormat] = useState("JSON");
  const [withUnlabeled, setWithUnlabeled] = useState(false);
  const [annotations, setAnnotations] = useState<AnnotationChoice>("all");
  const sel = props.selection;
  // "All but some" cannot be said to the export route: list the matching ids and leave those out.
  const needIds = sel.all && sel.excluded.size > 0;
  const [ids, idsError] = useLoad(async () => {
    if (!sel.all) return [...sel.ids].sort((a, b) => a - b);
    if (!needIds) return undefined;
    const matching = await props.matchingIds();
    return matching.filter((id) => !sel.excluded.has(id));
  }, [sel, needIds]);
  let href: string | undefined;
  let problem = formatsError || idsError;
  if (ids) href = exportHref(props.projectId, format, { ids }, withUnlabeled, annotations);
  else if (sel.all && !needIds) {
    if ("problem" in props.query) problem = props.query.problem;
    else href = exportHref(props.projectId, format, { query: props.narrowed ? props.query.query : {} }, withUnlabeled, annotations);
  }
  return (
    <form class="export-form row wrap" aria-label="Export selection" onSubmit={(e) => e.preventDefault()}>
      <label class="row">Format{" "}
        <select value={format} onChange={(e) => setFormat(e.currentTarget.value)}>
          {(formats ?? [{ name: "JSON", title: "JSON" }]).map((f) => (
            <option key={f.name} value={f.name} disabled={f.disabled}>{f.title}{f.disabled ? " (does not fit this config)" : ""}</option>
          ))}
        </select>
      </label>
      <label class="row">Annotations{" "}
        <select aria-label="Annotations" value={annotations} disabled={keepsAllAnnotations(format)}
          title={keepsAllAnnotations(format) ? `${format} always carries every annotation` : undefined}
          onChange={(e) => setAnnotations(e.currentTarget.value as AnnotationChoice)}>
          {ANNOTATION_CHOICES.map((c) => <option key={c.value} value={c.value}>{c.title}</option>)}
        </select>
      </label>
      <label class="check">
        <input type="checkbox" checked={withUnlabeled} onChange={(e) => setWithUnlabeled(e.currentTarget.checked)} /> Include tasks without annotations
      </label>
      {href ? <a class="button primary" href={href} download>Download {tasksText(props.count)}</a> : !problem && <span class="hint">Listing the tasks…</span>}
      <ErrorBox error={problem} />
    </form>
  );
}
