import { describe, expect, it } from "vitest";
import { EMPTY_DOC } from "./annotation";
import { editorCommands, initialState } from "./commands";
import { parseLabelingConfig, type LabelingConfig } from "./config";
import { handleKey, redo, run, startHistory, undo, type History } from "./history";
import { regionId } from "./ids";
import { key } from "./keys";
import { newRegion } from "./region";
import { findRelation, relationOptions, relations } from "./relations";
import { docToResult, resultToDoc } from "./serialize";

function cfg(xml: string): LabelingConfig {
  const r = parseLabelingConfig(xml);
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.config;
}

const withRelations = cfg(`<View>
  <Image name="img" value="$image"/>
  <RectangleLabels name="tag" toName="img"><Label value="Person"/><Label value="Car"/></RectangleLabels>
  <Relations><Relation value="drives"/><Relation value="owns"/></Relations>
</View>`);
const plainRelations = cfg(`<View>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text"><Label value="Person"/></Labels>
</View>`);

const a = regionId("a");
const b = regionId("b");
const c = regionId("c");

function twoBoxes(config: LabelingConfig, cmds: ReturnType<typeof editorCommands>): History {
  let h = startHistory(initialState(EMPTY_DOC));
  const control = config.controls[0]!;
  for (const [id, x] of [[a, 10], [b, 50], [c, 70]] as const) {
    const shape = control.type === "Labels" ? { kind: "span" as const, start: x, end: x + 5, text: "abcde" } : { kind: "rect" as const, x, y: 10, width: 10, height: 10, rotation: 0 };
    h = run(h, cmds.createRegion, { region: newRegion({ id, control, toName: control.toNames[0]!, shape, label: null }) });
  }
  return run(h, cmds.select, { id: a });
}

describe("relations", () => {
  it("Alt+R on a selected region, then picking a target, adds one relation as one undo step", () => {
    const cmds = editorCommands(withRelations, () => regionId("x"));
    let h = twoBoxes(withRelations, cmds);
    const steps = h.past.length;
    h = handleKey(h, cmds.all, key("r", { altKey: true })) ?? h;
    expect(h.present.linking).toBe(a);
    expect(h.past.length).toBe(steps); // starting a relation is not an undo step
    h = run(h, cmds.addRelation, { from: a, to: b });
    expect(h.present.linking).toBeNull();
    expect(h.past.length).toBe(steps + 1);
    expect(docToResult(h.present.doc).at(-1)).toEqual({ type: "relation", from_id: "a", to_id: "b", direction: "right" });
    h = undo(h);
    expect(relations(h.present.doc)).toHaveLength(0);
    expect(h.present.linking).toBeNull(); // undo does not bring back the half-made relation
    h = redo(h);
    expect(relations(h.present.doc)).toHaveLength(1);
  });

  it("Escape cancels linking before it deselects; Alt+R without a selection does nothing", () => {
    const cmds = editorCommands(withRelations, () => regionId("x"));
    let h = twoBoxes(withRelations, cmds);
    h = handleKey(h, cmds.all, key("r", { altKey: true })) ?? h;
    h = handleKey(h, cmds.all, key("Escape")) ?? h;
    expect(h.present.linking).toBeNull();
    expect(h.present.selected).toBe(a);
    h = handleKey(h, cmds.all, key("Escape")) ?? h;
    expect(h.present.selected).toBeNull();
    expect(handleKey(h, cmds.all, key("r", { altKey: true }))).toBeNull();
    expect(handleKey(h, cmds.all, key("r"))).toBeNull(); // plain r is not the relation key
  });

  it("keyboard only: Alt+R, Tab to the target, Enter", () => {
    const cmds = editorCommands(withRelations, () => regionId("x"));
    let h = twoBoxes(withRelations, cmds);
    expect(handleKey(h, cmds.all, key("Enter"))).toBeNull(); // not linking: Enter is free
    h = handleKey(h, cmds.all, key("r", { altKey: true })) ?? h;
    expect(handleKey(h, cmds.all, key("Enter"))).toBeNull(); // the target is still the start
    h = handleKey(h, cmds.all, key("Tab")) ?? h;
    expect(h.present.selected).toBe(b);
    h = handleKey(h, cmds.all, key("Enter")) ?? h;
    expect(relations(h.present.doc).map((r) => [r.fromId, r.toId])).toEqual([["a", "b"]]);
    expect(h.present.linking).toBeNull();
  });

  it("refuses self links and duplicates", () => {
    const cmds = editorCommands(withRelations, () => regionId("x"));
    let h = twoBoxes(withRelations, cmds);
    expect(cmds.addRelation.perform(h.present, { from: a, to: a })).toBeNull();
    h = run(h, cmds.addRelation, { from: a, to: b });
    expect(cmds.addRelation.perform(h.present, { from: a, to: b })).toBeNull();
    h = run(h, cmds.addRelation, { from: b, to: a }); // the other way round is another relation
    expect(relations(h.present.doc)).toHaveLength(2);
  });

  it("labels (single choice replaces, picked again clears), direction, delete; all undoable", () => {
    const cmds = editorCommands(withRelations, () => regionId("x"));
    expect(relationOptions(withRelations).map((o) => o.value)).toEqual(["drives", "owns"]);
    let h = run(twoBoxes(withRelations, cmds), cmds.addRelation, { from: a, to: b });
    h = run(h, cmds.toggleRelationLabel, { from: a, to: b, value: "drives" });
    h = run(h, cmds.toggleRelationLabel, { from: a, to: b, value: "owns" });
    expect(findRelation(h.present.doc, { from: a, to: b })?.labels).toEqual(["owns"]);
    expect(cmds.toggleRelationLabel.perform(h.present, { from: a, to: b, value: "flies" })).toBeNull();
    h = run(h, cmds.setRelationDirection, { from: a, to: b, direction: "bi" as const });
    expect(docToResult(h.present.doc).at(-1)).toEqual({ type: "relation", from_id: "a", to_id: "b", direction: "bi", labels: ["owns"] });
    h = run(h, cmds.toggleRelationLabel, { from: a, to: b, value: "owns" });
    expect(findRelation(h.present.doc, { from: a, to: b })?.labels).toEqual([]);
    h = run(h, cmds.deleteRelation, { from: a, to: b });
    expect(relations(h.present.doc)).toHaveLength(0);
    h = undo(undo(h));
    expect(findRelation(h.present.doc, { from: a, to: b })?.labels).toEqual(["owns"]);
  });

  it("round-trips relations between text spans through serialize", () => {
    const cmds = editorCommands(plainRelations, () => regionId("x"));
    let h = run(twoBoxes(plainRelations, cmds), cmds.addRelation, { from: c, to: a });
    expect(cmds.toggleRelationLabel.perform(h.present, { from: c, to: a, value: "x" })).toBeNull(); // no <Relations>: no labels
    const items = docToResult(h.present.doc);
    const back = resultToDoc(items, plainRelations);
    expect(docToResult(back)).toEqual(items);
    expect(relations(back)[0]).toMatchObject({ fromId: "c", toId: "a", direction: "right" });
  });
});

describe("clearAll", () => {
  it("removes everything in one undoable step (discarding a pre-annotation)", () => {
    const cmds = editorCommands(withRelations, () => regionId("x"));
    let h = run(twoBoxes(withRelations, cmds), cmds.addRelation, { from: a, to: b });
    const before = h.present.doc;
    h = run(h, cmds.clearAll, true);
    expect(h.present.doc.entities).toHaveLength(0);
    expect(h.present.selected).toBeNull();
    expect(cmds.clearAll.perform(h.present, true)).toBeNull();
    h = undo(h);
    expect(h.present.doc).toBe(before);
  });
});
