// Splitting text into runs for rendering NER spans. Overlapping and nested
// spans are handled by cutting the text at every span boundary: each run is
// covered by the same set of spans throughout, so it renders as one element
// carrying all their colours. O((n + m) log m) for text length n, m spans;
// the DOM holds 2m+1 runs at most however long the text is.
export interface SpanLike {
  readonly id: string;
  readonly start: number;
  readonly end: number;
}

export interface Run {
  readonly start: number;
  readonly end: number;
  /** Ids of the spans covering this run, outermost (longest) first. */
  readonly ids: readonly string[];
}

export function runs(textLength: number, spans: readonly SpanLike[]): Run[] {
  return runsBetween(0, textLength, spans.filter((s) => s.start >= 0 && s.end <= textLength));
}

/**
 * The runs of the text range [from, to) (a block of a longer text): spans
 * reaching outside it are cut at its edges, but keep their full length when
 * ordering `ids`, so a run lists its spans the same way in any block.
 */
export function runsBetween(from: number, to: number, spans: readonly SpanLike[]): Run[] {
  const valid = spans.filter((s) => s.start < s.end && s.start < to && s.end > from);
  const cuts = new Set<number>([from, to]);
  for (const s of valid) {
    if (s.start > from) cuts.add(s.start);
    if (s.end < to) cuts.add(s.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  // Sweep: spans sorted by start; active set updated at each cut.
  const byStart = [...valid].sort((a, b) => a.start - b.start || b.end - a.end);
  const active: SpanLike[] = [];
  const out: Run[] = [];
  let next = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i] as number;
    const end = points[i + 1] as number;
    for (let k = active.length - 1; k >= 0; k--) if ((active[k] as SpanLike).end <= start) active.splice(k, 1);
    while (next < byStart.length && (byStart[next] as SpanLike).start <= start) {
      const s = byStart[next++] as SpanLike;
      if (s.end > start) active.push(s);
    }
    const ids = [...active].sort((a, b) => b.end - b.start - (a.end - a.start)).map((s) => s.id);
    out.push({ start, end, ids });
  }
  return out;
}

/** The innermost span covering `offset`, or null. */
export function spanAt(spans: readonly SpanLike[], offset: number): string | null {
  let best: SpanLike | null = null;
  for (const s of spans) {
    if (offset >= s.start && offset < s.end && (best === null || s.end - s.start < best.end - best.start)) best = s;
  }
  return best?.id ?? null;
}

/**
 * Trims whitespace off a selection [start, end) so a sloppy drag still
 * gives a clean entity. Null when nothing but whitespace is left.
 */
export function trimSelection(text: string, start: number, end: number): { start: number; end: number } | null {
  let s = Math.max(0, Math.min(start, end));
  let e = Math.min(text.length, Math.max(start, end));
  while (s < e && /\s/.test(text[s] as string)) s++;
  while (e > s && /\s/.test(text[e - 1] as string)) e--;
  return s < e ? { start: s, end: e } : null;
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}_'’-]/u;

/**
 * Widens a selection [start, end) to whole words, as Label Studio's
 * granularity="word" does: a start or end inside a word moves to that word's
 * edge, then whitespace is trimmed. Null when no word is touched.
 */
export function snapToWords(text: string, start: number, end: number): { start: number; end: number } | null {
  const t = trimSelection(text, start, end);
  if (!t) return null;
  let s = t.start;
  let e = t.end;
  const isWord = (i: number) => i >= 0 && i < text.length && WORD_CHAR.test(text[i] as string);
  while (isWord(s - 1) && isWord(s)) s--;
  while (isWord(e) && isWord(e - 1)) e++;
  return { start: s, end: e };
}
