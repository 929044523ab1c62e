import { describe, expect, it } from "vitest";
import type { Member } from "../model";
import { hasRole, mayManage, mayReview, personName, projectRole } from "./roles";
import {
  NOTHING, everything, isSelected, offerSelectAll, pageState, selectedCount, selectedItems, selectionText, setSelected, toggle,
} from "./selection";

describe("roles", () => {
  const members: Member[] = [
    { user: { id: 1, email: "o@x" }, role: "owner" },
    { user: { id: 2, email: "m@x" }, role: "manager" },
    { user: { id: 3, email: "r@x" }, role: "reviewer" },
    { user: { id: 4, email: "a@x" }, role: "annotator" },
  ];
  const who = (id: number, is_superuser = false) => ({ id, is_superuser });
  it("find the caller's role", () => {
    expect(projectRole(who(3), members)).toBe("reviewer");
    expect(projectRole(who(9, true), members)).toBe("admin");
    expect(projectRole(who(9), members)).toBeUndefined();
    expect(projectRole(who(3), undefined)).toBeUndefined();
  });
  it("offer review to reviewers and up, management to managers and up", () => {
    expect([1, 2, 3, 4].map((id) => mayReview(who(id), members))).toEqual([true, true, true, false]);
    expect([1, 2, 3, 4].map((id) => mayManage(who(id), members))).toEqual([true, true, false, false]);
    expect(mayManage(who(4, true), members)).toBe(true);
    // Unknown role: offered, and the page explains the server's 403.
    expect(mayManage(who(9), members)).toBe(true);
    expect(hasRole(who(4), members, "annotator")).toBe(true);
  });
  it("name people", () => {
    expect(personName({ id: 1, first_name: "Ann", last_name: "Lee", email: "a@x" })).toBe("Ann Lee");
    expect(personName({ id: 1, first_name: "", last_name: "", email: "a@x" })).toBe("a@x");
    expect(personName({ id: 7 })).toBe("user 7");
    expect(personName(null)).toBe("unknown");
  });
});

describe("task selection", () => {
  const page = [1, 2, 3];
  it("toggles single tasks and sends their ids", () => {
    let s = toggle(NOTHING, 2);
    s = toggle(s, 3);
    expect(isSelected(s, 2) && isSelected(s, 3) && !isSelected(s, 1)).toBe(true);
    expect(selectedItems(s)).toEqual({ all: false, included: [2, 3] });
    s = toggle(s, 2);
    expect(selectedItems(s)).toEqual({ all: false, included: [3] });
    expect(selectedCount(s, 100)).toBe(1);
    expect(NOTHING.all === false && NOTHING.ids.size === 0).toBe(true); // never mutated
  });
  it("selects and clears a whole page, with a mixed state in between", () => {
    expect(pageState(NOTHING, page)).toBe("none");
    const some = toggle(NOTHING, 1);
    expect(pageState(some, page)).toBe("some");
    const all = setSelected(some, page, true);
    expect(pageState(all, page)).toBe("all");
    expect(selectedItems(setSelected(all, page, false))).toEqual({ all: false, included: [] });
    expect(pageState(NOTHING, [])).toBe("none");
  });
  it("offers every task once a whole page is ticked", () => {
    const all = setSelected(NOTHING, page, true);
    expect(offerSelectAll(all, page, 40)).toBe(true);
    expect(offerSelectAll(all, page, 3)).toBe(false);
    expect(offerSelectAll(toggle(NOTHING, 1), page, 40)).toBe(false);
    expect(offerSelectAll(everything(), page, 40)).toBe(false);
  });
  it("every task except the ones unticked afterwards", () => {
    let s = everything();
    expect(selectedItems(s)).toEqual({ all: true, excluded: [] });
    expect(selectionText(s, 40)).toBe("All 40 tasks selected");
    s = toggle(s, 7);
    s = toggle(s, 5);
    expect(isSelected(s, 7)).toBe(false);
    expect(isSelected(s, 8)).toBe(true);
    expect(selectedItems(s)).toEqual({ all: true, excluded: [5, 7] });
    expect(selectedCount(s, 40)).toBe(38);
    expect(selectionText(s, 40)).toBe("All but 2: 38 of 40 tasks selected");
    s = setSelected(s, [5, 7], true);
    expect(selectedItems(s)).toEqual({ all: true, excluded: [] });
    expect(selectionText(toggle(NOTHING, 1), 40)).toBe("1 task selected");
  });
});
