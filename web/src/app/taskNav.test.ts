import { describe, expect, it } from "vitest";
import { type KeyValueStore, neighbours, rememberSubmitted, submittedInSession } from "./taskNav";

const memory = (): KeyValueStore => {
  const m = new Map<string, string>();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v) };
};

describe("task navigation", () => {
  it("finds neighbours in id order", () => {
    expect(neighbours([5, 2, 9, 7], 7)).toEqual({ prev: 5, next: 9, position: 3 });
    expect(neighbours([5, 2, 9, 7], 2)).toEqual({ prev: null, next: 5, position: 1 });
    expect(neighbours([5, 2, 9, 7], 9)).toEqual({ prev: 7, next: null, position: 4 });
    expect(neighbours([5, 2, 9], 6)).toEqual({ prev: 5, next: 9, position: 0 });
    expect(neighbours([], 1)).toEqual({ prev: null, next: null, position: 0 });
  });
  it("remembers the stream's submitted tasks per project, newest last, without repeats", () => {
    const s = memory();
    rememberSubmitted(s, 1, 10);
    rememberSubmitted(s, 1, 11);
    rememberSubmitted(s, 2, 99);
    rememberSubmitted(s, 1, 10);
    expect(submittedInSession(s, 1)).toEqual([11, 10]);
    expect(submittedInSession(s, 2)).toEqual([99]);
    s.setItem("tessera.stream.3", "not json");
    expect(submittedInSession(s, 3)).toEqual([]);
  });
});
