// Pure helpers of the review page (no DOM): its filters as URL and API query,
// moving through the queue (J/K, and on to the next item after an action),
// the page's keys, and sentences for authors, results and history events.
// Tested in review.test.ts.
import type { HistoryEvent, JsonObject, Member, ResultEntry, ReviewQueueItem, ReviewState } from "../model";
import { isObject } from "../model";
import { personName } from "./roles";

export const REVIEW_STATES: readonly ReviewState[] = ["pending", "accepted", "rejected", "fixed"];
export type QueueOrder = "id" | "agreement";

export interface ReviewFilters {
  readonly annotator: number | undefined;
  readonly label: string;
  readonly state: ReviewState;
  /** Only tasks whose agreement is at most this (0 to 1). */
  readonly maxAgreement: number | undefined;
  readonly order: QueueOrder;
}

export const DEFAULT_FILTERS: ReviewFilters = { annotator: undefined, label: "", state: "pending", maxAgreement: undefined, order: "id" };

const isState = (s: string | null): s is ReviewState => s !== null && (REVIEW_STATES as readonly string[]).includes(s);

/** A number in [0, 1] as typed, or undefined (blank or out of range). */
export function parseAgreement(raw: string | null | undefined): number | undefined {
  if (raw === null || raw === undefined || raw.trim() === "") return undefined;
  const v = Number(raw);
  return Number.isFinite(v) && v >= 0 && v <= 1 ? v : undefined;
}

/** The filters of a review page URL (the API's own parameter names); anything
 *  unreadable falls back to its default. */
export function parseReviewFilters(q: URLSearchParams): ReviewFilters {
  const annotator = q.get("annotator");
  const state = q.get("state");
  return {
    annotator: annotator && /^\d+$/.test(annotator) && Number(annotator) > 0 ? Number(annotator) : undefined,
    label: (q.get("label") ?? "").trim(),
    state: isState(state) ? state : "pending",
    maxAgreement: parseAgreement(q.get("max_agreement")),
    order: q.get("order") === "agreement" ? "agreement" : "id",
  };
}

/** The API query of the filters (defaults left out). */
export function queueQuery(f: ReviewFilters): {
  annotator?: number; label?: string; state?: ReviewState; max_agreement?: number; order?: QueueOrder;
} {
  return {
    ...(f.annotator !== undefined ? { annotator: f.annotator } : {}),
    ...(f.label ? { label: f.label } : {}),
    ...(f.state !== "pending" ? { state: f.state } : {}),
    ...(f.maxAgreement !== undefined ? { max_agreement: f.maxAgreement } : {}),
    ...(f.order !== "id" ? { order: f.order } : {}),
  };
}

/** "?annotator=3&order=agreement" for the page URL ("" for the defaults). */
export function reviewSearch(f: ReviewFilters): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(queueQuery(f))) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** Whether the queue rows carry their task's agreement (the server adds it
 *  when sorting or filtering by agreement). */
export const showsAgreement = (f: ReviewFilters): boolean => f.order === "agreement" || f.maxAgreement !== undefined;

// ---- moving through the queue ----

/** The item `step` away from `current` (J: +1, K: -1), staying at the ends;
 *  the first item when nothing is selected. */
export function neighbour(ids: readonly number[], current: number | null, step: 1 | -1): number | null {
  if (ids.length === 0) return null;
  const i = current === null ? -1 : ids.indexOf(current);
  if (i < 0) return ids[0] ?? null;
  return ids[Math.min(ids.length - 1, Math.max(0, i + step))] ?? null;
}

/** After acting on `acted`: the item to show next (the one after it, else the one
 *  before) and where `acted` stood, for when the reloaded queue no longer has `wanted`. */
export function afterAction(ids: readonly number[], acted: number): { wanted: number | null; index: number } {
  const i = ids.indexOf(acted);
  if (i < 0) return { wanted: ids[0] ?? null, index: 0 };
  return { wanted: ids[i + 1] ?? ids[i - 1] ?? null, index: i };
}

/** Which item to select in a (re)loaded queue: `wanted` when still there, else the
 *  item now at `index` (or the last one), else nothing. */
export function pickSelection(ids: readonly number[], wanted: number | null, index: number): number | null {
  if (wanted !== null && ids.includes(wanted)) return wanted;
  if (ids.length === 0) return null;
  return ids[Math.min(Math.max(0, index), ids.length - 1)] ?? null;
}

export type ReviewKey = "accept" | "reject" | "next" | "previous";

/** The page's single-letter keys (A accept, R reject, J next, K previous);
 *  null for anything else, including modified keys. */
export function reviewKey(e: { readonly key: string; readonly ctrlKey?: boolean; readonly metaKey?: boolean; readonly altKey?: boolean }): ReviewKey | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  switch (e.key.toLowerCase()) {
    case "a":
      return "accept";
    case "r":
      return "reject";
    case "j":
      return "next";
    case "k":
      return "previous";
    default:
      return null;
  }
}

// ---- words ----

/** The author of a queue row: the member's name, else the name in
 *  created_username ("Ann Lee ann@x.io, 2"), else "user 2". */
export function authorName(item: Pick<ReviewQueueItem, "completed_by" | "created_username">, members: readonly Member[] | undefined): string {
  const m = members?.find((x) => x.user.id === item.completed_by);
  if (m) return personName(m.user);
  const raw = (item.created_username ?? "").replace(/,\s*\d+\s*$/, "").trim();
  if (raw) {
    const words = raw.split(/\s+/);
    const named = words.filter((w) => !w.includes("@")).join(" ");
    return named || raw;
  }
  return item.completed_by ? `user ${item.completed_by}` : "unknown";
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** The labels, choices or value one result item carries, as words. */
function itemWords(value: JsonObject): { region: boolean; words: string[] } {
  for (const [k, v] of Object.entries(value)) {
    if (k.endsWith("labels") && Array.isArray(v)) return { region: true, words: strings(v) };
  }
  if (Array.isArray(value["choices"])) return { region: false, words: strings(value["choices"]) };
  if (Array.isArray(value["taxonomy"])) return { region: false, words: value["taxonomy"].map((p) => strings(p).join("/")) };
  if (value["text"] !== undefined && !("start" in value)) {
    return { region: false, words: typeof value["text"] === "string" ? [value["text"]] : strings(value["text"]) };
  }
  if (typeof value["rating"] === "number") return { region: false, words: [`${value["rating"]}★`] };
  if (typeof value["number"] === "number") return { region: false, words: [String(value["number"])] };
  // A shape without labels (Rectangle, Polygon, KeyPoint tools).
  return { region: true, words: [] };
}

/** A one-line summary of a result: "sentiment: Positive · ner: 2 regions (Person, Org)". */
export function resultSummary(result: readonly ResultEntry[] | undefined): string {
  if (!result || result.length === 0) return "empty result";
  const groups = new Map<string, { regions: number; words: string[] }>();
  let relations = 0;
  for (const r of result) {
    const value = r["value"];
    if (typeof r["from_name"] !== "string" || !isObject(value)) {
      relations++;
      continue;
    }
    const name = r["from_name"];
    const g = groups.get(name) ?? { regions: 0, words: [] };
    const w = itemWords(value);
    if (w.region) g.regions++;
    for (const x of w.words) if (!g.words.includes(x)) g.words.push(x);
    groups.set(name, g);
  }
  const parts = [...groups].map(([name, g]) => {
    if (g.regions > 0) return `${name}: ${g.regions} ${g.regions === 1 ? "region" : "regions"}${g.words.length ? ` (${g.words.join(", ")})` : ""}`;
    return `${name}: ${g.words.join(", ") || "–"}`;
  });
  if (relations) parts.push(`${relations} ${relations === 1 ? "relation" : "relations"}`);
  return parts.join(" · ");
}

/** "2024-06-11 14:03" from an ISO time (UTC, as the server writes it). */
export function shortTime(iso: string | undefined): string {
  if (!iso) return "";
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

/** One history event as a sentence, e.g. "Version 2 fixed by Rita Roe" or
 *  "Rejected by Rita Roe: “Wrong label”". */
export function historyLine(e: HistoryEvent): string {
  const who = personName(e.user);
  if (e.type === "review") {
    const verb = e.action === "fixed" ? "Fixed and accepted" : e.action.charAt(0).toUpperCase() + e.action.slice(1);
    return `${verb} by ${who}${e.comment ? `: “${e.comment}”` : ""}`;
  }
  return `Version ${e.version} ${e.action || "saved"} by ${who}${e.current ? " (current)" : ""}`;
}

/** The words for a review state in the queue. */
export function stateText(s: ReviewState | undefined): string {
  switch (s) {
    case "accepted":
      return "accepted";
    case "rejected":
      return "rejected";
    case "fixed":
      return "fixed and accepted";
    default:
      return "pending";
  }
}
