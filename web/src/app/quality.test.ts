import { describe, expect, it } from "vitest";
import type { HistogramBin, RedFlag } from "../model";
import { queryString } from "./api";
import {
  agreementColor, binLabel, mayViewQuality, contrast, flagSentence, fmt, fmtThreshold, heatmapAnnotators, histogramBars, metricName, textColorOn,
} from "./quality";

describe("numbers", () => {
  it("formats with fixed decimals and a dash for missing values", () => {
    expect(fmt(0.263157894)).toBe("0.263");
    expect(fmt(0.263157894, 2)).toBe("0.26");
    expect(fmt(1)).toBe("1.000");
    expect(fmt(-0.14285)).toBe("-0.143");
    expect(fmt(-0.0001)).toBe("0.000");
    expect(fmt(null)).toBe("–");
    expect(fmt(undefined)).toBe("–");
    expect(fmt(Number.NaN)).toBe("–");
    expect(fmt(Number.POSITIVE_INFINITY)).toBe("–");
  });
  it("writes thresholds as typed", () => {
    expect(fmtThreshold(0.6)).toBe("0.6");
    expect(fmtThreshold(0.75)).toBe("0.75");
    expect(fmtThreshold(-0.1)).toBe("-0.1");
    expect(fmtThreshold(1)).toBe("1");
    expect(fmtThreshold(0.1 + 0.2)).toBe("0.3");
  });
  it("builds query strings from defined parameters only", () => {
    expect(queryString({})).toBe("");
    expect(queryString({ threshold: 0.6, lowest: undefined })).toBe("?threshold=0.6");
    expect(queryString({ control: "a b&c", ci: true })).toBe("?control=a+b%26c&ci=true");
  });
});

describe("heatmap colour scale", () => {
  it("is red at 0 and below, white at the midpoint, green at 1 and above", () => {
    expect(agreementColor(0)).toBe("#b2182b");
    expect(agreementColor(-0.4)).toBe("#b2182b");
    expect(agreementColor(0.5)).toBe("#ffffff");
    expect(agreementColor(1)).toBe("#1b7837");
    expect(agreementColor(1.2)).toBe("#1b7837");
  });
  it("is missing for null and NaN", () => {
    expect(agreementColor(null)).toBeNull();
    expect(agreementColor(undefined)).toBeNull();
    expect(agreementColor(Number.NaN)).toBeNull();
  });
  it("interpolates linearly on each side", () => {
    // Halfway from red (178,24,43) to white: (216.5, 139.5, 149) → d9 8c 95 (rounded).
    expect(agreementColor(0.25)).toBe("#d98c95");
    // Halfway from white to green (27,120,55): (141, 187.5, 155) → 8d bc 9b.
    expect(agreementColor(0.75)).toBe("#8dbc9b");
  });
  it("moves the white point with mid", () => {
    expect(agreementColor(0.6, 0.6)).toBe("#ffffff");
    expect(agreementColor(0.3, 0.6)).toBe(agreementColor(0.25, 0.5));
    expect(agreementColor(0, 0)).toBe("#ffffff");
  });
  it("gets redder as agreement falls and greener as it rises", () => {
    const red = (c: string) => parseInt(c.slice(1, 3), 16);
    const green = (c: string) => parseInt(c.slice(3, 5), 16);
    let last = agreementColor(0) as string;
    for (let v = 0.05; v <= 0.5; v += 0.05) {
      const c = agreementColor(v) as string;
      expect(green(c)).toBeGreaterThanOrEqual(green(last));
      last = c;
    }
    for (let v = 0.55; v <= 1; v += 0.05) {
      const c = agreementColor(v) as string;
      expect(red(c)).toBeLessThanOrEqual(red(last));
      last = c;
    }
  });
  it("keeps the cell text readable (WCAG AA contrast) everywhere on the scale", () => {
    for (let v = -0.1; v <= 1.1; v += 0.01) {
      const bg = agreementColor(v) as string;
      expect(contrast(bg, textColorOn(bg))).toBeGreaterThanOrEqual(4.5);
    }
    expect(textColorOn("#ffffff")).toBe("#000000");
    expect(textColorOn("#b2182b")).toBe("#ffffff");
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
  });
});

describe("red flags", () => {
  const controls = [
    { from_name: "sentiment", method: "categorical" as const },
    { from_name: "boxes", method: "regions" as const },
  ];
  it("says which control is below the threshold, by which metric", () => {
    const f: RedFlag = { kind: "control", from_name: "sentiment", metric: "krippendorff_alpha", value: 0.4218, threshold: 0.6 };
    expect(flagSentence(f, controls)).toBe("Control 'sentiment': Krippendorff's α 0.42 is below 0.6");
    const g: RedFlag = { kind: "control", from_name: "boxes", metric: "mean_pairwise", value: 0.3, threshold: 0.75 };
    expect(flagSentence(g, controls)).toBe("Control 'boxes': mean pairwise F1 0.30 is below 0.75");
  });
  it("names the annotator", () => {
    const f: RedFlag = { kind: "annotator", annotator: 4, name: "Ann Lee", metric: "mean_pairwise", value: 0.314, threshold: 0.6 };
    expect(flagSentence(f)).toBe("Annotator Ann Lee: mean pairwise agreement 0.31 is below 0.6");
    expect(flagSentence({ ...f, name: undefined })).toBe("Annotator #4: mean pairwise agreement 0.31 is below 0.6");
  });
  it("counts the tasks, singular and plural", () => {
    expect(flagSentence({ kind: "tasks", metric: "task_score", count: 12, threshold: 0.6 })).toBe("12 tasks score below 0.6");
    expect(flagSentence({ kind: "tasks", metric: "task_score", count: 1, threshold: 0.5 })).toBe("1 task scores below 0.5");
  });
  it("still says something about a kind it does not know", () => {
    const odd = { kind: "label", name: "Cat", metric: "specific_agreement", value: 0.2, threshold: 0.6 } as unknown as RedFlag;
    expect(flagSentence(odd)).toBe("label Cat: specific agreement 0.20 is below 0.6");
  });
  it("has readable metric names", () => {
    expect(metricName("mean_pairwise", "text")).toBe("mean pairwise text similarity");
    expect(metricName("fleiss_kappa")).toBe("Fleiss' κ");
    expect(metricName("krippendorff_alpha", "categorical")).toBe("Krippendorff's α");
    expect(metricName("krippendorff_alpha", "ordinal")).toBe("Krippendorff's α (ordinal)");
  });
});

describe("histogram", () => {
  const bins: HistogramBin[] = Array.from({ length: 10 }, (_, i) => ({ from: i / 10, to: (i + 1) / 10, count: [2, 0, 0, 5, 1, 0, 0, 0, 0, 10][i] ?? 0 }));
  it("labels the bins", () => {
    expect(binLabel({ from: 0.30000000000000004, to: 0.4 })).toBe("0.3–0.4");
    expect(binLabel({ from: 0.9, to: 1 })).toBe("0.9–1.0");
  });
  it("makes bar heights proportional to the counts, tallest at the full height", () => {
    const bars = histogramBars(bins, 100, 0.6);
    expect(bars.map((b) => b.height)).toEqual([20, 0, 0, 50, 10, 0, 0, 0, 0, 100]);
    expect(bars[3]?.ariaLabel).toBe("0.3–0.4: 5 tasks");
    expect(bars[4]?.ariaLabel).toBe("0.4–0.5: 1 task");
    expect(bars[1]?.ariaLabel).toBe("0.1–0.2: 0 tasks");
  });
  it("keeps a small bar visible for a non-empty bin", () => {
    const many = bins.map((b, i) => (i === 9 ? { ...b, count: 1000 } : b));
    const bars = histogramBars(many, 100, 0.6, 3);
    expect(bars[4]?.height).toBe(3); // 1 of 1000 would be 0.1
    expect(bars[1]?.height).toBe(0);
  });
  it("is flat when no task is scored", () => {
    const empty = bins.map((b) => ({ ...b, count: 0 }));
    expect(histogramBars(empty, 100, 0.6).every((b) => b.height === 0)).toBe(true);
    expect(histogramBars([], 100, 0.6)).toEqual([]);
  });
  it("marks the bins wholly below the threshold", () => {
    const below = histogramBars(bins, 100, 0.6).map((b) => b.below);
    expect(below).toEqual([true, true, true, true, true, true, false, false, false, false]);
  });
});

describe("heatmap rows", () => {
  it("keeps only annotators with a value against someone else", () => {
    expect(heatmapAnnotators([])).toEqual([]);
    expect(
      heatmapAnnotators([
        [1, 0.2, null],
        [0.2, 1, null],
        [null, null, null],
      ]),
    ).toEqual([0, 1]);
    expect(heatmapAnnotators([[1]])).toEqual([]);
  });
});

describe("who is offered the dashboard", () => {
  const members = [
    { user: { id: 1, email: "a@x" }, role: "annotator" as const },
    { user: { id: 2, email: "r@x" }, role: "reviewer" as const },
    { user: { id: 3, email: "m@x" }, role: "manager" as const },
  ];
  it("hides it from annotators only", () => {
    expect(mayViewQuality({ id: 1 }, members)).toBe(false);
    expect(mayViewQuality({ id: 2 }, members)).toBe(true);
    expect(mayViewQuality({ id: 3 }, members)).toBe(true);
    expect(mayViewQuality({ id: 1, is_superuser: true }, members)).toBe(true);
  });
  it("offers it when the role is unknown", () => {
    expect(mayViewQuality({ id: 9 }, members)).toBe(true);
    expect(mayViewQuality({ id: 1 }, undefined)).toBe(true);
  });
});
