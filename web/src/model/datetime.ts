// DateTime and Taxonomy answers in Label Studio's shapes.
//   <DateTime only="date|time|month|year"/> -> {"datetime": "..."} written as
//   "YYYY-MM-DDTHH:MM" (no `only`, or date and time), "YYYY-MM-DD" (date),
//   "HH:MM" (time), "YYYY-MM" (month), "YYYY" (year).
//   <Taxonomy> -> {"taxonomy": [["Animal", "Cat"], ...]}: one path per pick.
import type { ControlTag } from "./config";
import type { Json } from "./json";

export type DateTimeMode = "datetime" | "date" | "time" | "month" | "year";

/** What a DateTime control asks for; "date" wins over month/year, as in Label Studio. */
export function dateTimeMode(c: ControlTag): DateTimeMode {
  const parts = (c.attributes.get("only") ?? "").split(",").map((p) => p.trim().toLowerCase()).filter((p) => p !== "");
  const date = parts.includes("date");
  const time = parts.includes("time");
  if (parts.length === 0 || (date && time)) return "datetime";
  if (date) return "date";
  if (parts.includes("month")) return "month";
  if (parts.includes("year")) return "year";
  return time ? "time" : "datetime";
}

const PATTERNS: Readonly<Record<DateTimeMode, RegExp>> = {
  datetime: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  time: /^\d{2}:\d{2}$/,
  month: /^\d{4}-\d{2}$/,
  year: /^\d{4}$/,
};

/**
 * The result string for what an <input> of the mode's type gave (browsers
 * may add seconds to datetime-local and time values: they are cut), or null
 * when it is empty or not in the mode's form.
 */
export function dateTimeValue(mode: DateTimeMode, raw: string): string | null {
  let v = raw.trim();
  if (mode === "datetime") v = v.slice(0, 16);
  if (mode === "time") v = v.slice(0, 5);
  return PATTERNS[mode].test(v) ? v : null;
}

/** The taxonomy paths after picking `path`: picked again removes it; single choice replaces. */
export function toggleTaxonomyPath(current: Json | undefined, path: readonly string[], multiple: boolean): string[][] {
  const cur = Array.isArray(current)
    ? current.filter((p): p is string[] => Array.isArray(p) && p.every((x) => typeof x === "string")).map((p) => [...p])
    : [];
  const same = (p: readonly string[]) => p.length === path.length && p.every((x, i) => x === path[i]);
  if (cur.some(same)) return cur.filter((p) => !same(p));
  return multiple ? [...cur, [...path]] : [[...path]];
}
