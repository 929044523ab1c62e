// Chart geometry for the team dashboard (no DOM): linear scales, nice axis
// ticks, day ranges with the gaps filled, line-chart layouts and bar lengths.
// The page only turns these numbers into SVG. Tested in charts.test.ts.

/** Maps [d0, d1] linearly onto [r0, r1]; a zero-width domain maps to the middle. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** The smallest 1, 2 or 5 × 10^k that is ≥ x (x > 0). */
export function niceStep(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x * (1 - 1e-12)) return m * p;
  return 10 * p;
}

/** Axis ticks from 0 up to at least `max`, about `count` steps of a nice size;
 *  with `integer` (counts) the step is at least 1. */
export function ticks(max: number, count = 4, integer = true): number[] {
  const top = Number.isFinite(max) && max > 0 ? max : 1;
  let step = niceStep(top / Math.max(1, count));
  if (integer) step = Math.max(1, step);
  const n = Math.max(1, Math.ceil(top / step - 1e-9));
  return Array.from({ length: n + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}

const DAY_MS = 86_400_000;
const dayMs = (d: string): number => Date.parse(`${d}T00:00:00Z`);
const dayText = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Every date from `first` to `last` (YYYY-MM-DD, UTC), both included; at most `limit`
 *  days (the last ones). Empty when either date is unreadable or last < first. */
export function dayRange(first: string, last: string, limit = 1100): string[] {
  const a = dayMs(first);
  const b = dayMs(last);
  if (!Number.isFinite(a) || !Number.isFinite(b) || b < a) return [];
  const n = Math.round((b - a) / DAY_MS) + 1;
  const start = n > limit ? b - (limit - 1) * DAY_MS : a;
  return Array.from({ length: Math.min(n, limit) }, (_, i) => dayText(start + i * DAY_MS));
}

/** The days covered by any of `lists` (from the earliest date to the latest). */
export function allDays(lists: readonly (readonly { readonly date: string }[])[]): string[] {
  const dates = lists.flat().map((r) => r.date).filter((d) => Number.isFinite(dayMs(d))).sort();
  const first = dates[0];
  const last = dates[dates.length - 1];
  return first && last ? dayRange(first, last) : [];
}

/** One value per day of `days` from dated rows: a missing day is 0 ("zero", for
 *  daily counts) or the previous day's value ("carry", for running totals). */
export function alignDays<T extends { readonly date: string }>(
  rows: readonly T[], days: readonly string[], get: (r: T) => number, fill: "zero" | "carry",
): number[] {
  const byDay = new Map(rows.map((r) => [r.date, get(r)]));
  let last = 0;
  // A running total starts from whatever was reached before the first shown day.
  if (fill === "carry" && days[0]) {
    for (const r of [...rows].sort((x, y) => (x.date < y.date ? -1 : 1))) if (r.date < days[0]) last = get(r);
  }
  return days.map((d) => {
    const v = byDay.get(d);
    if (v !== undefined && Number.isFinite(v)) {
      last = v;
      return v;
    }
    return fill === "carry" ? last : 0;
  });
}

/** Running sums: [1, 2, 0, 3] → [1, 3, 3, 6]. */
export function cumulative(values: readonly number[]): number[] {
  let sum = 0;
  return values.map((v) => (sum += v));
}

// ---- line charts ----

export interface Series {
  readonly name: string;
  readonly values: readonly number[];
  readonly color: string;
}

export interface ChartPoint {
  readonly x: number;
  readonly y: number;
  readonly value: number;
  readonly day: string;
}

export interface LineLayout {
  readonly name: string;
  readonly color: string;
  /** SVG path data through the points. */
  readonly d: string;
  readonly points: readonly ChartPoint[];
}

export interface LineChart {
  readonly width: number;
  readonly height: number;
  readonly plot: { readonly left: number; readonly top: number; readonly right: number; readonly bottom: number };
  readonly yTicks: readonly { readonly value: number; readonly y: number }[];
  readonly xLabels: readonly { readonly x: number; readonly text: string }[];
  readonly lines: readonly LineLayout[];
}

export interface ChartBox {
  readonly width: number;
  readonly height: number;
  readonly margin?: { readonly left: number; readonly right: number; readonly top: number; readonly bottom: number };
  /** At most this many day labels under the x axis. */
  readonly maxLabels?: number;
}

const r1 = (v: number): number => Math.round(v * 10) / 10;

/** Lays out a line per series over `days` (each series has one value per day). */
export function lineChart(days: readonly string[], series: readonly Series[], box: ChartBox): LineChart {
  const m = box.margin ?? { left: 40, right: 24, top: 10, bottom: 28 }; // room for the last day's label
  const plot = { left: m.left, top: m.top, right: box.width - m.right, bottom: box.height - m.bottom };
  const max = Math.max(0, ...series.flatMap((s) => s.values.filter(Number.isFinite)));
  const yt = ticks(max);
  const top = yt[yt.length - 1] ?? 1;
  const y = linear(0, top, plot.bottom, plot.top);
  const x = days.length <= 1 ? () => (plot.left + plot.right) / 2 : linear(0, days.length - 1, plot.left, plot.right);
  const every = Math.max(1, Math.ceil(days.length / Math.max(1, box.maxLabels ?? 7)));
  const lines = series.map((s) => {
    const points = days.map((day, i) => {
      const value = Number.isFinite(s.values[i]) ? (s.values[i] as number) : 0;
      return { x: r1(x(i)), y: r1(y(value)), value, day };
    });
    const d = points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x},${p.y}`).join(" ");
    return { name: s.name, color: s.color, d, points };
  });
  return {
    width: box.width,
    height: box.height,
    plot,
    yTicks: yt.map((value) => ({ value, y: r1(y(value)) })),
    xLabels: days.flatMap((d, i) => (i % every === 0 ? [{ x: r1(x(i)), text: d.slice(5) }] : [])),
    lines,
  };
}

// ---- bars ----

/** Bar lengths proportional to `values`, the largest at `length`; missing and
 *  non-positive values get 0, a positive value at least `min`. */
export function barLengths(values: readonly (number | null | undefined)[], length: number, min = 2): number[] {
  const ok = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v) && v > 0;
  const top = Math.max(0, ...values.filter(ok));
  return values.map((v) => (ok(v) && top > 0 ? Math.max(Math.min(min, length), (v / top) * length) : 0));
}

/** Distinct line colours (Okabe–Ito, readable on white), then repeats. */
export const PALETTE = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#8c6d1f", "#6a3d9a"] as const;
export const TOTAL_COLOR = "#1d2330";
export const seriesColor = (i: number): string => PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length] ?? "#0072b2";
