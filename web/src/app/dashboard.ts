// Pure helpers of the team dashboard (no DOM): why an annotator is flagged,
// the label distribution of each control with its imbalance warnings, task
// progress, and number formats. Tested in dashboard.test.ts.
import type { AnnotatorStat, LabelCounts, LabelingConfig, ProjectStats } from "../model";
import { resultValue } from "../model";
import { fmt, fmtThreshold } from "./quality";

export const DEFAULT_STATS_THRESHOLD = 0.6;
/** A label holding more than this share of a control's answers is flagged. */
export const DOMINANT_SHARE = 0.8;

/** A threshold from the URL: a number in [min, max], or undefined (the default). */
export function parseThreshold(raw: string | null | undefined, min: number, max: number): number | undefined {
  if (raw === null || raw === undefined || raw.trim() === "") return undefined;
  const v = Number(raw);
  return Number.isFinite(v) && v >= min && v <= max ? v : undefined;
}

/** Why an annotator is red-flagged: honeypot accuracy and/or agreement with peers
 *  below their thresholds. Empty when not flagged. */
export function flagReasons(a: Pick<AnnotatorStat, "honeypot" | "agreement" | "red_flag">, accuracyThreshold: number, agreementThreshold: number): string[] {
  const out: string[] = [];
  const acc = a.honeypot.accuracy;
  if (acc !== null && Number.isFinite(acc) && acc < accuracyThreshold) {
    out.push(`honeypot accuracy ${fmt(acc, 2)} (${a.honeypot.correct} of ${a.honeypot.answered}) is below ${fmtThreshold(accuracyThreshold)}`);
  }
  if (a.agreement !== null && Number.isFinite(a.agreement) && a.agreement < agreementThreshold) {
    out.push(`agreement with peers ${fmt(a.agreement, 2)} is below ${fmtThreshold(agreementThreshold)}`);
  }
  if (out.length === 0 && a.red_flag) out.push("flagged by the server");
  return out;
}

/** Seconds as "8.5 s", "42 s", "3.2 min", "1.5 h"; "–" for a missing value. */
export function fmtDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "–";
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** "42%" (whole percent; "<1%" for a small non-zero share). */
export function fmtShare(share: number): string {
  if (!Number.isFinite(share) || share <= 0) return "0%";
  if (share < 0.01) return "<1%";
  return `${Math.round(share * 100)}%`;
}

export interface Progress {
  readonly total: number;
  readonly done: number;
  readonly remaining: number;
  /** Done share in [0, 1]. */
  readonly share: number;
}

export function progress(tasks: Pick<ProjectStats["tasks"], "total" | "done" | "remaining">): Progress {
  const total = Math.max(0, tasks.total);
  const done = Math.min(total, Math.max(0, tasks.done));
  const remaining = Math.max(0, tasks.remaining);
  return { total, done, remaining, share: total > 0 ? done / total : 0 };
}

export interface LabelRow {
  readonly label: string;
  readonly count: number;
  readonly share: number;
  /** The label is in the labeling config (not only in the data). */
  readonly inConfig: boolean;
}

export interface LabelDistribution {
  readonly fromName: string;
  readonly type: string;
  readonly total: number;
  readonly rows: readonly LabelRow[];
  readonly warnings: readonly string[];
}

/** The labels a config control offers, in config order (none for dynamic options). */
function configLabels(config: LabelingConfig | undefined, name: string): string[] {
  const c = config?.controls.find((x) => x.name === name);
  if (!c || c.dynamicOptions) return [];
  return [...new Set(c.options.map(resultValue))];
}

/**
 * Each control's label distribution: the config's labels in config order (0 when
 * unused), then labels found only in the data, most used first; with a warning
 * when one label has more than 80% of the answers or a config label has none.
 * Controls of the config with labels but no counts at all are listed too.
 */
export function labelDistributions(labels: readonly LabelCounts[], config: LabelingConfig | undefined): LabelDistribution[] {
  const entries: LabelCounts[] = [...labels];
  for (const c of config?.controls ?? []) {
    if (c.options.length > 0 && !c.dynamicOptions && !entries.some((e) => e.from_name === c.name)) {
      entries.push({ from_name: c.name, type: c.type.toLowerCase(), counts: {} });
    }
  }
  return entries.map((e) => {
    const known = configLabels(config, e.from_name);
    const counts = new Map(Object.entries(e.counts).map(([k, v]) => [k, Number.isFinite(v) && v > 0 ? v : 0]));
    const total = [...counts.values()].reduce((s, v) => s + v, 0);
    const share = (n: number) => (total > 0 ? n / total : 0);
    const extra = [...counts.keys()].filter((k) => !known.includes(k)).sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || a.localeCompare(b));
    const rows: LabelRow[] = [
      ...known.map((label) => ({ label, count: counts.get(label) ?? 0, share: share(counts.get(label) ?? 0), inConfig: true })),
      ...extra.map((label) => ({ label, count: counts.get(label) ?? 0, share: share(counts.get(label) ?? 0), inConfig: false })),
    ];
    const warnings: string[] = [];
    if (total === 0) {
      warnings.push("No answers yet.");
    } else {
      if (rows.length > 1) {
        for (const r of rows) if (r.share > DOMINANT_SHARE) warnings.push(`“${r.label}” has ${fmtShare(r.share)} of the answers: check for imbalance or bias.`);
      }
      const unused = rows.filter((r) => r.inConfig && r.count === 0).map((r) => `“${r.label}”`);
      if (unused.length === 1) warnings.push(`No answer uses ${unused[0]}.`);
      else if (unused.length > 1) warnings.push(`No answer uses ${unused.join(", ")}.`);
    }
    return { fromName: e.from_name, type: e.type, total, rows, warnings };
  });
}

/** How long the dashboard waits before asking again while its numbers are stale. */
export const STALE_RETRY_MS = 3000;

/**
 * The note shown while the server answers with its last numbers (right after
 * it started, or after an import, while it recounts the project); "" when the
 * numbers are live.
 */
export function staleNote(parts: readonly ({ readonly stale?: boolean; readonly as_of?: string } | undefined)[]): string {
  const stale = parts.filter((p) => p?.stale);
  if (stale.length === 0) return "";
  const times = stale.map((p) => p?.as_of ?? "").filter((t) => t !== "").sort();
  const oldest = times[0];
  const when = oldest ? ` as of ${oldest.slice(0, 10)} ${oldest.slice(11, 19)} UTC` : "";
  return `Showing the numbers counted${when}; the server is recounting them and this page updates by itself.`;
}
