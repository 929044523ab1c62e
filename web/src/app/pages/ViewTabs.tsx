// Saved views as tabs above the task table (Label Studio's data-manager
// tabs, /api/dm/views): "All tasks" plus each view; choosing a tab opens its
// filters (through the URL). Managers create a view from the current
// filters, save changed filters into the selected view, rename and delete
// it. Tabs follow the WAI-ARIA tabs pattern (arrows move between tabs).
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { api } from "../api";
import type { DmQuery, DmView } from "../../model";
import type { Conjunction } from "../dmFilters";
import { viewData } from "../dmFilters";
import { ConfirmDialog } from "./ConfirmDialog";
import { ErrorBox, errorText } from "./common";

export const viewTitle = (v: DmView): string => v.data.title?.trim() || `View ${v.id}`;

export function ViewTabs(props: {
  projectId: number;
  views: readonly DmView[];
  selected: number | undefined;
  manager: boolean;
  /** The table's current filters as a view would store them, or why they cannot be. */
  current: { query: DmQuery; conjunction: Conjunction } | { problem: string };
  /** The current filters differ from the selected view's saved ones. */
  dirty: boolean;
  panelId: string;
  onOpen: (view: DmView | undefined) => void;
  /** A view was created, renamed, saved or deleted (its id when it should be opened). */
  onChanged: (open?: DmView | null) => void;
}): JSX.Element {
  const [renaming, setRenaming] = useState<string | undefined>(undefined);
  const [deleting, setDeleting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [message, setMessage] = useState("");
  const view = props.views.find((v) => v.id === props.selected);
  const tabs: (DmView | undefined)[] = [undefined, ...props.views];
  const at = Math.max(0, tabs.findIndex((v) => v?.id === props.selected));

  const act = async (f: () => Promise<void>) => {
    setBusy(true);
    setError("");
    setMessage("");
    try {
      await f();
    } catch (e: unknown) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const data = () => {
    if ("problem" in props.current) throw new Error(props.current.problem);
    return viewData(props.current.query, props.current.conjunction);
  };
  const create = () => act(async () => {
    const created = await api.createView(props.projectId, { title: `View ${props.views.length + 1}`, ...data() });
    setMessage(`Created ${viewTitle(created)}.`);
    props.onChanged(created);
  });
  const save = () => act(async () => {
    if (!view) return;
    const saved = await api.updateView(view.id, data());
    setMessage(`Saved the filters in ${viewTitle(saved)}.`);
    props.onChanged(saved);
  });
  const rename = (title: string) => act(async () => {
    if (!view) return;
    const saved = await api.updateView(view.id, { title });
    setRenaming(undefined);
    setMessage(`Renamed to ${viewTitle(saved)}.`);
    props.onChanged();
  });
  const remove = () => act(async () => {
    if (!view) return;
    await api.deleteView(view.id);
    setDeleting(false);
    setMessage(`Deleted ${viewTitle(view)}.`);
    props.onChanged(null);
  });
  const onKey = (e: KeyboardEvent) => {
    const keys: Record<string, number> = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 };
    const to = keys[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const idx = (to + tabs.length) % tabs.length;
    const list = e.currentTarget as HTMLElement;
    props.onOpen(tabs[idx]);
    // Focus follows the selection once the new tab state renders.
    requestAnimationFrame(() => list.querySelectorAll<HTMLElement>('[role="tab"]')[idx]?.focus());
  };
  return (
    <div class="view-tabs">
      <div class="row wrap">
        <div role="tablist" aria-label="Views" class="tablist" onKeyDown={onKey}>
          {tabs.map((v, idx) => (
            <button key={v?.id ?? "all"} type="button" role="tab" aria-selected={idx === at} aria-controls={props.panelId}
              tabIndex={idx === at ? 0 : -1} onClick={() => props.onOpen(v)}>
              {v ? viewTitle(v) : "All tasks"}{idx === at && v && props.dirty ? " •" : ""}
            </button>
          ))}
        </div>
        {props.manager && (
          <>
            <button type="button" disabled={busy} onClick={() => void create()} title="A new view with the current filters">New view</button>
            {view && (
              <>
                <button type="button" disabled={busy || !props.dirty} onClick={() => void save()}>Save view</button>
                <button type="button" disabled={busy} aria-expanded={renaming !== undefined}
                  onClick={() => setRenaming(renaming === undefined ? viewTitle(view) : undefined)}>Rename view</button>
                <button type="button" class="danger" disabled={busy} onClick={() => setDeleting(true)}>Delete view</button>
              </>
            )}
          </>
        )}
        {view && props.dirty && <span class="hint">Changed since saved</span>}
      </div>
      {renaming !== undefined && view && (
        <form class="row" aria-label="Rename view" onSubmit={(e) => {
          e.preventDefault();
          if (renaming.trim()) void rename(renaming.trim());
        }}>
          <input aria-label="View name" value={renaming} maxLength={200} onInput={(e) => setRenaming(e.currentTarget.value)} />
          <button type="submit" class="primary" disabled={busy || !renaming.trim()}>Save name</button>
          <button type="button" onClick={() => setRenaming(undefined)}>Cancel</button>
        </form>
      )}
      {deleting && view && (
        <ConfirmDialog title="Delete view" text={`Delete the view "${viewTitle(view)}"? Its tasks stay; only the saved filters go.`}
          confirm="Delete view" danger busy={busy} onConfirm={() => void remove()} onCancel={() => setDeleting(false)} />
      )}
      <p role="status" aria-live="polite" class="ok">{message}</p>
      <ErrorBox error={error} />
    </div>
  );
}
