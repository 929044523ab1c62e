// The team dashboard of one project (/projects/{id}/dashboard?accuracy_threshold=&agreement_threshold=),
// for managers and owners: project progress, label balance, progress over time
// and review counts (GET /stats/project, where the server has it), then per
// annotator throughput and quality with red flags, submitted-per-day lines and
// items/hour and median lead time bars (GET /stats/annotators). Chart geometry
// lives in ../charts.ts, flag reasons and label warnings in ../dashboard.ts.
import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { ApiFailure, api } from "../api";
import { navigate } from "../router";
import type { AnnotatorStat, AnnotatorStats, LabelingConfig, ProjectStats } from "../../model";
import { parseLabelingConfig } from "../../model";
import {
  type LineChart, type Series, TOTAL_COLOR, alignDays, allDays, barLengths, lineChart, seriesColor,
} from "../charts";
import {
  DEFAULT_STATS_THRESHOLD, STALE_RETRY_MS, type LabelDistribution, flagReasons, fmtDuration, fmtShare, labelDistributions, progress, staleNote,
} from "../dashboard";
import { fmt, fmtThreshold } from "../quality";
import { personName } from "../roles";
import { ErrorBox, errorText, useLoad } from "./common";

const MAX_LINES = 8; // annotators drawn as their own line (the busiest)
const BAR_PX = 260;

const isStatus = (e: unknown, ...status: number[]) => e instanceof ApiFailure && status.includes(e.status);

interface Load<T> {
  readonly value: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
}

function useQuery<T>(f: () => Promise<T>, deps: readonly unknown[]): Load<T> {
  const [state, setState] = useState<Load<T>>({ value: undefined, error: undefined, loading: true });
  useEffect(() => {
    let live = true;
    setState((s) => ({ value: s.value, error: undefined, loading: true }));
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

export function DashboardPage(props: { id: number; accuracyThreshold: number | undefined; agreementThreshold: number | undefined }): JSX.Element {
  const acc = props.accuracyThreshold ?? DEFAULT_STATS_THRESHOLD;
  const agr = props.agreementThreshold ?? DEFAULT_STATS_THRESHOLD;
  const [project] = useLoad(() => api.project(props.id), [props.id]);
  const config = useMemo(() => {
    if (!project) return undefined;
    const parsed = parseLabelingConfig(project.label_config);
    return parsed.ok ? parsed.config : undefined;
  }, [project?.label_config]);
  // Right after a server start the numbers may come from a saved snapshot
  // ("stale"): ask again every few seconds until they are live.
  const [round, setRound] = useState(0);
  const stats = useQuery(() => api.annotatorStats(props.id, { accuracy_threshold: acc, agreement_threshold: agr }), [props.id, acc, agr, round]);
  const projectStats = useQuery(() => api.projectStats(props.id), [props.id, round]);
  const stale = staleNote([stats.value, projectStats.value]);
  useEffect(() => {
    if (!stale || stats.loading || projectStats.loading) return;
    const timer = window.setTimeout(() => setRound((r) => r + 1), STALE_RETRY_MS);
    return () => window.clearTimeout(timer);
  }, [stale, stats.loading, projectStats.loading]);
  const setThresholds = (a: number, g: number) => {
    const q = new URLSearchParams();
    if (a !== DEFAULT_STATS_THRESHOLD) q.set("accuracy_threshold", fmtThreshold(a));
    if (g !== DEFAULT_STATS_THRESHOLD) q.set("agreement_threshold", fmtThreshold(g));
    const s = q.toString();
    navigate(`/projects/${props.id}/dashboard${s ? `?${s}` : ""}`, true);
  };
  const forbidden = isStatus(stats.error, 403);
  return (
    <main class="dashboard">
      <div class="quality-head">
        <h1>Team dashboard: {project?.title ?? `Project ${props.id}`}</h1>
        <span role="status" class="hint">{(stats.loading || projectStats.loading) && !stale ? "Loading…" : ""}</span>
      </div>
      {stale && <p class="notice" role="status" aria-label="Saved numbers">{stale}</p>}
      <nav class="subnav" aria-label="Project">
        <a href={`/projects/${props.id}`}>Tasks</a>
        <a href={`/projects/${props.id}/review`}>Review</a>
        <a href={`/projects/${props.id}/quality`}>Quality</a>
      </nav>
      {forbidden ? (
        <section class="notice" role="alert" aria-labelledby="forbidden-title">
          <h2 id="forbidden-title">The team dashboard is for managers and owners</h2>
          <p>{errorText(stats.error)}</p>
          <p>Go <a href={`/projects/${props.id}`}>back to the tasks</a>.</p>
        </section>
      ) : (
        <>
          <ProjectSection load={projectStats} config={config} />
          <section class="panel" aria-labelledby="annotators-title">
            <div class="panel-head">
              <h2 id="annotators-title">Annotators</h2>
              <Thresholds accuracy={acc} agreement={agr} onChange={setThresholds} />
            </div>
            <ErrorBox error={stats.error ? errorText(stats.error) : ""} />
            {stats.value && <AnnotatorsTable stats={stats.value} />}
          </section>
          {stats.value && stats.value.annotators.length > 0 && <Throughput stats={stats.value} />}
        </>
      )}
    </main>
  );
}

/** One threshold input: applied 400 ms after typing stops, or at once on Enter. */
function useThresholdText(value: number, min: number, max: number) {
  const [text, setText] = useState(fmtThreshold(value));
  const parsed = text.trim() === "" ? Number.NaN : Number(text);
  const valid = Number.isFinite(parsed) && parsed >= min && parsed <= max;
  useEffect(() => {
    if (parsed !== value) setText(fmtThreshold(value));
  }, [value]);
  return { text, setText, parsed, valid };
}

function Thresholds(props: { accuracy: number; agreement: number; onChange: (accuracy: number, agreement: number) => void }): JSX.Element {
  const a = useThresholdText(props.accuracy, 0, 1);
  const g = useThresholdText(props.agreement, -1, 1);
  const changed = a.valid && g.valid && (a.parsed !== props.accuracy || g.parsed !== props.agreement);
  useEffect(() => {
    if (!changed) return;
    const timer = setTimeout(() => props.onChange(a.parsed, g.parsed), 400);
    return () => clearTimeout(timer);
  }, [a.text, g.text]);
  return (
    <form class="threshold inline-form" aria-label="Red-flag thresholds" onSubmit={(e) => {
      e.preventDefault();
      if (changed) props.onChange(a.parsed, g.parsed);
    }}>
      <label>Accuracy threshold{" "}
        <input type="number" min={0} max={1} step={0.05} value={a.text} aria-invalid={!a.valid} onInput={(e) => a.setText(e.currentTarget.value)} />
      </label>
      <label>Agreement threshold{" "}
        <input type="number" min={-1} max={1} step={0.05} value={g.text} aria-invalid={!g.valid} onInput={(e) => g.setText(e.currentTarget.value)} />
      </label>
      <span class={a.valid && g.valid ? "hint" : "error"}>
        {a.valid && g.valid ? "Honeypot accuracy or agreement with peers below these is flagged." : "Accuracy is from 0 to 1, agreement from -1 to 1."}
      </span>
    </form>
  );
}

function AnnotatorsTable(props: { stats: AnnotatorStats }): JSX.Element {
  const s = props.stats;
  if (s.annotators.length === 0) return <p class="hint">Nobody has annotated in this project yet.</p>;
  const flagged = s.annotators.filter((a) => a.red_flag || flagReasons(a, s.accuracy_threshold, s.agreement_threshold).length > 0);
  return (
    <>
      <p class={flagged.length ? "error" : "ok"}>
        {flagged.length === 0 ? "No red flags." : `${flagged.length} of ${s.annotators.length} annotators flagged.`}
      </p>
      <div class="table-wrap">
        <table class="quality-table team-table">
          <thead>
            <tr>
              <th scope="col">Annotator</th><th scope="col" class="num">Submitted</th><th scope="col" class="num">Skipped</th>
              <th scope="col" class="num">Median lead time</th><th scope="col" class="num">Items/hour</th>
              <th scope="col" class="num">Honeypots correct</th><th scope="col" class="num">Honeypot accuracy</th>
              <th scope="col" class="num">Agreement</th><th scope="col">Red flag</th>
            </tr>
          </thead>
          <tbody>
            {s.annotators.map((a) => {
              const reasons = flagReasons(a, s.accuracy_threshold, s.agreement_threshold);
              const accLow = a.honeypot.accuracy !== null && a.honeypot.accuracy < s.accuracy_threshold;
              const agrLow = a.agreement !== null && a.agreement < s.agreement_threshold;
              return (
                <tr key={a.user.id} class={reasons.length ? "flagged" : ""}>
                  <th scope="row" title={a.user.email}>{personName(a.user)}</th>
                  <td class="num">{a.submitted}</td>
                  <td class="num">{a.skipped}</td>
                  <td class="num">{a.submitted ? fmtDuration(a.lead_time_median) : "–"}</td>
                  <td class="num">{fmt(a.items_per_hour, 1)}</td>
                  <td class="num">{a.honeypot.answered ? `${a.honeypot.correct} of ${a.honeypot.answered}` : "–"}</td>
                  <td class={accLow ? "num below" : "num"}>{fmt(a.honeypot.accuracy, 2)}</td>
                  <td class={agrLow ? "num below" : "num"}>{fmt(a.agreement, 2)}</td>
                  <td class="flag-cell">{reasons.length ? `Red flag: ${reasons.join("; ")}` : ""}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Throughput(props: { stats: AnnotatorStats }): JSX.Element {
  const s = props.stats;
  const chart = useMemo(() => {
    const busiest = [...s.annotators].sort((x, y) => y.submitted - x.submitted).slice(0, MAX_LINES);
    const days = allDays([s.per_day, ...busiest.map((a) => a.per_day)]);
    const series: Series[] = [
      { name: "Project total", color: TOTAL_COLOR, values: alignDays(s.per_day, days, (d) => d.submitted, "zero") },
      ...busiest.map((a, i) => ({ name: personName(a.user), color: seriesColor(i), values: alignDays(a.per_day, days, (d) => d.submitted, "zero") })),
    ];
    return { days, series, layout: lineChart(days, series, { width: 720, height: 240 }), hidden: s.annotators.length - busiest.length };
  }, [s]);
  const total = s.per_day.reduce((n, d) => n + d.submitted, 0);
  const first = chart.days[0];
  const last = chart.days[chart.days.length - 1];
  return (
    <section class="panel" aria-labelledby="throughput-title">
      <h2 id="throughput-title">Throughput</h2>
      <h3>Submitted per day</h3>
      {chart.days.length === 0 ? (
        <p class="hint">No submissions yet.</p>
      ) : (
        <figure class="chart">
          <LineSvg chart={chart.layout} label={`Submitted per day, ${first} to ${last}: ${total} in total`} unit="submitted" />
          <Legend series={chart.series} />
          {chart.hidden > 0 && <figcaption class="hint">The {MAX_LINES} busiest annotators have their own line; {chart.hidden} more count in the total.</figcaption>}
        </figure>
      )}
      <div class="bar-charts">
        <BarChart title="Items per hour" annotators={s.annotators} value={(a) => a.items_per_hour} text={(v) => fmt(v, 1)} unit="items per hour" />
        <BarChart title="Median lead time" annotators={s.annotators} value={(a) => (a.submitted ? a.lead_time_median : null)} text={fmtDuration}
          unit="median lead time" />
      </div>
    </section>
  );
}

function LineSvg(props: { chart: LineChart; label: string; unit: string }): JSX.Element {
  const c = props.chart;
  return (
    <svg class="line-chart" viewBox={`0 0 ${c.width} ${c.height}`} width={c.width} height={c.height} role="img" aria-label={props.label}>
      <title>{props.label}</title>
      {c.yTicks.map((t) => (
        <g key={t.value} class="tick">
          <line x1={c.plot.left} x2={c.plot.right} y1={t.y} y2={t.y} />
          <text x={c.plot.left - 6} y={t.y + 4} text-anchor="end">{t.value}</text>
        </g>
      ))}
      {c.xLabels.map((l) => (
        <text key={l.text} class="x-label" x={l.x} y={c.plot.bottom + 18} text-anchor="middle">{l.text}</text>
      ))}
      <line class="axis" x1={c.plot.left} x2={c.plot.right} y1={c.plot.bottom} y2={c.plot.bottom} />
      {c.lines.map((line) => (
        <g key={line.name} class="series">
          <path d={line.d} fill="none" stroke={line.color} stroke-width={line.color === TOTAL_COLOR ? 2.5 : 1.8} />
          {line.points.map((p) => (
            <circle key={p.day} cx={p.x} cy={p.y} r={3} fill={line.color}>
              <title>{`${line.name}, ${p.day}: ${p.value} ${props.unit}`}</title>
            </circle>
          ))}
        </g>
      ))}
    </svg>
  );
}

function Legend(props: { series: readonly Series[] }): JSX.Element {
  return (
    <ul class="legend" aria-label="Legend">
      {props.series.map((s) => (
        <li key={s.name}><span class="swatch" style={{ backgroundColor: s.color }} aria-hidden="true" />{s.name}</li>
      ))}
    </ul>
  );
}

function BarChart(props: {
  title: string;
  annotators: readonly AnnotatorStat[];
  value: (a: AnnotatorStat) => number | null;
  text: (v: number | null) => string;
  unit: string;
}): JSX.Element {
  const values = props.annotators.map(props.value);
  const lengths = barLengths(values, BAR_PX);
  return (
    <figure class="bar-chart">
      <figcaption><h3>{props.title}</h3></figcaption>
      <ul class="bars" aria-label={props.title}>
        {props.annotators.map((a, i) => {
          const v = values[i] ?? null;
          const name = personName(a.user);
          return (
            <li key={a.user.id} aria-label={`${name}: ${props.text(v)} ${v === null ? "" : props.unit}`.trim()}>
              <span class="bar-name" aria-hidden="true">{name}</span>
              <span class="bar" aria-hidden="true" style={{ width: `${lengths[i] ?? 0}px`, backgroundColor: seriesColor(i) }} />
              <span class="bar-value" aria-hidden="true">{props.text(v)}</span>
            </li>
          );
        })}
      </ul>
    </figure>
  );
}

function ProjectSection(props: { load: Load<ProjectStats>; config: LabelingConfig | undefined }): JSX.Element {
  const { value: stats, error } = props.load;
  return (
    <section class="panel" aria-labelledby="project-stats-title">
      <h2 id="project-stats-title">Project</h2>
      {isStatus(error, 404, 405) ? (
        <p class="hint">Project statistics are not available from this server.</p>
      ) : (
        <ErrorBox error={error ? errorText(error) : ""} />
      )}
      {stats && <ProjectFigures stats={stats} config={props.config} />}
    </section>
  );
}

function ProjectFigures(props: { stats: ProjectStats; config: LabelingConfig | undefined }): JSX.Element {
  const s = props.stats;
  const p = progress(s.tasks);
  const dists = useMemo(() => labelDistributions(s.labels, props.config), [s.labels, props.config]);
  const cumulative = useMemo(() => {
    const days = allDays([s.per_day]);
    // done_total: the running sum of submitted annotations.
    const values = alignDays(s.per_day, days, (d) => d.done_total, "carry");
    const series: Series[] = [{ name: "Submitted in total", color: TOTAL_COLOR, values }];
    return { days, last: values[values.length - 1] ?? 0, layout: lineChart(days, series, { width: 720, height: 200 }) };
  }, [s.per_day]);
  const pct = Math.round(p.share * 100);
  return (
    <>
      <div class="progress-block">
        <div class="progress" role="progressbar" aria-label="Tasks done" aria-valuemin={0} aria-valuemax={p.total} aria-valuenow={p.done}
          aria-valuetext={`${p.done} of ${p.total} tasks done (${pct}%)`}>
          <span class="progress-done" style={{ width: `${p.share * 100}%` }} />
        </div>
        <p>
          <strong>{p.done}</strong> done · <strong>{p.remaining}</strong> remaining of {p.total} tasks ({pct}%) ·{" "}
          {s.tasks.with_annotations} with annotations · {s.tasks.skipped_only} only skipped ·{" "}
          {s.annotations.submitted} annotations submitted, {s.annotations.skipped} skipped, {s.annotations.ground_truth} ground truth
        </p>
      </div>
      <h3>Review</h3>
      <dl class="review-counts">
        <div><dt>Pending</dt><dd>{s.review.pending}</dd></div>
        <div><dt>Accepted</dt><dd>{s.review.accepted}</dd></div>
        <div><dt>Rejected</dt><dd>{s.review.rejected}</dd></div>
        <div><dt>Fixed</dt><dd>{s.review.fixed}</dd></div>
      </dl>
      <h3>Progress over time (annotations submitted, cumulative)</h3>
      {cumulative.days.length === 0 ? (
        <p class="hint">Nothing done yet.</p>
      ) : (
        <figure class="chart">
          <LineSvg chart={cumulative.layout} unit="submitted in total"
            label={`Annotations submitted in total, ${cumulative.days[0]} to ${cumulative.days[cumulative.days.length - 1]}: ${cumulative.last}`} />
        </figure>
      )}
      <h3>Label distribution</h3>
      {dists.length === 0 ? <p class="hint">The labeling config has no labels to count.</p> : dists.map((d) => <Distribution key={d.fromName} dist={d} />)}
    </>
  );
}

function Distribution(props: { dist: LabelDistribution }): JSX.Element {
  const d = props.dist;
  const lengths = barLengths(d.rows.map((r) => r.share), BAR_PX);
  return (
    <figure class="bar-chart distribution">
      <figcaption><strong>{d.fromName}</strong> <span class="hint">({d.type}, {d.total} answers)</span></figcaption>
      <ul class="bars" aria-label={`Labels of ${d.fromName}`}>
        {d.rows.map((r, i) => (
          <li key={r.label} aria-label={`${r.label}: ${r.count} (${fmtShare(r.share)})`}>
            <span class="bar-name" aria-hidden="true">{r.label}{r.inConfig ? "" : " *"}</span>
            <span class={r.count === 0 ? "bar empty" : "bar"} aria-hidden="true" style={{ width: `${lengths[i] ?? 0}px`, backgroundColor: seriesColor(i) }} />
            <span class="bar-value" aria-hidden="true">{r.count} ({fmtShare(r.share)})</span>
          </li>
        ))}
      </ul>
      {d.rows.some((r) => !r.inConfig) && <p class="hint">* not in the labeling config</p>}
      {d.warnings.length > 0 && (
        <ul class="warnings" aria-label={`Warnings for ${d.fromName}`}>
          {d.warnings.map((w) => <li key={w}>{w}</li>)}
        </ul>
      )}
    </figure>
  );
}
