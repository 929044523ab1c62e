// Settings → Pre-filtering: which checks run on import and their thresholds,
// how many tasks each keeps out of the labeling queue, the flagged tasks with
// their reasons, and releasing them back into the queue.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import type { PrefilterReason, PrefilterSettings as Settings } from "../../model";
import { PREFILTER_REASONS, PREFILTER_REASON_NAMES, filteredSummary } from "../prefilter";
import { ErrorBox, errorText, useLoad } from "./common";

type BoolKey = "enabled" | "duplicates" | "near_duplicate_images" | "near_duplicate_texts" | "blurry" | "unreadable" | "empty";
type NumberKey = "image_distance" | "text_distance" | "blur_threshold" | "min_width" | "min_height";

const CHECKS: readonly { key: BoolKey; label: string; number?: { key: NumberKey; label: string; min: number; max: number; step: number } }[] = [
  { key: "duplicates", label: "Exact duplicates (same file or same task data)" },
  { key: "near_duplicate_images", label: "Near-duplicate images", number: { key: "image_distance", label: "Max. hash distance (bits)", min: 0, max: 32, step: 1 } },
  { key: "near_duplicate_texts", label: "Near-duplicate texts", number: { key: "text_distance", label: "Max. SimHash distance (bits)", min: 0, max: 32, step: 1 } },
  { key: "blurry", label: "Blurry images", number: { key: "blur_threshold", label: "Sharpness below", min: 0, max: 100000, step: 1 } },
  { key: "unreadable", label: "Unreadable or too small images", number: { key: "min_width", label: "Min. width (px)", min: 1, max: 100000, step: 1 } },
  { key: "empty", label: "Empty texts" },
];

export function PrefilterSettings(props: { project: number }): JSX.Element {
  const [state, error, reload] = useLoad(() => api.prefilter(props.project), [props.project]);
  const [flagged, flaggedError, reloadFlagged] = useLoad(() => api.flaggedTasks(props.project, { limit: 50 }), [props.project]);
  const [draft, setDraft] = useState<Settings | null>(null);
  const [status, setStatus] = useState("");
  const [actionError, setActionError] = useState("");
  useEffect(() => {
    if (state && !draft) setDraft(state.settings);
  }, [state, draft]);

  const act = async (what: () => Promise<string>) => {
    setActionError("");
    setStatus("Working…");
    try {
      setStatus(await what());
      reload();
      reloadFlagged();
    } catch (e: unknown) {
      setStatus("");
      setActionError(errorText(e));
    }
  };
  const save = () =>
    act(async () => {
      if (!draft) return "";
      const next = await api.updatePrefilter(props.project, draft);
      setDraft(next.settings);
      return "Saved.";
    });
  const run = () =>
    act(async () => {
      const r = await api.runPrefilter(props.project);
      return `Checked every task. ${filteredSummary(r.filtered) || "Nothing new to keep out."}`;
    });
  const release = (reason?: PrefilterReason) =>
    act(async () => {
      const r = await api.releaseFlagged(props.project, { selectedItems: { all: true }, ...(reason ? { reason } : {}) });
      return `Returned ${r.released} tasks to the queue.`;
    });
  const releaseOne = (task: number) =>
    act(async () => {
      const r = await api.releaseFlagged(props.project, { selectedItems: { all: false, included: [task] } });
      return `Returned ${r.released} task to the queue.`;
    });
  const setBool = (key: BoolKey, v: boolean) => draft && setDraft({ ...draft, [key]: v });
  const setNumber = (key: NumberKey, v: number) => draft && Number.isFinite(v) && setDraft({ ...draft, [key]: v });

  return (
    <section aria-labelledby="prefilter-heading">
      <h2 id="prefilter-heading">Pre-filtering</h2>
      <p>Checks every imported task and keeps duplicates, blurry or unreadable images and empty texts out of the labeling queue until you release them.</p>
      <ErrorBox error={error} />
      {draft && (
        <form class="prefilter-form" onSubmit={(e) => { e.preventDefault(); void save(); }}>
          <label><input type="checkbox" checked={draft.enabled} onChange={(e) => setBool("enabled", e.currentTarget.checked)} /> Pre-filter imports</label>
          <fieldset disabled={!draft.enabled}>
            <legend>Checks</legend>
            {CHECKS.map((c) => (
              <div class="row" key={c.key}>
                <label><input type="checkbox" checked={draft[c.key]} onChange={(e) => setBool(c.key, e.currentTarget.checked)} /> {c.label}</label>
                {c.number && (
                  <label>{c.number.label}{" "}
                    <input type="number" min={c.number.min} max={c.number.max} step={c.number.step} value={draft[c.number.key]}
                      onInput={(e) => setNumber(c.number!.key, e.currentTarget.valueAsNumber)} />
                  </label>
                )}
                {c.key === "unreadable" && (
                  <label>Min. height (px){" "}
                    <input type="number" min={1} max={100000} value={draft.min_height} onInput={(e) => setNumber("min_height", e.currentTarget.valueAsNumber)} />
                  </label>
                )}
              </div>
            ))}
          </fieldset>
          <div class="row">
            <button type="submit" class="primary">Save pre-filtering</button>
            <button type="button" disabled={!state?.settings.enabled} onClick={() => void run()}>Check existing tasks</button>
            <span aria-live="polite">{status}</span>
          </div>
        </form>
      )}
      <ErrorBox error={actionError} />
      {state && (
        <>
          <h3>Kept out of the queue: {state.flagged_total}</h3>
          <ul class="prefilter-counts">
            {PREFILTER_REASONS.map((r) => (state.flagged[r] ?? 0) > 0 && (
              <li key={r}>
                {PREFILTER_REASON_NAMES[r]}: {state.flagged[r]}{" "}
                <button type="button" onClick={() => void release(r)} aria-label={`Release all ${PREFILTER_REASON_NAMES[r]} tasks`}>Release all</button>
              </li>
            ))}
          </ul>
          {state.flagged_total > 0 && <button type="button" onClick={() => void release()}>Release every flagged task</button>}
        </>
      )}
      <ErrorBox error={flaggedError} />
      {flagged && flagged.tasks.length > 0 && (
        <table aria-label="Flagged tasks">
          <thead><tr><th scope="col">Task</th><th scope="col">Reason</th><th scope="col">Detail</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {flagged.tasks.map((t) => (
              <tr key={t.task}>
                <td><a href={`/projects/${props.project}/tasks/${t.task}`}>{t.task}</a></td>
                <td>{PREFILTER_REASON_NAMES[t.reason]}</td>
                <td>{t.detail}</td>
                <td><button type="button" onClick={() => void releaseOne(t.task)} aria-label={`Release task ${t.task}`}>Release</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {flagged?.next_after !== null && flagged !== undefined && <p>Showing the first {flagged.tasks.length} flagged tasks.</p>}
    </section>
  );
}
