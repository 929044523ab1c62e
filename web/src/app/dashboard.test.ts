import { describe, expect, it } from "vitest";
import { parseLabelingConfig } from "../model";
import { flagReasons, fmtDuration, fmtShare, labelDistributions, parseThreshold, progress, staleNote } from "./dashboard";
import { parseRoute } from "./router";

const CONFIG = `<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/><Choice value="Neutral"/></Choices>
  <Labels name="ner" toName="text"><Label value="Person"/><Label value="Org"/></Labels>
  <TextArea name="note" toName="text"/>
</View>`;
const parsed = parseLabelingConfig(CONFIG);
if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
const config = parsed.config;

describe("red flags", () => {
  const base = { honeypot: { answered: 0, correct: 0, accuracy: null }, agreement: null, red_flag: false };
  it("say which figure is below which threshold", () => {
    expect(flagReasons(base, 0.6, 0.6)).toEqual([]);
    expect(flagReasons({ ...base, honeypot: { answered: 5, correct: 2, accuracy: 0.4 }, red_flag: true }, 0.6, 0.6)).toEqual([
      "honeypot accuracy 0.40 (2 of 5) is below 0.6",
    ]);
    expect(flagReasons({ ...base, agreement: 0.2, honeypot: { answered: 4, correct: 4, accuracy: 1 }, red_flag: true }, 0.6, 0.5)).toEqual([
      "agreement with peers 0.20 is below 0.5",
    ]);
    expect(flagReasons({ honeypot: { answered: 2, correct: 1, accuracy: 0.5 }, agreement: -0.1, red_flag: true }, 0.75, 0)).toEqual([
      "honeypot accuracy 0.50 (1 of 2) is below 0.75",
      "agreement with peers -0.10 is below 0",
    ]);
    // At the threshold is not below it.
    expect(flagReasons({ ...base, agreement: 0.6 }, 0.6, 0.6)).toEqual([]);
    expect(flagReasons({ ...base, red_flag: true }, 0.6, 0.6)).toEqual(["flagged by the server"]);
  });
  it("read thresholds from the URL within their range", () => {
    expect(parseThreshold("0.7", 0, 1)).toBe(0.7);
    expect(parseThreshold("-0.2", 0, 1)).toBeUndefined();
    expect(parseThreshold("-0.2", -1, 1)).toBe(-0.2);
    expect(parseThreshold("", 0, 1)).toBeUndefined();
    expect(parseThreshold(null, 0, 1)).toBeUndefined();
    expect(parseRoute("/projects/4/dashboard", "?accuracy_threshold=0.8&agreement_threshold=-0.5")).toEqual({
      page: "dashboard", id: 4, accuracyThreshold: 0.8, agreementThreshold: -0.5,
    });
    expect(parseRoute("/projects/4/dashboard/", "?accuracy_threshold=2")).toEqual({
      page: "dashboard", id: 4, accuracyThreshold: undefined, agreementThreshold: undefined,
    });
  });
});

describe("formats and progress", () => {
  it("write durations and shares", () => {
    expect(fmtDuration(8.46)).toBe("8.5 s");
    expect(fmtDuration(42.4)).toBe("42 s");
    expect(fmtDuration(192)).toBe("3.2 min");
    expect(fmtDuration(5400)).toBe("1.5 h");
    expect(fmtDuration(null)).toBe("–");
    expect(fmtShare(0.456)).toBe("46%");
    expect(fmtShare(0.004)).toBe("<1%");
    expect(fmtShare(0)).toBe("0%");
  });
  it("count progress, clamped", () => {
    expect(progress({ total: 40, done: 10, remaining: 30 })).toEqual({ total: 40, done: 10, remaining: 30, share: 0.25 });
    expect(progress({ total: 0, done: 0, remaining: 0 }).share).toBe(0);
    expect(progress({ total: 5, done: 7, remaining: 0 }).done).toBe(5);
  });
});

describe("label distribution", () => {
  it("lists the config's labels in order, unused ones at 0, and extra labels after", () => {
    const [sentiment, ner, ...rest] = labelDistributions(
      [
        { from_name: "sentiment", type: "choices", counts: { Negative: 3, Positive: 1, Sarcastic: 1 } },
        { from_name: "ner", type: "labels", counts: { Org: 2, Person: 2 } },
      ],
      config,
    );
    expect(rest).toEqual([]);
    expect(sentiment?.total).toBe(5);
    expect(sentiment?.rows).toEqual([
      { label: "Positive", count: 1, share: 0.2, inConfig: true },
      { label: "Negative", count: 3, share: 0.6, inConfig: true },
      { label: "Neutral", count: 0, share: 0, inConfig: true },
      { label: "Sarcastic", count: 1, share: 0.2, inConfig: false },
    ]);
    expect(sentiment?.warnings).toEqual(["No answer uses “Neutral”."]);
    expect(ner?.warnings).toEqual([]);
  });
  it("warns when one label has more than 80% of the answers", () => {
    const [d] = labelDistributions([{ from_name: "ner", type: "labels", counts: { Person: 9, Org: 1 } }], config);
    expect(d?.rows.map((r) => r.share)).toEqual([0.9, 0.1]);
    expect(d?.warnings).toEqual(["“Person” has 90% of the answers: check for imbalance or bias."]);
    const [even] = labelDistributions([{ from_name: "ner", type: "labels", counts: { Person: 8, Org: 2 } }], config);
    expect(even?.warnings).toEqual([]);
  });
  it("lists config controls with no answers yet, and names several unused labels", () => {
    const ds = labelDistributions([{ from_name: "sentiment", type: "choices", counts: { Positive: 4 } }], config);
    expect(ds.map((d) => d.fromName)).toEqual(["sentiment", "ner"]);
    expect(ds[0]?.warnings).toEqual(["“Positive” has 100% of the answers: check for imbalance or bias.", "No answer uses “Negative”, “Neutral”."]);
    expect(ds[1]?.warnings).toEqual(["No answers yet."]);
    expect(ds[1]?.rows.map((r) => r.count)).toEqual([0, 0]);
  });
  it("works without a config (only the data's labels, most used first)", () => {
    const [d] = labelDistributions([{ from_name: "x", type: "choices", counts: { b: 1, a: 3, c: 1 } }], undefined);
    expect(d?.rows.map((r) => r.label)).toEqual(["a", "b", "c"]);
    expect(d?.rows.every((r) => !r.inConfig)).toBe(true);
    expect(d?.warnings).toEqual([]);
  });
});

describe("stale note", () => {
  it("is empty for live numbers and names the oldest saved time otherwise", () => {
    expect(staleNote([{ stale: false, as_of: "2026-11-30T02:00:00.000Z" }, undefined])).toBe("");
    expect(staleNote([{ stale: true, as_of: "2026-11-30T02:00:05.000Z" }, { stale: true, as_of: "2026-11-30T01:59:31.250Z" }])).toBe(
      "Showing the numbers counted as of 2026-11-30 01:59:31 UTC; the server is recounting them and this page updates by itself.");
    expect(staleNote([{ stale: true }])).toBe("Showing the numbers counted; the server is recounting them and this page updates by itself.");
  });
});
