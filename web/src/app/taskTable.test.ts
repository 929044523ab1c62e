import { describe, expect, it } from "vitest";
import { columnCatalogue } from "./dmFilters";
import { parseRoute } from "./router";
import {
  EMPTY_QUERY, actionQuery, ariaSort, exportHref, isFiltered, nextOrdering, parseTaskQuery, queryOfView, taskListParams, taskTableHref,
} from "./taskTable";

const catalogue = columnCatalogue(["text"]);
const parse = (s: string) => parseTaskQuery(new URLSearchParams(s));

describe("task table sort and filter", () => {
  it("reads the API's ordering and status from the URL, ignoring other values", () => {
    expect(parse("ordering=-total_annotations&status=unlabeled")).toEqual({ ...EMPTY_QUERY, ordering: "-total_annotations", status: "unlabeled", explicit: true });
    expect(parse("ordering=name&status=done")).toEqual({ ...EMPTY_QUERY, explicit: true });
    expect(parseRoute("/projects/7", "?page=2&ordering=-id&status=labeled")).toEqual({
      page: "project", id: 7, pageNo: 2, query: { ...EMPTY_QUERY, ordering: "-id", status: "labeled", explicit: true },
    });
  });
  it("writes shareable URLs and toggles the direction", () => {
    expect(taskTableHref(7, 1, EMPTY_QUERY)).toBe("/projects/7");
    expect(taskTableHref(7, 3, { ...EMPTY_QUERY, ordering: "-id", status: "unlabeled" })).toBe("/projects/7?page=3&ordering=-id&status=unlabeled");
    expect(nextOrdering(undefined, "total_annotations")).toBe("total_annotations");
    expect(nextOrdering("total_annotations", "total_annotations")).toBe("-total_annotations");
    expect(nextOrdering("-total_annotations", "total_annotations")).toBe("total_annotations");
    expect(nextOrdering("-id", "data.text")).toBe("data.text");
    expect(ariaSort(undefined, "id")).toBe("ascending");
    expect(ariaSort("-id", "id")).toBe("descending");
    expect(ariaSort("-id", "total_annotations")).toBe("none");
  });
});

describe("data-manager state in the URL", () => {
  const href = "/projects/7?page=2&view=3&conjunction=or&f=data.text%3Acontains%3Aa+b%3Ac&f=data.score%3Anumber%3Ain%3A1..5" +
    "&f=agreement%3Aempty%3Atrue&search=tabby&ordering=-data.score";
  it("reads filters, conjunction, search, ordering and the view", () => {
    const q = parseRoute("/projects/7", href.slice(href.indexOf("?")));
    expect(q).toEqual({
      page: "project", id: 7, pageNo: 2,
      query: {
        view: 3, explicit: true, status: undefined, conjunction: "or", search: "tabby", ordering: "-data.score",
        filters: [
          { column: "data.text", type: "String", operator: "contains", value: "a b:c" },
          { column: "data.score", type: "Number", operator: "in", value: { min: "1", max: "5" } },
          { column: "agreement", type: "Number", operator: "empty", value: "true" },
        ],
      },
    });
  });
  it("writes the same URL back", () => {
    const r = parseRoute("/projects/7", href.slice(href.indexOf("?")));
    if (r.page !== "project") throw new Error("not the project page");
    expect(taskTableHref(7, 2, r.query)).toBe(href);
  });
  it("drops malformed filters and orderings", () => {
    const q = parse("f=agreement:contains:x&f=nope:equal:1&f=id&ordering=-data.a b&ordering=annotators");
    expect(q.filters).toEqual([]);
    expect(q.ordering).toBeUndefined();
    expect(parse("ordering=tasks:agreement").ordering).toBe("agreement");
  });
  it("a bare ?view=V is not explicit: the view's saved filters apply", () => {
    expect(parse("view=4")).toEqual({ ...EMPTY_QUERY, view: 4 });
    // Once the view is opened, its URL spells everything out, even with no filters.
    const opened = queryOfView({ id: 4, data: { title: "Mine", filters: { conjunction: "and", items: [] } } }, catalogue);
    expect(taskTableHref(7, 1, opened)).toBe("/projects/7?view=4&conjunction=and");
    expect(parse("view=4&conjunction=and").explicit).toBe(true);
  });
  it("reads Label Studio's ?query= link", () => {
    const ls = { filters: { conjunction: "and", items: [{ filter: "filter:tasks:data.text", operator: "equal", type: "String", value: "x" }] },
      ordering: ["-tasks:agreement"], search: "hello" };
    const q = parse(`query=${encodeURIComponent(JSON.stringify(ls))}`);
    expect(q.filters).toEqual([{ column: "data.text", type: "String", operator: "equal", value: "x" }]);
    expect(q.ordering).toBe("-agreement");
    expect(q.search).toBe("hello");
    expect(parse("query=%7Bnot json").filters).toEqual([]);
  });
});

describe("requests from the table's state", () => {
  const filtered = { ...EMPTY_QUERY, filters: [{ column: "data.text", type: "String" as const, operator: "contains" as const, value: "cat" }] };
  it("uses the plain parameters when they suffice, else the query JSON", () => {
    expect(taskListParams({ ...EMPTY_QUERY, ordering: "-total_annotations", status: "labeled" }, catalogue)).toEqual({ ordering: "-total_annotations", status: "labeled" });
    expect(taskListParams(EMPTY_QUERY, catalogue)).toEqual({});
    expect(taskListParams({ ...EMPTY_QUERY, ordering: "-data.text" }, catalogue)).toEqual({ query: '{"ordering":["-tasks:data.text"]}' });
    expect(JSON.parse(taskListParams({ ...filtered, search: "tabby" }, catalogue).query ?? "")).toEqual({
      filters: { conjunction: "and", items: [{ filter: "filter:tasks:data.text", operator: "contains", type: "String", value: "cat" }] },
      search: "tabby",
    });
    expect(isFiltered(filtered, catalogue)).toBe(true);
    // An incomplete row does not filter.
    expect(isFiltered({ ...filtered, filters: [{ ...filtered.filters[0]!, value: "" }] }, catalogue)).toBe(false);
  });
  it("folds the status into an action's filters, refusing it next to OR", () => {
    expect(actionQuery({ ...filtered, status: "unlabeled" }, catalogue)).toEqual({
      query: { filters: { conjunction: "and", items: [
        { filter: "filter:tasks:data.text", operator: "contains", type: "String", value: "cat" },
        { filter: "filter:tasks:status", operator: "equal", type: "String", value: "unlabeled" },
      ] } },
    });
    const two = { ...filtered, conjunction: "or" as const, filters: [filtered.filters[0]!, filtered.filters[0]!], status: "labeled" as const };
    expect("problem" in actionQuery(two, catalogue)).toBe(true);
    expect(actionQuery(filtered, catalogue)).toEqual({ query: { filters: { conjunction: "and", items: [expect.objectContaining({ value: "cat" })] } } });
  });
  it("builds the export URL for picked ids or for the query", () => {
    expect(exportHref(7, "CSV", { ids: [3, 5] })).toBe("/api/projects/7/export?exportType=CSV&ids=3%2C5");
    expect(exportHref(7, "JSON", { query: { search: "cat" } })).toBe(`/api/projects/7/export?exportType=JSON&query=${encodeURIComponent('{"search":"cat"}')}`);
    expect(exportHref(7, "JSON", { query: {} })).toBe("/api/projects/7/export?exportType=JSON");
    expect(exportHref(7, "JSON", { ids: [3] }, true)).toBe("/api/projects/7/export?exportType=JSON&ids=3&download_all_tasks=true");
    expect(exportHref(7, "COCO", { ids: [3] }, false, "consensus")).toBe("/api/projects/7/export?exportType=COCO&ids=3&annotations=consensus");
    expect(exportHref(7, "CSV", { query: {} }, true, "accepted")).toBe("/api/projects/7/export?exportType=CSV&download_all_tasks=true&annotations=accepted");
    // JSON carries every annotation whatever is picked, so the link does not pretend otherwise.
    expect(exportHref(7, "JSON", { ids: [3] }, false, "latest")).toBe("/api/projects/7/export?exportType=JSON&ids=3");
  });
});
