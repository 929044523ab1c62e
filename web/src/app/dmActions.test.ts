import { describe, expect, it } from "vitest";
import { actionRequest, confirmText, needsConfirm, resultText, sortActions } from "./dmActions";

const del = { id: "delete_tasks", title: "Delete tasks", order: 100 };
const gt = { id: "mark_ground_truth", title: "Mark ground truth", order: 10 };
const requeue = { id: "requeue", title: "Re-queue", order: 20, dialog: { text: "Locks and skips are cleared.", type: "confirm" } };

describe("bulk actions", () => {
  it("confirm destructive actions and those the server gives a dialog", () => {
    expect(needsConfirm(del)).toBe(true);
    expect(needsConfirm(requeue)).toBe(true);
    expect(needsConfirm(gt)).toBe(false);
    expect(confirmText(del, 1)).toBe("Delete tasks for 1 task? This cannot be undone.");
    expect(confirmText(requeue, 3)).toBe("Locks and skips are cleared. Re-queue for 3 tasks?");
  });
  it("are listed by order and send the selection with the table's query", () => {
    expect(sortActions([del, requeue, gt]).map((a) => a.id)).toEqual(["mark_ground_truth", "requeue", "delete_tasks"]);
    expect(actionRequest({ all: true, excluded: [4] }, { search: "cat" })).toEqual({ selectedItems: { all: true, excluded: [4] }, search: "cat" });
    expect(actionRequest({ all: false, included: [1, 2] }, {}, { type: "AN", users: [7] })).toEqual({
      selectedItems: { all: false, included: [1, 2] }, type: "AN", users: [7],
    });
  });
  it("report the server's count", () => {
    expect(resultText(gt, { processed_items: 2 })).toBe("Mark ground truth: 2 tasks processed.");
    expect(resultText(del, { processed_items: 1, detail: "Deleted 1 task" })).toBe("Delete tasks: 1 task processed. Deleted 1 task");
  });
});
