import { describe, expect, it } from "vitest";
import type { HistoryEvent, Member, ResultEntry } from "../model";
import { queryString } from "./api";
import {
  DEFAULT_FILTERS, afterAction, authorName, historyLine, neighbour, parseAgreement, parseReviewFilters, pickSelection, queueQuery,
  resultSummary, reviewKey, reviewSearch, shortTime, showsAgreement,
} from "./review";

const q = (s: string) => new URLSearchParams(s);

describe("review filters", () => {
  it("read the URL, falling back to defaults", () => {
    expect(parseReviewFilters(q(""))).toEqual(DEFAULT_FILTERS);
    expect(parseReviewFilters(q("annotator=3&label=%20Person%20&state=rejected&max_agreement=0.4&order=agreement"))).toEqual({
      annotator: 3, label: "Person", state: "rejected", maxAgreement: 0.4, order: "agreement",
    });
    expect(parseReviewFilters(q("annotator=x&state=bogus&max_agreement=2&order=random"))).toEqual(DEFAULT_FILTERS);
    expect(parseReviewFilters(q("annotator=0")).annotator).toBeUndefined();
    expect(parseReviewFilters(q("max_agreement=0")).maxAgreement).toBe(0);
  });
  it("parse max agreement only in [0, 1]", () => {
    expect(parseAgreement("0.5")).toBe(0.5);
    expect(parseAgreement("1")).toBe(1);
    expect(parseAgreement("")).toBeUndefined();
    expect(parseAgreement(" ")).toBeUndefined();
    expect(parseAgreement("-0.1")).toBeUndefined();
    expect(parseAgreement("1.5")).toBeUndefined();
    expect(parseAgreement("abc")).toBeUndefined();
  });
  it("become the API query and the page URL, defaults left out, round-tripping", () => {
    expect(queueQuery(DEFAULT_FILTERS)).toEqual({});
    expect(reviewSearch(DEFAULT_FILTERS)).toBe("");
    const f = { annotator: 7, label: "A&B", state: "fixed", maxAgreement: 0.25, order: "agreement" } as const;
    expect(queueQuery(f)).toEqual({ annotator: 7, label: "A&B", state: "fixed", max_agreement: 0.25, order: "agreement" });
    expect(queryString(queueQuery(f))).toBe("?annotator=7&label=A%26B&state=fixed&max_agreement=0.25&order=agreement");
    expect(parseReviewFilters(q(reviewSearch(f).slice(1)))).toEqual(f);
  });
  it("show agreement when ordering or filtering by it", () => {
    expect(showsAgreement(DEFAULT_FILTERS)).toBe(false);
    expect(showsAgreement({ ...DEFAULT_FILTERS, order: "agreement" })).toBe(true);
    expect(showsAgreement({ ...DEFAULT_FILTERS, maxAgreement: 0 })).toBe(true);
  });
});

describe("moving through the queue", () => {
  const ids = [10, 11, 12, 13];
  it("J/K step and stay at the ends", () => {
    expect(neighbour(ids, 11, 1)).toBe(12);
    expect(neighbour(ids, 11, -1)).toBe(10);
    expect(neighbour(ids, 13, 1)).toBe(13);
    expect(neighbour(ids, 10, -1)).toBe(10);
    expect(neighbour(ids, null, 1)).toBe(10);
    expect(neighbour(ids, 99, -1)).toBe(10);
    expect(neighbour([], null, 1)).toBeNull();
  });
  it("after an action go to the next item, else the previous", () => {
    expect(afterAction(ids, 11)).toEqual({ wanted: 12, index: 1 });
    expect(afterAction(ids, 13)).toEqual({ wanted: 12, index: 3 });
    expect(afterAction([5], 5)).toEqual({ wanted: null, index: 0 });
    expect(afterAction(ids, 99)).toEqual({ wanted: 10, index: 0 });
  });
  it("pick the wanted item in the reloaded queue, else the one now at the old place", () => {
    // 11 was accepted and left the queue: 12 is shown.
    expect(pickSelection([10, 12, 13], 12, 1)).toBe(12);
    // 12 vanished too (someone else reviewed it): whatever is now at index 1.
    expect(pickSelection([10, 13], 12, 1)).toBe(13);
    expect(pickSelection([10], 12, 3)).toBe(10);
    expect(pickSelection([], 12, 0)).toBeNull();
    expect(pickSelection([10, 11], null, 0)).toBe(10);
  });
  it("maps A, R, J, K (either case) and nothing else", () => {
    expect(reviewKey({ key: "a" })).toBe("accept");
    expect(reviewKey({ key: "A" })).toBe("accept");
    expect(reviewKey({ key: "r" })).toBe("reject");
    expect(reviewKey({ key: "j" })).toBe("next");
    expect(reviewKey({ key: "k" })).toBe("previous");
    expect(reviewKey({ key: "x" })).toBeNull();
    expect(reviewKey({ key: "a", ctrlKey: true })).toBeNull();
    expect(reviewKey({ key: "r", metaKey: true })).toBeNull();
    expect(reviewKey({ key: "j", altKey: true })).toBeNull();
  });
});

describe("words", () => {
  const members: Member[] = [
    { user: { id: 2, email: "ann@x.io", first_name: "Ann", last_name: "Lee" }, role: "annotator" },
    { user: { id: 3, email: "bob@x.io" }, role: "annotator" },
  ];
  it("name the author from the members, else from created_username", () => {
    expect(authorName({ completed_by: 2, created_username: "whatever" }, members)).toBe("Ann Lee");
    expect(authorName({ completed_by: 3 }, members)).toBe("bob@x.io");
    expect(authorName({ completed_by: 9, created_username: "Cy Young cy@x.io, 9" }, members)).toBe("Cy Young");
    expect(authorName({ completed_by: 9, created_username: " cy@x.io, 9" }, undefined)).toBe("cy@x.io");
    expect(authorName({ completed_by: 9, created_username: "" }, undefined)).toBe("user 9");
    expect(authorName({}, undefined)).toBe("unknown");
  });
  it("summarise results by control", () => {
    const result: ResultEntry[] = [
      { from_name: "sentiment", to_name: "text", type: "choices", value: { choices: ["Positive"] } },
      { id: "a", from_name: "ner", to_name: "text", type: "labels", value: { start: 0, end: 3, text: "Ada", labels: ["Person"] } },
      { id: "b", from_name: "ner", to_name: "text", type: "labels", value: { start: 9, end: 12, text: "IBM", labels: ["Org"] } },
      { id: "c", from_name: "ner", to_name: "text", type: "labels", value: { start: 20, end: 23, text: "Bob", labels: ["Person"] } },
      { from_name: "box", to_name: "img", type: "rectangle", value: { x: 1, y: 1, width: 2, height: 2 } },
      { from_name: "note", to_name: "text", type: "textarea", value: { text: ["looks fine"] } },
      { from_name: "stars", to_name: "text", type: "rating", value: { rating: 4 } },
      { type: "relation", from_id: "a", to_id: "b" },
    ];
    expect(resultSummary(result)).toBe(
      "sentiment: Positive · ner: 3 regions (Person, Org) · box: 1 region · note: looks fine · stars: 4★ · 1 relation",
    );
    expect(resultSummary([])).toBe("empty result");
    expect(resultSummary(undefined)).toBe("empty result");
  });
  it("write history events as sentences", () => {
    const ann = { id: 2, first_name: "Ann", last_name: "Lee", email: "ann@x.io" };
    const rita = { id: 4, email: "rita@x.io" };
    const v = (over: Partial<HistoryEvent>): HistoryEvent => ({ type: "version", version: 1, action: "submitted", user: ann, created_at: "2024-06-11T14:03:05.000000Z", ...over });
    expect(historyLine(v({}))).toBe("Version 1 submitted by Ann Lee");
    expect(historyLine(v({ version: 2, action: "fixed", user: rita, current: true }))).toBe("Version 2 fixed by rita@x.io (current)");
    expect(historyLine(v({ type: "review", action: "rejected", user: rita, comment: "Wrong label" }))).toBe("Rejected by rita@x.io: “Wrong label”");
    expect(historyLine(v({ type: "review", action: "accepted", user: rita, comment: "" }))).toBe("Accepted by rita@x.io");
    expect(historyLine(v({ type: "review", action: "fixed", user: null }))).toBe("Fixed and accepted by unknown");
    expect(shortTime("2024-06-11T14:03:05.000000Z")).toBe("2024-06-11 14:03");
    expect(shortTime(undefined)).toBe("");
  });
});
