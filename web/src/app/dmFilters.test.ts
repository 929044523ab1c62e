import { describe, expect, it } from "vitest";
import {
  type FilterRow, NO_FILTERS, columnCatalogue, dataKeys, findColumn, fromDmData, itemToRow, newRow, operatorsFor, orderingFromList,
  orderingList, rowToItem, sameQuery, toDmQuery, valueKind, viewData, withColumn, withOperator, withType,
} from "./dmFilters";

const catalogue = columnCatalogue(dataKeys(["text"], { text: "a cat", score: 3, meta: { source: "web" } }));
const row = (r: Partial<FilterRow> & Pick<FilterRow, "column">): FilterRow => ({ ...newRow(catalogue, r.column), ...r });

describe("the column catalogue", () => {
  it("lists the config's $variables first, then the first task's other keys, then the fixed columns", () => {
    expect(catalogue.slice(0, 3).map((c) => c.id)).toEqual(["data.text", "data.score", "data.meta"]);
    for (const id of ["id", "status", "annotators", "annotations_results", "agreement", "predictions_score", "guideline_version",
      "prefilter_flag", "ground_truth", "reviews_accepted", "completed_at"]) {
      expect(findColumn(catalogue, id)?.id).toBe(id);
    }
    expect(dataKeys([], undefined)).toEqual([]);
    // A data key from a shared link that the first task lacks is still a column.
    expect(findColumn(catalogue, "data.meta.source")?.types).toEqual(["String", "Number"]);
    expect(findColumn(catalogue, "nonsense")).toBeUndefined();
  });

  it("offers only the operators valid for each column's type", () => {
    const ops = (id: string, type = findColumn(catalogue, id)!.type) => operatorsFor(findColumn(catalogue, id)!, type);
    expect(ops("data.text")).toContain("contains");
    expect(ops("data.text")).not.toContain("less");
    expect(ops("data.score", "Number")).toContain("in");
    expect(ops("data.score", "Number")).not.toContain("contains");
    expect(ops("annotators")).toEqual(["contains", "not_contains", "empty"]);
    expect(ops("ground_truth")).toEqual(["equal"]);
    expect(ops("completed_at")).not.toContain("equal");
    expect(ops("agreement")).toContain("empty");
    expect(ops("id")).not.toContain("empty");
    expect(valueKind(findColumn(catalogue, "data.score")!, "Number")).toBe("number");
    expect(valueKind(findColumn(catalogue, "annotators")!, "List")).toBe("user");
  });
});

describe("filter rows", () => {
  it("start with a valid operator and a value of the right kind", () => {
    expect(newRow(catalogue, "status")).toEqual({ column: "status", type: "String", operator: "equal", value: "labeled" });
    expect(newRow(catalogue, "prefilter_flag").value).toBe("duplicate");
    expect(newRow(catalogue, "ground_truth")).toEqual({ column: "ground_truth", type: "Boolean", operator: "equal", value: "true" });
  });

  it("keep what still fits when the column, type or operator changes", () => {
    const text = row({ column: "data.text", operator: "contains", value: "cat" });
    expect(withColumn(text, catalogue, "data.meta")).toEqual({ ...text, column: "data.meta" });
    // A number column cannot "contain": the operator and value are reset.
    expect(withColumn(text, catalogue, "agreement")).toEqual({ column: "agreement", type: "Number", operator: "equal", value: "" });
    const asNumber = withType(text, catalogue, "Number");
    expect(asNumber.type).toBe("Number");
    expect(asNumber.operator).toBe("equal");
    const range = withOperator(row({ column: "agreement", value: "5" }), catalogue, "in");
    expect(range.value).toEqual({ min: "", max: "" });
    expect(withOperator(row({ column: "agreement", value: "5" }), catalogue, "less").value).toBe("5");
    expect(withOperator(row({ column: "agreement", value: "5" }), catalogue, "empty").value).toBe("true");
  });

  it("become Label Studio filter items with typed values", () => {
    expect(rowToItem(row({ column: "data.text", operator: "contains", value: " cat " }), catalogue)).toEqual({
      item: { filter: "filter:tasks:data.text", operator: "contains", type: "String", value: "cat" },
    });
    expect(rowToItem(row({ column: "data.score", type: "Number", operator: "greater_or_equal", value: "2.5" }), catalogue)).toEqual({
      item: { filter: "filter:tasks:data.score", operator: "greater_or_equal", type: "Number", value: 2.5 },
    });
    expect(rowToItem(row({ column: "agreement", operator: "in", value: { min: "10", max: "60" } }), catalogue)).toEqual({
      item: { filter: "filter:tasks:agreement", operator: "in", type: "Number", value: { min: 10, max: 60 } },
    });
    expect(rowToItem(row({ column: "agreement", operator: "empty", value: "false" }), catalogue)).toEqual({
      item: { filter: "filter:tasks:agreement", operator: "empty", type: "Number", value: false },
    });
    expect(rowToItem(row({ column: "annotators", operator: "contains", value: "7" }), catalogue)).toEqual({
      item: { filter: "filter:tasks:annotators", operator: "contains", type: "List", value: 7 },
    });
    expect(rowToItem(row({ column: "ground_truth", value: "false" }), catalogue)).toEqual({
      item: { filter: "filter:tasks:ground_truth", operator: "equal", type: "Boolean", value: false },
    });
    const when = "2026-11-29T10:00";
    expect(rowToItem(row({ column: "completed_at", operator: "greater", value: when }), catalogue)).toEqual({
      item: { filter: "filter:tasks:completed_at", operator: "greater", type: "Datetime", value: new Date(when).toISOString() },
    });
  });

  it("say why an incomplete or invalid row is left out", () => {
    expect(rowToItem(row({ column: "data.text", value: "" }), catalogue)).toEqual({ problem: "enter a value" });
    expect(rowToItem(row({ column: "agreement", value: "high" }), catalogue)).toEqual({ problem: '"high" is not a number' });
    expect(rowToItem(row({ column: "agreement", operator: "in", value: { min: "1", max: "" } }), catalogue)).toEqual({ problem: "to: enter a value" });
    expect(rowToItem(row({ column: "completed_at", operator: "less", value: "someday" }), catalogue)).toEqual({ problem: '"someday" is not a date' });
    expect(rowToItem({ column: "id", type: "Number", operator: "contains", value: "1" }, catalogue)).toEqual({ problem: '"contains" does not apply to ID' });
  });
});

describe("Label Studio's query JSON", () => {
  const state = {
    filters: [
      row({ column: "data.text", operator: "contains", value: "cat" }),
      row({ column: "agreement", operator: "less", value: "" }), // incomplete: left out
      row({ column: "prefilter_flag", operator: "empty", value: "true" }),
    ],
    conjunction: "or" as const,
    search: " tabby ",
    ordering: "-data.score",
  };

  it("holds the complete rows, the ordering and the search", () => {
    expect(toDmQuery(state, catalogue)).toEqual({
      filters: {
        conjunction: "or",
        items: [
          { filter: "filter:tasks:data.text", operator: "contains", type: "String", value: "cat" },
          { filter: "filter:tasks:prefilter_flag", operator: "empty", type: "String", value: true },
        ],
      },
      ordering: ["-tasks:data.score"],
      search: "tabby",
    });
    expect(toDmQuery(NO_FILTERS, catalogue)).toEqual({});
  });

  it("reads back into rows (a saved view round-trips)", () => {
    const back = fromDmData(toDmQuery(state, catalogue), catalogue);
    expect(back.conjunction).toBe("or");
    expect(back.search).toBe("tabby");
    expect(back.ordering).toBe("-data.score");
    expect(back.filters).toEqual([state.filters[0], { ...state.filters[2], value: "true" }]);
    expect(sameQuery(back, state, catalogue)).toBe(true);
    expect(sameQuery(back, { ...state, search: "other" }, catalogue)).toBe(false);
  });

  it("drops items naming unknown columns or operators invalid for the type", () => {
    expect(itemToRow({ filter: "filter:tasks:bogus", operator: "equal", type: "Number", value: 1 }, catalogue)).toBeUndefined();
    expect(itemToRow({ filter: "filter:tasks:agreement", operator: "contains", type: "Number", value: 1 }, catalogue)).toBeUndefined();
    expect(itemToRow({ filter: "tasks:agreement", operator: "equal", type: "Number", value: 1 }, catalogue)).toBeUndefined();
    expect(itemToRow("nonsense", catalogue)).toBeUndefined();
    expect(itemToRow({ filter: "filter:tasks:data.score", operator: "in", type: "Number", value: { min: 1, max: 4 } }, catalogue)).toEqual({
      column: "data.score", type: "Number", operator: "in", value: { min: "1", max: "4" },
    });
    expect(fromDmData({ filters: { conjunction: "and", items: "x" as never } }, catalogue).filters).toEqual([]);
  });

  it("gives a view every key, so saving an emptied filter clears it", () => {
    expect(viewData({}, "or")).toEqual({ filters: { conjunction: "or", items: [] }, ordering: [], search: "" });
    expect(viewData(toDmQuery(state, catalogue), "or").search).toBe("tabby");
  });

  it("writes and reads orderings", () => {
    expect(orderingList("id")).toEqual(["tasks:id"]);
    expect(orderingList("-agreement")).toEqual(["-tasks:agreement"]);
    expect(orderingList(undefined)).toEqual([]);
    expect(orderingFromList(["-tasks:data.score"])).toBe("-data.score");
    expect(orderingFromList("tasks:id")).toBe("id");
    expect(orderingFromList([])).toBeUndefined();
  });
});
