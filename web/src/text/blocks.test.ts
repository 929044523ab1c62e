import { describe, expect, it } from "vitest";
import { blockAt, itemsByBlock, textBlocks } from "./blocks";
import { runs, runsBetween } from "./segments";

const covers = (text: string, blocks: { start: number; end: number }[]) => {
  expect(blocks[0]?.start).toBe(0);
  expect(blocks.at(-1)?.end).toBe(text.length);
  blocks.forEach((b, i) => i > 0 && expect(b.start).toBe(blocks[i - 1]?.end));
};

describe("text blocks", () => {
  it("keeps a short text in one block, an empty text too", () => {
    expect(textBlocks("hello world")).toEqual([{ start: 0, end: 11 }]);
    expect(textBlocks("")).toEqual([{ start: 0, end: 0 }]);
  });
  it("ends blocks right after a line break once they hold the target size", () => {
    const para = "x".repeat(9) + "\n"; // 10 characters a paragraph
    const text = para.repeat(10);
    const b = textBlocks(text, 25, 40);
    covers(text, b);
    expect(b.map((x) => x.end)).toEqual([30, 60, 90, 100]);
    b.slice(0, -1).forEach((x) => expect(text[x.end - 1]).toBe("\n"));
  });
  it("cuts a long paragraph after a sentence end, else after whitespace, else hard", () => {
    const text = "aaaa bbbb. cccc dddd eeee ffff gggg"; // no line break
    const b = textBlocks(text, 10, 20);
    covers(text, b);
    expect(text.slice(b[0]!.start, b[0]!.end)).toBe("aaaa bbbb. ");
    const words = "abcd ".repeat(20);
    const w = textBlocks(words, 10, 20);
    covers(words, w);
    w.slice(0, -1).forEach((x) => expect(words[x.end - 1]).toBe(" "));
    const solid = "z".repeat(50);
    expect(textBlocks(solid, 10, 20)).toEqual([{ start: 0, end: 20 }, { start: 20, end: 40 }, { start: 40, end: 50 }]);
  });
  it("never makes a block longer than max", () => {
    const text = Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? "word. " : "word ")).join("");
    const b = textBlocks(text, 1500, 3000);
    covers(text, b);
    expect(b.every((x) => x.end - x.start <= 3000 && x.end > x.start)).toBe(true);
    expect(b.length).toBeGreaterThan(5);
  });
  it("finds a block by offset and groups spans by the blocks they overlap", () => {
    const blocks = [{ start: 0, end: 10 }, { start: 10, end: 20 }, { start: 20, end: 25 }];
    expect([0, 9, 10, 19, 20, 24].map((o) => blockAt(blocks, o))).toEqual([0, 0, 1, 1, 2, 2]);
    const spans = [{ id: "a", start: 2, end: 5 }, { id: "b", start: 8, end: 12 }, { id: "c", start: 10, end: 20 }, { id: "d", start: 3, end: 3 }, { id: "e", start: 5, end: 25 }];
    expect(itemsByBlock(blocks, spans).map((l) => l.map((s) => s.id))).toEqual([["a", "b", "e"], ["b", "c", "e"], ["e"]]);
  });
  it("runs per block, joined, equal the runs of the whole text (cut at block edges)", () => {
    const n = 100;
    const spans = [{ id: "outer", start: 5, end: 60 }, { id: "inner", start: 20, end: 30 }, { id: "x", start: 28, end: 45 }, { id: "y", start: 90, end: 100 }];
    const blocks = [{ start: 0, end: 25 }, { start: 25, end: 50 }, { start: 50, end: 100 }];
    const joined = blocks.flatMap((b) => runsBetween(b.start, b.end, spans));
    const whole = runs(n, spans);
    const cuts = new Set([...whole.map((r) => r.start), ...blocks.map((b) => b.start)]);
    // The same ids at every character, and no run crosses a block edge.
    for (let c = 0; c < n; c++) {
      const a = joined.find((r) => r.start <= c && c < r.end)!;
      const w = whole.find((r) => r.start <= c && c < r.end)!;
      expect(a.ids).toEqual(w.ids);
    }
    expect(new Set(joined.map((r) => r.start))).toEqual(cuts);
  });
});
