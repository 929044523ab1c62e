import { describe, expect, it } from "vitest";
import { parseLabelingConfig } from "../model";
import {
  type DiffLine, diffHunks, diffSummary, labelLinks, searchSections, sectionForLabel, slugify, splitSections,
} from "./guidelines";

const GUIDE = [
  "Read all of this.",
  "",
  "# Persons",
  "Mark full names. Titles like *Dr.* are not part of the name.",
  "## Edge cases",
  "Nicknames count.",
  "```",
  "# not a heading inside code",
  "```",
  "# Organisations:",
  "Companies, agencies.",
  "## Edge cases",
  "A band is an organisation.",
  "### Ünïcode  & spaces ###",
  "done",
].join("\n");

describe("guideline sections", () => {
  it("makes readable, unique anchors", () => {
    expect(slugify("Edge cases")).toBe("g-edge-cases");
    expect(slugify("  Ünïcode  & spaces ")).toBe("g-ünïcode-spaces");
    expect(slugify("***")).toBe("g-section");
  });
  it("splits at ATX headings, not inside code fences, with the intro first", () => {
    const sections = splitSections(GUIDE);
    expect(sections.map((s) => [s.level, s.title, s.anchor])).toEqual([
      [0, "", "g-intro"],
      [1, "Persons", "g-persons"],
      [2, "Edge cases", "g-edge-cases"],
      [1, "Organisations:", "g-organisations"],
      [2, "Edge cases", "g-edge-cases-2"],
      [3, "Ünïcode  & spaces", "g-ünïcode-spaces"],
    ]);
    expect(sections[2]?.markdown).toBe("## Edge cases\nNicknames count.\n```\n# not a heading inside code\n```");
    // Every line is in exactly one section.
    expect(sections.map((s) => s.markdown).join("\n")).toBe(GUIDE);
    expect(splitSections("# Only\ntext")[0]?.anchor).toBe("g-only");
  });
  it("searches headings and text for every term, case-insensitively", () => {
    const sections = splitSections(GUIDE);
    expect(searchSections(sections, "").length).toBe(sections.length);
    expect(searchSections(sections, "EDGE").map((s) => s.anchor)).toEqual(["g-edge-cases", "g-edge-cases-2"]);
    expect(searchSections(sections, "edge band").map((s) => s.anchor)).toEqual(["g-edge-cases-2"]);
    expect(searchSections(sections, "dr. names").map((s) => s.anchor)).toEqual(["g-persons"]);
    expect(searchSections(sections, "zebra")).toEqual([]);
  });
});

describe("label → section", () => {
  const sections = splitSections(GUIDE);
  it("uses the hint first, then the heading equal to the value or alias", () => {
    expect(sectionForLabel(sections, { value: "persons" })?.anchor).toBe("g-persons");
    expect(sectionForLabel(sections, { value: "ORG", alias: "Organisations" })?.anchor).toBe("g-organisations");
    expect(sectionForLabel(sections, { value: "PER", hint: "#g-edge-cases-2" })?.anchor).toBe("g-edge-cases-2");
    expect(sectionForLabel(sections, { value: "PER", hint: "edge cases" })?.anchor).toBe("g-edge-cases");
    // A hint naming nothing falls back to the value.
    expect(sectionForLabel(sections, { value: "Persons", hint: "nowhere" })?.anchor).toBe("g-persons");
    expect(sectionForLabel(sections, { value: "LOC" })).toBeUndefined();
  });
  it("lists the config's labels that link somewhere", () => {
    const parsed = parseLabelingConfig(`<View><Text name="t" value="$text"/>
      <Labels name="ner" toName="t"><Label value="Persons"/><Label value="ORG" hint="Organisations"/><Label value="LOC"/></Labels>
    </View>`);
    if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
    expect(labelLinks(parsed.config, sections)).toEqual([
      { control: "ner", label: "Persons", anchor: "g-persons", title: "Persons" },
      { control: "ner", label: "ORG", anchor: "g-organisations", title: "Organisations:" },
    ]);
  });
});

describe("diff hunks", () => {
  const same = (t: string): DiffLine => ({ op: "same", text: t });
  it("folds long unchanged runs, keeping context next to changes", () => {
    const lines: DiffLine[] = [
      same("a"), same("b"), same("c"), same("d"),
      { op: "removed", text: "e" }, { op: "added", text: "E" },
      same("f"), same("g"), same("h"), same("i"), same("j"), same("k"),
      { op: "added", text: "L" },
      same("m"), same("n"), same("o"),
    ];
    const hunks = diffHunks(lines, 1);
    expect(hunks).toEqual([
      { kind: "skip", count: 3 },
      { kind: "lines", lines: [same("d"), lines[4], lines[5], same("f")] },
      { kind: "skip", count: 4 },
      { kind: "lines", lines: [same("k"), lines[12], same("m")] },
      { kind: "skip", count: 2 },
    ]);
    expect(diffSummary(lines)).toEqual({ added: 2, removed: 1 });
  });
  it("keeps short runs and all-unchanged diffs whole when short", () => {
    const lines: DiffLine[] = [same("a"), { op: "added", text: "b" }, same("c"), same("d"), same("e"), { op: "removed", text: "f" }];
    expect(diffHunks(lines, 1)).toEqual([{ kind: "lines", lines }]);
    expect(diffHunks([same("x")], 2)).toEqual([{ kind: "lines", lines: [same("x")] }]);
    expect(diffHunks([same("x"), same("y")], 2)).toEqual([{ kind: "skip", count: 2 }]);
    expect(diffHunks([], 2)).toEqual([]);
  });
});
