import { describe, expect, it } from "vitest";
import { EMPTY_DOC, findRegion } from "./annotation";
import { editorCommands, initialState } from "./commands";
import { parseLabelingConfig } from "./config";
import { type History, handleKey, run, startHistory, undo } from "./history";
import { regionId } from "./ids";
import { key } from "./keys";
import { newRegion } from "./region";
import { activeVertex } from "./vertex";

const parsed = parseLabelingConfig(`<View><Image name="img" value="$image"/>
  <PolygonLabels name="poly" toName="img"><Label value="Lake"/></PolygonLabels>
  <RectangleLabels name="tag" toName="img"><Label value="Car"/></RectangleLabels></View>`);
if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
const config = parsed.config;
const cmds = editorCommands(config, () => regionId("new"));
const control = (name: string) => config.controls.find((c) => c.name === name)!;
const square = [{ x: 10, y: 10 }, { x: 20, y: 10 }, { x: 20, y: 20 }, { x: 10, y: 20 }];

function withPolygon(points = square): History {
  let h = run(startHistory(initialState(EMPTY_DOC)), cmds.createRegion, {
    region: newRegion({ id: regionId("p"), control: control("poly"), toName: "img", shape: { kind: "polygon", points }, label: { control: "poly", value: "Lake" } }),
  });
  h = run(h, cmds.createRegion, {
    region: newRegion({ id: regionId("b"), control: control("tag"), toName: "img", shape: { kind: "rect", x: 50, y: 50, width: 10, height: 10, rotation: 0 }, label: null }),
  });
  return run(h, cmds.select, { id: regionId("p") });
}
const press = (h: History, k: string, mods = {}) => handleKey(h, cmds.all, key(k, mods)) ?? h;
const points = (h: History) => {
  const s = findRegion(h.present.doc, regionId("p"))!.shape;
  return s.kind === "polygon" ? s.points : [];
};

describe("polygon vertices from the keyboard", () => {
  it(". and , pick the active vertex, wrapping around", () => {
    let h = withPolygon();
    expect(activeVertex(h.present)).toBeNull();
    h = press(h, ".");
    expect(activeVertex(h.present)?.index).toBe(0);
    h = press(h, ",");
    expect(activeVertex(h.present)?.index).toBe(3);
    h = press(h, ".");
    h = press(h, ".");
    expect(activeVertex(h.present)?.index).toBe(1);
  });
  it("arrows move the active vertex only (Shift 10×), as one undo step; without one they move the polygon", () => {
    let h = withPolygon();
    h = press(h, ".");
    h = press(h, ".");
    const before = h.past.length;
    h = press(h, "ArrowRight");
    h = press(h, "ArrowDown", { shiftKey: true });
    expect(points(h)[1]).toEqual({ x: 20.2, y: 12 });
    expect(points(h).filter((_, i) => i !== 1)).toEqual(square.filter((_, i) => i !== 1));
    expect(h.past.length).toBe(before + 1);
    h = undo(h);
    expect(points(h)).toEqual(square);
    // Escape leaves vertex editing: arrows move the whole polygon again.
    h = press(withPolygon(), ".");
    h = press(h, "Escape");
    expect(activeVertex(h.present)).toBeNull();
    expect(h.present.selected).toBe(regionId("p"));
    h = press(h, "ArrowLeft");
    expect(points(h).map((p) => Math.round((p.x) * 10) / 10)).toEqual([9.8, 19.8, 19.8, 9.8]);
  });
  it("a vertex is clamped to the image", () => {
    let h = withPolygon([{ x: 0.1, y: 50 }, { x: 20, y: 50 }, { x: 10, y: 60 }]);
    h = press(h, ".");
    h = press(h, "ArrowLeft", { shiftKey: true });
    expect(points(h)[0]).toEqual({ x: 0, y: 50 });
  });
  it("Delete removes the active vertex but keeps three; Insert adds one halfway to the next", () => {
    let h = withPolygon();
    h = press(h, ".");
    h = press(h, "Insert");
    expect(points(h)).toEqual([square[0], { x: 15, y: 10 }, square[1], square[2], square[3]]);
    expect(activeVertex(h.present)?.index).toBe(1);
    h = press(h, "Delete");
    expect(points(h)).toEqual(square);
    expect(activeVertex(h.present)?.index).toBe(0);
    h = press(h, "Backspace");
    expect(points(h)).toEqual(square.slice(1));
    const three = press(h, "Delete");
    expect(points(three)).toEqual(square.slice(1)); // not below three vertices, and the region stays
    expect(findRegion(three.present.doc, regionId("p"))).toBeDefined();
    h = press(h, ".", { altKey: true }); // Alt+. inserts too
    expect(points(h)).toHaveLength(4);
  });
  it("lapses when another region is selected; keys then act on that region as before", () => {
    let h = withPolygon();
    h = press(h, ".");
    h = run(h, cmds.select, { id: regionId("b") });
    expect(activeVertex(h.present)).toBeNull();
    h = run(h, cmds.select, { id: regionId("p") }); // back to the polygon: no vertex active until . or ,
    expect(activeVertex(h.present)).toBeNull();
    h = run(h, cmds.select, { id: regionId("b") });
    h = press(h, "Delete");
    expect(findRegion(h.present.doc, regionId("b"))).toBeUndefined();
    expect(points(h)).toEqual(square);
  });
});
