import { describe, expect, it } from "vitest";
import { parseRoute } from "./router";

describe("routes", () => {
  it("maps every page's URL", () => {
    expect(parseRoute("/login", "?next=/projects/3")).toEqual({ page: "login", next: "/projects/3" });
    expect(parseRoute("/")).toEqual({ page: "projects" });
    expect(parseRoute("/projects/")).toEqual({ page: "projects" });
    expect(parseRoute("/projects/7", "?page=3")).toEqual({ page: "project", id: 7, pageNo: 3 });
    expect(parseRoute("/projects/7/settings")).toEqual({ page: "settings", id: 7 });
    expect(parseRoute("/projects/7/label")).toEqual({ page: "label", id: 7 });
    expect(parseRoute("/projects/7/tasks/42")).toEqual({ page: "task", id: 7, taskId: 42 });
    expect(parseRoute("/projects/x")).toEqual({ page: "notFound", path: "/projects/x" });
    expect(parseRoute("/nope")).toEqual({ page: "notFound", path: "/nope" });
  });
});
