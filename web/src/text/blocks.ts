// Cutting a long text into blocks for rendering. TextView draws each block as
// its own element, so adding or changing a span re-renders and re-lays out one
// block instead of the whole text, and blocks off screen are skipped by the
// browser (content-visibility: auto). Blocks depend on the text only, never on
// the spans, so they stay put while spans are added.
//
// A block ends right after a line break once it holds `target` characters.
// A paragraph longer than `max` characters (no line break in sight) is cut
// after a sentence end (". ", "! ", "? " and the like), else after any
// whitespace, else at `max` — only there does a block boundary show as a
// line break that the text itself does not have.
import type { SpanLike } from "./segments";

export interface Block {
  readonly start: number;
  readonly end: number;
}

export const BLOCK_TARGET = 1000;
export const BLOCK_MAX = 2000;

const isSpace = (c: string | undefined): boolean => c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\u00a0";

/** Consecutive blocks covering [0, text.length); one empty block for an empty text. */
export function textBlocks(text: string, target = BLOCK_TARGET, max = BLOCK_MAX): Block[] {
  const n = text.length;
  const out: Block[] = [];
  let start = 0;
  while (n - start > target) {
    // The first line break at or after start + target, within max.
    const nl = text.indexOf("\n", start + target - 1);
    let end = nl >= 0 && nl + 1 < n && nl + 1 - start <= max ? nl + 1 : -1;
    if (end < 0 && n - start <= max) break; // the rest fits in one block
    if (end < 0) {
      // No line break in reach: the last sentence end, else the last whitespace, before start + max.
      let sentence = -1;
      let space = -1;
      for (let i = start + max - 1; i > start + target / 2; i--) {
        if (!isSpace(text[i])) continue;
        if (space < 0) space = i + 1;
        const prev = text[i - 1];
        if (prev === "." || prev === "!" || prev === "?" || prev === "。") {
          sentence = i + 1;
          break;
        }
      }
      end = sentence > 0 ? sentence : space > 0 ? space : start + max;
    }
    out.push({ start, end });
    start = end;
  }
  out.push({ start, end: n });
  return out;
}

/** Index of the block holding character `offset` (blocks sorted, consecutive). */
export function blockAt(blocks: readonly Block[], offset: number): number {
  let lo = 0;
  let hi = blocks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((blocks[mid] as Block).start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * For each block, the items whose span [start, end) overlaps it, in the
 * items' order. O(m log b + total overlaps) for m items and b blocks.
 */
export function itemsByBlock<T extends SpanLike>(blocks: readonly Block[], items: readonly T[]): T[][] {
  const out: T[][] = blocks.map(() => []);
  if (blocks.length === 0) return out;
  for (const it of items) {
    if (!(it.start < it.end)) continue;
    const first = blockAt(blocks, it.start);
    const last = blockAt(blocks, it.end - 1);
    for (let b = first; b <= last; b++) (out[b] as T[]).push(it);
  }
  return out;
}
