import { describe, expect, it } from "vitest";
import { EMPTY_DOC, findRegion } from "./annotation";
import { editorCommands, growShape, initialState } from "./commands";
import { parseLabelingConfig } from "./config";
import { handleKey, run, startHistory, undo } from "./history";
import { assignHotkeys } from "./hotkeys";
import { regionId } from "./ids";
import { key } from "./keys";
import { defaultShapeFor, newRegion } from "./region";

const parsed = parseLabelingConfig(`<View><Image name="img" value="$image"/>
  <RectangleLabels name="tag" toName="img"><Label value="A"/></RectangleLabels>
  <EllipseLabels name="oval" toName="img"><Label value="B"/></EllipseLabels>
  <KeyPointLabels name="kp" toName="img"><Label value="C"/></KeyPointLabels>
  <PolygonLabels name="poly" toName="img"><Label value="D" hotkey="["/></PolygonLabels></View>`);
if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
const config = parsed.config;
const cmds = editorCommands(config, () => regionId("new"));
const control = (name: string) => config.controls.find((c) => c.name === name)!;

describe("keyboard-made regions", () => {
  it("starts boxes, ellipses, squares and points in the middle of the image", () => {
    expect(defaultShapeFor(control("tag"))).toEqual({ kind: "rect", x: 40, y: 40, width: 20, height: 20, rotation: 0 });
    expect(defaultShapeFor(control("oval"))).toEqual({ kind: "ellipse", x: 50, y: 50, radiusX: 10, radiusY: 10, rotation: 0 });
    expect(defaultShapeFor(control("kp"))).toEqual({ kind: "keypoint", x: 50, y: 50 });
    expect(defaultShapeFor(control("poly"))).toEqual({ kind: "polygon", points: [{ x: 40, y: 40 }, { x: 60, y: 40 }, { x: 60, y: 60 }, { x: 40, y: 60 }] });
    const choices = parseLabelingConfig(`<View><Image name="i" value="$i"/><Choices name="c" toName="i"><Choice value="x"/></Choices></View>`);
    if (!choices.ok) throw new Error("config");
    expect(defaultShapeFor(choices.config.controls[0]!)).toBe(null);
  });

  it("Alt+arrows resize the selected box from its top-left (Shift 10×), clamped to the image, as one undo step", () => {
    const shape = defaultShapeFor(control("tag"))!;
    let h = run(startHistory(initialState(EMPTY_DOC)), cmds.createRegion, {
      region: newRegion({ id: regionId("b"), control: control("tag"), toName: "img", shape, label: { control: "tag", value: "A" } }),
    });
    h = handleKey(h, cmds.all, key("ArrowRight", { altKey: true }))!;
    h = handleKey(h, cmds.all, key("ArrowDown", { altKey: true, shiftKey: true }))!;
    h = handleKey(h, cmds.all, key("ArrowUp", { altKey: true }))!;
    const r = findRegion(h.present.doc, regionId("b"))!;
    expect(r.shape).toMatchObject({ x: 40, y: 40 });
    expect(r.shape.kind === "rect" && [r.shape.width, r.shape.height].map((v) => Math.round(v * 1000) / 1000)).toEqual([20.2, 21.8]);
    expect(h.past).toHaveLength(2); // create, then one merged resize
    h = undo(h);
    expect(findRegion(h.present.doc, regionId("b"))!.shape).toEqual(shape);
    expect(growShape({ kind: "rect", x: 90, y: 0, width: 9, height: 5, rotation: 0 }, 5, -10)).toEqual({ kind: "rect", x: 90, y: 0, width: 10, height: 0.2, rotation: 0 });
  });

  it("Alt+arrows change an ellipse's radii by half the step; points do not resize", () => {
    expect(growShape({ kind: "ellipse", x: 50, y: 50, radiusX: 10, radiusY: 10, rotation: 30 }, 2, -2)).toEqual({ kind: "ellipse", x: 50, y: 50, radiusX: 11, radiusY: 9, rotation: 30 });
    const p = { kind: "keypoint", x: 1, y: 2 } as const;
    expect(growShape(p, 2, 2)).toBe(p);
  });

  it("Alt+arrows scale a polygon's vertices from its bounding box's top-left, kept inside the image", () => {
    const tri = { kind: "polygon", points: [{ x: 10, y: 10 }, { x: 30, y: 10 }, { x: 20, y: 20 }] } as const;
    expect(growShape(tri, 20, -5)).toEqual({ kind: "polygon", points: [{ x: 10, y: 10 }, { x: 50, y: 10 }, { x: 30, y: 15 }] });
    expect(growShape(tri, 200, 0)).toEqual({ kind: "polygon", points: [{ x: 10, y: 10 }, { x: 100, y: 10 }, { x: 55, y: 20 }] });
  });

  it("bracket keys rotate, so a config hotkey on them is not used", () => {
    expect(assignHotkeys(config).find((h) => h.value === "D")?.key).not.toBe("[");
  });
});
