// Settings → Guidelines: write the next version (Markdown, a change note and
// examples taken from the project's tasks), publish it, list the versions,
// compare two of them (the diff is computed by the server) and see the
// quality of the annotations made under each version.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import type { GuidelineDiff, GuidelineExampleInput } from "../../model";
import { EXAMPLE_KINDS, EXAMPLE_KIND_NAMES, type ExampleKind, diffHunks } from "../guidelines";
import { MarkdownView } from "../guidelineView";
import { STALE_RETRY_MS, staleNote } from "../dashboard";
import { ErrorBox, errorText, useLoad } from "./common";

const percent = (v: number | null | undefined): string => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)} %`);

function DiffView(props: { diff: GuidelineDiff }): JSX.Element {
  const sign = { same: " ", added: "+", removed: "−" } as const;
  return (
    <div class="guideline-diff" aria-label={`Changes from version ${props.diff.from} to ${props.diff.to}`} role="region">
      <p>Version {props.diff.from} → {props.diff.to}: {props.diff.added} lines added, {props.diff.removed} removed.</p>
      <pre>
        {diffHunks(props.diff.lines).map((h, idx) =>
          h.kind === "skip" ? (
            <div key={idx} class="diff-skip">… {h.count} unchanged lines …</div>
          ) : (
            h.lines.map((l, i) => <div key={`${idx}-${i}`} class={`diff-${l.op}`}>{sign[l.op]} {l.text}</div>)
          ),
        )}
      </pre>
    </div>
  );
}

export function GuidelinesSettings(props: { project: number }): JSX.Element {
  const [list, listError, reload] = useLoad(() => api.guidelines(props.project), [props.project]);
  const [stats, statsError, reloadStats] = useLoad(() => api.guidelineStats(props.project), [props.project]);
  // Right after a server start the numbers may be the last ones counted
  // ("stale"): ask again every few seconds until they are live.
  const statsStale = staleNote([stats]);
  useEffect(() => {
    if (!statsStale) return;
    const timer = window.setTimeout(reloadStats, STALE_RETRY_MS);
    return () => window.clearTimeout(timer);
  }, [stats]);
  const [text, setText] = useState("");
  const [note, setNote] = useState("");
  const [examples, setExamples] = useState<readonly GuidelineExampleInput[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [status, setStatus] = useState("");
  const [error, setError] = useState("");
  const [preview, setPreview] = useState(false);
  // The example being added.
  const [exTask, setExTask] = useState("");
  const [exAnnotation, setExAnnotation] = useState("");
  const [exKind, setExKind] = useState<ExampleKind>("correct");
  const [exCaption, setExCaption] = useState("");
  // The comparison.
  const [from, setFrom] = useState(0);
  const [to, setTo] = useState(0);
  const [diff, setDiff] = useState<GuidelineDiff | undefined>(undefined);
  const [diffError, setDiffError] = useState("");

  // Start the editor from the latest version, once.
  useEffect(() => {
    if (!list || loaded) return;
    if (list.latest === 0) {
      setLoaded(true);
      return;
    }
    api.guideline(props.project, list.latest).then(
      (g) => {
        setText(g.text);
        setExamples(g.examples.map(({ task, annotation, kind, caption }) => ({ task, annotation, kind, caption })));
        setLoaded(true);
      },
      (e: unknown) => setError(errorText(e)),
    );
    setTo(list.latest);
    setFrom(Math.max(1, list.latest - 1));
  }, [list, loaded]);

  const addExample = (e: Event) => {
    e.preventDefault();
    const task = Number(exTask);
    const annotation = exAnnotation.trim() === "" ? null : Number(exAnnotation);
    if (!Number.isInteger(task) || task <= 0 || (annotation !== null && (!Number.isInteger(annotation) || annotation <= 0))) {
      setError("An example needs a task id (and optionally an annotation id of that task): positive whole numbers.");
      return;
    }
    setError("");
    setExamples((cur) => [...cur, { task, annotation, kind: exKind, caption: exCaption }]);
    setExTask("");
    setExAnnotation("");
    setExCaption("");
  };
  const publish = async () => {
    setError("");
    setStatus("Publishing…");
    try {
      const g = await api.publishGuideline(props.project, { text, note, examples });
      setStatus(`Published version ${g.version}. Annotators must acknowledge it before their next task.`);
      setNote("");
      reload();
      reloadStats();
      setTo(g.version);
      setFrom(Math.max(1, g.version - 1));
    } catch (e: unknown) {
      setStatus("");
      setError(errorText(e));
    }
  };
  const compare = async () => {
    setDiffError("");
    try {
      setDiff(await api.guidelineDiff(props.project, to, from));
    } catch (e: unknown) {
      setDiff(undefined);
      setDiffError(errorText(e));
    }
  };
  const versions = list?.results ?? [];

  return (
    <section aria-labelledby="guidelines-heading" class="guidelines-settings">
      <h2 id="guidelines-heading">Guidelines</h2>
      <ErrorBox error={listError} />
      <p>Markdown. Headings become sections the editor's guideline panel can search and jump to: a label links to the
        heading named like it, or to the heading its <code>hint</code> attribute names.</p>
      <label class="block">Guideline (Markdown)
        <textarea rows={14} value={text} disabled={!loaded} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <label>Change note <input value={note} maxLength={500} disabled={!loaded} onInput={(e) => setNote(e.currentTarget.value)} /></label>
      <button type="button" aria-pressed={preview} onClick={() => setPreview((p) => !p)}>{preview ? "Hide preview" : "Preview"}</button>
      {preview && <div class="guideline-preview" role="region" aria-label="Preview"><MarkdownView markdown={text} /></div>}

      <h3>Examples</h3>
      {examples.length > 0 && (
        <ul class="example-inputs">
          {examples.map((x, idx) => (
            <li key={idx}>
              {EXAMPLE_KIND_NAMES[x.kind]}: task {x.task}{x.annotation ? `, annotation ${x.annotation}` : ""}{x.caption ? ` — ${x.caption}` : ""}{" "}
              <button type="button" aria-label={`Remove example ${idx + 1} (task ${x.task})`}
                onClick={() => setExamples((cur) => cur.filter((_, i) => i !== idx))}>Remove</button>
            </li>
          ))}
        </ul>
      )}
      <form class="inline-form" onSubmit={addExample} aria-label="Add an example">
        <label>Task id <input inputMode="numeric" required value={exTask} onInput={(e) => setExTask(e.currentTarget.value)} /></label>
        <label>Annotation id (optional) <input inputMode="numeric" value={exAnnotation} onInput={(e) => setExAnnotation(e.currentTarget.value)} /></label>
        <label>Kind
          <select value={exKind} onChange={(e) => setExKind(e.currentTarget.value as ExampleKind)}>
            {EXAMPLE_KINDS.map((k) => <option key={k} value={k}>{EXAMPLE_KIND_NAMES[k]}</option>)}
          </select>
        </label>
        <label>Caption <input value={exCaption} maxLength={300} onInput={(e) => setExCaption(e.currentTarget.value)} /></label>
        <button type="submit">Add example</button>
      </form>

      <ErrorBox error={error} />
      <div class="row">
        <button type="button" class="primary" disabled={!loaded} onClick={() => void publish()}>Publish new version</button>
        <span aria-live="polite">{status}</span>
      </div>

      <h3>Versions</h3>
      {versions.length === 0 ? <p>No version published yet.</p> : (
        <table aria-label="Guideline versions">
          <thead><tr><th scope="col">Version</th><th scope="col">Note</th><th scope="col">Author</th><th scope="col">Published</th><th scope="col">Length</th><th scope="col">Examples</th></tr></thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.version}>
                <td>{v.version}</td><td>{v.note}</td><td>{v.author?.email ?? "—"}</td>
                <td>{new Date(v.created_at).toLocaleString()}</td><td>{v.text_length}</td><td>{v.examples_count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {versions.length >= 2 && (
        <div class="row">
          <label>Compare version
            <select value={from} onChange={(e) => setFrom(Number(e.currentTarget.value))}>
              {versions.map((v) => <option key={v.version} value={v.version}>{v.version}</option>)}
            </select>
          </label>
          <label>with version
            <select value={to} onChange={(e) => setTo(Number(e.currentTarget.value))}>
              {versions.map((v) => <option key={v.version} value={v.version}>{v.version}</option>)}
            </select>
          </label>
          <button type="button" onClick={() => void compare()}>Show changes</button>
        </div>
      )}
      <ErrorBox error={diffError} />
      {diff && <DiffView diff={diff} />}

      <h3>Quality per version</h3>
      <ErrorBox error={statsError} />
      {statsStale && <p class="notice" role="status" aria-label="Saved numbers">{statsStale}</p>}
      {stats && stats.versions.length > 0 && (
        <table aria-label="Quality per guideline version">
          <thead><tr><th scope="col">Version</th><th scope="col">Annotations</th><th scope="col">Annotators</th><th scope="col">Tasks scored</th><th scope="col">Agreement</th><th scope="col">Honeypot accuracy</th></tr></thead>
          <tbody>
            {stats.versions.map((v) => (
              <tr key={v.version}>
                <td>{v.version === 0 ? "none" : v.version}</td><td>{v.annotations}</td><td>{v.annotators}</td>
                <td>{v.agreement.tasks_scored}</td><td>{percent(v.agreement.mean_task_score)}</td>
                <td>{percent(v.honeypot.accuracy)}{v.honeypot.answered > 0 ? ` (${v.honeypot.correct}/${v.honeypot.answered})` : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
