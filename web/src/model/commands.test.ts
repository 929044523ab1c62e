import { describe, expect, it } from "vitest";
import { EMPTY_DOC, findRegion, regions, classificationOf } from "./annotation";
import { initialState, editorCommands } from "./commands";
import { parseLabelingConfig, type LabelingConfig } from "./config";
import { handleKey, redo, run, startHistory, undo, type History } from "./history";
import { regionId, newRegionId } from "./ids";
import { key } from "./keys";
import { newRegion } from "./region";
import { docToResult } from "./serialize";

function cfg(xml: string): LabelingConfig {
  const r = parseLabelingConfig(xml);
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.config;
}

const config = cfg(`<View>
  <Image name="img" value="$image"/>
  <RectangleLabels name="tag" toName="img"><Label value="Planet"/><Label value="Moon" hotkey="m"/></RectangleLabels>
  <Choices name="kind" toName="img" choice="multiple"><Choice value="Space"/><Choice value="Ground"/></Choices>
  <TextArea name="note" toName="img" perRegion="true"/>
</View>`);

let counter = 0;
const makeId = () => regionId(`id${++counter}`);
const cmds = editorCommands(config, makeId);
const tag = config.controls[0]!;

function withBox(h: History, id: string, x = 10): History {
  const region = newRegion({
    id: regionId(id), control: tag, toName: "img", label: h.present.activeLabel,
    shape: { kind: "rect", x, y: 10, width: 20, height: 10, rotation: 0 }, original: { width: 800, height: 600 },
  });
  return run(h, cmds.createRegion, { region });
}

const press = (h: History, k: string, mods = {}): History => handleKey(h, cmds.all, key(k, mods)) ?? h;

describe("commands", () => {
  it("creates a region with the active label and selects it; undo and redo", () => {
    let h = startHistory(initialState(EMPTY_DOC));
    h = press(h, "m"); // Moon becomes active (no undo step)
    expect(h.present.activeLabel).toEqual({ control: "tag", value: "Moon" });
    expect(h.past).toHaveLength(0);
    h = withBox(h, "a");
    expect(h.present.selected).toBe("a");
    expect(regions(h.present.doc)[0]!.labels).toEqual(["Moon"]);
    expect(docToResult(h.present.doc)).toEqual([{
      id: "a", from_name: "tag", to_name: "img", type: "rectanglelabels", original_width: 800, original_height: 600,
      value: { x: 10, y: 10, width: 20, height: 10, rotation: 0, rectanglelabels: ["Moon"] },
    }]);
    h = undo(h);
    expect(regions(h.present.doc)).toHaveLength(0);
    expect(h.present.activeLabel).toEqual({ control: "tag", value: "Moon" });
    h = redo(h);
    expect(regions(h.present.doc)).toHaveLength(1);
  });

  it("relabels the selected region with a digit, deletes it with Delete, and undoes both", () => {
    let h = withBox(startHistory(initialState(EMPTY_DOC)), "a");
    expect(regions(h.present.doc)[0]!.labels).toEqual([]);
    h = press(h, "1");
    expect(regions(h.present.doc)[0]!.labels).toEqual(["Planet"]);
    expect(regions(h.present.doc)[0]!.version).toBe(1);
    h = press(h, "Delete");
    expect(regions(h.present.doc)).toHaveLength(0);
    expect(h.present.selected).toBeNull();
    h = press(h, "z", { ctrlKey: true });
    expect(regions(h.present.doc)[0]!.labels).toEqual(["Planet"]);
    h = press(h, "z", { ctrlKey: true });
    expect(regions(h.present.doc)[0]!.labels).toEqual([]);
    h = press(h, "y", { ctrlKey: true });
    expect(regions(h.present.doc)[0]!.labels).toEqual(["Planet"]);
  });

  it("merges a run of nudges into one undo step and clamps inside the image", () => {
    let h = withBox(startHistory(initialState(EMPTY_DOC)), "a");
    const steps = h.past.length;
    for (let i = 0; i < 5; i++) h = press(h, "ArrowRight", { shiftKey: true });
    const r = findRegion(h.present.doc, regionId("a"))!;
    expect(r.shape.kind === "rect" && r.shape.x).toBeCloseTo(20);
    expect(h.past.length).toBe(steps + 1);
    for (let i = 0; i < 100; i++) h = press(h, "ArrowRight", { shiftKey: true });
    const r2 = findRegion(h.present.doc, regionId("a"))!;
    expect(r2.shape.kind === "rect" && r2.shape.x).toBe(80);
    h = undo(h);
    const back = findRegion(h.present.doc, regionId("a"))!;
    expect(back.shape.kind === "rect" && back.shape.x).toBe(10);
  });

  it("cycles selection with Tab and clears it with Escape, without undo steps", () => {
    let h = withBox(withBox(startHistory(initialState(EMPTY_DOC)), "a"), "b", 50);
    const steps = h.past.length;
    h = press(h, "Tab");
    expect(h.present.selected).toBe("a");
    h = press(h, "Tab", { shiftKey: true });
    expect(h.present.selected).toBe("b");
    h = press(h, "Escape");
    expect(h.present.selected).toBeNull();
    expect(h.past.length).toBe(steps);
  });

  it("toggles multiple choices with digits and removes the item when empty", () => {
    let h = startHistory(initialState(EMPTY_DOC));
    // m = Moon (config), 1 = Planet, 2 = Space, 3 = Ground.
    h = press(h, "2");
    h = press(h, "3");
    expect(classificationOf(h.present.doc, "kind")!.value).toEqual({ choices: ["Space", "Ground"] });
    h = press(h, "2");
    h = press(h, "3");
    expect(classificationOf(h.present.doc, "kind")).toBeUndefined();
    h = undo(h);
    expect(classificationOf(h.present.doc, "kind")!.value).toEqual({ choices: ["Ground"] });
  });

  it("writes per-region text under the region's id and merges typing", () => {
    let h = withBox(startHistory(initialState(EMPTY_DOC)), "a");
    const steps = h.past.length;
    h = run(h, cmds.setValue, { control: "note", value: { text: ["d"] }, newId: makeId() });
    h = run(h, cmds.setValue, { control: "note", value: { text: ["dent"] }, newId: makeId() });
    expect(h.past.length).toBe(steps + 1);
    const items = docToResult(h.present.doc);
    expect(items).toHaveLength(2);
    expect(items[1]).toMatchObject({ id: "a", from_name: "note", type: "textarea", value: { text: ["dent"] } });
  });

  it("does not record a step when nothing changed", () => {
    let h = startHistory(initialState(EMPTY_DOC));
    h = press(h, "Delete");
    h = press(h, "ArrowLeft");
    expect(h.past).toHaveLength(0);
    expect(handleKey(h, cmds.all, key("q"))).toBeNull();
  });

  it("links regions and drops the link when a region goes", () => {
    let h = withBox(withBox(startHistory(initialState(EMPTY_DOC)), "a"), "b", 50);
    h = run(h, cmds.addRelation, { from: regionId("a"), to: regionId("b") });
    expect(docToResult(h.present.doc).at(-1)).toEqual({ type: "relation", from_id: "a", to_id: "b", direction: "right" });
    h = run(h, cmds.deleteRegion, { id: regionId("b") });
    expect(h.present.doc.entities.filter((e) => e.kind === "relation")).toHaveLength(0);
  });

  it("makes LS-shaped ids", () => {
    let seed = 1;
    const id = newRegionId(() => ((seed = (seed * 16807) % 2147483647) / 2147483647));
    expect(id).toMatch(/^[A-Za-z0-9_-]{10}$/);
  });

  it("the doc version goes up on every change", () => {
    let h = withBox(startHistory(initialState(EMPTY_DOC)), "a");
    const v = h.present.doc.version;
    h = press(h, "2");
    expect(h.present.doc.version).toBe(v + 1);
  });
});
