// Pure helpers of the guideline pages (no DOM): splitting a Markdown
// guideline into sections with stable anchors, searching them, finding the
// section a label links to, and folding a server diff into hunks.
//
// Label → section rule: a label (a <Label>/<Choice> option) links to
//   1. the section its `hint` attribute names: "#anchor" or a heading's text;
//   2. else the section whose heading equals the label's value or alias
//      (case-insensitive; surrounding spaces and a trailing ":" ignored).
// The first matching section in document order wins.
import type { LabelingConfig } from "../model";

export interface GuidelineSection {
  /** 0 for the text before the first heading, else the heading's level (1–6). */
  readonly level: number;
  /** The heading's text ("" for the text before the first heading). */
  readonly title: string;
  /** A unique HTML id: "g-" + slug of the title ("g-intro" for the text before the first heading). */
  readonly anchor: string;
  /** The section's Markdown, heading line included. */
  readonly markdown: string;
}

/** "g-" + lower-case words joined by "-" (letters and digits of any script kept). */
export function slugify(title: string): string {
  const words = title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()
    .split(" ")
    .filter((w) => w !== "");
  return `g-${words.join("-") || "section"}`;
}

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(```|~~~)/;

/** The guideline's sections, in order. ATX headings (# … ######) start a section;
 *  lines inside fenced code blocks are never headings. Anchors are unique (-2, -3, … on repeats). */
export function splitSections(markdown: string): GuidelineSection[] {
  const lines = markdown.split(/\r?\n/);
  const out: GuidelineSection[] = [];
  const used = new Map<string, number>();
  let fence: string | null = null;
  let current: { level: number; title: string; lines: string[] } = { level: 0, title: "", lines: [] };
  const close = () => {
    const body = current.lines.join("\n");
    if (current.level === 0 && body.trim() === "") return;
    const base = current.level === 0 ? "g-intro" : slugify(current.title);
    const seen = used.get(base) ?? 0;
    used.set(base, seen + 1);
    out.push({ level: current.level, title: current.title, anchor: seen === 0 ? base : `${base}-${seen + 1}`, markdown: body });
  };
  for (const line of lines) {
    const f = FENCE.exec(line);
    const marker = f?.[1] ?? "";
    if (f) fence = fence === null ? marker : fence === marker ? null : fence;
    const h = fence === null && !f ? HEADING.exec(line) : null;
    if (h) {
      close();
      current = { level: (h[1] ?? "#").length, title: (h[2] ?? "").trim(), lines: [line] };
    } else {
      current.lines.push(line);
    }
  }
  close();
  return out;
}

/** Lower-case search terms of a query (split at spaces). */
export function searchTerms(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter((t) => t !== "");
}

/** The sections that contain every term of `query` (in the heading or the text), in order;
 *  every section when the query is blank. */
export function searchSections(sections: readonly GuidelineSection[], query: string): GuidelineSection[] {
  const terms = searchTerms(query);
  if (terms.length === 0) return [...sections];
  return sections.filter((s) => {
    const hay = s.markdown.toLowerCase();
    return terms.every((t) => hay.includes(t));
  });
}

const normalTitle = (s: string): string => s.trim().replace(/:$/, "").trim().toLowerCase();

export interface LabelLink {
  readonly control: string;
  readonly label: string;
  readonly anchor: string;
  readonly title: string;
}

/** The section one label links to (see the rule at the top), or undefined. */
export function sectionForLabel(
  sections: readonly GuidelineSection[],
  label: { readonly value: string; readonly alias?: string; readonly hint?: string },
): GuidelineSection | undefined {
  const hint = label.hint?.trim() ?? "";
  if (hint !== "") {
    const byHint = hint.startsWith("#")
      ? sections.find((s) => s.anchor === hint.slice(1))
      : sections.find((s) => s.level > 0 && normalTitle(s.title) === normalTitle(hint));
    if (byHint) return byHint;
  }
  const names = [label.value, label.alias ?? ""].filter((n) => n.trim() !== "").map(normalTitle);
  return sections.find((s) => s.level > 0 && names.includes(normalTitle(s.title)));
}

/** Every option of the config's controls that links to a section. */
export function labelLinks(config: LabelingConfig, sections: readonly GuidelineSection[]): LabelLink[] {
  const out: LabelLink[] = [];
  for (const control of config.controls) {
    for (const option of control.options) {
      const section = sectionForLabel(sections, { value: option.value, alias: option.alias, hint: option.attributes.get("hint") });
      if (section) out.push({ control: control.name, label: option.alias || option.value, anchor: section.anchor, title: section.title });
    }
  }
  return out;
}

// ---- diffs (computed by the server: GET …/guidelines/{version}/diff) ----

export type DiffOp = "same" | "added" | "removed";
export interface DiffLine {
  readonly op: DiffOp;
  readonly text: string;
}
export type DiffHunk =
  | { readonly kind: "lines"; readonly lines: readonly DiffLine[] }
  | { readonly kind: "skip"; readonly count: number };

/** The diff with unchanged runs longer than 2 × `context` + 1 folded to their first and last
 *  `context` lines around a "skip" (a run at the start or end keeps only the side next to a change). */
export function diffHunks(lines: readonly DiffLine[], context = 2): DiffHunk[] {
  const out: DiffHunk[] = [];
  let pending: DiffLine[] = [];
  const push = (ls: readonly DiffLine[]) => {
    if (ls.length === 0) return;
    const last = out.at(-1);
    if (last?.kind === "lines") out[out.length - 1] = { kind: "lines", lines: [...last.lines, ...ls] };
    else out.push({ kind: "lines", lines: [...ls] });
  };
  let idx = 0;
  const isSame = (at: number): boolean => lines[at]?.op === "same";
  while (idx < lines.length) {
    const line = lines[idx];
    if (line && line.op !== "same") {
      pending.push(line);
      idx += 1;
      continue;
    }
    let end = idx;
    while (end < lines.length && isSame(end)) end += 1;
    const run = lines.slice(idx, end);
    const atStart = idx === 0;
    const atEnd = end === lines.length;
    const keepHead = atStart ? 0 : context;
    const keepTail = atEnd ? 0 : context;
    if (run.length > keepHead + keepTail + 1) {
      push([...pending, ...run.slice(0, keepHead)]);
      pending = [];
      out.push({ kind: "skip", count: run.length - keepHead - keepTail });
      pending.push(...run.slice(run.length - keepTail));
    } else {
      pending.push(...run);
    }
    idx = end;
  }
  push(pending);
  return out;
}

/** "+3 −1" style summary of a diff. */
export function diffSummary(lines: readonly DiffLine[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const l of lines) {
    if (l.op === "added") added += 1;
    else if (l.op === "removed") removed += 1;
  }
  return { added, removed };
}

export const EXAMPLE_KINDS = ["correct", "edge_case", "mistake"] as const;
export type ExampleKind = (typeof EXAMPLE_KINDS)[number];
export const EXAMPLE_KIND_NAMES: Readonly<Record<ExampleKind, string>> = {
  correct: "Correct example",
  edge_case: "Edge case",
  mistake: "Common mistake",
};
