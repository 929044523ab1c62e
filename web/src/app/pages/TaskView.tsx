// One task: its latest annotation opened in the editor; saving updates it
// (the server keeps the previous version) or creates the first one.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { api } from "../api";
import type { ResultEntry } from "../../model";
import { Editor } from "../editor/Editor";
import { ErrorBox, errorText, useLoad } from "./common";
import { useConfig } from "./Label";

export function TaskPage(props: { id: number; taskId: number }): JSX.Element {
  const [config, configError] = useConfig(props.id);
  const [task, error, reload] = useLoad(() => api.task(props.taskId), [props.taskId]);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  const [saveError, setSaveError] = useState("");
  const latest = task?.annotations?.filter((a) => !a.was_cancelled).at(-1);
  const save = async (result: readonly ResultEntry[], lead: number) => {
    if (!task) return;
    setBusy(true);
    setSaveError("");
    try {
      if (latest?.id !== undefined) await api.updateAnnotation(latest.id, result, lead);
      else await api.submit(task.id, result, { lead_time: lead });
      setStatus("Saved.");
      reload();
    } catch (e: unknown) {
      setSaveError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="label-page">
      <nav class="subnav" aria-label="Project"><a href={`/projects/${props.id}`}>Back to tasks</a> <span aria-live="polite">{status}</span></nav>
      <ErrorBox error={configError || error || saveError} />
      {config && task && (
        <section aria-label={`Task ${task.id}`}>
          <h1 class="task-title">Task {task.id}{latest?.id !== undefined ? ` — annotation ${latest.id}` : ""}</h1>
          <Editor key={`${task.id}:${latest?.id ?? "new"}:${latest?.updated_at ?? ""}`} config={config} task={task}
            initial={latest?.result ?? []} busy={busy} submitText={latest ? "Update" : "Submit"} onSubmit={(r, l) => void save(r, l)} />
        </section>
      )}
    </main>
  );
}
