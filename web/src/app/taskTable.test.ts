import { describe, expect, it } from "vitest";
import { parseRoute } from "./router";
import { ariaSort, nextOrdering, parseTaskQuery, taskTableHref } from "./taskTable";

describe("task table sort and filter", () => {
  it("reads the API's ordering and status from the URL, ignoring other values", () => {
    expect(parseTaskQuery(new URLSearchParams("ordering=-total_annotations&status=unlabeled"))).toEqual({ ordering: "-total_annotations", status: "unlabeled" });
    expect(parseTaskQuery(new URLSearchParams("ordering=name&status=done"))).toEqual({ ordering: undefined, status: undefined });
    expect(parseRoute("/projects/7", "?page=2&ordering=-id&status=labeled")).toEqual({ page: "project", id: 7, pageNo: 2, query: { ordering: "-id", status: "labeled" } });
  });
  it("writes shareable URLs and toggles the direction", () => {
    expect(taskTableHref(7, 1, { ordering: undefined, status: undefined })).toBe("/projects/7");
    expect(taskTableHref(7, 3, { ordering: "-id", status: "unlabeled" })).toBe("/projects/7?page=3&ordering=-id&status=unlabeled");
    expect(nextOrdering(undefined, "total_annotations")).toBe("total_annotations");
    expect(nextOrdering("total_annotations", "total_annotations")).toBe("-total_annotations");
    expect(nextOrdering("-total_annotations", "total_annotations")).toBe("total_annotations");
    expect(ariaSort(undefined, "id")).toBe("ascending");
    expect(ariaSort("-id", "id")).toBe("descending");
    expect(ariaSort("-id", "total_annotations")).toBe("none");
  });
});
