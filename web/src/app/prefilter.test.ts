import { describe, expect, it } from "vitest";
import { filteredSummary } from "./prefilter";

describe("filteredSummary", () => {
  it("says nothing when nothing was filtered", () => {
    expect(filteredSummary(undefined)).toBe("");
    expect(filteredSummary({ duplicate: 0, blurry: 0 })).toBe("");
  });
  it("counts each reason in the server's order", () => {
    expect(filteredSummary({ unreadable: 2, duplicate: 1, empty: 0 })).toBe(
      "3 kept out of the queue: 1 duplicate, 2 unreadable or too small",
    );
    expect(filteredSummary({ near_duplicate: 4, empty: 1 })).toBe("5 kept out of the queue: 4 near-duplicate, 1 empty text");
  });
});
