import { describe, expect, it } from "vitest";
import { runs, snapToWords, spanAt, trimSelection } from "./segments";

describe("text runs", () => {
  it("covers the text with no spans", () => {
    expect(runs(5, [])).toEqual([{ start: 0, end: 5, ids: [] }]);
  });
  it("cuts at nested and overlapping spans, outermost first", () => {
    const r = runs(10, [
      { id: "outer", start: 0, end: 8 },
      { id: "inner", start: 2, end: 4 },
      { id: "over", start: 6, end: 10 },
    ]);
    expect(r).toEqual([
      { start: 0, end: 2, ids: ["outer"] },
      { start: 2, end: 4, ids: ["outer", "inner"] },
      { start: 4, end: 6, ids: ["outer"] },
      { start: 6, end: 8, ids: ["outer", "over"] },
      { start: 8, end: 10, ids: ["over"] },
    ]);
  });
  it("ignores empty and out-of-range spans", () => {
    expect(runs(3, [{ id: "a", start: 2, end: 2 }, { id: "b", start: 1, end: 9 }])).toEqual([{ start: 0, end: 3, ids: [] }]);
  });
  it("stays linear in DOM size for many spans over long text", () => {
    const spans = Array.from({ length: 5000 }, (_, i) => ({ id: `s${i}`, start: i * 20, end: i * 20 + 10 }));
    const t0 = Date.now();
    const r = runs(100_000, spans);
    expect(r.length).toBeLessThanOrEqual(2 * spans.length + 1);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
  it("finds the innermost span", () => {
    const spans = [{ id: "outer", start: 0, end: 8 }, { id: "inner", start: 2, end: 4 }];
    expect(spanAt(spans, 3)).toBe("inner");
    expect(spanAt(spans, 5)).toBe("outer");
    expect(spanAt(spans, 9)).toBeNull();
  });
  it("trims whitespace from selections", () => {
    expect(trimSelection("  ab c  ", 0, 8)).toEqual({ start: 2, end: 6 });
    expect(trimSelection("   ", 0, 3)).toBeNull();
    expect(trimSelection("abc", 3, 1)).toEqual({ start: 1, end: 3 });
  });
});

describe("snapToWords (granularity=\"word\")", () => {
  const text = "Ada Lovelace worked with Babbage, in 1843.";
  it("widens a selection that starts or ends inside a word to whole words", () => {
    expect(snapToWords(text, 2, 7)).toEqual({ start: 0, end: 12 }); // "a Lov" -> "Ada Lovelace"
    expect(snapToWords(text, 27, 30)).toEqual({ start: 25, end: 32 }); // "bba" -> "Babbage" (comma not taken)
    expect(snapToWords(text, 36, 41)).toEqual({ start: 37, end: 41 }); // " 1843" -> "1843" (the full stop stays out)
  });
  it("leaves whole words alone, trims spaces, and gives null for whitespace only", () => {
    expect(snapToWords(text, 4, 12)).toEqual({ start: 4, end: 12 });
    expect(snapToWords(text, 3, 4)).toBe(null);
    expect(snapToWords("Zoë’s café", 1, 2)).toEqual({ start: 0, end: 5 });
  });
});
