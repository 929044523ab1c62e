import { describe, expect, it } from "vitest";
import { rowWindow } from "./windowing";

describe("list windowing", () => {
  it("draws the rows in view plus the overscan", () => {
    expect(rowWindow(0, 300, 30, 1000, 5)).toEqual({ first: 0, last: 15 });
    expect(rowWindow(3000, 300, 30, 1000, 5)).toEqual({ first: 95, last: 115 });
  });
  it("stops at the ends of the list", () => {
    expect(rowWindow(29_900, 300, 30, 1000, 5)).toEqual({ first: 991, last: 1000 });
    expect(rowWindow(99_999, 300, 30, 1000, 5)).toEqual({ first: 999, last: 1000 });
    expect(rowWindow(-50, 300, 30, 3, 5)).toEqual({ first: 0, last: 3 });
    expect(rowWindow(0, 300, 30, 0, 5)).toEqual({ first: 0, last: 0 });
  });
});
