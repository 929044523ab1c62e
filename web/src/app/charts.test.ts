import { describe, expect, it } from "vitest";
import { alignDays, allDays, barLengths, cumulative, dayRange, lineChart, linear, niceStep, seriesColor, ticks } from "./charts";

describe("scales and ticks", () => {
  it("maps linearly, a flat domain to the middle", () => {
    const y = linear(0, 10, 200, 0);
    expect(y(0)).toBe(200);
    expect(y(10)).toBe(0);
    expect(y(2.5)).toBe(150);
    expect(linear(3, 3, 0, 100)(3)).toBe(50);
  });
  it("rounds steps up to 1, 2 or 5 times a power of ten", () => {
    expect(niceStep(0.3)).toBeCloseTo(0.5);
    expect(niceStep(1)).toBe(1);
    expect(niceStep(1.2)).toBe(2);
    expect(niceStep(3)).toBe(5);
    expect(niceStep(7)).toBe(10);
    expect(niceStep(20)).toBe(20);
    expect(niceStep(0)).toBe(1);
  });
  it("ticks from 0 past the maximum, whole numbers for counts", () => {
    expect(ticks(10)).toEqual([0, 5, 10]);
    expect(ticks(13)).toEqual([0, 5, 10, 15]);
    expect(ticks(3)).toEqual([0, 1, 2, 3]);
    expect(ticks(0)).toEqual([0, 1]);
    expect(ticks(120)).toEqual([0, 50, 100, 150]);
    expect(ticks(1, 4, false)).toEqual([0, 0.5, 1]);
  });
});

describe("days", () => {
  it("lists every day between two dates, across months", () => {
    expect(dayRange("2024-02-27", "2024-03-02")).toEqual(["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01", "2024-03-02"]);
    expect(dayRange("2024-03-02", "2024-03-02")).toEqual(["2024-03-02"]);
    expect(dayRange("2024-03-02", "2024-03-01")).toEqual([]);
    expect(dayRange("nope", "2024-03-01")).toEqual([]);
    expect(dayRange("2024-01-01", "2024-12-31", 3)).toEqual(["2024-12-29", "2024-12-30", "2024-12-31"]);
  });
  it("covers every list's days", () => {
    expect(allDays([[{ date: "2024-06-03" }], [{ date: "2024-06-01" }, { date: "2024-06-02" }], []])).toEqual(["2024-06-01", "2024-06-02", "2024-06-03"]);
    expect(allDays([[], []])).toEqual([]);
  });
  it("fills gaps with zero for daily counts, the last value for running totals", () => {
    const days = ["2024-06-01", "2024-06-02", "2024-06-03", "2024-06-04"];
    const rows = [{ date: "2024-06-01", n: 2 }, { date: "2024-06-03", n: 5 }];
    expect(alignDays(rows, days, (r) => r.n, "zero")).toEqual([2, 0, 5, 0]);
    expect(alignDays(rows, days, (r) => r.n, "carry")).toEqual([2, 2, 5, 5]);
    // A running total shown from a later day starts at what was reached before.
    expect(alignDays(rows, ["2024-06-02", "2024-06-03"], (r) => r.n, "carry")).toEqual([2, 5]);
    expect(cumulative([1, 2, 0, 3])).toEqual([1, 3, 3, 6]);
  });
});

describe("line chart layout", () => {
  const days = ["2024-06-01", "2024-06-02", "2024-06-03"];
  const box = { width: 300, height: 130, margin: { left: 30, right: 10, top: 10, bottom: 20 } };
  it("places points in the plot area on a shared y axis", () => {
    const c = lineChart(days, [{ name: "total", color: "#000", values: [0, 5, 10] }, { name: "ann", color: "#f00", values: [0, 2] }], box);
    expect(c.plot).toEqual({ left: 30, top: 10, right: 290, bottom: 110 });
    expect(c.yTicks.map((t) => t.value)).toEqual([0, 5, 10]);
    expect(c.yTicks.map((t) => t.y)).toEqual([110, 60, 10]);
    const total = c.lines[0];
    expect(total?.points.map((p) => [p.x, p.y])).toEqual([[30, 110], [160, 60], [290, 10]]);
    expect(total?.d).toBe("M30,110 L160,60 L290,10");
    // A missing value counts as 0.
    expect(c.lines[1]?.points.map((p) => p.value)).toEqual([0, 2, 0]);
    expect(c.xLabels).toEqual([{ x: 30, text: "06-01" }, { x: 160, text: "06-02" }, { x: 290, text: "06-03" }]);
  });
  it("centres a single day and thins the day labels", () => {
    const one = lineChart(["2024-06-01"], [{ name: "t", color: "#000", values: [4] }], box);
    expect(one.lines[0]?.points[0]?.x).toBe(160);
    const many = dayRange("2024-06-01", "2024-06-30");
    const c = lineChart(many, [{ name: "t", color: "#000", values: many.map(() => 1) }], { ...box, maxLabels: 6 });
    expect(c.xLabels.length).toBeLessThanOrEqual(6);
    expect(c.xLabels[0]?.text).toBe("06-01");
  });
});

describe("bars", () => {
  it("are proportional, the largest full length, tiny ones visible, missing ones empty", () => {
    expect(barLengths([10, 5, null, 0, 0.01], 200)).toEqual([200, 100, 0, 0, 2]);
    expect(barLengths([null, undefined], 200)).toEqual([0, 0]);
    expect(barLengths([], 200)).toEqual([]);
  });
  it("cycle through the palette", () => {
    expect(seriesColor(0)).toBe(seriesColor(8));
    expect(seriesColor(1)).not.toBe(seriesColor(0));
  });
});
