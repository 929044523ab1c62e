// One task: its latest annotation opened in the editor; saving updates it
// (the server keeps the previous version) or creates the first one. Edits are
// autosaved as the caller's draft (of the annotation, or of a new one) and
// reopen from it after a reload.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { api } from "../api";
import type { ResultEntry } from "../../model";
import { draftFor, useDraftAutosave } from "../drafts";
import { Editor, type SubmitExtra } from "../editor/Editor";
import { ErrorBox, errorText, useLoad } from "./common";
import { useConfig } from "./Label";
import { TaskNav } from "./TaskNav";
import { GuidelinePanel } from "../guidelineView";

export function TaskPage(props: { id: number; taskId: number; userId: number }): JSX.Element {
  const [config, configError] = useConfig(props.id);
  const [task, error, reload] = useLoad(() => api.task(props.taskId), [props.taskId]);
  const [busy, setBusy] = useState(false);
  const [activeLabel, setActiveLabel] = useState<{ readonly control: string; readonly value: string } | null>(null);
  const [status, setStatus] = useState("");
  const [saveError, setSaveError] = useState("");
  const latest = task?.annotations?.filter((a) => !a.was_cancelled).at(-1);
  // Only the author keeps drafts of an annotation; others start from it each time.
  const mine = latest?.id !== undefined && latest.completed_by === props.userId;
  const draftOf = latest?.id !== undefined ? latest.id : null;
  const editorKey = `${task?.id}:${latest?.id ?? "new"}:${latest?.updated_at ?? ""}`;
  const autosave = draftOf === null || mine;
  const { saver, status: draftStatus } = useDraftAutosave(autosave ? task : null, draftOf, editorKey);
  const draft = task && autosave ? draftFor(task, draftOf) : undefined;
  const save = async (result: readonly ResultEntry[], lead: number, extra: SubmitExtra = {}) => {
    if (!task) return;
    setBusy(true);
    setSaveError("");
    await saver?.stop();  // saving deletes the draft: no autosave may follow it
    try {
      if (latest?.id !== undefined) await api.updateAnnotation(latest.id, result, lead);
      else await api.submit(task.id, result, { lead_time: lead, ...extra });
      setStatus("Saved.");
      reload();
    } catch (e: unknown) {
      setSaveError(errorText(e));
      saver?.resume();
      saver?.changed(result);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="label-page">
      <nav class="subnav" aria-label="Project"><a href={`/projects/${props.id}`}>Back to tasks</a> <TaskNav project={props.id} task={props.taskId} /> <span aria-live="polite">{status}</span>
        <span class="draft-status" role="status" aria-live="polite">{draftStatus}</span></nav>
      <ErrorBox error={configError || error || saveError} />
      {config && task && (
        <div class="with-guideline">
        <section aria-label={`Task ${task.id}`}>
          <h1 class="task-title">Task {task.id}{latest?.id !== undefined ? ` — annotation ${latest.id}` : ""}</h1>
          <Editor key={editorKey} config={config} task={task}
            initial={draft?.result ?? latest?.result ?? []} initialLeadTime={draft?.lead_time}
            onChange={autosave ? (r) => saver?.changed(r) : undefined} busy={busy} submitText={latest ? "Update" : "Submit"} onSubmit={(r, l, extra) => void save(r, l, extra)}
            onActiveLabel={setActiveLabel} />
        </section>
        <GuidelinePanel project={props.id} config={config} activeLabel={activeLabel} />
        </div>
      )}
    </main>
  );
}
