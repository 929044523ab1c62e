import { describe, expect, it } from "vitest";
import { parseRoute } from "./router";

describe("routes", () => {
  it("maps every page's URL", () => {
    expect(parseRoute("/login", "?next=/projects/3")).toEqual({ page: "login", next: "/projects/3" });
    expect(parseRoute("/")).toEqual({ page: "projects" });
    expect(parseRoute("/projects/")).toEqual({ page: "projects" });
    expect(parseRoute("/projects/7", "?page=3")).toEqual({ page: "project", id: 7, pageNo: 3, query: { view: undefined, filters: [], conjunction: "and", search: "", ordering: undefined, status: undefined, explicit: false } });
    expect(parseRoute("/projects/7/settings")).toEqual({ page: "settings", id: 7 });
    expect(parseRoute("/projects/7/label")).toEqual({ page: "label", id: 7 });
    expect(parseRoute("/projects/7/tasks/42")).toEqual({ page: "task", id: 7, taskId: 42 });
    expect(parseRoute("/projects/7/quality")).toEqual({ page: "quality", id: 7, threshold: undefined });
    expect(parseRoute("/projects/7/quality/", "?threshold=0.75")).toEqual({ page: "quality", id: 7, threshold: 0.75 });
    expect(parseRoute("/projects/7/quality", "?threshold=-0.2")).toEqual({ page: "quality", id: 7, threshold: -0.2 });
    expect(parseRoute("/projects/7/quality", "?threshold=2")).toEqual({ page: "quality", id: 7, threshold: undefined });
    expect(parseRoute("/projects/7/quality", "?threshold=abc")).toEqual({ page: "quality", id: 7, threshold: undefined });
    expect(parseRoute("/projects/7/review")).toEqual({
      page: "review", id: 7, filters: { annotator: undefined, label: "", state: "pending", maxAgreement: undefined, order: "id" },
    });
    expect(parseRoute("/projects/7/review", "?annotator=3&state=rejected&order=agreement&max_agreement=0.5&label=Org")).toEqual({
      page: "review", id: 7, filters: { annotator: 3, label: "Org", state: "rejected", maxAgreement: 0.5, order: "agreement" },
    });
    expect(parseRoute("/projects/7/dashboard")).toEqual({ page: "dashboard", id: 7, accuracyThreshold: undefined, agreementThreshold: undefined });
    expect(parseRoute("/projects/x")).toEqual({ page: "notFound", path: "/projects/x" });
    expect(parseRoute("/nope")).toEqual({ page: "notFound", path: "/nope" });
  });
});
