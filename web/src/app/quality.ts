// Pure helpers of the quality dashboard (no DOM): number formatting, the
// diverging colour scale of the agreement heatmap, red-flag sentences and the
// per-task histogram's bars. Tested in quality.test.ts.
import type { AgreementMethod, AgreementMetric, ControlQuality, HistogramBin, Member, RedFlag, User } from "../model";

export const DEFAULT_THRESHOLD = 0.6;

/** `v` with `digits` decimals; null, undefined and non-finite numbers are "–". */
export function fmt(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  const s = v.toFixed(digits);
  // -0.000 is just 0.
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** A threshold as typed: 0.6, 0.75, -0.1 (at most three decimals, no padding). */
export function fmtThreshold(t: number): string {
  return String(Number(t.toFixed(3)));
}

// ---- the heatmap's colour scale ----

type Rgb = readonly [number, number, number];
export const SCALE_LOW: Rgb = [178, 24, 43]; // red: no agreement beyond chance (≤ 0)
export const SCALE_MID: Rgb = [255, 255, 255]; // white
export const SCALE_HIGH: Rgb = [27, 120, 55]; // green: perfect agreement (1)

const hex = (c: Rgb) => `#${c.map((x) => Math.round(x).toString(16).padStart(2, "0")).join("")}`;
const mix = (a: Rgb, b: Rgb, t: number): Rgb => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

/**
 * The background colour ("#rrggbb") of an agreement value on a diverging
 * scale: red at 0 and below, white at `mid`, green at 1 and above, linear in
 * between. null for a missing value.
 */
export function agreementColor(v: number | null | undefined, mid = 0.5): string | null {
  if (v === null || v === undefined || Number.isNaN(v)) return null;
  const x = Math.min(1, Math.max(0, v));
  if (x <= mid) return hex(mix(SCALE_LOW, SCALE_MID, mid <= 0 ? 1 : x / mid));
  return hex(mix(SCALE_MID, SCALE_HIGH, (x - mid) / (1 - mid)));
}

/** WCAG relative luminance of "#rrggbb". */
export function luminance(color: string): number {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) throw new Error(`not a #rrggbb colour: ${color}`);
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => {
    const c = parseInt(h ?? "0", 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two "#rrggbb" colours (1 to 21). */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Black or white, whichever reads better on `background`. */
export function textColorOn(background: string): "#000000" | "#ffffff" {
  return contrast(background, "#000000") >= contrast(background, "#ffffff") ? "#000000" : "#ffffff";
}

// ---- red flags ----

/** The readable name of a metric; `method` tells what "mean pairwise" averages. */
export function metricName(metric: string, method?: AgreementMethod): string {
  switch (metric) {
    case "krippendorff_alpha":
      // Ratings and numbers are compared by distance, not just equality.
      if (method === "ordinal" || method === "interval") return `Krippendorff's α (${method})`;
      return "Krippendorff's α";
    case "fleiss_kappa":
      return "Fleiss' κ";
    case "percent_agreement":
      return "percent agreement";
    case "task_score":
      return "task score";
    case "mean_pairwise":
      if (method === "regions") return "mean pairwise F1";
      if (method === "text") return "mean pairwise text similarity";
      if (method === "categorical") return "mean pairwise Cohen's κ";
      return "mean pairwise agreement";
    default:
      return metric.replace(/_/g, " ");
  }
}

/**
 * One red flag as a sentence, e.g. "Control 'sentiment': Krippendorff's α 0.42
 * is below 0.6". `controls` (optional) names the method behind a control's
 * "mean_pairwise" metric.
 */
export function flagSentence(flag: RedFlag, controls: readonly Pick<ControlQuality, "from_name" | "method">[] = []): string {
  const t = fmtThreshold(flag.threshold);
  switch (flag.kind) {
    case "control": {
      const method = controls.find((c) => c.from_name === flag.from_name)?.method;
      return `Control '${flag.from_name ?? "?"}': ${metricName(flag.metric, method)} ${fmt(flag.value, 2)} is below ${t}`;
    }
    case "annotator": {
      const who = flag.name ?? `#${flag.annotator ?? "?"}`;
      return `Annotator ${who}: ${metricName(flag.metric)} ${fmt(flag.value, 2)} is below ${t}`;
    }
    case "tasks": {
      const n = flag.count ?? 0;
      return `${n} ${n === 1 ? "task scores" : "tasks score"} below ${t}`;
    }
    default: {
      // A kind this page does not know yet: say what there is.
      const f = flag as RedFlag;
      const what = [f.from_name, f.name].filter(Boolean).join(" ");
      const value = f.value !== undefined ? ` ${fmt(f.value, 2)}` : f.count !== undefined ? ` ${f.count}` : "";
      return `${String(f.kind)}${what ? ` ${what}` : ""}: ${metricName(f.metric)}${value} is below ${t}`;
    }
  }
}

// ---- the per-task histogram ----

export interface HistogramBar {
  readonly label: string; // "0.3–0.4"
  readonly count: number;
  /** Bar height in the same unit as `maxHeight`: proportional to the count,
   *  the tallest bar at maxHeight, a non-empty bin at least `minHeight`. */
  readonly height: number;
  readonly ariaLabel: string; // "0.3–0.4: 5 tasks"
  /** The whole bin lies below the threshold. */
  readonly below: boolean;
}

export function binLabel(bin: Pick<HistogramBin, "from" | "to">): string {
  return `${bin.from.toFixed(1)}–${bin.to.toFixed(1)}`;
}

export function histogramBars(bins: readonly HistogramBin[], maxHeight: number, threshold: number, minHeight = 2): HistogramBar[] {
  const top = Math.max(0, ...bins.map((b) => b.count));
  return bins.map((b) => {
    const label = binLabel(b);
    const height = top === 0 || b.count <= 0 ? 0 : Math.max(Math.min(minHeight, maxHeight), (b.count / top) * maxHeight);
    return {
      label,
      count: b.count,
      height,
      ariaLabel: `${label}: ${b.count} ${b.count === 1 ? "task" : "tasks"}`,
      below: b.to <= threshold + 1e-12,
    };
  });
}

// ---- the heatmap's rows ----

/**
 * Indices of the annotators who have at least one value against someone else
 * in `pairwise` (the others did not answer this control and would only add
 * empty rows).
 */
export function heatmapAnnotators(pairwise: readonly (readonly (number | null)[])[]): number[] {
  const out: number[] = [];
  pairwise.forEach((row, a) => {
    if (row.some((v, b) => b !== a && v !== null && Number.isFinite(v))) out.push(a);
  });
  return out;
}

// ---- the coefficient picker ----

export const COEFFICIENTS: readonly { readonly metric: AgreementMetric; readonly name: string; readonly weighted: boolean }[] = [
  { metric: "krippendorff", name: "Krippendorff's α", weighted: false },
  { metric: "percent", name: "Percent agreement", weighted: false },
  { metric: "cohen", name: "Cohen's κ (mean over pairs)", weighted: true },
  { metric: "fleiss", name: "Fleiss' κ", weighted: true },
  { metric: "scott", name: "Scott's π (mean over pairs)", weighted: true },
  { metric: "gwet", name: "Gwet's AC", weighted: true },
  { metric: "brennan-prediger", name: "Brennan–Prediger κ", weighted: true },
];

/** Controls whose answers are ratings (not regions or text): /quality/annotators
 *  and /quality/agreement work on these. */
export const ratesAnswers = (method: AgreementMethod): boolean =>
  method === "categorical" || method === "ordinal" || method === "interval";

/**
 * Whether to offer `user` the quality dashboard of a project with `members`:
 * site admins and reviewers, managers and owners, not annotators. When the
 * role is unknown (not in the list, or the list is missing) it is offered, and
 * the page shows the server's answer.
 */
export function mayViewQuality(user: Pick<User, "id" | "is_superuser">, members: readonly Member[] | undefined): boolean {
  if (user.is_superuser) return true;
  return members?.find((m) => m.user.id === user.id)?.role !== "annotator";
}
