import { describe, expect, it } from "vitest";
import { parseLabelingConfig } from "./config";
import { dateTimeMode, dateTimeValue, toggleTaxonomyPath } from "./datetime";

function control(only: string | null) {
  const r = parseLabelingConfig(`<View><Text name="t" value="$text"/><DateTime name="d" toName="t"${only === null ? "" : ` only="${only}"`}/></View>`);
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.config.controls[0]!;
}

describe("DateTime", () => {
  it("reads `only` as Label Studio does", () => {
    expect(dateTimeMode(control(null))).toBe("datetime");
    expect(dateTimeMode(control("date,time"))).toBe("datetime");
    expect(dateTimeMode(control("date"))).toBe("date");
    expect(dateTimeMode(control("time"))).toBe("time");
    expect(dateTimeMode(control("month,year"))).toBe("month");
    expect(dateTimeMode(control("year"))).toBe("year");
    expect(dateTimeMode(control("date, month"))).toBe("date");
  });

  it("writes LS's strings and refuses others", () => {
    expect(dateTimeValue("datetime", "2024-02-29T13:05:09")).toBe("2024-02-29T13:05");
    expect(dateTimeValue("date", "2024-02-29")).toBe("2024-02-29");
    expect(dateTimeValue("time", "07:30:00")).toBe("07:30");
    expect(dateTimeValue("month", "2024-02")).toBe("2024-02");
    expect(dateTimeValue("year", "1999")).toBe("1999");
    expect(dateTimeValue("date", "")).toBeNull();
    expect(dateTimeValue("year", "99")).toBeNull();
    expect(dateTimeValue("date", "2024-02-29T10:00")).toBeNull();
  });
});

describe("Taxonomy", () => {
  it("toggles whole paths; single choice replaces", () => {
    let v = toggleTaxonomyPath(undefined, ["Animal", "Cat"], true);
    expect(v).toEqual([["Animal", "Cat"]]);
    v = toggleTaxonomyPath(v, ["Animal"], true);
    expect(v).toEqual([["Animal", "Cat"], ["Animal"]]);
    v = toggleTaxonomyPath(v, ["Animal", "Cat"], true);
    expect(v).toEqual([["Animal"]]);
    expect(toggleTaxonomyPath(v, ["Plant"], false)).toEqual([["Plant"]]);
    expect(toggleTaxonomyPath([["Plant"]], ["Plant"], false)).toEqual([]);
    expect(toggleTaxonomyPath(["junk", ["ok"]], ["x"], true)).toEqual([["ok"], ["x"]]);
  });
});
