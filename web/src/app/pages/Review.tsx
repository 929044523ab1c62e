// The review queue of one project (/projects/{id}/review?annotator=&label=&state=&max_agreement=&order=):
// completed annotations awaiting review, filterable, and beside them the
// selected one rendered read-only by the editor, with Accept, Reject (a
// comment is required) and Fix and accept (the editor becomes editable and
// the changed result is stored as a new version). After an action the next
// item is shown. Keys: A accept, R reject (focuses the comment), J/K next and
// previous. The annotation's history opens in a collapsible panel.
import type { JSX } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiFailure, api } from "../api";
import { navigate } from "../router";
import type {
  AnnotationHistory, LabelingConfig, Member, ResultEntry, ReviewQueueItem, ReviewQueuePage, ReviewRequest, User,
} from "../../model";
import { Editor } from "../editor/Editor";
import { fmt } from "../quality";
import {
  type ReviewFilters, type ReviewKey, REVIEW_STATES, afterAction, authorName, historyLine, neighbour, parseAgreement,
  pickSelection, queueQuery, resultSummary, reviewKey, reviewSearch, shortTime, showsAgreement, stateText,
} from "../review";
import { mayManage, personName } from "../roles";
import { ErrorBox, errorText, useLoad } from "./common";
import { useConfig } from "./Label";

const PAGE_SIZE = 50;

const isTyping = (t: EventTarget | null): boolean =>
  t instanceof HTMLElement && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);

type Mode = "view" | "reject" | "fix";

interface QueueState {
  readonly data: ReviewQueuePage | undefined;
  readonly error: unknown;
  readonly loading: boolean;
}

export function ReviewPage(props: { id: number; filters: ReviewFilters; user: User }): JSX.Element {
  const f = props.filters;
  const search = reviewSearch(f);
  const [project] = useLoad(() => api.project(props.id), [props.id]);
  const [members] = useLoad(() => api.members(props.id), [props.id]);
  const [config, configError] = useConfig(props.id);
  const [page, setPage] = useState(1);
  const [tick, setTick] = useState(0);
  const [queue, setQueue] = useState<QueueState>({ data: undefined, error: undefined, loading: true });
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [mode, setMode] = useState<Mode>("view");
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  const [actionError, setActionError] = useState("");
  // Where to go once the queue reloads after an action.
  const after = useRef<{ wanted: number | null; index: number } | null>(null);

  useEffect(() => setPage(1), [search]);
  useEffect(() => {
    let live = true;
    setQueue((q) => ({ data: q.data, error: undefined, loading: true }));
    api.reviewQueue(props.id, { ...queueQuery(f), page, page_size: PAGE_SIZE }).then(
      (data) => {
        if (!live) return;
        setQueue({ data, error: undefined, loading: false });
        if (data.results.length === 0 && page > 1 && data.count > 0) {
          setPage((p) => p - 1); // the last item of the last page was acted on
          return;
        }
        const ids = data.results.map((r) => r.id);
        const want = after.current;
        after.current = null;
        setSelectedId((cur) => (want ? pickSelection(ids, want.wanted, want.index) : pickSelection(ids, cur, 0)));
      },
      (error: unknown) => live && setQueue({ data: undefined, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [props.id, search, page, tick]);

  const items = queue.data?.results ?? [];
  const ids = useMemo(() => items.map((r) => r.id), [items]);
  const selected = items.find((r) => r.id === selectedId);

  const select = (id: number | null) => {
    setSelectedId(id);
    setMode("view");
    setActionError("");
  };

  const act = async (item: ReviewQueueItem, body: ReviewRequest, done: string) => {
    if (busy) return;
    setBusy(true);
    setActionError("");
    try {
      await api.review(item.id, body);
      after.current = afterAction(ids, item.id);
      setStatus(done);
      setMode("view");
      setTick((t) => t + 1);
    } catch (e: unknown) {
      setActionError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const accept = (item: ReviewQueueItem) => void act(item, { accepted: true }, `Accepted annotation ${item.id}.`);
  const reject = (item: ReviewQueueItem, comment: string) =>
    void act(item, { accepted: false, comment }, `Rejected annotation ${item.id}; it goes back to ${authorName(item, members)}.`);
  const fix = (item: ReviewQueueItem, result: readonly ResultEntry[]) =>
    void act(item, { accepted: true, result }, `Fixed and accepted annotation ${item.id} (the original is kept in its history).`);

  // Page keys; off while typing and while the editor is editable (it has keys of its own).
  const keyState = useRef({ ids, selected, mode, busy, accept, select });
  keyState.current = { ids, selected, mode, busy, accept, select };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || e.defaultPrevented) return;
      const k: ReviewKey | null = reviewKey(e);
      const st = keyState.current;
      if (!k || st.mode === "fix") return;
      if (k === "next" || k === "previous") {
        e.preventDefault();
        st.select(neighbour(st.ids, st.selected?.id ?? null, k === "next" ? 1 : -1));
      } else if (st.selected && !st.busy) {
        e.preventDefault();
        if (k === "accept") st.accept(st.selected);
        else {
          setMode("reject");
          setActionError("");
        }
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  const forbidden = queue.error instanceof ApiFailure && queue.error.status === 403;
  const count = queue.data?.count ?? 0;
  const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
  return (
    <main class="review">
      <div class="quality-head">
        <h1>Review: {project?.title ?? `Project ${props.id}`}</h1>
        <span role="status" class="hint">{queue.loading ? "Loading…" : ""}</span>
      </div>
      <nav class="subnav" aria-label="Project">
        <a href={`/projects/${props.id}`}>Tasks</a>
        <a href={`/projects/${props.id}/quality`}>Quality</a>
        {mayManage(props.user, members) && <a href={`/projects/${props.id}/dashboard`}>Dashboard</a>}
      </nav>
      {forbidden ? (
        <section class="notice" role="alert" aria-labelledby="forbidden-title">
          <h2 id="forbidden-title">The review queue is for reviewers, managers and owners</h2>
          <p>{errorText(queue.error)}</p>
          <p>Ask a manager of this project for the reviewer role, or go <a href={`/projects/${props.id}`}>back to the tasks</a>.</p>
        </section>
      ) : (
        <ErrorBox error={queue.error ? errorText(queue.error) : configError} />
      )}
      <Filters projectId={props.id} filters={f} members={members} />
      <p class="review-status" role="status" aria-live="polite">{status}</p>
      {!forbidden && (
        <div class="review-layout">
          <section class="panel review-queue" aria-labelledby="queue-title">
            <h2 id="queue-title">Queue ({count} {stateText(f.state)})</h2>
            {queue.data && items.length === 0 ? (
              <p class="hint">Nothing {f.state === "pending" ? "awaits review" : `is ${stateText(f.state)}`} with these filters.</p>
            ) : (
              <QueueTable items={items} members={members} selectedId={selectedId} agreement={showsAgreement(f)} onSelect={select} />
            )}
            {count > PAGE_SIZE && (
              <nav class="pager" aria-label="Queue pages">
                <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>Previous page</button>
                <span>Page {page} of {pages}</span>
                <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>Next page</button>
              </nav>
            )}
            <p class="hint keys-hint"><kbd>J</kbd> <kbd>K</kbd> next, previous · <kbd>A</kbd> accept · <kbd>R</kbd> reject</p>
          </section>
          {selected && config ? (
            <AnnotationPanel key={`${selected.id}:${selected.version ?? 0}`} projectId={props.id} item={selected} config={config} members={members}
              mode={mode} busy={busy} error={actionError} onMode={(m) => {
                setMode(m);
                setActionError("");
              }}
              onAccept={() => accept(selected)} onReject={(c) => reject(selected, c)} onFix={(r) => fix(selected, r)}
              onMove={(step) => select(neighbour(ids, selected.id, step))} />
          ) : (
            <section class="panel review-detail" aria-label="Annotation">
              <p class="hint">{items.length ? "Pick an annotation from the queue." : "No annotation selected."}</p>
            </section>
          )}
        </div>
      )}
    </main>
  );
}

/** The queue's filters; each change replaces the URL (so the view can be bookmarked). */
function Filters(props: { projectId: number; filters: ReviewFilters; members: readonly Member[] | undefined }): JSX.Element {
  const f = props.filters;
  const [label, setLabel] = useState(f.label);
  const [maxText, setMaxText] = useState(f.maxAgreement === undefined ? "" : String(f.maxAgreement));
  const maxValid = maxText.trim() === "" || parseAgreement(maxText) !== undefined;
  // Timers read the filters of the latest render, never the ones they were set up with.
  const latest = useRef({ f, label, maxText });
  latest.current = { f, label, maxText };
  const apply = (patch: Partial<ReviewFilters>) => {
    const cur = latest.current;
    const next: ReviewFilters = { ...cur.f, label: cur.label.trim(), maxAgreement: parseAgreement(cur.maxText), ...patch };
    const to = `/projects/${props.projectId}/review${reviewSearch(next)}`;
    if (to !== location.pathname + location.search) navigate(to, true);
  };
  // The URL changed from elsewhere (back button): show its values.
  useEffect(() => {
    if (label.trim() !== f.label) setLabel(f.label);
    if (parseAgreement(maxText) !== f.maxAgreement) setMaxText(f.maxAgreement === undefined ? "" : String(f.maxAgreement));
  }, [f.label, f.maxAgreement]);
  // Typed fields apply 400 ms after typing stops (or at once on Enter).
  useEffect(() => {
    if (!maxValid || (label.trim() === f.label && parseAgreement(maxText) === f.maxAgreement)) return;
    const timer = setTimeout(() => apply({}), 400);
    return () => clearTimeout(timer);
  }, [label, maxText]);
  const annotators = (props.members ?? []).slice().sort((a, b) => personName(a.user).localeCompare(personName(b.user)));
  return (
    <form class="review-filters inline-form" aria-label="Queue filters" onSubmit={(e) => {
      e.preventDefault();
      if (maxValid) apply({});
    }}>
      <label>Annotator{" "}
        <select value={f.annotator === undefined ? "" : String(f.annotator)}
          onChange={(e) => apply({ annotator: e.currentTarget.value ? Number(e.currentTarget.value) : undefined })}>
          <option value="">Everyone</option>
          {annotators.map((m) => <option key={m.user.id} value={String(m.user.id)}>{personName(m.user)} ({m.role})</option>)}
        </select>
      </label>
      <label>Label{" "}
        <input type="search" value={label} placeholder="any label" onInput={(e) => setLabel(e.currentTarget.value)} />
      </label>
      <label>State{" "}
        <select value={f.state} onChange={(e) => apply({ state: e.currentTarget.value as ReviewFilters["state"] })}>
          {REVIEW_STATES.map((s) => <option key={s} value={s}>{stateText(s)}</option>)}
        </select>
      </label>
      <label>Max agreement{" "}
        <input type="number" min={0} max={1} step={0.05} value={maxText} placeholder="any" aria-invalid={!maxValid}
          aria-describedby="max-agreement-help" onInput={(e) => setMaxText(e.currentTarget.value)} />
      </label>
      <label>Order{" "}
        <select value={f.order} onChange={(e) => apply({ order: e.currentTarget.value === "agreement" ? "agreement" : "id" })}>
          <option value="id">By id (oldest first)</option>
          <option value="agreement">Lowest agreement first</option>
        </select>
      </label>
      <span id="max-agreement-help" class={maxValid ? "hint" : "error"}>
        {maxValid ? "Max agreement: only tasks whose agreement is at most this (0 to 1)." : "Max agreement is a number from 0 to 1."}
      </span>
    </form>
  );
}

function QueueTable(props: {
  items: readonly ReviewQueueItem[];
  members: readonly Member[] | undefined;
  selectedId: number | null;
  agreement: boolean;
  onSelect: (id: number) => void;
}): JSX.Element {
  return (
    <div class="queue-wrap">
      <table class="queue-table">
        <thead>
          <tr>
            <th scope="col">Annotation</th><th scope="col">Task</th><th scope="col">Annotator</th><th scope="col">Answer</th>
            {props.agreement && <th scope="col" class="num">Agreement</th>}
          </tr>
        </thead>
        <tbody>
          {props.items.map((r) => {
            const on = r.id === props.selectedId;
            const who = authorName(r, props.members);
            return (
              <tr key={r.id} class={on ? "selected" : ""} onClick={() => props.onSelect(r.id)}>
                <th scope="row">
                  <button type="button" aria-pressed={on} aria-label={`Annotation ${r.id} by ${who} on task ${r.task}`} onClick={(e) => {
                    e.stopPropagation();
                    props.onSelect(r.id);
                  }}>#{r.id}</button>
                </th>
                <td>{r.task}</td>
                <td>{who}</td>
                <td class="answer-cell" title={resultSummary(r.result)}><span>{resultSummary(r.result)}</span></td>
                {props.agreement && <td class="num">{fmt(r.agreement, 2)}</td>}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function AnnotationPanel(props: {
  projectId: number;
  item: ReviewQueueItem;
  config: LabelingConfig;
  members: readonly Member[] | undefined;
  mode: Mode;
  busy: boolean;
  error: string;
  onMode: (m: Mode) => void;
  onAccept: () => void;
  onReject: (comment: string) => void;
  onFix: (result: readonly ResultEntry[]) => void;
  onMove: (step: 1 | -1) => void;
}): JSX.Element {
  const { item } = props;
  const [task, taskError] = useLoad(() => api.task(item.task), [item.task]);
  const [comment, setComment] = useState("");
  const [commentError, setCommentError] = useState("");
  const commentBox = useRef<HTMLTextAreaElement>(null);
  const who = authorName(item, props.members);
  useEffect(() => {
    if (props.mode === "reject") commentBox.current?.focus();
  }, [props.mode]);
  const submitReject = (e: Event) => {
    e.preventDefault();
    if (!comment.trim()) {
      setCommentError("Say what to change: a rejection needs a comment for its author.");
      commentBox.current?.focus();
      return;
    }
    setCommentError("");
    props.onReject(comment.trim());
  };
  const review = item.review;
  const reviewer = review ? props.members?.find((m) => m.user.id === review.reviewer)?.user : undefined;
  return (
    <section class="panel review-detail" aria-labelledby="detail-title">
      <h2 id="detail-title">Annotation {item.id} on task {item.task} by {who}</h2>
      <p class="hint detail-meta">
        {stateText(item.review_state)} · version {item.version ?? 1} · submitted {shortTime(item.created_at)}
        {item.lead_time ? ` · ${Math.round(item.lead_time)} s to label` : ""}
        {item.agreement !== undefined && item.agreement !== null ? ` · task agreement ${fmt(item.agreement, 2)}` : ""}
        {" · "}<a href={`/projects/${props.projectId}/tasks/${item.task}`}>open the task</a>
      </p>
      {review && (
        <p class="last-review">
          Last review: {stateText(review.action)} by {reviewer ? personName(reviewer) : `user ${review.reviewer}`}
          {review.comment ? <>: <q>{review.comment}</q></> : null}
        </p>
      )}
      <div class="review-actions" role="toolbar" aria-label="Review actions">
        <button type="button" class="primary" disabled={props.busy || props.mode === "fix"} onClick={props.onAccept} aria-keyshortcuts="A">
          Accept <kbd>A</kbd>
        </button>
        <button type="button" class="danger" disabled={props.busy || props.mode === "fix"} aria-expanded={props.mode === "reject"}
          aria-keyshortcuts="R" onClick={() => props.onMode(props.mode === "reject" ? "view" : "reject")}>
          Reject… <kbd>R</kbd>
        </button>
        <button type="button" disabled={props.busy} aria-pressed={props.mode === "fix"}
          onClick={() => props.onMode(props.mode === "fix" ? "view" : "fix")}>
          {props.mode === "fix" ? "Cancel fix" : "Fix and accept…"}
        </button>
        <span class="spacer" />
        <button type="button" onClick={() => props.onMove(-1)} disabled={props.mode === "fix"} aria-keyshortcuts="K">Previous <kbd>K</kbd></button>
        <button type="button" onClick={() => props.onMove(1)} disabled={props.mode === "fix"} aria-keyshortcuts="J">Next <kbd>J</kbd></button>
      </div>
      {props.mode === "reject" && (
        <form class="reject-form" aria-label="Reject annotation" onSubmit={submitReject}>
          <label>
            Rejection comment (required; shown to the author)
            <textarea ref={commentBox} rows={3} value={comment} aria-required="true" aria-invalid={commentError !== ""}
              aria-describedby="comment-error"
              onInput={(e) => setComment(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === "Escape") props.onMode("view");
                if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) submitReject(e);
              }} />
          </label>
          <p id="comment-error" class="error" role={commentError ? "alert" : undefined}>{commentError}</p>
          <div class="row">
            <button type="submit" class="danger" disabled={props.busy}>Reject <kbd>Ctrl+Enter</kbd></button>
            <button type="button" onClick={() => props.onMode("view")}>Cancel</button>
          </div>
        </form>
      )}
      {props.mode === "fix" && (
        <p class="hint" role="note">Editing: change the annotation, then press “Save fix and accept” (Ctrl+Enter). The original stays in the history.</p>
      )}
      <ErrorBox error={props.error || taskError} />
      {task && (
        <Editor key={`${item.id}:${props.mode === "fix" ? "fix" : "view"}`} config={props.config} task={task} initial={item.result}
          busy={props.busy} readOnly={props.mode !== "fix"} predictions="ignore" submitText="Save fix and accept" onSubmit={(r) => props.onFix(r)} />
      )}
      <History annotation={item.id} version={item.version ?? 1} />
    </section>
  );
}

/** The annotation's versions and reviews, loaded when the panel is opened. */
function History(props: { annotation: number; version: number }): JSX.Element {
  const [open, setOpen] = useState(false);
  const [history, setHistory] = useState<AnnotationHistory | undefined>(undefined);
  const [error, setError] = useState("");
  useEffect(() => {
    if (!open) return;
    let live = true;
    setError("");
    api.history(props.annotation).then(
      (h) => live && setHistory(h),
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [open, props.annotation, props.version]);
  return (
    <details class="history" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>History</summary>
      <ErrorBox error={error} />
      {open && !history && !error && <p class="hint">Loading the history…</p>}
      {history && (
        <ol class="history-list" aria-label={`History of annotation ${props.annotation}`}>
          {history.events.map((ev, i) => (
            <li key={i} class={`event ${ev.type}`}>
              <span class="event-line">{historyLine(ev)}</span>
              <span class="hint"> {shortTime(ev.created_at)}</span>
              {ev.type === "version" && <div class="event-result">{resultSummary(ev.result)}</div>}
            </li>
          ))}
        </ol>
      )}
      <a href={`/api/annotations/${props.annotation}/history?format=csv`} download>Download the history (CSV)</a>
    </details>
  );
}
