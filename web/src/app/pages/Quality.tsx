// The quality dashboard of one project (/projects/{id}/quality[?threshold=]):
// red flags, agreement per control, and for the selected control the
// annotator × annotator heatmap, per-label agreement, annotator ranking and a
// coefficient picker; then the per-task score histogram and the lowest tasks,
// each one click from review. Only the selected control's heatmap is drawn,
// and at most HEATMAP_ROWS annotators until asked, so hundreds stay fast.
import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { ApiFailure, api } from "../api";
import { navigate } from "../router";
import type {
  AgreementCoefficient, AgreementMetric, AgreementWeights, ControlQuality, QualityAnnotator, QualitySummary, TaskScore,
} from "../../model";
import {
  COEFFICIENTS, DEFAULT_THRESHOLD, agreementColor, flagSentence, fmt, fmtThreshold, heatmapAnnotators, histogramBars,
  metricName, ratesAnswers, textColorOn,
} from "../quality";
import { STALE_RETRY_MS, staleNote } from "../dashboard";
import { ErrorBox, errorText, useLoad } from "./common";

const HEATMAP_ROWS = 40;
const HISTOGRAM_HEIGHT = 120; // px
const MORE_TASKS = 50;

interface Query<T> {
  readonly value: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
}

/** Runs `f` when `deps` change (not at all when f is null). With `keep`, the
 *  last value stays shown while the next one loads. Late answers are dropped. */
function useQuery<T>(f: (() => Promise<T>) | null, deps: readonly unknown[], keep = false): Query<T> {
  const [state, setState] = useState<Query<T>>({ value: undefined, error: undefined, loading: f !== null });
  useEffect(() => {
    if (!f) {
      setState({ value: undefined, error: undefined, loading: false });
      return;
    }
    let live = true;
    setState((s) => ({ value: keep ? s.value : undefined, error: undefined, loading: true }));
    f().then(
      (value) => live && setState({ value, error: undefined, loading: false }),
      (error: unknown) => live && setState({ value: undefined, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, deps);
  return state;
}

const isStatus = (e: unknown, status: number) => e instanceof ApiFailure && e.status === status;

/** A value cell, highlighted (and said to be) below the threshold. */
function ValueCell(props: { value: number | null | undefined; threshold: number; digits?: number }): JSX.Element {
  const below = props.value !== null && props.value !== undefined && Number.isFinite(props.value) && props.value < props.threshold;
  return (
    <td class={below ? "num below" : "num"}>
      {fmt(props.value, props.digits ?? 3)}
      {below && <span class="visually-hidden"> (below threshold)</span>}
    </td>
  );
}

export function QualityPage(props: { id: number; threshold: number | undefined }): JSX.Element {
  const threshold = props.threshold ?? DEFAULT_THRESHOLD;
  const [project] = useLoad(() => api.project(props.id), [props.id]);
  // Right after a server start or an import the summary may be the last one
  // counted ("stale"): ask again every few seconds until it is live.
  const [round, setRound] = useState(0);
  const summary = useQuery(() => api.quality(props.id, { threshold }), [props.id, threshold, round], true);
  const stale = staleNote([summary.value]);
  useEffect(() => {
    if (!stale || summary.loading) return;
    const timer = window.setTimeout(() => setRound((r) => r + 1), STALE_RETRY_MS);
    return () => window.clearTimeout(timer);
  }, [stale, summary.loading]);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const data = summary.value;
  const control = data?.controls.find((c) => c.from_name === selected) ?? data?.controls[0];
  const setThreshold = (t: number) => navigate(`/projects/${props.id}/quality?threshold=${fmtThreshold(t)}`, true);

  return (
    <main class="quality">
      <div class="quality-head">
        <h1>Quality: {project?.title ?? `Project ${props.id}`}</h1>
        <ThresholdInput value={threshold} onChange={setThreshold} />
        <span role="status" class="hint">{summary.loading ? "Loading…" : ""}</span>
      </div>
      {stale && <p class="notice" role="status" aria-label="Saved numbers">{stale}</p>}
      <nav class="subnav" aria-label="Project">
        <a href={`/projects/${props.id}`}>Tasks</a>
        <a href={`/projects/${props.id}/label`}>Label</a>
        <a href={`/projects/${props.id}/settings`}>Settings</a>
      </nav>
      {isStatus(summary.error, 403) ? (
        <section class="notice" role="alert" aria-labelledby="forbidden-title">
          <h2 id="forbidden-title">Quality figures are for reviewers, managers and owners</h2>
          <p>{errorText(summary.error)}</p>
          <p>Ask a manager of this project for the reviewer role, or go <a href={`/projects/${props.id}`}>back to the tasks</a>.</p>
        </section>
      ) : (
        <ErrorBox error={summary.error ? errorText(summary.error) : ""} />
      )}
      {data && (
        <>
          <RedFlags data={data} />
          <ControlsTable data={data} selected={control?.from_name} onSelect={setSelected} />
          {control && (
            <ControlDetail key={control.from_name} projectId={props.id} control={control} annotators={data.annotators}
              threshold={data.threshold} seq={data.cache?.seq} />
          )}
          <TaskScores projectId={props.id} data={data} />
        </>
      )}
    </main>
  );
}

/** The threshold: applied 400 ms after typing stops, or at once on Enter. */
function ThresholdInput(props: { value: number; onChange: (t: number) => void }): JSX.Element {
  const [text, setText] = useState(fmtThreshold(props.value));
  const parsed = text.trim() === "" ? Number.NaN : Number(text);
  const valid = Number.isFinite(parsed) && parsed >= -1 && parsed <= 1;
  useEffect(() => {
    // The URL changed (back button, link): show its threshold.
    if (parsed !== props.value) setText(fmtThreshold(props.value));
  }, [props.value]);
  useEffect(() => {
    if (!valid || parsed === props.value) return;
    const timer = setTimeout(() => props.onChange(parsed), 400);
    return () => clearTimeout(timer);
  }, [text]);
  return (
    <form class="threshold" onSubmit={(e) => {
      e.preventDefault();
      if (valid && parsed !== props.value) props.onChange(parsed);
    }}>
      <label>
        Threshold{" "}
        <input type="number" min={-1} max={1} step={0.05} value={text} aria-invalid={!valid} aria-describedby="threshold-help"
          onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <span id="threshold-help" class={valid ? "hint" : "error"}>
        {valid ? "Agreement below this is flagged." : "Enter a number from -1 to 1."}
      </span>
    </form>
  );
}

function RedFlags(props: { data: QualitySummary }): JSX.Element {
  const flags = props.data.red_flags;
  return (
    <section class="flags panel" aria-labelledby="flags-title">
      <h2 id="flags-title">Red flags{flags.length ? ` (${flags.length})` : ""}</h2>
      {flags.length === 0 ? (
        <p class="ok">No red flags</p>
      ) : (
        <ul class="flag-list">
          {flags.map((f, i) => <li key={`${f.kind}:${f.from_name ?? f.annotator ?? i}`}>{flagSentence(f, props.data.controls)}</li>)}
        </ul>
      )}
    </section>
  );
}

function ControlsTable(props: { data: QualitySummary; selected: string | undefined; onSelect: (name: string) => void }): JSX.Element {
  const { controls, threshold } = props.data;
  if (controls.length === 0) {
    return (
      <section class="panel" aria-labelledby="controls-title">
        <h2 id="controls-title">Controls</h2>
        <p>This labeling config has no control that agreement can be measured on.</p>
      </section>
    );
  }
  return (
    <section class="panel" aria-labelledby="controls-title">
      <h2 id="controls-title">Controls</h2>
      <table class="quality-table controls">
        <caption class="hint">Agreement per control tag. Values below {fmtThreshold(threshold)} are highlighted; pick a control to see its details.</caption>
        <thead>
          <tr>
            <th scope="col">Control</th><th scope="col">Type</th><th scope="col">Metric</th><th scope="col" class="num">Value</th>
            <th scope="col" class="num">Percent agreement</th><th scope="col" class="num">Fleiss κ</th><th scope="col" class="num">Tasks</th>
          </tr>
        </thead>
        <tbody>
          {controls.map((c) => {
            const on = c.from_name === props.selected;
            return (
              <tr key={c.from_name} class={on ? "selected" : ""} onClick={() => props.onSelect(c.from_name)}>
                <th scope="row">
                  <button type="button" aria-pressed={on} onClick={(e) => {
                    e.stopPropagation();
                    props.onSelect(c.from_name);
                  }}>{c.from_name}</button>
                </th>
                <td>{c.type}</td>
                <td>{metricName(c.metric, c.method)}</td>
                <ValueCell value={c.value} threshold={threshold} />
                <ValueCell value={c.percent_agreement} threshold={threshold} />
                <ValueCell value={c.fleiss_kappa} threshold={threshold} />
                <td class="num">{c.tasks}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function ControlDetail(props: {
  projectId: number;
  control: ControlQuality;
  annotators: readonly QualityAnnotator[];
  threshold: number;
  seq: number | undefined;
}): JSX.Element {
  const c = props.control;
  return (
    <section class="panel control-detail" aria-labelledby="detail-title">
      <h2 id="detail-title">Control '{c.from_name}'</h2>
      <Heatmap control={c} annotators={props.annotators} />
      <PerLabel control={c} threshold={props.threshold} />
      <Ranking projectId={props.projectId} control={c} seq={props.seq} />
      {ratesAnswers(c.method) && <CoefficientPicker projectId={props.projectId} control={c} seq={props.seq} />}
    </section>
  );
}

function pairwiseName(c: ControlQuality): string {
  if (c.method === "categorical") return "Cohen's κ";
  if (c.method === "regions") return "mean F1 of matched regions";
  if (c.method === "text") return "mean text similarity";
  return "agreement";
}

function Heatmap(props: { control: ControlQuality; annotators: readonly QualityAnnotator[] }): JSX.Element {
  const c = props.control;
  const rows = useMemo(() => heatmapAnnotators(c.pairwise), [c]);
  const [all, setAll] = useState(false);
  const name = (i: number) => props.annotators[i]?.name ?? `annotator ${i + 1}`;
  if (rows.length < 2) {
    return (
      <>
        <h3>Annotator × annotator agreement</h3>
        <p class="hint">
          {c.pairwise.length === 0
            ? "No annotator × annotator figures for this control (rating and number controls have none, and a control needs two annotators on a task)."
            : "Fewer than two annotators answered the same tasks on this control: nothing to compare yet."}
        </p>
      </>
    );
  }
  const shown = all ? rows : rows.slice(0, HEATMAP_ROWS);
  const rotate = shown.length > 6;
  return (
    <>
      <h3>Annotator × annotator agreement</h3>
      <div class="heatmap-wrap">
        <table class="heatmap">
          <caption>Pairwise {pairwiseName(c)} on '{c.from_name}'</caption>
          <thead>
            <tr>
              <th scope="col"><span class="visually-hidden">Annotator</span></th>
              {shown.map((b) => (
                <th scope="col" key={b} class={rotate ? "rotated" : ""} title={props.annotators[b]?.email ?? undefined}>
                  <span>{name(b)}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((a) => (
              <tr key={a}>
                <th scope="row" title={props.annotators[a]?.email ?? undefined}>{name(a)}</th>
                {shown.map((b) => {
                  const raw = c.pairwise[a]?.[b];
                  const v = raw === undefined || raw === null || !Number.isFinite(raw) ? null : raw;
                  const bg = agreementColor(v);
                  return (
                    <td key={b} class={v === null ? "empty" : ""} aria-label={`${name(a)} vs ${name(b)}: ${v === null ? "no value" : fmt(v, 2)}`}
                      style={bg ? { backgroundColor: bg, color: textColorOn(bg) } : undefined}>
                      {fmt(v, 2)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="scale-legend">
        <span class="scale-bar" aria-hidden="true" />
        <span>Colour: red at 0 or below (no agreement beyond chance), white at 0.5, green at 1; – means no shared tasks.</span>
      </p>
      {rows.length > shown.length && (
        <button type="button" onClick={() => setAll(true)}>Show all {rows.length} annotators</button>
      )}
    </>
  );
}

function PerLabel(props: { control: ControlQuality; threshold: number }): JSX.Element | null {
  const labels = Object.entries(props.control.per_label);
  if (props.control.method !== "categorical" || labels.length === 0) return null;
  return (
    <>
      <h3>Per-label agreement</h3>
      <table class="quality-table per-label">
        <caption class="visually-hidden">Per-label agreement on '{props.control.from_name}'</caption>
        <thead>
          <tr><th scope="col">Label</th><th scope="col" class="num">Ratings</th><th scope="col" class="num">Specific agreement</th><th scope="col" class="num">κ</th></tr>
        </thead>
        <tbody>
          {labels.map(([label, a]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td class="num">{a.ratings}</td>
              <ValueCell value={a.specific_agreement} threshold={props.threshold} />
              <ValueCell value={a.kappa} threshold={props.threshold} />
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** Annotators ranked by estimated accuracy; hidden where the server has no
 *  ranking (400: region and text controls, or too few ratings yet). */
function Ranking(props: { projectId: number; control: ControlQuality; seq: number | undefined }): JSX.Element | null {
  const c = props.control;
  const ranking = useQuery(ratesAnswers(c.method) ? () => api.qualityAnnotators(props.projectId, c.from_name) : null,
    [props.projectId, c.from_name, c.method, props.seq]);
  if (!ratesAnswers(c.method) || isStatus(ranking.error, 400)) return null;
  return (
    <>
      <h3>Annotator ranking</h3>
      <ErrorBox error={ranking.error ? errorText(ranking.error) : ""} />
      {ranking.loading && <p class="hint">Loading the ranking…</p>}
      {ranking.value && (
        <table class="quality-table ranking">
          <caption class="hint">By Dawid–Skene estimated accuracy on '{c.from_name}', with agreement against the majority of the others.</caption>
          <thead>
            <tr>
              <th scope="col" class="num">Rank</th><th scope="col">Annotator</th><th scope="col" class="num">Estimated accuracy</th>
              <th scope="col" class="num">Agreement with others' majority</th><th scope="col" class="num">Ratings</th>
            </tr>
          </thead>
          <tbody>
            {ranking.value.annotators.map((a) => (
              <tr key={a.id}>
                <td class="num">{a.rank}</td>
                <th scope="row">{a.name}{a.email && a.email !== a.name ? <span class="hint"> {a.email}</span> : null}</th>
                <td class="num">{fmt(a.estimated_accuracy)}</td>
                <td class="num">{fmt(a.agreement_with_others_majority)}</td>
                <td class="num">{a.ratings}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** Any coefficient of /quality/agreement on demand, with a bootstrap interval. */
function CoefficientPicker(props: { projectId: number; control: ControlQuality; seq: number | undefined }): JSX.Element {
  const [metric, setMetric] = useState<AgreementMetric>("krippendorff");
  const [weights, setWeights] = useState<AgreementWeights>("none");
  const [ci, setCi] = useState(false);
  const [result, setResult] = useState<AgreementCoefficient | undefined>(undefined);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const info = COEFFICIENTS.find((x) => x.metric === metric);
  useEffect(() => setResult(undefined), [props.seq]);
  const compute = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      setResult(await api.qualityAgreement(props.projectId, {
        control: props.control.from_name, metric, weights: info?.weighted ? weights : undefined, ci: ci || undefined,
      }));
    } catch (err: unknown) {
      setResult(undefined);
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const name = (m: string) => COEFFICIENTS.find((x) => x.metric === m)?.name ?? m;
  return (
    <>
      <h3>Other coefficients</h3>
      <form class="inline-form coefficient" onSubmit={(e) => void compute(e)}>
        <label>Coefficient{" "}
          <select value={metric} onChange={(e) => setMetric(e.currentTarget.value as AgreementMetric)}>
            {COEFFICIENTS.map((x) => <option key={x.metric} value={x.metric}>{x.name}</option>)}
          </select>
        </label>
        {info?.weighted && (
          <label>Weights{" "}
            <select value={weights} onChange={(e) => setWeights(e.currentTarget.value as AgreementWeights)}>
              <option value="none">none</option><option value="linear">linear</option><option value="quadratic">quadratic</option>
            </select>
          </label>
        )}
        <label class="check"><input type="checkbox" checked={ci} onChange={(e) => setCi(e.currentTarget.checked)} /> 95% bootstrap interval</label>
        <button type="submit" disabled={busy}>Compute</button>
      </form>
      <ErrorBox error={error} />
      <p aria-live="polite" class="coefficient-result">
        {result && (
          <>
            {name(result.metric)}{result.weights && result.weights !== "none" ? ` (${result.weights} weights)` : ""}: <strong>{fmt(result.value)}</strong>
            {result.ci95 ? ` (95% interval ${fmt(result.ci95[0])} to ${fmt(result.ci95[1])})` : ""}
            {` over ${result.items} tasks and ${result.annotators} annotators`}
            {result.note ? `; ${result.note}` : ""}
          </>
        )}
      </p>
    </>
  );
}

function TaskScores(props: { projectId: number; data: QualitySummary }): JSX.Element {
  const { tasks, threshold } = props.data;
  const bars = histogramBars(tasks.histogram, HISTOGRAM_HEIGHT, threshold);
  const [extra, setExtra] = useState<readonly TaskScore[]>([]);
  const [moreError, setMoreError] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setExtra([]);
    setMoreError("");
  }, [props.data]);
  const list = useMemo(() => {
    // The data may change between pages: drop tasks already listed.
    const byTask = new Map<number, TaskScore>();
    for (const t of [...tasks.lowest, ...extra]) if (!byTask.has(t.task)) byTask.set(t.task, t);
    return [...byTask.values()];
  }, [tasks.lowest, extra]);
  const more = async () => {
    setBusy(true);
    setMoreError("");
    try {
      const page = await api.qualityTasks(props.projectId, { order: "asc", limit: MORE_TASKS, offset: list.length });
      setExtra((x) => [...x, ...page.tasks]);
    } catch (e: unknown) {
      setMoreError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel" aria-labelledby="tasks-title" id="task-scores">
      <h2 id="tasks-title">Per-task agreement</h2>
      <p>
        {tasks.scored} of {tasks.count} tasks have a score (they need two or more annotators); mean {fmt(tasks.mean)};{" "}
        {tasks.below_threshold} below {fmtThreshold(threshold)}.
      </p>
      <figure class="histogram">
        <div class="bars" role="group" aria-label="Tasks per agreement score" style={{ height: `${HISTOGRAM_HEIGHT + 40}px` }}>
          {bars.map((b) => (
            <div class="bin" key={b.label}>
              <span class="bin-count" aria-hidden="true">{b.count}</span>
              <div role="img" aria-label={b.ariaLabel} class={b.below ? "bar below" : "bar"} style={{ height: `${b.height}px` }} />
              <span class="bin-label" aria-hidden="true">{b.label}</span>
            </div>
          ))}
        </div>
        <figcaption class="hint">Tasks per score bin; red bins lie below the threshold.</figcaption>
      </figure>
      <h3>Lowest-scoring tasks</h3>
      {list.length === 0 ? (
        <p class="hint">No task has two annotations to compare yet.</p>
      ) : (
        <ol class="lowest-tasks">
          {list.map((t) => (
            <li key={t.task}>
              <a href={`/projects/${props.projectId}/tasks/${t.task}`}>Task {t.task}</a>
              <span class={t.score < threshold ? "score below" : "score"}>score {fmt(t.score)}</span>
              <span class="hint">{t.annotators} annotators</span>
            </li>
          ))}
        </ol>
      )}
      <ErrorBox error={moreError} />
      {list.length < tasks.scored && (
        <button type="button" disabled={busy} onClick={() => void more()}>Show more tasks</button>
      )}
    </section>
  );
}
